/*
 * csv.c - the reader for the CSV dialect of the dumps (see csv.h).
 *
 * The input sits in one buffer; buf[pos] is the first byte of the next
 * record and buf[end] is always a sentinel LF, so the scanning loops stop
 * at the end of the data without a bounds check of their own.  A record is
 * parsed in one pass from its first byte; when the data ends before the
 * record does, the buffer is compacted (and grown, up to max_record plus
 * some room, only when the record needs it), more is read, and the record
 * is parsed again from its start.  The reader reads until the pending
 * bytes double, so parsing a long record again costs at most twice its
 * length even when the read function returns a byte at a time.
 *
 * Fields without escapes point into the input buffer.  The first escape
 * (`\x` or `""`) in a quoted field moves its value into the decode buffer,
 * which is as large as the input buffer: a record never decodes to more
 * bytes than it has, so that buffer never moves during a parse.
 */
#include "csv.h"
#include "dcstage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK (1u << 20)   /* the input buffer, unless a record needs more */
#define SLACK (64u << 10)  /* room to read into beside the longest record */

enum { NEXT, END, MORE, CUT }; /* how scanning a field ended */
enum { GOT, BLANK, AGAIN };    /* how parsing a record ended */

/* The bytes that end a run of data outside quotes, and inside them. */
static const unsigned char plain_stop[256] = {
	[','] = 1, ['"'] = 1, ['\n'] = 1
};
static const unsigned char quoted_stop[256] = {
	['"'] = 1, ['\\'] = 1, ['\n'] = 1
};

struct csv_reader {
	csv_read_fn read;
	csv_errmsg_fn errmsg;
	void *ctx;
	char *name;
	size_t max_record;
	char *buf;          /* cap bytes of data, then the sentinel LF */
	char *dec;          /* cap bytes: values of fields with escapes */
	size_t cap, max_cap, pos, end;
	csv_field *fields;
	size_t cap_fields;
	uint64_t line;      /* the line buf[pos] is on */
	int eof;            /* the read function has returned 0 */
	int failed;         /* it has failed: err says why */
	int fail_next;      /* it has failed after giving bytes: tell later */
	int skip_line;      /* drop the rest of a too long line first */
	char why[160];      /* the current record's error */
	char err[DC_ERR_MAX];
};

/* One pass over one record. */
typedef struct scan {
	csv_reader *r;
	const char *p;          /* the next byte */
	const char *lim;        /* the end of the data; *lim is '\n' */
	const char *line_start; /* the start of the physical line p is on */
	uint64_t lines;         /* line ends inside the record so far */
	size_t nf;              /* fields so far */
	size_t dlen;            /* bytes used in r->dec */
	const char *error;      /* NULL, or r->why */
} scan;

csv_reader *csv_open(csv_read_fn read, csv_errmsg_fn errmsg, void *ctx,
		     const char *name, size_t max_record)
{
	csv_reader *r = dc_calloc(1, sizeof *r);

	r->read = read;
	r->errmsg = errmsg;
	r->ctx = ctx;
	r->name = dc_strdup(name ? name : "input");
	r->max_record = max_record ? max_record : CHUNK;
	if (r->max_record > SIZE_MAX / 4)
		r->max_record = SIZE_MAX / 4;
	r->cap = r->max_record < CHUNK / 2 ? 2 * r->max_record + 64 : CHUNK;
	r->max_cap = r->max_record + 2 + SLACK;
	r->buf = dc_malloc(r->cap + 1);
	r->buf[0] = '\n';
	r->dec = dc_malloc(r->cap);
	r->cap_fields = 64;
	r->fields = dc_malloc(r->cap_fields * sizeof *r->fields);
	r->line = 1;
	return r;
}

void csv_close(csv_reader *r)
{
	if (!r)
		return;
	free(r->name);
	free(r->buf);
	free(r->dec);
	free(r->fields);
	free(r);
}

const char *csv_errmsg(const csv_reader *r)
{
	return r->err[0] ? r->err : "no error";
}

/* ---- reading ---- */

static int read_failed(csv_reader *r)
{
	const char *msg = r->errmsg ? r->errmsg(r->ctx) : NULL;

	r->failed = 1;
	if (msg)
		return dc_seterr(r->err, "%s", msg);
	return dc_seterr(r->err, "cannot read '%s'", r->name);
}

static void grow(csv_reader *r)
{
	size_t cap = 2 * r->cap;

	if (cap > r->max_cap)
		cap = r->max_cap;
	r->cap = cap;
	r->buf = dc_realloc(r->buf, cap + 1);
	free(r->dec);
	r->dec = dc_malloc(cap);
}

/* Move the pending bytes to the front and read until they at least double
 * (or the buffer is full, or the input ends); 0 or -1.  When the read
 * function fails after giving some bytes, those are parsed first. */
static int fill(csv_reader *r)
{
	size_t pending = r->end - r->pos, target;

	if (r->fail_next)
		return read_failed(r);
	if (r->pos) {
		memmove(r->buf, r->buf + r->pos, pending);
		r->pos = 0;
		r->end = pending;
	}
	if (r->end == r->cap && r->cap < r->max_cap)
		grow(r);
	target = pending ? 2 * pending : 1;
	if (target > r->cap)
		target = r->cap;
	while (r->end < target && !r->eof) {
		ptrdiff_t n = r->read(r->ctx, r->buf + r->end,
				      r->cap - r->end);

		if (n < 0 && r->end > pending) {
			r->fail_next = 1;
			break;
		}
		if (n < 0)
			return read_failed(r);
		if (n == 0)
			r->eof = 1;
		r->end += (size_t)n;
	}
	r->buf[r->end] = '\n';
	return 0;
}

/* After a too long record without a line end: drop bytes up to and with
 * the next LF; 0 or -1. */
static int skip_rest_of_line(csv_reader *r)
{
	for (;;) {
		const char *lf = memchr(r->buf + r->pos, '\n', r->end - r->pos);

		if (lf) {
			r->pos = (size_t)(lf - r->buf) + 1;
			r->line++;
			r->skip_line = 0;
			return 0;
		}
		r->pos = r->end;
		if (r->eof) {
			r->skip_line = 0;
			return 0;
		}
		if (fill(r) != 0)
			return -1;
	}
}

/* ---- one record ---- */

static void add_field(scan *s, const char *p, size_t n)
{
	csv_reader *r = s->r;

	if (s->nf == r->cap_fields) {
		r->cap_fields *= 2;
		r->fields = dc_realloc(r->fields,
				       r->cap_fields * sizeof *r->fields);
	}
	r->fields[s->nf].ptr = p;
	r->fields[s->nf].len = n;
	s->nf++;
}

static void put(scan *s, const char *p, size_t n)
{
	memcpy(s->r->dec + s->dlen, p, n);
	s->dlen += n;
}

/* Set the record's error: what happened, in which field, where. */
static void describe(scan *s, const char *what, uint64_t lines,
		     const char *line_start, const char *at)
{
	csv_reader *r = s->r;
	size_t col = (size_t)(at - line_start) + 1;

	if (lines)
		snprintf(r->why, sizeof r->why,
			 "%s (field %zu, line %llu, column %zu)", what,
			 s->nf + 1, (unsigned long long)(r->line + lines), col);
	else
		snprintf(r->why, sizeof r->why, "%s (field %zu, column %zu)",
			 what, s->nf + 1, col);
	s->error = r->why;
}

/* A malformed field from f: the rest of the physical line is its data. */
static int bad_rest(scan *s, const char *f, const char *at, const char *what)
{
	const char *e = memchr(at, '\n', (size_t)(s->lim - at) + 1);
	size_t n = (size_t)(e - f);

	if (e == s->lim && !s->r->eof)
		return MORE;
	describe(s, what, s->lines, s->line_start, at);
	if (n && e[-1] == '\r')
		n--;
	add_field(s, f, n);
	s->p = e;
	return END;
}

static int unquoted(scan *s)
{
	const char *f = s->p, *p = f;
	size_t n;

	while (!plain_stop[(unsigned char)*p])
		p++;
	if (*p == ',') {
		add_field(s, f, (size_t)(p - f));
		s->p = p + 1;
		return NEXT;
	}
	if (*p == '"')
		return bad_rest(s, f, p, "unexpected quote in unquoted field");
	if (p == s->lim && !s->r->eof)
		return MORE;
	n = (size_t)(p - f);
	if (n && p[-1] == '\r')
		n--;
	add_field(s, f, n);
	s->p = p;
	return END;
}

/* Input ended inside the quoted field opened at `open`. */
static int unterminated(scan *s, const char *open, uint64_t lines,
			const char *line_start)
{
	describe(s, "unterminated quoted field", lines, line_start, open);
	if (s->lines)
		return CUT;
	add_field(s, open, (size_t)(s->lim - open));
	s->p = s->lim;
	return END;
}

/* After the closing quote at p - 1 of the field opened at `open`, whose
 * value is v, n. */
static int after_close(scan *s, const char *p, const char *open,
		       const char *v, size_t n)
{
	if (*p == ',') {
		add_field(s, v, n);
		s->p = p + 1;
		return NEXT;
	}
	if (*p == '\r' && p[1] == '\n') {
		if (p + 1 == s->lim && !s->r->eof)
			return MORE;
		p++;
	}
	if (*p != '\n')
		return bad_rest(s, open, p,
				"unexpected character after closing quote");
	add_field(s, v, n);
	s->p = p;
	return END;
}

static int quoted(scan *s)
{
	const char *open = s->p, *q = open + 1, *seg = q;
	const char *open_ls = s->line_start;
	uint64_t open_lines = s->lines;
	size_t d0 = s->dlen;
	int copying = 0;

	for (;;) {
		while (!quoted_stop[(unsigned char)*q])
			q++;
		if (q == s->lim || (*q == '\\' && q + 1 == s->lim)) {
			if (!s->r->eof)
				return MORE;
			return unterminated(s, open, open_lines, open_ls);
		}
		if (*q == '\n') {
			s->lines++;
			s->line_start = ++q;
			continue;
		}
		if (*q == '"' && q[1] != '"')
			break;
		/* \x or "": the value goes on in the decode buffer */
		put(s, seg, (size_t)(q - seg));
		put(s, q + 1, 1);
		copying = 1;
		if (q[1] == '\n') {
			s->lines++;
			s->line_start = q + 2;
		}
		seg = q += 2;
	}
	if (q + 1 == s->lim && !s->r->eof)
		return MORE; /* what follows the quote decides */
	if (!copying)
		return after_close(s, q + 1, open, open + 1,
				   (size_t)(q - open - 1));
	put(s, seg, (size_t)(q - seg));
	return after_close(s, q + 1, open, s->r->dec + d0, s->dlen - d0);
}

/* The record at pos is cut back to its first physical line, with the
 * error in r->why; the next record starts on the line after it. */
static int cut_to_first_line(csv_reader *r, csv_record *rec)
{
	const char *start = r->buf + r->pos;
	const char *lf = memchr(start, '\n', r->end - r->pos);
	size_t n = lf ? (size_t)(lf - start) : r->end - r->pos;

	if (lf && n && lf[-1] == '\r')
		n--;
	rec->nfields = 0;
	rec->fields = r->fields;
	rec->line = r->line;
	rec->raw = start;
	rec->raw_len = n < r->max_record ? n : r->max_record;
	rec->error = r->why;
	if (lf) {
		r->pos = (size_t)(lf - r->buf) + 1;
		r->line++;
	} else {
		r->skip_line = 1; /* the line goes on beyond the buffer */
	}
	return GOT;
}

static int too_long(csv_reader *r, csv_record *rec)
{
	snprintf(r->why, sizeof r->why, "record longer than %zu bytes",
		 r->max_record);
	return cut_to_first_line(r, rec);
}

/* The record ends at s->p (its LF, or the end of the input). */
static int finish(scan *s, csv_record *rec)
{
	csv_reader *r = s->r;
	const char *start = r->buf + r->pos, *e = s->p;
	size_t n = (size_t)(e - start);

	if (n && e[-1] == '\r')
		n--;
	if (n > r->max_record)
		return too_long(r, rec);
	r->pos = e < s->lim ? (size_t)(e - r->buf) + 1 : r->end;
	if (n == 0) { /* a blank line */
		r->line++;
		return BLANK;
	}
	rec->nfields = s->nf;
	rec->fields = r->fields;
	rec->line = r->line;
	rec->raw = start;
	rec->raw_len = n;
	rec->error = s->error;
	r->line += s->lines + 1;
	return GOT;
}

/* Parse the record at pos: GOT (rec filled), BLANK (a blank line was
 * skipped) or AGAIN (the data ends inside the record: read more). */
static int parse(csv_reader *r, csv_record *rec)
{
	scan s = { r, r->buf + r->pos, r->buf + r->end, r->buf + r->pos,
		   0, 0, 0, NULL };
	int rc;

	do
		rc = *s.p == '"' ? quoted(&s) : unquoted(&s);
	while (rc == NEXT);
	if (rc == MORE)
		return AGAIN;
	if (rc == CUT) {
		if ((size_t)(s.lim - (r->buf + r->pos)) > r->max_record)
			return too_long(r, rec);
		return cut_to_first_line(r, rec);
	}
	return finish(&s, rec);
}

int csv_next_record(csv_reader *r, csv_record *rec)
{
	if (r->failed)
		return -1;
	if (r->skip_line && skip_rest_of_line(r) != 0)
		return -1;
	for (;;) {
		int rc;

		if (r->pos == r->end) {
			if (r->eof)
				return 0;
			if (fill(r) != 0)
				return -1;
			continue;
		}
		rc = parse(r, rec);
		if (rc == GOT)
			return 1;
		if (rc == BLANK)
			continue;
		if (r->end - r->pos >= r->max_record + 2) {
			too_long(r, rec);
			return 1;
		}
		if (fill(r) != 0)
			return -1;
	}
}
