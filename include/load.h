/*
 * load.h - staging the dump files into the SQLite staging file.
 *
 * A load reads every part of the three tables (gzip streams, CSV records),
 * inserts them through prepared statements built from sql/staging.sql,
 * records rejected records and refused values, removes superseded
 * duplicates, and swaps the new snapshot in, all in one transaction: it
 * either replaces the staged snapshot whole or leaves it as it was.
 */
#ifndef DC_LOAD_H
#define DC_LOAD_H

#include <stdint.h>

enum load_table { LOAD_PROJECTS, LOAD_DONATIONS, LOAD_RESOURCES, LOAD_NTABLES };

extern const char *const load_table_names[LOAD_NTABLES];

/* The steps of a load whose time the summary gives: reading and inserting
 * the rows, building the indexes, removing superseded duplicates,
 * building the project parts, committing. */
enum load_phase { LOAD_PHASE_INSERT, LOAD_PHASE_INDEX, LOAD_PHASE_DEDUPE,
		  LOAD_PHASE_PROJDOCS, LOAD_PHASE_COMMIT, LOAD_NPHASES };

extern const char *const load_phase_names[LOAD_NPHASES];

typedef struct load_options {
	const char *db_path;
	char *const *inputs;  /* folders and/or files */
	int ninputs;
	int force;            /* load even when the files are unchanged */
	int quiet;            /* no progress line */
} load_options;

#define LOAD_MAX_KINDS 48

typedef struct load_count {
	char name[64];
	uint64_t n;
} load_count;

typedef struct load_summary {
	int skipped;                      /* files unchanged: nothing done */
	int nfiles;
	double seconds;
	double phase_seconds[LOAD_NPHASES];
	uint64_t peak_rss;
	uint64_t bytes_gz, bytes_csv;     /* read from disk / decompressed */
	uint64_t records[LOAD_NTABLES];   /* data records read */
	uint64_t rows[LOAD_NTABLES];      /* rows staged */
	uint64_t duplicates[LOAD_NTABLES];
	uint64_t rejects, problems, orphans;
	load_count reject_kinds[LOAD_MAX_KINDS];   /* by kind */
	load_count problem_fields[LOAD_MAX_KINDS]; /* by column */
	int nreject_kinds, nproblem_fields;
} load_summary;

/* Run a load.  0 on success (rows may have been rejected: see the summary),
 * -1 on a fatal error (err), with the staging file left as it was. */
int load_run(const load_options *o, load_summary *s, char *err);

#endif
