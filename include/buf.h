/*
 * buf.h - a growable byte buffer, always NUL-terminated.
 *
 * The buffer owns its memory: buf_free() releases it, buf_detach() hands it
 * to the caller, who then frees it.  Appends never fail (allocation failure
 * is fatal, see dc_malloc).
 */
#ifndef DC_BUF_H
#define DC_BUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct buf {
	char *data; /* NUL-terminated; NULL until the first append */
	size_t len;
	size_t cap;
} buf;

#define BUF_INIT { NULL, 0, 0 }

void buf_grow(buf *b, size_t extra);
void buf_append(buf *b, const void *p, size_t n);
void buf_puts(buf *b, const char *s);
void buf_printf(buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Append s (n bytes) as a JSON string, quotes included, escaped exactly as
 * SQLite's JSON functions escape it (so that text built here and text
 * built by json_object() are the same bytes). */
void buf_json_string(buf *b, const char *s, size_t n);
/* Append v in decimal, as SQLite writes an integer. */
void buf_put_int(buf *b, int64_t v);
/* Append v exactly as SQLite's "%!0.15g" (and so its JSON functions)
 * writes it, when v is a decimal of at most 6 places and 15 significant
 * digits between 1e-4 and 1e14, such as a price: 1 then.  Otherwise
 * append nothing and return 0, for the caller to use sqlite3_snprintf;
 * SQLite's own formatting is many times slower than this. */
int buf_put_decimal(buf *b, double v);
void buf_reset(buf *b);           /* length 0, memory kept */
void buf_free(buf *b);            /* memory released, back to BUF_INIT */
char *buf_detach(buf *b);         /* caller frees; never NULL */

static inline void buf_putc(buf *b, char c)
{
	if (b->len + 1 >= b->cap)
		buf_grow(b, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

#endif
