/*
 * test_writeback.c - the writeback thread gets a file's dirty pages
 * written, those written before it started and while it runs, and leaves
 * the file's bytes as they were; a file that cannot be opened gives no
 * thread.  Dirty pages are counted with cachestat(2) (Linux 6.5); where
 * the system has no such call, or its files under $TMPDIR show no dirty
 * pages to start with (tmpfs), the cases that need the count say they are
 * skipped.
 */
#include "check.h"
#include "dcstage.h"
#include "writeback.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define FILE_BYTES (8u << 20)
#define SYS_CACHESTAT 451 /* the same number on every architecture */

static char dir[256];

/* The dirty pages of the file open as fd, -1 when they cannot be counted. */
static long long dirty_pages(int fd)
{
	/* the kernel's struct cachestat_range (offset, length: 0 is to the
	 * end) and struct cachestat (cached, dirty, writeback, evicted,
	 * recently evicted pages) */
	uint64_t range[2] = { 0, 0 }, st[5];

	if (syscall(SYS_CACHESTAT, fd, range, st, 0) != 0)
		return -1;
	return (long long)st[1];
}

/* Append n bytes of pattern seed to fd, without syncing. */
static void append(int fd, size_t n, unsigned seed)
{
	static unsigned char block[65536];

	for (size_t i = 0; i < sizeof block; i++)
		block[i] = (unsigned char)(i * 31 + seed);
	for (size_t done = 0; done < n; done += sizeof block)
		if (write(fd, block, sizeof block) != (ssize_t)sizeof block) {
			perror("cannot write a test file");
			exit(1);
		}
}

/* Wait up to 5 s for fd's dirty pages to be gone: their last count. */
static long long wait_clean(int fd)
{
	struct timespec tick = { 0, 10000000 };
	long long dirty = dirty_pages(fd);

	for (int i = 0; i < 500 && dirty > 0; i++) {
		nanosleep(&tick, NULL);
		dirty = dirty_pages(fd);
	}
	return dirty;
}

/* Whether fd holds what append() wrote with seeds 1 then 2, n bytes each. */
static int holds_pattern(int fd, size_t n)
{
	unsigned char got[65536];

	for (size_t off = 0; off < 2 * n; off += sizeof got) {
		unsigned seed = off < n ? 1 : 2;

		if (pread(fd, got, sizeof got, (off_t)off) != (ssize_t)sizeof got)
			return 0;
		for (size_t i = 0; i < sizeof got; i++)
			if (got[i] != (unsigned char)(i * 31 + seed))
				return 0;
	}
	return 1;
}

static int new_file(char *path, size_t size)
{
	int fd;

	snprintf(path, size, "%s/writeback-test.XXXXXX", dir);
	if ((fd = mkstemp(path)) < 0) {
		perror("cannot create a test file");
		exit(1);
	}
	return fd;
}

/* 1: a file written and not synced keeps dirty pages (the count works
 * here, and the control file, left alone, keeps them to the end: the
 * kernel did not write them back itself); 2: writeback gets them
 * written; 3: and those written after it started; 4: the bytes are
 * unchanged. */
static void test_writes_back(void)
{
	char path[300], control[300];
	int fd = new_file(path, sizeof path);
	int cfd = new_file(control, sizeof control);
	long long before, cbefore, clean_before, clean_during;
	writeback *w;

	append(cfd, FILE_BYTES, 1);
	append(fd, FILE_BYTES, 1);
	before = dirty_pages(fd);
	cbefore = dirty_pages(cfd);
	CHECK((w = writeback_start(path)) != NULL);
	clean_before = wait_clean(fd);                            /* 2 */
	append(fd, FILE_BYTES, 2);
	clean_during = wait_clean(fd);                            /* 3 */
	if (before <= 0 || cbefore <= 0)
		printf("skipped: dirty pages cannot be counted here (%s)\n",
		       before < 0 ? "no cachestat" : "none to start with");
	else if (dirty_pages(cfd) <= 0)
		printf("skipped: the kernel wrote the control file itself\n");
	else {
		CHECK_INT(clean_before, 0);
		CHECK_INT(clean_during, 0);
	}
	writeback_stop(w);
	CHECK(holds_pattern(fd, FILE_BYTES));                      /* 4 */
	close(fd);
	close(cfd);
	unlink(path);
	unlink(control);
}

/* 5: no thread for a file that cannot be opened; stopping none is fine.
 * Without sync_file_range, none for any file. */
static void test_missing_file(void)
{
	char path[300];

	snprintf(path, sizeof path, "%s/no-such-file.db", dir);
	CHECK(writeback_start(path) == NULL);
	writeback_stop(NULL);
#ifndef SYNC_FILE_RANGE_WRITE
	int fd = new_file(path, sizeof path);

	CHECK(writeback_start(path) == NULL);
	close(fd);
	unlink(path);
#endif
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof dir, "%s/writeback-dir.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
#ifdef SYNC_FILE_RANGE_WRITE
	test_writes_back();
#endif
	test_missing_file();
	rmdir(dir);
	return check_summary();
}
