/*
 * test_docs.c - reading the documents in shards (docs.h): docs_plan's
 * ranges (covering 0..DOCS_KEYSPACE, slices of it, more ranges than the
 * key space holds), docs_count, and
 * docs_open: with target 0 every document of a range with its project
 * part; with a target, the merge of the donations (index donations_key)
 * with the target's rows of sent, giving in id order the documents to
 * index (new, donation row changed, project part changed for a project
 * whose gen is above since, or any project when since is -1) and the
 * deletions (ids only in sent), other targets' rows ignored; the fields of
 * a document and of a deletion; and for every case read with since -1,
 * the same ids as the views pending_index and pending_delete give.
 *
 * The staging file is loaded (load_run) from a small gzip dump in a folder
 * under $TMPDIR (default /tmp), removed at the end.  Each case sets sent
 * (and project_docs' gens) in SQL, then reads; what a cursor returns is
 * rendered "<id>:I" for a document to index, "<id>:D" for a deletion, in
 * the order returned, separated by spaces.
 */
#include "buf.h"
#include "check.h"
#include "testdb.h"
#include "dcstage.h"
#include "docs.h"
#include "load.h"
#include "stage.h"

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

static char dir[256], db_path[300];
static sqlite3 *db;

/* ---- the dump ---- */

enum {
	P_NCOLS = 44, P_ID = 0, P_TEACHER = 1, P_CITY = 6,
	D_NCOLS = 23, D_ID = 0, D_PROJECT = 1, D_CITY = 4, D_TEACHER = 7,
	D_TIME = 8, D_TOTAL = 11,
	R_NCOLS = 8
};

/* Four ranges of equal size: ids before "4000", before "8000", before
 * "c000", and the rest. */
static const docs_range quarter[4] = {
	{ 0, 0x4000 }, { 0x4000, 0x8000 }, { 0x8000, 0xc000 },
	{ 0xc000, DOCS_KEYSPACE },
};
static const docs_range everything = { 0, DOCS_KEYSPACE };

/* Donations in file order (not id order): id, project, city, teacher,
 * timestamp, total.  p3 has no value at all (its part is NULL, its fp 0);
 * px is no project (ff01 is an orphan), c3bb has no projectid; "-1" sorts
 * before "0000", "zz9" after "ffff", and "C3CC" (capitals sort before
 * small letters) between "9fff" and "a000". */
static const struct {
	const char *id, *project, *city, *teacher, *time, *total;
} donations[] = {
	{ "8000", "p1", NULL, NULL, NULL, "5" },
	{ "0a22", "p2", NULL, NULL, NULL, NULL },
	{ "zz9", "p2", NULL, NULL, NULL, NULL },
	{ "0a11", "p1", "Albany", "t", "2011-04-14 10:11:12", "25.5" },
	{ "c3aa", "p3", NULL, NULL, NULL, NULL },
	{ "ff01", "px", "Nowhere", NULL, NULL, NULL },
	{ "-1", "p2", NULL, "f", NULL, NULL },
	{ "7fff", "p3", NULL, NULL, NULL, NULL },
	{ "3c00", "p1", NULL, NULL, NULL, NULL },
	{ "c3bb", NULL, NULL, NULL, NULL, "1" },
	{ "C3CC", "p1", NULL, NULL, NULL, NULL },
	{ "7f00", "p2", NULL, NULL, NULL, NULL },
};

#define ALL_IDS "-1 0a11 0a22 3c00 7f00 7fff 8000 C3CC c3aa c3bb ff01 zz9"
#define ALL_INDEX "-1:I 0a11:I 0a22:I 3c00:I 7f00:I 7fff:I 8000:I C3CC:I " \
	"c3aa:I c3bb:I ff01:I zz9:I"
#define DOC_0A11 "{\"donationid\":\"0a11\",\"projectid\":\"p1\","       \
	"\"donor_city\":\"Albany\",\"is_teacher_acct\":true,"            \
	"\"donation_timestamp\":\"2011-04-14T10:11:12\","                \
	"\"donation_total\":25.5}"
#define PART_P1 "{\"project_teacher_acctid\":\"t1\","                   \
	"\"project_school_city\":\"Springfield\","                        \
	"\"resourceid\":\"r1\",\"resource_item_quantity\":2}"

static void put_gz(const char *name, const buf *b)
{
	char path[512];
	gzFile g;

	snprintf(path, sizeof path, "%s/dump/%s", dir, name);
	g = gzopen(path, "wb");
	if (!g || (b->len && gzwrite(g, b->data, (unsigned)b->len) !=
		   (int)b->len) || gzclose(g) != Z_OK) {
		fprintf(stderr, "cannot write %s\n", path);
		exit(1);
	}
}

static void write_dump(void)
{
	static const char *const projects[][3] = {
		/* id, teacher_acctid, school_city */
		{ "p1", "t1", "Springfield" },
		{ "p2", NULL, "Shelbyville" },
		{ "p3", NULL, NULL },
	};
	const char *resource[R_NCOLS] = { "r1", "p1", NULL, NULL, NULL, NULL,
					  NULL, "2" };
	char path[512];
	buf b = BUF_INIT;

	snprintf(path, sizeof path, "%s/dump", dir);
	if (mkdir(path, 0700) != 0) {
		perror(path);
		exit(1);
	}
	buf_puts(&b, "");
	for (size_t i = 0; i < N_CASES(projects); i++) {
		const char *cells[P_NCOLS] = { NULL };

		cells[P_ID] = projects[i][0];
		cells[P_TEACHER] = projects[i][1];
		cells[P_CITY] = projects[i][2];
		testdb_put_record(&b, cells, P_NCOLS);
	}
	put_gz("opendata_projects000.gz", &b);
	buf_reset(&b);
	for (size_t i = 0; i < N_CASES(donations); i++) {
		const char *cells[D_NCOLS] = { NULL };

		cells[D_ID] = donations[i].id;
		cells[D_PROJECT] = donations[i].project;
		cells[D_CITY] = donations[i].city;
		cells[D_TEACHER] = donations[i].teacher;
		cells[D_TIME] = donations[i].time;
		cells[D_TOTAL] = donations[i].total;
		testdb_put_record(&b, cells, D_NCOLS);
	}
	put_gz("opendata_donations000.gz", &b);
	buf_reset(&b);
	testdb_put_record(&b, resource, R_NCOLS);
	put_gz("opendata_resources000.gz", &b);
	buf_free(&b);
}

static int load(void)
{
	char path[512], err[DC_ERR_MAX] = "";
	char *inputs[] = { path };
	load_options o = { db_path, inputs, 1, 1, 1 };
	load_summary s;
	int rc;

	snprintf(path, sizeof path, "%s/dump", dir);
	rc = load_run(&o, &s, err);
	if (rc != 0)
		fprintf(stderr, "load failed: %s\n", err);
	CHECK_INT(rc, 0);
	CHECK_INT(s.rejects, 0);
	CHECK_INT(s.rows[LOAD_DONATIONS], N_CASES(donations));
	CHECK_INT(s.orphans, 1); /* ff01 */
	return rc;
}

/* ---- the staging file ---- */

/* The first column of the first row of sql bound to text a (?1), as
 * text ("null" for NULL, "none" without a row).  Caller frees. */
static char *query_text(const char *sql, const char *a)
{
	sqlite3_stmt *st = testdb_prepare(db, sql);
	char *out;

	if (a)
		sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		out = dc_strdup("none");
	else if (sqlite3_column_type(st, 0) == SQLITE_NULL)
		out = dc_strdup("null");
	else
		out = dc_strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return out;
}

static int64_t query_int(const char *sql, const char *a)
{
	sqlite3_stmt *st = testdb_prepare(db, sql);
	int64_t v;

	if (a)
		sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
	v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0)
		: -999;
	sqlite3_finalize(st);
	return v;
}

/* What a cursor on range r returns for target since, rendered as at the
 * top; "open failed: <err>" or "... next failed: <err>" on errors.
 * Caller frees. */
static char *read_docs(docs_range r, int64_t target, int64_t since)
{
	char err[DC_ERR_MAX] = "";
	docs_cursor *c = docs_open(db_path, r, target, since, err);
	buf out = BUF_INIT;
	docs_doc d;
	int rc;

	buf_puts(&out, "");
	if (!c) {
		buf_printf(&out, "open failed: %s", err);
		return buf_detach(&out);
	}
	while ((rc = docs_next(c, &d)) == 1) {
		if (out.len)
			buf_putc(&out, ' ');
		buf_append(&out, d.id, d.idlen);
		buf_puts(&out, d.doc ? ":I" : ":D");
	}
	if (rc != 0)
		buf_printf(&out, " next failed: %s", docs_errmsg(c));
	docs_close(c);
	return buf_detach(&out);
}

/* What the views say target still needs, in the same form. */
static char *pending_views(int64_t target)
{
	char sql[512];

	snprintf(sql, sizeof sql, "SELECT coalesce(group_concat(x, ' '), '') "
		 "FROM (SELECT x FROM (SELECT id, id || ':I' AS x FROM "
		 "pending_index WHERE target = %lld UNION ALL SELECT id, "
		 "id || ':D' FROM pending_delete WHERE target = %lld) "
		 "ORDER BY id)", (long long)target, (long long)target);
	return query_text(sql, NULL);
}

static void check_case(const char *got, const char *want, const char *name)
{
	CHECK_STR(got, want);
	if (got && want && strcmp(got, want))
		fprintf(stderr, "  case: %s\n", name);
}

/* The state every case starts from: two targets, nothing sent, every
 * project's part at gen 1 as the load left it. */
#define RESET                                                             \
	"DELETE FROM sent; DELETE FROM project_docs; "                    \
	"INSERT INTO project_docs(rowid, projectid, vals, fp, gen) "      \
	"SELECT * FROM temp.saved_docs;"
/* Target 1 holds every document as it is now. */
#define SYNC1                                                             \
	"INSERT INTO sent(target, id, dfp, pfp) "                         \
	"SELECT 1, id, dfp, pfp FROM document_parts;"
#define OF_P(p) "(SELECT donationid FROM donations WHERE projectid = '" p "')"
/* Project p's part changed at version g, or went then. */
#define GEN(p, g)                                                         \
	"UPDATE project_docs SET gen = " g " WHERE projectid = '" p "';"
#define GONE(p, g)                                                        \
	"UPDATE project_docs SET vals = NULL, fp = NULL, gen = " g        \
	" WHERE projectid = '" p "';"

static void test_plan(void)
{
	static const struct {
		int k, nslices, n;
		const char *want;
	} cases[] = {
		{ 0, 1, 1, "[0,65536)" },
		{ 0, 1, 4, "[0,16384) [16384,32768) [32768,49152) "
			   "[49152,65536)" },
		{ 0, 1, 3, "[0,21845) [21845,43690) [43690,65536)" },
		{ 0, 1, 7, "[0,9362) [9362,18724) [18724,28086) "
			   "[28086,37449) [37449,46811) [46811,56173) "
			   "[56173,65536)" },
		/* no slicing: k does not matter */
		{ 0, 0, 2, "[0,32768) [32768,65536)" },
		{ 5, 1, 2, "[0,32768) [32768,65536)" },
		/* slice k of nslices, split n ways */
		{ 0, 2, 2, "[0,16384) [16384,32768)" },
		{ 1, 2, 2, "[32768,49152) [49152,65536)" },
		{ 1, 3, 2, "[21845,32768) [32768,43690)" },
		{ 2, 3, 1, "[43690,65536)" },
		{ 0, 1, 0, "" },
	};
	docs_range r[16];

	for (size_t i = 0; i < N_CASES(cases); i++) {
		buf out = BUF_INIT;

		buf_puts(&out, "");
		docs_plan(cases[i].k, cases[i].nslices, cases[i].n, r);
		for (int j = 0; j < cases[i].n; j++)
			buf_printf(&out, "%s[%u,%u)", j ? " " : "", r[j].lo,
				   r[j].hi);
		CHECK_STR(out.data, cases[i].want);
		buf_free(&out);
	}

	/* slices times ranges past 2^32 (--shard K/268435456, 16 threads):
	 * empty ranges, and the last one still ends the key space */
	docs_plan(0, 268435456, 16, r);
	CHECK(r[0].lo == 0 && r[15].hi == 0);
	docs_plan(268435455, 268435456, 16, r);
	CHECK(r[0].lo == 65535 && r[14].hi == 65535 && r[15].lo == 65535);
	CHECK_INT(r[15].hi, DOCS_KEYSPACE);

	/* slices 0..m-1 of n ranges each: one after the other, from 0 to
	 * the end, none empty */
	for (int m = 1; m <= 7; m++) {
		for (int n = 1; n <= 9; n++) {
			unsigned next = 0;
			int ok = 1;

			for (int k = 0; k < m; k++) {
				docs_plan(k, m, n, r);
				for (int j = 0; j < n; j++) {
					ok &= r[j].lo == next &&
					      r[j].hi > r[j].lo;
					next = r[j].hi;
				}
			}
			CHECK(ok && next == DOCS_KEYSPACE);
		}
	}
}

static void test_count(void)
{
	static const struct {
		docs_range first, last;
		int64_t want;
	} cases[] = {
		{ { 0, 0x4000 }, { 0xc000, DOCS_KEYSPACE }, 12 },
		{ { 0, 0x4000 }, { 0, 0x4000 }, 4 },         /* -1 .. 3c00 */
		/* 7f00 7fff 8000 C3CC */
		{ { 0x4000, 0x8000 }, { 0x8000, 0xc000 }, 4 },
		{ { 0xc000, DOCS_KEYSPACE }, { 0xc000, DOCS_KEYSPACE }, 4 },
		{ { 0x8000, 0xc000 }, { 0x8000, 0xc000 }, 2 }, /* 8000 C3CC */
		{ { 0x0a11, 0x0a12 }, { 0x0a11, 0x0a12 }, 1 },
		{ { 0x0a12, 0x0a22 }, { 0x0a12, 0x0a22 }, 0 },
		{ { 0x7f00, 0x8000 }, { 0x7f00, 0x8000 }, 2 },
	};
	char err[DC_ERR_MAX] = "";

	for (size_t i = 0; i < N_CASES(cases); i++)
		CHECK_INT(docs_count(db, cases[i].first, cases[i].last, err),
			  cases[i].want);
	CHECK_STR(err, "");
}

/*
 * Target 0: every document of the range, sent or not, with its part (P)
 * or without (-), with a project fingerprint (F) or without (-).
 */
static void test_all_documents(void)
{
	static const struct {
		docs_range r;
		const char *want;
	} cases[] = {
		{ { 0, 0x4000 }, "-1:PF 0a11:PF 0a22:PF 3c00:PF" },
		{ { 0x4000, 0x8000 }, "7f00:PF 7fff:-F" },
		{ { 0x8000, 0xc000 }, "8000:PF C3CC:PF" },
		{ { 0xc000, DOCS_KEYSPACE }, "c3aa:-F c3bb:-- ff01:-- zz9:PF" },
		{ { 0, DOCS_KEYSPACE },
		  "-1:PF 0a11:PF 0a22:PF 3c00:PF 7f00:PF 7fff:-F 8000:PF "
		  "C3CC:PF c3aa:-F c3bb:-- ff01:-- zz9:PF" },
		{ { 0x0a12, 0x0a23 }, "0a22:PF" },
		{ { 0x0a12, 0x0a22 }, "" },
	};

	/* what the target has sent makes no difference */
	testdb_exec(db, RESET SYNC1 "INSERT INTO sent VALUES (1, '5000', 1, 2, 0);");
	for (size_t i = 0; i < N_CASES(cases); i++) {
		char err[DC_ERR_MAX] = "";
		docs_cursor *c = docs_open(db_path, cases[i].r, 0, -1, err);
		buf out = BUF_INIT;
		docs_doc d;
		int rc, same = 1;

		CHECK(c != NULL);
		if (!c)
			continue;
		buf_puts(&out, "");
		while ((rc = docs_next(c, &d)) == 1) {
			char *want;
			buf joined = BUF_INIT;

			buf_printf(&out, "%s%.*s:%c%c", out.len ? " " : "",
				   (int)d.idlen, d.id, d.part ? 'P' : '-',
				   d.has_pfp ? 'F' : '-');
			/* doc and part joined as the view documents joins
			 * them */
			buf_append(&joined, d.doc, d.doclen - 1);
			if (d.part) {
				buf_putc(&joined, ',');
				buf_append(&joined, d.part + 1, d.partlen - 1);
			} else {
				buf_putc(&joined, '}');
			}
			want = query_text("SELECT doc FROM documents "
					  "WHERE id = ?1", d.id);
			same &= !strcmp(joined.data, want);
			if (strcmp(joined.data, want))
				fprintf(stderr, "  got:  %s\n  want: %s\n",
					joined.data, want);
			free(want);
			buf_free(&joined);
		}
		CHECK_INT(rc, 0);
		CHECK_STR(out.data, cases[i].want);
		CHECK(same);
		buf_free(&out);
		docs_close(c);
	}
}

/*
 * A target's documents, since -1 (then compared with the views) or a
 * version.  Each case starts from RESET: nothing sent, gens 1.
 */
static void test_target(void)
{
	static const struct {
		const char *name;
		const char *setup;
		int64_t target, since;
		const char *want;
	} cases[] = {
		{ "never sent: every document", "", 1, -1, ALL_INDEX },
		{ "never sent, since a version: every document", "", 1, 5,
		  ALL_INDEX },
		{ "in sync: nothing", SYNC1, 1, -1, "" },
		{ "in sync, since 0: nothing", SYNC1, 1, 0, "" },
		{ "in sync, refused ones too: nothing",
		  SYNC1 "UPDATE sent SET refused = 1 WHERE id < '5';", 1, -1,
		  "" },
		{ "a new donation",
		  SYNC1 "DELETE FROM sent WHERE id IN ('3c00', 'zz9');", 1, 5,
		  "3c00:I zz9:I" },
		{ "a donation row changed",
		  SYNC1 "UPDATE sent SET dfp = dfp + 1 WHERE id = '7f00';", 1,
		  -1, "7f00:I" },
		{ "a donation row changed, since its project's gen",
		  SYNC1 "UPDATE sent SET dfp = dfp + 1 WHERE id = '7f00';", 1,
		  1, "7f00:I" },
		{ "a sent row without dfp",
		  SYNC1 "UPDATE sent SET dfp = NULL WHERE id = '-1';", 1, 3,
		  "-1:I" },
		/* ids only in sent, before, between and after the
		 * donations' ids; "0a1" before "0a11", "0a11x" after */
		{ "deletions",
		  SYNC1 "INSERT INTO sent VALUES (1, '!a', 1, 1, 0), "
		  "(1, '0a1', 1, 1, 0), (1, '0a11x', NULL, NULL, 0), "
		  "(1, '5000', 1, 2, 1), (1, 'zzz', 3, NULL, 0);", 1, 2,
		  "!a:D 0a1:D 0a11x:D 5000:D zzz:D" },
		{ "deletions, since -1",
		  SYNC1 "INSERT INTO sent VALUES (1, '!a', 1, 1, 0), "
		  "(1, '0a1', 1, 1, 0), (1, '0a11x', NULL, NULL, 0), "
		  "(1, '5000', 1, 2, 1), (1, 'zzz', 3, NULL, 0);", 1, -1,
		  "!a:D 0a1:D 0a11x:D 5000:D zzz:D" },
		{ "everything deleted but one",
		  "DELETE FROM sent; INSERT INTO sent VALUES "
		  "(1, '0', 1, 1, 0), (1, '0a11', 1, 1, 0), (1, 'x', 1, 1, 0)",
		  1, -1, "-1:I 0:D 0a11:I 0a22:I 3c00:I 7f00:I 7fff:I 8000:I "
		  "C3CC:I c3aa:I c3bb:I ff01:I x:D zz9:I" },
		{ "another target's rows are not this one's",
		  SYNC1 "INSERT INTO sent(target, id, dfp, pfp) "
		  "SELECT 2, id, dfp + 1, pfp FROM sent "
		  "WHERE target = 1 AND id < '7'; "
		  "INSERT INTO sent VALUES (2, '5000', 1, 1, 0);", 1, -1, "" },
		{ "the other target",
		  SYNC1 "INSERT INTO sent(target, id, dfp, pfp) "
		  "SELECT 2, id, dfp, pfp FROM sent "
		  "WHERE target = 1 AND id <> '0a22'; "
		  "UPDATE sent SET dfp = dfp + 1 WHERE target = 2 AND "
		  "id = '8000'; "
		  "INSERT INTO sent VALUES (2, '5000', 1, 1, 0);", 2, -1,
		  "0a22:I 5000:D 8000:I" },
		{ "a target with nothing sent, another in sync", SYNC1, 2, -1,
		  ALL_INDEX },
		/* a different part: compared only for projects whose gen
		 * is above since */
		{ "part changed, gen = since: not compared",
		  SYNC1 "UPDATE sent SET pfp = pfp + 1 WHERE id = '8000';", 1,
		  1, "" },
		{ "part changed, gen < since: not compared",
		  SYNC1 "UPDATE sent SET pfp = pfp + 1 WHERE id = '8000';", 1,
		  4, "" },
		{ "part changed, gen > since",
		  SYNC1 "UPDATE sent SET pfp = pfp + 1 WHERE id = '8000';", 1,
		  0, "8000:I" },
		{ "part changed, since -1",
		  SYNC1 "UPDATE sent SET pfp = pfp + 1 WHERE id = '8000';", 1,
		  -1, "8000:I" },
		{ "a project changed after since: its donations whose part "
		  "differs",
		  SYNC1 GEN("p1", "2")
		  "UPDATE sent SET pfp = pfp + 1 WHERE id IN " OF_P("p1")
		  " AND id <> '3c00';", 1, 1, "0a11:I 8000:I C3CC:I" },
		{ "a project changed after since, parts the same: nothing",
		  SYNC1 GEN("p1", "2"), 1, 1, "" },
		{ "two projects' parts differ, one changed after since",
		  SYNC1 GEN("p2", "3")
		  "UPDATE sent SET pfp = pfp + 1 WHERE id IN " OF_P("p1")
		  " OR id IN " OF_P("p2") ";", 1, 2,
		  "-1:I 0a22:I 7f00:I zz9:I" },
		{ "two projects' parts differ, since -1",
		  SYNC1 GEN("p2", "3")
		  "UPDATE sent SET pfp = pfp + 1 WHERE id IN " OF_P("p1")
		  " OR id IN " OF_P("p2") ";", 1, -1,
		  "-1:I 0a11:I 0a22:I 3c00:I 7f00:I 8000:I C3CC:I zz9:I" },
		/* p3 has no value: its part is NULL, its fp 0 */
		{ "a project without values, sent with a part",
		  SYNC1 GEN("p3", "2")
		  "UPDATE sent SET pfp = 99 WHERE id IN " OF_P("p3") ";", 1, 1,
		  "7fff:I c3aa:I" },
		{ "a project without values, sent without a fingerprint",
		  SYNC1 "UPDATE sent SET pfp = NULL WHERE id IN " OF_P("p3")
		  ";", 1, -1, "7fff:I c3aa:I" },
		/* orphans: ff01's project is not staged, c3bb has none */
		{ "orphans sent without a part: nothing",
		  SYNC1, 1, -1, "" },
		{ "orphans sent with a part, since -1",
		  SYNC1 "UPDATE sent SET pfp = 7 WHERE id IN ('ff01', 'c3bb');",
		  1, -1, "c3bb:I ff01:I" },
		{ "orphans sent with a part, since 0: not compared",
		  SYNC1 "UPDATE sent SET pfp = 7 WHERE id IN ('ff01', 'c3bb');",
		  1, 0, "" },
		/* a tombstone: the project gone after since */
		{ "a gone project, since before it went",
		  SYNC1 GONE("p2", "2"), 1, 1, "-1:I 0a22:I 7f00:I zz9:I" },
		{ "a gone project, since -1",
		  SYNC1 GONE("p2", "2"), 1, -1, "-1:I 0a22:I 7f00:I zz9:I" },
		{ "a gone project, since it went",
		  SYNC1 GONE("p2", "2"), 1, 2, "" },
		{ "a gone project, sent without a part",
		  SYNC1 GONE("p2", "2") "UPDATE sent SET pfp = NULL "
		  "WHERE id IN " OF_P("p2") ";", 1, 1, "" },
		/* everything at once */
		{ "new, changed, deleted, other target",
		  SYNC1 "DELETE FROM sent WHERE id = 'c3aa'; "
		  "UPDATE sent SET dfp = dfp + 1 WHERE id = '0a11'; "
		  "UPDATE sent SET pfp = pfp + 1 WHERE id = 'zz9'; "
		  "INSERT INTO sent VALUES (1, '7f01', 1, 1, 0), "
		  "(2, '7f02', 1, 1, 0), (2, 'c3aa', 1, 1, 0);", 1, -1,
		  "0a11:I 7f01:D c3aa:I zz9:I" },
	};

	for (size_t i = 0; i < N_CASES(cases); i++) {
		char *got;

		testdb_exec(db, RESET);
		testdb_exec(db, cases[i].setup);
		got = read_docs(everything, cases[i].target, cases[i].since);
		check_case(got, cases[i].want, cases[i].name);
		/* since -1: exactly what the views say */
		if (cases[i].since < 0) {
			char *views = pending_views(cases[i].target);

			check_case(got, views, "the views");
			free(views);
		}
		free(got);
	}
	testdb_exec(db, RESET);
}

/* The views count a version's skipped comparisons as pending: the cases
 * above where since hides a difference, as the views see them. */
static void test_views_differ(void)
{
	char *views;

	testdb_exec(db, RESET SYNC1 "UPDATE sent SET pfp = pfp + 1 WHERE id = '8000';");
	views = pending_views(1);
	CHECK_STR(views, "8000:I");
	free(views);
	testdb_exec(db, RESET SYNC1 "UPDATE sent SET pfp = 7 WHERE id IN "
	     "('ff01', 'c3bb');");
	views = pending_views(1);
	CHECK_STR(views, "c3bb:I ff01:I");
	free(views);
	testdb_exec(db, RESET);
}

/*
 * A cursor over one range: only the ids in it, deletions included, in
 * order; the ranges one after the other give what the whole does, and
 * since -1 what the views say.  The setup: rows changed in each range,
 * ids only in sent in each, one of another target; the part of "-1"
 * (p2, gen 2) and of the orphan ff01 differ.
 */
static void test_ranges(void)
{
	static const struct {
		int64_t since;
		const char *want[4];
	} cases[] = {
		{ -1, { "!a:D -1:I 0a1:D 0a11x:D 0a22:I", "5000:D 7fff:I",
			"9000:D C3AA:D", "c3aa:I ff01:I zzz:D" } },
		/* ff01's project has no gen: not compared */
		{ 0, { "!a:D -1:I 0a1:D 0a11x:D 0a22:I", "5000:D 7fff:I",
		       "9000:D C3AA:D", "c3aa:I zzz:D" } },
		{ 1, { "!a:D -1:I 0a1:D 0a11x:D 0a22:I", "5000:D 7fff:I",
		       "9000:D C3AA:D", "c3aa:I zzz:D" } },
		/* p2 at gen 2: not compared either */
		{ 2, { "!a:D 0a1:D 0a11x:D 0a22:I", "5000:D 7fff:I",
		       "9000:D C3AA:D", "c3aa:I zzz:D" } },
	};

	testdb_exec(db, RESET SYNC1
	     "UPDATE sent SET dfp = dfp + 1 WHERE id IN ('0a22', '7fff', "
	     "'c3aa');"
	     "UPDATE sent SET pfp = pfp + 1 WHERE id = '-1';"
	     "UPDATE sent SET pfp = 7 WHERE id = 'ff01';"
	     GEN("p2", "2")
	     "INSERT INTO sent VALUES (1, '!a', 1, 1, 0), (1, '0a1', 1, 1, 0),"
	     " (1, '0a11x', 1, 1, 0), (1, '5000', 1, 1, 0),"
	     " (1, '9000', 1, 1, 0), (1, 'C3AA', 1, 1, 0),"
	     " (1, 'zzz', 1, 1, 0), (2, '3fff', 1, 1, 0);");
	for (size_t i = 0; i < N_CASES(cases); i++) {
		buf all = BUF_INIT;
		char *got;

		buf_puts(&all, "");
		for (int k = 0; k < 4; k++) {
			got = read_docs(quarter[k], 1, cases[i].since);
			CHECK_STR(got, cases[i].want[k]);
			if (*got)
				buf_printf(&all, "%s%s", all.len ? " " : "",
					   got);
			free(got);
		}
		got = read_docs(everything, 1, cases[i].since);
		CHECK_STR(got, all.data);
		free(got);
		if (cases[i].since < 0) {
			got = pending_views(1);
			CHECK_STR(got, all.data);
			free(got);
		}
		buf_free(&all);
	}
	testdb_exec(db, RESET);
}

/* The fields of a document and of a deletion. */
static void test_fields(void)
{
	/* target 0, and a target that was never sent anything */
	static const struct {
		int64_t target;
		docs_range r;
	} cursors[] = {
		{ 0, { 0x0a11, 0x0a12 } },
		{ 1, { 0x0a11, 0x0a12 } },
	};
	char err[DC_ERR_MAX] = "";
	docs_cursor *c;
	docs_doc d;

	testdb_exec(db, RESET);
	for (size_t i = 0; i < N_CASES(cursors); i++) {
		c = docs_open(db_path, cursors[i].r, cursors[i].target, -1,
			      err);
		CHECK(c != NULL);
		if (!c)
			continue;
		CHECK_INT(docs_next(c, &d), 1);
		CHECK_STR(d.id, "0a11");
		CHECK_INT(d.idlen, 4);
		CHECK_STR(d.doc, DOC_0A11);
		CHECK_INT(d.doclen, strlen(DOC_0A11));
		CHECK_STR(d.part, PART_P1);
		CHECK_INT(d.partlen, strlen(PART_P1));
		CHECK_INT(d.dfp, query_int("SELECT fp FROM donations "
					   "WHERE donationid = ?1", "0a11"));
		CHECK_INT(d.pfp, query_int("SELECT fp FROM project_docs "
					   "WHERE projectid = ?1", "p1"));
		CHECK_INT(d.pfp, query_int("SELECT dc_hash(vals) FROM "
					   "project_docs WHERE projectid = ?1",
					   "p1"));
		CHECK(d.dfp != 0);
		CHECK_INT(d.has_pfp, 1);
		CHECK_INT(docs_next(c, &d), 0);
		CHECK_STR(docs_errmsg(c), "");
		docs_close(c);
	}

	/* an orphan: no part, no project fingerprint */
	c = docs_open(db_path, (docs_range){ 0xff01, 0xff02 }, 1, -1, err);
	CHECK(c != NULL);
	if (c) {
		CHECK_INT(docs_next(c, &d), 1);
		CHECK_STR(d.id, "ff01");
		CHECK_STR(d.doc, "{\"donationid\":\"ff01\","
			  "\"projectid\":\"px\",\"donor_city\":\"Nowhere\"}");
		CHECK(d.part == NULL);
		CHECK_INT(d.partlen, 0);
		CHECK_INT(d.has_pfp, 0);
		CHECK_INT(d.pfp, 0);
		CHECK_INT(d.dfp, query_int("SELECT fp FROM donations "
					   "WHERE donationid = ?1", "ff01"));
		CHECK_INT(docs_next(c, &d), 0);
		docs_close(c);
	}

	/* a project without values: no part, but a fingerprint, 0 */
	c = docs_open(db_path, (docs_range){ 0x7fff, 0x8000 }, 0, -1, err);
	CHECK(c != NULL);
	if (c) {
		CHECK_INT(docs_next(c, &d), 1);
		CHECK_STR(d.id, "7fff");
		CHECK_STR(d.doc,
			  "{\"donationid\":\"7fff\",\"projectid\":\"p3\"}");
		CHECK(d.part == NULL);
		CHECK_INT(d.has_pfp, 1);
		CHECK_INT(d.pfp, 0);
		docs_close(c);
	}

	/* a deletion: its id, nothing else */
	testdb_exec(db, "INSERT INTO sent VALUES (1, '0a11-gone', 5, 6, 0)");
	c = docs_open(db_path, (docs_range){ 0x0a11, 0x0a12 }, 1, -1, err);
	CHECK(c != NULL);
	if (c) {
		CHECK_INT(docs_next(c, &d), 1);
		CHECK_STR(d.id, "0a11");
		CHECK_INT(docs_next(c, &d), 1);
		CHECK_INT(d.idlen, 9);
		CHECK(d.id && !memcmp(d.id, "0a11-gone", 9));
		CHECK(d.doc == NULL);
		CHECK(d.part == NULL);
		CHECK_INT(d.doclen, 0);
		CHECK_INT(d.dfp, 0);
		CHECK_INT(d.pfp, 0);
		CHECK_INT(d.has_pfp, 0);
		CHECK_INT(docs_next(c, &d), 0);
		docs_close(c);
	}
	testdb_exec(db, RESET);
}

static void test_errors(void)
{
	char path[600], err[DC_ERR_MAX] = "", want[DC_ERR_MAX + 700];

	snprintf(path, sizeof path, "%s/no-such.db", dir);
	CHECK(docs_open(path, everything, 0, -1, err) == NULL);
	snprintf(want, sizeof want, "cannot open staging file '%s': unable "
		 "to open database file", path);
	CHECK_STR(err, want);
	strcpy(err, "");
	CHECK(docs_open(path, everything, 1, 0, err) == NULL);
	CHECK_STR(err, want);
	docs_close(NULL);
	CHECK(access(path, F_OK) != 0); /* not created */
}

/* A project part that is not one value a key stops the read, naming the
 * donation, for all documents and for a target's. */
static void test_damaged_part(void)
{
	static const char *const vals[] = { "[1]", "{\"a\":1}", "[\"open]" };
	char err[DC_ERR_MAX] = "";
	docs_doc d;

	for (size_t i = 0; i < N_CASES(vals); i++) {
		for (int target = 0; target <= 1; target++) {
			docs_cursor *c;

			testdb_exec(db, RESET);
			query_int("UPDATE project_docs SET vals = ?1 WHERE "
				  "projectid = 'p1' RETURNING 1", vals[i]);
			c = docs_open(db_path, (docs_range){ 0x0a11, 0x0a12 },
				      target, -1, err);
			CHECK(c != NULL);
			if (!c)
				continue;
			CHECK_INT(docs_next(c, &d), -1);
			CHECK_STR(docs_errmsg(c), "cannot read documents: the "
				  "project part of donation '0a11' in "
				  "project_docs is not one value a key");
			docs_close(c);
		}
	}
	testdb_exec(db, RESET);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	char err[DC_ERR_MAX] = "";

	snprintf(dir, sizeof dir, "%s/docs-test.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		perror("cannot make a folder for the test files");
		return 1;
	}
	snprintf(db_path, sizeof db_path, "%s/s.db", dir);
	write_dump();
	if (load() != 0 ||
	    !(db = stage_open(db_path, STAGE_READWRITE, err))) {
		fprintf(stderr, "%s\n", err);
		testdb_remove_tree(dir);
		return check_summary() | 1;
	}
	testdb_exec(db, "INSERT INTO targets(id, url, index_name) VALUES "
	     "(1, 'http://a', 'i'), (2, 'http://b', 'i');"
	     "CREATE TEMP TABLE saved_docs AS SELECT rowid, projectid, vals, "
	     "fp, gen FROM project_docs");
	CHECK_INT(query_int("SELECT count(*) FROM project_docs WHERE gen = 1",
			    NULL), 3);
	test_plan();
	test_damaged_part();
	test_count();
	test_all_documents();
	test_target();
	test_views_differ();
	test_ranges();
	test_fields();
	test_errors();
	sqlite3_close(db);
	testdb_remove_tree(dir);
	return check_summary();
}
