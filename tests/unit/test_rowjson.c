/*
 * test_rowjson.c - a staged row as JSON object members, by its columns'
 * declared types: the prefix, NULLs left out, BOOLEAN as true or false,
 * one location [lon,lat] at the latitude's place when both are present,
 * fp and the skip column never written, the comma before the members,
 * the count returned, numbers and text escaping; and the same bytes as
 * json_object() in SQL (as views.sql builds a document) for every row.
 * The same rows as values only (rowjson_write_values), and the keys they
 * go with (rowjson_key).  rowgroup: groups of rows as one value a column,
 * with the bytes that json_array() of list_or_value() gives in SQL.
 */
#include "buf.h"
#include "check.h"
#include "testdb.h"
#include "rowjson.h"
#include "sqlfuncs.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_CASES(a) (sizeof(a) / sizeof((a)[0]))

static sqlite3 *db;

static const char *const schema =
	"CREATE TABLE t(k INTEGER PRIMARY KEY, id ID TEXT, name TEXT, "
	"posted DATE TEXT, price REAL, n INTEGER, ok BOOLEAN, "
	"lat LATITUDE REAL, lon LONGITUDE REAL, fp INTEGER, other);"
	/* k: id, name, posted, price, n, ok, lat, lon, fp, other */
	"INSERT INTO t VALUES"
	" (1, 'a1', 'Book \"A\"', '2011-04-14T00:00:00', 12.5, 23, 1,"
	"  40.7128, -74.006, 987654321, 'x'),"
	" (2, 'a2', NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL),"
	" (3, 'a3', NULL, NULL, NULL, NULL, NULL, 40.5, NULL, 1, NULL),"
	" (4, 'a4', NULL, NULL, NULL, NULL, NULL, NULL, -74.5, 2, NULL),"
	" (5, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 3, NULL),"
	" (6, 'a6', NULL, NULL, NULL, NULL, 2, NULL, NULL, NULL, NULL),"
	" (7, 'a7', NULL, NULL, NULL, NULL, 't', NULL, NULL, NULL, NULL),"
	" (8, 'a8', NULL, NULL, NULL, NULL, 1.5, NULL, NULL, NULL, NULL),"
	" (9, 'a9', NULL, NULL, 1e20, -9223372036854775808, 0, 0, 0, NULL,"
	"  0.1),"
	" (10, 'a10', NULL, 'not a date', 3, 0, NULL, -90, 180, NULL, 1e-7),"
	" (11, 'caf\xc3\xa9 \xe2\x82\xac\xf0\x9f\x98\x80', 'q\"b\\s/', '',"
	"  NULL, NULL, NULL, NULL, NULL, NULL,"
	"  char(1, 31, 9, 10, 13, 8, 12, 127, 32)),"
	" (12, 'a12', CAST(x'43afe9' AS TEXT), NULL, NULL, NULL, NULL,"
	"  NULL, NULL, NULL, '''single'' <tag> &');"
	/* the longitude first, types in any case */
	"CREATE TABLE u(lon Longitude Real, x text, lat latitude real, "
	"b boolean, y TEXT);"
	"INSERT INTO u VALUES (-74.5, 'x', 40.25, 1, 'y');"
	/* names that need escaping in a key */
	"CREATE TABLE w(\"a\"\"b\" TEXT, \"c\\d\" INTEGER, \"tab\tnl\n\" REAL);"
	"INSERT INTO w VALUES ('1', 2, 3.5);";

static const char *const select_t =
	"SELECT id, name, posted, price, n, ok, lat, lon, fp, other "
	"FROM t WHERE k = ?1";

/* Step st to its row k (bound to ?1 when k > 0); 1 when there is one. */
static int step_row(sqlite3_stmt *st, int k)
{
	sqlite3_reset(st);
	if (k > 0)
		sqlite3_bind_int(st, 1, k);
	return sqlite3_step(st) == SQLITE_ROW;
}

typedef int (*row_writer)(const rowjson *, sqlite3_stmt *, buf *);

/* Columns first..first+n-1 (n < 0: to the last) of row k of sql written
 * by write after `before`; *members gets its count.  Caller frees. */
static char *write_row_by(row_writer write, const char *sql, int k,
			  int first, int n, const char *prefix,
			  const char *skip, const char *before, int *members)
{
	sqlite3_stmt *st = testdb_prepare(db, sql);
	rowjson rj;
	buf out = BUF_INIT;

	if (n < 0)
		n = sqlite3_column_count(st) - first;
	rowjson_init(&rj, st, first, n, prefix, skip);
	buf_puts(&out, before);
	*members = -1;
	CHECK(step_row(st, k));
	*members = write(&rj, st, &out);
	rowjson_free(&rj);
	sqlite3_finalize(st);
	return buf_detach(&out);
}

static char *write_row(const char *sql, int k, int first, int n,
		       const char *prefix, const char *skip,
		       const char *before, int *members)
{
	return write_row_by(rowjson_write, sql, k, first, n, prefix, skip,
			    before, members);
}

static void test_members(void)
{
	static const struct {
		int k;
		const char *prefix, *skip, *before;
		const char *want;
		int members;
	} cases[] = {
		/* every kind, with a prefix */
		{ 1, "p_", NULL, "{",
		  "{\"p_id\":\"a1\",\"p_name\":\"Book \\\"A\\\"\","
		  "\"p_posted\":\"2011-04-14T00:00:00\",\"p_price\":12.5,"
		  "\"p_n\":23,\"p_ok\":true,"
		  "\"p_location\":[-74.006,40.7128],\"p_other\":\"x\"", 8 },
		{ 1, "", NULL, "{",
		  "{\"id\":\"a1\",\"name\":\"Book \\\"A\\\"\","
		  "\"posted\":\"2011-04-14T00:00:00\",\"price\":12.5,"
		  "\"n\":23,\"ok\":true,"
		  "\"location\":[-74.006,40.7128],\"other\":\"x\"", 8 },
		/* after other members: a comma first */
		{ 1, "", NULL, "{\"x\":1",
		  "{\"x\":1,\"id\":\"a1\",\"name\":\"Book \\\"A\\\"\","
		  "\"posted\":\"2011-04-14T00:00:00\",\"price\":12.5,"
		  "\"n\":23,\"ok\":true,"
		  "\"location\":[-74.006,40.7128],\"other\":\"x\"", 8 },
		/* into an empty buffer: no comma first */
		{ 1, "", NULL, "",
		  "\"id\":\"a1\",\"name\":\"Book \\\"A\\\"\","
		  "\"posted\":\"2011-04-14T00:00:00\",\"price\":12.5,"
		  "\"n\":23,\"ok\":true,"
		  "\"location\":[-74.006,40.7128],\"other\":\"x\"", 8 },
		/* the skip column left out, wherever it is */
		{ 1, "p_", "id", "{",
		  "{\"p_name\":\"Book \\\"A\\\"\","
		  "\"p_posted\":\"2011-04-14T00:00:00\",\"p_price\":12.5,"
		  "\"p_n\":23,\"p_ok\":true,"
		  "\"p_location\":[-74.006,40.7128],\"p_other\":\"x\"", 7 },
		{ 1, "", "price", "{",
		  "{\"id\":\"a1\",\"name\":\"Book \\\"A\\\"\","
		  "\"posted\":\"2011-04-14T00:00:00\","
		  "\"n\":23,\"ok\":true,"
		  "\"location\":[-74.006,40.7128],\"other\":\"x\"", 7 },
		/* fp is left out anyway; a skip naming no column changes
		 * nothing */
		{ 1, "", "fp", "{",
		  "{\"id\":\"a1\",\"name\":\"Book \\\"A\\\"\","
		  "\"posted\":\"2011-04-14T00:00:00\",\"price\":12.5,"
		  "\"n\":23,\"ok\":true,"
		  "\"location\":[-74.006,40.7128],\"other\":\"x\"", 8 },
		{ 1, "", "nosuch", "{",
		  "{\"id\":\"a1\",\"name\":\"Book \\\"A\\\"\","
		  "\"posted\":\"2011-04-14T00:00:00\",\"price\":12.5,"
		  "\"n\":23,\"ok\":true,"
		  "\"location\":[-74.006,40.7128],\"other\":\"x\"", 8 },
		/* without one of its columns there is no location */
		{ 1, "", "lat", "{",
		  "{\"id\":\"a1\",\"name\":\"Book \\\"A\\\"\","
		  "\"posted\":\"2011-04-14T00:00:00\",\"price\":12.5,"
		  "\"n\":23,\"ok\":true,\"other\":\"x\"", 7 },
		{ 1, "", "lon", "{",
		  "{\"id\":\"a1\",\"name\":\"Book \\\"A\\\"\","
		  "\"posted\":\"2011-04-14T00:00:00\",\"price\":12.5,"
		  "\"n\":23,\"ok\":true,\"other\":\"x\"", 7 },
		/* NULLs left out; false */
		{ 2, "p_", NULL, "{", "{\"p_id\":\"a2\",\"p_ok\":false", 2 },
		/* a location needs both coordinates */
		{ 3, "", NULL, "{", "{\"id\":\"a3\"", 1 },
		{ 4, "", NULL, "{", "{\"id\":\"a4\"", 1 },
		/* nothing to write: out as it was, no comma left behind */
		{ 5, "", NULL, "{", "{", 0 },
		{ 5, "", NULL, "{\"x\":1", "{\"x\":1", 0 },
		{ 5, "", NULL, "", "", 0 },
		/* a BOOLEAN that is not 0 or 1 is left out */
		{ 6, "", NULL, "{", "{\"id\":\"a6\"", 1 },
		{ 7, "", NULL, "{", "{\"id\":\"a7\"", 1 },
		{ 8, "", NULL, "{", "{\"id\":\"a8\"", 1 },
		/* numbers as json_object() prints them */
		{ 9, "", NULL, "{",
		  "{\"id\":\"a9\",\"price\":1.0e+20,"
		  "\"n\":-9223372036854775808,\"ok\":false,"
		  "\"location\":[0.0,0.0],\"other\":0.1", 6 },
		{ 10, "", NULL, "{",
		  "{\"id\":\"a10\",\"posted\":\"not a date\",\"price\":3.0,"
		  "\"n\":0,\"location\":[180.0,-90.0],\"other\":1.0e-07", 6 },
		/* text: quotes, backslash and control characters escaped,
		 * the rest (UTF-8, DEL, '/') as it is; an empty text is
		 * present */
		{ 11, "", NULL, "{",
		  "{\"id\":\"caf\xc3\xa9 \xe2\x82\xac\xf0\x9f\x98\x80\","
		  "\"name\":\"q\\\"b\\\\s/\",\"posted\":\"\","
		  "\"other\":\"\\u0001\\u001f\\t\\n\\r\\b\\f\x7f \"", 4 },
		/* invalid UTF-8 is not the writer's business: bytes as
		 * they are */
		{ 12, "", NULL, "{",
		  "{\"id\":\"a12\",\"name\":\"C\xaf\xe9\","
		  "\"other\":\"'single' <tag> &\"", 3 },
	};
	int members;

	for (size_t i = 0; i < N_CASES(cases); i++) {
		char *got = write_row(select_t, cases[i].k, 0, -1,
				      cases[i].prefix, cases[i].skip,
				      cases[i].before, &members);

		CHECK_STR(got, cases[i].want);
		CHECK_INT(members, cases[i].members);
		free(got);
	}
}

static void test_columns(void)
{
	static const struct {
		const char *sql;
		int k, first, n;
		const char *prefix, *want;
		int members;
	} cases[] = {
		/* the location at the latitude's place, the longitude
		 * first; types in any case */
		{ "SELECT * FROM u", 0, 0, -1, "",
		  "{\"x\":\"x\",\"location\":[-74.5,40.25],\"b\":true,"
		  "\"y\":\"y\"", 4 },
		{ "SELECT * FROM u", 0, 0, -1, "project_",
		  "{\"project_x\":\"x\",\"project_location\":[-74.5,40.25],"
		  "\"project_b\":true,\"project_y\":\"y\"", 4 },
		/* keys escaped as strings are */
		{ "SELECT * FROM w", 0, 0, -1, "p\"",
		  "{\"p\\\"a\\\"b\":\"1\",\"p\\\"c\\\\d\":2,"
		  "\"p\\\"tab\\tnl\\n\":3.5", 3 },
		/* only columns first..first+n-1: what projdocs.c does with
		 * a leading rowid */
		{ "SELECT k, id, name, price FROM t WHERE k = ?1", 1, 1, 3,
		  "", "{\"id\":\"a1\",\"name\":\"Book \\\"A\\\"\","
		  "\"price\":12.5", 3 },
		{ "SELECT k, id, name, price FROM t WHERE k = ?1", 1, 1, 1,
		  "", "{\"id\":\"a1\"", 1 },
		{ "SELECT k, id, name, price FROM t WHERE k = ?1", 1, 2, 2,
		  "", "{\"name\":\"Book \\\"A\\\"\",\"price\":12.5", 2 },
		/* a latitude whose longitude is outside the range: none */
		{ "SELECT id, lat, fp, lon FROM t WHERE k = ?1", 1, 0, 3, "",
		  "{\"id\":\"a1\"", 1 },
		/* an expression has no declared type: a plain value */
		{ "SELECT id, ok + 0 AS ok2, lat * 1 AS lat2 FROM t "
		  "WHERE k = ?1", 1, 0, -1, "",
		  "{\"id\":\"a1\",\"ok2\":1,\"lat2\":40.7128", 3 },
		{ "SELECT 'x' AS a, NULL AS b, 7 AS c", 0, 0, -1, "",
		  "{\"a\":\"x\",\"c\":7", 2 },
		/* no columns at all */
		{ "SELECT id FROM t WHERE k = ?1", 1, 0, 0, "", "{", 0 },
	};
	int members;

	for (size_t i = 0; i < N_CASES(cases); i++) {
		char *got = write_row(cases[i].sql, cases[i].k, cases[i].first,
				      cases[i].n, cases[i].prefix, NULL, "{",
				      &members);

		CHECK_STR(got, cases[i].want);
		CHECK_INT(members, cases[i].members);
		free(got);
	}
}

/* Values only: one a written column, in order, null for a missing one;
 * the count of those present. */
static void test_values(void)
{
	static const struct {
		int k;
		const char *skip, *before, *want;
		int present;
	} cases[] = {
		{ 1, NULL, "[",
		  "[\"a1\",\"Book \\\"A\\\"\",\"2011-04-14T00:00:00\",12.5,23,"
		  "true,[-74.006,40.7128],\"x\"", 8 },
		/* after other elements: a comma first */
		{ 1, NULL, "[0",
		  "[0,\"a1\",\"Book \\\"A\\\"\",\"2011-04-14T00:00:00\",12.5,23,"
		  "true,[-74.006,40.7128],\"x\"", 8 },
		/* the skip column has no place; without its latitude, no
		 * location either */
		{ 1, "name", "[",
		  "[\"a1\",\"2011-04-14T00:00:00\",12.5,23,"
		  "true,[-74.006,40.7128],\"x\"", 7 },
		{ 1, "lat", "[",
		  "[\"a1\",\"Book \\\"A\\\"\",\"2011-04-14T00:00:00\",12.5,23,"
		  "true,\"x\"", 7 },
		/* missing values and half a location: null in their place */
		{ 2, NULL, "[", "[\"a2\",null,null,null,null,false,null,null", 2 },
		{ 3, NULL, "[", "[\"a3\",null,null,null,null,null,null,null", 1 },
		{ 6, NULL, "[", "[\"a6\",null,null,null,null,null,null,null", 1 },
		{ 5, NULL, "[", "[null,null,null,null,null,null,null,null", 0 },
	};
	int present;

	for (size_t i = 0; i < N_CASES(cases); i++) {
		char *got = write_row_by(rowjson_write_values, select_t,
					 cases[i].k, 0, -1, "p_", cases[i].skip,
					 cases[i].before, &present);

		CHECK_STR(got, cases[i].want);
		CHECK_INT(present, cases[i].present);
		free(got);
	}
}

/* The keys of the columns, in order; NULL for the longitude and fp,
 * which have no place of their own. */
static void test_keys(void)
{
	sqlite3_stmt *st = testdb_prepare(db, select_t);
	rowjson rj;
	buf keys = BUF_INIT;
	int none = 0;

	rowjson_init(&rj, st, 0, 10, "p_", "n");
	for (int i = 0; i < 10; i++) {
		size_t len;
		const char *key = rowjson_key(&rj, i, &len);

		if (key)
			buf_append(&keys, key, len);
		else
			none++;
	}
	CHECK_STR(keys.data, "\"p_id\":\"p_name\":\"p_posted\":\"p_price\":"
		  "\"p_ok\":\"p_location\":\"p_other\":");
	CHECK_INT(none, 3);
	buf_free(&keys);
	rowjson_free(&rj);
	sqlite3_finalize(st);
}

/* Text bound with an embedded NUL: all of its bytes are written. */
static void test_nul(void)
{
	sqlite3_stmt *st = testdb_prepare(db, "SELECT CAST(?1 AS TEXT) AS s, "
				   "json_object('s', ?1)");
	rowjson rj;
	buf out = BUF_INIT;

	rowjson_init(&rj, st, 0, 1, "", NULL);
	sqlite3_bind_text(st, 1, "a\0b", 3, SQLITE_STATIC);
	CHECK_INT(sqlite3_step(st), SQLITE_ROW);
	buf_putc(&out, '{');
	CHECK_INT(rowjson_write(&rj, st, &out), 1);
	buf_putc(&out, '}');
	CHECK_STR(out.data, "{\"s\":\"a\\u0000b\"}");
	CHECK_STR(out.data, (const char *)sqlite3_column_text(st, 1));
	buf_free(&out);
	rowjson_free(&rj);
	rowjson_free(&rj); /* freeing twice is harmless */
	sqlite3_finalize(st);
}

/*
 * Every row of t, through one rowjson reused row after row, against the
 * document json_object() builds in SQL as views.sql does (json_patch
 * drops the members json_object writes as null).
 */
static void test_same_as_sql(void)
{
	sqlite3_stmt *st = testdb_prepare(db, 
		"SELECT id, name, posted, price, n, ok, lat, lon, fp, other, "
		"json_patch('{}', json_object('p_id', id, 'p_name', name, "
		"'p_posted', posted, 'p_price', price, 'p_n', n, "
		"'p_ok', CASE ok WHEN 1 THEN json('true') "
		"WHEN 0 THEN json('false') END, "
		"'p_location', CASE WHEN lat IS NOT NULL AND lon IS NOT NULL "
		"THEN json_array(lon, lat) END, 'p_other', other)) "
		"FROM t ORDER BY k");
	rowjson rj;
	buf out = BUF_INIT;
	int rows = 0;

	rowjson_init(&rj, st, 0, 10, "p_", NULL);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *want = (const char *)sqlite3_column_text(st, 10);

		buf_reset(&out);
		buf_putc(&out, '{');
		rowjson_write(&rj, st, &out);
		buf_putc(&out, '}');
		CHECK_STR(out.data, want);
		rows++;
	}
	CHECK_INT(rows, 12);
	buf_free(&out);
	rowjson_free(&rj);
	sqlite3_finalize(st);
}

/* Groups of rows of t (by k, in that order) through one rowgroup. */
static const struct group_case {
	const char *name, *ks, *want;
	int present;
} group_cases[] = {
	{ "one row: its values", "1",
	  "[\"a1\",\"Book \\\"A\\\"\",12.5,23,1]", 5 },
	{ "one row: null for a missing value", "2",
	  "[\"a2\",null,null,null,0]", 2 },
	{ "two rows: lists, null for a missing value", "2,3",
	  "[[\"a2\",\"a3\"],[null,null],[null,null],[null,null],[0,null]]", 5 },
	{ "numbers as json_array() writes them", "9,10",
	  "[[\"a9\",\"a10\"],[null,null],[1.0e+20,3.0],"
	  "[-9223372036854775808,0],[0,null]]", 5 },
	{ "no rows: null for each column", "", "[null,null,null,null,null]",
	  0 },
};

#define GROUP_COLS \
	"t.id AS id, t.name AS name, t.price AS price, t.n AS n, t.ok AS ok, " \
	"t.fp AS fp"

static char *group_by_sql(const char *ks)
{
	char sql[512];
	sqlite3_stmt *st;
	char *got;

	snprintf(sql, sizeof sql, "SELECT json_array(list_or_value(id), "
		 "list_or_value(name), list_or_value(price), list_or_value(n), "
		 "list_or_value(ok)) FROM (SELECT t.* FROM t, json_each('[%s]') "
		 "j WHERE k = j.value ORDER BY j.key)", ks);
	st = testdb_prepare(db, sql);
	got = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)
		? strdup((const char *)sqlite3_column_text(st, 0)) : NULL;
	sqlite3_finalize(st);
	return got;
}

static void test_groups(void)
{
	sqlite3_stmt *st = testdb_prepare(db, "SELECT " GROUP_COLS " FROM t, "
		"json_each(?1) j WHERE k = j.value ORDER BY j.key");
	rowgroup g;
	buf out = BUF_INIT, ks = BUF_INIT;

	rowgroup_init(&g, st, 0, 6);
	for (size_t i = 0; i < N_CASES(group_cases); i++) {
		const struct group_case *c = &group_cases[i];
		char *sql;

		buf_reset(&ks);
		buf_printf(&ks, "[%s]", c->ks);
		sqlite3_bind_text(st, 1, ks.data, -1, SQLITE_STATIC);
		while (sqlite3_step(st) == SQLITE_ROW)
			rowgroup_add(&g, st);
		sqlite3_reset(st);
		buf_reset(&out);
		buf_putc(&out, '[');
		CHECK_INT(rowgroup_write_values(&g, &out), c->present);
		buf_putc(&out, ']');
		CHECK_STR(out.data, c->want);
		if (strcmp(out.data, c->want))
			fprintf(stderr, "  case: %s\n", c->name);
		sql = group_by_sql(c->ks);
		CHECK_STR(out.data, sql);
		free(sql);
	}
	buf_free(&out);
	buf_free(&ks);
	rowgroup_free(&g);
	sqlite3_finalize(st);
}

int main(void)
{
	char *err = NULL;

	if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
	    sqlfuncs_register(db) != SQLITE_OK ||
	    sqlite3_exec(db, schema, NULL, NULL, &err) != SQLITE_OK) {
		fprintf(stderr, "cannot set up the test db: %s\n",
			err ? err : sqlite3_errmsg(db));
		sqlite3_free(err);
		return 1;
	}
	test_members();
	test_columns();
	test_values();
	test_keys();
	test_nul();
	test_same_as_sql();
	test_groups();
	sqlite3_close(db);
	return check_summary();
}
