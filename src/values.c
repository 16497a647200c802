/*
 * values.c - parsing the dump's field values (see values.h).
 *
 * These run on every field of millions of rows, so they scan the bytes by
 * hand rather than through sscanf or regular expressions, and allocate
 * nothing.
 */
#include "values.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NUM_MAX 400 /* longest number text converted (DBL_MAX has 309 digits) */

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int bad(const char **why, const char *reason)
{
	if (why)
		*why = reason;
	return VAL_BAD;
}

/* ---- dates ---- */

/* The value of n digits at s, or -1 when one of them is not a digit. */
static int digits(const char *s, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int days_in_month(int year, int month)
{
	static const unsigned char days[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	int leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);

	return month == 2 && leap ? 29 : days[month - 1];
}

/* YYYY-MM-DD at s (10 bytes): 0, -1 when malformed, -2 when impossible. */
static int check_day(const char *s)
{
	int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);

	if (y < 0 || m < 0 || d < 0 || s[4] != '-' || s[7] != '-')
		return -1;
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return -2;
	return 0;
}

/* HH:MM:SS at s (8 bytes): 0, -1 when malformed, -2 when impossible. */
static int check_time(const char *s)
{
	int h = digits(s, 2), m = digits(s + 3, 2), sec = digits(s + 6, 2);

	if (h < 0 || m < 0 || sec < 0 || s[2] != ':' || s[5] != ':')
		return -1;
	if (h > 23 || m > 59 || sec > 59)
		return -2;
	return 0;
}

/* The fraction's digits after the dot (1 to 6): the number of nonzero
 * digits seen, or -1 when one is not a digit. */
static int check_fraction(const char *s, size_t n)
{
	int nonzero = 0;

	for (size_t i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return -1;
		nonzero += s[i] != '0';
	}
	return nonzero;
}

int val_date(const char *s, size_t n, char out[VAL_DATE_MAX], size_t *outlen,
	     const char **why)
{
	size_t len = 19;
	int rc, nonzero = 0;

	if (n == 0)
		return VAL_EMPTY;
	if (n != 10 && n != 19 && (n < 21 || n > 26))
		return bad(why, "not a date");
	rc = check_day(s);
	if (rc == 0 && n > 10) {
		if (s[10] != ' ' && s[10] != 'T')
			return bad(why, "not a date");
		rc = check_time(s + 11);
	}
	if (rc == 0 && n > 19) {
		nonzero = s[19] == '.' ? check_fraction(s + 20, n - 20) : -1;
		rc = nonzero < 0 ? -1 : 0;
	}
	if (rc == -1)
		return bad(why, "not a date");
	if (rc == -2)
		return bad(why, n > 10 && check_day(s) == 0 ?
			   "time does not exist" : "date does not exist");
	memcpy(out, s, 10);
	out[10] = 'T';
	memcpy(out + 11, n > 10 ? s + 11 : "00:00:00", 8);
	if (nonzero) {
		out[19] = '.';
		memcpy(out + 20, s + 20, n - 20);
		memset(out + n, '0', 26 - n);
		len = 26;
	}
	out[len] = '\0';
	*outlen = len;
	return VAL_OK;
}

/* ---- numbers ---- */

/* 1 when s is [+-]digits[.digits][(e|E)[+-]digits] with at least one digit
 * before the exponent. */
static int number_syntax(const char *s, size_t n)
{
	size_t i = 0, mant = 0;

	if (i < n && (s[i] == '+' || s[i] == '-'))
		i++;
	for (; i < n && is_digit(s[i]); i++)
		mant++;
	if (i < n && s[i] == '.')
		for (i++; i < n && is_digit(s[i]); i++)
			mant++;
	if (!mant)
		return 0;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		size_t exp = 0;

		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		for (; i < n && is_digit(s[i]); i++)
			exp++;
		if (!exp)
			return 0;
	}
	return i == n;
}

/* A decimal without exponent of at most 15 digits, the dump's prices and
 * coordinates, is m / 10^k with m and 10^k both exact doubles, and the
 * one division rounds as strtod does (Clinger's fast path).  strtod was
 * 5.7% of a load's instructions; with this the load runs 5% fewer
 * (callgrind, scale 0.01).  0 for any other number, which strtod
 * converts.  Only where doubles are computed without excess precision. */
static int decimal_fast(const char *s, size_t n, double *out)
{
#if FLT_EVAL_METHOD == 0
	static const double pow10[] = {
		1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
		1e12, 1e13, 1e14, 1e15,
	};
	uint64_t m = 0;
	size_t i = s[0] == '-' || s[0] == '+', ndigit = 0, frac = 0;
	int dot = 0;
	double v;

	for (; i < n; i++) {
		if (is_digit(s[i])) {
			if (++ndigit > 15)
				return 0;
			m = m * 10 + (uint64_t)(s[i] - '0');
			frac += (size_t)dot;
		} else if (s[i] == '.' && !dot) {
			dot = 1;
		} else {
			return 0;
		}
	}
	if (!ndigit)
		return 0;
	v = (double)m / pow10[frac];
	*out = s[0] == '-' ? -v : v;
	return 1;
#else
	(void)s;
	(void)n;
	(void)out;
	return 0;
#endif
}

int val_double(const char *s, size_t n, double *out, const char **why)
{
	char tmp[NUM_MAX + 1];
	char *end;
	double v;

	if (n == 0)
		return VAL_EMPTY;
	if (!number_syntax(s, n))
		return bad(why, "not a number");
	if (decimal_fast(s, n, out))
		return VAL_OK;
	if (n > NUM_MAX)
		return bad(why, "number too long");
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	v = strtod(tmp, &end);
	if (end != tmp + n)
		return bad(why, "not a number");
	if (!isfinite(v))
		return bad(why, "number out of range");
	*out = v;
	return VAL_OK;
}

int val_count(const char *s, size_t n, int64_t *out, const char **why)
{
	uint64_t v = 0, limit = (uint64_t)INT64_MAX;
	size_t i = 0;
	int neg = 0;

	if (n == 0)
		return VAL_EMPTY;
	if (!number_syntax(s, n))
		return bad(why, "not a number");
	if (s[0] == '-') {
		neg = 1;
		limit++;
		i++;
	}
	if (i == n || !is_digit(s[i]))
		return bad(why, "not an integer");
	for (; i < n && is_digit(s[i]); i++) {
		unsigned d = (unsigned)(s[i] - '0');

		if (v > (limit - d) / 10)
			return bad(why, "integer out of range");
		v = v * 10 + d;
	}
	if (i < n && s[i] == '.')
		for (i++; i < n && s[i] == '0'; i++)
			;
	if (i != n)
		return bad(why, "not an integer");
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return VAL_OK;
}

int val_flag(const char *s, size_t n, int *out, const char **why)
{
	if (n == 0)
		return VAL_EMPTY;
	if (n == 1 && (s[0] == 't' || s[0] == 'f')) {
		*out = s[0] == 't';
		return VAL_OK;
	}
	return bad(why, "not t or f");
}

static int coordinate(const char *s, size_t n, double *out, const char **why,
		      double max, const char *range)
{
	double v;
	int rc = val_double(s, n, &v, why);

	if (rc != VAL_OK)
		return rc;
	if (v < -max || v > max)
		return bad(why, range);
	*out = v;
	return VAL_OK;
}

int val_latitude(const char *s, size_t n, double *out, const char **why)
{
	return coordinate(s, n, out, why, 90.0, "latitude out of range");
}

int val_longitude(const char *s, size_t n, double *out, const char **why)
{
	return coordinate(s, n, out, why, 180.0, "longitude out of range");
}

/* ---- ids ---- */

int val_id(const char *s, size_t n, const char **id, size_t *len)
{
	if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
		s++;
		n -= 2;
	}
	if (n == 0)
		return VAL_EMPTY;
	*id = s;
	*len = n;
	return VAL_OK;
}

/* ---- UTF-8 ---- */

#define HIGH_BITS 0x8080808080808080ULL

/*
 * The sequence starting at p (n > 0 bytes left): its length when it is
 * well-formed, else minus the length of its maximal invalid subpart (the
 * bytes one U+FFFD replaces, at least 1).  Second bytes are range-checked
 * so that overlong forms, surrogates and code points above U+10FFFF stop
 * at the first byte that makes them so.
 */
static int sequence(const unsigned char *p, size_t n)
{
	unsigned c = p[0], lo = 0x80, hi = 0xbf;
	int need;

	if (c < 0x80)
		return 1;
	if (c < 0xc2 || c > 0xf4)
		return -1;
	if (c < 0xe0) {
		need = 1;
	} else if (c < 0xf0) {
		need = 2;
		lo = c == 0xe0 ? 0xa0 : lo;
		hi = c == 0xed ? 0x9f : hi;
	} else {
		need = 3;
		lo = c == 0xf0 ? 0x90 : lo;
		hi = c == 0xf4 ? 0x8f : hi;
	}
	for (int i = 1; i <= need; i++) {
		if ((size_t)i >= n || p[i] < lo || p[i] > hi)
			return -i;
		lo = 0x80;
		hi = 0xbf;
	}
	return need + 1;
}

/* The length of the ASCII run at the start of p. */
static size_t ascii_run(const unsigned char *p, size_t n)
{
	size_t i = 0;
	uint64_t w;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		if (w & HIGH_BITS)
			break;
	}
	while (i < n && p[i] < 0x80)
		i++;
	return i;
}

int val_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		int len;

		i += ascii_run(p + i, n - i);
		if (i == n)
			break;
		len = sequence(p + i, n - i);
		if (len < 0)
			return 0;
		i += (size_t)len;
	}
	return 1;
}

void val_utf8_repair(const char *s, size_t n, buf *out)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, start = 0;

	buf_grow(out, n);
	while (i < n) {
		int len;

		i += ascii_run(p + i, n - i);
		if (i == n)
			break;
		len = sequence(p + i, n - i);
		if (len > 0) {
			i += (size_t)len;
			continue;
		}
		buf_append(out, s + start, i - start);
		buf_append(out, "\xef\xbf\xbd", 3);
		i += (size_t)-len;
		start = i;
	}
	buf_append(out, s + start, n - start);
}

/* ---- conversion by column kind ---- */

int val_kind_of_type(const char *decltype)
{
	static const char *const types[VAL_NKINDS] = {
		[VAL_KIND_TEXT] = "TEXT", [VAL_KIND_ID] = "ID TEXT",
		[VAL_KIND_DATE] = "DATE TEXT", [VAL_KIND_DOUBLE] = "REAL",
		[VAL_KIND_COUNT] = "INTEGER", [VAL_KIND_FLAG] = "BOOLEAN",
		[VAL_KIND_LAT] = "LATITUDE REAL",
		[VAL_KIND_LON] = "LONGITUDE REAL",
	};

	for (int k = 0; decltype && k < VAL_NKINDS; k++)
		if (!strcasecmp(decltype, types[k]))
			return k;
	return -1;
}

static void put_text(val_cell *out, buf *text, const char *s, size_t n)
{
	out->type = VAL_TEXT;
	out->v.off = text->len;
	out->len = (uint32_t)n;
	buf_append(text, s, n);
}

static int convert_text(const char *s, size_t n, val_cell *out, buf *text,
			const char **why)
{
	size_t start = text->len;

	if (val_utf8_valid(s, n)) {
		put_text(out, text, s, n);
		return VAL_OK;
	}
	val_utf8_repair(s, n, text);
	out->type = VAL_TEXT;
	out->v.off = start;
	out->len = (uint32_t)(text->len - start);
	if (why)
		*why = "invalid UTF-8, replaced by U+FFFD";
	return VAL_FIXED;
}

static int set_real(int rc, const double *d, val_cell *out)
{
	if (rc == VAL_OK) {
		out->type = VAL_REAL;
		out->v.d = *d;
	}
	return rc;
}

static int set_int(int rc, const int64_t *i, val_cell *out)
{
	if (rc == VAL_OK) {
		out->type = VAL_INT;
		out->v.i = *i;
	}
	return rc;
}

int val_convert(enum val_kind k, const char *s, size_t n, val_cell *out,
		buf *text, const char **why)
{
	char date[VAL_DATE_MAX];
	const char *id;
	size_t len;
	double d = 0;
	int64_t i = 0;
	int flag = 0, rc;

	out->type = VAL_NULL;
	if (n == 0)
		return VAL_EMPTY;
	switch (k) {
	case VAL_KIND_ID:
		rc = val_id(s, n, &id, &len);
		if (rc == VAL_OK)
			put_text(out, text, id, len);
		return rc;
	case VAL_KIND_DATE:
		rc = val_date(s, n, date, &len, why);
		if (rc == VAL_OK)
			put_text(out, text, date, len);
		return rc;
	case VAL_KIND_DOUBLE:
		return set_real(val_double(s, n, &d, why), &d, out);
	case VAL_KIND_LAT:
		return set_real(val_latitude(s, n, &d, why), &d, out);
	case VAL_KIND_LON:
		return set_real(val_longitude(s, n, &d, why), &d, out);
	case VAL_KIND_COUNT:
		return set_int(val_count(s, n, &i, why), &i, out);
	case VAL_KIND_FLAG:
		rc = val_flag(s, n, &flag, why);
		i = flag;
		return set_int(rc, &i, out);
	default:
		return convert_text(s, n, out, text, why);
	}
}
