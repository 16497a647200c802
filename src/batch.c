/*
 * batch.c - the reader thread of a load (see batch.h).
 *
 * Converting here rather than in SQL functions of the insert statement
 * moves about a third of the per-row work off the thread that owns the
 * SQLite connection, which is the one that bounds a load.  The queue
 * between the two threads is a free list and a full list of NBATCHES
 * batches under one mutex.
 */
#include "batch.h"
#include "csv.h"
#include "dcstage.h"
#include "gzin.h"
#include "idset.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH_BYTES (4u << 20)
#define BATCH_RECORDS 8192
#define NBATCHES 4
#define MAX_RECORD (1u << 20)

struct batch_reader {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	batch *full_head, *full_tail, *free_list;
	int done, cancel;
	uint64_t bytes_gz, bytes_csv; /* of the parts read so far */
	char err[DC_ERR_MAX];         /* why reading failed */
	const dumpfiles *files;
	const batch_table *tables;
	idset projects;               /* hashes of the project ids read */
	idfilter keys;                /* the keys read, of every table */
	batch slots[NBATCHES];
};

/* ---- filling a batch ---- */

static void batch_reset(batch *b, int file)
{
	b->file = file;
	buf_reset(&b->data);
	b->ncells = b->nrecs = b->nproblems = 0;
	b->next = NULL;
}

/* Room for n more elements of size sz in *p (capacity *cap). */
static void reserve(void **p, size_t *cap, size_t used, size_t n, size_t sz)
{
	if (used + n <= *cap)
		return;
	while (used + n > *cap)
		*cap = *cap ? 2 * *cap : 1024;
	*p = dc_realloc(*p, *cap * sz);
}

static batch_rec *new_rec(batch *b, const csv_record *r)
{
	batch_rec *x;

	reserve((void **)&b->recs, &b->cap_recs, b->nrecs, 1, sizeof *b->recs);
	x = &b->recs[b->nrecs++];
	memset(x, 0, sizeof *x);
	x->line = r->line;
	x->fp = dc_hash64(r->raw, r->raw_len, 0);
	x->problem = b->nproblems;
	return x;
}

static void add_problem(batch *b, batch_rec *x, int col, int orphan,
			const char *reason, const csv_field *f)
{
	batch_problem *p;

	reserve((void **)&b->problems, &b->cap_problems, b->nproblems, 1,
		sizeof *b->problems);
	p = &b->problems[b->nproblems++];
	p->col = col;
	p->orphan = orphan;
	p->reason = reason;
	p->value = b->data.len;
	p->len = f->len;
	buf_append(&b->data, f->ptr, f->len);
	x->nproblems++;
}

static void add_reject(batch *b, const csv_record *r, const char *kind,
		       const char *reason)
{
	batch_rec *x = new_rec(b, r);

	x->reject = kind;
	x->reason = b->data.len;
	buf_append(&b->data, reason, strlen(reason) + 1);
	x->raw = b->data.len;
	x->raw_len = r->raw_len;
	buf_append(&b->data, r->raw, r->raw_len);
}

static int is_header(const batch_table *t, const csv_record *r)
{
	const char *p = r->fields[0].ptr;
	size_t n = r->fields[0].len;

	if (n && (*p == '_' || *p == ' '))
		p++, n--;
	return n == strlen(t->name[0]) && !memcmp(p, t->name[0], n);
}

/* Orphans are kept, and reported with their line. */
static void check_project(batch_reader *q, const batch_table *t, batch *b,
			  batch_rec *x, const csv_record *r)
{
	const val_cell *c = &b->cells[x->cell + (size_t)t->projectid_col];
	uint64_t h;

	if (c->type != VAL_TEXT)
		return;
	h = dc_hash64(b->data.data + c->v.off, c->len, 0);
	if (t->defines_projects)
		idset_add(&q->projects, h);
	else if (!idset_has(&q->projects, h))
		add_problem(b, x, t->projectid_col, 1,
			    "orphan: no project has this projectid",
			    &r->fields[t->projectid_col]);
}

static void add_row(batch_reader *q, const batch_table *t, batch *b,
		    const csv_record *r)
{
	batch_rec *x = new_rec(b, r);
	const char *why;

	reserve((void **)&b->cells, &b->cap_cells, b->ncells,
		(size_t)t->ncols, sizeof *b->cells);
	x->cell = b->ncells;
	b->ncells += (size_t)t->ncols;
	for (int i = 0; i < t->ncols; i++) {
		const csv_field *f = &r->fields[i];
		int rc = val_convert(t->kind[i], f->ptr, f->len,
				     &b->cells[x->cell + (size_t)i], &b->data,
				     &why);

		if (rc == VAL_BAD || rc == VAL_FIXED)
			add_problem(b, x, i, 0, why, f);
	}
	if (t->projectid_col >= 0)
		check_project(q, t, b, x, r);
	if (b->cells[x->cell].type == VAL_TEXT) {
		x->key_hash = dc_hash64(b->data.data + b->cells[x->cell].v.off,
			b->cells[x->cell].len, (uint64_t)(t - q->tables) + 1);
		x->maybe_dup = idfilter_add(&q->keys, x->key_hash);
	}
}

/* One record into b: skipped (a header, as the part's first record),
 * rejected, or a row. */
static void add_record(batch_reader *q, const batch_table *t, batch *b,
		       const csv_record *r, int first)
{
	char why[128];
	const char *id;
	size_t idlen;

	if (first && r->nfields > 0 && !r->error && is_header(t, r))
		return;
	if (r->error) {
		add_reject(b, r, "malformed", r->error);
	} else if ((int)r->nfields != t->ncols) {
		snprintf(why, sizeof why, "expected %d fields but found %zu",
			 t->ncols, r->nfields);
		add_reject(b, r, "field_count", why);
	} else if (val_id(r->fields[0].ptr, r->fields[0].len, &id, &idlen) !=
		   VAL_OK) {
		snprintf(why, sizeof why, "empty %s", t->name[0]);
		add_reject(b, r, "empty_key", why);
	} else {
		add_row(q, t, b, r);
	}
}

static int batch_full(const batch *b)
{
	return b->nrecs >= BATCH_RECORDS || b->data.len >= BATCH_BYTES;
}

/* ---- the queue ---- */

static batch *take_free(batch_reader *q, int file)
{
	batch *b;

	pthread_mutex_lock(&q->lock);
	while (!q->free_list && !q->cancel)
		pthread_cond_wait(&q->cond, &q->lock);
	b = q->cancel ? NULL : q->free_list;
	if (b)
		q->free_list = b->next;
	pthread_mutex_unlock(&q->lock);
	if (b)
		batch_reset(b, file);
	return b;
}

static void push_full(batch_reader *q, batch *b, uint64_t gz, uint64_t csv)
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

/* ---- the reader thread ---- */

/* The CSV reader's input: a part's inflated bytes, counted. */
typedef struct part_input {
	gzin *g;
	uint64_t *csv;         /* inflated bytes of all parts so far */
} part_input;

static ptrdiff_t read_gz(void *ctx, char *dst, size_t n)
{
	part_input *in = ctx;
	ptrdiff_t got = gzin_read(in->g, dst, n);

	if (got > 0)
		*in->csv += (uint64_t)got;
	return got;
}

static const char *gz_errmsg(void *ctx)
{
	return gzin_errmsg(((part_input *)ctx)->g);
}

/* Read one part into batches; 0, or -1 with q->err set (or cancelled). */
static int read_part(batch_reader *q, int file, uint64_t *gz_done,
		     uint64_t *csv)
{
	const dumpfile *f = &q->files->files[file];
	const batch_table *t = &q->tables[f->table];
	gzin *g = gzin_open(f->path, q->err);
	part_input in = { g, csv };
	csv_reader *r;
	csv_record rec;
	batch *b;
	int rc = 0, first = 1;

	if (!g)
		return -1;
	r = csv_open(read_gz, gz_errmsg, &in, f->name, MAX_RECORD);
	b = take_free(q, file);
	while (b && (rc = csv_next_record(r, &rec)) == 1) {
		add_record(q, t, b, &rec, first);
		first = 0;
		if (batch_full(b)) {
			push_full(q, b, *gz_done + gzin_bytes_in(g), *csv);
			b = take_free(q, file);
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
	batch_reader *q = arg;
	uint64_t gz = 0, csv = 0;

	for (int i = 0; i < q->files->n; i++)
		if (read_part(q, i, &gz, &csv) != 0)
			break;
	pthread_mutex_lock(&q->lock);
	q->done = 1;
	pthread_cond_broadcast(&q->cond);
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

static void reader_free(batch_reader *q)
{
	for (int i = 0; i < NBATCHES; i++) {
		buf_free(&q->slots[i].data);
		free(q->slots[i].cells);
		free(q->slots[i].recs);
		free(q->slots[i].problems);
	}
	idset_free(&q->projects);
	idfilter_free(&q->keys);
	pthread_cond_destroy(&q->cond);
	pthread_mutex_destroy(&q->lock);
	free(q);
}

/* About 10 rows come from each KB of gzip input: 16 bits a row keeps
 * the false "maybe" below 0.2%, within 32 MB for the full dump. */
static unsigned key_filter_bits(const dumpfiles *files)
{
	uint64_t gz = 0, want;
	unsigned log2 = 16;

	for (int i = 0; i < files->n; i++)
		gz += files->files[i].size;
	want = gz / 1024 * 10 * 16;
	while (log2 < 28 && ((uint64_t)1 << log2) < want)
		log2++;
	return log2;
}

batch_reader *batch_start(const dumpfiles *files, const batch_table *tables,
			  char *err)
{
	batch_reader *q = dc_calloc(1, sizeof *q);

	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->cond, NULL);
	q->files = files;
	q->tables = tables;
	idfilter_init(&q->keys, key_filter_bits(files));
	for (int i = 0; i < NBATCHES; i++) {
		q->slots[i].next = q->free_list;
		q->free_list = &q->slots[i];
	}
	if (pthread_create(&q->thread, NULL, reader_main, q) != 0) {
		reader_free(q);
		dc_seterr(err, "cannot start the reader thread");
		return NULL;
	}
	return q;
}

batch *batch_next(batch_reader *q, uint64_t *bytes_gz)
{
	batch *b;

	pthread_mutex_lock(&q->lock);
	while (!q->full_head && !q->done)
		pthread_cond_wait(&q->cond, &q->lock);
	b = q->full_head;
	if (b) {
		q->full_head = b->next;
		if (!q->full_head)
			q->full_tail = NULL;
	}
	*bytes_gz = q->bytes_gz;
	pthread_mutex_unlock(&q->lock);
	return b;
}

void batch_done(batch_reader *q, batch *b)
{
	pthread_mutex_lock(&q->lock);
	b->next = q->free_list;
	q->free_list = b;
	pthread_cond_broadcast(&q->cond);
	pthread_mutex_unlock(&q->lock);
}

void batch_cancel(batch_reader *q)
{
	pthread_mutex_lock(&q->lock);
	q->cancel = 1;
	pthread_cond_broadcast(&q->cond);
	pthread_mutex_unlock(&q->lock);
}

int batch_finish(batch_reader *q, uint64_t *bytes_gz, uint64_t *bytes_csv,
		 char *err)
{
	int rc = 0;

	batch_cancel(q);
	pthread_join(q->thread, NULL);
	*bytes_gz = q->bytes_gz;
	*bytes_csv = q->bytes_csv;
	if (q->err[0])
		rc = dc_seterr(err, "%s", q->err);
	reader_free(q);
	return rc;
}
