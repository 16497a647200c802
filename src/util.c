/*
 * util.c - the small services every module uses: error messages, allocation
 * that cannot fail, clocks, peak memory, size parsing and the content hash.
 */
#include "dcstage.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

int dc_seterr(char *err, const char *fmt, ...)
{
	if (err) {
		va_list ap;

		va_start(ap, fmt);
		vsnprintf(err, DC_ERR_MAX, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static void vreport(const char *prefix, const char *fmt, va_list ap)
{
	char msg[DC_ERR_MAX * 2];

	vsnprintf(msg, sizeof msg, fmt, ap);
	fprintf(stderr, "dcstage: %s%s\n", prefix, msg);
}

int dc_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("", fmt, ap);
	va_end(ap);
	return -1;
}

void dc_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("fatal: ", fmt, ap);
	va_end(ap);
	exit(DC_EXIT_FATAL);
}

void *dc_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		dc_die("out of memory (%zu bytes)", n);
	return p;
}

void *dc_calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		dc_die("out of memory (%zu x %zu bytes)", n, size);
	return p;
}

/* With 4 KB pages nearly every probe of a table of tens of MB also
 * misses the TLB, and in a virtual machine each such miss walks two page
 * tables.  At full scale the orphan check and the duplicate filter (32 MB
 * each) took 18% of the load's reader thread, and 13% in 2 MB pages. */
#define HUGE_PAGE ((size_t)2 << 20)

void *dc_calloc_table(size_t n, size_t size)
{
	size_t bytes = n * size;
	void *p = NULL;

	if (size && bytes / size != n)
		dc_die("out of memory (%zu x %zu bytes)", n, size);
	if (bytes < HUGE_PAGE)
		return dc_calloc(n, size);
	bytes = (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
	if (posix_memalign(&p, HUGE_PAGE, bytes) != 0)
		dc_die("out of memory (%zu bytes)", bytes);
	madvise(p, bytes, MADV_HUGEPAGE); /* advice only: fine if refused */
	return memset(p, 0, bytes);
}

void *dc_realloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		dc_die("out of memory (%zu bytes)", n);
	return q;
}

char *dc_strdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(dc_malloc(n), s, n);
}

double dc_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Where the system cannot time condition waits on the monotonic clock
 * (no clock selection, as on macOS), they count on the wall clock. */
#if defined(_POSIX_CLOCK_SELECTION) && _POSIX_CLOCK_SELECTION > 0
#define HAVE_COND_CLOCK 1
#define COND_CLOCK CLOCK_MONOTONIC
#else
#define HAVE_COND_CLOCK 0
#define COND_CLOCK CLOCK_REALTIME
#endif

int dc_cond_init(pthread_cond_t *cond)
{
#if HAVE_COND_CLOCK
	pthread_condattr_t attr;
	int rc;

	if (pthread_condattr_init(&attr) != 0)
		return -1;
	rc = pthread_condattr_setclock(&attr, COND_CLOCK) != 0 ||
	     pthread_cond_init(cond, &attr) != 0;
	pthread_condattr_destroy(&attr);
	return rc ? -1 : 0;
#else
	return pthread_cond_init(cond, NULL) != 0 ? -1 : 0;
#endif
}

int dc_cond_wait_ms(pthread_cond_t *cond, pthread_mutex_t *lock, long ms)
{
	struct timespec at;

	clock_gettime(COND_CLOCK, &at);
	at.tv_sec += ms / 1000;
	at.tv_nsec += (ms % 1000) * 1000000L;
	if (at.tv_nsec >= 1000000000L) {
		at.tv_sec++;
		at.tv_nsec -= 1000000000L;
	}
	return pthread_cond_timedwait(cond, lock, &at);
}

uint64_t dc_peak_rss(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return 0;
	return (uint64_t)ru.ru_maxrss * 1024; /* Linux reports KiB */
}

int dc_parse_size(const char *s, uint64_t *out)
{
	static const struct { const char *suffix; uint64_t mult; } units[] = {
		{ "", 1 }, { "b", 1 },
		{ "k", 1024 }, { "kb", 1000 }, { "kib", 1024 },
		{ "m", 1 << 20 }, { "mb", 1000000 }, { "mib", 1 << 20 },
		{ "g", 1 << 30 }, { "gb", 1000000000 }, { "gib", 1 << 30 },
	};
	char *end;
	unsigned long long v;

	if (!s || !isdigit((unsigned char)*s))
		return -1;
	v = strtoull(s, &end, 10);
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (strcasecmp(end, units[i].suffix) == 0) {
			*out = (uint64_t)v * units[i].mult;
			return 0;
		}
	}
	return -1;
}

/*
 * A word-at-a-time multiply/rotate mix.  Fingerprints only need to change
 * when content changes (a missed change has odds of 2^-64), and loading
 * hashes every byte of the dump, so speed matters more than pedigree.
 */
#define HASH_K1 0x9ddfea08eb382d69ULL
#define HASH_K2 0xc3a5c85c97cb3127ULL

static uint64_t rotl64(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

static uint64_t mix64(uint64_t h, uint64_t w)
{
	h ^= w * HASH_K1;
	h = rotl64(h, 31) * HASH_K2;
	return h;
}

uint64_t dc_hash64(const void *data, size_t n, uint64_t seed)
{
	const unsigned char *p = data;
	uint64_t h = seed ^ (n * HASH_K2), w;

	for (; n >= 8; n -= 8, p += 8) {
		memcpy(&w, p, 8);
		h = mix64(h, w);
	}
	w = 0;
	memcpy(&w, p, n);
	h = mix64(h, w ^ ((uint64_t)n << 56));
	h ^= h >> 33;
	h *= HASH_K1;
	h ^= h >> 29;
	return h;
}
