/*
 * util.h - the test server's small shared services: allocation that cannot
 * fail, a growable text buffer with JSON output helpers, Elasticsearch error
 * bodies, random-looking ids, clocks and size parsing.
 *
 * The server is built on its own (see the Makefile's esserver rule), so it
 * carries these few helpers rather than linking the tool's library.
 */
#ifndef ESS_UTIL_H
#define ESS_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* A growable byte buffer, always NUL-terminated once anything was added.
 * It owns its memory: sb_free() releases it, sb_detach() hands it over. */
struct sbuf {
	char *data;
	size_t len;
	size_t cap;
};

#define SBUF_INIT { NULL, 0, 0 }

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrndup(const char *s, size_t n);

void sb_grow(struct sbuf *b, size_t extra);
void sb_add(struct sbuf *b, const void *p, size_t n);
void sb_puts(struct sbuf *b, const char *s);
void sb_printf(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sb_free(struct sbuf *b);
char *sb_detach(struct sbuf *b); /* the caller frees; never NULL */

static inline void sb_putc(struct sbuf *b, char c)
{
	if (b->len + 1 >= b->cap)
		sb_grow(b, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

/* Append n bytes of s as a quoted JSON string (control characters,
 * quotes and backslashes escaped; other bytes copied as they are). */
void sb_json_str(struct sbuf *b, const char *s, size_t n);

/* Append a decimal integer. */
void sb_int(struct sbuf *b, int64_t v);

/* Append "key": with the key quoted (key is plain ASCII). */
void sb_key(struct sbuf *b, const char *key);

/*
 * Append Elasticsearch's error body:
 *   {"error":{"root_cause":[{"type":T,"reason":R<extra>}],"type":T,
 *    "reason":R<extra>},"status":S}
 * extra, when not NULL, is more members written as JSON text and starting
 * with a comma (",\"index\":\"x\"").
 */
void es_error_body(struct sbuf *b, int status, const char *type,
		   const char *reason, const char *extra);

/* Append {"type":T,"reason":R<extra>} (an item's or a cause's error). */
void es_error_obj(struct sbuf *b, const char *type, const char *reason,
		  const char *extra);

/* Fill out with n random-looking URL-safe base64 characters and a NUL
 * (Elasticsearch's uuids are 22, its generated ids 20). */
void util_random_id(char *out, size_t n);

/* Seed util_random_id from the clock, the process and /dev/urandom. */
void util_random_init(void);

int64_t util_epoch_ms(void); /* wall clock, milliseconds since 1970 */
double util_mono(void);      /* seconds since an arbitrary start */
void util_sleep_ms(long ms);

/* Standard base64 of n bytes, as a new string the caller frees. */
char *util_base64(const char *p, size_t n);

/* Decode base64 text (padding optional) into a new NUL-terminated string
 * the caller frees; NULL when the text is not base64. */
char *util_unbase64(const char *s);

/* 64-bit FNV-1a over n bytes, continuing from h (start with UTIL_HASH0). */
#define UTIL_HASH0 0xcbf29ce484222325ULL
uint64_t util_hash(uint64_t h, const void *p, size_t n);

#endif
