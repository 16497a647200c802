/*
 * projdocs.c - building project_docs (see projdocs.h).
 *
 * Two statements walk the projects to build in rowid order: the project
 * rows, written as project_* members by rowjson.c, and their resource
 * groups (sql/resource_groups.sql, list_or_value() in SQL).  A merge of
 * the two gives each project's part in one pass, with nothing materialized
 * in between.  Rowid order reads the projects table front to back, and the
 * resources table nearly so when a dump lists each project's resources
 * together and in project order, as the DonorsChoose files do; random
 * reads of rows are what a load of the full dump cannot afford.
 */
#include "projdocs.h"
#include "buf.h"
#include "dcstage.h"
#include "rowjson.h"
#include "stage.h"

#include <string.h>

typedef struct builder {
	sqlite3 *db;
	sqlite3_stmt *rows, *groups, *find, *update, *insert;
	rowjson fields;
	int group_rc;          /* of the last step of groups */
	int fresh;             /* project_docs was empty: see begin_fresh */
	int64_t gen;           /* the data version being built */
	buf doc;
	char *err;
} builder;

static int fail(builder *b, const char *what)
{
	return dc_seterr(b->err, "cannot build the project documents: %s: %s",
			 what, sqlite3_errmsg(b->db));
}

/* Move groups on to the first project >= rowid; 1 when it is rowid. */
static int find_group(builder *b, sqlite3_int64 rowid)
{
	while (b->group_rc == SQLITE_ROW) {
		sqlite3_int64 g = sqlite3_column_int64(b->groups, 0);

		if (g >= rowid)
			return g == rowid;
		b->group_rc = sqlite3_step(b->groups);
	}
	return 0;
}

/* The current project's part into b->doc; 0 when it has no value. */
static int build_part(builder *b)
{
	int members;

	buf_reset(&b->doc);
	buf_putc(&b->doc, '{');
	members = rowjson_write(&b->fields, b->rows, &b->doc);
	if (find_group(b, sqlite3_column_int64(b->rows, 0)) &&
	    sqlite3_column_type(b->groups, 1) != SQLITE_NULL) {
		const char *g = (const char *)sqlite3_column_text(b->groups, 1);
		size_t gn = (size_t)sqlite3_column_bytes(b->groups, 1);

		if (members)
			buf_putc(&b->doc, ',');
		buf_append(&b->doc, g + 1, gn - 2); /* its members */
		members++;
	}
	buf_putc(&b->doc, '}');
	return members;
}

/* Write the part just built for project id, unless its stored row holds
 * the same part already: that row then keeps the generation its part
 * changed at, which is what lets a rerun skip the project's donations. */
static int put_part(builder *b, const unsigned char *id, int n, int has_doc)
{
	sqlite3_int64 fp = has_doc ? (sqlite3_int64)dc_hash64(
		b->doc.data, b->doc.len, 0) : 0;
	sqlite3_stmt *w;
	int rc;

	if (b->fresh)
		rc = SQLITE_DONE;
	else {
		sqlite3_bind_text(b->find, 1, (const char *)id, n,
				  SQLITE_STATIC);
		rc = sqlite3_step(b->find);
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		sqlite3_reset(b->find);
		return fail(b, "lookup");
	}
	if (rc == SQLITE_ROW && sqlite3_column_type(b->find, 1) != SQLITE_NULL &&
	    sqlite3_column_int64(b->find, 1) == fp) {
		sqlite3_reset(b->find);
		return 0;
	}
	w = rc == SQLITE_ROW ? b->update : b->insert;
	if (rc == SQLITE_ROW)
		sqlite3_bind_int64(w, 1, sqlite3_column_int64(b->find, 0));
	else
		sqlite3_bind_text(w, 1, (const char *)id, n, SQLITE_STATIC);
	sqlite3_reset(b->find);
	if (has_doc)
		sqlite3_bind_text(w, 2, b->doc.data, (int)b->doc.len,
				  SQLITE_STATIC);
	else
		sqlite3_bind_null(w, 2);
	sqlite3_bind_int64(w, 3, fp);
	sqlite3_bind_int64(w, 4, b->gen);
	rc = sqlite3_step(w);
	sqlite3_reset(w);
	return rc == SQLITE_DONE ? 0 : fail(b, "write");
}

static int merge(builder *b)
{
	int rc;

	b->group_rc = sqlite3_step(b->groups);
	while ((rc = sqlite3_step(b->rows)) == SQLITE_ROW) {
		const unsigned char *id = sqlite3_column_text(b->rows, 1);
		int n = sqlite3_column_bytes(b->rows, 1);

		if (put_part(b, id, n, build_part(b) > 0) != 0)
			return -1;
	}
	if (rc != SQLITE_DONE)
		return fail(b, "projects");
	if (b->group_rc != SQLITE_ROW && b->group_rc != SQLITE_DONE)
		return fail(b, "resources");
	return 0;
}

static int prepare(builder *b, int all)
{
	b->rows = stage_prepare(b->db,
		"SELECT p.rowid, p.* FROM projects p WHERE ?1 OR p.projectid "
		"IN (SELECT projectid FROM temp.project_todo) ORDER BY p.rowid",
		b->err);
	b->groups = stage_prepare_file(b->db, "resource_groups.sql", b->err);
	if (!b->fresh)
		b->find = stage_prepare(b->db, "SELECT rowid, fp FROM "
			"project_docs INDEXED BY project_docs_key WHERE "
			"projectid = ?1", b->err);
	b->update = stage_prepare(b->db, "UPDATE project_docs SET doc = ?2, "
		"fp = ?3, gen = ?4 WHERE rowid = ?1", b->err);
	b->insert = stage_prepare(b->db, "INSERT INTO project_docs(projectid, "
		"doc, fp, gen) VALUES (?1, ?2, ?3, ?4)", b->err);
	if (!b->rows || !b->groups || (!b->find && !b->fresh) || !b->update ||
	    !b->insert)
		return -1;
	sqlite3_bind_int(b->rows, 1, all);
	sqlite3_bind_int(b->groups, 1, all);
	rowjson_init(&b->fields, b->rows, 1, sqlite3_column_count(b->rows) - 1,
		     "project_", "projectid");
	return 0;
}

/* The projects of the rows just built for, as temp.project_todo says
 * (all of them: ?1), that are gone: their row stays, without a part, at
 * generation ?2.  After a load, gone projects no target synced before
 * they went still has to hear about are dropped.  Both look for their
 * rows in the index project_docs_key, which holds what they test: a scan
 * of the table would read every part (2.3 GB for the full dump). */
static const char sweep_sql[] =
	"UPDATE project_docs SET doc = NULL, fp = NULL, gen = ?2 "
	"WHERE rowid IN (SELECT d.rowid FROM project_docs d INDEXED BY "
	"project_docs_key WHERE d.fp IS NOT NULL AND (?1 OR d.projectid IN "
	"(SELECT projectid FROM temp.project_todo)) AND NOT EXISTS "
	"(SELECT 1 FROM projects p WHERE p.projectid = d.projectid))";
static const char prune_sql[] =
	"DELETE FROM project_docs WHERE rowid IN (SELECT d.rowid FROM "
	"project_docs d INDEXED BY project_docs_key WHERE d.fp IS NULL AND "
	"NOT EXISTS (SELECT 1 FROM targets t WHERE t.synced_version < d.gen))";

static int sweep(builder *b, int all)
{
	sqlite3_stmt *st = stage_prepare(b->db, sweep_sql, b->err);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int(st, 1, all);
	sqlite3_bind_int64(st, 2, b->gen);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return fail(b, "gone projects");
	return all ? stage_exec(b->db, prune_sql, b->err) : 0;
}

static void free_builder(builder *b)
{
	sqlite3_finalize(b->rows);
	sqlite3_finalize(b->groups);
	sqlite3_finalize(b->find);
	sqlite3_finalize(b->update);
	sqlite3_finalize(b->insert);
	rowjson_free(&b->fields);
	buf_free(&b->doc);
}

/* The first build into a staging file has no rows to compare with: it
 * looks nothing up, and the index project_docs_key is dropped before and
 * built after (sql/schema.sql creates it), in one sort, instead of taking
 * a million inserts at random places. */
static int begin_fresh(builder *b, int all)
{
	int64_t empty;

	if (!all)
		return 0;
	empty = stage_query_int(b->db, "SELECT NOT EXISTS (SELECT 1 FROM "
				"project_docs)", b->err);
	if (empty < 0)
		return -1;
	b->fresh = empty == 1;
	return b->fresh ? stage_exec(b->db, "DROP INDEX project_docs_key",
				     b->err) : 0;
}

int projdocs_build(sqlite3 *db, enum projdocs_which which, char *err)
{
	builder b = { .db = db, .err = err };
	int all = which == PROJDOCS_ALL;
	int rc;

	if ((b.gen = stage_data_version(db, err)) < 0 ||
	    stage_exec(db, "CREATE TEMP TABLE project_todo(projectid TEXT "
		       "PRIMARY KEY) WITHOUT ROWID", err) != 0)
		return -1;
	rc = stage_exec(db, all ? "DELETE FROM stale_projects"
		: "INSERT INTO temp.project_todo SELECT projectid "
		  "FROM stale_projects; DELETE FROM stale_projects", err);
	if (rc == 0 && (rc = begin_fresh(&b, all)) == 0 &&
	    (rc = prepare(&b, all)) == 0 && (rc = merge(&b)) == 0 && !b.fresh)
		rc = sweep(&b, all);
	free_builder(&b);
	/* also after a failed build, so that the index is never left out */
	if (b.fresh && stage_exec_file_indexing(db, "schema.sql",
						rc ? NULL : err) != 0)
		rc = -1;
	if (stage_exec(db, "DROP TABLE temp.project_todo", rc ? NULL : err))
		rc = -1;
	return rc;
}
