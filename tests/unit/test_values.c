/*
 * test_values.c - value parsing: dates, numbers, counts, flags,
 * coordinates, ids, and UTF-8 checking and repair.
 */
#include "buf.h"
#include "check.h"
#include "values.h"

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

int main(void)
{
	test_dates();
	test_date_not_terminated();
	test_doubles();
	test_double_limits();
	test_counts();
	test_flags();
	test_coordinates();
	test_ids();
	test_utf8();
	test_utf8_long();
	return check_summary();
}
