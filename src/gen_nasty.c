/*
 * gen_nasty.c - tricky and bad input for `dcstage gen --nasty`.
 *
 * Each base row of a table gets at most one kind, from a hash of (seed,
 * table, index): about 1 row in 128 for each kind that applies to the
 * table, and one row at a fixed position for every kind, so that even a
 * tiny dump has each of them.  A kind either rewrites the row (valid but
 * unusual content, or one value the load must refuse), marks it to come
 * again later with a changed value (a duplicate), or adds an extra row
 * after it (an orphan, or a record the load must reject).  Rows and extra
 * rows with a bad value or a rejected record say so in a gen_bad, which
 * the manifest lists with the file and line.
 */
#include "gen.h"

#include <string.h>

enum {
	K_NONE,
	K_COMMA, K_BSQUOTE, K_DQQUOTE, K_BACKSLASH, K_LF, K_CRLF_TEXT,
	K_CRLF_END, K_UTF8, K_QID_BS, K_QID_DQ, K_FRACTION, K_DATE_ONLY,
	K_ZERO_FRACTION, K_EMPTY, K_EMPTY_QUOTED, K_COUNT_FRACTION,
	K_NEEDLESS_QUOTES, K_DUPLICATE,
	K_BAD_DATE, K_BAD_NUMBER, K_BAD_COUNT, K_BAD_FLAG, K_BAD_COORDINATE,
	K_BAD_UTF8,
	K_ORPHAN, K_TOO_MANY, K_TOO_FEW, K_MALFORMED, K_EMPTY_KEY,
	K_NKINDS
};

#define P (1 << GEN_PROJECTS)
#define D (1 << GEN_DONATIONS)
#define R (1 << GEN_RESOURCES)

static const struct kind_info {
	const char *name;  /* as the manifest's counts name it */
	int class;         /* enum gen_class */
	int tables;        /* where it applies */
} kinds[K_NKINDS] = {
	[K_NONE] = { "clean", GEN_CLEAN, 0 },
	[K_COMMA] = { "comma", GEN_TRICKY, P | D | R },
	[K_BSQUOTE] = { "backslash_quote", GEN_TRICKY, P | D | R },
	[K_DQQUOTE] = { "doubled_quote", GEN_TRICKY, P | D | R },
	[K_BACKSLASH] = { "backslash", GEN_TRICKY, P | D | R },
	[K_LF] = { "line_feed", GEN_TRICKY, P | D | R },
	[K_CRLF_TEXT] = { "crlf_in_text", GEN_TRICKY, P | D | R },
	[K_CRLF_END] = { "crlf_end", GEN_TRICKY, P | D | R },
	[K_UTF8] = { "utf8", GEN_TRICKY, P | D | R },
	[K_QID_BS] = { "quoted_id_backslash", GEN_TRICKY, P | D },
	[K_QID_DQ] = { "quoted_id_doubled", GEN_TRICKY, P | D },
	[K_FRACTION] = { "fraction", GEN_TRICKY, P | D },
	[K_DATE_ONLY] = { "date_only", GEN_TRICKY, P | D },
	[K_ZERO_FRACTION] = { "zero_fraction", GEN_TRICKY, P | D },
	[K_EMPTY] = { "empty", GEN_TRICKY, P | D | R },
	[K_EMPTY_QUOTED] = { "empty_quoted", GEN_TRICKY, P | D | R },
	[K_COUNT_FRACTION] = { "count_fraction", GEN_TRICKY, P | R },
	[K_NEEDLESS_QUOTES] = { "needless_quotes", GEN_TRICKY, P | D | R },
	[K_DUPLICATE] = { "duplicate", GEN_DUPLICATE, P | D | R },
	[K_BAD_DATE] = { "bad_date", GEN_PROBLEM, P | D },
	[K_BAD_NUMBER] = { "bad_number", GEN_PROBLEM, P | D | R },
	[K_BAD_COUNT] = { "bad_count", GEN_PROBLEM, P | R },
	[K_BAD_FLAG] = { "bad_flag", GEN_PROBLEM, P | D },
	[K_BAD_COORDINATE] = { "bad_coordinate", GEN_PROBLEM, P },
	[K_BAD_UTF8] = { "bad_utf8", GEN_PROBLEM, P | D | R },
	[K_ORPHAN] = { "orphan", GEN_ORPHAN, D | R },
	[K_TOO_MANY] = { "too_many_fields", GEN_REJECT, P | D | R },
	[K_TOO_FEW] = { "too_few_fields", GEN_REJECT, P | D | R },
	[K_MALFORMED] = { "malformed", GEN_REJECT, P | D | R },
	[K_EMPTY_KEY] = { "empty_key", GEN_REJECT, P | D | R },
};

/* Which columns each kind works on, per table (-1 ends a list). */
static const struct targets {
	int text[4];    /* free text */
	int date[3];
	int count[3];
	int number[3];
	int flag[3];
	int coord[3];
	int empty[5];   /* columns normally filled */
	int ids[6];     /* the id columns that may carry a quote pair */
	int marker;     /* filled with a fresh id when the key is empty */
	int projectid;
} targets[GEN_NTABLES] = {
	[GEN_PROJECTS] = {
		{ 6, 10, 11, -1 }, { 40, 43, -1 }, { 34, 36, -1 },
		{ 29, 32, -1 }, { 12, 38, -1 }, { 4, 5, -1 },
		{ 6, 18, 25, 40, -1 }, { 0, 1, 2, -1 }, 1, -1
	},
	[GEN_DONATIONS] = {
		{ 4, -1 }, { 8, -1 }, { -1 }, { 11, 9, -1 }, { 7, 21, -1 },
		{ -1 }, { 4, 13, 9, -1 }, { 0, 1, 2, 3, 19, -1 }, 2, 1
	},
	[GEN_RESOURCES] = {
		{ 4, 3, -1 }, { -1 }, { 7, -1 }, { 6, -1 }, { -1 }, { -1 },
		{ 3, 4, 6, -1 }, { -1 }, 5, 1
	},
};

_Static_assert(K_NKINDS <= GEN_MAXKINDS, "GEN_MAXKINDS is too small");

#define RATE 128 /* one row in RATE for each kind */

void gen_nasty_init(gen_nasty *n, uint64_t seed,
		    const uint64_t nbase[GEN_NTABLES])
{
	memset(n, 0, sizeof *n);
	n->seed = seed;
	n->ntables = GEN_NTABLES;
	for (int t = 0; t < GEN_NTABLES; t++) {
		n->nbase[t] = nbase[t];
		for (int k = 1; k < K_NKINDS; k++)
			if (kinds[k].tables & (1 << t))
				n->kinds[t][n->nkinds[t]++] = k;
	}
}

int gen_nasty_kind(const gen_nasty *n, int t, uint64_t i)
{
	uint64_t na = (uint64_t)n->nkinds[t], nb = n->nbase[t], h;

	if (!na || i >= nb)
		return K_NONE;
	if (nb >= 2 * na) {
		uint64_t j = i * na / nb;

		if ((2 * j + 1) * nb / (2 * na) == i)
			return n->kinds[t][j];
	}
	h = gen_hash(n->seed, 'K', (uint64_t)t, i) % RATE;
	return h < na ? n->kinds[t][h] : K_NONE;
}

int gen_nasty_class(int kind)
{
	return kind > K_NONE && kind < K_NKINDS ? kinds[kind].class : GEN_CLEAN;
}

const char *gen_nasty_name(int kind)
{
	return kind > K_NONE && kind < K_NKINDS ? kinds[kind].name : "clean";
}

/* The kind a bad record is listed as: the two field count kinds are one. */
static const char *bad_name(int kind)
{
	return kind == K_TOO_MANY || kind == K_TOO_FEW ? "field_count" :
	       kinds[kind].name;
}

/* ---- helpers ---- */

static int count_of(const int *list)
{
	int n = 0;

	while (list[n] >= 0)
		n++;
	return n;
}

/* A column from list, or -1 when the list is empty. */
static int pick_col(gen_rng *rng, const int *list)
{
	int n = count_of(list);

	return n ? list[gen_below(rng, (uint64_t)n)] : -1;
}

static const char *pick_str(gen_rng *rng, const char *const *list, int n)
{
	return list[gen_below(rng, (uint64_t)n)];
}

/* Field col becomes prefix + its value + suffix. */
static void wrap(gen_row *row, int col, const char *prefix,
		 const char *suffix)
{
	buf b = BUF_INIT;

	buf_puts(&b, prefix);
	buf_append(&b, gen_row_ptr(row, col), row->len[col]);
	buf_puts(&b, suffix);
	gen_row_set(row, col, b.data, b.len);
	buf_free(&b);
}

static void fresh_id(const gen_nasty *n, int t, uint64_t i, int what,
		     char out[33])
{
	gen_world w;

	memset(&w, 0, sizeof w);
	w.seed = n->seed;
	gen_hex_id(&w, GEN_TAG_FRESH, (uint64_t)(t * 64 + what) << 40 | i, out);
	out[32] = '\0';
}

static void set_key(gen_bad *bad, const gen_row *row, int col)
{
	size_t len = row->len[col] < sizeof bad->key - 1 ?
		     row->len[col] : sizeof bad->key - 1;

	memcpy(bad->key, gen_row_ptr(row, col), len);
	bad->key[len] = '\0';
}

/* A date column's value cut to its first n bytes, then suffix. */
static void recut_date(gen_row *row, int col, size_t n, const char *suffix)
{
	char tmp[48];
	size_t len = row->len[col] < n ? row->len[col] : n;
	size_t slen = strlen(suffix);

	memcpy(tmp, gen_row_ptr(row, col), len);
	memcpy(tmp + len, suffix, slen);
	gen_row_set(row, col, tmp, len + slen);
}

static void apply_text(gen_rng *rng, int kind, gen_row *row, int col)
{
	static const char *const utf8[] = {
		"Sm\xc3\xb8rum", "\xe6\x97\xa5\xe6\x9c\xac",
		"S\xc3\xa3o Paulo", "Z\xc3\xbcrich", "Krak\xc3\xb3w",
		"\xc3\x91u\xc3\xb1oa"
	};

	switch (kind) {
	case K_COMMA:
		wrap(row, col, "", ", North");
		break;
	case K_BSQUOTE:
		wrap(row, col, "", " \"East\"");
		row->doubled = 0;
		break;
	case K_DQQUOTE:
		wrap(row, col, "The \"Best\" ", "");
		row->doubled = 1;
		break;
	case K_BACKSLASH:
		wrap(row, col, "", "\\Annex");
		break;
	case K_LF:
		wrap(row, col, "", "\nSecond line");
		break;
	case K_CRLF_TEXT:
		wrap(row, col, "", "\r\nSecond line");
		break;
	default: /* K_UTF8 */
		gen_row_sets(row, col, pick_str(rng, utf8, 6));
		break;
	}
}

static void quote_ids(gen_row *row, const struct targets *tg, int doubled)
{
	for (int k = 0; tg->ids[k] >= 0; k++)
		if (row->len[tg->ids[k]])
			wrap(row, tg->ids[k], "\"", "\"");
	row->doubled = doubled;
}

static void apply_date(gen_rng *rng, int kind, gen_row *row, int col)
{
	char frac[8];
	int digits = 1 + (int)gen_below(rng, 6);

	if (col < 0 || row->len[col] < 19)
		return;
	if (kind == K_DATE_ONLY) {
		recut_date(row, col, 10, "");
	} else if (kind == K_ZERO_FRACTION) {
		recut_date(row, col, 19, ".000000");
	} else {
		frac[0] = '.';
		for (int k = 1; k <= digits; k++)
			frac[k] = (char)('0' + gen_below(rng, 10));
		frac[digits] = (char)('1' + gen_below(rng, 9));
		frac[digits + 1] = '\0';
		recut_date(row, col, 19, frac);
	}
}

static void apply_problem(gen_rng *rng, int t, int kind, gen_row *row,
			  gen_bad *bad)
{
	static const char *const dates[] = {
		"2011-02-30", "2011-13-01 10:11:12", "not a date"
	};
	static const char *const numbers[] = { "12.3.4", "abc" };
	static const char *const counts[] = { "1.5", "many" };
	static const char *const flags[] = { "x", "yes" };
	static const char *const latin1[] = { "Caf\xe9", "Jos\xe9 Mart\xed" };
	const struct targets *tg = &targets[t];
	int col;
	const char *v;

	switch (kind) {
	case K_BAD_DATE:
		col = pick_col(rng, tg->date);
		v = pick_str(rng, dates, 3);
		break;
	case K_BAD_NUMBER:
		col = pick_col(rng, tg->number);
		v = pick_str(rng, numbers, 2);
		break;
	case K_BAD_COUNT:
		col = pick_col(rng, tg->count);
		v = pick_str(rng, counts, 2);
		break;
	case K_BAD_FLAG:
		col = pick_col(rng, tg->flag);
		v = pick_str(rng, flags, 2);
		break;
	case K_BAD_COORDINATE:
		col = pick_col(rng, tg->coord);
		v = gen_chance(rng, 500) ? "abc" :
		    col == tg->coord[0] ? "123.4" : "-200";
		break;
	default: /* K_BAD_UTF8 */
		col = pick_col(rng, tg->text);
		v = pick_str(rng, latin1, 2);
		break;
	}
	gen_row_sets(row, col, v);
	bad->kind = kinds[kind].name;
	bad->expect = "problem";
	bad->column = gen_columns[t][col];
	set_key(bad, row, 0);
}

void gen_nasty_apply(const gen_nasty *n, int t, uint64_t i, int kind,
		     gen_row *row, gen_bad *bad)
{
	gen_rng rng = { gen_hash(n->seed, 'A', (uint64_t)t, i) };
	const struct targets *tg = &targets[t];
	int col;

	switch (kind) {
	case K_COMMA: case K_BSQUOTE: case K_DQQUOTE: case K_BACKSLASH:
	case K_LF: case K_CRLF_TEXT: case K_UTF8:
		apply_text(&rng, kind, row, pick_col(&rng, tg->text));
		break;
	case K_CRLF_END:
		row->crlf = 1;
		break;
	case K_QID_BS: case K_QID_DQ:
		quote_ids(row, tg, kind == K_QID_DQ);
		break;
	case K_FRACTION: case K_DATE_ONLY: case K_ZERO_FRACTION:
		apply_date(&rng, kind, row, pick_col(&rng, tg->date));
		break;
	case K_EMPTY: case K_EMPTY_QUOTED:
		col = pick_col(&rng, tg->empty);
		gen_row_set(row, col, "", 0);
		row->style[col] = kind == K_EMPTY ? GEN_AUTO : GEN_QUOTE;
		break;
	case K_COUNT_FRACTION:
		col = pick_col(&rng, tg->count);
		if (row->len[col])
			wrap(row, col, "", ".0");
		else
			gen_row_sets(row, col, "23.0");
		break;
	case K_NEEDLESS_QUOTES:
		for (int k = 0; k < 4; k++) {
			col = (int)gen_below(&rng, (uint64_t)row->n);
			row->style[col] = GEN_QUOTE;
		}
		break;
	default:
		if (gen_nasty_class(kind) == GEN_PROBLEM)
			apply_problem(&rng, t, kind, row, bad);
		break;
	}
}

void gen_nasty_extra(const gen_nasty *n, int t, uint64_t i, int kind,
		     gen_row *row, gen_bad *bad)
{
	gen_rng rng = { gen_hash(n->seed, 'E', (uint64_t)t, i) };
	const struct targets *tg = &targets[t];
	char id[33];

	fresh_id(n, t, i, 0, id);
	gen_row_set(row, 0, id, 32);
	bad->kind = bad_name(kind);
	bad->expect = "reject";
	bad->column = NULL;
	set_key(bad, row, 0);
	switch (kind) {
	case K_ORPHAN:
		fresh_id(n, t, i, 1, id);
		gen_row_set(row, tg->projectid, id, 32);
		bad->expect = "problem";
		bad->column = "projectid";
		break;
	case K_TOO_MANY:
		gen_row_adds(row, "extra");
		if (gen_chance(&rng, 500))
			gen_row_adds(row, "1");
		break;
	case K_TOO_FEW:
		row->n = 2 + (int)gen_below(&rng, (uint64_t)row->n - 3);
		break;
	case K_MALFORMED:
		gen_row_sets(row, tg->text[0], "Spring\"field");
		row->style[tg->text[0]] = GEN_RAW;
		break;
	default: /* K_EMPTY_KEY */
		fresh_id(n, t, i, 2, id);
		gen_row_set(row, tg->marker, id, 32);
		set_key(bad, row, tg->marker);
		gen_row_set(row, 0, "", 0);
		row->style[0] = gen_chance(&rng, 500) ? GEN_QUOTE : GEN_AUTO;
		break;
	}
}

void gen_nasty_dup(const gen_nasty *n, int t, uint64_t i, gen_row *row)
{
	gen_rng rng = { gen_hash(n->seed, 'U', (uint64_t)t, i) };

	if (t != GEN_RESOURCES && gen_chance(&rng, 500))
		wrap(row, 0, "\"", "\"");
}
