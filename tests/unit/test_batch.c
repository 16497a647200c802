/*
 * test_batch.c - the load's reader thread: gzip parts read into batches of
 * converted rows (the cells of each kind), headers skipped, malformed
 * records, wrong field counts and empty keys rejected with their line and
 * bytes, bad values kept as NULL with a problem naming the column,
 * orphans against the projects read before, line numbers across quoted
 * line breaks, fingerprints, batches that go round, missing and cut
 * files, and cancelling.  Files are written in a folder under $TMPDIR
 * (default /tmp) and removed.
 *
 * Each case renders the records it reads one a line:
 *     <file>:<line> <cell> <cell>... [! <column>[ (orphan)]: <reason> <value>]...
 *     <file>:<line> <kind>: <reason> <raw>
 * where a cell is 'text', i<integer>, r<real> or null, and LF, CR,
 * backslash and bytes outside ASCII are written \n, \r, \\ and \xNN.
 */
#include "batch.h"
#include "buf.h"
#include "check.h"
#include "dcstage.h"
#include "dumpfiles.h"
#include "embed.h"
#include "load.h"
#include "values.h"

#include <dirent.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define N_CASES(a) (sizeof(a) / sizeof((a)[0]))
#define BATCH_RECORDS 8192 /* batch.c's records per batch */
#define NBATCHES 4         /* batch.c's batches in flight */

static char dir[256];

/* ---- the tables ---- */

static batch_table tables[LOAD_NTABLES];

static void add_col(batch_table *t, const char *name, const char *type)
{
	int kind = val_kind_of_type(type);

	if (kind < 0 || t->ncols >= BATCH_MAX_COLS) {
		fprintf(stderr, "bad test column %s %s\n", name, type);
		exit(1);
	}
	snprintf(t->name[t->ncols], BATCH_NAME_MAX, "%s", name);
	t->kind[t->ncols] = (unsigned char)kind;
	if (!strcmp(name, "projectid"))
		t->projectid_col = t->ncols;
	t->ncols++;
}

/* Small tables of every kind, named as the loader names them. */
static void small_tables(void)
{
	batch_table *p = &tables[LOAD_PROJECTS];
	batch_table *d = &tables[LOAD_DONATIONS];
	batch_table *r = &tables[LOAD_RESOURCES];

	memset(tables, 0, sizeof tables);
	for (int t = 0; t < LOAD_NTABLES; t++)
		tables[t].projectid_col = -1;
	p->defines_projects = 1;
	add_col(p, "projectid", "ID TEXT");
	add_col(p, "title", "TEXT");
	add_col(p, "lat", "LATITUDE REAL");
	add_col(p, "posted", "DATE TEXT");
	add_col(p, "students", "INTEGER");
	add_col(p, "charter", "BOOLEAN");
	add_col(p, "price", "REAL");
	add_col(d, "donationid", "ID TEXT");
	add_col(d, "projectid", "ID TEXT");
	add_col(d, "amount", "REAL");
	add_col(r, "resourceid", "ID TEXT");
	add_col(r, "projectid", "ID TEXT");
	add_col(r, "qty", "INTEGER");
}

/* The tables as load.c describes them, from sql/staging.sql. */
static void staging_tables(void)
{
	static const char *const names[LOAD_NTABLES] = {
		"new_projects", "new_donations", "new_resources"
	};
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;

	memset(tables, 0, sizeof tables);
	if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
	    sqlite3_exec(db, embed_text("staging.sql"), NULL, NULL,
			 NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT name, type FROM pragma_table_info"
			       "(?1) ORDER BY cid", -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "cannot read staging.sql: %s\n",
			sqlite3_errmsg(db));
		exit(1);
	}
	for (int t = 0; t < LOAD_NTABLES; t++) {
		tables[t].projectid_col = -1;
		tables[t].defines_projects = t == LOAD_PROJECTS;
		sqlite3_bind_text(st, 1, names[t], -1, SQLITE_STATIC);
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *name = (const char *)sqlite3_column_text(st, 0);

			if (!strcmp(name, "fp"))
				break;
			add_col(&tables[t], name,
				(const char *)sqlite3_column_text(st, 1));
		}
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* ---- the files ---- */

typedef struct part {
	const char *name;
	int table;      /* enum load_table */
	const char *csv; /* NULL: no such file */
	size_t len;     /* 0: strlen(csv) */
} part;

static void path_of(char *path, size_t n, const char *name)
{
	snprintf(path, n, "%s/%s", dir, name);
}

/* Write data as the gzip file dir/name. */
static void put_gz(const char *name, const char *data, size_t n)
{
	char path[512];
	gzFile g;

	path_of(path, sizeof path, name);
	g = gzopen(path, "wb");
	if (!g || (n && gzwrite(g, data, (unsigned)n) != (int)n) ||
	    gzclose(g) != Z_OK) {
		fprintf(stderr, "cannot write %s\n", path);
		exit(1);
	}
}

static uint64_t file_size(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 ? (uint64_t)sb.st_size : 0;
}

/* The parts written (but for a NULL csv) and described as dumpfiles
 * describes them.  Free with dumpfiles_free(). */
static void make_files(dumpfiles *d, const part *parts, int n)
{
	char path[512];

	d->n = n;
	d->files = dc_calloc((size_t)n, sizeof *d->files);
	for (int i = 0; i < n; i++) {
		dumpfile *f = &d->files[i];

		path_of(path, sizeof path, parts[i].name);
		unlink(path);
		if (parts[i].csv)
			put_gz(parts[i].name, parts[i].csv, parts[i].len ?
			       parts[i].len : strlen(parts[i].csv));
		f->path = dc_strdup(path);
		f->name = strrchr(f->path, '/') + 1;
		f->table = parts[i].table;
		f->size = file_size(path);
	}
}

/* Remove every file of the folder, then the folder. */
static void remove_dir(void)
{
	DIR *dp = opendir(dir);
	const struct dirent *e;
	char path[512];

	while (dp && (e = readdir(dp)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		path_of(path, sizeof path, e->d_name);
		unlink(path);
	}
	if (dp)
		closedir(dp);
	CHECK_INT(rmdir(dir), 0);
}

/* ---- reading and rendering ---- */

static void put_bytes(buf *b, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == '\n')
			buf_puts(b, "\\n");
		else if (c == '\r')
			buf_puts(b, "\\r");
		else if (c == '\\')
			buf_puts(b, "\\\\");
		else if (c < 0x20 || c >= 0x7f)
			buf_printf(b, "\\x%02x", c);
		else
			buf_putc(b, (char)c);
	}
}

static void render_cell(buf *out, const batch *b, const val_cell *c)
{
	switch (c->type) {
	case VAL_NULL:
		buf_puts(out, " null");
		break;
	case VAL_INT:
		buf_printf(out, " i%lld", (long long)c->v.i);
		break;
	case VAL_REAL:
		buf_printf(out, " r%.17g", c->v.d);
		break;
	case VAL_TEXT:
		CHECK(c->v.off + c->len <= b->data.len);
		buf_puts(out, " '");
		put_bytes(out, b->data.data + c->v.off, c->len);
		buf_putc(out, '\'');
		break;
	default:
		buf_printf(out, " type%d?", c->type);
	}
}

static void render_rec(buf *out, const dumpfiles *d, const batch *b,
		       const batch_rec *x)
{
	const dumpfile *f = &d->files[b->file];
	const batch_table *t = &tables[f->table];

	if (out->len)
		buf_putc(out, '\n');
	buf_printf(out, "%s:%llu", f->name, (unsigned long long)x->line);
	if (x->reject) {
		buf_printf(out, " %s: %s <", x->reject, b->data.data + x->reason);
		put_bytes(out, b->data.data + x->raw, x->raw_len);
		buf_putc(out, '>');
		CHECK_INT(x->nproblems, 0);
		return;
	}
	CHECK(x->cell + (size_t)t->ncols <= b->ncells);
	for (int i = 0; i < t->ncols; i++)
		render_cell(out, b, &b->cells[x->cell + (size_t)i]);
	CHECK(x->problem + x->nproblems <= b->nproblems);
	for (size_t k = 0; k < x->nproblems; k++) {
		const batch_problem *p = &b->problems[x->problem + k];

		CHECK(p->col >= 0 && p->col < t->ncols);
		CHECK(p->value + p->len <= b->data.len);
		buf_printf(out, " ! %s%s: %s <", t->name[p->col],
			   p->orphan ? " (orphan)" : "", p->reason);
		put_bytes(out, b->data.data + p->value, p->len);
		buf_putc(out, '>');
	}
}

typedef struct result {
	char *text;            /* the records rendered */
	int rc;                /* batch_finish's */
	char err[DC_ERR_MAX];
	uint64_t bytes_gz, bytes_csv;
	int nbatches;
	size_t nrecs;
} result;

/* Read all of d, checking what holds for any input on the way. */
static void run(const dumpfiles *d, result *res)
{
	char err[DC_ERR_MAX] = "";
	batch_reader *r = batch_start(d, tables, err);
	buf text = BUF_INIT;
	uint64_t gz = 0, last_gz = 0;
	int last_file = 0, sane = 1;
	batch *b;

	memset(res, 0, sizeof *res);
	buf_puts(&text, "");
	CHECK(r != NULL);
	if (!r) {
		res->text = buf_detach(&text);
		return;
	}
	while ((b = batch_next(r, &gz)) != NULL) {
		/* parts in order, progress never going back */
		sane &= b->file >= last_file && b->file < d->n &&
			gz >= last_gz && b->nrecs <= BATCH_RECORDS;
		last_file = b->file;
		last_gz = gz;
		for (size_t i = 0; i < b->nrecs; i++)
			render_rec(&text, d, b, &b->recs[i]);
		res->nbatches++;
		res->nrecs += b->nrecs;
		batch_done(r, b);
	}
	CHECK(sane);
	res->rc = batch_finish(r, &res->bytes_gz, &res->bytes_csv, res->err);
	res->text = buf_detach(&text);
}

/* One projects part holding csv: its records as rendered. */
static char *read_projects(const char *csv, size_t len, result *res)
{
	const part p = { "p.gz", LOAD_PROJECTS, csv, len };
	dumpfiles d;

	make_files(&d, &p, 1);
	run(&d, res);
	dumpfiles_free(&d);
	return res->text;
}

/* ---- the cases ---- */

#define HEADER "projectid,title,lat,posted,students,charter,price\n"
#define ROW1 "p1,Title,40.5,2011-04-14,23,t,12.5\n"
#define ROW1_OUT "'p1' 'Title' r40.5 '2011-04-14T00:00:00' i23 i1 r12.5"
#define NULLS5 " null null null null null"

static const struct {
	const char *in;
	const char *want;
} projects_cases[] = {
	/* every kind converted */
	{ ROW1, "p.gz:1 " ROW1_OUT },
	{ "\"p2\",\"a, b\",-90,2011-04-14 10:11:12.25,23.0,f,-1.5e2",
	  "p.gz:1 'p2' 'a, b' r-90 '2011-04-14T10:11:12.250000' i23 i0 r-150" },
	{ "p3,,,,,,\n", "p.gz:1 'p3'" NULLS5 " null" },
	/* ids lose one pair of quotes, after the CSV's own */
	{ "\"\"\"p4\"\"\",x,,,,,\n", "p.gz:1 'p4' 'x'" NULLS5 },
	/* a header: the key's name, with or without '_' or ' ' first, in
	 * quotes or not, whatever the number of fields */
	{ HEADER ROW1, "p.gz:2 " ROW1_OUT },
	{ "_" HEADER ROW1, "p.gz:2 " ROW1_OUT },
	{ " " HEADER ROW1, "p.gz:2 " ROW1_OUT },
	{ "\"_projectid\",\"title\"\n" ROW1, "p.gz:2 " ROW1_OUT },
	{ "projectid\r\n" ROW1, "p.gz:2 " ROW1_OUT },
	{ HEADER, "" },
	{ "", "" },
	/* the first record, whatever its line */
	{ "\n\r\n" HEADER ROW1, "p.gz:4 " ROW1_OUT },
	/* only one '_' goes, and the name must be whole */
	{ "__projectid,t,,,,,\n", "p.gz:1 '__projectid' 't'" NULLS5 },
	{ "projectids,t,,,,,\n", "p.gz:1 'projectids' 't'" NULLS5 },
	{ "title,projectid,,,,,\n", "p.gz:1 'title' 'projectid'" NULLS5 },
	/* only the first record is a header */
	{ ROW1 HEADER,
	  "p.gz:1 " ROW1_OUT "\n"
	  "p.gz:2 'projectid' 'title'" NULLS5
	  " ! lat: not a number <lat> ! posted: not a date <posted>"
	  " ! students: not a number <students>"
	  " ! charter: not t or f <charter> ! price: not a number <price>" },
	/* bad values: NULL, the row kept, a problem per column; invalid
	 * UTF-8 repaired */
	{ "p5,T\xe9,95,2011-02-30,many,yes,abc\n",
	  "p.gz:1 'p5' 'T\\xef\\xbf\\xbd'" NULLS5
	  " ! title: invalid UTF-8, replaced by U+FFFD <T\\xe9>"
	  " ! lat: latitude out of range <95>"
	  " ! posted: date does not exist <2011-02-30>"
	  " ! students: not a number <many> ! charter: not t or f <yes>"
	  " ! price: not a number <abc>" },
	{ "p6,x,,2011-04-14 24:00:00,1.5,,\n",
	  "p.gz:1 'p6' 'x' null null null null null"
	  " ! posted: time does not exist <2011-04-14 24:00:00>"
	  " ! students: not an integer <1.5>" },
	/* line numbers: quoted line breaks (LF and CRLF, kept), blank
	 * lines, a last line without its end */
	{ "p1,\"two\nlines\",,,,,\n\np2,\"a\r\nb\",,,,,\r\np3,x,,,,,",
	  "p.gz:1 'p1' 'two\\nlines'" NULLS5 "\n"
	  "p.gz:4 'p2' 'a\\r\\nb'" NULLS5 "\n"
	  "p.gz:6 'p3' 'x'" NULLS5 },
	{ "\n\n\np1,x,,,,,\n", "p.gz:4 'p1' 'x'" NULLS5 },
	/* malformed records: rejected with their bytes; reading goes on */
	{ "p1,ab\"c,,,,,\np2,x,,,,,\n",
	  "p.gz:1 malformed: unexpected quote in unquoted field "
	  "(field 2, column 6) <p1,ab\"c,,,,,>\n"
	  "p.gz:2 'p2' 'x'" NULLS5 },
	{ "p0,x,,,,,\np1,\"a\nb\"c,,,,,\np2,x,,,,,\n",
	  "p.gz:1 'p0' 'x'" NULLS5 "\n"
	  "p.gz:2 malformed: unexpected character after closing quote "
	  "(field 2, line 3, column 3) <p1,\"a\\nb\"c,,,,,>\n"
	  "p.gz:4 'p2' 'x'" NULLS5 },
	{ "p1,\"abc,,,,,\np2,x,,,,,\n",
	  "p.gz:1 malformed: unterminated quoted field (field 2, column 4) "
	  "<p1,\"abc,,,,,>\n"
	  "p.gz:2 'p2' 'x'" NULLS5 },
	/* a malformed first record is not taken for a header */
	{ "projectid,ti\"tle\n" ROW1,
	  "p.gz:1 malformed: unexpected quote in unquoted field "
	  "(field 2, column 13) <projectid,ti\"tle>\n"
	  "p.gz:2 " ROW1_OUT },
	/* wrong field counts */
	{ "p1,x\np2,a,b,c,d,e,f,g\n" ROW1,
	  "p.gz:1 field_count: expected 7 fields but found 2 <p1,x>\n"
	  "p.gz:2 field_count: expected 7 fields but found 8 "
	  "<p2,a,b,c,d,e,f,g>\n"
	  "p.gz:3 " ROW1_OUT },
	{ "\n\r\n", "" },
	/* empty keys */
	{ ",x,,,,,\n\"\",x,,,,,\n\"\"\"\"\"\",x,,,,,\n",
	  "p.gz:1 empty_key: empty projectid <,x,,,,,>\n"
	  "p.gz:2 empty_key: empty projectid <\"\",x,,,,,>\n"
	  "p.gz:3 empty_key: empty projectid <\"\"\"\"\"\",x,,,,,>" },
};

static void test_projects(void)
{
	result res;

	small_tables();
	for (size_t i = 0; i < N_CASES(projects_cases); i++) {
		const char *in = projects_cases[i].in;

		read_projects(in, 0, &res);
		CHECK_STR(res.text, projects_cases[i].want);
		CHECK_INT(res.rc, 0);
		CHECK_STR(res.err, "");
		if (strcmp(res.text, projects_cases[i].want))
			fprintf(stderr, "  input: %s\n", in);
		free(res.text);
	}
}

/* An embedded NUL is a byte like any other. */
static void test_nul(void)
{
	static const char in[] = "p1,a\0b,,,,,\n";
	result res;

	small_tables();
	read_projects(in, sizeof in - 1, &res);
	CHECK_STR(res.text, "p.gz:1 'p1' 'a\\x00b'" NULLS5);
	free(res.text);
}

/* bytes_csv: every inflated byte, line ends and blank lines included. */
static void test_bytes(void)
{
	static const char *const inputs[] = {
		HEADER ROW1 "p2,\"a\nb\",,,,,\n",
		"p1,x,,,,,\r\np2,y,,,,,\r\n\r\n\n",
		"p1,x,,,,,",
	};

	small_tables();
	for (size_t i = 0; i < N_CASES(inputs); i++) {
		const part p = { "p.gz", LOAD_PROJECTS, inputs[i], 0 };
		dumpfiles d;
		result res;

		make_files(&d, &p, 1);
		run(&d, &res);
		CHECK_INT(res.rc, 0);
		CHECK_INT(res.bytes_csv, strlen(inputs[i]));
		CHECK_INT(res.bytes_gz, file_size(d.files[0].path));
		CHECK(res.bytes_gz > 0);
		free(res.text);
		dumpfiles_free(&d);
	}
}

static void test_orphans(void)
{
	static const part parts[] = {
		{ "p.gz", LOAD_PROJECTS,
		  HEADER "p1,a,,,,,\n\"p2\",b,,,,,\np7,short\n", 0 },
		{ "d.gz", LOAD_DONATIONS,
		  "_donationid,projectid,amount\n"
		  "d1,p1,5\nd2,p9,7.5\nd3,\"\"\"p2\"\"\",1\nd4,,2\nd5,p7,3\n"
		  "d6,p9,abc\n", 0 },
		{ "r.gz", LOAD_RESOURCES,
		  "resourceid,projectid,qty\nr1,p2,3\nr2,P1,1\n", 0 },
	};
	const char *want =
		"p.gz:2 'p1' 'a'" NULLS5 "\n"
		"p.gz:3 'p2' 'b'" NULLS5 "\n"
		"p.gz:4 field_count: expected 7 fields but found 2 <p7,short>\n"
		"d.gz:2 'd1' 'p1' r5\n"
		"d.gz:3 'd2' 'p9' r7.5"
		" ! projectid (orphan): orphan: no project has this projectid"
		" <p9>\n"
		"d.gz:4 'd3' 'p2' r1\n"
		"d.gz:5 'd4' null r2\n"
		"d.gz:6 'd5' 'p7' r3"
		" ! projectid (orphan): orphan: no project has this projectid"
		" <p7>\n"
		"d.gz:7 'd6' 'p9' null ! amount: not a number <abc>"
		" ! projectid (orphan): orphan: no project has this projectid"
		" <p9>\n"
		"r.gz:2 'r1' 'p2' i3\n"
		"r.gz:3 'r2' 'P1' i1"
		" ! projectid (orphan): orphan: no project has this projectid"
		" <P1>";
	dumpfiles d;
	result res;

	small_tables();
	make_files(&d, parts, 3);
	run(&d, &res);
	CHECK_STR(res.text, want);
	CHECK_INT(res.rc, 0);
	CHECK_INT(res.bytes_gz, d.files[0].size + d.files[1].size +
		  d.files[2].size);
	free(res.text);
	dumpfiles_free(&d);
}

/* The tables as the loader builds them from the staging schema. */
static void test_staging_schema(void)
{
	static const part parts[] = {
		{ "d.gz", LOAD_DONATIONS,
		  "_donationid,projectid,donor_acctid,cartid,donor_city,"
		  "donor_state,donor_zip,is_teacher_acct,donation_timestamp,"
		  "donation_to_project,donation_optional_support,"
		  "donation_total,donation_included_optional_support,"
		  "payment_method,payment_included_acct_credit,"
		  "payment_included_campaign_gift_card,"
		  "payment_included_web_purchased_gift_card,"
		  "payment_was_promo_matched,is_teacher_referred,"
		  "giving_page_id,giving_page_type,for_honoree,"
		  "thank_you_packet_mailed\n"
		  "\"d1\",\"p1\",\"a1\",c1,\"New York, NY\",NY,01234,f,"
		  "2011-04-14 10:11:12.5,42.5,7.5,50,t,creditcard,f,f,f,f,t,"
		  ",,f,t\n", 0 },
	};
	dumpfiles d;
	result res;

	staging_tables();
	CHECK_INT(tables[LOAD_PROJECTS].ncols, 44);
	CHECK_INT(tables[LOAD_DONATIONS].ncols, 23);
	CHECK_INT(tables[LOAD_RESOURCES].ncols, 8);
	CHECK_INT(tables[LOAD_DONATIONS].projectid_col, 1);
	make_files(&d, parts, 1);
	run(&d, &res);
	CHECK_STR(res.text,
		  "d.gz:2 'd1' 'p1' 'a1' 'c1' 'New York, NY' 'NY' '01234' i0 "
		  "'2011-04-14T10:11:12.500000' r42.5 r7.5 r50 i1 "
		  "'creditcard' i0 i0 i0 i0 i1 null null i0 i1"
		  " ! projectid (orphan): orphan: no project has this projectid"
		  " <p1>");
	CHECK_INT(res.rc, 0);
	free(res.text);
	dumpfiles_free(&d);
	small_tables();
}

/* The fingerprint is of the record's bytes, without its line end. */
static void test_fingerprints(void)
{
	static const char csv[] =
		"p1,a,,,,,\np1,a,,,,,\r\np1,b,,,,,\np1,\"a\",,,,,\n"
		"p1,a,,,,\n";
	const part p = { "p.gz", LOAD_PROJECTS, csv, 0 };
	char err[DC_ERR_MAX];
	uint64_t gz, csvb;
	dumpfiles d;
	batch_reader *r;
	batch *b;

	small_tables();
	make_files(&d, &p, 1);
	r = batch_start(&d, tables, err);
	b = batch_next(r, &gz);
	CHECK(b != NULL);
	if (b) {
		CHECK_INT(b->nrecs, 5);
		CHECK(b->nrecs == 5 && b->recs[0].fp == b->recs[1].fp);
		CHECK(b->nrecs == 5 && b->recs[0].fp != b->recs[2].fp);
		/* the same values, other bytes */
		CHECK(b->nrecs == 5 && b->recs[0].fp != b->recs[3].fp);
		CHECK(b->nrecs == 5 && b->recs[0].fp == dc_hash64("p1,a,,,,,",
								 9, 0));
		/* a reject has one too */
		CHECK(b->nrecs == 5 && b->recs[4].reject != NULL &&
		      b->recs[4].fp == dc_hash64("p1,a,,,,", 8, 0));
		batch_done(r, b);
	}
	while ((b = batch_next(r, &gz)) != NULL)
		batch_done(r, b);
	CHECK_INT(batch_finish(r, &gz, &csvb, err), 0);
	dumpfiles_free(&d);
}

/* n records "p<i>,t<i>,,,,," (i from 0), one a line. */
static char *many_projects(int n, size_t *len)
{
	buf b = BUF_INIT;

	for (int i = 0; i < n; i++)
		buf_printf(&b, "p%d,t%d,,,,,\n", i, i);
	*len = b.len;
	return buf_detach(&b);
}

/* Records through several batches: every one, in order, with its line;
 * the projects of all batches known to the donations. */
static void test_many_batches(void)
{
	enum { N = 20000 };
	size_t len;
	char *csv = many_projects(N, &len);
	part parts[] = {
		{ "p.gz", LOAD_PROJECTS, csv, len },
		{ "d.gz", LOAD_DONATIONS, "d1,p0,1\nd2,p19999,2\nd3,p20000,3\n",
		  0 },
	};
	char err[DC_ERR_MAX] = "";
	uint64_t gz = 0, csvb = 0;
	dumpfiles d;
	batch_reader *r;
	batch *b;
	uint64_t next_line = 1;
	int nbatches = 0, in_order = 1, names_ok = 1;
	buf donations = BUF_INIT;

	small_tables();
	make_files(&d, parts, 2);
	r = batch_start(&d, tables, err);
	buf_puts(&donations, "");
	while ((b = batch_next(r, &gz)) != NULL) {
		nbatches += b->file == 0;
		for (size_t i = 0; i < b->nrecs; i++) {
			const batch_rec *x = &b->recs[i];
			const val_cell *c;
			char want[32];

			if (b->file == 1) {
				render_rec(&donations, &d, b, x);
				continue;
			}
			in_order &= x->line == next_line && !x->reject;
			c = &b->cells[x->cell];
			snprintf(want, sizeof want, "p%llu",
				 (unsigned long long)(next_line - 1));
			names_ok &= c->type == VAL_TEXT &&
				c->len == strlen(want) &&
				!memcmp(b->data.data + c->v.off, want, c->len);
			next_line++;
		}
		batch_done(r, b);
	}
	CHECK(in_order);
	CHECK(names_ok);
	CHECK_INT(next_line - 1, N);
	CHECK_INT(nbatches, 3); /* 8192 + 8192 + 3616 */
	CHECK_STR(donations.data,
		  "d.gz:1 'd1' 'p0' r1\nd.gz:2 'd2' 'p19999' r2\n"
		  "d.gz:3 'd3' 'p20000' r3 ! projectid (orphan): orphan: no "
		  "project has this projectid <p20000>");
	CHECK_INT(batch_finish(r, &gz, &csvb, err), 0);
	CHECK_INT(gz, d.files[0].size + d.files[1].size);
	CHECK_INT(csvb, len + strlen(parts[1].csv));
	buf_free(&donations);
	dumpfiles_free(&d);
	free(csv);
}

/* A record over the 1 MiB limit is rejected, its first MiB kept; big
 * records fill batches by their bytes. */
static void test_big_records(void)
{
	enum { MIB = 1 << 20, BIG = 1000000, NBIG = 10 };
	buf csv = BUF_INIT;
	part p = { "p.gz", LOAD_PROJECTS, NULL, 0 };
	char err[DC_ERR_MAX] = "";
	uint64_t gz, csvb;
	dumpfiles d;
	batch_reader *r;
	batch *b;
	char *text = dc_malloc(MIB + MIB / 2);
	int nbatches = 0;
	size_t nrecs = 0, intact = 0;

	small_tables();
	memset(text, 'x', MIB + MIB / 2);
	buf_puts(&csv, "p0,");
	buf_append(&csv, text, MIB + MIB / 2);
	buf_puts(&csv, ",,,,,\n" ROW1);
	p.csv = csv.data;
	p.len = csv.len;
	make_files(&d, &p, 1);
	r = batch_start(&d, tables, err);
	b = batch_next(r, &gz);
	CHECK(b != NULL && b->nrecs == 2);
	if (b && b->nrecs == 2) {
		const batch_rec *x = &b->recs[0];

		CHECK_STR(x->reject, "malformed");
		CHECK_STR(b->data.data + x->reason,
			  "record longer than 1048576 bytes");
		CHECK_INT(x->line, 1);
		CHECK_INT(x->raw_len, MIB);
		CHECK(!memcmp(b->data.data + x->raw, "p0,xxx", 6));
		CHECK(b->recs[1].reject == NULL && b->recs[1].line == 2);
		batch_done(r, b);
	}
	while ((b = batch_next(r, &gz)) != NULL)
		batch_done(r, b);
	CHECK_INT(batch_finish(r, &gz, &csvb, err), 0);
	dumpfiles_free(&d);

	/* ten records of a MB: five make a batch full (4 MiB) */
	buf_reset(&csv);
	for (int i = 0; i < NBIG; i++) {
		buf_printf(&csv, "p%d,", i);
		buf_append(&csv, text, BIG);
		buf_puts(&csv, ",,,,,\n");
	}
	p.csv = csv.data;
	p.len = csv.len;
	make_files(&d, &p, 1);
	r = batch_start(&d, tables, err);
	while ((b = batch_next(r, &gz)) != NULL) {
		nbatches += b->nrecs > 0; /* an empty one may come last */
		CHECK(b->nrecs == 0 || b->nrecs == 5);
		for (size_t i = 0; i < b->nrecs; i++) {
			const val_cell *c = &b->cells[b->recs[i].cell + 1];

			intact += !b->recs[i].reject && c->len == BIG &&
				!memcmp(b->data.data + c->v.off, text, BIG);
		}
		nrecs += b->nrecs;
		batch_done(r, b);
	}
	CHECK_INT(nbatches, 2);
	CHECK_INT(nrecs, NBIG);
	CHECK_INT(intact, NBIG);
	CHECK_INT(batch_finish(r, &gz, &csvb, err), 0);
	dumpfiles_free(&d);
	buf_free(&csv);
	free(text);
}

static void test_missing_file(void)
{
	const part parts[] = {
		{ "p.gz", LOAD_PROJECTS, ROW1, 0 },
		{ "d.gz", LOAD_DONATIONS, NULL, 0 },
	};
	char want[DC_ERR_MAX + 64];
	dumpfiles d;
	result res;

	small_tables();
	make_files(&d, parts, 2);
	run(&d, &res);
	CHECK_STR(res.text, "p.gz:1 " ROW1_OUT);
	CHECK_INT(res.rc, -1);
	snprintf(want, sizeof want,
		 "cannot open '%s': No such file or directory", d.files[1].path);
	CHECK_STR(res.err, want);
	free(res.text);
	dumpfiles_free(&d);
}

/* A gzip file cut short: the records before the damage, then an error
 * naming the file. */
static void test_cut_file(void)
{
	enum { N = 5000 };
	size_t len;
	char *csv = many_projects(N, &len);
	const part parts[] = {
		{ "d.gz", LOAD_DONATIONS, "d1,,1\n", 0 },
		{ "p.gz", LOAD_PROJECTS, csv, len },
	};
	char want[DC_ERR_MAX + 64];
	char err[DC_ERR_MAX] = "";
	uint64_t gz, csvb, cut, next_line = 1;
	dumpfiles d;
	batch_reader *r;
	batch *b;
	int in_order = 1, donations = 0;

	small_tables();
	make_files(&d, parts, 2);
	cut = d.files[1].size / 2;
	CHECK_INT(truncate(d.files[1].path, (off_t)cut), 0);
	r = batch_start(&d, tables, err);
	while ((b = batch_next(r, &gz)) != NULL) {
		for (size_t i = 0; i < b->nrecs; i++) {
			const batch_rec *x = &b->recs[i];

			if (b->file == 0) {
				donations++;
				continue;
			}
			/* the last one may be cut short itself */
			in_order &= x->line == next_line &&
				(!x->reject || i + 1 == b->nrecs);
			next_line++;
		}
		batch_done(r, b);
	}
	CHECK_INT(donations, 1);
	CHECK(in_order);
	CHECK(next_line > 100 && next_line < N);
	CHECK_INT(batch_finish(r, &gz, &csvb, err), -1);
	snprintf(want, sizeof want,
		 "'%s': gzip data is cut short (after %llu bytes)",
		 d.files[1].path, (unsigned long long)cut);
	CHECK_STR(err, want);

	/* the same without an error buffer */
	r = batch_start(&d, tables, err);
	while ((b = batch_next(r, &gz)) != NULL)
		batch_done(r, b);
	CHECK_INT(batch_finish(r, &gz, &csvb, NULL), -1);
	dumpfiles_free(&d);
	free(csv);
}

/* Cancelling: after a batch, before any, or finishing without reading:
 * the thread stops, nothing is an error, and nothing leaks. */
static void test_cancel(void)
{
	enum { N = 100000 };
	size_t len;
	char *csv = many_projects(N, &len);
	const part p = { "p.gz", LOAD_PROJECTS, csv, len };
	char err[DC_ERR_MAX] = "";
	uint64_t gz, csvb;
	dumpfiles d;
	batch_reader *r;
	batch *b;
	size_t recs = 0;

	small_tables();
	make_files(&d, &p, 1);

	r = batch_start(&d, tables, err);
	b = batch_next(r, &gz);
	CHECK(b != NULL && b->nrecs == BATCH_RECORDS);
	batch_cancel(r);
	if (b)
		batch_done(r, b);
	while ((b = batch_next(r, &gz)) != NULL) {
		recs += b->nrecs;
		batch_done(r, b);
	}
	/* at most the batches that were already full or being filled */
	CHECK(recs <= NBATCHES * BATCH_RECORDS);
	CHECK_INT(batch_finish(r, &gz, &csvb, err), 0);
	CHECK_STR(err, "");
	CHECK(csvb < len);

	r = batch_start(&d, tables, err);
	batch_cancel(r);
	batch_cancel(r); /* twice is harmless */
	CHECK_INT(batch_finish(r, &gz, &csvb, err), 0);

	r = batch_start(&d, tables, err);
	CHECK_INT(batch_finish(r, &gz, &csvb, err), 0);
	CHECK_STR(err, "");
	dumpfiles_free(&d);
	free(csv);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");

	alarm(120); /* a reader that never ends fails the test */
	snprintf(dir, sizeof dir, "%s/batch-test.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		perror("cannot make a folder for the test files");
		return 1;
	}
	test_projects();
	test_nul();
	test_bytes();
	test_orphans();
	test_staging_schema();
	test_fingerprints();
	test_many_batches();
	test_big_records();
	test_missing_file();
	test_cut_file();
	test_cancel();
	remove_dir();
	return check_summary();
}
