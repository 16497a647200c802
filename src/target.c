/*
 * target.c - export state per target (see target.h).
 */
#include "target.h"
#include "dcstage.h"
#include "projdocs.h"
#include "stage.h"

#include <stdio.h>
#include <string.h>

int target_open(sqlite3 *db, const char *url, const char *index, target *t,
		char *err)
{
	sqlite3_stmt *st = stage_prepare(db,
		"INSERT INTO targets(url, index_name) VALUES (?1, ?2) "
		"ON CONFLICT DO UPDATE SET url = url "
		"RETURNING id, uuid, synced_version", err);
	int rc;

	memset(t, 0, sizeof *t);
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, url, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, index, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		t->id = sqlite3_column_int64(st, 0);
		if (sqlite3_column_text(st, 1))
			snprintf(t->uuid, sizeof t->uuid, "%s",
				 (const char *)sqlite3_column_text(st, 1));
		t->synced = sqlite3_column_type(st, 2) != SQLITE_NULL;
		t->synced_version = sqlite3_column_int64(st, 2);
	}
	rc = rc == SQLITE_ROW && sqlite3_step(st) == SQLITE_DONE ? 0
		: dc_seterr(err, "cannot record the target: %s",
			    sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return rc;
}

static int exec_bound(sqlite3 *db, const char *sql, int64_t id,
		      const char *text, int64_t n, char *err)
{
	sqlite3_stmt *st = stage_prepare(db, sql, err);
	int rc;

	if (!st)
		return -1;
	/* Statements use ?1, and ?2 and ?3 when they need them. */
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_bind_parameter_count(st) >= 2)
		sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
	if (sqlite3_bind_parameter_count(st) >= 3)
		sqlite3_bind_int64(st, 3, n);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0
		: dc_seterr(err, "cannot update the export state: %s",
			    sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return rc;
}

int target_reset(sqlite3 *db, target *t, const char *uuid, char *err)
{
	if (stage_exec(db, "BEGIN IMMEDIATE", err) != 0)
		return -1;
	if (exec_bound(db, "DELETE FROM sent WHERE target = ?1", t->id, NULL,
		       0, err) != 0 ||
	    exec_bound(db, "DELETE FROM refusals WHERE target = ?1", t->id,
		       NULL, 0, err) != 0 ||
	    exec_bound(db, "UPDATE targets SET uuid = ?2, synced_version = "
		       "NULL WHERE id = ?1", t->id, uuid, 0, err) != 0) {
		stage_exec(db, "ROLLBACK", NULL);
		return -1;
	}
	snprintf(t->uuid, sizeof t->uuid, "%s", uuid);
	t->synced = 0;
	return stage_exec(db, "COMMIT", err);
}

int target_finish(sqlite3 *db, const target *t, int64_t version,
		  enum target_outcome outcome, char *err)
{
	static const char *const names[] = { "complete", "partial", "failed" };

	return exec_bound(db, outcome == TARGET_COMPLETE
		? "UPDATE targets SET synced_version = ?3, last_status = ?2, "
		  "last_export = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') "
		  "WHERE id = ?1"
		: "UPDATE targets SET last_status = ?2, last_export = "
		  "strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?1",
		t->id, names[outcome], version, err);
}

/* Run sql with ?1 the uuid, ?2 and ?3 more text. */
static int exec_settings(sqlite3 *db, const char *sql, const char *uuid,
			 const char *a, const char *b, char *err)
{
	sqlite3_stmt *st = stage_prepare(db, sql, err);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
	if (sqlite3_bind_parameter_count(st) >= 3) {
		sqlite3_bind_text(st, 2, a, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, b, -1, SQLITE_STATIC);
	}
	rc = sqlite3_step(st) == SQLITE_DONE ? 0
		: dc_seterr(err, "cannot record the index settings to put "
			    "back: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return rc;
}

int target_keep_settings(sqlite3 *db, const char *uuid, const char *refresh,
			 const char *replicas, char *err)
{
	return exec_settings(db, "INSERT OR IGNORE INTO tuned_settings(uuid, "
			     "refresh, replicas) VALUES (?1, ?2, ?3)", uuid,
			     refresh, replicas, err);
}

int target_kept_settings(sqlite3 *db, const char *uuid, char *refresh,
			 char *replicas, size_t n, char *err)
{
	sqlite3_stmt *st = stage_prepare(db, "SELECT refresh, replicas FROM "
					 "tuned_settings WHERE uuid = ?1", err);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		snprintf(refresh, n, "%s", sqlite3_column_text(st, 0));
		snprintf(replicas, n, "%s", sqlite3_column_text(st, 1));
	}
	rc = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0
		: dc_seterr(err, "cannot read the kept index settings: %s",
			    sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return rc;
}

int target_forget_settings(sqlite3 *db, const char *uuid, char *err)
{
	return exec_settings(db, "DELETE FROM tuned_settings WHERE uuid = ?1",
			     uuid, NULL, NULL, err);
}

int target_refresh_projects(sqlite3 *db, char *err)
{
	if (stage_query_int(db, "SELECT count(*) FROM stale_projects", err) <= 0)
		return 0;
	if (stage_exec(db, "BEGIN IMMEDIATE", err) != 0)
		return -1;
	if (projdocs_build(db, PROJDOCS_STALE, err) != 0 ||
	    stage_exec(db, "COMMIT", err) != 0) {
		stage_exec(db, "ROLLBACK", NULL);
		return -1;
	}
	return 0;
}
