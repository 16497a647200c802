/*
 * batch.h - reading a dump's parts into batches of converted rows, in a
 * thread of its own.
 *
 * The reader thread inflates each part, parses its CSV records and
 * converts every field by its column's kind (val_convert), so that the
 * thread owning the SQLite connection only binds ready values and steps.
 * A record becomes either a row (one val_cell per column, text in the
 * batch's buffer, and a fingerprint of the record's bytes) or a reject
 * (kind, reason and the record's bytes).  The values a row had to leave
 * out or repair, and orphans, come with it as problems.  A part's header
 * (its first record, when the first field is the key column's name with
 * or without a leading '_' or space) is skipped.
 *
 * A row whose key may have occurred before in its table is marked
 * maybe_dup (a Bloom filter of the keys: every repeated key is marked,
 * and a fraction of a percent of the others), so that removing superseded
 * duplicates need look only at those keys.
 *
 * Parts are read in the order of the dumpfiles (projects first), so that
 * the project ids are all known when donations and resources are checked
 * for orphans.  Memory is bounded: a few batches of a few MB each go round
 * between the two threads.
 */
#ifndef DC_BATCH_H
#define DC_BATCH_H

#include "buf.h"
#include "dumpfiles.h"
#include "values.h"

#include <stddef.h>
#include <stdint.h>

#define BATCH_MAX_COLS 64
#define BATCH_NAME_MAX 64

/* How the records of one table convert: its columns in file order. */
typedef struct batch_table {
	int ncols;
	unsigned char kind[BATCH_MAX_COLS];       /* enum val_kind */
	char name[BATCH_MAX_COLS][BATCH_NAME_MAX]; /* name[0]: the key */
	int defines_projects;  /* its keys are the known project ids */
	int projectid_col;     /* column naming a project, or -1 */
} batch_table;

typedef struct batch_problem {
	int col;
	int orphan;            /* else a value left out or repaired */
	const char *reason;    /* static */
	size_t value, len;     /* the field's bytes, in the batch's data */
} batch_problem;

typedef struct batch_rec {
	uint64_t line;         /* where the record starts */
	uint64_t fp;           /* fingerprint of its bytes */
	const char *reject;    /* NULL for a row, else the kind (static) */
	int maybe_dup;         /* row: its key may be in an earlier row */
	uint64_t key_hash;     /* row: dc_hash64 of its key, 0 for none */
	size_t reason;         /* reject: its NUL-terminated reason, in data */
	size_t raw, raw_len;   /* reject: the record's bytes, in data */
	size_t cell;           /* row: its first cell */
	size_t problem, nproblems;
} batch_rec;

typedef struct batch {
	int file;              /* index in the dumpfiles */
	buf data;              /* text of the cells, reasons, raw bytes */
	val_cell *cells;
	batch_rec *recs;
	batch_problem *problems;
	size_t ncells, nrecs, nproblems;
	size_t cap_cells, cap_recs, cap_problems;
	struct batch *next;
} batch;

typedef struct batch_reader batch_reader;

/* Start reading files, whose table t converts as tables[t] (both must
 * outlive the reader).  NULL + err when the thread cannot start. */
batch_reader *batch_start(const dumpfiles *files, const batch_table *tables,
			  char *err);

/* The next full batch, or NULL when the reader is done (or failed, or
 * was cancelled).  *bytes_gz: compressed bytes read so far. */
batch *batch_next(batch_reader *r, uint64_t *bytes_gz);

/* Hand a batch back for reuse. */
void batch_done(batch_reader *r, batch *b);

/* Make the reader stop at the next batch. */
void batch_cancel(batch_reader *r);

/* Wait for the thread and free everything.  0, or -1 with the reader's
 * error (a part that could not be read) in err.  bytes_gz and bytes_csv
 * receive what was read. */
int batch_finish(batch_reader *r, uint64_t *bytes_gz, uint64_t *bytes_csv,
		 char *err);

#endif
