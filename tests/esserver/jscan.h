/*
 * jscan.h - a pull scanner over JSON text that validates as it goes
 * (RFC 8259 grammar, UTF-8, nesting depth) without building a tree.
 *
 * The bulk handler reads action lines and checks documents against the
 * index mapping with it: the caller peeks at the next value's type, then
 * reads it (a string or number as a span of the input, an object or array
 * member by member) or skips it.  Spans point into the input, which must
 * outlive them.  On failure a function returns -1 and js_error() tells
 * why, in the "[line:column] message" form Elasticsearch uses.
 */
#ifndef ESS_JSCAN_H
#define ESS_JSCAN_H

#include <stddef.h>

enum jtype {
	JT_BAD = 0,	/* no value can start here (the error is set) */
	JT_OBJECT,
	JT_ARRAY,
	JT_STRING,
	JT_NUMBER,
	JT_TRUE,
	JT_FALSE,
	JT_NULL,
	JT_EOF		/* only whitespace left */
};

struct jscan {
	const unsigned char *p;
	const unsigned char *start;
	const unsigned char *end;
	int depth;
	char err[200];
	int msg_at;	/* where the message starts in err, after "[1:n] " */
	long col;	/* the column the error is about, from 1 */
};

/* A string's contents without the quotes; esc when it holds escapes
 * (then js_unescape() gives the real bytes). */
struct jspan {
	const char *p;
	size_t len;
	int esc;
};

/* A number's text as written, with what it contains. */
struct jnum {
	const char *p;
	size_t len;
	int neg, frac, exp;
};

#define JS_MAX_DEPTH 200

void js_init(struct jscan *s, const char *p, size_t n);
const char *js_error(const struct jscan *s);

/* The message alone, and the column (from 1) it is about. */
const char *js_message(const struct jscan *s);
long js_column(const struct jscan *s);

/* Skip whitespace and classify the next value without reading it. */
enum jtype js_peek(struct jscan *s);

/* Objects: js_obj_begin() after peeking JT_OBJECT; then, with int first = 1,
 * js_obj_next() returns 1 with the member's key read (the value is next),
 * 0 after the closing brace, -1 on error. */
int js_obj_begin(struct jscan *s);
int js_obj_next(struct jscan *s, int *first, struct jspan *key);

/* Arrays: the same, js_arr_next() returns 1 when an element is next. */
int js_arr_begin(struct jscan *s);
int js_arr_next(struct jscan *s, int *first);

int js_string(struct jscan *s, struct jspan *out);
int js_number(struct jscan *s, struct jnum *out);
int js_literal(struct jscan *s); /* true, false or null */

/* Read and check any one value. */
int js_skip(struct jscan *s);

/* 0 when only whitespace is left, else -1 ("found extra data"). */
int js_finish(struct jscan *s);

/* The unescaped bytes of sp into out (room for sp->len bytes, always
 * enough); returns their length.  Lone surrogates become U+FFFD. */
size_t js_unescape(const struct jspan *sp, char *out);

#endif
