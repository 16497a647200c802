/*
 * docs.c - shards of the documents and pending views (see docs.h).
 */
#include "docs.h"
#include "dcstage.h"
#include "stage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct docs_cursor {
	sqlite3 *db;
	sqlite3_stmt *st;
	char err[DC_ERR_MAX];
};

int docs_plan(sqlite3 *db, int k, int nslices, int n, docs_range *out,
	      char *err)
{
	int64_t lo = stage_query_int(db, "SELECT min(rowid) FROM donations", err);
	int64_t hi = stage_query_int(db, "SELECT max(rowid) FROM donations", err);
	int64_t span;

	if (lo < 0 || hi < 0)
		return -1;
	if (stage_query_int(db, "SELECT count(*) FROM donations", err) == 0)
		hi = lo - 1;
	span = hi - lo + 1;
	if (nslices > 1 && span > 0) { /* narrow to slice k */
		hi = lo + span * (k + 1) / nslices - 1;
		lo = lo + span * k / nslices;
		span = hi - lo + 1;
	}
	for (int i = 0; i < n; i++) {
		out[i].lo = lo + (span > 0 ? span * i / n : 0);
		out[i].hi = lo + (span > 0 ? span * (i + 1) / n : 0) - 1;
	}
	return 0;
}

static docs_cursor *open_query(const char *db_path, const char *sql,
			       char *err)
{
	docs_cursor *c = dc_calloc(1, sizeof *c);

	c->db = stage_open(db_path, STAGE_READONLY, err);
	if (c->db && (c->st = stage_prepare(c->db, sql, err)) != NULL)
		return c;
	docs_close(c);
	return NULL;
}

docs_cursor *docs_open(const char *db_path, docs_range r, int64_t target,
		       char *err)
{
	docs_cursor *c = open_query(db_path, target
		? "SELECT id, doc, part, dfp, pfp FROM pending_parts "
		  "WHERE target = ?3 AND drow BETWEEN ?1 AND ?2 ORDER BY drow"
		: "SELECT id, doc, part, dfp, pfp FROM document_parts "
		  "WHERE drow BETWEEN ?1 AND ?2 ORDER BY drow", err);

	if (!c)
		return NULL;
	sqlite3_bind_int64(c->st, 1, r.lo);
	sqlite3_bind_int64(c->st, 2, r.hi);
	if (target)
		sqlite3_bind_int64(c->st, 3, target);
	return c;
}

docs_cursor *docs_open_deletes(const char *db_path, int64_t target, char *err)
{
	docs_cursor *c = open_query(db_path, "SELECT id, NULL, NULL, NULL, NULL "
				    "FROM pending_delete WHERE target = ?1",
				    err);

	if (c)
		sqlite3_bind_int64(c->st, 1, target);
	return c;
}

int docs_next(docs_cursor *c, docs_doc *d)
{
	int rc = sqlite3_step(c->st);

	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return dc_seterr(c->err, "cannot read documents: %s",
				 sqlite3_errmsg(c->db));
	d->id = (const char *)sqlite3_column_text(c->st, 0);
	d->idlen = (size_t)sqlite3_column_bytes(c->st, 0);
	d->doc = (const char *)sqlite3_column_text(c->st, 1);
	d->doclen = (size_t)sqlite3_column_bytes(c->st, 1);
	d->part = (const char *)sqlite3_column_text(c->st, 2);
	d->partlen = (size_t)sqlite3_column_bytes(c->st, 2);
	d->dfp = sqlite3_column_int64(c->st, 3);
	d->has_pfp = sqlite3_column_type(c->st, 4) != SQLITE_NULL;
	d->pfp = sqlite3_column_int64(c->st, 4);
	return 1;
}

const char *docs_errmsg(const docs_cursor *c)
{
	return c->err;
}

void docs_close(docs_cursor *c)
{
	if (!c)
		return;
	sqlite3_finalize(c->st);
	sqlite3_close(c->db);
	free(c);
}
