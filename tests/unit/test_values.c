/*
 * test_values.c - value parsing: dates, numbers, counts, flags,
 * coordinates, ids, and UTF-8 checking and repair; the kinds of the
 * declared column types (val_kind_of_type), against sql/staging.sql too,
 * and val_convert() for each kind: the cell's type and value, text
 * appended to the caller's buffer, empty and bad fields, repaired text.
 */
#include "buf.h"
#include "check.h"
#include "embed.h"
#include "values.h"

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_CASES(a) (sizeof(a) / sizeof((a)[0]))

/* The reason's text for a result code, so that failures read well. */
static const char *rc_name(int rc)
{
	return rc == VAL_OK ? "ok" : rc == VAL_EMPTY ? "empty" : "bad";
}

static void test_dates(void)
{
	static const struct {
		const char *in;
		int rc;
		const char *want; /* the output, or the reason */
	} cases[] = {
		{ "2011-04-14", VAL_OK, "2011-04-14T00:00:00" },
		{ "2011-04-14 10:11:12", VAL_OK, "2011-04-14T10:11:12" },
		{ "2011-04-14T10:11:12", VAL_OK, "2011-04-14T10:11:12" },
		{ "2011-04-14 10:11:12.5", VAL_OK, "2011-04-14T10:11:12.500000" },
		{ "2011-04-14 10:11:12.123456", VAL_OK,
		  "2011-04-14T10:11:12.123456" },
		{ "2011-04-14 10:11:12.000001", VAL_OK,
		  "2011-04-14T10:11:12.000001" },
		{ "2011-04-14 10:11:12.000000", VAL_OK, "2011-04-14T10:11:12" },
		{ "2011-04-14 10:11:12.0", VAL_OK, "2011-04-14T10:11:12" },
		{ "2011-04-14 00:00:00", VAL_OK, "2011-04-14T00:00:00" },
		{ "2011-04-14 23:59:59.999", VAL_OK,
		  "2011-04-14T23:59:59.999000" },
		{ "2012-02-29", VAL_OK, "2012-02-29T00:00:00" },
		{ "2000-02-29", VAL_OK, "2000-02-29T00:00:00" },
		{ "0001-01-01", VAL_OK, "0001-01-01T00:00:00" },
		{ "9999-12-31 23:59:59", VAL_OK, "9999-12-31T23:59:59" },
		{ "", VAL_EMPTY, NULL },
		{ "2011-02-30", VAL_BAD, "date does not exist" },
		{ "2011-13-01", VAL_BAD, "date does not exist" },
		{ "2011-00-10", VAL_BAD, "date does not exist" },
		{ "2011-04-00", VAL_BAD, "date does not exist" },
		{ "2011-04-31", VAL_BAD, "date does not exist" },
		{ "2011-02-29", VAL_BAD, "date does not exist" },
		{ "1900-02-29", VAL_BAD, "date does not exist" },
		{ "0000-01-01", VAL_BAD, "date does not exist" },
		{ "2011-02-30 10:00:00", VAL_BAD, "date does not exist" },
		{ "2011-04-14 24:00:00", VAL_BAD, "time does not exist" },
		{ "2011-04-14 10:60:00", VAL_BAD, "time does not exist" },
		{ "2011-04-14 10:00:60", VAL_BAD, "time does not exist" },
		{ "2011-04-14 10:11:12.1234567", VAL_BAD, "not a date" },
		{ "2011-04-14 10:11:12.", VAL_BAD, "not a date" },
		{ "2011-04-14 10:11:12.12a", VAL_BAD, "not a date" },
		{ "2011-04-14 10:11:12,5", VAL_BAD, "not a date" },
		{ "2011-04-14 10:11", VAL_BAD, "not a date" },
		{ "2011-04-14 10:11:12Z", VAL_BAD, "not a date" },
		{ "2011-04-14 10:11:12+00:00", VAL_BAD, "not a date" },
		{ "2011-04-14x10:11:12", VAL_BAD, "not a date" },
		{ "2011-4-14", VAL_BAD, "not a date" },
		{ "2011/04/14", VAL_BAD, "not a date" },
		{ " 2011-04-14", VAL_BAD, "not a date" },
		{ "2011-04-14 ", VAL_BAD, "not a date" },
		{ "garbage", VAL_BAD, "not a date" },
		{ "abcd-ef-gh", VAL_BAD, "not a date" },
		{ "-011-04-14", VAL_BAD, "not a date" },
	};

	for (size_t i = 0; i < N_CASES(cases); i++) {
		char out[VAL_DATE_MAX] = "untouched";
		const char *why = NULL;
		size_t len = 0;
		int rc = val_date(cases[i].in, strlen(cases[i].in), out, &len,
				  &why);

		CHECK_STR(rc_name(rc), rc_name(cases[i].rc));
		if (rc == VAL_OK) {
			CHECK_STR(out, cases[i].want);
			CHECK_INT(len, strlen(cases[i].want));
		} else if (rc == VAL_BAD) {
			CHECK_STR(why, cases[i].want);
		}
	}
}

static void test_date_not_terminated(void)
{
	/* The input is a slice of a longer text, as fields of a record are. */
	const char *rec = "2011-04-14 10:11:12.25,2012-01-01";
	char out[VAL_DATE_MAX];
	size_t len;

	CHECK_INT(val_date(rec, 22, out, &len, NULL), VAL_OK);
	CHECK_STR(out, "2011-04-14T10:11:12.250000");
	CHECK_INT(val_date(rec, 10, out, &len, NULL), VAL_OK);
	CHECK_STR(out, "2011-04-14T00:00:00");
	CHECK_INT(val_date(rec, 23, out, &len, NULL), VAL_BAD);
}

static void test_doubles(void)
{
	static const struct {
		const char *in;
		int rc;
		double want;
		const char *why;
	} cases[] = {
		{ "-1.5", VAL_OK, -1.5, NULL },
		{ "0", VAL_OK, 0, NULL },
		{ "123.45", VAL_OK, 123.45, NULL },
		{ "1e3", VAL_OK, 1000, NULL },
		{ "1E-2", VAL_OK, 0.01, NULL },
		{ "+2.5e+1", VAL_OK, 25, NULL },
		{ ".5", VAL_OK, 0.5, NULL },
		{ "5.", VAL_OK, 5, NULL },
		{ "007", VAL_OK, 7, NULL },
		{ "1e-400", VAL_OK, 0, NULL },
		{ "", VAL_EMPTY, 0, NULL },
		{ "12.3.4", VAL_BAD, 0, "not a number" },
		{ "abc", VAL_BAD, 0, "not a number" },
		{ "nan", VAL_BAD, 0, "not a number" },
		{ "inf", VAL_BAD, 0, "not a number" },
		{ "-infinity", VAL_BAD, 0, "not a number" },
		{ "0x10", VAL_BAD, 0, "not a number" },
		{ " 1", VAL_BAD, 0, "not a number" },
		{ "1 ", VAL_BAD, 0, "not a number" },
		{ "1,5", VAL_BAD, 0, "not a number" },
		{ "-", VAL_BAD, 0, "not a number" },
		{ ".", VAL_BAD, 0, "not a number" },
		{ "1e", VAL_BAD, 0, "not a number" },
		{ "e5", VAL_BAD, 0, "not a number" },
		{ "1e400", VAL_BAD, 0, "number out of range" },
	};

	for (size_t i = 0; i < N_CASES(cases); i++) {
		const char *why = NULL;
		double v = -99;
		int rc = val_double(cases[i].in, strlen(cases[i].in), &v, &why);

		CHECK_STR(rc_name(rc), rc_name(cases[i].rc));
		if (rc == VAL_OK)
			CHECK(v == cases[i].want);
		if (rc == VAL_BAD)
			CHECK_STR(why, cases[i].why);
	}
}

static void test_double_limits(void)
{
	char big[600];
	double v = 0;

	/* Only the given bytes count, not what follows them. */
	CHECK_INT(val_double("12.5e", 4, &v, NULL), VAL_OK);
	CHECK(v == 12.5);
	memset(big, '1', sizeof big);
	CHECK_INT(val_double(big, sizeof big, &v, NULL), VAL_BAD);
	CHECK_INT(val_double(big, 300, &v, NULL), VAL_OK);
	CHECK(v > 1e299);
}

/* Decimals of up to 17 digits with the point anywhere, signed or not:
 * each the same double, to the bit, as strtod gives. */
static void test_double_bits(void)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;
	int differ = 0;

	for (int k = 0; k < 200000; k++) {
		char s[24];
		size_t n = 0, digits;
		double got = 0, want;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		digits = 1 + x % 17;
		if (x >> 60 == 1)
			s[n++] = '-';
		else if (x >> 60 == 2)
			s[n++] = '+';
		for (size_t d = 0; d < digits; d++) {
			if (d == (x >> 8) % (digits + 1))
				s[n++] = '.';
			s[n++] = (char)('0' + (x >> (16 + 2 * d)) % 10);
		}
		s[n] = '\0';
		want = strtod(s, NULL);
		if (val_double(s, n, &got, NULL) != VAL_OK ||
		    memcmp(&got, &want, sizeof got) != 0) {
			if (differ++ < 3)
				CHECK_STR(s, "a number converted as strtod does");
		}
	}
	CHECK_INT(differ, 0);
}

static void test_counts(void)
{
	static const struct {
		const char *in;
		int rc;
		long long want;
		const char *why;
	} cases[] = {
		{ "23", VAL_OK, 23, NULL },
		{ "23.0", VAL_OK, 23, NULL },
		{ "23.000", VAL_OK, 23, NULL },
		{ "0", VAL_OK, 0, NULL },
		{ "-2", VAL_OK, -2, NULL },
		{ "-0", VAL_OK, 0, NULL },
		{ "9223372036854775807", VAL_OK, 9223372036854775807LL, NULL },
		{ "-9223372036854775808", VAL_OK, -9223372036854775807LL - 1,
		  NULL },
		{ "", VAL_EMPTY, 0, NULL },
		{ "1.5", VAL_BAD, 0, "not an integer" },
		{ "23.01", VAL_BAD, 0, "not an integer" },
		{ "1e3", VAL_BAD, 0, "not an integer" },
		{ ".0", VAL_BAD, 0, "not an integer" },
		{ "+5", VAL_BAD, 0, "not an integer" },
		{ "many", VAL_BAD, 0, "not a number" },
		{ " 23", VAL_BAD, 0, "not a number" },
		{ "2 3", VAL_BAD, 0, "not a number" },
		{ "9223372036854775808", VAL_BAD, 0, "integer out of range" },
		{ "-9223372036854775809", VAL_BAD, 0, "integer out of range" },
		{ "99999999999999999999", VAL_BAD, 0, "integer out of range" },
	};

	for (size_t i = 0; i < N_CASES(cases); i++) {
		const char *why = NULL;
		int64_t v = -99;
		int rc = val_count(cases[i].in, strlen(cases[i].in), &v, &why);

		CHECK_STR(rc_name(rc), rc_name(cases[i].rc));
		if (rc == VAL_OK)
			CHECK_INT(v, cases[i].want);
		if (rc == VAL_BAD)
			CHECK_STR(why, cases[i].why);
	}
}

static void test_flags(void)
{
	static const struct {
		const char *in;
		int rc, want;
	} cases[] = {
		{ "t", VAL_OK, 1 }, { "f", VAL_OK, 0 }, { "", VAL_EMPTY, 0 },
		{ "T", VAL_BAD, 0 }, { "true", VAL_BAD, 0 }, { "1", VAL_BAD, 0 },
		{ "0", VAL_BAD, 0 }, { "tf", VAL_BAD, 0 }, { " t", VAL_BAD, 0 },
	};

	for (size_t i = 0; i < N_CASES(cases); i++) {
		const char *why = NULL;
		int v = -1;
		int rc = val_flag(cases[i].in, strlen(cases[i].in), &v, &why);

		CHECK_STR(rc_name(rc), rc_name(cases[i].rc));
		if (rc == VAL_OK)
			CHECK_INT(v, cases[i].want);
		if (rc == VAL_BAD)
			CHECK_STR(why, "not t or f");
	}
}

static void test_coordinates(void)
{
	static const struct {
		const char *in;
		int lat_rc, lon_rc;
		double want;
	} cases[] = {
		{ "90", VAL_OK, VAL_OK, 90 },
		{ "-90.0", VAL_OK, VAL_OK, -90 },
		{ "90.0001", VAL_BAD, VAL_OK, 90.0001 },
		{ "-90.0001", VAL_BAD, VAL_OK, -90.0001 },
		{ "40.6892", VAL_OK, VAL_OK, 40.6892 },
		{ "180", VAL_BAD, VAL_OK, 180 },
		{ "-180.0", VAL_BAD, VAL_OK, -180 },
		{ "180.000001", VAL_BAD, VAL_BAD, 0 },
		{ "-74.0445", VAL_OK, VAL_OK, -74.0445 },
		{ "", VAL_EMPTY, VAL_EMPTY, 0 },
		{ "north", VAL_BAD, VAL_BAD, 0 },
	};

	for (size_t i = 0; i < N_CASES(cases); i++) {
		const char *in = cases[i].in, *why = NULL;
		double v = -999;
		int rc = val_latitude(in, strlen(in), &v, &why);

		CHECK_STR(rc_name(rc), rc_name(cases[i].lat_rc));
		if (rc == VAL_OK)
			CHECK(v == cases[i].want);
		if (rc == VAL_BAD)
			CHECK_STR(why, strcmp(in, "north") ?
				  "latitude out of range" : "not a number");
		v = -999;
		rc = val_longitude(in, strlen(in), &v, &why);
		CHECK_STR(rc_name(rc), rc_name(cases[i].lon_rc));
		if (rc == VAL_OK)
			CHECK(v == cases[i].want);
		if (rc == VAL_BAD)
			CHECK_STR(why, strcmp(in, "north") ?
				  "longitude out of range" : "not a number");
	}
}

static void test_ids(void)
{
	static const struct {
		const char *in;
		int rc;
		const char *want;
	} cases[] = {
		{ "abc", VAL_OK, "abc" },
		{ "\"abc\"", VAL_OK, "abc" },
		{ "\"7342bd01a2a7b3d6\"", VAL_OK, "7342bd01a2a7b3d6" },
		{ "\"abc", VAL_OK, "\"abc" },
		{ "abc\"", VAL_OK, "abc\"" },
		/* exactly one pair goes: a doubled pair keeps the inner one */
		{ "\"\"abc\"\"", VAL_OK, "\"abc\"" },
		{ "\"\"\"\"", VAL_OK, "\"\"" },
		{ "\"", VAL_OK, "\"" },
		{ "\"\"", VAL_EMPTY, NULL },
		{ "", VAL_EMPTY, NULL },
	};

	for (size_t i = 0; i < N_CASES(cases); i++) {
		const char *in = cases[i].in, *id = NULL;
		size_t len = 0;
		int rc = val_id(in, strlen(in), &id, &len);
		char got[64];

		CHECK_STR(rc_name(rc), rc_name(cases[i].rc));
		if (rc != VAL_OK)
			continue;
		CHECK(id >= in && id + len <= in + strlen(in));
		snprintf(got, sizeof got, "%.*s", (int)len, id);
		CHECK_STR(got, cases[i].want);
	}
}

static void test_utf8(void)
{
	static const struct {
		const char *in;
		size_t n;
		int valid;
		const char *repaired;
	} cases[] = {
		{ "", 0, 1, "" },
		{ "plain ascii, long enough for a word", 35, 1,
		  "plain ascii, long enough for a word" },
		{ "caf\xc3\xa9", 5, 1, "caf\xc3\xa9" },
		{ "\xe2\x82\xac 5", 5, 1, "\xe2\x82\xac 5" },
		{ "\xf0\x9f\x98\x80", 4, 1, "\xf0\x9f\x98\x80" },
		{ "\xf4\x8f\xbf\xbf", 4, 1, "\xf4\x8f\xbf\xbf" },
		{ "\xed\x9f\xbf", 3, 1, "\xed\x9f\xbf" },
		{ "a\0b", 3, 1, "a\0b" },
		/* Latin-1 */
		{ "Caf\xe9", 4, 0, "Caf\xef\xbf\xbd" },
		{ "Caf\xe9 au lait", 12, 0, "Caf\xef\xbf\xbd au lait" },
		{ "\xe9t\xe9", 3, 0, "\xef\xbf\xbdt\xef\xbf\xbd" },
		/* overlong forms */
		{ "\xc0\x80", 2, 0, "\xef\xbf\xbd\xef\xbf\xbd" },
		{ "\xc1\xbf", 2, 0, "\xef\xbf\xbd\xef\xbf\xbd" },
		{ "\xe0\x80\x80", 3, 0,
		  "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "\xf0\x8f\xbf\xbf", 4, 0,
		  "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		/* surrogates */
		{ "\xed\xa0\x80", 3, 0,
		  "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		/* above U+10FFFF, and bytes that never start anything */
		{ "\xf4\x90\x80\x80", 4, 0,
		  "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "\xf5\xff", 2, 0, "\xef\xbf\xbd\xef\xbf\xbd" },
		{ "x\x80y", 3, 0, "x\xef\xbf\xbdy" },
		/* truncated sequences: one replacement each */
		{ "\xe2\x82", 2, 0, "\xef\xbf\xbd" },
		{ "\xe2\x82x", 3, 0, "\xef\xbf\xbdx" },
		{ "\xf0\x9f\x98", 3, 0, "\xef\xbf\xbd" },
		{ "\xf0\x9f\x98\xc3\xa9", 5, 0, "\xef\xbf\xbd\xc3\xa9" },
		{ "ok\xc3", 3, 0, "ok\xef\xbf\xbd" },
		/* the mix Python's decode(errors="replace") gives 14 U+FFFD for */
		{ "\xed\xa0\x80\xc0\x80\xe0\x80\x80\xe2\x82\xf4\x90\x80\x80"
		  "\xf0\x9f\x98", 17, 0,
		  "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
		  "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
		  "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
	};

	for (size_t i = 0; i < N_CASES(cases); i++) {
		buf b = BUF_INIT;
		size_t want = strlen(cases[i].repaired);

		if (cases[i].valid)
			want = cases[i].n;
		CHECK_INT(val_utf8_valid(cases[i].in, cases[i].n),
			  cases[i].valid);
		buf_puts(&b, "<");
		val_utf8_repair(cases[i].in, cases[i].n, &b);
		CHECK_INT(b.len, want + 1);
		CHECK(b.len == want + 1 &&
		      !memcmp(b.data + 1, cases[i].repaired, want));
		CHECK_INT(val_utf8_valid(b.data, b.len), 1);
		buf_free(&b);
	}
}

static void test_utf8_long(void)
{
	/* Bad bytes at every offset of a text longer than the 8-byte scan. */
	char text[40];
	buf b = BUF_INIT;

	for (size_t at = 0; at < sizeof text; at++) {
		memset(text, 'a', sizeof text);
		text[at] = (char)0xe9;
		CHECK_INT(val_utf8_valid(text, sizeof text), 0);
		buf_reset(&b);
		val_utf8_repair(text, sizeof text, &b);
		CHECK_INT(b.len, sizeof text + 2);
		CHECK(!memcmp(b.data + at, "\xef\xbf\xbd", 3));
	}
	buf_free(&b);
}

static void test_kind_of_type(void)
{
	static const struct {
		const char *type;
		int want;
	} cases[] = {
		{ "TEXT", VAL_KIND_TEXT },
		{ "ID TEXT", VAL_KIND_ID },
		{ "DATE TEXT", VAL_KIND_DATE },
		{ "REAL", VAL_KIND_DOUBLE },
		{ "INTEGER", VAL_KIND_COUNT },
		{ "BOOLEAN", VAL_KIND_FLAG },
		{ "LATITUDE REAL", VAL_KIND_LAT },
		{ "LONGITUDE REAL", VAL_KIND_LON },
		/* case does not matter */
		{ "text", VAL_KIND_TEXT },
		{ "Id Text", VAL_KIND_ID },
		{ "date text", VAL_KIND_DATE },
		{ "real", VAL_KIND_DOUBLE },
		{ "Integer", VAL_KIND_COUNT },
		{ "boolean", VAL_KIND_FLAG },
		{ "latitude REAL", VAL_KIND_LAT },
		{ "LONGITUDE real", VAL_KIND_LON },
		/* anything else is not a kind: the whole text must match */
		{ "", -1 },
		{ "VARCHAR", -1 },
		{ "INT", -1 },
		{ "BLOB", -1 },
		{ "TEXT ", -1 },
		{ " TEXT", -1 },
		{ "ID  TEXT", -1 },
		{ "ID", -1 },
		{ "DATE", -1 },
		{ "LATITUDE", -1 },
		{ "REAL LATITUDE", -1 },
		{ "TEXTS", -1 },
	};

	for (size_t i = 0; i < N_CASES(cases); i++) {
		int got = val_kind_of_type(cases[i].type);

		CHECK_INT(got, cases[i].want);
		if (got != cases[i].want)
			fprintf(stderr, "  type: '%s'\n", cases[i].type);
	}
	CHECK_INT(val_kind_of_type(NULL), -1);
}

/* Every column of the staging tables has a type the loader converts. */
static void test_staging_types(void)
{
	static const struct {
		const char *table, *column;
		int kind;
	} samples[] = {
		{ "new_projects", "projectid", VAL_KIND_ID },
		{ "new_projects", "school_latitude", VAL_KIND_LAT },
		{ "new_projects", "school_longitude", VAL_KIND_LON },
		{ "new_projects", "school_charter", VAL_KIND_FLAG },
		{ "new_projects", "students_reached", VAL_KIND_COUNT },
		{ "new_projects", "date_posted", VAL_KIND_DATE },
		{ "new_projects", "school_city", VAL_KIND_TEXT },
		{ "new_donations", "donation_total", VAL_KIND_DOUBLE },
		{ "new_resources", "item_quantity", VAL_KIND_COUNT },
	};
	static const char *const tables[] = {
		"new_projects", "new_donations", "new_resources"
	};
	static const int ncols[] = { 44, 23, 8 };
	const char *sql = embed_text("staging.sql");
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;

	CHECK(sql != NULL);
	if (!sql)
		return;
	CHECK_INT(sqlite3_open(":memory:", &db), SQLITE_OK);
	CHECK_INT(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	CHECK_INT(sqlite3_prepare_v2(db, "SELECT name, type FROM "
				     "pragma_table_info(?1) ORDER BY cid",
				     -1, &st, NULL), SQLITE_OK);
	for (size_t t = 0; t < N_CASES(tables); t++) {
		int n = 0, fp_last = 0;

		sqlite3_bind_text(st, 1, tables[t], -1, SQLITE_STATIC);
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *name = (const char *)sqlite3_column_text(st, 0);
			const char *type = (const char *)sqlite3_column_text(st, 1);
			int kind = val_kind_of_type(type);

			fp_last = !strcmp(name, "fp");
			if (fp_last)
				continue;
			n++;
			CHECK(kind >= 0);
			if (kind < 0)
				fprintf(stderr, "  %s.%s: '%s'\n", tables[t],
					name, type);
			for (size_t k = 0; k < N_CASES(samples); k++)
				if (!strcmp(samples[k].table, tables[t]) &&
				    !strcmp(samples[k].column, name))
					CHECK_INT(kind, samples[k].kind);
		}
		sqlite3_reset(st);
		CHECK_INT(n, ncols[t]);
		CHECK(fp_last); /* fp comes last */
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* A cell's type, by name, so that failures read well. */
static const char *type_name(int type)
{
	return type == VAL_NULL ? "null" : type == VAL_INT ? "int"
		: type == VAL_REAL ? "real" : type == VAL_TEXT ? "text" : "?";
}

static const char *convert_rc_name(int rc)
{
	return rc == VAL_FIXED ? "fixed" : rc_name(rc);
}

#define TEXT_BEFORE "pre" /* what the text buffer holds before a convert */

static void test_convert(void)
{
	static const struct {
		enum val_kind kind;
		const char *in;
		size_t n;          /* 0: strlen(in) */
		int rc;
		int type;          /* enum val_type */
		long long i;       /* VAL_INT */
		double d;          /* VAL_REAL */
		const char *text;  /* VAL_TEXT: the cell's bytes; else *why */
		size_t text_len;   /* 0: strlen(text) */
	} cases[] = {
		/* TEXT: kept as it is when valid, repaired when not */
		{ VAL_KIND_TEXT, "hello", 0, VAL_OK, VAL_TEXT, 0, 0, "hello", 0 },
		{ VAL_KIND_TEXT, "\"quoted\"", 0, VAL_OK, VAL_TEXT, 0, 0,
		  "\"quoted\"", 0 },
		{ VAL_KIND_TEXT, "caf\xc3\xa9", 0, VAL_OK, VAL_TEXT, 0, 0,
		  "caf\xc3\xa9", 0 },
		{ VAL_KIND_TEXT, "a\0b", 3, VAL_OK, VAL_TEXT, 0, 0, "a\0b", 3 },
		{ VAL_KIND_TEXT, " 12 ", 0, VAL_OK, VAL_TEXT, 0, 0, " 12 ", 0 },
		{ VAL_KIND_TEXT, "Caf\xe9", 0, VAL_FIXED, VAL_TEXT, 0, 0,
		  "Caf\xef\xbf\xbd", 0 },
		{ VAL_KIND_TEXT, "\xe9t\xe9", 0, VAL_FIXED, VAL_TEXT, 0, 0,
		  "\xef\xbf\xbdt\xef\xbf\xbd", 0 },
		{ VAL_KIND_TEXT, "ok\xc3", 0, VAL_FIXED, VAL_TEXT, 0, 0,
		  "ok\xef\xbf\xbd", 0 },
		{ VAL_KIND_TEXT, "", 0, VAL_EMPTY, VAL_NULL, 0, 0, NULL, 0 },
		/* ID: one pair of quotes dropped */
		{ VAL_KIND_ID, "abc", 0, VAL_OK, VAL_TEXT, 0, 0, "abc", 0 },
		{ VAL_KIND_ID, "\"7342bd01a2a7b3d6\"", 0, VAL_OK, VAL_TEXT, 0, 0,
		  "7342bd01a2a7b3d6", 0 },
		{ VAL_KIND_ID, "\"abc", 0, VAL_OK, VAL_TEXT, 0, 0, "\"abc", 0 },
		{ VAL_KIND_ID, "\"\"", 0, VAL_EMPTY, VAL_NULL, 0, 0, NULL, 0 },
		{ VAL_KIND_ID, "", 0, VAL_EMPTY, VAL_NULL, 0, 0, NULL, 0 },
		/* DATE: ISO 8601 */
		{ VAL_KIND_DATE, "2011-04-14", 0, VAL_OK, VAL_TEXT, 0, 0,
		  "2011-04-14T00:00:00", 0 },
		{ VAL_KIND_DATE, "2011-04-14 10:11:12.5", 0, VAL_OK, VAL_TEXT,
		  0, 0, "2011-04-14T10:11:12.500000", 0 },
		{ VAL_KIND_DATE, "2011-04-14T10:11:12.000", 0, VAL_OK, VAL_TEXT,
		  0, 0, "2011-04-14T10:11:12", 0 },
		{ VAL_KIND_DATE, "2011-02-30", 0, VAL_BAD, VAL_NULL, 0, 0,
		  "date does not exist", 0 },
		{ VAL_KIND_DATE, "2011-04-14 25:00:00", 0, VAL_BAD, VAL_NULL, 0,
		  0, "time does not exist", 0 },
		{ VAL_KIND_DATE, "April 14", 0, VAL_BAD, VAL_NULL, 0, 0,
		  "not a date", 0 },
		{ VAL_KIND_DATE, "", 0, VAL_EMPTY, VAL_NULL, 0, 0, NULL, 0 },
		/* REAL */
		{ VAL_KIND_DOUBLE, "-1.5", 0, VAL_OK, VAL_REAL, 0, -1.5, NULL, 0 },
		{ VAL_KIND_DOUBLE, "23", 0, VAL_OK, VAL_REAL, 0, 23, NULL, 0 },
		{ VAL_KIND_DOUBLE, "2.5e3", 0, VAL_OK, VAL_REAL, 0, 2500, NULL, 0 },
		{ VAL_KIND_DOUBLE, "12,5", 0, VAL_BAD, VAL_NULL, 0, 0,
		  "not a number", 0 },
		{ VAL_KIND_DOUBLE, "1e400", 0, VAL_BAD, VAL_NULL, 0, 0,
		  "number out of range", 0 },
		{ VAL_KIND_DOUBLE, "", 0, VAL_EMPTY, VAL_NULL, 0, 0, NULL, 0 },
		/* INTEGER */
		{ VAL_KIND_COUNT, "23", 0, VAL_OK, VAL_INT, 23, 0, NULL, 0 },
		{ VAL_KIND_COUNT, "23.0", 0, VAL_OK, VAL_INT, 23, 0, NULL, 0 },
		{ VAL_KIND_COUNT, "-9223372036854775808", 0, VAL_OK, VAL_INT,
		  -9223372036854775807LL - 1, 0, NULL, 0 },
		{ VAL_KIND_COUNT, "1.5", 0, VAL_BAD, VAL_NULL, 0, 0,
		  "not an integer", 0 },
		{ VAL_KIND_COUNT, "many", 0, VAL_BAD, VAL_NULL, 0, 0,
		  "not a number", 0 },
		{ VAL_KIND_COUNT, "9223372036854775808", 0, VAL_BAD, VAL_NULL, 0,
		  0, "integer out of range", 0 },
		{ VAL_KIND_COUNT, "", 0, VAL_EMPTY, VAL_NULL, 0, 0, NULL, 0 },
		/* BOOLEAN */
		{ VAL_KIND_FLAG, "t", 0, VAL_OK, VAL_INT, 1, 0, NULL, 0 },
		{ VAL_KIND_FLAG, "f", 0, VAL_OK, VAL_INT, 0, 0, NULL, 0 },
		{ VAL_KIND_FLAG, "true", 0, VAL_BAD, VAL_NULL, 0, 0,
		  "not t or f", 0 },
		{ VAL_KIND_FLAG, "1", 0, VAL_BAD, VAL_NULL, 0, 0, "not t or f", 0 },
		{ VAL_KIND_FLAG, "", 0, VAL_EMPTY, VAL_NULL, 0, 0, NULL, 0 },
		/* LATITUDE REAL */
		{ VAL_KIND_LAT, "40.6892", 0, VAL_OK, VAL_REAL, 0, 40.6892, NULL,
		  0 },
		{ VAL_KIND_LAT, "-90", 0, VAL_OK, VAL_REAL, 0, -90, NULL, 0 },
		{ VAL_KIND_LAT, "90.5", 0, VAL_BAD, VAL_NULL, 0, 0,
		  "latitude out of range", 0 },
		{ VAL_KIND_LAT, "-74.0445", 0, VAL_OK, VAL_REAL, 0, -74.0445,
		  NULL, 0 },
		{ VAL_KIND_LAT, "north", 0, VAL_BAD, VAL_NULL, 0, 0,
		  "not a number", 0 },
		{ VAL_KIND_LAT, "", 0, VAL_EMPTY, VAL_NULL, 0, 0, NULL, 0 },
		/* LONGITUDE REAL */
		{ VAL_KIND_LON, "-74.0445", 0, VAL_OK, VAL_REAL, 0, -74.0445,
		  NULL, 0 },
		{ VAL_KIND_LON, "180", 0, VAL_OK, VAL_REAL, 0, 180, NULL, 0 },
		{ VAL_KIND_LON, "-180.5", 0, VAL_BAD, VAL_NULL, 0, 0,
		  "longitude out of range", 0 },
		{ VAL_KIND_LON, "west", 0, VAL_BAD, VAL_NULL, 0, 0,
		  "not a number", 0 },
		{ VAL_KIND_LON, "", 0, VAL_EMPTY, VAL_NULL, 0, 0, NULL, 0 },
	};

	for (size_t i = 0; i < N_CASES(cases); i++) {
		const char *in = cases[i].in;
		size_t n = cases[i].n ? cases[i].n : strlen(in);
		size_t before = strlen(TEXT_BEFORE);
		const char *why = "untouched";
		buf text = BUF_INIT;
		/* garbage that a conversion must overwrite */
		val_cell c = { VAL_INT, 77, { .i = 77 } };
		int rc;

		buf_puts(&text, TEXT_BEFORE);
		rc = val_convert(cases[i].kind, in, n, &c, &text, &why);
		CHECK_STR(convert_rc_name(rc), convert_rc_name(cases[i].rc));
		CHECK_STR(type_name(c.type), type_name(cases[i].type));
		if (rc != cases[i].rc || c.type != cases[i].type)
			fprintf(stderr, "  kind %d, input '%s'\n",
				(int)cases[i].kind, in);
		if (cases[i].type == VAL_INT && c.type == VAL_INT)
			CHECK_INT(c.v.i, cases[i].i);
		if (cases[i].type == VAL_REAL && c.type == VAL_REAL)
			CHECK(c.v.d == cases[i].d);
		if (cases[i].type == VAL_TEXT && c.type == VAL_TEXT) {
			size_t want = cases[i].text_len ? cases[i].text_len
				: strlen(cases[i].text);

			/* appended after what the buffer held */
			CHECK_INT(c.v.off, before);
			CHECK_INT(c.len, want);
			CHECK_INT(text.len, before + want);
			CHECK(text.len == before + want &&
			      !memcmp(text.data + c.v.off, cases[i].text, want));
			CHECK(!memcmp(text.data, TEXT_BEFORE, before));
		} else {
			CHECK_INT(text.len, before); /* nothing appended */
		}
		if (rc == VAL_BAD)
			CHECK_STR(why, cases[i].text);
		if (rc == VAL_FIXED)
			CHECK_STR(why, "invalid UTF-8, replaced by U+FFFD");
		if (rc == VAL_OK)
			CHECK_STR(why, "untouched");
		buf_free(&text);
	}
}

static void test_convert_slices(void)
{
	/* The fields of a record, converted in place, one after another
	 * into one buffer, as the loader does. */
	const char *rec = "\"p1\",2011-04-14,23.0,Caf\xe9,t,1.5";
	buf text = BUF_INIT;
	val_cell c[6];
	const char *why = NULL;

	CHECK_INT(val_convert(VAL_KIND_ID, rec, 4, &c[0], &text, NULL), VAL_OK);
	CHECK_INT(val_convert(VAL_KIND_DATE, rec + 5, 10, &c[1], &text, NULL),
		  VAL_OK);
	CHECK_INT(val_convert(VAL_KIND_COUNT, rec + 16, 4, &c[2], &text, NULL),
		  VAL_OK);
	CHECK_INT(val_convert(VAL_KIND_TEXT, rec + 21, 4, &c[3], &text, &why),
		  VAL_FIXED);
	CHECK_INT(val_convert(VAL_KIND_FLAG, rec + 26, 1, &c[4], &text, NULL),
		  VAL_OK);
	/* without a why to fill */
	CHECK_INT(val_convert(VAL_KIND_COUNT, rec + 28, 3, &c[5], &text, NULL),
		  VAL_BAD);
	CHECK_STR(text.data, "p1" "2011-04-14T00:00:00" "Caf\xef\xbf\xbd");
	CHECK_INT(c[0].v.off, 0);
	CHECK_INT(c[0].len, 2);
	CHECK_INT(c[1].v.off, 2);
	CHECK_INT(c[1].len, 19);
	CHECK_INT(c[2].type, VAL_INT);
	CHECK_INT(c[2].v.i, 23);
	CHECK_INT(c[3].v.off, 21);
	CHECK_INT(c[3].len, 6);
	CHECK_INT(c[4].v.i, 1);
	CHECK_INT(c[5].type, VAL_NULL);
	buf_free(&text);
}

int main(void)
{
	test_dates();
	test_date_not_terminated();
	test_doubles();
	test_double_limits();
	test_double_bits();
	test_counts();
	test_flags();
	test_coordinates();
	test_ids();
	test_utf8();
	test_utf8_long();
	test_kind_of_type();
	test_staging_types();
	test_convert();
	test_convert_slices();
	return check_summary();
}
