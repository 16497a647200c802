/*
 * gen.h - the synthetic dump generator behind `dcstage gen`.
 *
 * gen_run() writes the three tables of a DonorsChoose.org-like dump
 * (opendata_<table>NNN.gz, the columns of the input format spec) and a
 * manifest.json that says what was written.  Everything derives from
 * hashes of (seed, table, index): the same options give byte-identical
 * files, at any scale, in bounded memory.
 *
 * The manifest, one JSON object:
 *   scale, seed, parts, header, nasty, month   the options
 *   files       {table: [part names]}
 *   rows        {table: records written, bad and duplicate ones included}
 *   expected    {table: distinct keys a load stages (rows - rejects -
 *               duplicates)}
 *   duplicates, rejects   {table: N};  orphans {donations: N, resources: N}
 *   kinds       (--nasty) {table: {kind: rows}}: every kind of tricky or
 *               bad input, and how many rows have it
 *   bad         [{file, line, kind, expect, column, key}]: each record a
 *               load must reject (expect "reject": field_count, malformed,
 *               empty_key) or whose value it must refuse (expect "problem",
 *               column: bad_date, bad_number, bad_count, bad_flag,
 *               bad_coordinate, bad_utf8, orphan).  line is the physical
 *               line where the record starts in the decompressed part (the
 *               header is line 1); key is a text on that line: the row's
 *               key, or for an empty key the fresh id put in another
 *               column (teacher_acctid, donor_acctid, item_number).
 *   changes, changed_donations, new_donations, gone_donations,
 *   changed_projects   (--month M > 0) the differences from month M-1
 *
 * The second half of this header is shared by src/gen*.c only: the hash
 * and random helpers, the row under construction, the value tables, the
 * row builders, the nasty kinds and the output.
 */
#ifndef DC_GEN_H
#define DC_GEN_H

#include "buf.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum gen_table { GEN_PROJECTS, GEN_DONATIONS, GEN_RESOURCES, GEN_NTABLES };

extern const char *const gen_table_names[GEN_NTABLES];

/* Rows of the 2022 dump: scale 1.0. */
#define GEN_FULL_PROJECTS 1100000
#define GEN_FULL_DONATIONS 6211956
#define GEN_MAX_PARTS 1000
#define GEN_MAX_SCALE 100.0
#define GEN_MAXKINDS 32          /* nasty kinds, "clean" included */

typedef struct gen_options {
	double scale;      /* > 0, at most GEN_MAX_SCALE */
	uint64_t seed;
	const char *out;   /* folder, created when missing */
	int parts;         /* files per table, 1..GEN_MAX_PARTS */
	int header;        /* first line of each part names the columns */
	int nasty;         /* tricky and bad input, listed in the manifest */
	int month;         /* 0: the dump; M: M months of changes later */
} gen_options;

typedef struct gen_part {
	char name[40];     /* opendata_<table>NNN.gz */
	int table;         /* enum gen_table */
	uint64_t rows;     /* records, header excluded */
	uint64_t csv_bytes, gz_bytes;
} gen_part;

typedef struct gen_summary {
	gen_part *parts;   /* nparts, table by table; gen_summary_free() */
	int nparts;
	uint64_t rows[GEN_NTABLES];       /* records written */
	uint64_t expected[GEN_NTABLES];   /* distinct keys a load stages */
	uint64_t duplicates[GEN_NTABLES];
	uint64_t rejects[GEN_NTABLES];
	uint64_t problems[GEN_NTABLES];   /* refused values, orphans too */
	uint64_t orphans[GEN_NTABLES];
	uint64_t kinds[GEN_NTABLES][GEN_MAXKINDS]; /* rows of each nasty kind */
	double seconds;
} gen_summary;

/* Write the dump and its manifest into o->out.  Parts of an earlier dump
 * in that folder beyond o->parts are removed, so that the folder holds one
 * dump, and its manifest.json is removed first and written last: a folder
 * with a manifest holds a whole dump.  Each file is written under a .tmp
 * name and renamed when complete.  0, or -1 with a message in err
 * (DC_ERR_MAX bytes). */
int gen_run(const gen_options *o, gen_summary *s, char *err);
void gen_summary_free(gen_summary *s);

/* round(scale * full), at least 1. */
uint64_t gen_count(double scale, uint64_t full);

/* ---- shared by src/gen*.c ---- */

#define GEN_MAXCOLS 44
extern const int gen_ncols[GEN_NTABLES];
extern const char *const *const gen_columns[GEN_NTABLES];

/* splitmix64's finaliser, and a hash of a seed and three numbers. */
static inline uint64_t gen_mix(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline uint64_t gen_hash(uint64_t seed, uint64_t a, uint64_t b,
				uint64_t c)
{
	return gen_mix(gen_mix(gen_mix(seed ^ gen_mix(a)) ^ b) ^ c);
}

/* A splitmix64 stream. */
typedef struct gen_rng {
	uint64_t s;
} gen_rng;

static inline uint64_t gen_next(gen_rng *r)
{
	r->s += 0x9e3779b97f4a7c15ULL;
	return gen_mix(r->s);
}

/* Uniform in [0, n); 0 when n is 0. */
static inline uint64_t gen_below(gen_rng *r, uint64_t n)
{
	uint64_t x = gen_next(r);

	return n ? x % n : 0;
}

/* Uniform in [0, 1). */
static inline double gen_unit(gen_rng *r)
{
	return (double)(gen_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* 1 with probability per_mille / 1000. */
static inline int gen_chance(gen_rng *r, unsigned per_mille)
{
	return gen_below(r, 1000) < per_mille;
}

/* How a field is written. */
enum gen_style {
	GEN_AUTO,   /* quoted only when it must be */
	GEN_QUOTE,  /* always quoted */
	GEN_RAW     /* as it is, even if that breaks the record */
};

/* One record being built: field values in text, how to write them. */
typedef struct gen_row {
	buf text;
	uint32_t off[GEN_MAXCOLS + 4], len[GEN_MAXCOLS + 4];
	unsigned char style[GEN_MAXCOLS + 4];
	int n;          /* fields */
	int doubled;    /* a quote inside quotes as "" rather than \" */
	int crlf;       /* end the record with CR LF */
} gen_row;

void gen_row_reset(gen_row *r);
/* Append a field; the _set forms replace field i's value. */
void gen_row_add(gen_row *r, const char *s, size_t n);
void gen_row_adds(gen_row *r, const char *s);
void gen_row_set(gen_row *r, int i, const char *s, size_t n);
void gen_row_sets(gen_row *r, int i, const char *s);
static inline const char *gen_row_ptr(const gen_row *r, int i)
{
	return r->text.data + r->off[i];
}

/* ---- value tables (src/gen_values.c) ---- */

typedef struct gen_city {
	const char *name, *county, *state;
	int fips;           /* state code: the first two NCES digits */
	double lat, lon;
	int zip;            /* a zip of the city; nearby ones are used too */
	int weight;
} gen_city;

typedef struct gen_vendor {
	int id;
	const char *name;
	int weight;
} gen_vendor;

enum gen_item_kind { GEN_BOOK, GEN_TECH, GEN_SUPPLY };

typedef struct gen_item {
	const char *name;   /* as vendors write them: commas, inch marks */
	int kind;           /* enum gen_item_kind: how its number looks */
	int min_cents, max_cents;
} gen_item;

/* The categories of the dumps, for gen_pick(). */
enum gen_list {
	GEN_METRO, GEN_PREFIX, GEN_RESOURCE_TYPE, GEN_POVERTY, GEN_GRADE,
	GEN_FUNDING, GEN_PAYMENT, GEN_PAGE_TYPE, GEN_NLISTS
};

const gen_city *gen_pick_city(gen_rng *rng);
const gen_vendor *gen_pick_vendor(gen_rng *rng);
const gen_item *gen_pick_item(gen_rng *rng);
/* A value of list (enum gen_list), weighted towards the common ones. */
const char *gen_pick(gen_rng *rng, int list);
/* A focus area and one of its subjects. */
void gen_pick_focus(gen_rng *rng, const char **subject, const char **area);

/* ---- rows (src/gen_rows.c) ---- */

/* The world the rows live in: counts and the seed. */
typedef struct gen_world {
	uint64_t seed;
	uint64_t nprojects, ndonations;
	uint64_t nteachers, nschools, ndonors, npages;
	uint64_t perm_mul;  /* coprime with nprojects: spreads popularity */
} gen_world;

void gen_world_init(gen_world *w, uint64_t seed, double scale);

/* 32 lowercase hex digits of two hashes of (seed, tag, index). */
void gen_hex_id(const gen_world *w, uint64_t tag, uint64_t index,
		char out[32]);

/* Id tags: which kind of thing an id names. */
enum {
	GEN_TAG_PROJECT = 'p', GEN_TAG_DONATION = 'd', GEN_TAG_RESOURCE = 'r',
	GEN_TAG_FRESH = 'f', GEN_TAG_NEW = 'n'
};

/* What differs from the plain row: the month of its latest change (0:
 * none), and whether it is the later copy of a duplicated row. */
typedef struct gen_variant {
	int changed;
	int dup;
} gen_variant;

/* Resources of project p, 1..40, skewed towards few. */
int gen_resource_count(const gen_world *w, uint64_t p);
/* The project that donation number i (of the given tag) goes to. */
uint64_t gen_donation_project(const gen_world *w, uint64_t tag, uint64_t i);

void gen_project_row(const gen_world *w, uint64_t i, const gen_variant *v,
		     gen_row *r);
/* tag GEN_TAG_DONATION for the dump's donations, or GEN_TAG_NEW + month
 * for the new donations of that month. */
void gen_donation_row(const gen_world *w, uint64_t tag, uint64_t i,
		      const gen_variant *v, gen_row *r);
void gen_resource_row(const gen_world *w, uint64_t p, int j,
		      const gen_variant *v, gen_row *r);

/* ---- nasty input (src/gen_nasty.c) ---- */

enum gen_class {
	GEN_CLEAN,      /* no change */
	GEN_TRICKY,     /* valid but unusual: the row is rewritten */
	GEN_DUPLICATE,  /* the row comes again later, one value changed */
	GEN_PROBLEM,    /* one value is refused by the load */
	GEN_ORPHAN,     /* an extra row follows, with an unknown projectid */
	GEN_REJECT      /* an extra row follows that the load rejects */
};

typedef struct gen_nasty {
	int ntables;
	int nkinds[GEN_NTABLES];       /* kinds that apply to the table */
	int kinds[GEN_NTABLES][GEN_MAXKINDS];
	uint64_t nbase[GEN_NTABLES];   /* rows the kinds are spread over */
	uint64_t seed;
} gen_nasty;

/* What the manifest says about one bad record. */
typedef struct gen_bad {
	const char *kind;    /* bad_date, field_count, ... */
	const char *expect;  /* "problem" or "reject" */
	const char *column;  /* for problems, else NULL */
	char key[40];        /* a text on the record's first line */
} gen_bad;

void gen_nasty_init(gen_nasty *n, uint64_t seed,
		    const uint64_t nbase[GEN_NTABLES]);
/* The kind of base row i of table t (0: clean), and its class. */
int gen_nasty_kind(const gen_nasty *n, int t, uint64_t i);
int gen_nasty_class(int kind);
/* A short name for a kind, as the manifest counts them. */
const char *gen_nasty_name(int kind);
/* Rewrite row (of table t, base row i) for a tricky or problem kind;
 * fills bad for problems. */
void gen_nasty_apply(const gen_nasty *n, int t, uint64_t i, int kind,
		     gen_row *row, gen_bad *bad);
/* Turn row, a copy of base row i, into the extra row of an orphan or
 * reject kind; fills bad. */
void gen_nasty_extra(const gen_nasty *n, int t, uint64_t i, int kind,
		     gen_row *row, gen_bad *bad);
/* The later copy of a duplicated row: maybe with quoted ids. */
void gen_nasty_dup(const gen_nasty *n, int t, uint64_t i, gen_row *row);

/* ---- output (src/gen_write.c) ---- */

/* One part being written: CSV records into a multi-member gzip file. */
typedef struct gen_writer gen_writer;

/* Start info->name in dir (under a temporary name), with the header of
 * table when header is set.  NULL with a message in err. */
gen_writer *gen_writer_open(const char *dir, int table, int header,
			    gen_part *info, char *err);
/* Write a record; the physical line it starts on, or 0 when writing
 * failed (gen_writer_errmsg()). */
uint64_t gen_writer_put(gen_writer *w, const gen_row *r);
const char *gen_writer_errmsg(const gen_writer *w);
/* Finish the part (cut: without the last record's line end) and give it
 * its name; frees w.  0, or -1 with a message in err. */
int gen_writer_close(gen_writer *w, int cut, char *err);
/* Give up: the temporary file is removed; frees w (NULL is accepted). */
void gen_writer_abort(gen_writer *w);

/* Comma-separated JSON items in a temporary file, copied into the manifest
 * at the end, so that long lists take no memory. */
typedef struct gen_spool {
	FILE *f;
	uint64_t n;        /* items */
} gen_spool;

int gen_spool_open(gen_spool *s, char *err);
void gen_spool_id(gen_spool *s, const char id[32]);
void gen_spool_bad(gen_spool *s, const char *file, uint64_t line,
		   const gen_bad *bad);
int gen_spool_copy(gen_spool *s, FILE *out);
void gen_spool_close(gen_spool *s);  /* zeroed spools are accepted */

/* mkdir -p.  0, or -1 with a message in err. */
int gen_make_dirs(const char *path, char *err);
void gen_remove_file(const char *dir, const char *name);
/* Remove parts numbered parts or more, and leftovers of killed runs. */
void gen_remove_stale(const char *dir, int parts);

#endif
