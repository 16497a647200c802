/*
 * docs.c - shards of the documents and pending views (see docs.h).
 *
 * The donation's part of a document is written here from the typed row,
 * rather than by json_object() in SQL: the same bytes (the tests compare
 * the two) at a fraction of the cost.  The project part comes stored.
 */
#include "docs.h"
#include "buf.h"
#include "dcstage.h"
#include "stage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How a donation column goes into its document. */
enum field_kind { FIELD_SKIP, FIELD_VALUE, FIELD_FLAG };

struct docs_cursor {
	sqlite3 *db;
	sqlite3_stmt *st;
	int nfields;            /* the donation's columns, then part, pfp */
	int fp_col;
	unsigned char *kind;    /* enum field_kind, per column */
	buf keys;               /* "name": of each column, back to back */
	size_t *key_off;
	buf json;               /* the document being built */
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

/* Columns 0..nfields-1 are a donation row (d.*), then part and pfp: the
 * JSON keys and kinds come from the row's names and declared types, so that
 * the staging schema is the one definition of a donation's fields. */
static void describe_fields(docs_cursor *c)
{
	c->nfields = sqlite3_column_count(c->st) - 2;
	c->kind = dc_calloc((size_t)c->nfields + 1, 1);
	c->key_off = dc_calloc((size_t)c->nfields + 1, sizeof *c->key_off);
	c->fp_col = -1;
	for (int i = 0; i < c->nfields; i++) {
		const char *name = sqlite3_column_name(c->st, i);
		const char *type = sqlite3_column_decltype(c->st, i);

		c->key_off[i] = c->keys.len;
		if (!strcmp(name, "fp")) {
			c->fp_col = i;
			continue;
		}
		c->kind[i] = type && !strcmp(type, "BOOLEAN") ? FIELD_FLAG
							     : FIELD_VALUE;
		buf_json_string(&c->keys, name, strlen(name));
		buf_putc(&c->keys, ':');
	}
	c->key_off[c->nfields] = c->keys.len;
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
		? "SELECT d.*, p.part, p.pfp FROM pending_parts p "
		  "JOIN donations d ON d.rowid = p.drow "
		  "WHERE p.target = ?3 AND p.drow BETWEEN ?1 AND ?2 "
		  "ORDER BY p.drow"
		: "SELECT d.*, p.part, p.pfp FROM document_parts p "
		  "JOIN donations d ON d.rowid = p.drow "
		  "WHERE p.drow BETWEEN ?1 AND ?2 ORDER BY p.drow", err);

	if (!c)
		return NULL;
	describe_fields(c);
	sqlite3_bind_int64(c->st, 1, r.lo);
	sqlite3_bind_int64(c->st, 2, r.hi);
	if (target)
		sqlite3_bind_int64(c->st, 3, target);
	return c;
}

docs_cursor *docs_open_deletes(const char *db_path, int64_t target, char *err)
{
	docs_cursor *c = open_query(db_path, "SELECT id FROM pending_delete "
				    "WHERE target = ?1", err);

	if (c)
		sqlite3_bind_int64(c->st, 1, target);
	return c;
}

/* One column as a JSON value, as json_object() writes it; 0 if missing. */
static int add_value(docs_cursor *c, int i)
{
	sqlite3_stmt *st = c->st;
	char num[64];

	switch (sqlite3_column_type(st, i)) {
	case SQLITE_NULL:
		return 0;
	case SQLITE_INTEGER:
		if (c->kind[i] == FIELD_FLAG) {
			sqlite3_int64 v = sqlite3_column_int64(st, i);

			if (v != 0 && v != 1)
				return 0;
			buf_puts(&c->json, v ? "true" : "false");
			return 1;
		}
		sqlite3_snprintf(sizeof num, num, "%lld",
				 sqlite3_column_int64(st, i));
		break;
	case SQLITE_FLOAT:
		if (c->kind[i] == FIELD_FLAG)
			return 0;
		sqlite3_snprintf(sizeof num, num, "%!0.15g",
				 sqlite3_column_double(st, i));
		break;
	default:
		if (c->kind[i] == FIELD_FLAG)
			return 0;
		buf_json_string(&c->json,
				(const char *)sqlite3_column_text(st, i),
				(size_t)sqlite3_column_bytes(st, i));
		return 1;
	}
	buf_puts(&c->json, num);
	return 1;
}

/* The donation's fields as one JSON object, missing values left out. */
static void build_doc(docs_cursor *c)
{
	buf_reset(&c->json);
	buf_putc(&c->json, '{');
	for (int i = 0; i < c->nfields; i++) {
		size_t mark = c->json.len;

		if (c->kind[i] == FIELD_SKIP)
			continue;
		if (mark > 1)
			buf_putc(&c->json, ',');
		buf_append(&c->json, c->keys.data + c->key_off[i],
			   c->key_off[i + 1] - c->key_off[i]);
		if (!add_value(c, i)) {
			c->json.len = mark;
			c->json.data[mark] = '\0';
		}
	}
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
	if (!c->kind) /* a deletion */
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
	free(c->kind);
	free(c->key_off);
	buf_free(&c->keys);
	buf_free(&c->json);
	free(c);
}
