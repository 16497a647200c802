/*
 * test_gzin.c - streaming input of plain and gzip files: one member,
 * several members (a CSV record split across them), members that meet at
 * a read boundary, cut, corrupt and trailing data, empty and missing
 * files.  Files are written under $TMPDIR and removed.
 */
#include "buf.h"
#include "check.h"
#include "csv.h"
#include "dcstage.h"
#include "gzin.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define CHUNK (256u << 10) /* gzin's read size */

static char dir[256];

/* A new file holding data; returns its path (static storage, 8 slots). */
static const char *put_file(const void *data, size_t n)
{
	static char paths[8][300];
	static int next;
	char *path = paths[next++ % 8];
	int fd;

	snprintf(path, sizeof paths[0], "%s/gzin-test.XXXXXX", dir);
	fd = mkstemp(path);
	if (fd < 0 || write(fd, data, n) != (ssize_t)n) {
		perror("cannot write a test file");
		exit(1);
	}
	close(fd);
	return path;
}

/* data as one gzip member (level 0: stored blocks) appended to out. */
static void gzip_member(buf *out, const void *data, size_t n, int level)
{
	z_stream zs;
	unsigned char tmp[65536];
	int rc;

	memset(&zs, 0, sizeof zs);
	if (deflateInit2(&zs, level, Z_DEFLATED, 31, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		exit(1);
	zs.next_in = (unsigned char *)data;
	zs.avail_in = (uInt)n;
	do {
		zs.next_out = tmp;
		zs.avail_out = sizeof tmp;
		rc = deflate(&zs, Z_FINISH);
		buf_append(out, tmp, sizeof tmp - zs.avail_out);
	} while (rc == Z_OK);
	deflateEnd(&zs);
}

/* Read all of path in reads of step bytes; rc is the last read's result. */
static char *read_file(const char *path, size_t step, size_t *len,
		       ptrdiff_t *rc, char *msg)
{
	char err[DC_ERR_MAX];
	gzin *g = gzin_open(path, err);
	buf b = BUF_INIT;
	char *tmp = malloc(step);
	uint64_t last_in = 0;
	ptrdiff_t n;
	int sane = 1;

	buf_puts(&b, "");
	if (!g) {
		snprintf(msg, DC_ERR_MAX, "%s", err);
		*rc = -2;
		*len = 0;
		free(tmp);
		return buf_detach(&b);
	}
	while ((n = gzin_read(g, tmp, step)) > 0) {
		sane &= n <= (ptrdiff_t)step && gzin_bytes_in(g) >= last_in;
		last_in = gzin_bytes_in(g);
		buf_append(&b, tmp, (size_t)n);
	}
	CHECK(sane); /* no more than asked for; progress never goes back */
	*rc = n;
	snprintf(msg, DC_ERR_MAX, "%s", n < 0 ? gzin_errmsg(g) : "");
	if (n == 0)
		CHECK_INT(gzin_bytes_in(g), gzin_size(g));
	CHECK_INT(gzin_read(g, tmp, step), n); /* the end or the error stays */
	gzin_close(g);
	free(tmp);
	*len = b.len;
	return buf_detach(&b);
}

/* The content of path must be want, whatever the read size. */
static void expect_content(const char *path, const void *want, size_t n)
{
	static const size_t steps[] = { 1, 7, 4096, 1u << 20 };
	char msg[DC_ERR_MAX];

	for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++) {
		size_t len;
		ptrdiff_t rc;
		char *got;

		if (steps[k] == 1 && n > (1u << 20))
			continue;
		got = read_file(path, steps[k], &len, &rc, msg);
		CHECK_INT(rc, 0);
		CHECK_STR(msg, "");
		CHECK_INT(len, n);
		CHECK(len == n && !memcmp(got, want, n));
		free(got);
	}
}

/* Reading path must fail with a message containing `want` and the path,
 * after giving at most `most` bytes that match the start of content
 * (unless content is NULL). */
static void expect_error(const char *path, const char *want,
			 const void *content, size_t most)
{
	static const size_t steps[] = { 7, 4096, 1u << 20 };
	char msg[DC_ERR_MAX];

	for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++) {
		size_t len;
		ptrdiff_t rc;
		char *got = read_file(path, steps[k], &len, &rc, msg);

		CHECK_INT(rc, -1);
		CHECK(strstr(msg, want) != NULL);
		CHECK(strstr(msg, path) != NULL);
		if (!strstr(msg, want))
			fprintf(stderr, "  message: %s\n", msg);
		CHECK(len <= most);
		CHECK(!content || !memcmp(got, content, len));
		if (content && memcmp(got, content, len))
			fprintf(stderr, "  %s: %zu bytes differ\n", want, len);
		free(got);
	}
}

/* Some text that compresses, of n bytes. */
static void make_text(buf *b, size_t n, uint64_t seed)
{
	buf_reset(b);
	while (b->len < n) {
		seed = seed * 6364136223846793005u + 1442695040888963407u;
		buf_printf(b, "%016llx,row %llu,\"a \\\"quoted\\\" text\"\n",
			   (unsigned long long)(seed >> 11),
			   (unsigned long long)(seed >> 40));
	}
	b->len = n;
	b->data[n] = '\0';
}

/* Bytes that do not compress. */
static void make_noise(buf *b, size_t n, uint64_t seed)
{
	buf_reset(b);
	for (size_t i = 0; i < n; i++) {
		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		buf_putc(b, (char)(seed >> 24));
	}
}

static void test_plain(void)
{
	const char *text = "a,b\nc,\"d\"\n";
	const char *p = put_file(text, strlen(text));
	buf big = BUF_INIT;

	expect_content(p, text, strlen(text));
	unlink(p);
	p = put_file("a", 1);
	expect_content(p, "a", 1);
	unlink(p);
	p = put_file("\x1f" "abc", 4); /* half a magic: still plain */
	expect_content(p, "\x1f" "abc", 4);
	unlink(p);
	make_text(&big, 3 * CHUNK + 17, 1);
	p = put_file(big.data, big.len);
	expect_content(p, big.data, big.len);
	unlink(p);
	buf_free(&big);
}

static void test_one_member(void)
{
	buf text = BUF_INIT, gz = BUF_INIT;
	const char *p;

	make_text(&text, 2u << 20, 2);
	gzip_member(&gz, text.data, text.len, 6);
	p = put_file(gz.data, gz.len);
	expect_content(p, text.data, text.len);
	unlink(p);
	buf_reset(&gz);
	gzip_member(&gz, "", 0, 6); /* a member with nothing in it */
	p = put_file(gz.data, gz.len);
	expect_content(p, "", 0);
	unlink(p);
	buf_free(&text);
	buf_free(&gz);
}

static ptrdiff_t read_gz(void *ctx, char *dst, size_t n)
{
	return gzin_read(ctx, dst, n);
}

static const char *gz_errmsg(void *ctx)
{
	return gzin_errmsg(ctx);
}

static void test_members(void)
{
	static const char *parts[] = { "id,text\n1,\"split ", "across\n",
				       "members\"\n2,", "x\n" };
	buf gz = BUF_INIT, all = BUF_INIT;
	const char *p;
	char err[DC_ERR_MAX];
	gzin *g;
	csv_reader *r;
	csv_record rec;

	for (size_t i = 0; i < 4; i++) {
		gzip_member(&gz, parts[i], strlen(parts[i]), 6);
		buf_puts(&all, parts[i]);
	}
	p = put_file(gz.data, gz.len);
	expect_content(p, all.data, all.len);

	/* the records read through csv as if from one stream */
	g = gzin_open(p, err);
	r = csv_open(read_gz, gz_errmsg, g, "members.gz", 0);
	CHECK_INT(csv_next_record(r, &rec), 1);
	CHECK_INT(rec.nfields, 2);
	CHECK_INT(csv_next_record(r, &rec), 1);
	CHECK_INT(rec.line, 2);
	CHECK_INT(rec.nfields, 2);
	CHECK(rec.fields[1].len == 20 &&
	      !memcmp(rec.fields[1].ptr, "split across\nmembers", 20));
	CHECK_INT(csv_next_record(r, &rec), 1);
	CHECK_INT(rec.line, 4);
	CHECK(rec.nfields == 2 && rec.fields[1].len == 1);
	CHECK_INT(csv_next_record(r, &rec), 0);
	csv_close(r);
	gzin_close(g);
	unlink(p);
	buf_free(&gz);
	buf_free(&all);
}

/* Stored members sized so that the next member's magic is split by, or
 * starts right at, the end of gzin's read buffer. */
static void test_member_at_chunk_end(void)
{
	buf noise = BUF_INIT, gz = BUF_INIT, all = BUF_INIT;

	for (size_t end = CHUNK - 2; end <= CHUNK + 1; end++) {
		size_t n = end - 200;
		const char *p;

		for (int tries = 0; tries < 50; tries++) {
			/* the content size that makes the member `end` long */
			make_noise(&noise, n, end);
			buf_reset(&gz);
			gzip_member(&gz, noise.data, noise.len, 0);
			if (gz.len == end)
				break;
			n += end - gz.len; /* wraps as it should when too long */
		}
		CHECK_INT(gz.len, end);
		buf_reset(&all);
		buf_append(&all, noise.data, noise.len);
		gzip_member(&gz, "tail\n", 5, 6);
		buf_puts(&all, "tail\n");
		p = put_file(gz.data, gz.len);
		expect_content(p, all.data, all.len);
		unlink(p);
	}
	buf_free(&noise);
	buf_free(&gz);
	buf_free(&all);
}

static void test_cut(void)
{
	buf text = BUF_INIT, gz = BUF_INIT;
	size_t cuts[4];
	char want[128];

	make_text(&text, 1u << 20, 3);
	gzip_member(&gz, text.data, text.len, 6);
	cuts[0] = gz.len / 2; /* in the deflate data */
	cuts[1] = 5;          /* in the header */
	cuts[2] = gz.len - 4; /* in the trailer */
	cuts[3] = gz.len - 1;
	for (size_t i = 0; i < 4; i++) {
		const char *p = put_file(gz.data, cuts[i]);

		snprintf(want, sizeof want,
			 "': gzip data is cut short (after %zu bytes)", cuts[i]);
		expect_error(p, want, text.data, text.len);
		unlink(p);
	}
	/* a second member cut short */
	gzip_member(&gz, "more\n", 5, 6);
	buf_puts(&text, "more\n");
	{
		const char *p = put_file(gz.data, gz.len - 3);

		expect_error(p, "gzip data is cut short", text.data, text.len);
		unlink(p);
	}
	buf_free(&text);
	buf_free(&gz);
}

static void test_corrupt(void)
{
	buf text = BUF_INIT, gz = BUF_INIT, bad = BUF_INIT;
	const char *p;

	make_text(&text, 300000, 4);
	gzip_member(&gz, text.data, text.len, 6);

	/* damaged deflate data */
	buf_append(&bad, gz.data, gz.len);
	for (size_t i = 0; i < 64; i++)
		bad.data[gz.len / 3 + i] ^= 0x5a;
	p = put_file(bad.data, bad.len);
	expect_error(p, "': corrupt gzip data: ", NULL, text.len);
	unlink(p);

	/* a wrong check value in the trailer */
	buf_reset(&bad);
	buf_append(&bad, gz.data, gz.len);
	bad.data[gz.len - 6] ^= 1;
	p = put_file(bad.data, bad.len);
	expect_error(p, "': corrupt gzip data: incorrect data check",
		     text.data, text.len);
	unlink(p);

	/* a bad header */
	buf_reset(&bad);
	buf_append(&bad, gz.data, gz.len);
	bad.data[2] = 7; /* compression method */
	p = put_file(bad.data, bad.len);
	expect_error(p, "': corrupt gzip data: ", text.data, 0);
	unlink(p);
	buf_free(&text);
	buf_free(&gz);
	buf_free(&bad);
}

static void test_trailing(void)
{
	static const struct { const char *tail; size_t n; } tails[] = {
		{ "garbage", 7 }, { "\0\0\0\0", 4 }, { "\x1f", 1 },
		{ "\x8b\x1f", 2 },
	};
	buf gz = BUF_INIT;
	char want[128];

	gzip_member(&gz, "a,b\n", 4, 6);
	for (size_t i = 0; i < sizeof tails / sizeof tails[0]; i++) {
		size_t len = gz.len;
		const char *p;

		buf_append(&gz, tails[i].tail, tails[i].n);
		p = put_file(gz.data, gz.len);
		snprintf(want, sizeof want,
			 "': trailing garbage after gzip data (at byte %zu)",
			 len);
		expect_error(p, want, "a,b\n", 4);
		unlink(p);
		gz.len = len;
	}
	buf_free(&gz);
}

static void test_empty_missing(void)
{
	char path[300], err[DC_ERR_MAX], want[400];
	const char *p = put_file("", 0);
	gzin *g;

	expect_content(p, "", 0);
	g = gzin_open(p, err);
	CHECK_INT(gzin_size(g), 0);
	CHECK_INT(gzin_read(g, want, 0), 0);
	gzin_close(g);
	unlink(p);

	snprintf(path, sizeof path, "%s/no-such-file.gz", dir);
	CHECK(gzin_open(path, err) == NULL);
	snprintf(want, sizeof want,
		 "cannot open '%s': No such file or directory", path);
	CHECK_STR(err, want);

	CHECK(gzin_open(dir, err) == NULL); /* a folder cannot be read */
	snprintf(want, sizeof want, "cannot read '%s': Is a directory", dir);
	CHECK_STR(err, want);
	gzin_close(NULL);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof dir, "%s/gzin-dir.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		perror("cannot make a folder for the test files");
		return 1;
	}
	test_plain();
	test_one_member();
	test_members();
	test_member_at_chunk_end();
	test_cut();
	test_corrupt();
	test_trailing();
	test_empty_missing();
	rmdir(dir);
	return check_summary();
}
