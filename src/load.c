/*
 * load.c - the load pipeline (see load.h).
 *
 * Two threads overlap the work: a reader thread inflates and parses the
 * parts into batches of records, and the calling thread inserts them
 * through the prepared statements of sql/load_<table>.sql, whose SQL
 * functions convert the values and report the ones they refuse.  Parts are
 * read projects first, so that the set of known project ids is complete
 * when donations and resources are checked for orphans.
 *
 * Everything happens in one transaction on new_* tables, renamed over the
 * previous snapshot at the end (sql/swap.sql): a failed or killed load
 * leaves the previous snapshot whole.  The journal stays small because
 * SQLite does not journal pages the transaction adds to the file.
 */
#include "load.h"
#include "buf.h"
#include "csv.h"
#include "dcstage.h"
#include "dumpfiles.h"
#include "gzin.h"
#include "progress.h"
#include "sqlfuncs.h"
#include "stage.h"
#include "values.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *const load_table_names[LOAD_NTABLES] = {
	"projects", "donations", "resources"
};

#define BATCH_BYTES (4u << 20)
#define BATCH_RECORDS 16384
#define NBATCHES 4
#define MAX_RECORD (1u << 20)
#define NO_ERROR ((size_t)-1)

/* One parsed record, its bytes in the batch's data buffer. */
typedef struct rec {
	uint64_t line, fp;
	size_t field, nfields;  /* its fields: batch.fields[field...] */
	size_t raw, raw_len;    /* offset and length in data */
	size_t error;           /* offset of the reason in data, or NO_ERROR */
} rec;

typedef struct span {
	size_t off, len;
} span;

typedef struct batch {
	int file;               /* index in the dumpfiles */
	buf data;
	span *fields;
	size_t nfields, cap_fields;
	rec *recs;
	size_t nrecs, cap_recs;
	struct batch *next;
} batch;

/* The hand-over between the reader thread and the inserting thread. */
typedef struct queue {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	batch *full_head, *full_tail, *free_list;
	int reader_done, cancel;
	uint64_t bytes_gz, bytes_csv; /* of the parts read so far */
	char err[DC_ERR_MAX];         /* the reader's error, if any */
	const dumpfiles *files;
	batch slots[NBATCHES];
} queue;

/* A set of 64-bit hashes of project ids (open addressing, 0 = empty). */
typedef struct idset {
	uint64_t *slot;
	size_t cap, n;
} idset;

/* Values the SQL functions refused during one insert, flushed after it. */
typedef struct refusal {
	char field[64], reason[128];
	size_t value, value_len; /* in refusals.values */
} refusal;

typedef struct loader {
	sqlite3 *db;
	const dumpfiles *files;
	load_summary *sum;
	sqlite3_stmt *insert[LOAD_NTABLES];
	sqlite3_stmt *reject, *problem;
	int ncols[LOAD_NTABLES];
	int projectid_col[LOAD_NTABLES]; /* 0-based field index, or -1 */
	idset projects;
	refusal *refused;
	size_t nrefused, cap_refused;
	buf refused_values;
	sqlfuncs_sink sink;     /* must outlive the connection's functions */
	progress prog;
	uint64_t bytes_total;
	char *err;
} loader;

/* ---- the project id set ---- */

static void idset_add(idset *s, uint64_t h);

static void idset_grow(idset *s)
{
	idset bigger = { NULL, s->cap ? s->cap * 2 : 1u << 16, 0 };

	bigger.slot = dc_calloc(bigger.cap, sizeof *bigger.slot);
	for (size_t i = 0; i < s->cap; i++)
		if (s->slot[i])
			idset_add(&bigger, s->slot[i]);
	free(s->slot);
	*s = bigger;
}

static void idset_add(idset *s, uint64_t h)
{
	size_t i;

	h |= 1; /* never 0, the empty mark */
	if (2 * (s->n + 1) > s->cap)
		idset_grow(s);
	for (i = h & (s->cap - 1); s->slot[i]; i = (i + 1) & (s->cap - 1))
		if (s->slot[i] == h)
			return;
	s->slot[i] = h;
	s->n++;
}

static int idset_has(const idset *s, uint64_t h)
{
	h |= 1;
	if (!s->cap)
		return 0;
	for (size_t i = h & (s->cap - 1); s->slot[i];
	     i = (i + 1) & (s->cap - 1))
		if (s->slot[i] == h)
			return 1;
	return 0;
}

/* ---- the reader thread ---- */

static void batch_reset(batch *b, int file)
{
	b->file = file;
	buf_reset(&b->data);
	b->nfields = b->nrecs = 0;
	b->next = NULL;
}

static size_t batch_put(batch *b, const void *p, size_t n)
{
	size_t off = b->data.len;

	buf_append(&b->data, p, n);
	return off;
}

static void batch_add(batch *b, const csv_record *r)
{
	rec *x;

	if (b->nrecs == b->cap_recs) {
		b->cap_recs = b->cap_recs ? 2 * b->cap_recs : 1024;
		b->recs = dc_realloc(b->recs, b->cap_recs * sizeof *b->recs);
	}
	if (b->nfields + r->nfields > b->cap_fields) {
		while (b->nfields + r->nfields > b->cap_fields)
			b->cap_fields = b->cap_fields ? 2 * b->cap_fields : 8192;
		b->fields = dc_realloc(b->fields,
				       b->cap_fields * sizeof *b->fields);
	}
	x = &b->recs[b->nrecs++];
	x->line = r->line;
	x->fp = dc_hash64(r->raw, r->raw_len, 0);
	x->field = b->nfields;
	x->nfields = r->nfields;
	x->raw = batch_put(b, r->raw, r->raw_len);
	x->raw_len = r->raw_len;
	x->error = r->error ? batch_put(b, r->error, strlen(r->error) + 1)
			    : NO_ERROR;
	for (size_t i = 0; i < r->nfields; i++) {
		span *f = &b->fields[b->nfields++];

		f->len = r->fields[i].len;
		f->off = batch_put(b, r->fields[i].ptr, f->len);
	}
}

static batch *take_free(queue *q)
{
	batch *b;

	pthread_mutex_lock(&q->lock);
	while (!q->free_list && !q->cancel)
		pthread_cond_wait(&q->cond, &q->lock);
	b = q->cancel ? NULL : q->free_list;
	if (b)
		q->free_list = b->next;
	pthread_mutex_unlock(&q->lock);
	return b;
}

static void push_full(queue *q, batch *b, uint64_t gz, uint64_t csv)
{
	pthread_mutex_lock(&q->lock);
	if (q->full_tail)
		q->full_tail->next = b;
	else
		q->full_head = b;
	q->full_tail = b;
	q->bytes_gz = gz;
	q->bytes_csv = csv;
	pthread_cond_broadcast(&q->cond);
	pthread_mutex_unlock(&q->lock);
}

static ptrdiff_t read_gz(void *ctx, char *dst, size_t n)
{
	return gzin_read(ctx, dst, n);
}

static const char *gz_errmsg(void *ctx)
{
	return gzin_errmsg(ctx);
}

/* Read one part into batches; 0, or -1 with q->err set. */
static int read_part(queue *q, int file, uint64_t *gz_done, uint64_t *csv)
{
	const dumpfile *f = &q->files->files[file];
	gzin *g = gzin_open(f->path, q->err);
	csv_reader *r;
	csv_record rec;
	batch *b;
	int rc = 0;

	if (!g)
		return -1;
	r = csv_open(read_gz, gz_errmsg, g, f->name, MAX_RECORD);
	if ((b = take_free(q)) != NULL)
		batch_reset(b, file);
	while (b && (rc = csv_next_record(r, &rec)) == 1) {
		batch_add(b, &rec);
		*csv += rec.raw_len + 1;
		if (b->nrecs >= BATCH_RECORDS || b->data.len >= BATCH_BYTES) {
			push_full(q, b, *gz_done + gzin_bytes_in(g), *csv);
			if ((b = take_free(q)) != NULL)
				batch_reset(b, file);
		}
	}
	if (b) {
		if (rc < 0)
			snprintf(q->err, sizeof q->err, "%s", csv_errmsg(r));
		*gz_done += f->size;
		push_full(q, b, *gz_done, *csv);
	}
	csv_close(r);
	gzin_close(g);
	return b && rc == 0 ? 0 : -1;
}

static void *reader_main(void *arg)
{
	queue *q = arg;
	uint64_t gz = 0, csv = 0;

	for (int i = 0; i < q->files->n; i++) {
		pthread_mutex_lock(&q->lock);
		int cancel = q->cancel;
		pthread_mutex_unlock(&q->lock);
		if (cancel || read_part(q, i, &gz, &csv) != 0)
			break;
	}
	pthread_mutex_lock(&q->lock);
	q->reader_done = 1;
	pthread_cond_broadcast(&q->cond);
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

static void queue_init(queue *q, const dumpfiles *files)
{
	memset(q, 0, sizeof *q);
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->cond, NULL);
	q->files = files;
	for (int i = 0; i < NBATCHES; i++) {
		q->slots[i].next = q->free_list;
		q->free_list = &q->slots[i];
	}
	batch_reset(q->free_list, 0);
}

static void queue_free(queue *q)
{
	for (int i = 0; i < NBATCHES; i++) {
		buf_free(&q->slots[i].data);
		free(q->slots[i].fields);
		free(q->slots[i].recs);
	}
	pthread_cond_destroy(&q->cond);
	pthread_mutex_destroy(&q->lock);
}

/* The next full batch, or NULL when the reader is done. */
static batch *take_full(queue *q, uint64_t *gz)
{
	batch *b;

	pthread_mutex_lock(&q->lock);
	while (!q->full_head && !q->reader_done)
		pthread_cond_wait(&q->cond, &q->lock);
	b = q->full_head;
	if (b) {
		q->full_head = b->next;
		if (!q->full_head)
			q->full_tail = NULL;
	}
	*gz = q->bytes_gz;
	pthread_mutex_unlock(&q->lock);
	return b;
}

static void give_back(queue *q, batch *b)
{
	pthread_mutex_lock(&q->lock);
	b->next = q->free_list;
	q->free_list = b;
	pthread_cond_broadcast(&q->cond);
	pthread_mutex_unlock(&q->lock);
}

static void queue_cancel(queue *q)
{
	pthread_mutex_lock(&q->lock);
	q->cancel = 1;
	pthread_cond_broadcast(&q->cond);
	pthread_mutex_unlock(&q->lock);
}

/* ---- inserting ---- */

static void on_refused(void *ctx, const char *column, const char *value,
		       size_t n, const char *reason)
{
	loader *l = ctx;
	refusal *r;

	if (l->nrefused == l->cap_refused) {
		l->cap_refused = l->cap_refused ? 2 * l->cap_refused : 16;
		l->refused = dc_realloc(l->refused,
					l->cap_refused * sizeof *l->refused);
	}
	r = &l->refused[l->nrefused++];
	snprintf(r->field, sizeof r->field, "%s", column);
	snprintf(r->reason, sizeof r->reason, "%s", reason);
	r->value = l->refused_values.len;
	r->value_len = n;
	buf_append(&l->refused_values, value, n);
}

static int db_fail(loader *l, const char *what)
{
	return dc_seterr(l->err, "%s: %s", what, sqlite3_errmsg(l->db));
}

static int add_problem(loader *l, const char *file, uint64_t line,
		       const char *field, const char *value, size_t n,
		       const char *reason)
{
	sqlite3_stmt *st = l->problem;

	sqlite3_bind_text(st, 1, file, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)line);
	sqlite3_bind_text(st, 3, field, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 4, value, (int)n, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, reason, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_reset(st);
		return db_fail(l, "cannot record a problem");
	}
	sqlite3_reset(st);
	l->sum->problems++;
	return 0;
}

static int add_reject(loader *l, const char *file, const batch *b,
		      const rec *x, const char *kind, const char *reason)
{
	sqlite3_stmt *st = l->reject;

	sqlite3_bind_text(st, 1, file, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)x->line);
	sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, reason, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 5, b->data.data + x->raw, (int)x->raw_len,
			  SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_reset(st);
		return db_fail(l, "cannot record a rejected row");
	}
	sqlite3_reset(st);
	l->sum->rejects++;
	return 0;
}

/* The header is recognised by its first field: the key column's name,
 * possibly with a leading underscore or space.  No data row has that key. */
static int is_header(const loader *l, int table, const batch *b,
		     const rec *x)
{
	const span *f = &b->fields[x->field];
	const char *p = b->data.data + f->off;
	const char *key = sqlite3_bind_parameter_name(l->insert[table], 1) + 1;
	size_t n = f->len;

	if (x->nfields == 0)
		return 0;
	if (n && (*p == '_' || *p == ' '))
		p++, n--;
	return n == strlen(key) && !memcmp(p, key, n);
}

/* Why the record cannot be staged, or NULL. */
static const char *reject_reason(const loader *l, int table, const batch *b,
				 const rec *x, const char **kind, char *why,
				 size_t n)
{
	const span *key;
	const char *id;
	size_t idlen;

	if (x->error != NO_ERROR) {
		*kind = "malformed";
		return b->data.data + x->error;
	}
	if ((int)x->nfields != l->ncols[table]) {
		*kind = "field_count";
		snprintf(why, n, "expected %d fields but found %zu",
			 l->ncols[table], x->nfields);
		return why;
	}
	key = &b->fields[x->field];
	if (val_id(b->data.data + key->off, key->len, &id, &idlen) != VAL_OK) {
		*kind = "empty_key";
		snprintf(why, n, "empty %s",
			 sqlite3_bind_parameter_name(l->insert[table], 1) + 1);
		return why;
	}
	return NULL;
}

static uint64_t id_hash(const char *p, size_t n)
{
	const char *id;
	size_t len;

	if (val_id(p, n, &id, &len) != VAL_OK)
		return 0;
	return dc_hash64(id, len, 0);
}

/* Orphans are kept, and reported with their line. */
static int check_project(loader *l, int table, const char *file,
			 const batch *b, const rec *x)
{
	const span *f;
	uint64_t h;

	if (l->projectid_col[table] < 0)
		return 0;
	f = &b->fields[x->field + (size_t)l->projectid_col[table]];
	h = id_hash(b->data.data + f->off, f->len);
	if (table == LOAD_PROJECTS) {
		idset_add(&l->projects, h);
		return 0;
	}
	if (f->len == 0 || idset_has(&l->projects, h))
		return 0;
	l->sum->orphans++;
	return add_problem(l, file, x->line, "projectid",
			   b->data.data + f->off, f->len,
			   "orphan: no project has this projectid");
}

static int insert_record(loader *l, int table, const char *file,
			 const batch *b, const rec *x)
{
	sqlite3_stmt *st = l->insert[table];
	int rc;

	for (size_t i = 0; i < x->nfields; i++) {
		const span *f = &b->fields[x->field + i];

		sqlite3_bind_text(st, (int)i + 1, b->data.data + f->off,
				  (int)f->len, SQLITE_STATIC);
	}
	sqlite3_bind_int64(st, (int)x->nfields + 1, (sqlite3_int64)x->fp);
	l->nrefused = 0;
	buf_reset(&l->refused_values);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_fail(l, "cannot insert a row");
	l->sum->rows[table]++;
	for (size_t i = 0; i < l->nrefused; i++) {
		const refusal *r = &l->refused[i];

		if (add_problem(l, file, x->line, r->field,
				l->refused_values.data + r->value,
				r->value_len, r->reason) != 0)
			return -1;
	}
	return check_project(l, table, file, b, x);
}

static int insert_batch(loader *l, const batch *b)
{
	const dumpfile *f = &l->files->files[b->file];
	const char *kind, *reason;
	char why[128];

	for (size_t i = 0; i < b->nrecs; i++) {
		const rec *x = &b->recs[i];

		if (x->line == 1 && is_header(l, f->table, b, x))
			continue;
		l->sum->records[f->table]++;
		reason = reject_reason(l, f->table, b, x, &kind, why,
				       sizeof why);
		if (reason ? add_reject(l, f->name, b, x, kind, reason)
			   : insert_record(l, f->table, f->name, b, x))
			return -1;
	}
	return 0;
}

/* ---- setting up, finishing ---- */

static int prepare_statements(loader *l)
{
	static const char *const files[LOAD_NTABLES] = {
		"load_projects.sql", "load_donations.sql", "load_resources.sql"
	};

	for (int t = 0; t < LOAD_NTABLES; t++) {
		sqlite3_stmt *st = stage_prepare_file(l->db, files[t], l->err);

		if (!st)
			return -1;
		l->insert[t] = st;
		/* Parameters are the file's columns in order, then :_fp. */
		l->ncols[t] = sqlite3_bind_parameter_count(st) - 1;
		l->projectid_col[t] =
			sqlite3_bind_parameter_index(st, ":projectid") - 1;
	}
	l->reject = stage_prepare(l->db, "INSERT INTO new_rejects VALUES "
				  "(?1, ?2, ?3, ?4, ?5)", l->err);
	l->problem = stage_prepare(l->db, "INSERT INTO new_problems VALUES "
				   "(?1, ?2, ?3, ?4, ?5)", l->err);
	return l->reject && l->problem ? 0 : -1;
}

static void finalize_statements(loader *l)
{
	for (int t = 0; t < LOAD_NTABLES; t++)
		sqlite3_finalize(l->insert[t]);
	sqlite3_finalize(l->reject);
	sqlite3_finalize(l->problem);
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

/* Donations are kept in donationid order (file order within one id, for
 * the dedupe): shards are then ranges of ids, so that each export thread
 * records what the server acknowledged in the table sent (keyed by id) at
 * one growing end instead of all over it, and reruns compare the two in
 * the same order.  The copy keeps the staging schema's declared types. */
static int sort_donations(loader *l)
{
	sqlite3_stmt *st = stage_prepare(l->db,
		"SELECT replace(sql, 'new_donations', 'sorted_donations') "
		"FROM sqlite_schema WHERE name = 'new_donations'", l->err);
	int rc;

	if (!st)
		return -1;
	rc = sqlite3_step(st) == SQLITE_ROW
		? stage_exec(l->db, (const char *)sqlite3_column_text(st, 0),
			     l->err)
		: db_fail(l, "cannot read the donations table's schema");
	sqlite3_finalize(st);
	return rc || stage_exec(l->db,
		"INSERT INTO sorted_donations SELECT * FROM new_donations "
		"ORDER BY donationid, rowid; DROP TABLE new_donations; "
		"ALTER TABLE sorted_donations RENAME TO new_donations", l->err);
}

/* Swap the snapshot in, drop superseded duplicates, count what is staged. */
static int finish_snapshot(loader *l)
{
	load_summary *s = l->sum;
	int64_t dups[LOAD_NTABLES] = { 0 };

	if (sort_donations(l) != 0 || stage_drop_views(l->db, l->err) != 0 ||
	    stage_exec_file(l->db, "swap.sql", l->err) != 0 ||
	    stage_exec_file_changes(l->db, "dedupe.sql", dups, LOAD_NTABLES,
				    l->err) != 0 ||
	    stage_exec(l->db, "CREATE TEMP TABLE project_todo AS "
		       "SELECT projectid FROM projects", l->err) != 0 ||
	    stage_exec_file(l->db, "project_docs.sql", l->err) != 0 ||
	    stage_exec_file(l->db, "views.sql", l->err) != 0 ||
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
static int insert_all(loader *l, queue *q)
{
	batch *b;
	uint64_t gz = 0;
	int rc = 0;

	while ((b = take_full(q, &gz)) != NULL) {
		uint64_t rows;
		char where[160];

		snprintf(where, sizeof where, "%s, %.0f of %.0f MB",
			 l->files->files[b->file].name, (double)gz / 1e6,
			 (double)l->bytes_total / 1e6);
		if (rc == 0)
			rc = insert_batch(l, b);
		give_back(q, b);
		if (rc != 0)
			queue_cancel(q);
		rows = l->sum->rows[0] + l->sum->rows[1] + l->sum->rows[2];
		progress_update(&l->prog, rows, gz, where);
	}
	progress_end(&l->prog);
	if (rc == 0 && q->err[0])
		rc = dc_seterr(l->err, "%s", q->err);
	l->sum->bytes_gz = q->bytes_gz;
	l->sum->bytes_csv = q->bytes_csv;
	return rc;
}

static int load_snapshot(loader *l, int quiet)
{
	queue q;
	pthread_t reader;
	int rc;

	l->sink.report = on_refused;
	l->sink.ctx = l;
	if (sqlfuncs_register(l->db, &l->sink) != SQLITE_OK)
		return db_fail(l, "cannot register the SQL functions");
	if (stage_exec_file(l->db, "staging.sql", l->err) != 0 ||
	    prepare_statements(l) != 0)
		return -1;
	for (int i = 0; i < l->files->n; i++)
		l->bytes_total += l->files->files[i].size;
	progress_start(&l->prog, "loading", "rows", l->bytes_total, quiet);
	queue_init(&q, l->files);
	if (pthread_create(&reader, NULL, reader_main, &q) != 0) {
		queue_free(&q);
		return dc_seterr(l->err, "cannot start the reader thread");
	}
	rc = insert_all(l, &q);
	pthread_join(reader, NULL);
	queue_free(&q);
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

static void loader_free(loader *l)
{
	free(l->projects.slot);
	free(l->refused);
	buf_free(&l->refused_values);
}

int load_run(const load_options *o, load_summary *s, char *err)
{
	loader l = { 0 };
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
	else if (load_snapshot(&l, o->quiet) != 0) {
		stage_exec(l.db, "ROLLBACK", NULL);
		goto out;
	}
	s->seconds = dc_now() - t0;
	if (save_load_row(l.db, s, started, err) != 0 ||
	    stage_exec(l.db, "COMMIT", err) != 0) {
		stage_exec(l.db, "ROLLBACK", NULL);
		goto out;
	}
	rc = 0;
out:
	s->seconds = dc_now() - t0;
	s->peak_rss = dc_peak_rss();
	sqlite3_close(l.db);
	loader_free(&l);
	dumpfiles_free(&files);
	return rc;
}
