/*
 * docs.c - shards of the documents and pending views (see docs.h).
 *
 * The donation's part of a document is written here from the typed row
 * (rowjson.c); the project part comes stored, as its values, and is
 * written out with its keys (projdocs.h).
 *
 * For a target, what pending_index and pending_delete say is found by a
 * merge of two walks in id order over the shard's range: the index
 * donations_key (id, projectid, fp) and the target's rows of sent (id,
 * dfp, pfp).  Both are read front to back, where joining them in SQL
 * would look up every donation in sent at random; an id only in sent is a
 * deletion, and a donation's row is read only when its document is to be
 * sent.  A project part is compared only for the projects changed after
 * the target was last in sync (project_docs.gen), held in memory.
 */
#include "docs.h"
#include "buf.h"
#include "dcstage.h"
#include "idset.h"
#include "projdocs.h"
#include "rowjson.h"
#include "stage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct docs_cursor {
	sqlite3 *db;
	sqlite3_stmt *st;       /* the documents, or one donation by rowid */
	int nfields;            /* the donation's columns, then part, pfp */
	int fp_col;
	rowjson row;            /* how the donation's columns are written */
	buf json;               /* the document being built */
	partkeys part_keys;     /* the keys of a project part's values */
	buf part;               /* the project part, with them */
	/* a target's merge */
	sqlite3_stmt *keys;     /* donationid, projectid, fp, rowid */
	sqlite3_stmt *acked;    /* id, dfp, pfp */
	sqlite3_stmt *part_fp;  /* a project's part fingerprint */
	int keys_rc, acked_rc;  /* of their last steps */
	int all_changed;        /* the target was never in sync */
	idset changed;          /* hashes of the projects changed since */
	buf gone;               /* the id of the last deletion */
	char err[DC_ERR_MAX];
};

/* In 64 bits: slices times threads can pass 2^32.  Past DOCS_KEYSPACE
 * ranges, some are empty, and together they still hold every id. */
void docs_plan(int k, int nslices, int n, docs_range *out)
{
	uint64_t total = (uint64_t)(nslices > 1 ? nslices : 1) * (uint64_t)n;
	uint64_t first = (uint64_t)(nslices > 1 ? k : 0) * (uint64_t)n;

	for (uint64_t i = 0; i < (uint64_t)n; i++) {
		out[i].lo = (unsigned)((first + i) * DOCS_KEYSPACE / total);
		out[i].hi = (unsigned)((first + i + 1) * DOCS_KEYSPACE / total);
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

/* A donation's row and its project part; the ways of choosing the rows
 * follow. */
#define DOC_SELECT "SELECT d.*, pd.vals, pd.fp FROM donations d "
#define DOC_PART "LEFT JOIN project_docs pd INDEXED BY project_docs_key " \
	"ON pd.projectid = d.projectid "

static docs_cursor *open_query(const char *db_path, const char *sql,
			       char *err)
{
	docs_cursor *c = dc_calloc(1, sizeof *c);

	c->db = stage_open(db_path, STAGE_READONLY, err);
	if (c->db && projdocs_keys(c->db, &c->part_keys, err) == 0 &&
	    (c->st = stage_prepare(c->db, sql, err)) != NULL) {
		describe_fields(c);
		return c;
	}
	docs_close(c);
	return NULL;
}

/* The projects whose part changed after version since (gen > since). */
static int load_changed(docs_cursor *c, int64_t since, char *err)
{
	sqlite3_stmt *st = stage_prepare(c->db, "SELECT projectid FROM "
		"project_docs WHERE gen > ?1", err);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, since);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		idset_add(&c->changed, dc_hash64(sqlite3_column_text(st, 0),
			(size_t)sqlite3_column_bytes(st, 0), 0));
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : dc_seterr(err, "cannot read the "
		"changed projects: %s", sqlite3_errmsg(c->db));
}

static int open_merge(docs_cursor *c, docs_range r, int64_t target,
		      int64_t since, char *err)
{
	c->keys = stage_prepare(c->db, "SELECT donationid, projectid, fp, "
		"rowid FROM donations INDEXED BY donations_key WHERE "
		"donationid >= ?1 AND donationid < ?2 ORDER BY donationid", err);
	c->acked = c->keys ? stage_prepare(c->db, "SELECT id, dfp, pfp FROM "
		"sent WHERE target = ?3 AND id >= ?1 AND id < ?2 ORDER BY id",
		err) : NULL;
	c->part_fp = c->acked ? stage_prepare(c->db, "SELECT fp FROM "
		"project_docs INDEXED BY project_docs_key WHERE projectid = ?1",
		err) : NULL;
	if (!c->part_fp)
		return -1;
	c->all_changed = since < 0;
	if (!c->all_changed && load_changed(c, since, err) != 0)
		return -1;
	bind_range(c->keys, 1, 2, r.lo, r.hi);
	bind_range(c->acked, 1, 2, r.lo, r.hi);
	sqlite3_bind_int64(c->acked, 3, target);
	c->keys_rc = sqlite3_step(c->keys);
	c->acked_rc = sqlite3_step(c->acked);
	return 0;
}

docs_cursor *docs_open(const char *db_path, docs_range r, int64_t target,
		       int64_t since, char *err)
{
	docs_cursor *c = open_query(db_path, target
		? DOC_SELECT DOC_PART "WHERE d.rowid = ?1"
		: DOC_SELECT "INDEXED BY donations_key " DOC_PART
		  "WHERE d.donationid >= ?1 AND d.donationid < ?2 "
		  "ORDER BY d.donationid", err);

	if (!c)
		return NULL;
	if (!target) {
		bind_range(c->st, 1, 2, r.lo, r.hi);
		return c;
	}
	if (open_merge(c, r, target, since, err) != 0) {
		docs_close(c);
		return NULL;
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

static int read_error(docs_cursor *c)
{
	return dc_seterr(c->err, "cannot read documents: %s",
			 sqlite3_errmsg(c->db));
}

/* The current row of c->st as a document: 1, or -1 when its project part
 * is damaged. */
static int fill_doc(docs_cursor *c, docs_doc *d)
{
	const char *vals = (const char *)sqlite3_column_text(c->st, c->nfields);

	memset(d, 0, sizeof *d);
	d->id = (const char *)sqlite3_column_text(c->st, 0);
	d->idlen = (size_t)sqlite3_column_bytes(c->st, 0);
	build_doc(c);
	d->doc = c->json.data;
	d->doclen = c->json.len;
	if (vals) {
		buf_reset(&c->part);
		if (projdocs_expand(&c->part_keys, vals, (size_t)
			sqlite3_column_bytes(c->st, c->nfields), &c->part) != 0)
			return dc_seterr(c->err, "cannot read documents: the "
				"project part of donation '%s' in project_docs "
				"is not one value a key", d->id);
		d->part = c->part.data;
		d->partlen = c->part.len;
	}
	if (c->fp_col >= 0)
		d->dfp = sqlite3_column_int64(c->st, c->fp_col);
	d->has_pfp = sqlite3_column_type(c->st, c->nfields + 1) != SQLITE_NULL;
	d->pfp = sqlite3_column_int64(c->st, c->nfields + 1);
	return 1;
}

/* Whether two columns hold the same integer, or both NULL (IS). */
static int same_int(sqlite3_stmt *a, int i, sqlite3_stmt *b, int j)
{
	int na = sqlite3_column_type(a, i) == SQLITE_NULL;
	int nb = sqlite3_column_type(b, j) == SQLITE_NULL;

	return na || nb ? na && nb
		: sqlite3_column_int64(a, i) == sqlite3_column_int64(b, j);
}

/* The order of the current ids of keys and acked, the one that is done
 * coming last. */
static int merge_order(const docs_cursor *c)
{
	const void *a, *b;
	int na, nb, cmp;

	if (c->keys_rc != SQLITE_ROW || c->acked_rc != SQLITE_ROW)
		return c->keys_rc == SQLITE_ROW ? -1 : 1;
	a = sqlite3_column_blob(c->keys, 0);
	b = sqlite3_column_blob(c->acked, 0);
	na = sqlite3_column_bytes(c->keys, 0);
	nb = sqlite3_column_bytes(c->acked, 0);
	cmp = memcmp(a, b, (size_t)(na < nb ? na : nb));
	return cmp ? cmp : na - nb;
}

/* Whether the acknowledged document of the current donation is out of
 * date: its row changed, or its project's part (of a changed project).
 * -1 on error. */
static int is_stale(docs_cursor *c)
{
	const void *project = sqlite3_column_blob(c->keys, 1);
	int n = sqlite3_column_bytes(c->keys, 1), rc, same;

	if (!same_int(c->keys, 2, c->acked, 1))
		return 1;
	if (!c->all_changed && (!project || !idset_has(&c->changed,
			dc_hash64(project, (size_t)n, 0))))
		return 0;
	sqlite3_bind_text(c->part_fp, 1, project, n, SQLITE_STATIC);
	rc = sqlite3_step(c->part_fp);
	same = rc == SQLITE_ROW ? same_int(c->part_fp, 0, c->acked, 2)
		: sqlite3_column_type(c->acked, 2) == SQLITE_NULL;
	sqlite3_reset(c->part_fp);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? !same : -1;
}

/* A document only the target has: its deletion. */
static int next_gone(docs_cursor *c, docs_doc *d)
{
	memset(d, 0, sizeof *d);
	buf_reset(&c->gone);
	buf_append(&c->gone, sqlite3_column_blob(c->acked, 0),
		   (size_t)sqlite3_column_bytes(c->acked, 0));
	d->id = c->gone.data;
	d->idlen = c->gone.len;
	c->acked_rc = sqlite3_step(c->acked);
	return 1;
}

/* The donation at rowid, to be sent. */
static int next_row_at(docs_cursor *c, sqlite3_int64 rowid, docs_doc *d)
{
	int rc;

	sqlite3_reset(c->st);
	sqlite3_bind_int64(c->st, 1, rowid);
	if ((rc = sqlite3_step(c->st)) != SQLITE_ROW)
		return rc == SQLITE_DONE ? dc_seterr(c->err, "cannot read "
			"documents: donation %lld is gone", (long long)rowid)
			: read_error(c);
	return fill_doc(c, d);
}

static int next_change(docs_cursor *c, docs_doc *d)
{
	for (;;) {
		int cmp, send;
		sqlite3_int64 rowid;

		if ((c->keys_rc != SQLITE_ROW && c->keys_rc != SQLITE_DONE) ||
		    (c->acked_rc != SQLITE_ROW && c->acked_rc != SQLITE_DONE))
			return read_error(c);
		if (c->keys_rc == SQLITE_DONE && c->acked_rc == SQLITE_DONE)
			return 0;
		if ((cmp = merge_order(c)) > 0)
			return next_gone(c, d);
		if ((send = cmp < 0 ? 1 : is_stale(c)) < 0)
			return read_error(c);
		rowid = sqlite3_column_int64(c->keys, 3);
		if (cmp == 0)
			c->acked_rc = sqlite3_step(c->acked);
		c->keys_rc = sqlite3_step(c->keys);
		if (send)
			return next_row_at(c, rowid, d);
	}
}

int docs_next(docs_cursor *c, docs_doc *d)
{
	int rc;

	if (c->keys)
		return next_change(c, d);
	if ((rc = sqlite3_step(c->st)) != SQLITE_ROW)
		return rc == SQLITE_DONE ? 0 : read_error(c);
	return fill_doc(c, d);
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
	sqlite3_finalize(c->keys);
	sqlite3_finalize(c->acked);
	sqlite3_finalize(c->part_fp);
	sqlite3_close(c->db);
	rowjson_free(&c->row);
	idset_free(&c->changed);
	buf_free(&c->json);
	buf_free(&c->part);
	projdocs_free_keys(&c->part_keys);
	buf_free(&c->gone);
	free(c);
}
