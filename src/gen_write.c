/*
 * gen_write.c - the generator's output: CSV records into multi-member gzip
 * parts, spools for the manifest's long lists, and the output folder's
 * upkeep.
 *
 * A part is written under a hidden temporary name (.<name>.tmp, which no
 * loader takes for a part) and renamed when complete.  The CSV is
 * deflated at a fast level, a new gzip member every MiB of CSV (cut at
 * any byte, as a split stream may be), with zlib's default gzip header:
 * no file name, mtime 0, so the same rows give the same bytes.
 */
#include "gen.h"
#include "dcstage.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define MEMBER_BYTES (1u << 20)  /* CSV bytes per gzip member */
#define CHUNK_BYTES (256u << 10) /* CSV bytes buffered before deflate */
#define OUT_BYTES (128u << 10)
#define GZ_LEVEL 1

struct gen_writer {
	FILE *f;
	char *path, *tmp;
	z_stream z;
	int zopen;
	buf csv;                 /* not yet deflated */
	size_t member_left;      /* CSV bytes until the member ends */
	size_t member_used;
	uint64_t lines;          /* physical lines finished */
	unsigned char out[OUT_BYTES];
	gen_part *info;
	int failed;
	char err[DC_ERR_MAX];
};

/* Record the first failure: fmt has two %s, the file and errno's text. */
static int fail(gen_writer *w, const char *fmt, const char *file)
{
	if (!w->failed)
		snprintf(w->err, sizeof w->err, fmt, file, strerror(errno));
	w->failed = 1;
	return -1;
}

/* Deflate n bytes (flush: Z_NO_FLUSH or Z_FINISH) into the file. */
static int deflate_out(gen_writer *w, const char *p, size_t n, int flush)
{
	z_stream *z = &w->z;

	z->next_in = (Bytef *)(uintptr_t)p;
	z->avail_in = (uInt)n;
	do {
		size_t have;

		z->next_out = w->out;
		z->avail_out = OUT_BYTES;
		if (deflate(z, flush) == Z_STREAM_ERROR) {
			errno = EINVAL;
			return fail(w, "cannot compress '%s': %s", w->path);
		}
		have = OUT_BYTES - z->avail_out;
		if (have && fwrite(w->out, 1, have, w->f) != have)
			return fail(w, "cannot write '%s': %s", w->path);
		w->info->gz_bytes += have;
	} while (z->avail_out == 0);
	return 0;
}

static int end_member(gen_writer *w)
{
	if (deflate_out(w, NULL, 0, Z_FINISH) != 0)
		return -1;
	deflateReset(&w->z);
	w->member_left = MEMBER_BYTES;
	w->member_used = 0;
	return 0;
}

/* Deflate the buffered CSV, ending a member every MEMBER_BYTES. */
static int flush_csv(gen_writer *w)
{
	const char *p = w->csv.data;
	size_t left = w->csv.len;

	while (left) {
		size_t n = left < w->member_left ? left : w->member_left;

		if (deflate_out(w, p, n, Z_NO_FLUSH) != 0)
			return -1;
		p += n;
		left -= n;
		w->member_left -= n;
		w->member_used += n;
		if (w->member_left == 0 && end_member(w) != 0)
			return -1;
	}
	w->info->csv_bytes += w->csv.len;
	buf_reset(&w->csv);
	return 0;
}

static void put_header(gen_writer *w, int t)
{
	for (int c = 0; c < gen_ncols[t]; c++) {
		buf_putc(&w->csv, c ? ',' : '_');
		buf_puts(&w->csv, gen_columns[t][c]);
	}
	buf_putc(&w->csv, '\n');
	w->lines = 1;
}

gen_writer *gen_writer_open(const char *dir, int table, int header,
			    gen_part *info, char *err)
{
	gen_writer *w = dc_calloc(1, sizeof *w);
	buf path = BUF_INIT;

	w->info = info;
	buf_printf(&path, "%s/%s", dir, info->name);
	w->path = buf_detach(&path);
	buf_printf(&path, "%s/.%s.tmp", dir, info->name);
	w->tmp = buf_detach(&path);
	w->f = fopen(w->tmp, "wb");
	if (!w->f) {
		fail(w, "cannot create '%s': %s", w->tmp);
		goto failed;
	}
	if (deflateInit2(&w->z, GZ_LEVEL, Z_DEFLATED, 31, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK) {
		errno = ENOMEM;
		fail(w, "cannot compress '%s': %s", w->path);
		goto failed;
	}
	w->zopen = 1;
	w->member_left = MEMBER_BYTES;
	if (header)
		put_header(w, table);
	return w;
failed:
	dc_seterr(err, "%s", w->err);
	gen_writer_abort(w);
	return NULL;
}

void gen_writer_abort(gen_writer *w)
{
	if (!w)
		return;
	if (w->zopen)
		deflateEnd(&w->z);
	if (w->f) {
		fclose(w->f);
		unlink(w->tmp);
	}
	buf_free(&w->csv);
	free(w->path);
	free(w->tmp);
	free(w);
}

int gen_writer_close(gen_writer *w, int cut, char *err)
{
	buf *b = &w->csv;
	int rc;

	if (cut && b->len && b->data[b->len - 1] == '\n') {
		b->len--;
		if (b->len && b->data[b->len - 1] == '\r')
			b->len--;
	}
	if (!w->failed && flush_csv(w) == 0 &&
	    (w->member_used || !w->info->gz_bytes))
		end_member(w);
	if (fclose(w->f) != 0)
		fail(w, "cannot write '%s': %s", w->path);
	w->f = NULL;
	if (!w->failed && rename(w->tmp, w->path) != 0)
		fail(w, "cannot rename '%s': %s", w->tmp);
	rc = w->failed ? -1 : 0;
	if (rc) {
		unlink(w->tmp);
		dc_seterr(err, "%s", w->err);
	}
	gen_writer_abort(w);
	return rc;
}

const char *gen_writer_errmsg(const gen_writer *w)
{
	return w->err;
}

/* ---- CSV ---- */

static const unsigned char special[256] = {
	[','] = 1, ['"'] = 1, ['\\'] = 1, ['\r'] = 1, ['\n'] = 1
};

static int must_quote(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (special[(unsigned char)s[i]])
			return 1;
	return 0;
}

static void put_field(buf *b, const char *s, size_t n, int style,
		      int doubled)
{
	if (style == GEN_RAW || (style == GEN_AUTO && !must_quote(s, n))) {
		buf_append(b, s, n);
		return;
	}
	buf_grow(b, 2 * n + 2);
	buf_putc(b, '"');
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			buf_putc(b, doubled ? '"' : '\\');
		else if (s[i] == '\\')
			buf_putc(b, '\\');
		buf_putc(b, s[i]);
	}
	buf_putc(b, '"');
}

uint64_t gen_writer_put(gen_writer *w, const gen_row *r)
{
	buf *b = &w->csv;
	uint64_t line = w->lines + 1;
	size_t start;
	const char *p, *end;

	/* Flush before, not after: the last record stays buffered, so that
	 * gen_writer_close() can drop its line end. */
	if (w->failed || (b->len >= CHUNK_BYTES && flush_csv(w) != 0))
		return 0;
	start = b->len;
	for (int c = 0; c < r->n; c++) {
		if (c)
			buf_putc(b, ',');
		put_field(b, gen_row_ptr(r, c), r->len[c], r->style[c],
			  r->doubled);
	}
	if (r->crlf)
		buf_putc(b, '\r');
	buf_putc(b, '\n');
	p = b->data + start;
	end = b->data + b->len;
	while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		w->lines++;
		p++;
	}
	w->info->rows++;
	return line;
}

/* ---- spools ---- */

int gen_spool_open(gen_spool *s, char *err)
{
	s->n = 0;
	s->f = tmpfile();
	if (!s->f)
		return dc_seterr(err, "cannot create a temporary file: %s",
				 strerror(errno));
	return 0;
}

void gen_spool_id(gen_spool *s, const char id[32])
{
	fprintf(s->f, "%s\"%.32s\"", s->n++ ? "," : "", id);
}

void gen_spool_bad(gen_spool *s, const char *file, uint64_t line,
		   const gen_bad *bad)
{
	fprintf(s->f, "%s\n{\"file\":\"%s\",\"line\":%llu,\"kind\":\"%s\","
		"\"expect\":\"%s\"", s->n++ ? "," : "", file,
		(unsigned long long)line, bad->kind, bad->expect);
	if (bad->column)
		fprintf(s->f, ",\"column\":\"%s\"", bad->column);
	fprintf(s->f, ",\"key\":\"%s\"}", bad->key);
}

int gen_spool_copy(gen_spool *s, FILE *out)
{
	char tmp[1 << 16];
	size_t n;

	if (!s->f)
		return 0;
	if (fflush(s->f) != 0 || fseek(s->f, 0, SEEK_SET) != 0)
		return -1;
	while ((n = fread(tmp, 1, sizeof tmp, s->f)) > 0)
		if (fwrite(tmp, 1, n, out) != n)
			return -1;
	return ferror(s->f) ? -1 : 0;
}

void gen_spool_close(gen_spool *s)
{
	if (s->f)
		fclose(s->f);
	s->f = NULL;
}

/* ---- the folder ---- */

int gen_make_dirs(const char *path, char *err)
{
	char *p = dc_strdup(path);
	struct stat st;

	for (char *s = p + 1; ; s++) {
		char c = *s;

		if (c != '/' && c != '\0')
			continue;
		*s = '\0';
		if (mkdir(p, 0777) != 0 && errno != EEXIST) {
			dc_seterr(err, "cannot create '%s': %s", p,
				  strerror(errno));
			free(p);
			return -1;
		}
		*s = c;
		if (!c)
			break;
	}
	free(p);
	if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
		return dc_seterr(err, "cannot create '%s': not a folder", path);
	return 0;
}

void gen_remove_file(const char *dir, const char *name)
{
	buf path = BUF_INIT;

	buf_printf(&path, "%s/%s", dir, name);
	unlink(path.data);
	buf_free(&path);
}

/* Whether name is a part opendata_<table>NNN.gz numbered parts or more,
 * or a file an interrupted run left (.opendata_*.tmp). */
static int stale_part(const char *name, int parts)
{
	size_t n = strlen(name);

	if (!strncmp(name, ".opendata_", 10) && n > 14 &&
	    !strcmp(name + n - 4, ".tmp"))
		return 1;
	for (int t = 0; t < GEN_NTABLES; t++) {
		const char *tn = gen_table_names[t], *p;
		size_t len = strlen(tn);
		unsigned long k;
		char *end;

		if (strncmp(name, "opendata_", 9) != 0 ||
		    strncmp(name + 9, tn, len) != 0)
			continue;
		p = name + 9 + len;
		if (*p < '0' || *p > '9')
			continue;
		k = strtoul(p, &end, 10);
		if (end - p >= 3 && !strcmp(end, ".gz") &&
		    k >= (unsigned long)parts)
			return 1;
	}
	return 0;
}

void gen_remove_stale(const char *dir, int parts)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)) != NULL)
		if (stale_part(e->d_name, parts))
			gen_remove_file(dir, e->d_name);
	closedir(d);
}
