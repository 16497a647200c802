/*
 * gzin.c - streaming input of one dump file, plain or gzip (see gzin.h).
 *
 * The file is read with read(2) in 256 KiB chunks.  Between gzip members
 * the next two bytes must be the gzip magic: anything else after the data
 * is an error, not silently ignored.
 *
 * A gzip file is inflated ahead by a thread of its own, into a few blocks
 * that gzin_read() copies out: inflating is half of what a load's reader
 * thread does, and on its own thread it runs beside the parsing instead
 * of before it.
 */
#include "gzin.h"
#include "dcstage.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define CHUNK (256u << 10)
#define MAX_OUT (1u << 30) /* per inflate call: avail_out is an uInt */
#define NBLOCKS 3
#define BLOCK (1u << 20)

/* One block of inflated bytes, and where the file was when it was full. */
typedef struct block {
	char *data;
	size_t len, pos;        /* pos: bytes the reader has taken */
	uint64_t bytes_in;
	int end;                /* the last block: rc tells how it ended */
	ptrdiff_t rc;           /* 0 at the end of the file, -1 on error */
} block;

/* The blocks, filled by the thread in turn and taken by gzin_read(). */
typedef struct ahead {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	block blk[NBLOCKS];
	unsigned filled, taken; /* blocks so far; filled - taken are ready */
	int stop;               /* gzin_close(): the thread ends */
	uint64_t bytes_in;      /* of the last block taken */
} ahead;

struct gzin {
	int fd;
	int gzip;       /* the file starts with the gzip magic */
	int in_member;  /* inside a gzip member: the end of file cuts it */
	int eof;        /* read(2) has returned 0 */
	int failed;     /* err holds the reason; every read fails from now */
	z_stream zs;    /* next_in/avail_in: unread bytes of in, in both modes */
	unsigned char *in;
	uint64_t bytes_read, size;
	char *path;
	char err[DC_ERR_MAX];
	ahead *ahead;   /* NULL: read on the caller's thread */
};

static void start_ahead(gzin *g);

static int fail_errno(gzin *g, int e)
{
	g->failed = 1;
	return dc_seterr(g->err, "cannot read '%s': %s", g->path, strerror(e));
}

/* Keep the unread input at the start of in and read more after it;
 * 0 (at end of file too, then g->eof is set) or -1. */
static int refill(gzin *g)
{
	size_t left = g->zs.avail_in;
	ssize_t n;

	if (left && g->zs.next_in != g->in)
		memmove(g->in, g->zs.next_in, left);
	g->zs.next_in = g->in;
	do
		n = read(g->fd, g->in + left, CHUNK - left);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return fail_errno(g, errno);
	if (n == 0)
		g->eof = 1;
	g->bytes_read += (uint64_t)n;
	g->zs.avail_in = (uInt)(left + (size_t)n);
	return 0;
}

/* Make at least two unread bytes available unless the file ends first. */
static int want_two(gzin *g)
{
	while (g->zs.avail_in < 2 && !g->eof)
		if (refill(g) != 0)
			return -1;
	return 0;
}

static int is_magic(const gzin *g)
{
	return g->zs.avail_in >= 2 && g->zs.next_in[0] == 0x1f &&
	       g->zs.next_in[1] == 0x8b;
}

gzin *gzin_open(const char *path, char *err)
{
	gzin *g;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		dc_seterr(err, "cannot open '%s': %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0) {
		dc_seterr(err, "cannot stat '%s': %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
#ifdef POSIX_FADV_SEQUENTIAL
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
	g = dc_calloc(1, sizeof *g);
	g->fd = fd;
	g->size = (uint64_t)st.st_size;
	g->path = dc_strdup(path);
	g->in = dc_malloc(CHUNK);
	g->zs.next_in = g->in;
	if (want_two(g) != 0) {
		dc_seterr(err, "%s", g->err);
		gzin_close(g);
		return NULL;
	}
	g->gzip = is_magic(g);
	if (g->gzip && inflateInit2(&g->zs, 15 + 32) != Z_OK) {
		dc_seterr(err, "cannot inflate '%s': out of memory", path);
		g->gzip = 0;
		gzin_close(g);
		return NULL;
	}
	if (g->gzip)
		start_ahead(g);
	return g;
}

static ptrdiff_t read_plain(gzin *g, char *dst, size_t n)
{
	ssize_t got;

	if (g->zs.avail_in) {
		if (n > g->zs.avail_in)
			n = g->zs.avail_in;
		memcpy(dst, g->zs.next_in, n);
		g->zs.next_in += n;
		g->zs.avail_in -= (uInt)n;
		return (ptrdiff_t)n;
	}
	if (g->eof)
		return 0;
	do
		got = read(g->fd, dst, n);
	while (got < 0 && errno == EINTR);
	if (got < 0)
		return fail_errno(g, errno);
	if (got == 0)
		g->eof = 1;
	g->bytes_read += (uint64_t)got;
	return got;
}

/* Bytes of the file inflated so far. */
static uint64_t consumed(const gzin *g)
{
	return g->bytes_read - g->zs.avail_in;
}

/* At a member boundary: 1 when another member starts, 0 at the clean end
 * of the file, -1 on trailing garbage or a read error. */
static int next_member(gzin *g)
{
	if (want_two(g) != 0)
		return -1;
	if (g->zs.avail_in == 0)
		return 0;
	if (!is_magic(g)) {
		g->failed = 1;
		return dc_seterr(g->err,
				 "'%s': trailing garbage after gzip data (at byte %llu)",
				 g->path, (unsigned long long)consumed(g));
	}
	g->in_member = 1;
	return 1;
}

/* One inflate step; 0 to go on, 1 at the end of the data, -1 on error. */
static int inflate_step(gzin *g)
{
	int rc;

	if (!g->in_member) {
		rc = next_member(g);
		return rc == 1 ? 0 : rc == 0 ? 1 : -1;
	}
	if (g->zs.avail_in == 0) {
		if (!g->eof && refill(g) != 0)
			return -1;
		if (g->zs.avail_in == 0) {
			g->failed = 1;
			return dc_seterr(g->err,
					 "'%s': gzip data is cut short (after %llu bytes)",
					 g->path, (unsigned long long)g->bytes_read);
		}
	}
	rc = inflate(&g->zs, Z_NO_FLUSH);
	switch (rc) {
	case Z_STREAM_END:
		g->in_member = 0;
		if (inflateReset(&g->zs) == Z_OK)
			return 0;
		g->failed = 1;
		return dc_seterr(g->err, "cannot inflate '%s': %s", g->path,
				 "inflate state lost");
	case Z_OK:
	case Z_BUF_ERROR: /* needs input: the next step reads it */
		return 0;
	case Z_MEM_ERROR:
		g->failed = 1;
		return dc_seterr(g->err, "cannot inflate '%s': out of memory",
				 g->path);
	default: /* Z_DATA_ERROR (bad data, bad check value), Z_NEED_DICT */
		g->failed = 1;
		return dc_seterr(g->err, "'%s': corrupt gzip data: %s", g->path,
				 g->zs.msg ? g->zs.msg : "invalid stream");
	}
}

static ptrdiff_t read_gzip(gzin *g, char *dst, size_t n)
{
	size_t got;
	int rc = 0;

	if (n > MAX_OUT)
		n = MAX_OUT;
	g->zs.next_out = (unsigned char *)dst;
	g->zs.avail_out = (uInt)n;
	while (g->zs.avail_out && (rc = inflate_step(g)) == 0)
		;
	got = n - g->zs.avail_out;
	if (got)
		return (ptrdiff_t)got; /* an error shows on the next call */
	return rc < 0 ? -1 : 0;
}

/* A read on the calling thread. */
static ptrdiff_t read_now(gzin *g, char *dst, size_t n)
{
	if (g->failed)
		return -1;
	if (n == 0)
		return 0;
	return g->gzip ? read_gzip(g, dst, n) : read_plain(g, dst, n);
}

/* ---- inflating ahead ---- */

/* Fill b from the file: full, or short at the end or at an error. */
static void fill_block(gzin *g, block *b)
{
	ptrdiff_t got = 0;

	b->len = b->pos = 0;
	while (b->len < BLOCK &&
	       (got = read_now(g, b->data + b->len, BLOCK - b->len)) > 0)
		b->len += (size_t)got;
	b->end = got <= 0;
	b->rc = got < 0 ? -1 : 0;
	b->bytes_in = consumed(g);
}

/* The thread: fills block i once the reader has taken block i - NBLOCKS,
 * until the last block or gzin_close(). */
static void *ahead_main(void *arg)
{
	gzin *g = arg;
	ahead *a = g->ahead;

	for (unsigned i = 0;; i++) {
		block *b = &a->blk[i % NBLOCKS];
		int stop;

		pthread_mutex_lock(&a->lock);
		while (!a->stop && i - a->taken >= NBLOCKS)
			pthread_cond_wait(&a->cond, &a->lock);
		stop = a->stop;
		pthread_mutex_unlock(&a->lock);
		if (stop)
			break;
		fill_block(g, b);
		pthread_mutex_lock(&a->lock);
		a->filled = i + 1;
		pthread_cond_broadcast(&a->cond);
		pthread_mutex_unlock(&a->lock);
		if (b->end)
			break;
	}
	return NULL;
}

/* Start the thread; without one (pthread_create failed), g reads on the
 * caller's thread. */
static void start_ahead(gzin *g)
{
	ahead *a = dc_calloc(1, sizeof *a);

	for (int i = 0; i < NBLOCKS; i++)
		a->blk[i].data = dc_malloc(BLOCK);
	pthread_mutex_init(&a->lock, NULL);
	pthread_cond_init(&a->cond, NULL);
	g->ahead = a;
	if (pthread_create(&a->thread, NULL, ahead_main, g) == 0)
		return;
	g->ahead = NULL;
	pthread_mutex_destroy(&a->lock);
	pthread_cond_destroy(&a->cond);
	for (int i = 0; i < NBLOCKS; i++)
		free(a->blk[i].data);
	free(a);
}

static void stop_ahead(ahead *a)
{
	pthread_mutex_lock(&a->lock);
	a->stop = 1;
	pthread_cond_broadcast(&a->cond);
	pthread_mutex_unlock(&a->lock);
	pthread_join(a->thread, NULL);
	pthread_mutex_destroy(&a->lock);
	pthread_cond_destroy(&a->cond);
	for (int i = 0; i < NBLOCKS; i++)
		free(a->blk[i].data);
	free(a);
}

/* The block the reader is at, once the thread has filled it. */
static block *current_block(ahead *a)
{
	block *b;

	pthread_mutex_lock(&a->lock);
	while (a->filled == a->taken)
		pthread_cond_wait(&a->cond, &a->lock);
	b = &a->blk[a->taken % NBLOCKS];
	pthread_mutex_unlock(&a->lock);
	return b;
}

static ptrdiff_t read_ahead(ahead *a, char *dst, size_t n)
{
	block *b = current_block(a);
	size_t k;

	while (b->pos == b->len) {
		a->bytes_in = b->bytes_in;
		if (b->end)
			return b->rc; /* and again on every later call */
		pthread_mutex_lock(&a->lock);
		a->taken++;
		pthread_cond_broadcast(&a->cond);
		pthread_mutex_unlock(&a->lock);
		b = current_block(a);
	}
	k = b->len - b->pos < n ? b->len - b->pos : n;
	memcpy(dst, b->data + b->pos, k);
	b->pos += k;
	a->bytes_in = b->bytes_in;
	return (ptrdiff_t)k;
}

ptrdiff_t gzin_read(gzin *g, char *dst, size_t n)
{
	if (g->ahead)
		return n ? read_ahead(g->ahead, dst, n) : 0;
	return read_now(g, dst, n);
}

uint64_t gzin_bytes_in(const gzin *g)
{
	return g->ahead ? g->ahead->bytes_in : consumed(g);
}

uint64_t gzin_size(const gzin *g)
{
	return g->size;
}

const char *gzin_errmsg(const gzin *g)
{
	return g->err[0] ? g->err : "no error";
}

void gzin_close(gzin *g)
{
	if (!g)
		return;
	if (g->ahead)
		stop_ahead(g->ahead);
	if (g->gzip)
		inflateEnd(&g->zs);
	close(g->fd);
	free(g->in);
	free(g->path);
	free(g);
}
