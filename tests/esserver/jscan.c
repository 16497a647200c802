/*
 * jscan.c - the validating JSON pull scanner (see jscan.h).
 */
#include "jscan.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void js_init(struct jscan *s, const char *p, size_t n)
{
	s->p = s->start = (const unsigned char *)p;
	s->end = s->p + n;
	s->depth = 0;
	s->err[0] = '\0';
	s->msg_at = 0;
	s->col = 0;
}

const char *js_error(const struct jscan *s)
{
	return s->err[0] ? s->err : "[1:1] invalid JSON";
}

const char *js_message(const struct jscan *s)
{
	return s->err[0] ? s->err + s->msg_at : "invalid JSON";
}

long js_column(const struct jscan *s)
{
	return s->col;
}

static int fail(struct jscan *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct jscan *s, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	if (s->err[0])
		return -1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	s->col = (long)(s->p - s->start) + 1;
	s->msg_at = snprintf(s->err, sizeof s->err, "[1:%ld] ", s->col);
	snprintf(s->err + s->msg_at, sizeof s->err - (size_t)s->msg_at, "%s",
		 msg);
	return -1;
}

static int unexpected(struct jscan *s, const char *expecting)
{
	if (s->p >= s->end)
		return fail(s, "Unexpected end-of-input: expected %s",
			    expecting);
	if (*s->p >= 0x21 && *s->p < 0x7f)
		return fail(s, "Unexpected character ('%c' (code %d)): expected %s",
			    *s->p, *s->p, expecting);
	return fail(s, "Unexpected character (code %d): expected %s", *s->p,
		    expecting);
}

static inline void skip_ws(struct jscan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' ||
				 *s->p == '\r' || *s->p == '\t'))
		s->p++;
}

enum jtype js_peek(struct jscan *s)
{
	skip_ws(s);
	if (s->p >= s->end)
		return JT_EOF;
	switch (*s->p) {
	case '{': return JT_OBJECT;
	case '[': return JT_ARRAY;
	case '"': return JT_STRING;
	case 't': return JT_TRUE;
	case 'f': return JT_FALSE;
	case 'n': return JT_NULL;
	case '-': case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		return JT_NUMBER;
	}
	unexpected(s, "a value");
	return JT_BAD;
}

static int enter(struct jscan *s)
{
	if (++s->depth > JS_MAX_DEPTH)
		return fail(s, "Document nesting depth exceeds the maximum allowed (%d)",
			    JS_MAX_DEPTH);
	s->p++;
	return 0;
}

int js_obj_begin(struct jscan *s)
{
	skip_ws(s);
	if (s->p >= s->end || *s->p != '{')
		return unexpected(s, "'{'");
	return enter(s);
}

int js_arr_begin(struct jscan *s)
{
	skip_ws(s);
	if (s->p >= s->end || *s->p != '[')
		return unexpected(s, "'['");
	return enter(s);
}

int js_obj_next(struct jscan *s, int *first, struct jspan *key)
{
	skip_ws(s);
	if (s->p < s->end && *s->p == '}') {
		s->p++;
		s->depth--;
		return 0;
	}
	if (!*first) {
		if (s->p >= s->end || *s->p != ',')
			return unexpected(s, "comma to separate object entries");
		s->p++;
		skip_ws(s);
	}
	if (s->p >= s->end || *s->p != '"')
		return unexpected(s, "double-quote to start field name");
	if (js_string(s, key) != 0)
		return -1;
	skip_ws(s);
	if (s->p >= s->end || *s->p != ':')
		return unexpected(s, "a colon to separate field name and value");
	s->p++;
	*first = 0;
	return 1;
}

int js_arr_next(struct jscan *s, int *first)
{
	skip_ws(s);
	if (*first && s->p < s->end && *s->p == ']') {
		s->p++;
		s->depth--;
		return 0;
	}
	if (!*first) {
		if (s->p < s->end && *s->p == ']') {
			s->p++;
			s->depth--;
			return 0;
		}
		if (s->p >= s->end || *s->p != ',')
			return unexpected(s, "comma to separate array entries");
		s->p++;
	}
	*first = 0;
	return 1;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Check one multi-byte UTF-8 sequence at s->p and step over it. */
static int utf8_seq(struct jscan *s)
{
	const unsigned char *p = s->p;
	unsigned c = *p, lo = 0x80, hi = 0xbf;
	int n;

	if (c >= 0xc2 && c <= 0xdf)
		n = 1;
	else if (c >= 0xe0 && c <= 0xef)
		n = 2;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 3;
	else
		return fail(s, "Invalid UTF-8 start byte 0x%02x", c);
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (s->end - p <= n)
		return fail(s, "Invalid UTF-8 middle byte (end of input)");
	if (p[1] < lo || p[1] > hi)
		return fail(s, "Invalid UTF-8 middle byte 0x%02x", p[1]);
	for (int i = 2; i <= n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return fail(s, "Invalid UTF-8 middle byte 0x%02x", p[i]);
	s->p += n + 1;
	return 0;
}

static int escape(struct jscan *s)
{
	const unsigned char *p = s->p + 1;

	if (p >= s->end)
		return fail(s, "Unexpected end-of-input in character escape sequence");
	switch (*p) {
	case '"': case '\\': case '/': case 'b': case 'f': case 'n':
	case 'r': case 't':
		s->p += 2;
		return 0;
	case 'u':
		if (s->end - p < 5 || hexval(p[1]) < 0 || hexval(p[2]) < 0 ||
		    hexval(p[3]) < 0 || hexval(p[4]) < 0)
			return fail(s, "Unexpected character: expected a hex-digit for character escape sequence");
		s->p += 6;
		return 0;
	}
	return fail(s, "Unrecognized character escape '%c' (code %d)",
		    *p >= 0x21 && *p < 0x7f ? *p : '?', *p);
}

int js_string(struct jscan *s, struct jspan *out)
{
	const unsigned char *end = s->end;

	skip_ws(s);
	if (s->p >= end || *s->p != '"')
		return unexpected(s, "a string");
	s->p++;
	out->p = (const char *)s->p;
	out->esc = 0;
	for (;;) {
		const unsigned char *p = s->p;
		unsigned c;

		while (p < end && (c = *p) >= 0x20 && c < 0x80 && c != '"' &&
		       c != '\\')
			p++;
		s->p = p;
		if (p >= end)
			return fail(s, "Unexpected end-of-input: was expecting closing quote for a string value");
		c = *p;
		if (c == '"')
			break;
		if (c == '\\') {
			out->esc = 1;
			if (escape(s) != 0)
				return -1;
		} else if (c < 0x20) {
			return fail(s, "Illegal unquoted character ((CTRL-CHAR, code %u)): has to be escaped using backslash to be included in string value",
				    c);
		} else if (utf8_seq(s) != 0) {
			return -1;
		}
	}
	out->len = (size_t)((const char *)s->p - out->p);
	s->p++;
	return 0;
}

static const unsigned char *digits(const unsigned char *p,
				   const unsigned char *end)
{
	while (p < end && *p >= '0' && *p <= '9')
		p++;
	return p;
}

int js_number(struct jscan *s, struct jnum *out)
{
	const unsigned char *p, *end = s->end, *q;

	skip_ws(s);
	p = s->p;
	out->p = (const char *)p;
	out->neg = out->frac = out->exp = 0;
	if (p < end && *p == '-') {
		out->neg = 1;
		p++;
	}
	if (p >= end || *p < '0' || *p > '9') {
		s->p = p;
		return fail(s, "Unexpected character: expected digit for a number");
	}
	if (*p == '0') {
		p++;
		if (p < end && *p >= '0' && *p <= '9') {
			s->p = p;
			return fail(s, "Invalid numeric value: Leading zeroes not allowed");
		}
	} else {
		p = digits(p, end);
	}
	if (p < end && *p == '.') {
		q = digits(p + 1, end);
		if (q == p + 1) {
			s->p = q;
			return fail(s, "Unexpected character: Decimal point not followed by a digit");
		}
		out->frac = 1;
		p = q;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		q = digits(p, end);
		if (q == p) {
			s->p = q;
			return fail(s, "Unexpected character: Exponent indicator not followed by a digit");
		}
		out->exp = 1;
		p = q;
	}
	s->p = p;
	out->len = (size_t)((const char *)p - out->p);
	return 0;
}

int js_literal(struct jscan *s)
{
	static const char *const words[] = { "true", "false", "null" };
	size_t avail;
	int i;

	skip_ws(s);
	avail = (size_t)(s->end - s->p);
	for (i = 0; i < 3; i++) {
		size_t n = strlen(words[i]);

		if (avail >= n && !memcmp(s->p, words[i], n)) {
			s->p += n;
			if (s->p < s->end && ((*s->p >= 'a' && *s->p <= 'z') ||
					      (*s->p >= 'A' && *s->p <= 'Z') ||
					      (*s->p >= '0' && *s->p <= '9') ||
					      *s->p == '_'))
				return fail(s, "Unrecognized token: was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')");
			return 0;
		}
	}
	return fail(s, "Unrecognized token: was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')");
}

int js_skip(struct jscan *s)
{
	struct jspan sp;
	struct jnum num;
	int first = 1, r;

	switch (js_peek(s)) {
	case JT_OBJECT:
		if (js_obj_begin(s) != 0)
			return -1;
		while ((r = js_obj_next(s, &first, &sp)) > 0)
			if (js_skip(s) != 0)
				return -1;
		return r;
	case JT_ARRAY:
		if (js_arr_begin(s) != 0)
			return -1;
		while ((r = js_arr_next(s, &first)) > 0)
			if (js_skip(s) != 0)
				return -1;
		return r;
	case JT_STRING:
		return js_string(s, &sp);
	case JT_NUMBER:
		return js_number(s, &num);
	case JT_TRUE: case JT_FALSE: case JT_NULL:
		return js_literal(s);
	case JT_EOF:
		return unexpected(s, "a value");
	default:
		return -1;
	}
}

int js_finish(struct jscan *s)
{
	skip_ws(s);
	if (s->p < s->end)
		return fail(s, "Malformed content, found extra data after parsing");
	return 0;
}

static size_t put_utf8(char *out, unsigned cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

static unsigned hex4(const char *p)
{
	return (unsigned)(hexval(p[0]) << 12 | hexval(p[1]) << 8 |
			  hexval(p[2]) << 4 | hexval(p[3]));
}

size_t js_unescape(const struct jspan *sp, char *out)
{
	const char *p = sp->p, *end = sp->p + sp->len;
	size_t n = 0;
	unsigned cp, lo;

	if (!sp->esc) {
		memcpy(out, p, sp->len);
		return sp->len;
	}
	while (p < end) {
		if (*p != '\\') {
			out[n++] = *p++;
			continue;
		}
		p++;
		switch (*p) {
		case 'b': out[n++] = '\b'; p++; break;
		case 'f': out[n++] = '\f'; p++; break;
		case 'n': out[n++] = '\n'; p++; break;
		case 'r': out[n++] = '\r'; p++; break;
		case 't': out[n++] = '\t'; p++; break;
		case 'u':
			cp = hex4(p + 1);
			p += 5;
			if (cp >= 0xd800 && cp <= 0xdbff && end - p >= 6 &&
			    p[0] == '\\' && p[1] == 'u' &&
			    (lo = hex4(p + 2)) >= 0xdc00 && lo <= 0xdfff) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				p += 6;
			} else if (cp >= 0xd800 && cp <= 0xdfff) {
				cp = 0xfffd;
			}
			n += put_utf8(out + n, cp);
			break;
		default: /* " \ / */
			out[n++] = *p++;
		}
	}
	return n;
}
