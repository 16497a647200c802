/*
 * test_projdocs.c - the projects' shared document parts (projdocs.h) in
 * project_docs, as the loader builds them (load_run: swap.sql, dedupe.sql,
 * projdocs_build(PROJDOCS_ALL), views.sql) from small gzip dumps written
 * in a folder under $TMPDIR (default /tmp) and removed:
 *   - the first load: a row per project, its part the project_* members
 *     in column order then its resource members (one resource: values,
 *     several: lists in file order, list_or_value()), stored as values
 *     (vals), fp dc_hash64 of vals, gen the data version; a project
 *     without any value: vals NULL, fp 0;
 *   - a second load (a project changed, one changed by its resource only,
 *     one gone, one new): the unchanged keep gen and rowid, the changed and
 *     the new get the new version, the gone one becomes a tombstone (vals
 *     and fp NULL, gen the new version);
 *   - tombstones kept while some target's synced_version is below their
 *     gen, dropped by the next PROJDOCS_ALL build otherwise (NULL versions
 *     and no targets keeping nothing), never by PROJDOCS_STALE, their gen
 *     not moved by later builds;
 *   - PROJDOCS_STALE after edits in SQL (views.sql's triggers): only the
 *     edited projects rebuilt, a no-op edit keeping its gen, a deleted
 *     project a tombstone, a re-inserted one revived in its row, a renamed
 *     one both; stale_projects emptied;
 *   - an error leaves no temporary table behind;
 *   - projdocs_expand: values to the JSON object, named cases.
 *
 * project_docs is rendered one row a line, in projectid order:
 *     <projectid> g<gen> fp=<h|0|null|?n> <part|null|!vals>
 * where h is an fp equal to dc_hash64 of vals, ?n any other value, part
 * the JSON object projdocs_expand() makes of vals, and !vals vals that
 * it refuses.
 */
#include "buf.h"
#include "check.h"
#include "testdb.h"
#include "dcstage.h"
#include "embed.h"
#include "load.h"
#include "projdocs.h"
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

/* ---- the dumps ---- */

/* The columns of new_projects (sql/staging.sql) the fixtures fill. */
enum {
	P_ID = 0, P_TEACHER = 1, P_LAT = 4, P_LON = 5, P_CITY = 6,
	P_CHARTER = 12, P_PRICE = 32, P_STUDENTS = 34, P_POSTED = 40,
	P_NCOLS = 44, D_NCOLS = 23, R_NCOLS = 8
};

typedef struct project {
	const char *id, *teacher, *lat, *lon, *city, *charter, *price,
		*students, *posted;
} project;

/* resourceid, projectid, vendorid, vendor_name, item_name, item_number,
 * item_unit_price, item_quantity */
typedef struct resource {
	const char *cell[R_NCOLS];
} resource;

static void put_project(buf *b, const project *p)
{
	const char *cells[P_NCOLS] = { NULL };

	cells[P_ID] = p->id;
	cells[P_TEACHER] = p->teacher;
	cells[P_LAT] = p->lat;
	cells[P_LON] = p->lon;
	cells[P_CITY] = p->city;
	cells[P_CHARTER] = p->charter;
	cells[P_PRICE] = p->price;
	cells[P_STUDENTS] = p->students;
	cells[P_POSTED] = p->posted;
	testdb_put_record(b, cells, P_NCOLS);
}

/* Write data as the gzip file path. */
static void put_gz(const char *path, const char *data, size_t n)
{
	gzFile g = gzopen(path, "wb");

	if (!g || (n && gzwrite(g, data, (unsigned)n) != (int)n) ||
	    gzclose(g) != Z_OK) {
		fprintf(stderr, "cannot write %s\n", path);
		exit(1);
	}
}

/* A dump in dir/sub: the projects and resources given, one donation. */
static void write_dump(const char *sub, const project *p, int np,
		       const resource *r, int nr)
{
	char path[512];
	const char *donation[D_NCOLS] = { "d1", "p1" };
	buf b = BUF_INIT;

	snprintf(path, sizeof path, "%s/%s", dir, sub);
	if (mkdir(path, 0700) != 0) {
		perror(path);
		exit(1);
	}
	buf_puts(&b, "");
	for (int i = 0; i < np; i++)
		put_project(&b, &p[i]);
	snprintf(path, sizeof path, "%s/%s/opendata_projects000.gz", dir, sub);
	put_gz(path, b.data, b.len);
	buf_reset(&b);
	for (int i = 0; i < nr; i++)
		testdb_put_record(&b, r[i].cell, R_NCOLS);
	snprintf(path, sizeof path, "%s/%s/opendata_resources000.gz", dir, sub);
	put_gz(path, b.data, b.len);
	buf_reset(&b);
	testdb_put_record(&b, donation, D_NCOLS);
	snprintf(path, sizeof path, "%s/%s/opendata_donations000.gz", dir, sub);
	put_gz(path, b.data, b.len);
	buf_free(&b);
}

/* Load dir/sub into the staging file, as `dcstage load` does. */
static int load(const char *sub)
{
	char path[512], err[DC_ERR_MAX] = "";
	char *inputs[] = { path };
	load_options o = { db_path, inputs, 1, 1, 1 };
	load_summary s;
	int rc;

	snprintf(path, sizeof path, "%s/%s", dir, sub);
	rc = load_run(&o, &s, err);
	if (rc != 0)
		fprintf(stderr, "load of %s failed: %s\n", sub, err);
	CHECK_INT(rc, 0);
	CHECK_INT(s.rejects, 0);
	return rc;
}

/* ---- reading the staging file ---- */

/* The rows of sql, each its columns separated by spaces (NULL: null),
 * one a line.  Caller frees. */
static char *rows_of(const char *sql)
{
	sqlite3_stmt *st = testdb_prepare(db, sql);
	buf out = BUF_INIT;

	buf_puts(&out, "");
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (out.len)
			buf_putc(&out, '\n');
		for (int i = 0; i < sqlite3_column_count(st); i++) {
			const char *t =
				(const char *)sqlite3_column_text(st, i);

			buf_printf(&out, "%s%s", i ? " " : "", t ? t : "null");
		}
	}
	sqlite3_finalize(st);
	return buf_detach(&out);
}

static int64_t query_int(const char *sql)
{
	sqlite3_stmt *st = testdb_prepare(db, sql);
	int64_t v = sqlite3_step(st) == SQLITE_ROW
		? sqlite3_column_int64(st, 0) : -999;

	sqlite3_finalize(st);
	return v;
}

/* One row's vals as its part, as described at the top. */
static void render_part(buf *out, const partkeys *k, const char *vals)
{
	if (!vals)
		buf_puts(out, "null");
	else if (projdocs_expand(k, vals, strlen(vals), out) != 0)
		buf_printf(out, "!%s", vals);
}

/* project_docs as described at the top. Caller frees. */
static char *render_docs(void)
{
	sqlite3_stmt *st = testdb_prepare(db, "SELECT projectid, gen, fp, "
				   "vals FROM project_docs ORDER BY projectid");
	char err[DC_ERR_MAX] = "";
	buf out = BUF_INIT;
	partkeys k;

	CHECK_INT(projdocs_keys(db, &k, err), 0);
	buf_puts(&out, "");
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *vals = (const char *)sqlite3_column_text(st, 3);
		int64_t fp = sqlite3_column_int64(st, 2);

		if (out.len)
			buf_putc(&out, '\n');
		buf_printf(&out, "%s g%lld fp=",
			   (const char *)sqlite3_column_text(st, 0),
			   (long long)sqlite3_column_int64(st, 1));
		if (sqlite3_column_type(st, 2) == SQLITE_NULL)
			buf_puts(&out, "null");
		else if (fp == 0)
			buf_puts(&out, "0");
		else if (vals && fp == (int64_t)dc_hash64(vals, strlen(vals), 0))
			buf_puts(&out, "h");
		else
			buf_printf(&out, "?%lld", (long long)fp);
		buf_putc(&out, ' ');
		render_part(&out, &k, vals);
	}
	sqlite3_finalize(st);
	projdocs_free_keys(&k);
	return buf_detach(&out);
}

static void check_docs(const char *what, const char *want)
{
	char *got = render_docs();

	CHECK_STR(got, want);
	if (strcmp(got, want))
		fprintf(stderr, "  after: %s\n", what);
	free(got);
}

/* A build inside a transaction of its own; 0 or -1. */
static int build(enum projdocs_which which)
{
	char err[DC_ERR_MAX] = "";
	int rc;

	testdb_exec(db, "BEGIN");
	rc = projdocs_build(db, which, err);
	if (rc != 0)
		fprintf(stderr, "projdocs_build: %s\n", err);
	testdb_exec(db, rc == 0 ? "COMMIT" : "ROLLBACK");
	return rc;
}

static int open_db(void)
{
	char err[DC_ERR_MAX] = "";

	db = stage_open(db_path, STAGE_READWRITE, err);
	if (!db)
		fprintf(stderr, "%s\n", err);
	CHECK(db != NULL);
	return db ? 0 : -1;
}

/* ---- the data ---- */

/* The first month.  p3 and p4 have no project value; p4 has a resource. */
static const project month0[] = {
	{ "p1", "t1", "40.5", "-74.25", "Springfield", "t", "20", "23",
	  "2011-04-14" },
	{ "p2", NULL, NULL, NULL, "Shelbyville", NULL, NULL, NULL, NULL },
	{ "p3", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "p4", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "p5", "t5", NULL, NULL, NULL, "f", "12.5", NULL, NULL },
	{ "p6", NULL, NULL, NULL, "Ogdenville", NULL, NULL, NULL, NULL },
};

/* Resources in file order, p1's not together and not in id order. */
static const resource resources0[] = {
	{ { "r9", "p1", "v1", "Acme", "Pencils", NULL, "1.5", "10" } },
	{ { "r5", "p2", "v3", NULL, "Glue, white", NULL, NULL, "4" } },
	{ { "r1", "p1", "v2", "Books \"R\" Us", "Book", "978-0", "12.25",
	    "2" } },
	{ { "r7", "p4", NULL, NULL, "Chalk", NULL, NULL, "1" } },
	{ { "r8", "p6", NULL, NULL, NULL, NULL, NULL, NULL } },
};

/* The next month: p2 changed, p4's resource changed, p6 gone (its
 * resource left an orphan), p7 new and first; p1, p3, p5 the same. */
static const project month1[] = {
	{ "p7", NULL, NULL, NULL, "Cypress Creek", NULL, NULL, NULL, NULL },
	{ "p1", "t1", "40.5", "-74.25", "Springfield", "t", "20", "23",
	  "2011-04-14" },
	{ "p2", NULL, NULL, NULL, "North Haverbrook", NULL, NULL, NULL, NULL },
	{ "p3", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "p4", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "p5", "t5", NULL, NULL, NULL, "f", "12.5", NULL, NULL },
};

static const resource resources1[] = {
	{ { "r9", "p1", "v1", "Acme", "Pencils", NULL, "1.5", "10" } },
	{ { "r5", "p2", "v3", NULL, "Glue, white", NULL, NULL, "4" } },
	{ { "r1", "p1", "v2", "Books \"R\" Us", "Book", "978-0", "12.25",
	    "2" } },
	{ { "r7", "p4", NULL, NULL, "Chalk", NULL, NULL, "3" } },
	{ { "r8", "p6", NULL, NULL, NULL, NULL, NULL, NULL } },
};

#define P1_FIELDS(city)                                                   \
	"{\"project_teacher_acctid\":\"t1\","                             \
	"\"project_location\":[-74.25,40.5],"                             \
	"\"project_school_city\":\"" city "\","                           \
	"\"project_school_charter\":true,"                                \
	"\"project_total_price_excluding_optional_support\":20.0,"        \
	"\"project_students_reached\":23,"                                \
	"\"project_date_posted\":\"2011-04-14T00:00:00\","
#define P1_RESOURCES                                                      \
	"\"resourceid\":[\"r9\",\"r1\"],"                                 \
	"\"resource_vendorid\":[\"v1\",\"v2\"],"                          \
	"\"resource_vendor_name\":[\"Acme\",\"Books \\\"R\\\" Us\"],"     \
	"\"resource_item_name\":[\"Pencils\",\"Book\"],"                  \
	"\"resource_item_number\":[null,\"978-0\"],"                      \
	"\"resource_item_unit_price\":[1.5,12.25],"                       \
	"\"resource_item_quantity\":[10,2]}"
#define DOC_P1 P1_FIELDS("Springfield") P1_RESOURCES
#define P2_RESOURCES(qty)                                                 \
	"\"resourceid\":\"r5\",\"resource_vendorid\":\"v3\","             \
	"\"resource_item_name\":\"Glue, white\","                         \
	"\"resource_item_quantity\":" qty "}"
#define DOC_P2 "{\"project_school_city\":\"Shelbyville\"," P2_RESOURCES("4")
#define P4_RESOURCES(qty)                                                 \
	"\"resourceid\":\"r7\",\"resource_item_name\":\"Chalk\","         \
	"\"resource_item_quantity\":" qty "}"
#define DOC_P4 "{" P4_RESOURCES("1")
#define DOC_P5                                                            \
	"{\"project_teacher_acctid\":\"t5\","                             \
	"\"project_school_charter\":false,"                               \
	"\"project_total_price_excluding_optional_support\":12.5}"
#define DOC_P6 "{\"project_school_city\":\"Ogdenville\",\"resourceid\":\"r8\"}"
#define DOC_P7 "{\"project_school_city\":\"Cypress Creek\"}"

/* After the second load, target 1 synced at version 1. */
#define AFTER_LOAD2                                                       \
	"p1 g1 fp=h " DOC_P1 "\n"                                         \
	"p2 g2 fp=h {\"project_school_city\":\"North Haverbrook\","       \
	P2_RESOURCES("4") "\n"                                            \
	"p3 g1 fp=0 null\n"                                               \
	"p4 g2 fp=h {" P4_RESOURCES("3") "\n"                             \
	"p5 g1 fp=h " DOC_P5 "\n"                                         \
	"p6 g2 fp=null null\n"                                            \
	"p7 g2 fp=h " DOC_P7

/* The columns the fixtures fill are where they are said to be. */
static void test_columns(void)
{
	sqlite3 *saved = db;
	char *got;

	CHECK_INT(sqlite3_open(":memory:", &db), SQLITE_OK);
	testdb_exec(db, embed_text("staging.sql"));
	got = rows_of("SELECT group_concat(cid || ':' || name, ' ') FROM "
		      "pragma_table_info('new_projects') WHERE cid IN "
		      "(0, 1, 4, 5, 6, 12, 32, 34, 40) OR name = 'fp'");
	CHECK_STR(got, "0:projectid 1:teacher_acctid 4:school_latitude "
		  "5:school_longitude 6:school_city 12:school_charter "
		  "32:total_price_excluding_optional_support "
		  "34:students_reached 40:date_posted 44:fp");
	free(got);
	got = rows_of("SELECT (SELECT count(*) FROM pragma_table_info("
		      "'new_donations')), group_concat(name, ' ') FROM "
		      "pragma_table_info('new_resources')");
	CHECK_STR(got, "24 resourceid projectid vendorid vendor_name "
		  "item_name item_number item_unit_price item_quantity fp");
	free(got);
	sqlite3_close(db);
	db = saved;
}

/* The keys of the parts of the staging file loaded: the projects'
 * columns with their prefix, the location at the latitude's place, then
 * the resources'. */
static void test_keys(void)
{
	char err[DC_ERR_MAX] = "";
	sqlite3 *saved = db;
	partkeys k;
	buf keys = BUF_INIT;
	char *got;

	CHECK_INT(projdocs_keys(db, &k, err), 0);
	CHECK_INT(k.n, 49);
	CHECK_INT(k.nres, 7);
	for (int i = 0; i < k.n; i++)
		if (i < 5 || i >= k.n - k.nres - 1)
			buf_append(&keys, k.text.data + k.off[i],
				   k.off[i + 1] - k.off[i]);
	CHECK_STR(keys.data, "\"project_teacher_acctid\":"
		  "\"project_schoolid\":\"project_school_ncesid\":"
		  "\"project_location\":\"project_school_city\":"
		  "\"project_date_expiration\":\"resourceid\":"
		  "\"resource_vendorid\":\"resource_vendor_name\":"
		  "\"resource_item_name\":\"resource_item_number\":"
		  "\"resource_item_unit_price\":\"resource_item_quantity\":");
	buf_free(&keys);
	/* the build wrote them into part_keys, by their names */
	got = rows_of("SELECT (SELECT count(*) FROM part_keys) || ' ' || "
		      "group_concat(i || ':' || key, ' ') FROM part_keys "
		      "WHERE i IN (0, 3, 41, 42, 48)");
	CHECK_STR(got, "49 0:project_teacher_acctid 3:project_location "
		  "41:project_date_expiration 42:resourceid "
		  "48:resource_item_quantity");
	free(got);
	projdocs_free_keys(&k);
	projdocs_free_keys(&k); /* freeing twice is harmless */
	/* no staging schema: an error, and nothing to free */
	CHECK_INT(sqlite3_open(":memory:", &db), SQLITE_OK);
	CHECK_INT(projdocs_keys(db, &k, err), -1);
	CHECK(strstr(err, "projects") != NULL);
	CHECK_INT(k.n, 0);
	projdocs_free_keys(&k);
	sqlite3_close(db);
	db = saved;
}

/* Values to the JSON object, with the keys "a", "b" and "c". */
static void test_expand(void)
{
	static const struct {
		const char *name, *vals, *want;  /* want NULL: refused */
	} cases[] = {
		{ "every value", "[1,\"x\",true]",
		  "{\"a\":1,\"b\":\"x\",\"c\":true}" },
		{ "null left out, first and last", "[null,2.5,null]",
		  "{\"b\":2.5}" },
		{ "only nulls", "[null,null,null]", "{}" },
		{ "lists and locations as they are", "[[1,null],[[2]],[]]",
		  "{\"a\":[1,null],\"b\":[[2]],\"c\":[]}" },
		{ "a null inside a list is kept", "[[null],null,\"null\"]",
		  "{\"a\":[null],\"c\":\"null\"}" },
		{ "commas, brackets and quotes in strings",
		  "[\",]\",\"[\\\"\",\"\\\\\"]",
		  "{\"a\":\",]\",\"b\":\"[\\\"\",\"c\":\"\\\\\"}" },
		{ "a string in a list", "[[\"a,b\",\"]\"],0,0]",
		  "{\"a\":[\"a,b\",\"]\"],\"b\":0,\"c\":0}" },
		{ "too few values", "[1,2]", NULL },
		{ "too many values", "[1,2,3,4]", NULL },
		{ "an empty value", "[1,,3]", NULL },
		{ "an empty last value", "[1,2,]", NULL },
		{ "no values", "[]", NULL },
		{ "not an array", "{\"a\":1}", NULL },
		{ "no closing bracket", "[1,2,3", NULL },
		{ "an open string", "[1,2,\"3]", NULL },
		{ "an escaped closing quote", "[1,2,\"3\\\"]", NULL },
		{ "an open list", "[1,2,[3]", NULL },
		{ "a bracket too many", "[1,2,3]]", NULL },
		{ "empty", "", NULL },
	};
	partkeys k = { .n = 3, .nres = 0 };
	size_t off[] = { 0, 4, 8, 12 };

	buf_puts(&k.text, "\"a\":\"b\":\"c\":");
	k.off = off;
	for (size_t i = 0; i < N_CASES(cases); i++) {
		buf out = BUF_INIT;
		int rc;

		buf_puts(&out, "x");
		rc = projdocs_expand(&k, cases[i].vals, strlen(cases[i].vals),
				     &out);
		CHECK_INT(rc, cases[i].want ? 0 : -1);
		/* appended to what out held; out as it was when refused */
		CHECK_STR(out.data + 1, cases[i].want ? cases[i].want : "");
		CHECK_INT(out.len, 1 + (cases[i].want ? strlen(cases[i].want)
					: 0));
		if (rc != (cases[i].want ? 0 : -1))
			fprintf(stderr, "  case: %s\n", cases[i].name);
		buf_free(&out);
	}
	buf_free(&k.text);
}

/* The first load: every project has its part, at version 1. */
static void test_first_build(void)
{
	char want[1024], *got;

	write_dump("m0", month0, (int)N_CASES(month0), resources0,
		   (int)N_CASES(resources0));
	if (load("m0") != 0 || open_db() != 0)
		exit(check_summary() | 1);
	CHECK_INT(query_int("SELECT value FROM meta "
			    "WHERE key = 'data_version'"), 1);
	CHECK_INT(stage_data_version(db, NULL), 1);
	check_docs("the first load",
		   "p1 g1 fp=h " DOC_P1 "\n"
		   "p2 g1 fp=h " DOC_P2 "\n"
		   "p3 g1 fp=0 null\n"
		   "p4 g1 fp=h " DOC_P4 "\n"
		   "p5 g1 fp=h " DOC_P5 "\n"
		   "p6 g1 fp=h " DOC_P6);
	/* the document as views.sql joins it: donation, then part */
	snprintf(want, sizeof want, "{\"donationid\":\"d1\","
		 "\"projectid\":\"p1\",%s", DOC_P1 + 1);
	got = rows_of("SELECT doc FROM documents");
	CHECK_STR(got, want);
	free(got);
	CHECK_INT(query_int("SELECT count(*) FROM stale_projects"), 0);
}

/*
 * The second load, with a target synced at version 1 (so that the gone
 * project is kept as a tombstone): rowids of the rows that stay, gens.
 */
static void test_second_build(void)
{
	char *before, *after;
	const char *rowids = "SELECT group_concat(projectid || '=' || rowid, "
		"' ') FROM (SELECT projectid, rowid FROM project_docs "
		"WHERE projectid <> 'p7' ORDER BY projectid)";

	testdb_exec(db, "INSERT INTO targets(id, url, index_name, synced_version) "
	     "VALUES (1, 'http://a', 'i', 1)");
	before = rows_of(rowids);
	CHECK_STR(before, "p1=1 p2=2 p3=3 p4=4 p5=5 p6=6");
	sqlite3_close(db);
	write_dump("m1", month1, (int)N_CASES(month1), resources1,
		   (int)N_CASES(resources1));
	if (load("m1") != 0 || open_db() != 0)
		exit(check_summary() | 1);
	CHECK_INT(stage_data_version(db, NULL), 2);
	check_docs("the second load", AFTER_LOAD2);
	after = rows_of(rowids);
	CHECK_STR(after, before);
	CHECK_INT(query_int("SELECT rowid FROM project_docs "
			    "WHERE projectid = 'p7'"), 7);
	free(before);
	free(after);
	/* a row for every project of the snapshot */
	after = rows_of("SELECT count(*) FROM project_docs p JOIN "
			"projects q USING (projectid)");
	CHECK_STR(after, "6");
	free(after);
}

/*
 * Tombstone pruning at a PROJDOCS_ALL build, the tombstone p6 at gen 2:
 * dropped unless some target's synced_version is below 2.  Each case
 * runs in a transaction rolled back after.
 */
static void test_prune(void)
{
	static const struct {
		const char *name;
		const char *targets; /* VALUES of (id, synced_version) */
		int kept;
	} cases[] = {
		{ "no targets", NULL, 0 },
		{ "a target behind", "(1, 1)", 1 },
		{ "a target far behind", "(1, 0)", 1 },
		{ "a target at the tombstone's gen", "(1, 2)", 0 },
		{ "a target past it", "(1, 3)", 0 },
		{ "a target never synced", "(1, NULL)", 0 },
		{ "never synced and behind", "(1, NULL), (2, 1)", 1 },
		{ "in sync and behind", "(1, 2), (2, 1)", 1 },
		{ "behind and in sync", "(1, 1), (2, 2)", 1 },
		{ "all in sync or later", "(1, 2), (2, 3)", 0 },
		{ "never synced and in sync", "(1, NULL), (2, 2)", 0 },
	};
	char sql[256];

	for (size_t i = 0; i < N_CASES(cases); i++) {
		int64_t kept;

		testdb_exec(db, "BEGIN; DELETE FROM targets");
		if (cases[i].targets) {
			snprintf(sql, sizeof sql, "INSERT INTO targets(id, "
				 "url, index_name, synced_version) SELECT "
				 "column1, 'http://a' || column1, 'i', column2 "
				 "FROM (VALUES %s)", cases[i].targets);
			testdb_exec(db, sql);
		}
		CHECK_INT(query_int("SELECT count(*) FROM project_docs "
				    "WHERE projectid = 'p6'"), 1);
		CHECK_INT(projdocs_build(db, PROJDOCS_ALL, NULL), 0);
		kept = query_int("SELECT count(*) FROM project_docs "
				 "WHERE projectid = 'p6'");
		CHECK_INT(kept, cases[i].kept);
		if (kept != cases[i].kept)
			fprintf(stderr, "  case: %s\n", cases[i].name);
		/* nothing else moved */
		CHECK_INT(query_int("SELECT count(*) FROM project_docs WHERE "
				    "projectid <> 'p6'"), 6);
		CHECK_INT(query_int("SELECT count(*) FROM project_docs WHERE "
				    "gen = 2 AND projectid <> 'p6'"), 3);
		testdb_exec(db, "ROLLBACK");
	}

	/* a PROJDOCS_STALE build prunes nothing, even without targets */
	testdb_exec(db, "BEGIN; DELETE FROM targets; "
	     "INSERT INTO stale_projects VALUES ('p1')");
	CHECK_INT(projdocs_build(db, PROJDOCS_STALE, NULL), 0);
	CHECK_INT(query_int("SELECT count(*) FROM project_docs WHERE "
			    "projectid = 'p6' AND fp IS NULL AND gen = 2"), 1);
	testdb_exec(db, "ROLLBACK");

	/* a later build: the tombstone's gen stays that of its going (a
	 * target synced at 2 has seen it go), the others' too */
	testdb_exec(db, "BEGIN; UPDATE meta SET value = 5 WHERE key = 'data_version'");
	CHECK_INT(projdocs_build(db, PROJDOCS_ALL, NULL), 0);
	check_docs("a build at version 5", AFTER_LOAD2);
	testdb_exec(db, "ROLLBACK");
	check_docs("the rolled back cases", AFTER_LOAD2);
}

/*
 * Edits in SQL, each followed by a PROJDOCS_STALE build in a transaction
 * (what an export does first): the version each edit leaves, the
 * projects it marks stale, and project_docs after the build.
 */
static void test_stale(void)
{
	static const struct {
		const char *name, *edit;
		int64_t version;
		const char *stale, *want;
	} cases[] = {
		{ "an edited project",
		  "UPDATE projects SET school_city = 'Capital City' "
		  "WHERE projectid = 'p1'", 3, "p1",
		  "p1 g3 fp=h " P1_FIELDS("Capital City") P1_RESOURCES "\n"
		  "p2 g2 fp=h {\"project_school_city\":\"North Haverbrook\","
		  P2_RESOURCES("4") "\n"
		  "p3 g1 fp=0 null\n"
		  "p4 g2 fp=h {" P4_RESOURCES("3") "\n"
		  "p5 g1 fp=h " DOC_P5 "\n"
		  "p6 g2 fp=null null\n"
		  "p7 g2 fp=h " DOC_P7 },
		{ "an edit that changes nothing: gen kept",
		  "UPDATE projects SET school_city = school_city "
		  "WHERE projectid = 'p5'", 4, "p5",
		  "p1 g3 fp=h " P1_FIELDS("Capital City") P1_RESOURCES "\n"
		  "p2 g2 fp=h {\"project_school_city\":\"North Haverbrook\","
		  P2_RESOURCES("4") "\n"
		  "p3 g1 fp=0 null\n"
		  "p4 g2 fp=h {" P4_RESOURCES("3") "\n"
		  "p5 g1 fp=h " DOC_P5 "\n"
		  "p6 g2 fp=null null\n"
		  "p7 g2 fp=h " DOC_P7 },
		{ "a deleted project: a tombstone",
		  "DELETE FROM projects WHERE projectid = 'p7'", 5, "p7",
		  "p1 g3 fp=h " P1_FIELDS("Capital City") P1_RESOURCES "\n"
		  "p2 g2 fp=h {\"project_school_city\":\"North Haverbrook\","
		  P2_RESOURCES("4") "\n"
		  "p3 g1 fp=0 null\n"
		  "p4 g2 fp=h {" P4_RESOURCES("3") "\n"
		  "p5 g1 fp=h " DOC_P5 "\n"
		  "p6 g2 fp=null null\n"
		  "p7 g5 fp=null null" },
		{ "an edited resource",
		  "UPDATE resources SET item_quantity = 5 "
		  "WHERE resourceid = 'r5'", 6, "p2",
		  "p1 g3 fp=h " P1_FIELDS("Capital City") P1_RESOURCES "\n"
		  "p2 g6 fp=h {\"project_school_city\":\"North Haverbrook\","
		  P2_RESOURCES("5") "\n"
		  "p3 g1 fp=0 null\n"
		  "p4 g2 fp=h {" P4_RESOURCES("3") "\n"
		  "p5 g1 fp=h " DOC_P5 "\n"
		  "p6 g2 fp=null null\n"
		  "p7 g5 fp=null null" },
		{ "a gone project inserted again: revived, with its "
		  "orphaned resource",
		  "INSERT INTO projects(projectid, school_city) "
		  "VALUES ('p6', 'Ogdenville')", 7, "p6",
		  "p1 g3 fp=h " P1_FIELDS("Capital City") P1_RESOURCES "\n"
		  "p2 g6 fp=h {\"project_school_city\":\"North Haverbrook\","
		  P2_RESOURCES("5") "\n"
		  "p3 g1 fp=0 null\n"
		  "p4 g2 fp=h {" P4_RESOURCES("3") "\n"
		  "p5 g1 fp=h " DOC_P5 "\n"
		  "p6 g7 fp=h " DOC_P6 "\n"
		  "p7 g5 fp=null null" },
		/* one statement, two rows: the version moves on twice */
		{ "two projects at once, one without a value before",
		  "UPDATE projects SET teacher_acctid = 't3' "
		  "WHERE projectid IN ('p3', 'p4')", 9, "p3 p4",
		  "p1 g3 fp=h " P1_FIELDS("Capital City") P1_RESOURCES "\n"
		  "p2 g6 fp=h {\"project_school_city\":\"North Haverbrook\","
		  P2_RESOURCES("5") "\n"
		  "p3 g9 fp=h {\"project_teacher_acctid\":\"t3\"}\n"
		  "p4 g9 fp=h {\"project_teacher_acctid\":\"t3\","
		  P4_RESOURCES("3") "\n"
		  "p5 g1 fp=h " DOC_P5 "\n"
		  "p6 g7 fp=h " DOC_P6 "\n"
		  "p7 g5 fp=null null" },
		{ "a renamed project: the old id gone, the new one new",
		  "UPDATE projects SET projectid = 'p8' "
		  "WHERE projectid = 'p5'", 10, "p5 p8",
		  "p1 g3 fp=h " P1_FIELDS("Capital City") P1_RESOURCES "\n"
		  "p2 g6 fp=h {\"project_school_city\":\"North Haverbrook\","
		  P2_RESOURCES("5") "\n"
		  "p3 g9 fp=h {\"project_teacher_acctid\":\"t3\"}\n"
		  "p4 g9 fp=h {\"project_teacher_acctid\":\"t3\","
		  P4_RESOURCES("3") "\n"
		  "p5 g10 fp=null null\n"
		  "p6 g7 fp=h " DOC_P6 "\n"
		  "p7 g5 fp=null null\n"
		  "p8 g10 fp=h " DOC_P5 },
		{ "its resource and value removed: back to no value",
		  "DELETE FROM resources WHERE projectid = 'p6'; "
		  "UPDATE projects SET school_city = NULL "
		  "WHERE projectid = 'p6'", 12, "p6",
		  "p1 g3 fp=h " P1_FIELDS("Capital City") P1_RESOURCES "\n"
		  "p2 g6 fp=h {\"project_school_city\":\"North Haverbrook\","
		  P2_RESOURCES("5") "\n"
		  "p3 g9 fp=h {\"project_teacher_acctid\":\"t3\"}\n"
		  "p4 g9 fp=h {\"project_teacher_acctid\":\"t3\","
		  P4_RESOURCES("3") "\n"
		  "p5 g10 fp=null null\n"
		  "p6 g12 fp=0 null\n"
		  "p7 g5 fp=null null\n"
		  "p8 g10 fp=h " DOC_P5 },
	};
	char *rowids;

	for (size_t i = 0; i < N_CASES(cases); i++) {
		char *stale;

		testdb_exec(db, cases[i].edit);
		CHECK_INT(stage_data_version(db, NULL), cases[i].version);
		stale = rows_of("SELECT group_concat(projectid, ' ') FROM "
				"(SELECT projectid FROM stale_projects "
				"ORDER BY 1)");
		CHECK_STR(stale, cases[i].stale);
		free(stale);
		CHECK_INT(build(PROJDOCS_STALE), 0);
		check_docs(cases[i].name, cases[i].want);
		CHECK_INT(query_int("SELECT count(*) FROM stale_projects"), 0);
		CHECK_INT(stage_data_version(db, NULL), cases[i].version);
	}

	/* nothing stale: nothing done */
	CHECK_INT(build(PROJDOCS_STALE), 0);
	CHECK_INT(query_int("SELECT count(*) FROM project_docs WHERE "
			    "fp IS NULL"), 2);
	/* the rows kept their places: rowids 1..7, p8 new */
	rowids = rows_of("SELECT group_concat(projectid || '=' || rowid, ' ') "
			 "FROM (SELECT projectid, rowid FROM project_docs "
			 "ORDER BY projectid)");
	CHECK_STR(rowids, "p1=1 p2=2 p3=3 p4=4 p5=5 p6=6 p7=7 p8=8");
	free(rowids);
	/* no target left behind: the next full build drops the
	 * tombstones */
	testdb_exec(db, "UPDATE targets SET synced_version = 12");
	CHECK_INT(build(PROJDOCS_ALL), 0);
	CHECK_INT(query_int("SELECT count(*) FROM project_docs WHERE "
			    "fp IS NULL"), 0);
	CHECK_INT(query_int("SELECT count(*) FROM project_docs"), 6);
}

/*
 * The resources in the orders a dump may list them.  A load groups them
 * in one pass in file order when each project's resources come together
 * and in the projects' order, and by project otherwise; either way each
 * project gets the same part, which a rebuild of every project by project
 * (PROJDOCS_STALE, sql/resource_groups.sql) leaves as it is.
 */
static const project order_projects[] = {
	{ "q1", NULL, NULL, NULL, "C1", NULL, NULL, NULL, NULL },
	{ "q2", NULL, NULL, NULL, "C2", NULL, NULL, NULL, NULL },
	{ "q3", NULL, NULL, NULL, "C3", NULL, NULL, NULL, NULL },
	{ "q4", NULL, NULL, NULL, "C4", NULL, NULL, NULL, NULL },
};

#define RES(id, project, qty) \
	{ { id, project, NULL, NULL, NULL, NULL, NULL, qty } }
#define PART(k, members) \
	"q" k " g1 fp=h {\"project_school_city\":\"C" k "\"" members "}"
#define ONE(id, qty) ",\"resourceid\":\"" id "\"," \
	"\"resource_item_quantity\":" qty
#define NULLS(name) "\"resource_" name "\":[null,null],"
#define TWO(a, b, qa, qb) ",\"resourceid\":[\"" a "\",\"" b "\"]," \
	NULLS("vendorid") NULLS("vendor_name") NULLS("item_name")         \
	NULLS("item_number") NULLS("item_unit_price")                     \
	"\"resource_item_quantity\":[" qa "," qb "]"

static const struct order_case {
	const char *name;
	resource r[6];
	int n;
	const char *want;
} order_cases[] = {
	{ "in order; q2 without any; orphans between and after",
	  { RES("r1", "q1", "1"), RES("r2", "q1", "2"), RES("o1", "zz", "9"),
	    RES("r3", "q3", "3"), RES("r4", "q4", "4"), RES("o2", "zz", "9") },
	  6, PART("1", TWO("r1", "r2", "1", "2")) "\n" PART("2", "") "\n"
	  PART("3", ONE("r3", "3")) "\n" PART("4", ONE("r4", "4")) },
	{ "a resource without a projectid between two projects'",
	  { RES("r1", "q1", "1"), RES("n1", NULL, "9"), RES("r2", "q2", "2") },
	  3, PART("1", ONE("r1", "1")) "\n" PART("2", ONE("r2", "2")) "\n"
	  PART("3", "") "\n" PART("4", "") },
	{ "a project's resources apart",
	  { RES("r1", "q1", "1"), RES("r3", "q3", "3"), RES("r2", "q1", "2") },
	  3, PART("1", TWO("r1", "r2", "1", "2")) "\n" PART("2", "") "\n"
	  PART("3", ONE("r3", "3")) "\n" PART("4", "") },
	{ "an orphan between a project's resources",
	  { RES("r1", "q1", "1"), RES("o1", "zz", "9"), RES("r2", "q1", "2") },
	  3, PART("1", TWO("r1", "r2", "1", "2")) "\n" PART("2", "") "\n"
	  PART("3", "") "\n" PART("4", "") },
	{ "the projects in reverse order",
	  { RES("r4", "q4", "4"), RES("r3", "q3", "3"), RES("r1", "q1", "1") },
	  3, PART("1", ONE("r1", "1")) "\n" PART("2", "") "\n"
	  PART("3", ONE("r3", "3")) "\n" PART("4", ONE("r4", "4")) },
	{ "after the last project's, one of a project before",
	  { RES("r1", "q1", "1"), RES("r4", "q4", "4"), RES("r2", "q2", "2") },
	  3, PART("1", ONE("r1", "1")) "\n" PART("2", ONE("r2", "2")) "\n"
	  PART("3", "") "\n" PART("4", ONE("r4", "4")) },
};

static void test_resource_orders(void)
{
	char saved_path[sizeof db_path], sub[32];
	sqlite3 *saved = db;

	memcpy(saved_path, db_path, sizeof db_path);
	for (size_t i = 0; i < N_CASES(order_cases); i++) {
		const struct order_case *c = &order_cases[i];

		snprintf(sub, sizeof sub, "order%zu", i);
		snprintf(db_path, sizeof db_path, "%s/%s.db", dir, sub);
		write_dump(sub, order_projects, (int)N_CASES(order_projects),
			   c->r, c->n);
		if (load(sub) != 0 || open_db() != 0)
			continue;
		check_docs(c->name, c->want);
		testdb_exec(db, "INSERT INTO stale_projects "
			    "SELECT projectid FROM projects");
		CHECK_INT(build(PROJDOCS_STALE), 0);
		check_docs(c->name, c->want);
		sqlite3_close(db);
	}
	memcpy(db_path, saved_path, sizeof db_path);
	db = saved;
}

/* A failing build says why, and leaves no temp.project_todo behind:
 * the next one fails the same way, and works once the tables are
 * there. */
static void test_errors(void)
{
	char path[512], err[DC_ERR_MAX];
	sqlite3 *saved = db;

	snprintf(path, sizeof path, "%s/empty.db", dir);
	db = stage_open(path, STAGE_READWRITE, err);
	CHECK(db != NULL);
	if (!db) {
		db = saved;
		return;
	}
	for (int i = 0; i < 2; i++) {
		strcpy(err, "");
		CHECK_INT(projdocs_build(db, PROJDOCS_ALL, err), -1);
		/* the message of the first statement that failed to
		 * prepare */
		CHECK_STR(err, "cannot prepare statement: no such table: "
			  "projects");
	}
	CHECK_INT(query_int("SELECT count(*) FROM sqlite_temp_schema"), 0);
	testdb_exec(db, "CREATE TABLE projects(projectid ID TEXT NOT NULL, "
	     "title TEXT, fp INTEGER); "
	     "CREATE TABLE resources(resourceid ID TEXT NOT NULL, "
	     "projectid ID TEXT, vendorid ID TEXT, vendor_name TEXT, "
	     "item_name TEXT, item_number TEXT, item_unit_price REAL, "
	     "item_quantity INTEGER, fp INTEGER); "
	     "CREATE INDEX resources_project ON resources(projectid); "
	     "CREATE INDEX projects_key ON projects(projectid); "
	     "INSERT INTO projects VALUES ('x1', 'T', 5), ('x2', NULL, 6); "
	     "INSERT INTO resources VALUES ('q1', 'x2', NULL, NULL, NULL, "
	     "NULL, 2.5, NULL, 7)");
	CHECK_INT(build(PROJDOCS_ALL), 0);
	check_docs("a build on tables made by hand",
		   "x1 g0 fp=h {\"project_title\":\"T\"}\n"
		   "x2 g0 fp=h {\"resourceid\":\"q1\","
		   "\"resource_item_unit_price\":2.5}");
	sqlite3_close(db);
	db = saved;
	unlink(path);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof dir, "%s/projdocs-test.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		perror("cannot make a folder for the test files");
		return 1;
	}
	snprintf(db_path, sizeof db_path, "%s/s.db", dir);
	test_columns();
	test_expand();
	test_first_build();
	test_keys();
	test_second_build();
	test_prune();
	test_stale();
	test_resource_orders();
	test_errors();
	sqlite3_close(db);
	testdb_remove_tree(dir);
	return check_summary();
}
