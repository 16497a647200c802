/*
 * load.c - the load pipeline (see load.h).
 *
 * Two threads overlap the work: a reader thread (batch.c) inflates,
 * parses and converts the parts into batches of typed rows, and the
 * calling thread, which owns the connection, binds them to one prepared
 * INSERT per table and records rejects and problems.  What each column
 * holds comes from its declared type in sql/staging.sql, so the staging
 * schema is the one definition of the conversion.
 *
 * Everything happens in one transaction on new_* tables, renamed over the
 * previous snapshot at the end (sql/swap.sql): a failed or killed load
 * leaves the previous snapshot whole.  The journal stays small because
 * SQLite does not journal pages the transaction adds to the file.
 */
#include "load.h"
#include "batch.h"
#include "buf.h"
#include "dcstage.h"
#include "dumpfiles.h"
#include "idset.h"
#include "progress.h"
#include "projdocs.h"
#include "stage.h"
#include "values.h"
#include "writeback.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *const load_table_names[LOAD_NTABLES] = {
	"projects", "donations", "resources"
};

const char *const load_phase_names[LOAD_NPHASES] = {
	"insert", "index", "dedupe", "project_docs", "commit"
};

/* Resources have no index by resourceid (sql/dedupe.sql).  Instead the
 * loader keeps the low 32 bits of each row's key hash by rowid, 4 bytes a
 * resource, and those of the keys that may repeat: the rows to compare
 * are then found in memory, not in a pass over the table (1.9 s of a
 * full-scale load, where false positives of the Bloom filter always
 * leave some candidates).  32 bits are enough: dedupe.sql compares the
 * keys themselves, and a chance match only gives it one more row. */
typedef struct key_rows {
	uint32_t *hash;        /* hash[rowid - 1] */
	size_t n, cap;
	idset maybe_dup;
} key_rows;

typedef struct loader {
	sqlite3 *db;
	const dumpfiles *files;
	load_summary *sum;
	batch_table tables[LOAD_NTABLES];
	sqlite3_stmt *insert[LOAD_NTABLES];
	sqlite3_stmt *reject, *problem, *dup;
	key_rows resource_keys;
	progress prog;
	uint64_t bytes_total;
	char *err;
} loader;

/* ---- inserting ---- */

static int db_fail(loader *l, const char *what)
{
	return dc_seterr(l->err, "%s: %s", what, sqlite3_errmsg(l->db));
}

static int step_reset(loader *l, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(l, what);
}

static int add_problem(loader *l, const char *file, const batch *b,
		       const batch_rec *x, const batch_problem *p)
{
	const batch_table *t = &l->tables[l->files->files[b->file].table];
	sqlite3_stmt *st = l->problem;

	sqlite3_bind_text(st, 1, file, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)x->line);
	sqlite3_bind_text(st, 3, t->name[p->col], -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 4, b->data.data + p->value, (int)p->len,
			  SQLITE_STATIC);
	sqlite3_bind_text(st, 5, p->reason, -1, SQLITE_STATIC);
	if (step_reset(l, st, "cannot record a problem") != 0)
		return -1;
	l->sum->problems++;
	l->sum->orphans += (uint64_t)p->orphan;
	return 0;
}

static int add_reject(loader *l, const char *file, const batch *b,
		      const batch_rec *x)
{
	sqlite3_stmt *st = l->reject;

	sqlite3_bind_text(st, 1, file, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)x->line);
	sqlite3_bind_text(st, 3, x->reject, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, b->data.data + x->reason, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 5, b->data.data + x->raw, (int)x->raw_len,
			  SQLITE_STATIC);
	if (step_reset(l, st, "cannot record a rejected row") != 0)
		return -1;
	l->sum->rejects++;
	return 0;
}

static void bind_cell(sqlite3_stmt *st, int i, const batch *b,
		      const val_cell *c)
{
	switch (c->type) {
	case VAL_INT:
		sqlite3_bind_int64(st, i, c->v.i);
		break;
	case VAL_REAL:
		sqlite3_bind_double(st, i, c->v.d);
		break;
	case VAL_TEXT:
		sqlite3_bind_text(st, i, b->data.data + c->v.off, (int)c->len,
				  SQLITE_STATIC);
		break;
	default:
		sqlite3_bind_null(st, i);
	}
}

/* A key the reader may have seen before, for dedupe.sql. */
static int add_dup_candidate(loader *l, int table, const batch *b,
			     const batch_rec *x)
{
	const val_cell *key = &b->cells[x->cell];

	sqlite3_bind_text(l->dup, 1, load_table_names[table], -1,
			  SQLITE_STATIC);
	sqlite3_bind_text(l->dup, 2, b->data.data + key->v.off, (int)key->len,
			  SQLITE_STATIC);
	return step_reset(l, l->dup, "cannot record a duplicate key");
}

static void add_key_row(key_rows *k, sqlite3_int64 rowid,
			const batch_rec *x)
{
	size_t i = (size_t)rowid - 1;

	if (i >= k->cap) {
		size_t cap = k->cap ? k->cap : 4096;

		while (cap <= i)
			cap *= 2;
		k->hash = dc_realloc(k->hash, cap * sizeof *k->hash);
		memset(k->hash + k->cap, 0, (cap - k->cap) * sizeof *k->hash);
		k->cap = cap;
	}
	k->hash[i] = (uint32_t)x->key_hash;
	if (i >= k->n)
		k->n = i + 1;
	if (x->maybe_dup)
		idset_add(&k->maybe_dup, (uint32_t)x->key_hash);
}

static int insert_row(loader *l, int table, const batch *b,
		      const batch_rec *x)
{
	sqlite3_stmt *st = l->insert[table];
	int ncols = l->tables[table].ncols;

	for (int i = 0; i < ncols; i++)
		bind_cell(st, i + 1, b, &b->cells[x->cell + (size_t)i]);
	sqlite3_bind_int64(st, ncols + 1, (sqlite3_int64)x->fp);
	if (step_reset(l, st, "cannot insert a row") != 0)
		return -1;
	if (table == LOAD_RESOURCES)
		add_key_row(&l->resource_keys, sqlite3_last_insert_rowid(l->db),
			    x);
	else if (x->maybe_dup && add_dup_candidate(l, table, b, x) != 0)
		return -1;
	l->sum->rows[table]++;
	return 0;
}

static int insert_batch(loader *l, const batch *b)
{
	const dumpfile *f = &l->files->files[b->file];

	for (size_t i = 0; i < b->nrecs; i++) {
		const batch_rec *x = &b->recs[i];

		l->sum->records[f->table]++;
		if (x->reject ? add_reject(l, f->name, b, x)
			      : insert_row(l, f->table, b, x))
			return -1;
		for (size_t k = 0; k < x->nproblems; k++)
			if (add_problem(l, f->name, b, x,
					&b->problems[x->problem + k]) != 0)
				return -1;
	}
	return 0;
}

/* ---- setting up, finishing ---- */

/* How table t's records convert, from the columns of new_<t> and their
 * declared types (sql/staging.sql): the file's columns in order, then fp,
 * the record's fingerprint. */
static int describe_table(loader *l, int t)
{
	batch_table *bt = &l->tables[t];
	char sql[96];
	sqlite3_stmt *st;
	int n = 0, rc;

	snprintf(sql, sizeof sql, "SELECT name, type FROM pragma_table_info"
		 "('new_%s') ORDER BY cid", load_table_names[t]);
	if (!(st = stage_prepare(l->db, sql, l->err)))
		return -1;
	memset(bt, 0, sizeof *bt);
	bt->projectid_col = -1;
	bt->defines_projects = t == LOAD_PROJECTS;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < BATCH_MAX_COLS) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		const char *type = (const char *)sqlite3_column_text(st, 1);
		int kind = val_kind_of_type(type);

		if (!strcmp(name, "fp"))
			break;
		if (kind < 0) {
			sqlite3_finalize(st);
			return dc_seterr(l->err, "column '%s' of new_%s has "
					 "type '%s', which the loader cannot "
					 "convert", name, load_table_names[t],
					 type ? type : "");
		}
		snprintf(bt->name[n], BATCH_NAME_MAX, "%s", name);
		bt->kind[n] = (unsigned char)kind;
		if (!strcmp(name, "projectid"))
			bt->projectid_col = n;
		n++;
	}
	sqlite3_finalize(st);
	bt->ncols = n;
	if (rc != SQLITE_ROW || n == 0)
		return dc_seterr(l->err, "new_%s must end with a column fp",
				 load_table_names[t]);
	return 0;
}

/* INSERT INTO new_<t> VALUES (?1, ..., ?ncols+1). */
static int prepare_insert(loader *l, int t)
{
	buf sql = BUF_INIT;

	buf_printf(&sql, "INSERT INTO new_%s VALUES (?1", load_table_names[t]);
	for (int i = 2; i <= l->tables[t].ncols + 1; i++)
		buf_printf(&sql, ", ?%d", i);
	buf_putc(&sql, ')');
	l->insert[t] = stage_prepare(l->db, sql.data, l->err);
	buf_free(&sql);
	return l->insert[t] ? 0 : -1;
}

static int prepare_statements(loader *l)
{
	for (int t = 0; t < LOAD_NTABLES; t++)
		if (describe_table(l, t) != 0 || prepare_insert(l, t) != 0)
			return -1;
	l->reject = stage_prepare(l->db, "INSERT INTO new_rejects VALUES "
				  "(?1, ?2, ?3, ?4, ?5)", l->err);
	l->problem = stage_prepare(l->db, "INSERT INTO new_problems VALUES "
				   "(?1, ?2, ?3, ?4, ?5)", l->err);
	l->dup = stage_prepare(l->db, "INSERT INTO temp.load_dups VALUES "
			       "(?1, ?2)", l->err);
	return l->reject && l->problem && l->dup ? 0 : -1;
}

static void finalize_statements(loader *l)
{
	for (int t = 0; t < LOAD_NTABLES; t++) {
		sqlite3_finalize(l->insert[t]);
		l->insert[t] = NULL;
	}
	sqlite3_finalize(l->reject);
	sqlite3_finalize(l->problem);
	sqlite3_finalize(l->dup);
	l->reject = l->problem = l->dup = NULL;
}

static int files_unchanged(sqlite3 *db, const dumpfiles *d)
{
	sqlite3_stmt *st = NULL;
	int same = 1;

	if (stage_query_int(db, "SELECT count(*) FROM input_files", NULL) !=
	    d->n || !stage_has_table(db, "donations"))
		return 0;
	if (sqlite3_prepare_v2(db, "SELECT 1 FROM input_files WHERE path = ?1 "
			       "AND size = ?2 AND mtime = ?3 "
			       "AND fingerprint = ?4", -1, &st, NULL) != SQLITE_OK)
		return 0;
	for (int i = 0; same && i < d->n; i++) {
		const dumpfile *f = &d->files[i];

		sqlite3_bind_text(st, 1, f->path, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)f->size);
		sqlite3_bind_int64(st, 3, f->mtime);
		sqlite3_bind_text(st, 4, f->fingerprint, -1, SQLITE_STATIC);
		same = sqlite3_step(st) == SQLITE_ROW;
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return same;
}

static int save_files(loader *l)
{
	sqlite3_stmt *st;
	int rc = 0;

	if (stage_exec(l->db, "DELETE FROM input_files", l->err) != 0 ||
	    !(st = stage_prepare(l->db, "INSERT INTO input_files VALUES "
				 "(?1, ?2, ?3, ?4, ?5)", l->err)))
		return -1;
	for (int i = 0; rc == 0 && i < l->files->n; i++) {
		const dumpfile *f = &l->files->files[i];

		sqlite3_bind_text(st, 1, f->path, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, load_table_names[f->table], -1,
				  SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)f->size);
		sqlite3_bind_int64(st, 4, f->mtime);
		sqlite3_bind_text(st, 5, f->fingerprint, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = db_fail(l, "cannot record the input files");
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return rc;
}

static void now_utc(char *out, size_t n)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int save_load_row(sqlite3 *db, const load_summary *s,
			 const char *started, char *err)
{
	sqlite3_stmt *st = stage_prepare(
		db, "INSERT INTO loads(started, seconds, status, projects, "
		"donations, resources, rejects, problems, duplicates, orphans) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)", err);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, started, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 2, s->seconds);
	sqlite3_bind_text(st, 3, s->skipped ? "skipped" : "loaded", -1,
			  SQLITE_STATIC);
	for (int t = 0; t < LOAD_NTABLES; t++)
		sqlite3_bind_int64(st, 4 + t, (sqlite3_int64)s->rows[t]);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)s->rejects);
	sqlite3_bind_int64(st, 8, (sqlite3_int64)s->problems);
	sqlite3_bind_int64(st, 9, (sqlite3_int64)(s->duplicates[0] +
			   s->duplicates[1] + s->duplicates[2]));
	sqlite3_bind_int64(st, 10, (sqlite3_int64)s->orphans);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0
		: dc_seterr(err, "cannot record the load: %s",
			    sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return rc;
}

static int count_by(sqlite3 *db, const char *sql, load_count *out, int *n,
		    char *err)
{
	sqlite3_stmt *st = stage_prepare(db, sql, err);

	if (!st)
		return -1;
	*n = 0;
	while (*n < LOAD_MAX_KINDS && sqlite3_step(st) == SQLITE_ROW) {
		snprintf(out[*n].name, sizeof out[*n].name, "%s",
			 (const char *)sqlite3_column_text(st, 0));
		out[*n].n = (uint64_t)sqlite3_column_int64(st, 1);
		(*n)++;
	}
	sqlite3_finalize(st);
	return 0;
}

/* Add the time since `since` to phase p; the time now. */
static double end_phase(load_summary *s, enum load_phase p, double since)
{
	double now = dc_now();

	s->phase_seconds[p] += now - since;
	return now;
}

/* Every resource row whose key hash is that of a key that may repeat,
 * for dedupe.sql. */
static int add_dup_rows(loader *l)
{
	const key_rows *k = &l->resource_keys;
	sqlite3_stmt *st;
	int rc = 0;

	if (!k->maybe_dup.n)
		return 0;
	if (!(st = stage_prepare(l->db, "INSERT INTO temp.load_dup_rows "
				 "VALUES (?1)", l->err)))
		return -1;
	for (size_t i = 0; rc == 0 && i < k->n; i++)
		if (idset_has(&k->maybe_dup, k->hash[i])) {
			sqlite3_bind_int64(st, 1, (sqlite3_int64)i + 1);
			rc = step_reset(l, st, "cannot record a resource row that "
					"may be a duplicate");
		}
	sqlite3_finalize(st);
	return rc;
}

static void free_key_rows(key_rows *k)
{
	free(k->hash);
	idset_free(&k->maybe_dup);
	memset(k, 0, sizeof *k);
}

/* Swap the snapshot in, drop superseded duplicates, count what is staged. */
static int finish_snapshot(loader *l)
{
	load_summary *s = l->sum;
	int64_t dups[LOAD_NTABLES] = { 0 };
	double at = dc_now();

	if (stage_drop_views(l->db, l->err) != 0 ||
	    stage_exec_file_indexing(l->db, "swap.sql", l->err) != 0)
		return -1;
	at = end_phase(s, LOAD_PHASE_INDEX, at);
	if (add_dup_rows(l) != 0)
		return -1;
	free_key_rows(&l->resource_keys);
	if (stage_exec_file_changes(l->db, "dedupe.sql", dups, LOAD_NTABLES,
				    l->err) != 0)
		return -1;
	at = end_phase(s, LOAD_PHASE_DEDUPE, at);
	if (projdocs_build(l->db, PROJDOCS_ALL, l->err) != 0)
		return -1;
	end_phase(s, LOAD_PHASE_PROJDOCS, at);
	if (stage_exec_file(l->db, "views.sql", l->err) != 0 ||
	    save_files(l) != 0)
		return -1;
	for (int t = 0; t < LOAD_NTABLES; t++) {
		s->duplicates[t] = (uint64_t)dups[t];
		s->rows[t] -= (uint64_t)dups[t];
	}
	return count_by(l->db, "SELECT kind, count(*) FROM rejects "
			"GROUP BY kind ORDER BY 2 DESC", s->reject_kinds,
			&s->nreject_kinds, l->err) ||
	       count_by(l->db, "SELECT field, count(*) FROM problems "
			"GROUP BY field ORDER BY 2 DESC", s->problem_fields,
			&s->nproblem_fields, l->err);
}

/* Insert every batch the reader produces; on failure, stop the reader. */
static int insert_all(loader *l, batch_reader *r)
{
	batch *b;
	uint64_t gz = 0;
	int rc = 0;

	while ((b = batch_next(r, &gz)) != NULL) {
		uint64_t rows;
		char where[160];

		snprintf(where, sizeof where, "%s, %.0f of %.0f MB",
			 l->files->files[b->file].name, (double)gz / 1e6,
			 (double)l->bytes_total / 1e6);
		if (rc == 0)
			rc = insert_batch(l, b);
		batch_done(r, b);
		if (rc != 0)
			batch_cancel(r);
		rows = l->sum->rows[0] + l->sum->rows[1] + l->sum->rows[2];
		progress_update(&l->prog, rows, gz, where);
	}
	progress_end(&l->prog);
	if (batch_finish(r, &l->sum->bytes_gz, &l->sum->bytes_csv,
			 rc == 0 ? l->err : NULL) != 0)
		rc = -1;
	return rc;
}

static int load_snapshot(loader *l, int quiet)
{
	batch_reader *r;
	double t = dc_now();
	int rc;

	if (stage_exec_file(l->db, "staging.sql", l->err) != 0 ||
	    prepare_statements(l) != 0)
		return -1;
	for (int i = 0; i < l->files->n; i++)
		l->bytes_total += l->files->files[i].size;
	progress_start(&l->prog, "loading", "rows", l->bytes_total, quiet);
	if (!(r = batch_start(l->files, l->tables, l->err)))
		return -1;
	rc = insert_all(l, r);
	end_phase(l->sum, LOAD_PHASE_INSERT, t);
	finalize_statements(l);
	return rc == 0 ? finish_snapshot(l) : -1;
}

/* For a skipped load: what the unchanged snapshot holds. */
static void count_staged(sqlite3 *db, load_summary *s)
{
	char sql[64];

	for (int t = 0; t < LOAD_NTABLES; t++) {
		snprintf(sql, sizeof sql, "SELECT count(*) FROM %s",
			 load_table_names[t]);
		s->rows[t] = (uint64_t)stage_query_int(db, sql, NULL);
	}
	s->rejects = (uint64_t)stage_query_int(db, "SELECT count(*) FROM rejects", NULL);
	s->problems = (uint64_t)stage_query_int(db, "SELECT count(*) FROM problems", NULL);
}

int load_run(const load_options *o, load_summary *s, char *err)
{
	loader l = { 0 };
	writeback *wb = NULL;
	dumpfiles files;
	char started[32];
	double t0 = dc_now();
	int rc = -1;

	memset(s, 0, sizeof *s);
	now_utc(started, sizeof started);
	if (dumpfiles_find(o->inputs, o->ninputs, &files, err) != 0)
		return -1;
	s->nfiles = files.n;
	l.db = stage_open(o->db_path, STAGE_READWRITE, err);
	l.files = &files;
	l.sum = s;
	l.err = err;
	if (!l.db)
		goto out;
	s->skipped = !o->force && files_unchanged(l.db, &files);
	/* The rollback journal, not WAL, for the load: new pages are then
	 * written once, and a crash rolls back to the previous snapshot. */
	if (stage_exec(l.db, "PRAGMA journal_mode=DELETE; BEGIN IMMEDIATE",
		       err) != 0)
		goto out;
	if (s->skipped)
		count_staged(l.db, s);
	else {
		/* the new pages go to disk while the load runs (writeback.h) */
		wb = writeback_start(o->db_path);
		if (load_snapshot(&l, o->quiet) != 0) {
			stage_exec(l.db, "ROLLBACK", NULL);
			goto out;
		}
	}
	s->seconds = dc_now() - t0;
	if (save_load_row(l.db, s, started, err) != 0 ||
	    stage_exec(l.db, "COMMIT", err) != 0) {
		stage_exec(l.db, "ROLLBACK", NULL);
		goto out;
	}
	end_phase(s, LOAD_PHASE_COMMIT, t0 + s->seconds);
	rc = 0;
out:
	s->seconds = dc_now() - t0;
	s->peak_rss = dc_peak_rss();
	writeback_stop(wb);
	finalize_statements(&l);
	free_key_rows(&l.resource_keys);
	sqlite3_close(l.db);
	dumpfiles_free(&files);
	return rc;
}
