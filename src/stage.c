/*
 * stage.c - opening the staging file and running the embedded .sql files.
 *
 * Every connection gets the custom SQL functions through
 * sqlite3_auto_extension (see sqlfuncs.c), so reader threads opening their
 * own connections have them too.
 */
#include "stage.h"
#include "dcstage.h"
#include "embed.h"
#include "sqlfuncs.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

static pthread_once_t auto_once = PTHREAD_ONCE_INIT;

/* Before SQLite's first use: no allocation statistics (they take a global
 * mutex on every malloc, a measurable cost on a bulk load), and the
 * functions on every connection. */
static void install_functions(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	sqlfuncs_auto_register();
}

static int db_error(sqlite3 *db, char *err, const char *what)
{
	return dc_seterr(err, "%s: %s", what, sqlite3_errmsg(db));
}

/* A staging file an earlier build wrote has project_docs without gen, or
 * with whole JSON objects (doc) instead of their values (vals); its
 * project parts cannot be carried over, so say so plainly. */
static int check_layout(sqlite3 *db, const char *path, char *err)
{
	if (stage_query_int(db, "SELECT count(*) FROM sqlite_schema WHERE "
			    "name = 'project_docs' AND (SELECT count(*) FROM "
			    "pragma_table_info('project_docs') WHERE name IN "
			    "('gen', 'vals')) < 2", err) == 0)
		return 0;
	return dc_seterr(err, "'%s' was written by an earlier dcstage: load "
			 "the dump into a new staging file", path);
}

/* A writer's cache holds the pages that loads and reruns look up at
 * random (the indexes of projects and project_docs).  Index builds sort
 * faster in small runs, which stay in the CPU's caches, with a second
 * thread sorting and merging beside the first.  Measured on the full dump:
 * with 8 MB, 3.7 s for donations_key against 7.4 s with one thread and
 * 64 MB; with 2 MB, the load's whole index step 3.9-5.1 s against
 * 4.4-6.2 s with 8 MB (five runs each; 512 KB and 1 MB were no faster). */
static const char writer_pragmas[] =
	"PRAGMA threads=0; PRAGMA cache_size=-65536";
static const char index_build_pragmas[] =
	"PRAGMA threads=2; PRAGMA cache_size=-2048";

int stage_exec_file_indexing(sqlite3 *db, const char *name, char *err)
{
	int rc = stage_exec(db, index_build_pragmas, err) != 0 ||
		 stage_exec_file(db, name, err) != 0;

	/* back to the usual settings, also after a failure */
	if (stage_exec(db, writer_pragmas, rc ? NULL : err) != 0)
		rc = 1;
	return rc ? -1 : 0;
}

sqlite3 *stage_open(const char *path, enum stage_mode mode, char *err)
{
	sqlite3 *db = NULL;
	int flags = mode == STAGE_READONLY
		? SQLITE_OPEN_READONLY
		: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;

	pthread_once(&auto_once, install_functions);
	if (sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK) {
		dc_seterr(err, "cannot open staging file '%s': %s", path,
			  db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, 10000);
	/* A new file gets 8 KB pages, which hold project parts (about
	 * 0.8 KB of values) and rows with less space left over (a load writes
	 * less) without making an export's random reads of donations much
	 * larger.  The page size goes first: SQLite sizes the cache in pages
	 * of the size it knows when cache_size is set.  Readers walk their
	 * shard in order and need little cache; with several of them, memory
	 * stays bounded. */
	if (stage_exec(db, "PRAGMA page_size=8192; PRAGMA temp_store=FILE",
		       err) != 0 ||
	    stage_exec(db, mode == STAGE_READONLY ? "PRAGMA cache_size=-2048"
		       : writer_pragmas, err) != 0 ||
	    (mode == STAGE_READWRITE &&
	     (check_layout(db, path, err) != 0 ||
	      stage_exec_file(db, "schema.sql", err) != 0))) {
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

int stage_exec(sqlite3 *db, const char *sql, char *err)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		dc_seterr(err, "%s", msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int stage_exec_file(sqlite3 *db, const char *name, char *err)
{
	const char *sql = embed_text(name);
	char *msg = NULL;

	if (!sql)
		return dc_seterr(err, "no embedded file '%s'", name);
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		dc_seterr(err, "%s: %s", name, msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int stage_exec_file_changes(sqlite3 *db, const char *name, int64_t *changes,
			    int n, char *err)
{
	const char *sql = embed_text(name), *tail;
	sqlite3_stmt *st;
	int i = 0;

	if (!sql)
		return dc_seterr(err, "no embedded file '%s'", name);
	while (*sql) {
		if (sqlite3_prepare_v2(db, sql, -1, &st, &tail) != SQLITE_OK)
			return dc_seterr(err, "%s: %s", name,
					 sqlite3_errmsg(db));
		if (!st)
			break; /* only comments or spaces left */
		int rc;

		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			;
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return dc_seterr(err, "%s: %s", name,
					 sqlite3_errmsg(db));
		if (i < n)
			changes[i] = sqlite3_changes64(db);
		i++;
		sql = tail;
	}
	return 0;
}

sqlite3_stmt *stage_prepare(sqlite3 *db, const char *sql, char *err)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
			       NULL) != SQLITE_OK) {
		db_error(db, err, "cannot prepare statement");
		return NULL;
	}
	return st;
}

sqlite3_stmt *stage_prepare_file(sqlite3 *db, const char *name, char *err)
{
	const char *sql = embed_text(name);
	sqlite3_stmt *st = NULL;

	if (!sql) {
		dc_seterr(err, "no embedded file '%s'", name);
		return NULL;
	}
	if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
			       NULL) != SQLITE_OK) {
		dc_seterr(err, "%s: %s", name, sqlite3_errmsg(db));
		return NULL;
	}
	return st;
}

int64_t stage_query_int(sqlite3 *db, const char *sql, char *err)
{
	sqlite3_stmt *st = stage_prepare(db, sql, err);
	int64_t v = 0;
	int rc;

	if (!st)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	else if (rc != SQLITE_DONE)
		v = db_error(db, err, "query failed");
	sqlite3_finalize(st);
	return v;
}

int stage_has_table(sqlite3 *db, const char *name)
{
	sqlite3_stmt *st = NULL;
	int found;

	if (sqlite3_prepare_v2(db,
			       "SELECT 1 FROM sqlite_schema WHERE name = ?1 "
			       "AND type IN ('table', 'view')",
			       -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

int stage_drop_views(sqlite3 *db, char *err)
{
	sqlite3_stmt *st = stage_prepare(
		db, "SELECT name FROM sqlite_schema WHERE type = 'view'", err);
	char sql[256];
	int rc = 0;

	if (!st)
		return -1;
	/* Dropping while the query runs is not allowed: collect first. */
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		snprintf(sql, sizeof sql, "DROP VIEW \"%s\"",
			 (const char *)sqlite3_column_text(st, 0));
		sqlite3_reset(st);
		rc = stage_exec(db, sql, err);
	}
	sqlite3_finalize(st);
	return rc;
}

int stage_meta_get(sqlite3 *db, const char *key, char *out, size_t n)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;

	out[0] = '\0';
	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = ?1", -1,
			       &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)) {
		snprintf(out, n, "%s", (const char *)sqlite3_column_text(st, 0));
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

int stage_meta_set(sqlite3 *db, const char *key, const char *value, char *err)
{
	sqlite3_stmt *st = stage_prepare(
		db, "INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)",
		err);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0
		: db_error(db, err, "cannot write meta");
	sqlite3_finalize(st);
	return rc;
}

int64_t stage_data_version(sqlite3 *db, char *err)
{
	return stage_query_int(db, "SELECT value FROM meta "
			       "WHERE key = 'data_version'", err);
}
