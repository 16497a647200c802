/*
 * util.c - the test server's small shared services (see util.h).
 */
#include "util.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static void out_of_memory(size_t n)
{
	fprintf(stderr, "esserver: fatal: out of memory (%zu bytes)\n", n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		out_of_memory(n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		out_of_memory(n * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		out_of_memory(n);
	return q;
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void sb_grow(struct sbuf *b, size_t extra)
{
	size_t need = b->len + extra + 1, cap = b->cap ? b->cap : 256;

	if (need <= b->cap)
		return;
	while (cap < need)
		cap *= 2;
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
}

void sb_add(struct sbuf *b, const void *p, size_t n)
{
	sb_grow(b, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void sb_puts(struct sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	sb_grow(b, 128);
	va_start(ap, fmt);
	n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->data[b->len] = '\0';
		return;
	}
	if ((size_t)n >= b->cap - b->len) {
		sb_grow(b, (size_t)n);
		va_start(ap, fmt);
		vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

void sb_free(struct sbuf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

char *sb_detach(struct sbuf *b)
{
	char *p;

	if (!b->data)
		sb_grow(b, 0);
	p = b->data;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

void sb_json_str(struct sbuf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, run = 0;

	sb_grow(b, n + 2);
	sb_putc(b, '"');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		sb_add(b, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"': sb_puts(b, "\\\""); break;
		case '\\': sb_puts(b, "\\\\"); break;
		case '\n': sb_puts(b, "\\n"); break;
		case '\r': sb_puts(b, "\\r"); break;
		case '\t': sb_puts(b, "\\t"); break;
		default:
			sb_puts(b, "\\u00");
			sb_putc(b, hex[c >> 4]);
			sb_putc(b, hex[c & 15]);
		}
	}
	sb_add(b, s + run, n - run);
	sb_putc(b, '"');
}

void sb_int(struct sbuf *b, int64_t v)
{
	char t[24];
	int n = 0;
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;

	do
		t[n++] = (char)('0' + u % 10);
	while ((u /= 10) > 0);
	if (v < 0)
		t[n++] = '-';
	sb_grow(b, (size_t)n);
	while (n > 0)
		b->data[b->len++] = t[--n];
	b->data[b->len] = '\0';
}

void sb_key(struct sbuf *b, const char *key)
{
	sb_putc(b, '"');
	sb_puts(b, key);
	sb_puts(b, "\":");
}

void es_error_obj(struct sbuf *b, const char *type, const char *reason,
		  const char *extra)
{
	sb_puts(b, "{\"type\":");
	sb_json_str(b, type, strlen(type));
	sb_puts(b, ",\"reason\":");
	sb_json_str(b, reason, strlen(reason));
	if (extra)
		sb_puts(b, extra);
	sb_putc(b, '}');
}

void es_error_body(struct sbuf *b, int status, const char *type,
		   const char *reason, const char *extra)
{
	sb_puts(b, "{\"error\":{\"root_cause\":[");
	es_error_obj(b, type, reason, extra);
	sb_puts(b, "],\"type\":");
	sb_json_str(b, type, strlen(type));
	sb_puts(b, ",\"reason\":");
	sb_json_str(b, reason, strlen(reason));
	if (extra)
		sb_puts(b, extra);
	sb_printf(b, "},\"status\":%d}", status);
}

static uint64_t random_base;
static _Atomic uint64_t random_counter;

static uint64_t mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void util_random_init(void)
{
	struct timespec ts;
	uint64_t r = 0;
	int fd = open("/dev/urandom", O_RDONLY);

	if (fd >= 0) {
		if (read(fd, &r, sizeof r) != (ssize_t)sizeof r)
			r = 0;
		close(fd);
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	random_base = mix(r ^ (uint64_t)ts.tv_nsec ^
			  ((uint64_t)ts.tv_sec << 20) ^ (uint64_t)getpid());
}

void util_random_id(char *out, size_t n)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	uint64_t c = atomic_fetch_add(&random_counter, 1) + 1;
	uint64_t w = mix(random_base + c * 0x9e3779b97f4a7c15ULL);
	size_t i;

	for (i = 0; i < n; i++) {
		if (i % 10 == 9)
			w = mix(w + c);
		out[i] = b64[w & 63];
		w >>= 6;
	}
	out[n] = '\0';
}

int64_t util_epoch_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

double util_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void util_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0)
		;
}

uint64_t util_hash(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static const char b64std[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *util_base64(const char *p, size_t n)
{
	const unsigned char *s = (const unsigned char *)p;
	char *out = xmalloc((n + 2) / 3 * 4 + 1), *o = out;
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		*o++ = b64std[s[i] >> 2];
		*o++ = b64std[((s[i] & 3) << 4) | (s[i + 1] >> 4)];
		*o++ = b64std[((s[i + 1] & 15) << 2) | (s[i + 2] >> 6)];
		*o++ = b64std[s[i + 2] & 63];
	}
	if (i < n) {
		*o++ = b64std[s[i] >> 2];
		if (i + 1 < n) {
			*o++ = b64std[((s[i] & 3) << 4) | (s[i + 1] >> 4)];
			*o++ = b64std[(s[i + 1] & 15) << 2];
		} else {
			*o++ = b64std[(s[i] & 3) << 4];
			*o++ = '=';
		}
		*o++ = '=';
	}
	*o = '\0';
	return out;
}

char *util_unbase64(const char *s)
{
	size_t n = strlen(s), i, k = 0;
	char *out = xmalloc(n / 4 * 3 + 4);
	uint32_t acc = 0;
	int bits = 0;

	for (i = 0; i < n && s[i] != '='; i++) {
		const char *pos = s[i] ? strchr(b64std, s[i]) : NULL;
		if (!pos) {
			free(out);
			return NULL;
		}
		acc = (acc << 6) | (uint32_t)(pos - b64std);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[k++] = (char)((acc >> bits) & 0xff);
		}
	}
	out[k] = '\0';
	return out;
}
