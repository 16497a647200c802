/*
 * csv.h - the reader for the CSV dialect of the dumps.
 *
 * The dialect (see the input format spec):
 * - records end with LF or CRLF; the last one may lack its line end; a CR
 *   right before the end of the input counts as a line end too;
 * - fields are separated by commas; any field may be enclosed in double
 *   quotes; `""` and an empty field are both empty (length 0);
 * - inside quotes, commas and line breaks are data (a CRLF inside quotes is
 *   kept as CR LF); `\"` and `""` stand for a quote, `\\` for a backslash,
 *   and a backslash before any other character for that character;
 * - outside quotes a backslash is an ordinary character: `a\,b` is the two
 *   fields `a\` and `b` (ids and text are not escaped outside quotes);
 * - a blank line (nothing, or a lone CR, before its LF) is not a record; it
 *   is skipped and still counts in the line numbers;
 * - a header is returned as an ordinary record: recognising it is the
 *   caller's business.
 *
 * Malformed records are returned, not dropped: rec->error says why and the
 * reader goes on with the next record.
 * - "unexpected quote in unquoted field (field N, column C)" (`ab"c`) and
 *   "unexpected character after closing quote (field N, column C)"
 *   (`"ab"c`): the field holds its bytes as in the file, from its start
 *   to the end of that physical line, quotes and commas and all; the next
 *   record starts on the next line.
 *   When the error is on a later line than the record's first (after a
 *   quoted line break), the message says "(field N, line L, column C)".
 * - "unterminated quoted field (field N, column C)": a quote still open at
 *   the end of the input; the field holds the rest from its opening quote.
 * - "record longer than N bytes": the record has more than max_record
 *   bytes; raw is its first line, at most max_record bytes of it, and
 *   nfields is 0.  Reading resumes on the line after the record's first.
 * An unterminated quoted field that spans several lines is also cut back
 * to its first line (raw is that line, nfields is 0) and reading resumes
 * on the next line, so that one stray opening quote costs one record and
 * not the rest of the file.  Columns are 1-based byte offsets in their
 * physical line; fields are 1-based.
 *
 * Memory is bounded: an input buffer of 1 MiB (less for a small
 * max_record), grown up to max_record + 64 KiB only when one record does
 * not fit in it, and a decode buffer of the same size for the fields that
 * hold escapes.  Other fields point into the input buffer.
 */
#ifndef DC_CSV_H
#define DC_CSV_H

#include <stddef.h>
#include <stdint.h>

typedef struct csv_field {
	const char *ptr;
	size_t len;
} csv_field;

typedef struct csv_record {
	size_t nfields;
	csv_field *fields;  /* decoded values; valid until the next call */
	uint64_t line;      /* 1-based physical line where the record starts */
	const char *raw;    /* the record's bytes as in the file, without its line end */
	size_t raw_len;
	const char *error;  /* NULL, or why the record is malformed (then
			     * fields are what could be read) */
} csv_record;

typedef struct csv_reader csv_reader;

/* Reads up to n bytes into dst: the count (> 0), 0 at the end, -1 on
 * error; as gzin_read(). */
typedef ptrdiff_t (*csv_read_fn)(void *ctx, char *dst, size_t n);
/* Why the read function failed (errmsg may be NULL). */
typedef const char *(*csv_errmsg_fn)(void *ctx);

/* A reader of the bytes that read(ctx) gives.  name is the input's name,
 * used when a read fails and errmsg is NULL (copied).  max_record bounds a
 * record's bytes (0: 1 MiB).  Never fails; free with csv_close(). */
csv_reader *csv_open(csv_read_fn read, csv_errmsg_fn errmsg, void *ctx,
		     const char *name, size_t max_record);

/* The next record into rec: 1 = a record, 0 = end of input, -1 = the read
 * function failed (csv_errmsg(); every later call fails too).  rec's
 * pointers stay valid until the next call or csv_close(). */
int csv_next_record(csv_reader *r, csv_record *rec);

/* Why csv_next_record() returned -1: the read function's own message
 * (which names the input), or "cannot read '<name>'"; owned by r. */
const char *csv_errmsg(const csv_reader *r);

/* Free r; NULL is accepted. */
void csv_close(csv_reader *r);

#endif
