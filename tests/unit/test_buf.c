/*
 * test_buf.c - numbers written as SQLite writes them: buf_put_int on the
 * int64 bounds, buf_put_decimal on named cases (what it writes, or 0 for
 * a value it leaves to sqlite3_snprintf), then sweeps where every value
 * it takes must come out as SQLite's "%!0.15g" does, and prices (cents up
 * to a million, every 97th) must all be taken.
 */
#include "buf.h"
#include "check.h"

#include <math.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>

#define N_CASES(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	int64_t v;
	const char *want;
} int_cases[] = {
	{ 0, "0" },
	{ 7, "7" },
	{ -1, "-1" },
	{ 1234567890123, "1234567890123" },
	{ INT64_MAX, "9223372036854775807" },
	{ INT64_MIN, "-9223372036854775808" },
};

/* want NULL: buf_put_decimal leaves the value to SQLite. */
static const struct {
	double v;
	const char *want;
} decimal_cases[] = {
	{ 30, "30.0" },
	{ 21.01, "21.01" },
	{ -74.006, "-74.006" },
	{ 0.5, "0.5" },
	{ 0.0001, "0.0001" },
	{ 1612.92, "1612.92" },
	{ 40.712776, "40.712776" },
	{ 99999999999999.0, "99999999999999.0" },
	{ 12345678.123456, "12345678.123456" },
	{ 0.1, "0.1" },
	{ 1e-5, NULL },                        /* SQLite: 1.0e-05 */
	{ 1e14, NULL },                        /* SQLite's exponent range */
	{ 1e20, NULL },
	{ 0, NULL },                           /* SQLite: 0.0 */
	{ 0.1234567, NULL },                   /* 7 places */
	{ 1.0 / 3.0, NULL },
	{ 123456789.1234567, NULL },
};

static void check_ints(void)
{
	for (size_t i = 0; i < N_CASES(int_cases); i++) {
		buf b = BUF_INIT;

		buf_put_int(&b, int_cases[i].v);
		CHECK_STR(b.data, int_cases[i].want);
		buf_free(&b);
	}
}

static void check_decimal_cases(void)
{
	for (size_t i = 0; i < N_CASES(decimal_cases); i++) {
		buf b = BUF_INIT;
		int took = buf_put_decimal(&b, decimal_cases[i].v);

		if (decimal_cases[i].want) {
			CHECK_INT(took, 1);
			CHECK_STR(b.data, decimal_cases[i].want);
		} else {
			CHECK_INT(took, 0);
			CHECK_INT(b.len, 0);
		}
		buf_free(&b);
	}
	CHECK_INT(buf_put_decimal(&(buf)BUF_INIT, NAN), 0);
	CHECK_INT(buf_put_decimal(&(buf)BUF_INIT, INFINITY), 0);
}

/* 1 when v is not taken, or is written as SQLite writes it. */
static int same_as_sqlite(double v, int *took)
{
	char want[64];
	buf b = BUF_INIT;
	int ok;

	*took = buf_put_decimal(&b, v);
	sqlite3_snprintf(sizeof want, want, "%!0.15g", v);
	ok = !*took || !strcmp(b.data, want);
	if (!ok)
		fprintf(stderr, "%.17g: got %s, SQLite writes %s\n", v, b.data,
			want);
	buf_free(&b);
	return ok;
}

/* Every k / 10^places for k below a bound, and random doubles of every
 * magnitude: no difference from SQLite anywhere. */
static void check_sweeps(void)
{
	static const double pow10[] = { 1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6 };
	long bad = 0, prices_missed = 0;
	int took;

	for (int64_t k = 1; k <= 100000000; k += 97) {
		double v = (double)k / 100;

		bad += !same_as_sqlite(v, &took) + !same_as_sqlite(-v, &took);
		prices_missed += !took;
	}
	srand(7);
	for (int i = 0; i < 200000; i++) {
		int places = rand() % 7;
		int64_t k = ((int64_t)rand() << 20 | rand()) % 1000000000000000;
		double r = ldexp((double)rand() / RAND_MAX, rand() % 120 - 60);

		bad += !same_as_sqlite((double)k / pow10[places], &took);
		bad += !same_as_sqlite(r, &took);
	}
	CHECK_INT(bad, 0);
	CHECK_INT(prices_missed, 0);
}

int main(void)
{
	check_ints();
	check_decimal_cases();
	check_sweeps();
	return check_summary();
}
