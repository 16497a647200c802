/*
 * stage.h - the SQLite staging file: opening it with the tool's settings and
 * functions, running the embedded .sql files, and small helpers every
 * command uses.
 */
#ifndef DC_STAGE_H
#define DC_STAGE_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

enum stage_mode {
	STAGE_READONLY,  /* reader threads, status: the file must exist */
	STAGE_READWRITE  /* load, export state: created when missing */
};

/* Open path with the custom functions registered and the permanent schema
 * (sql/schema.sql) in place.  NULL on failure, message in err.
 * The caller closes it with sqlite3_close(). */
sqlite3 *stage_open(const char *path, enum stage_mode mode, char *err);

/* stage_exec_file for a file that builds indexes: run with the settings
 * that sort fastest (a small cache, two sorter threads), then back to a
 * writer's usual ones.  0 or -1 (err). */
int stage_exec_file_indexing(sqlite3 *db, const char *name, char *err);

/* Run every statement of the embedded sql/<name>.  0 or -1 (err). */
int stage_exec_file(sqlite3 *db, const char *name, char *err);

/* Run the statements of sql/<name> one by one, storing in changes[i] the
 * rows the i-th changed (at most n are counted).  0 or -1 (err). */
int stage_exec_file_changes(sqlite3 *db, const char *name, int64_t *changes,
			    int n, char *err);

/* Run sql (one or more statements, no results).  0 or -1 (err). */
int stage_exec(sqlite3 *db, const char *sql, char *err);

/* Prepare the first statement of the embedded sql/<name>.  NULL on error. */
sqlite3_stmt *stage_prepare_file(sqlite3 *db, const char *name, char *err);

/* Prepare sql; NULL on error (err). */
sqlite3_stmt *stage_prepare(sqlite3 *db, const char *sql, char *err);

/* The single integer a query returns (0 when it returns no row), or -1
 * with err set.  For counts and flags. */
int64_t stage_query_int(sqlite3 *db, const char *sql, char *err);

/* Whether a table or view of that name exists. */
int stage_has_table(sqlite3 *db, const char *name);

/* Drop every view, so that the tables under them can be replaced. */
int stage_drop_views(sqlite3 *db, char *err);

/* meta table: text value of key, copied into out (size n); 0 if found,
 * -1 if absent (out set to ""). */
int stage_meta_get(sqlite3 *db, const char *key, char *out, size_t n);
int stage_meta_set(sqlite3 *db, const char *key, const char *value, char *err);

/* The staged data's version (meta data_version): moves on with every load
 * and every edit in the shell.  -1 with err on error. */
int64_t stage_data_version(sqlite3 *db, char *err);

#endif
