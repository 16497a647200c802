/*
 * docs.c - shards of the documents and pending views (see docs.h).
 *
 * The donation's part of a document is written here from the typed row
 * (rowjson.c); the project part comes stored (projdocs.c).
 */
#include "docs.h"
#include "buf.h"
#include "dcstage.h"
#include "rowjson.h"
#include "stage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct docs_cursor {
	sqlite3 *db;
	sqlite3_stmt *st;
	int nfields;            /* the donation's columns, then part, pfp */
	int fp_col;
	int deletes;            /* a cursor over deletions */
	rowjson row;            /* how the donation's columns are written */
	buf json;               /* the document being built */
	char err[DC_ERR_MAX];
};

void docs_plan(int k, int nslices, int n, docs_range *out)
{
	unsigned total = (unsigned)(nslices > 1 ? nslices : 1) * (unsigned)n;
	unsigned first = (unsigned)(nslices > 1 ? k : 0) * (unsigned)n;

	for (unsigned i = 0; i < (unsigned)n; i++) {
		out[i].lo = (unsigned)((uint64_t)(first + i) * DOCS_KEYSPACE /
				       total);
		out[i].hi = (unsigned)((uint64_t)(first + i + 1) *
				       DOCS_KEYSPACE / total);
	}
}

/* Bind the range's ids: ?lo and ?hi of "donationid >= ?lo AND donationid
 * < ?hi".  An open bound is '' below and a blob above (in SQLite every
 * text sorts before every blob). */
static void bind_range(sqlite3_stmt *st, int lo, int hi, unsigned from,
		       unsigned to)
{
	char a[8], b[8];

	snprintf(a, sizeof a, "%04x", from);
	snprintf(b, sizeof b, "%04x", to);
	sqlite3_bind_text(st, lo, from ? a : "", -1, SQLITE_TRANSIENT);
	if (to >= DOCS_KEYSPACE)
		sqlite3_bind_blob(st, hi, "\xff", 1, SQLITE_STATIC);
	else
		sqlite3_bind_text(st, hi, b, -1, SQLITE_TRANSIENT);
}

int64_t docs_count(sqlite3 *db, docs_range first, docs_range last, char *err)
{
	sqlite3_stmt *st = stage_prepare(db, "SELECT count(*) FROM donations "
		"INDEXED BY donations_key WHERE donationid >= ?1 "
		"AND donationid < ?2", err);
	int64_t n;

	if (!st)
		return -1;
	bind_range(st, 1, 2, first.lo, last.hi);
	n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0)
		: dc_seterr(err, "cannot count the documents: %s",
			    sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return n;
}

/* Columns 0..nfields-1 are a donation row (d.*), then part and pfp. */
static void describe_fields(docs_cursor *c)
{
	c->nfields = sqlite3_column_count(c->st) - 2;
	c->fp_col = -1;
	for (int i = 0; i < c->nfields; i++)
		if (!strcmp(sqlite3_column_name(c->st, i), "fp"))
			c->fp_col = i;
	rowjson_init(&c->row, c->st, 0, c->nfields, "", NULL);
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
	/* What pending_parts (views.sql) says, written against the tables
	 * so that the donation's row is read only when its document is to
	 * be sent: the conditions need only the index donations_key. */
	docs_cursor *c = open_query(db_path, target
		? "SELECT d.*, pd.doc, pd.fp FROM donations d "
		  "INDEXED BY donations_key "
		  "LEFT JOIN project_docs pd INDEXED BY project_docs_key "
		  "ON pd.projectid = d.projectid "
		  "LEFT JOIN sent s ON s.target = ?3 AND s.id = d.donationid "
		  "WHERE d.donationid >= ?1 AND d.donationid < ?2 "
		  "AND (s.id IS NULL OR s.dfp IS NOT d.fp "
		  "OR s.pfp IS NOT pd.fp) ORDER BY d.donationid"
		: "SELECT d.*, pd.doc, pd.fp FROM donations d "
		  "INDEXED BY donations_key "
		  "LEFT JOIN project_docs pd INDEXED BY project_docs_key "
		  "ON pd.projectid = d.projectid "
		  "WHERE d.donationid >= ?1 AND d.donationid < ?2 "
		  "ORDER BY d.donationid", err);

	if (!c)
		return NULL;
	describe_fields(c);
	bind_range(c->st, 1, 2, r.lo, r.hi);
	if (target)
		sqlite3_bind_int64(c->st, 3, target);
	return c;
}

docs_cursor *docs_open_deletes(const char *db_path, int64_t target, char *err)
{
	docs_cursor *c = open_query(db_path, "SELECT id FROM pending_delete "
				    "WHERE target = ?1", err);

	if (c) {
		c->deletes = 1;
		sqlite3_bind_int64(c->st, 1, target);
	}
	return c;
}

/* The donation's fields as one JSON object, missing values left out. */
static void build_doc(docs_cursor *c)
{
	buf_reset(&c->json);
	buf_putc(&c->json, '{');
	rowjson_write(&c->row, c->st, &c->json);
	buf_putc(&c->json, '}');
}

int docs_next(docs_cursor *c, docs_doc *d)
{
	int rc = sqlite3_step(c->st);

	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return dc_seterr(c->err, "cannot read documents: %s",
				 sqlite3_errmsg(c->db));
	memset(d, 0, sizeof *d);
	d->id = (const char *)sqlite3_column_text(c->st, 0);
	d->idlen = (size_t)sqlite3_column_bytes(c->st, 0);
	if (c->deletes)
		return 1;
	build_doc(c);
	d->doc = c->json.data;
	d->doclen = c->json.len;
	d->part = (const char *)sqlite3_column_text(c->st, c->nfields);
	d->partlen = (size_t)sqlite3_column_bytes(c->st, c->nfields);
	if (c->fp_col >= 0)
		d->dfp = sqlite3_column_int64(c->st, c->fp_col);
	d->has_pfp = sqlite3_column_type(c->st, c->nfields + 1) != SQLITE_NULL;
	d->pfp = sqlite3_column_int64(c->st, c->nfields + 1);
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
	rowjson_free(&c->row);
	buf_free(&c->json);
	free(c);
}
