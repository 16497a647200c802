/*
 * test_gen.c - the dump generator: counts, ids, determinism, and generated
 * dumps read back through the project's gzip and CSV readers.  A clean
 * dump must hold only valid values; in a nasty dump the records and values
 * that are bad must be exactly the ones the manifest lists, each at its
 * file and line.
 */
#include "check.h"
#include "dcstage.h"
#include "gen.h"
#include "csv.h"
#include "gzin.h"
#include "values.h"

#include <jansson.h>
#include <zlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Value kinds by column: i id, j id or empty, c digits or empty, T text,
 * f flag, m number, n count, a latitude, o longitude, d date. */
static const char *const col_kinds[GEN_NTABLES] = {
	"iiicaoTTcTTTffffffTffTTTTTTTmmmmmmnmnffTdddd",
	"iiiiTTcfdmmmfTfffffjTff",
	"iicTTTmn",
};

/* ---- a set of 64-bit hashes ---- */

typedef struct set {
	uint64_t *slot;
	size_t cap, n;
} set;

static void set_add(set *s, uint64_t h);

static void set_grow(set *s)
{
	set bigger = { NULL, s->cap ? s->cap * 2 : 1024, 0 };

	bigger.slot = dc_calloc(bigger.cap, sizeof *bigger.slot);
	for (size_t i = 0; i < s->cap; i++)
		if (s->slot[i])
			set_add(&bigger, s->slot[i]);
	free(s->slot);
	*s = bigger;
}

static int set_has(const set *s, uint64_t h)
{
	h |= 1;
	for (size_t i = s->cap ? h & (s->cap - 1) : 0; s->cap;
	     i = (i + 1) & (s->cap - 1)) {
		if (s->slot[i] == h)
			return 1;
		if (!s->slot[i])
			return 0;
	}
	return 0;
}

/* Add h (0 is not a value: hashes are stored with their low bit set). */
static void set_add(set *s, uint64_t h)
{
	size_t i;

	if (2 * (s->n + 1) > s->cap)
		set_grow(s);
	h |= 1;
	for (i = h & (s->cap - 1); s->slot[i]; i = (i + 1) & (s->cap - 1))
		if (s->slot[i] == h)
			return;
	s->slot[i] = h;
	s->n++;
}

static void set_free(set *s)
{
	free(s->slot);
	memset(s, 0, sizeof *s);
}

/* Where something is bad: file, line, and the column or reject kind. */
static uint64_t where_hash(const char *file, uint64_t line, const char *what)
{
	uint64_t h = dc_hash64(file, strlen(file), line);

	return dc_hash64(what, strlen(what), h);
}

static uint64_t id_hash(const char *p, size_t n)
{
	const char *id;
	size_t len;

	if (val_id(p, n, &id, &len) != VAL_OK)
		return 0;
	return dc_hash64(id, len, 7);
}

/* ---- reading a dump ---- */

static ptrdiff_t read_gz(void *ctx, char *dst, size_t n)
{
	return gzin_read(ctx, dst, n);
}

static const char *gz_errmsg(void *ctx)
{
	return gzin_errmsg(ctx);
}

static json_t *load_manifest(const char *dir)
{
	char path[512];
	json_error_t e;
	json_t *m;

	snprintf(path, sizeof path, "%s/manifest.json", dir);
	m = json_load_file(path, 0, &e);
	if (!m)
		fprintf(stderr, "manifest: %s: %s\n", path, e.text);
	return m;
}

static uint64_t jint(json_t *m, const char *a, const char *b)
{
	return (uint64_t)json_integer_value(json_object_get(
		json_object_get(m, a), b));
}

static char *make_dir(void)
{
	const char *tmp = getenv("TMPDIR");
	char path[512];

	snprintf(path, sizeof path, "%s/test_gen.XXXXXX", tmp ? tmp : "/tmp");
	return mkdtemp(path) ? dc_strdup(path) : NULL;
}

static void remove_dump(char *dir)
{
	char path[600];

	for (int t = 0; t < GEN_NTABLES; t++)
		for (int k = 0; k < 8; k++) {
			snprintf(path, sizeof path, "%s/opendata_%s%03d.gz", dir,
				 gen_table_names[t], k);
			unlink(path);
		}
	snprintf(path, sizeof path, "%s/manifest.json", dir);
	unlink(path);
	rmdir(dir);
	free(dir);
}

/* What a dump's records show, counted as the loader would see them. */
typedef struct seen {
	uint64_t records[GEN_NTABLES];   /* header excluded */
	uint64_t rejects[GEN_NTABLES];   /* bad count, malformed, empty key */
	set keys[GEN_NTABLES];           /* of the records staged */
	set projects;                    /* project keys */
	set bad_where;                   /* file+line(+column) of bad things */
	uint64_t nbad;                   /* bad records and values found */
	uint64_t headers, checked;
	/* tricky content seen */
	int lf, crlf_text, dquote, backslash, comma, utf8, quoted_id,
	    quoted_empty, date_only, zero_fraction, count_fraction;
	int fraction_digits[7];
} seen;

static int all_hex32(const char *p, size_t n)
{
	if (n != 32)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!strchr("0123456789abcdef", p[i]) || !p[i])
			return 0;
	return 1;
}

static int all_digits(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return 0;
	return 1;
}

/* Whether a value of kind k is valid (or missing, where that is allowed). */
static int value_ok(char k, const char *p, size_t n)
{
	char out[VAL_DATE_MAX];
	const char *id;
	size_t len;
	double d;
	int64_t c;
	int f;

	switch (k) {
	case 'i':
	case 'j':
		if (val_id(p, n, &id, &len) != VAL_OK)
			return k == 'j' && n == 0;
		return all_hex32(id, len);
	case 'c':
		return all_digits(p, n);
	case 'T':
		return val_utf8_valid(p, n);
	case 'f':
		return val_flag(p, n, &f, NULL) != VAL_BAD;
	case 'm':
		return val_double(p, n, &d, NULL) != VAL_BAD;
	case 'n':
		return val_count(p, n, &c, NULL) != VAL_BAD;
	case 'a':
		return val_latitude(p, n, &d, NULL) != VAL_BAD;
	case 'o':
		return val_longitude(p, n, &d, NULL) != VAL_BAD;
	default:
		if (val_date(p, n, out, &len, NULL) == VAL_BAD)
			return 0;
		return n == 0 || (memcmp(p, "2002", 4) >= 0 &&
				  memcmp(p, "2022", 4) <= 0);
	}
}

static void note_tricky(seen *sn, const csv_field *f, char k)
{
	const char *p = f->ptr;
	size_t n = f->len;

	sn->lf += memchr(p, '\n', n) != NULL;
	sn->crlf_text += n > 1 && memmem(p, n, "\r\n", 2) != NULL;
	sn->dquote += k == 'T' && memchr(p, '"', n) != NULL;
	sn->backslash += memchr(p, '\\', n) != NULL;
	sn->comma += k == 'T' && memchr(p, ',', n) != NULL;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)p[i] >= 0xc3 && val_utf8_valid(p, n)) {
			sn->utf8++;
			break;
		}
	sn->quoted_id += (k == 'i' || k == 'j') && n == 34 && p[0] == '"';
	if (k == 'd' && n == 10)
		sn->date_only++;
	if (k == 'd' && n == 26 && !memcmp(p + 19, ".000000", 7))
		sn->zero_fraction++;
	if (k == 'd' && n > 20 && n <= 26)
		sn->fraction_digits[n - 20]++;
	if (k == 'n' && n > 2 && !memcmp(p + n - 2, ".0", 2))
		sn->count_fraction++;
}

/* One record of table t in file name: count it, and note where it is bad. */
static void see_record(seen *sn, int t, const char *name,
		       const csv_record *rec, int clean)
{
	const char *kinds = col_kinds[t];
	int ncols = gen_ncols[t];
	uint64_t key;

	sn->records[t]++;
	if (rec->error || (int)rec->nfields != ncols ||
	    !(key = id_hash(rec->fields[0].ptr, rec->fields[0].len))) {
		/* as the loader tells them apart */
		const char *kind = rec->error ? "malformed" :
				   (int)rec->nfields != ncols ? "field_count" :
				   "empty_key";

		sn->rejects[t]++;
		sn->nbad++;
		set_add(&sn->bad_where, where_hash(name, rec->line, kind));
		return;
	}
	set_add(&sn->keys[t], key);
	if (t == GEN_PROJECTS)
		set_add(&sn->projects, key);
	else if (!set_has(&sn->projects, id_hash(rec->fields[1].ptr,
						   rec->fields[1].len))) {
		sn->nbad++;
		set_add(&sn->bad_where, where_hash(name, rec->line,
						   "projectid"));
	}
	for (int c = 0; c < ncols; c++) {
		const csv_field *f = &rec->fields[c];

		sn->checked++;
		if (!clean)
			note_tricky(sn, f, kinds[c]);
		if (value_ok(kinds[c], f->ptr, f->len))
			continue;
		if (clean)
			fprintf(stderr, "%s:%llu: bad %s '%.*s'\n", name,
				(unsigned long long)rec->line,
				gen_columns[t][c], (int)f->len, f->ptr);
		sn->nbad++;
		set_add(&sn->bad_where, where_hash(name, rec->line,
						   gen_columns[t][c]));
	}
	if (!clean && rec->raw_len > 3 &&
	    memmem(rec->raw, rec->raw_len, ",\"\",", 4))
		sn->quoted_empty++;
}

static int is_header(int t, const csv_record *rec)
{
	return rec->line == 1 && rec->nfields && rec->fields[0].len > 1 &&
	       rec->fields[0].ptr[0] == '_' &&
	       !strncmp(rec->fields[0].ptr + 1, gen_columns[t][0],
			rec->fields[0].len - 1);
}

static void read_dump(const char *dir, json_t *m, seen *sn, int clean)
{
	json_t *files = json_object_get(m, "files");

	for (int t = 0; t < GEN_NTABLES; t++) {
		json_t *list = json_object_get(files, gen_table_names[t]);

		for (size_t k = 0; k < json_array_size(list); k++) {
			const char *name = json_string_value(
				json_array_get(list, k));
			char path[600], err[DC_ERR_MAX];
			gzin *g;
			csv_reader *r;
			csv_record rec;
			int rc;

			snprintf(path, sizeof path, "%s/%s", dir, name);
			g = gzin_open(path, err);
			CHECK(g != NULL);
			if (!g)
				continue;
			r = csv_open(read_gz, gz_errmsg, g, name, 0);
			while ((rc = csv_next_record(r, &rec)) == 1) {
				if (is_header(t, &rec))
					sn->headers++;
				else
					see_record(sn, t, name, &rec, clean);
			}
			CHECK_INT(rc, 0);
			csv_close(r);
			gzin_close(g);
		}
	}
}

static void seen_free(seen *sn)
{
	for (int t = 0; t < GEN_NTABLES; t++)
		set_free(&sn->keys[t]);
	set_free(&sn->projects);
	set_free(&sn->bad_where);
}

/* ---- the tests ---- */

static void test_counts(void)
{
	CHECK_INT(gen_count(0.001, GEN_FULL_PROJECTS), 1100);
	CHECK_INT(gen_count(0.001, GEN_FULL_DONATIONS), 6212);
	CHECK_INT(gen_count(0.002, GEN_FULL_DONATIONS), 12424);
	CHECK_INT(gen_count(1.0, GEN_FULL_DONATIONS), 6211956);
	CHECK_INT(gen_count(1e-9, GEN_FULL_PROJECTS), 1);
}

static void test_ids(void)
{
	gen_world w;
	char a[32], b[32], c[32];

	gen_world_init(&w, 42, 0.01);
	gen_hex_id(&w, GEN_TAG_PROJECT, 5, a);
	gen_hex_id(&w, GEN_TAG_PROJECT, 5, b);
	gen_hex_id(&w, GEN_TAG_PROJECT, 6, c);
	CHECK(all_hex32(a, 32));
	CHECK(!memcmp(a, b, 32));
	CHECK(memcmp(a, c, 32) != 0);
	gen_hex_id(&w, GEN_TAG_DONATION, 5, c);
	CHECK(memcmp(a, c, 32) != 0);
	gen_world_init(&w, 43, 0.01);
	gen_hex_id(&w, GEN_TAG_PROJECT, 5, c);
	CHECK(memcmp(a, c, 32) != 0);
}

static void test_skew(void)
{
	gen_world w;
	uint64_t total = 0, ones = 0, big = 0, outside = 0, n;
	int lo = 99, hi = 0;
	set hit = { NULL, 0, 0 };

	gen_world_init(&w, 1, 0.05);
	n = w.nprojects;
	for (uint64_t p = 0; p < n; p++) {
		int k = gen_resource_count(&w, p);

		total += (uint64_t)k;
		ones += k == 1;
		big += k > 20;
		lo = k < lo ? k : lo;
		hi = k > hi ? k : hi;
	}
	CHECK_INT(lo, 1);
	CHECK(hi <= 40 && hi >= 30);
	CHECK(total > n * 28 / 10 && total < n * 32 / 10);
	CHECK(ones > n * 3 / 10);
	CHECK(big > 0 && big < n / 50);
	for (uint64_t i = 0; i < w.ndonations; i++) {
		uint64_t p = gen_donation_project(&w, GEN_TAG_DONATION, i);

		outside += p >= n;
		set_add(&hit, dc_hash64(&p, sizeof p, 0));
	}
	CHECK_INT(outside, 0);
	/* some projects get no donation, most get some */
	CHECK(hit.n < n * 95 / 100 && hit.n > n * 80 / 100);
	set_free(&hit);
}

static int run(const char *dir, double scale, uint64_t seed, int parts,
	       int header, int nasty, int month, gen_summary *s)
{
	gen_options o = { scale, seed, dir, parts, header, nasty, month };
	char err[DC_ERR_MAX];
	int rc = gen_run(&o, s, err);

	if (rc)
		fprintf(stderr, "gen_run: %s\n", err);
	return rc;
}

static void test_clean(void)
{
	char *dir = make_dir();
	gen_summary s;
	seen sn;
	json_t *m;

	memset(&sn, 0, sizeof sn);
	CHECK(dir != NULL);
	CHECK_INT(run(dir, 0.001, 3, 1, 1, 0, 0, &s), 0);
	m = load_manifest(dir);
	CHECK(m != NULL);
	read_dump(dir, m, &sn, 1);
	CHECK_INT(sn.headers, 3);
	CHECK_INT(sn.records[GEN_PROJECTS], 1100);
	CHECK_INT(sn.records[GEN_DONATIONS], 6212);
	CHECK(sn.records[GEN_RESOURCES] >= 1100 &&
	      sn.records[GEN_RESOURCES] <= 40 * 1100);
	CHECK_INT(sn.nbad, 0);
	CHECK(sn.checked > 100000);
	for (int t = 0; t < GEN_NTABLES; t++) {
		const char *tn = gen_table_names[t];

		CHECK_INT(sn.rejects[t], 0);
		CHECK_INT(jint(m, "rows", tn), sn.records[t]);
		CHECK_INT(jint(m, "expected", tn), sn.keys[t].n);
		CHECK_INT(sn.keys[t].n, sn.records[t]);
		CHECK_INT(jint(m, "duplicates", tn), 0);
		CHECK_INT(s.rows[t], sn.records[t]);
	}
	CHECK_INT(json_array_size(json_object_get(m, "bad")), 0);
	CHECK(json_is_false(json_object_get(m, "nasty")));
	CHECK_INT(s.nparts, 3);
	json_decref(m);
	seen_free(&sn);
	gen_summary_free(&s);
	remove_dump(dir);
}

static const char *jstr(json_t *o, const char *name)
{
	return json_string_value(json_object_get(o, name));
}

/* Every manifest entry is bad where it says, and nothing else is bad. */
static void check_bad_list(json_t *m, const seen *sn)
{
	json_t *bad = json_object_get(m, "bad");
	uint64_t listed = 0, unknown = 0;

	for (size_t i = 0; i < json_array_size(bad); i++) {
		json_t *e = json_array_get(bad, i);
		const char *file = jstr(e, "file"), *expect = jstr(e, "expect");
		const char *col = jstr(e, "column"), *kind = jstr(e, "kind");
		uint64_t line = (uint64_t)json_integer_value(
			json_object_get(e, "line"));
		int reject = expect && !strcmp(expect, "reject");

		CHECK(file && expect && kind && line > 0);
		CHECK(jstr(e, "key") != NULL);
		if (!file || !expect || !kind)
			continue;
		CHECK(reject || col != NULL);
		if (!reject && !col)
			continue;
		listed++;
		if (!set_has(&sn->bad_where,
			     where_hash(file, line, reject ? kind : col))) {
			unknown++;
			fprintf(stderr, "listed but not bad: %s:%llu %s\n", file,
				(unsigned long long)line, reject ? kind : col);
		}
	}
	CHECK_INT(unknown, 0);
	CHECK_INT(listed, sn->nbad);
}

static void test_nasty(void)
{
	char *dir = make_dir();
	gen_summary s;
	seen sn;
	json_t *m, *kinds;

	memset(&sn, 0, sizeof sn);
	CHECK(dir != NULL);
	CHECK_INT(run(dir, 0.001, 7, 2, 1, 1, 0, &s), 0);
	m = load_manifest(dir);
	CHECK(m != NULL);
	read_dump(dir, m, &sn, 0);
	CHECK_INT(sn.headers, 6);
	for (int t = 0; t < GEN_NTABLES; t++) {
		const char *tn = gen_table_names[t];

		CHECK_INT(jint(m, "rows", tn), sn.records[t]);
		CHECK_INT(jint(m, "rejects", tn), sn.rejects[t]);
		CHECK_INT(jint(m, "expected", tn), sn.keys[t].n);
		CHECK_INT(jint(m, "duplicates", tn),
			  sn.records[t] - sn.rejects[t] - sn.keys[t].n);
		CHECK(jint(m, "duplicates", tn) > 0);
		CHECK(sn.rejects[t] > 0);
	}
	CHECK(jint(m, "orphans", "donations") > 0);
	CHECK(jint(m, "orphans", "resources") > 0);
	check_bad_list(m, &sn);
	/* every kind, in every table it applies to */
	kinds = json_object_get(m, "kinds");
	CHECK(json_object_size(kinds) == 3);
	for (int t = 0; t < GEN_NTABLES; t++) {
		json_t *k = json_object_get(kinds, gen_table_names[t]);

		CHECK(json_object_size(k) >= 20);
		for (void *it = json_object_iter(k); it;
		     it = json_object_iter_next(k, it)) {
			json_int_t v = json_integer_value(
				json_object_iter_value(it));

			if (v < 1)
				fprintf(stderr, "no %s in %s\n",
					json_object_iter_key(it),
					gen_table_names[t]);
			CHECK(v >= 1);
		}
	}
	/* the tricky content, as the reader decodes it */
	CHECK(sn.lf > 0 && sn.crlf_text > 0 && sn.dquote > 0);
	CHECK(sn.backslash > 0 && sn.comma > 0 && sn.utf8 > 0);
	CHECK(sn.quoted_id > 0 && sn.quoted_empty > 0);
	CHECK(sn.date_only > 0 && sn.zero_fraction > 0);
	CHECK(sn.count_fraction > 0);
	for (int d = 1; d <= 6; d++)
		CHECK(sn.fraction_digits[d] > 0);
	json_decref(m);
	seen_free(&sn);
	gen_summary_free(&s);
	remove_dump(dir);
}

static char *slurp(const char *dir, const char *name, size_t *n)
{
	char path[600];
	buf b = BUF_INIT;
	char tmp[1 << 14];
	size_t got;
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	while ((got = fread(tmp, 1, sizeof tmp, f)) > 0)
		buf_append(&b, tmp, got);
	fclose(f);
	*n = b.len;
	return buf_detach(&b);
}

static void test_deterministic(void)
{
	char *a = make_dir(), *b = make_dir();
	gen_summary s;
	const char *names[] = {
		"opendata_projects000.gz", "opendata_projects001.gz",
		"opendata_donations001.gz", "opendata_resources001.gz",
		"manifest.json"
	};

	CHECK_INT(run(a, 0.002, 9, 2, 1, 1, 1, &s), 0);
	gen_summary_free(&s);
	CHECK_INT(run(b, 0.002, 9, 2, 1, 1, 1, &s), 0);
	gen_summary_free(&s);
	for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
		size_t na = 0, nb = 0;
		char *x = slurp(a, names[k], &na), *y = slurp(b, names[k], &nb);

		CHECK(x != NULL && y != NULL);
		CHECK(na == nb && na > 0 && x && y && !memcmp(x, y, na));
		free(x);
		free(y);
	}
	/* gzip header: no mtime, no name */
	{
		size_t n = 0;
		unsigned char *x = (unsigned char *)slurp(a, names[0], &n);

		CHECK(n > 10 && x && x[0] == 0x1f && x[1] == 0x8b);
		CHECK(x && x[3] == 0 && !x[4] && !x[5] && !x[6] && !x[7]);
		free(x);
	}
	/* another seed, other bytes */
	CHECK_INT(run(b, 0.002, 10, 2, 1, 1, 1, &s), 0);
	gen_summary_free(&s);
	{
		size_t na = 0, nb = 0;
		char *x = slurp(a, names[0], &na), *y = slurp(b, names[0], &nb);

		CHECK(x && y && (na != nb || memcmp(x, y, na) != 0));
		free(x);
		free(y);
	}
	remove_dump(a);
	remove_dump(b);
}

/* gzip members in a file, or -1 when it does not inflate cleanly. */
static int count_members(const char *data, size_t n, size_t *out_bytes)
{
	z_stream z;
	char out[1 << 14];
	int members = 0;

	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, 31) != Z_OK)
		return -1;
	z.next_in = (Bytef *)(uintptr_t)data;
	z.avail_in = (uInt)n;
	*out_bytes = 0;
	while (z.avail_in) {
		int rc;

		z.next_out = (Bytef *)out;
		z.avail_out = sizeof out;
		rc = inflate(&z, Z_NO_FLUSH);
		*out_bytes += sizeof out - z.avail_out;
		if (rc == Z_STREAM_END) {
			members++;
			inflateReset(&z);
		} else if (rc != Z_OK) {
			members = -1;
			break;
		}
	}
	inflateEnd(&z);
	return members;
}

static void test_members(void)
{
	char *dir = make_dir();
	gen_summary s;
	size_t n = 0, csv = 0;
	char *x;
	int members;

	CHECK_INT(run(dir, 0.002, 4, 1, 1, 0, 0, &s), 0);
	x = slurp(dir, "opendata_donations000.gz", &n);
	members = count_members(x, n, &csv);
	CHECK_INT(csv, s.parts[GEN_DONATIONS].csv_bytes);
	CHECK_INT(n, s.parts[GEN_DONATIONS].gz_bytes);
	/* a member every MiB of CSV */
	CHECK(csv > (1u << 20));
	CHECK_INT(members, (int)((csv + (1u << 20) - 1) >> 20));
	free(x);
	gen_summary_free(&s);
	remove_dump(dir);
}

static void test_no_header(void)
{
	char *dir = make_dir();
	gen_summary s;
	seen sn;
	json_t *m;

	memset(&sn, 0, sizeof sn);
	CHECK_INT(run(dir, 0.0005, 2, 1, 0, 0, 0, &s), 0);
	m = load_manifest(dir);
	read_dump(dir, m, &sn, 1);
	CHECK_INT(sn.headers, 0);
	CHECK_INT(sn.records[GEN_PROJECTS], 550);
	CHECK_INT(sn.nbad, 0);
	CHECK(json_is_false(json_object_get(m, "header")));
	json_decref(m);
	seen_free(&sn);
	gen_summary_free(&s);
	remove_dump(dir);
}

static void test_errors(void)
{
	char *dir = make_dir(), path[600], err[DC_ERR_MAX] = "";
	gen_summary s;
	gen_options o = { 0, 1, dir, 1, 1, 0, 0 };
	FILE *f;

	CHECK_INT(gen_run(&o, &s, err), -1);
	CHECK(strstr(err, "scale") != NULL);
	o.scale = 0.001;
	o.parts = 0;
	CHECK_INT(gen_run(&o, &s, err), -1);
	CHECK(strstr(err, "parts") != NULL);
	/* a file where the folder should be */
	snprintf(path, sizeof path, "%s/manifest.json", dir);
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f)
		fclose(f);
	o.parts = 1;
	o.out = path;
	CHECK_INT(gen_run(&o, &s, err), -1);
	CHECK(strstr(err, "cannot create") != NULL);
	CHECK(strstr(err, "manifest.json") != NULL);
	remove_dump(dir);
}

int main(void)
{
	test_counts();
	test_ids();
	test_skew();
	test_clean();
	test_nasty();
	test_deterministic();
	test_members();
	test_no_header();
	test_errors();
	return check_summary();
}
