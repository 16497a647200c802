/*
 * values.h - parsing the dump's field values: dates, numbers, counts, flags,
 * coordinates, ids, and checking or repairing UTF-8.
 *
 * Every function takes a pointer and a length (the text need not be
 * NUL-terminated), keeps no state and allocates nothing, so any thread may
 * call it; only val_utf8_repair() grows the caller's buffer.
 *
 * The parsers return VAL_OK with the result in *out, VAL_EMPTY for an empty
 * field (a missing value, *out untouched), or VAL_BAD when the value is
 * present but invalid: *why (when why is not NULL) then points to a short
 * static reason such as "not a date".
 *
 * val_convert() puts them behind one call, by the kind of a staging
 * column: the loader converts every field with it, and each SQL function
 * of sqlfuncs.c is one kind.
 */
#ifndef DC_VALUES_H
#define DC_VALUES_H

#include "buf.h"

#include <stddef.h>
#include <stdint.h>

#define VAL_OK 0      /* parsed */
#define VAL_EMPTY 1   /* empty field: a missing value */
#define VAL_FIXED 2   /* val_convert(): kept after a repair; *why says which */
#define VAL_BAD (-1)  /* present but invalid; *why says why */
#define VAL_DATE_MAX 27  /* "YYYY-MM-DDTHH:MM:SS.ffffff" + NUL */

/* `YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS` or `YYYY-MM-DD HH:MM:SS.f` (1 to 6
 * fraction digits; `T` may replace the space), checked against the
 * calendar.  out receives the NUL-terminated ISO 8601 form that Python's
 * datetime.isoformat() prints: `YYYY-MM-DDTHH:MM:SS`, plus `.ffffff` only
 * when the fraction is not zero; *outlen its length. */
int val_date(const char *s, size_t n, char out[VAL_DATE_MAX], size_t *outlen,
	     const char **why);

/* A decimal number: optional sign, digits with an optional fraction, an
 * optional exponent; no spaces, nan, inf or hex.  Finite results only. */
int val_double(const char *s, size_t n, double *out, const char **why);

/* An integer, possibly written with a zero fraction (`23.0`); an optional
 * leading '-'; within int64. */
int val_count(const char *s, size_t n, int64_t *out, const char **why);

/* `t` -> 1, `f` -> 0. */
int val_flag(const char *s, size_t n, int *out, const char **why);

/* val_double() within [-90, 90] and [-180, 180]. */
int val_latitude(const char *s, size_t n, double *out, const char **why);
int val_longitude(const char *s, size_t n, double *out, const char **why);

/* An id: one pair of literal double quotes around it is dropped.  VAL_OK
 * with *id and *len pointing into s, or VAL_EMPTY when nothing is left.
 * The digits are not checked. */
int val_id(const char *s, size_t n, const char **id, size_t *len);

/* 1 when s is well-formed UTF-8 (no overlong forms, surrogates or code
 * points above U+10FFFF), else 0. */
int val_utf8_valid(const char *s, size_t n);

/* Append s to out with each invalid sequence replaced by U+FFFD, exactly as
 * Python's bytes.decode("utf-8", errors="replace") does (one replacement
 * per maximal invalid subpart). */
void val_utf8_repair(const char *s, size_t n, buf *out);

/* ---- conversion by column kind ---- */

/* What a staging column holds, named by its declared type in
 * sql/staging.sql (val_kind_of_type). */
enum val_kind {
	VAL_KIND_TEXT,   /* TEXT: UTF-8, invalid bytes replaced by U+FFFD */
	VAL_KIND_ID,     /* ID TEXT: val_id */
	VAL_KIND_DATE,   /* DATE TEXT: val_date, ISO 8601 */
	VAL_KIND_DOUBLE, /* REAL: val_double */
	VAL_KIND_COUNT,  /* INTEGER: val_count */
	VAL_KIND_FLAG,   /* BOOLEAN: val_flag, 1 or 0 */
	VAL_KIND_LAT,    /* LATITUDE REAL: val_latitude */
	VAL_KIND_LON,    /* LONGITUDE REAL: val_longitude */
	VAL_NKINDS
};

/* The kind a declared column type stands for (case-insensitive), or -1. */
int val_kind_of_type(const char *decltype);

enum val_type { VAL_NULL, VAL_INT, VAL_REAL, VAL_TEXT };

/* A converted value.  Text is not held here: val_convert() appends it to
 * the caller's buffer, at v.off, len bytes. */
typedef struct val_cell {
	unsigned char type;   /* enum val_type */
	uint32_t len;
	union {
		int64_t i;
		double d;
		size_t off;
	} v;
} val_cell;

/* Convert the field s[0..n) as kind k into *out: VAL_OK, VAL_EMPTY (out
 * is VAL_NULL), VAL_BAD (out is VAL_NULL, *why says why) or VAL_FIXED
 * (text kept with its invalid UTF-8 replaced, *why says so).  Text
 * results are appended to text.  n is below 4 GiB. */
int val_convert(enum val_kind k, const char *s, size_t n, val_cell *out,
		buf *text, const char **why);

#endif
