/*
 * test_sqlfuncs.c - the custom SQL functions through SQL on an in-memory
 * database: results and their types, and list_or_value() as json_object()
 * sees it.
 */
#include "buf.h"
#include "check.h"
#include "dcstage.h"
#include "sqlfuncs.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_CASES(a) (sizeof(a) / sizeof((a)[0]))

/* The first column of the first row of sql as text ("NULL" for NULL,
 * "ERROR: ..." when it fails), in a static buffer. */
static const char *q(sqlite3 *db, const char *sql)
{
	static char out[512];
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		snprintf(out, sizeof out, "ERROR: %s", sqlite3_errmsg(db));
		return out;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_NULL)
		snprintf(out, sizeof out, "NULL");
	else if (rc == SQLITE_ROW)
		snprintf(out, sizeof out, "%s", sqlite3_column_text(st, 0));
	else if (rc == SQLITE_DONE)
		snprintf(out, sizeof out, "NO ROW");
	else
		snprintf(out, sizeof out, "ERROR: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return out;
}

static void exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fprintf(stderr, "exec failed: %s\n  %s\n", msg, sql);
	CHECK(msg == NULL);
	sqlite3_free(msg);
}

static sqlite3 *open_db(void)
{
	sqlite3 *db = NULL;

	if (sqlite3_open(":memory:", &db) != SQLITE_OK)
		return NULL;
	CHECK_INT(sqlfuncs_register(db), SQLITE_OK);
	return db;
}

static void test_scalars(sqlite3 *db)
{
	static const struct { const char *sql, *want; } cases[] = {
		{ "iso_date('2011-04-14 10:11:12.5')", "2011-04-14T10:11:12.500000" },
		{ "iso_date('2011-04-14 10:11:12.000')", "2011-04-14T10:11:12" },
		{ "iso_date('2011-04-14')", "2011-04-14T00:00:00" },
		{ "typeof(iso_date('2011-04-14'))", "text" },
		{ "iso_date('2011-02-30')", "NULL" },
		{ "iso_date('')", "NULL" },
		{ "iso_date(NULL)", "NULL" },
		{ "iso_date(20110414)", "NULL" },
		{ "dc_double('123.45')", "123.45" },
		{ "typeof(dc_double('0'))", "real" },
		{ "dc_double('-1.5')", "-1.5" },
		{ "dc_double(1e20)", "1.0e+20" },
		{ "dc_double(42)", "42.0" },
		{ "dc_double('abc')", "NULL" },
		{ "dc_double('')", "NULL" },
		{ "dc_count('23')", "23" },
		{ "dc_count('23.0')", "23" },
		{ "typeof(dc_count('23.0'))", "integer" },
		{ "dc_count(23.0)", "23" },
		{ "dc_count(-2)", "-2" },
		{ "dc_count('1.5')", "NULL" },
		{ "dc_flag('t')", "1" },
		{ "dc_flag('f')", "0" },
		{ "typeof(dc_flag('f'))", "integer" },
		{ "dc_flag('x')", "NULL" },
		{ "dc_flag(1)", "NULL" },
		{ "dc_lat('-90.0')", "-90.0" },
		{ "dc_lat('90.0001')", "NULL" },
		{ "dc_lon('-122.5')", "-122.5" },
		{ "dc_lon('180.5')", "NULL" },
		{ "typeof(dc_lon('1'))", "real" },
		{ "dc_id('\"abc\"')", "abc" },
		{ "dc_id('abc')", "abc" },
		{ "dc_id('\"\"')", "NULL" },
		{ "dc_id('')", "NULL" },
		{ "dc_id(NULL)", "NULL" },
		{ "typeof(dc_id(12))", "text" },
		{ "dc_text('caf\xc3\xa9')", "caf\xc3\xa9" },
		{ "typeof(dc_text('x'))", "text" },
		{ "dc_text('')", "NULL" },
		{ "dc_text(NULL)", "NULL" },
		{ "dc_text(12)", "12" },
		{ "typeof(dc_text(12))", "text" },
		{ "dc_text(x'436166e9')", "Caf\xef\xbf\xbd" },
		{ "typeof(dc_text(x'436166e9'))", "text" },
		{ "dc_hash(NULL)", "0" },
		{ "typeof(dc_hash('x'))", "integer" },
		{ "dc_hash('abc') = dc_hash(x'616263')", "1" },
		{ "dc_hash(42) = dc_hash('42')", "1" },
		{ "dc_hash('abc') <> dc_hash('abd')", "1" },
		{ "dc_hash(' ') <> 0", "1" },
	};
	char sql[256];

	for (size_t i = 0; i < N_CASES(cases); i++) {
		snprintf(sql, sizeof sql, "SELECT %s", cases[i].sql);
		CHECK_STR(q(db, sql), cases[i].want);
	}
}

static void test_hash_value(sqlite3 *db)
{
	char want[32];

	snprintf(want, sizeof want, "%lld",
		 (long long)dc_hash64("{\"a\":1}", 7, 0));
	CHECK_STR(q(db, "SELECT dc_hash('{\"a\":1}')"), want);
}

/* Bound values: text with a length, which may not be UTF-8. */
static void test_bound(sqlite3 *db)
{
	sqlite3_stmt *st;
	static const char latin1[] = "Caf\xe9 au lait";

	CHECK_INT(sqlite3_prepare_v2(db, "SELECT dc_text(:v), dc_id(:id),"
				     " dc_double(:p)", -1, &st, NULL),
		  SQLITE_OK);
	sqlite3_bind_text(st, 1, latin1, (int)strlen(latin1), SQLITE_STATIC);
	sqlite3_bind_text(st, 2, "\"7342bd\",x", 8, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, "12.50,13", 5, SQLITE_STATIC);
	CHECK_INT(sqlite3_step(st), SQLITE_ROW);
	CHECK_STR((const char *)sqlite3_column_text(st, 0),
		  "Caf\xef\xbf\xbd au lait");
	CHECK_STR((const char *)sqlite3_column_text(st, 1), "7342bd");
	CHECK(sqlite3_column_double(st, 2) == 12.5);
	sqlite3_finalize(st);
}

static void test_list_or_value(sqlite3 *db)
{
	static const struct { const char *sql, *want; } cases[] = {
		{ "SELECT list_or_value(v) FROM r WHERE g = 0", "NULL" },
		{ "SELECT typeof(list_or_value(v)) FROM r WHERE g = 0", "null" },
		{ "SELECT count(*) FROM (SELECT list_or_value(v) FROM r"
		  " WHERE g = 0 GROUP BY g)", "0" },
		{ "SELECT list_or_value(v) FROM r WHERE g = 1", "42" },
		{ "SELECT typeof(list_or_value(v)) FROM r WHERE g = 1", "integer" },
		{ "SELECT typeof(list_or_value(v)) FROM r WHERE g = 2", "null" },
		{ "SELECT list_or_value(v) FROM r WHERE g = 3", "one" },
		{ "SELECT typeof(list_or_value(v)) FROM r WHERE g = 3", "text" },
		{ "SELECT typeof(list_or_value(v)) FROM r WHERE g = 4", "real" },
		{ "SELECT list_or_value(v) FROM r WHERE g = 4", "10.5" },
		{ "SELECT list_or_value(v) = (SELECT v FROM r WHERE g = 5)"
		  " FROM r WHERE g = 5", "1" },
		{ "SELECT list_or_value(v) FROM r WHERE g = 6",
		  "[1,null,\"two\",3.5,null]" },
		{ "SELECT typeof(list_or_value(v)) FROM r WHERE g = 6", "text" },
		{ "SELECT list_or_value(v) FROM r WHERE g = 7",
		  "[null,null]" },
		{ "SELECT list_or_value(v) FROM r WHERE g = 8",
		  "[\"a\\\"b\\\\c\\n\\t\\r\\b\\f\\u0001\\u001f\x7f/\","
		  "\"\xc3\xa9\"]" },
		{ "SELECT json_object('a', list_or_value(v)) FROM r WHERE g = 6",
		  "{\"a\":[1,null,\"two\",3.5,null]}" },
		{ "SELECT json_object('a', list_or_value(v)) FROM r WHERE g = 3",
		  "{\"a\":\"one\"}" },
		{ "SELECT json_object('a', list_or_value(v)) FROM r WHERE g = 1",
		  "{\"a\":42}" },
		{ "SELECT json_object('a', list_or_value(v)) FROM r WHERE g = 2",
		  "{\"a\":null}" },
		{ "SELECT json_patch('{}', json_object('a', list_or_value(v)))"
		  " FROM r WHERE g = 7", "{\"a\":[null,null]}" },
		{ "SELECT json_array_length(json_object('a', list_or_value(v)),"
		  " '$.a') FROM r WHERE g = 9", "3" },
		/* a list holding JSON text embeds it, as json_group_array does */
		{ "SELECT list_or_value(json_array(v)) FROM r WHERE g = 6",
		  "[[1],[null],[\"two\"],[3.5],[null]]" },
		{ "SELECT json_object('a', list_or_value(json_array(v)))"
		  " FROM r WHERE g = 3", "{\"a\":[\"one\"]}" },
		/* the same text as json_group_array for every group */
		{ "SELECT count(*) FROM (SELECT g, list_or_value(v) a,"
		  " json_group_array(v) b, count(*) n FROM r WHERE g NOT IN (10, 11)"
		  " GROUP BY g) WHERE n > 1 AND a IS NOT b", "0" },
		{ "SELECT list_or_value(v) FROM r WHERE g = 10",
		  "ERROR: cannot put a blob into a JSON list" },
		{ "SELECT hex(list_or_value(v)) FROM r WHERE g = 11", "00FF" },
	};

	exec(db, "CREATE TABLE r(g, v);"
		 "INSERT INTO r VALUES (1, 42), (2, NULL), (3, 'one'), (4, 10.5),"
		 " (5, 'a text longer than the sixty-four bytes kept inside the"
		 " aggregate context'),"
		 " (6, 1), (6, NULL), (6, 'two'), (6, 3.5), (6, NULL),"
		 " (7, NULL), (7, NULL),"
		 " (8, 'a\"b\\c' || char(10, 9, 13, 8, 12, 1, 31, 127) || '/'),"
		 " (8, 'é'),"
		 " (9, 'a text longer than the sixty-four bytes kept inside the"
		 " aggregate context, first of three'), (9, -7), (9, 1e300),"
		 " (10, 1), (10, x'00'), (11, x'00ff');");
	for (size_t i = 0; i < N_CASES(cases); i++)
		CHECK_STR(q(db, cases[i].sql), cases[i].want);
}

/* REAL values inside a list read exactly as json_array() prints them. */
static void test_list_reals(sqlite3 *db)
{
	static const char *const values[] = {
		"150.0", "0.1", "1e20", "10.5", "-0.5", "1e-7", "123456789.125",
		"3.141592653589793", "0.30000000000000004", "1e15", "1e16",
		"2.5e-300", "1.7976931348623157e308", "100", "-3",
	};
	char sql[256], want[512];

	exec(db, "CREATE TABLE f(v)");
	for (size_t i = 0; i < N_CASES(values); i++) {
		snprintf(sql, sizeof sql, "INSERT INTO f VALUES (%s)",
			 values[i]);
		exec(db, sql);
	}
	snprintf(want, sizeof want, "%s",
		 q(db, "SELECT json_array(150.0, 0.1, 1e20, 10.5)"));
	CHECK_STR(want, "[150.0,0.1,1.0e+20,10.5]");
	CHECK_STR(q(db, "SELECT list_or_value(v) FROM (SELECT v FROM f"
			" ORDER BY rowid LIMIT 4)"), want);
	snprintf(want, sizeof want, "%s",
		 q(db, "SELECT json_group_array(v) FROM f"));
	CHECK_STR(q(db, "SELECT list_or_value(v) FROM f"), want);
}

/* dc_object: the same text as json_patch('{}', json_object(...)), and a
 * tail object's members appended. */
static void test_object(sqlite3 *db)
{
	static const char *const args[] = {
		"'a', 1, 'b', NULL, 'c', 'x\"y', 'd', 2.5",
		"'r', 0.1, 's', 1e20, 't', json('true'), 'u', json_array(1, NULL)",
		"'k\"ey', 'tab\tnl\n', 'e', ''",
		"'only', NULL",
	};
	static const struct { const char *sql, *want; } tails[] = {
		{ "SELECT dc_object('a', 1, '{\"b\":[1,null]}')",
		  "{\"a\":1,\"b\":[1,null]}" },
		{ "SELECT dc_object('a', NULL, '{\"b\":2}')", "{\"b\":2}" },
		{ "SELECT dc_object('a', 1, NULL)", "{\"a\":1}" },
		{ "SELECT dc_object('a', NULL, '{}')", "NULL" },
		{ "SELECT json_object('o', dc_object('a', 1))",
		  "{\"o\":{\"a\":1}}" },
		{ "SELECT dc_object('a', x'00')", "ERROR: dc_object: a blob is not JSON" },
	};
	char sql[512], want[512];

	for (size_t i = 0; i < N_CASES(args); i++) {
		snprintf(sql, sizeof sql, "SELECT nullif(json_patch('{}', "
			 "json_object(%s)), '{}')", args[i]);
		snprintf(want, sizeof want, "%s", q(db, sql));
		snprintf(sql, sizeof sql, "SELECT dc_object(%s)", args[i]);
		CHECK_STR(q(db, sql), want);
	}
	for (size_t i = 0; i < N_CASES(tails); i++)
		CHECK_STR(q(db, tails[i].sql), tails[i].want);
}

/* Groups in a GROUP BY, each in the order its rows are fed. */
static void test_list_groups(sqlite3 *db)
{
	exec(db, "CREATE TABLE res(projectid, item, qty);"
		 "CREATE INDEX res_p ON res(projectid);"
		 "INSERT INTO res VALUES ('p1', 'pen', 2), ('p2', 'ink', 1),"
		 " ('p1', 'pad', 5), ('p1', NULL, 1), ('p3', NULL, NULL);");
	CHECK_STR(q(db, "SELECT group_concat(d, ';') FROM (SELECT"
			" json_object('id', projectid, 'item', list_or_value(item),"
			" 'qty', list_or_value(qty)) d FROM res INDEXED BY res_p"
			" GROUP BY projectid)"),
		  "{\"id\":\"p1\",\"item\":[\"pen\",\"pad\",null],\"qty\":[2,5,1]};"
		  "{\"id\":\"p2\",\"item\":\"ink\",\"qty\":1};"
		  "{\"id\":\"p3\",\"item\":null,\"qty\":null}");
}

/* New connections have the functions; registering again replaces them. */
static void test_auto(void)
{
	sqlite3 *db = NULL;

	sqlfuncs_auto_register();
	sqlfuncs_auto_register();
	CHECK_INT(sqlite3_open(":memory:", &db), SQLITE_OK);
	CHECK_STR(q(db, "SELECT dc_flag('t'), list_or_value(1)"), "1");
	CHECK_INT(sqlfuncs_register(db), SQLITE_OK);
	CHECK_STR(q(db, "SELECT dc_count('23.0')"), "23");
	sqlite3_close(db);
	sqlite3_reset_auto_extension();
}

int main(void)
{
	sqlite3 *db = open_db();

	if (!db) {
		fprintf(stderr, "cannot open an in-memory database\n");
		return 1;
	}
	test_scalars(db);
	test_hash_value(db);
	test_bound(db);
	test_list_or_value(db);
	test_list_reals(db);
	test_list_groups(db);
	test_object(db);
	test_auto();
	sqlite3_close(db);
	return check_summary();
}
