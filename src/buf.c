/*
 * buf.c - the growable byte buffer used for CSV fields, JSON documents and
 * bulk request bodies.
 */
#include "buf.h"
#include "dcstage.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_grow(buf *b, size_t extra)
{
	size_t need = b->len + extra + 1, cap = b->cap ? b->cap : 64;

	if (need <= b->cap)
		return;
	while (cap < need)
		cap *= 2;
	b->data = dc_realloc(b->data, cap);
	if (!b->cap)
		b->data[0] = '\0'; /* a new buffer is an empty string */
	b->cap = cap;
}

void buf_append(buf *b, const void *p, size_t n)
{
	buf_grow(b, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void buf_puts(buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

void buf_printf(buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	buf_grow(b, 64);
	va_start(ap, fmt);
	n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= b->cap - b->len) {
		buf_grow(b, (size_t)n);
		va_start(ap, fmt);
		vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

void buf_reset(buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void buf_free(buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

char *buf_detach(buf *b)
{
	char *p;

	buf_grow(b, 0);
	p = b->data;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

void buf_put_int(buf *b, int64_t v)
{
	char tmp[24], *p = tmp + sizeof tmp;
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	buf_append(b, p, (size_t)(tmp + sizeof tmp - p));
}

/* If k / 10^places is the double nearest to it, that decimal has at most
 * 15 significant digits, and rounding the double to 15 digits, as SQLite
 * does, gives back exactly its digits. */
int buf_put_decimal(buf *b, double v)
{
	static const double pow10[] = { 1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6 };
	double a = v < 0 ? -v : v;
	char tmp[40], *p = tmp + sizeof tmp;

	if (!(a >= 1e-4 && a < 1e14)) /* also NaN: SQLite's range for %g */
		return 0;
	for (int places = 0; places < 7; places++) {
		double x = a * pow10[places];
		uint64_t k;
		int digits = 0, written = 0;

		if (x >= 1e15)
			return 0;
		k = (uint64_t)(x + 0.5);
		if ((double)k / pow10[places] != a)
			continue;
		for (; digits < places; digits++, k /= 10)
			if (written || k % 10) {
				*--p = (char)('0' + k % 10);
				written = 1;
			}
		if (!written)
			*--p = '0';
		*--p = '.';
		do {
			*--p = (char)('0' + k % 10);
			k /= 10;
		} while (k);
		if (v < 0)
			*--p = '-';
		buf_append(b, p, (size_t)(tmp + sizeof tmp - p));
		return 1;
	}
	return 0;
}

/* Whether one of the 8 bytes of w needs an escape in a JSON string: a
 * control character, '"' or '\\'.  The usual test for a zero byte (it
 * can be wrong only above a byte that is zero), applied to w - 0x20,
 * w ^ '"' and w ^ '\\'; bytes from 0x80 up never match. */
static int word_needs_escape(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ull, highs = ones * 0x80;
	uint64_t q = w ^ (ones * '"'), bs = w ^ (ones * '\\');

	return ((((w - ones * 0x20) & ~w) | ((q - ones) & ~q) |
		 ((bs - ones) & ~bs)) & highs) != 0;
}

void buf_json_string(buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t start = 0;
	char u[6] = { '\\', 'u', '0', '0', 0, 0 };

	buf_grow(b, n + 2);
	buf_putc(b, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *esc;
		uint64_t w;

		/* most text has nothing to escape: skip it a word at a time */
		if (n - i >= 8) {
			memcpy(&w, s + i, 8);
			if (!word_needs_escape(w)) {
				i += 7;
				continue;
			}
		}
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		buf_append(b, s + start, i - start);
		start = i + 1;
		switch (c) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		default:
			u[4] = hex[c >> 4];
			u[5] = hex[c & 15];
			buf_append(b, u, 6);
			continue;
		}
		buf_append(b, esc, 2);
	}
	buf_append(b, s + start, n - start);
	buf_putc(b, '"');
}
