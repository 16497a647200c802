/*
 * dcstage.h - what every part of dcstage shares: version, exit codes, and the
 * one error convention.
 *
 * Errors: a function that can fail returns 0 on success and -1 on failure (or
 * NULL for constructors) and writes a message into an error buffer of
 * DC_ERR_MAX bytes.  An object keeps its own buffer (read it with
 * <module>_errmsg()); a function without an object takes `char *err` from the
 * caller.  Only the command layer (src/cmd_*.c) prints.  Messages are
 * lowercase, name the failure first, and quote the subject:
 *     cannot open 'x.gz': No such file or directory
 * Data errors carry file and line: opendata_donations000.gz:123: ...
 */
#ifndef DCSTAGE_H
#define DCSTAGE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#define DC_VERSION "0.1.0"
#define DC_ERR_MAX 512

/* Exit codes: the same for every subcommand, listed in `dcstage --help`. */
enum dc_exit {
	DC_EXIT_OK = 0,       /* everything done, nothing rejected or refused */
	DC_EXIT_FATAL = 1,    /* the run failed; the staging file is unchanged */
	DC_EXIT_USAGE = 2,    /* bad command line */
	DC_EXIT_REJECTED = 3, /* done, but input rows or values were rejected */
	DC_EXIT_REFUSED = 4   /* done, but the server refused some documents */
};

/* Format a message into err (DC_ERR_MAX bytes); returns -1 so that error
 * paths read `return dc_seterr(err, "cannot open '%s'", path);`. */
int dc_seterr(char *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Print "dcstage: <message>" to stderr; returns -1.  Command layer only. */
int dc_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print "dcstage: fatal: <message>" and exit(DC_EXIT_FATAL). */
void dc_die(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

/* Allocation that cannot fail: dies with a message when memory runs out. */
void *dc_malloc(size_t n);
void *dc_calloc(size_t n, size_t size);
void *dc_realloc(void *p, size_t n);
char *dc_strdup(const char *s);
/* A zeroed table that is probed at random places, in huge pages where the
 * system gives them; free() frees it. */
void *dc_calloc_table(size_t n, size_t size);

/* Seconds since an arbitrary start, monotonic. */
double dc_now(void);

/* A condition variable whose timed waits count on the monotonic clock,
 * which setting the date does not move (where the system can): 0, or -1. */
int dc_cond_init(pthread_cond_t *cond);

/* Wait on cond (from dc_cond_init; lock held) until signalled or ms
 * milliseconds have passed: what pthread_cond_timedwait returns. */
int dc_cond_wait_ms(pthread_cond_t *cond, pthread_mutex_t *lock, long ms);

/* Peak resident set size of this process so far, in bytes. */
uint64_t dc_peak_rss(void);

/* Parse a size such as "5MB", "512k", "100MiB", "1048576" into bytes;
 * returns -1 when the text is not a size. */
int dc_parse_size(const char *s, uint64_t *out);

/* A 64-bit content fingerprint of n bytes, continuing from seed (use 0 to
 * start).  Not cryptographic: it tells changed content from unchanged. */
uint64_t dc_hash64(const void *data, size_t n, uint64_t seed);

#endif
