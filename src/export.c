/*
 * export.c - reader threads over shards of the documents (see export.h).
 *
 * Each thread owns its connections to the staging file (a reader over its
 * shard, a writer for the export state), its libcurl client and its
 * buffers.  It fills a batch (a bulk body, and where each item sits in it)
 * and either writes it (dry run) or sends it until every item is
 * acknowledged or refused: item 429s are sent again alone, whole-request
 * 429/5xx and network failures again whole, with exponential backoff and
 * jitter; a 413 splits the batch in halves.  As soon as a batch is settled
 * its outcome is committed to the staging file (sent, refusals), so an
 * interrupted export resumes with what the server had not acknowledged.
 */
#include "export.h"
#include "buf.h"
#include "bulk.h"
#include "dcstage.h"
#include "docs.h"
#include "esindex.h"
#include "progress.h"
#include "stage.h"
#include "target.h"

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BULK_PATH "/_bulk?filter_path=errors,items.*.status,items.*.error"
#define BACKOFF_FIRST_MS 100
#define BACKOFF_MAX_MS 30000

typedef struct shared {
	const export_options *o;
	const char *index;        /* the concrete index written to */
	int64_t target;           /* targets.id; 0 for a dry run */
	int64_t since;            /* the data version it was in sync with, or -1 */
	FILE *out;                /* dry run */
	pthread_mutex_t lock;     /* guards out */
	pthread_mutex_t state_lock; /* one export state writer at a time */
	atomic_uint_fast64_t docs, deletes, acked, refused, retries, splits,
		bytes;
	pthread_mutex_t run_lock; /* guards running */
	pthread_cond_t run_cond;  /* signalled as each worker ends */
	int running;
	atomic_int stop;
} shared;

enum outcome { PENDING, ACKED, REFUSED };

typedef struct item {
	size_t id, idlen;         /* in worker.ids */
	size_t off, len;          /* its lines in worker.body */
	int64_t dfp, pfp;
	int has_pfp, is_delete;
	enum outcome outcome;
	long status;              /* when refused: */
	size_t why;               /* "type\0reason\0" in worker.whys */
} item;

typedef struct worker {
	shared *sh;
	int no;
	docs_range range;
	es_client *es;
	sqlite3 *state;
	sqlite3_stmt *put_sent, *del_sent, *put_refusal;
	uint64_t rng;
	buf body, ids, resend, whys;
	item *items;
	size_t *pending;
	size_t nitems, cap_items;
	int failed;
	char err[DC_ERR_MAX];
} worker;

/* ---- batches ---- */

static item *batch_add(worker *w, const docs_doc *d)
{
	item *it;

	if (w->nitems == w->cap_items) {
		w->cap_items = w->cap_items ? 2 * w->cap_items : 1024;
		w->items = dc_realloc(w->items, w->cap_items * sizeof *w->items);
		w->pending = dc_realloc(w->pending,
					w->cap_items * sizeof *w->pending);
	}
	it = &w->items[w->nitems++];
	memset(it, 0, sizeof *it);
	it->id = w->ids.len;
	it->idlen = d->idlen;
	buf_append(&w->ids, d->id, d->idlen);
	it->dfp = d->dfp;
	it->pfp = d->pfp;
	it->has_pfp = d->has_pfp;
	it->is_delete = d->doc == NULL;
	it->off = w->body.len;
	if (it->is_delete)
		bulk_add_delete(&w->body, w->sh->index, d->id, d->idlen);
	else
		bulk_add_index(&w->body, w->sh->index, d->id, d->idlen,
			       d->doc, d->doclen, d->part, d->partlen);
	it->len = w->body.len - it->off;
	return it;
}

static void batch_clear(worker *w)
{
	buf_reset(&w->body);
	buf_reset(&w->ids);
	buf_reset(&w->whys);
	w->nitems = 0;
}

static void refuse(worker *w, item *it, long status, const char *type,
		   const char *reason)
{
	it->outcome = REFUSED;
	it->status = status;
	it->why = w->whys.len;
	buf_append(&w->whys, type ? type : "", strlen(type ? type : "") + 1);
	buf_append(&w->whys, reason ? reason : "",
		   strlen(reason ? reason : "") + 1);
	atomic_fetch_add(&w->sh->refused, 1);
}

/* ---- the export state ---- */

static int open_state(worker *w)
{
	const char *put_sent =
		"INSERT OR REPLACE INTO sent(target, id, dfp, pfp, refused) "
		"VALUES (?1, ?2, ?3, ?4, ?5)";
	const char *put_refusal =
		"INSERT OR REPLACE INTO refusals(target, id, status, type, "
		"reason, at) VALUES (?1, ?2, ?3, ?4, ?5, "
		"strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))";

	w->state = stage_open(w->sh->o->db_path, STAGE_READWRITE, w->err);
	/* In WAL mode, NORMAL keeps every commit through a crash of the
	 * process; an OS crash may lose the last few, whose documents are
	 * then sent again (index with a fixed _id is idempotent). */
	if (!w->state ||
	    stage_exec(w->state, "PRAGMA synchronous=NORMAL", w->err) != 0)
		return -1;
	w->put_sent = stage_prepare(w->state, put_sent, w->err);
	w->del_sent = stage_prepare(w->state, "DELETE FROM sent WHERE "
				    "target = ?1 AND id = ?2", w->err);
	w->put_refusal = stage_prepare(w->state, put_refusal, w->err);
	return w->put_sent && w->del_sent && w->put_refusal ? 0 : -1;
}

static int step_once(worker *w, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return dc_seterr(w->err, "cannot record the export state: %s",
				 sqlite3_errmsg(w->state));
	return 0;
}

static int save_item(worker *w, const item *it)
{
	const char *id = w->ids.data + it->id;
	sqlite3_stmt *st;

	if (it->is_delete) {
		st = w->del_sent;
		sqlite3_bind_int64(st, 1, w->sh->target);
		sqlite3_bind_text(st, 2, id, (int)it->idlen, SQLITE_STATIC);
		return step_once(w, st);
	}
	st = w->put_sent;
	sqlite3_bind_int64(st, 1, w->sh->target);
	sqlite3_bind_text(st, 2, id, (int)it->idlen, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, it->dfp);
	if (it->has_pfp)
		sqlite3_bind_int64(st, 4, it->pfp);
	else
		sqlite3_bind_null(st, 4);
	sqlite3_bind_int(st, 5, it->outcome == REFUSED);
	if (step_once(w, st) != 0)
		return -1;
	if (it->outcome != REFUSED)
		return 0;
	st = w->put_refusal;
	sqlite3_bind_int64(st, 1, w->sh->target);
	sqlite3_bind_text(st, 2, id, (int)it->idlen, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, it->status);
	sqlite3_bind_text(st, 4, w->whys.data + it->why, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, w->whys.data + it->why +
			  strlen(w->whys.data + it->why) + 1, -1, SQLITE_STATIC);
	return step_once(w, st);
}

/* Commit what the server settled in this batch, even when the batch as a
 * whole failed: acknowledged documents are then not sent again. */
static int save_batch(worker *w)
{
	int rc;

	if (!w->state)
		return 0;
	/* One writer at a time inside the process: waiting on SQLite's
	 * lock would sleep in steps of milliseconds. */
	pthread_mutex_lock(&w->sh->state_lock);
	rc = stage_exec(w->state, "BEGIN IMMEDIATE", w->err);
	for (size_t i = 0; rc == 0 && i < w->nitems; i++)
		if (w->items[i].outcome != PENDING)
			rc = save_item(w, &w->items[i]);
	if (rc == 0)
		rc = stage_exec(w->state, "COMMIT", w->err);
	else
		stage_exec(w->state, "ROLLBACK", NULL);
	pthread_mutex_unlock(&w->sh->state_lock);
	return rc;
}

/* ---- sending ---- */

static uint64_t next_random(worker *w)
{
	w->rng ^= w->rng << 13;
	w->rng ^= w->rng >> 7;
	w->rng ^= w->rng << 17;
	return w->rng;
}

/* Wait before attempt number `attempt` (1, 2, ...): exponential, capped,
 * with jitter so that threads do not retry in step. */
static void backoff(worker *w, int attempt)
{
	uint64_t ms = BACKOFF_FIRST_MS;
	struct timespec ts;

	for (int i = 1; i < attempt && ms < BACKOFF_MAX_MS; i++)
		ms *= 2;
	if (ms > BACKOFF_MAX_MS)
		ms = BACKOFF_MAX_MS;
	ms = ms / 2 + next_random(w) % (ms / 2 + 1);
	/* in steps of at most 100 ms, so that a stop is not kept waiting */
	while (ms > 0 && !atomic_load(&w->sh->stop)) {
		uint64_t step = ms < 100 ? ms : 100;

		ts.tv_sec = 0;
		ts.tv_nsec = (long)step * 1000000L;
		nanosleep(&ts, NULL);
		ms -= step;
	}
}

/* The body holding exactly the pending items. */
static const buf *pending_body(worker *w, const size_t *p, size_t np)
{
	if (np == w->nitems)
		return &w->body;
	buf_reset(&w->resend);
	for (size_t i = 0; i < np; i++)
		buf_append(&w->resend, w->body.data + w->items[p[i]].off,
			   w->items[p[i]].len);
	return &w->resend;
}

static void acknowledge(worker *w, item *it)
{
	it->outcome = ACKED;
	atomic_fetch_add(&w->sh->acked, 1);
}

/* Read the per-item results: settled items leave p, 429s and 5xx stay.
 * Returns the number still pending, or -1. */
static long read_items(worker *w, size_t *p, size_t np, const es_response *r)
{
	json_error_t jerr;
	json_t *root, *items;
	size_t left = 0;

	if (r->body.len >= 15 && !memcmp(r->body.data, "{\"errors\":false", 15)) {
		for (size_t i = 0; i < np; i++)
			acknowledge(w, &w->items[p[i]]);
		return 0;
	}
	root = json_loadb(r->body.data, r->body.len, 0, &jerr);
	items = json_object_get(root, "items");
	if (json_array_size(items) != np) {
		json_decref(root);
		return dc_seterr(w->err, "the bulk response has %zu items for "
				 "%zu sent", json_array_size(items), np);
	}
	for (size_t i = 0; i < np; i++) {
		json_t *res = json_object_iter_value(
			json_object_iter(json_array_get(items, i)));
		long status = (long)json_integer_value(json_object_get(res, "status"));
		json_t *e = json_object_get(res, "error");
		item *it = &w->items[p[i]];

		/* 404 on a delete: already gone, which is what was wanted. */
		if (status / 100 == 2 || (status == 404 && it->is_delete))
			acknowledge(w, it);
		else if (status == 429 || status >= 500)
			p[left++] = p[i];
		else
			refuse(w, it, status,
			       json_string_value(json_object_get(e, "type")),
			       json_string_value(json_object_get(e, "reason")));
	}
	json_decref(root);
	if (left)
		atomic_fetch_add(&w->sh->retries, left);
	return (long)left;
}

static int send_pending(worker *w, size_t *p, size_t np);

/* 413: the body is over the server's limit; halves go separately. */
static int split_and_send(worker *w, size_t *p, size_t np,
			  const es_response *r)
{
	size_t half = np / 2;

	if (np == 1) {
		char why[256];

		es_describe_error(r, why, sizeof why);
		refuse(w, &w->items[p[0]], r->status,
		       "request_entity_too_large", why);
		return 0;
	}
	atomic_fetch_add(&w->sh->splits, 1);
	return send_pending(w, p, half) || send_pending(w, p + half, np - half);
}

static int fatal_status(worker *w, const es_response *r)
{
	char why[DC_ERR_MAX / 2];

	es_describe_error(r, why, sizeof why);
	atomic_store(&w->sh->stop, 1);
	if (r->status == 401 || r->status == 403)
		return dc_seterr(w->err, "the cluster refused the credentials "
				 "(%s)", why);
	return dc_seterr(w->err, "bulk request failed: %s", why);
}

static int retryable(long status)
{
	return status == 429 || status == 502 || status == 503 ||
	       status == 504;
}

/* One request for the pending items.  Returns 1 to try again, 0 when all
 * are settled, -1 on a fatal error. */
static int send_once(worker *w, size_t *p, size_t *np, es_response *r)
{
	const buf *body = pending_body(w, p, *np);
	long left;

	if (es_request(w->es, "POST", BULK_PATH, body->data, body->len,
		       "application/x-ndjson", r) != 0 || retryable(r->status)) {
		atomic_fetch_add(&w->sh->retries, *np);
		return 1;
	}
	if (r->status == 413)
		return split_and_send(w, p, *np, r) ? -1 : 0;
	if (r->status != 200)
		return fatal_status(w, r);
	if ((left = read_items(w, p, *np, r)) < 0)
		return -1;
	*np = (size_t)left;
	return left > 0;
}

static int send_pending(worker *w, size_t *p, size_t np)
{
	es_response r = { 0 };
	int attempt = 0, rc;

	for (;;) {
		size_t before = np;

		if (atomic_load(&w->sh->stop)) {
			rc = dc_seterr(w->err, "stopped");
			break;
		}
		if ((rc = send_once(w, p, &np, &r)) <= 0)
			break;
		attempt = np < before ? 1 : attempt + 1; /* progress resets */
		if (attempt > w->sh->o->max_retries) {
			rc = r.status
				? dc_seterr(w->err, "gave up after %d retries: "
					    "the cluster kept answering %ld",
					    w->sh->o->max_retries, r.status)
				: dc_seterr(w->err, "gave up after %d retries: %s",
					    w->sh->o->max_retries,
					    es_errmsg(w->es));
			break;
		}
		backoff(w, attempt);
	}
	es_response_free(&r);
	return rc;
}

static int write_batch(worker *w)
{
	shared *sh = w->sh;
	int rc = 0;

	pthread_mutex_lock(&sh->lock);
	if (fwrite(w->body.data, 1, w->body.len, sh->out) != w->body.len)
		rc = dc_seterr(w->err, "cannot write '%s': %s",
			       sh->o->dry_run, strerror(errno));
	pthread_mutex_unlock(&sh->lock);
	return rc;
}

static int flush_batch(worker *w)
{
	int rc, saved;

	if (!w->nitems)
		return 0;
	atomic_fetch_add(&w->sh->bytes, w->body.len);
	if (w->sh->o->dry_run) {
		rc = write_batch(w);
	} else {
		for (size_t i = 0; i < w->nitems; i++)
			w->pending[i] = i;
		rc = send_pending(w, w->pending, w->nitems);
	}
	saved = save_batch(w);
	batch_clear(w);
	return rc ? rc : saved;
}

static int export_cursor(worker *w, docs_cursor *c)
{
	const export_options *o = w->sh->o;
	docs_doc d;
	int rc;

	if (!c)
		return -1;
	while ((rc = docs_next(c, &d)) == 1) {
		atomic_fetch_add(d.doc ? &w->sh->docs : &w->sh->deletes, 1);
		batch_add(w, &d);
		if (w->nitems < o->bulk_docs && w->body.len < o->bulk_bytes)
			continue;
		if (atomic_load(&w->sh->stop))
			rc = dc_seterr(w->err, "stopped");
		else
			rc = flush_batch(w);
		if (rc != 0)
			break;
	}
	if (rc < 0 && !w->err[0])
		snprintf(w->err, sizeof w->err, "%s", docs_errmsg(c));
	docs_close(c);
	return rc == 0 ? flush_batch(w) : -1;
}

static void *worker_main(void *arg)
{
	worker *w = arg;
	shared *sh = w->sh;
	const export_options *o = sh->o;

	w->failed = (sh->target && open_state(w) != 0) ||
		export_cursor(w, docs_open(o->db_path, w->range, sh->target,
					   sh->since, w->err)) != 0;
	if (w->failed)
		atomic_store(&sh->stop, 1);
	pthread_mutex_lock(&sh->run_lock);
	sh->running--;
	pthread_cond_signal(&sh->run_cond);
	pthread_mutex_unlock(&sh->run_lock);
	return NULL;
}

/* ---- the main thread ---- */

static int was_interrupted(const export_options *o)
{
	return o->interrupted && atomic_load(o->interrupted);
}

static int interrupted_error(char *err)
{
	return dc_seterr(err, "interrupted: the next export goes on from what "
			 "the server acknowledged");
}

/* n more workers running (fewer for n < 0). */
static void add_running(shared *sh, int n)
{
	pthread_mutex_lock(&sh->run_lock);
	sh->running += n;
	pthread_mutex_unlock(&sh->run_lock);
}

/* Wait up to ms for the workers to end: how many still run.  Woken as a
 * worker ends, so that an export ends when its last worker does, not at
 * the next progress tick. */
static int wait_workers(shared *sh, long ms)
{
	int n;

	pthread_mutex_lock(&sh->run_lock);
	if (sh->running > 0)
		dc_cond_wait_ms(&sh->run_cond, &sh->run_lock, ms);
	n = sh->running;
	pthread_mutex_unlock(&sh->run_lock);
	return n;
}

static void watch(shared *sh, uint64_t total)
{
	progress p;
	char extra[96];

	progress_start(&p, "exporting", "docs", total, sh->o->quiet);
	do {
		uint64_t docs = atomic_load(&sh->docs);
		double mb = (double)atomic_load(&sh->bytes) / 1e6;

		if (was_interrupted(sh->o))
			atomic_store(&sh->stop, 1);

		if (sh->o->dry_run)
			snprintf(extra, sizeof extra, "%.0f MB", mb);
		else
			snprintf(extra, sizeof extra, "%.0f MB, %llu retries, "
				 "%llu refused", mb, (unsigned long long)
				 atomic_load(&sh->retries), (unsigned long long)
				 atomic_load(&sh->refused));
		progress_update(&p, docs, docs, extra);
	} while (wait_workers(sh, 100) > 0);
	progress_end(&p);
}

static int run_workers(shared *sh, worker *w, uint64_t total, char *err)
{
	pthread_t tid[EXPORT_MAX_THREADS];
	int n = sh->o->threads, started = 0, rc = 0;

	add_running(sh, n);
	for (; started < n; started++) {
		if (pthread_create(&tid[started], NULL, worker_main,
				   &w[started]) != 0) {
			add_running(sh, started - n);
			atomic_store(&sh->stop, 1);
			rc = dc_seterr(err, "cannot start reader threads");
			break;
		}
	}
	watch(sh, total);
	for (int i = 0; i < started; i++) {
		pthread_join(tid[i], NULL);
		if (w[i].failed && rc == 0 && strcmp(w[i].err, "stopped"))
			rc = dc_seterr(err, "%s", w[i].err);
	}
	if (rc == 0 && atomic_load(&sh->stop))
		rc = was_interrupted(sh->o) ? interrupted_error(err)
					    : dc_seterr(err, "stopped");
	return rc;
}

static int init_workers(shared *sh, worker *w, const docs_range *ranges,
			char *err)
{
	const export_options *o = sh->o;

	memset(w, 0, sizeof *w * (size_t)o->threads);
	for (int i = 0; i < o->threads; i++) {
		w[i].sh = sh;
		w[i].no = i;
		w[i].range = ranges[i];
		w[i].rng = (0x9e3779b97f4a7c15ULL * (uint64_t)(i + 1)) ^
			   (uint64_t)time(NULL) ^ 1;
		if (!o->dry_run && !(w[i].es = es_client_new(&o->es, i, err)))
			return -1;
	}
	return 0;
}

static void free_workers(worker *w, int n)
{
	for (int i = 0; i < n; i++) {
		es_client_free(w[i].es);
		sqlite3_finalize(w[i].put_sent);
		sqlite3_finalize(w[i].del_sent);
		sqlite3_finalize(w[i].put_refusal);
		sqlite3_close(w[i].state);
		buf_free(&w[i].body);
		buf_free(&w[i].ids);
		buf_free(&w[i].resend);
		buf_free(&w[i].whys);
		free(w[i].items);
		free(w[i].pending);
	}
}

/* The shards, once the staging file is known to hold a dump. */
static int plan(const export_options *o, docs_range *ranges, char *err)
{
	sqlite3 *db = stage_open(o->db_path, STAGE_READONLY, err);
	int rc = 0;

	if (!db)
		return -1;
	docs_plan(o->shard_k, o->shard_n, o->threads, ranges);
	if (!stage_has_table(db, "documents"))
		rc = dc_seterr(err, "'%s' holds no staged dump: run 'dcstage "
			       "load' first", o->db_path);
	sqlite3_close(db);
	return rc;
}

/* How many documents the workers' shards hold, for the progress line of
 * an export that sends them all.  A rerun does not count: what it sends
 * is only known as it goes, and counting walks the whole donation index
 * (most of the time of a rerun that finds nothing to send). */
static int count_docs(const shared *sh, const worker *w, uint64_t *n,
		      char *err)
{
	sqlite3 *db = stage_open(sh->o->db_path, STAGE_READONLY, err);
	int64_t c = db ? docs_count(db, w[0].range,
				    w[sh->o->threads - 1].range, err) : -1;

	sqlite3_close(db);
	*n = c > 0 ? (uint64_t)c : 0;
	return c < 0 ? -1 : 0;
}

static int dry_run(shared *sh, worker *w, char *err)
{
	const export_options *o = sh->o;
	uint64_t total;
	int rc;

	if (count_docs(sh, w, &total, err) != 0)
		return -1;
	sh->out = strcmp(o->dry_run, "-") ? fopen(o->dry_run, "w") : stdout;
	if (!sh->out)
		return dc_seterr(err, "cannot open '%s': %s", o->dry_run,
				 strerror(errno));
	rc = run_workers(sh, w, total, err);
	if ((sh->out != stdout ? fclose(sh->out) : fflush(stdout)) != 0 &&
	    rc == 0)
		rc = dc_seterr(err, "cannot write '%s': %s", o->dry_run,
			       strerror(errno));
	return rc;
}

/* Which target, and whether it needs everything or only what changed.
 * Settings an export into this same index turned off and did not put
 * back are put back by this one. */
static int choose_target(const export_options *o, sqlite3 *db, esindex *ix,
			 target *t, export_summary *s, char *err)
{
	char refresh[sizeof ix->refresh], replicas[sizeof ix->replicas];
	int kept;

	if (target_open(db, o->es.urls[0], ix->name, t, err) != 0 ||
	    (kept = target_kept_settings(db, ix->uuid, refresh, replicas,
					 sizeof refresh, err)) < 0)
		return -1;
	if (kept > 0)
		esindex_restore_later(ix, refresh, replicas);
	s->full = o->full || ix->created || strcmp(t->uuid, ix->uuid) != 0;
	if (s->full && target_reset(db, t, ix->uuid, err) != 0)
		return -1;
	return 0;
}

/* Refresh off and no replicas for a full load, what to put back kept in
 * the staging file first, so that a killed export does not lose it.  Not
 * for one --shard slice: the slices run apart, from other staging files,
 * and could not agree on when to put the settings back. */
static int tune_index(const export_options *o, es_client *c, sqlite3 *db,
		      esindex *ix, char *err)
{
	if (o->shard_n)
		return 0;
	return target_keep_settings(db, ix->uuid, ix->refresh, ix->replicas,
				    err) != 0 ||
	       esindex_tune(c, ix, err) != 0 ? -1 : 0;
}

/* Settings back and the index refreshed.  The kept settings are forgotten
 * once they are back, even if the refresh then fails. */
static int finish_index(es_client *c, sqlite3 *db, esindex *ix, char *err)
{
	int restoring = ix->tuned;
	int rc = esindex_finish(c, ix, err);

	if (restoring && !ix->tuned &&
	    target_forget_settings(db, ix->uuid, rc == 0 ? err : NULL) != 0)
		rc = -1;
	return rc;
}

/* Index set-up, the workers, then settings back and the alias moved. */
static int to_cluster(shared *sh, worker *w, export_summary *s, char *err)
{
	const export_options *o = sh->o;
	es_client *c = es_client_new(&o->es, 0, err);
	sqlite3 *db = NULL;
	esindex ix;
	target t;
	char name[256], stamp[32];
	time_t now = time(NULL);
	int64_t version;
	uint64_t total = 0;     /* unknown for a rerun */
	int rc = -1;

	if (!c)
		return -1;
	strftime(stamp, sizeof stamp, "%Y%m%d%H%M%S", gmtime(&now));
	snprintf(name, sizeof name, "%s%s%s", o->alias ? o->alias : o->index,
		 o->alias ? "-" : "", o->alias ? stamp : "");
	db = stage_open(o->db_path, STAGE_READWRITE, err);
	/* The version first: an edit made while the projects are rebuilt
	 * moves it on, and so is seen by the next export. */
	if (!db || stage_exec(db, "PRAGMA journal_mode=WAL", err) != 0 ||
	    (version = stage_data_version(db, err)) < 0 ||
	    target_refresh_projects(db, err) != 0 ||
	    esindex_prepare(c, name, &ix, err) != 0 ||
	    choose_target(o, db, &ix, &t, s, err) != 0)
		goto out;
	snprintf(s->index, sizeof s->index, "%s", ix.name);
	sh->index = ix.name;
	sh->target = t.id;
	sh->since = t.synced ? t.synced_version : -1;
	s->up_to_date = !s->full && t.synced && t.synced_version == version;
	rc = 0;
	if (!s->up_to_date)
		rc = (s->full && (tune_index(o, c, db, &ix, err) != 0 ||
				  count_docs(sh, w, &total, err) != 0)) ||
		     run_workers(sh, w, total, err) ? -1 : 0;
	if ((!s->up_to_date || ix.tuned) &&
	    finish_index(c, db, &ix, rc == 0 ? err : NULL) != 0)
		rc = -1;
	if (s->up_to_date)
		goto out;
	if (target_finish(db, &t, version, rc != 0 ? TARGET_FAILED
			  : o->shard_n ? TARGET_PARTIAL : TARGET_COMPLETE,
			  rc == 0 ? err : NULL) != 0)
		rc = -1;
	/* an interrupt after the workers: the alias stays where it was */
	if (rc == 0 && was_interrupted(o))
		rc = interrupted_error(err);
	if (rc == 0 && o->alias)
		rc = esindex_swap_alias(c, o->alias, ix.name, err);
out:
	sqlite3_close(db);
	es_client_free(c);
	return rc;
}

static void fill_summary(shared *sh, export_summary *s, double t0)
{
	s->docs = atomic_load(&sh->docs);
	s->deletes = atomic_load(&sh->deletes);
	s->acked = atomic_load(&sh->acked);
	s->refused = atomic_load(&sh->refused);
	s->retries = atomic_load(&sh->retries);
	s->splits = atomic_load(&sh->splits);
	s->bytes = atomic_load(&sh->bytes);
	s->threads = sh->o->threads;
	s->seconds = dc_now() - t0;
	s->peak_rss = dc_peak_rss();
}

int export_run(const export_options *o, export_summary *s, char *err)
{
	docs_range ranges[EXPORT_MAX_THREADS];
	worker w[EXPORT_MAX_THREADS];
	shared sh = { .o = o, .index = o->index };
	double t0 = dc_now();
	int rc;

	memset(s, 0, sizeof *s);
	snprintf(s->index, sizeof s->index, "%s", o->index);
	if (plan(o, ranges, err) != 0)
		return -1;
	if (dc_cond_init(&sh.run_cond) != 0)
		return dc_seterr(err, "cannot start reader threads");
	pthread_mutex_init(&sh.lock, NULL);
	pthread_mutex_init(&sh.state_lock, NULL);
	pthread_mutex_init(&sh.run_lock, NULL);
	rc = init_workers(&sh, w, ranges, err);
	if (rc == 0)
		rc = o->dry_run ? dry_run(&sh, w, err)
				: to_cluster(&sh, w, s, err);
	if (rc == 0 && was_interrupted(o))
		rc = interrupted_error(err); /* it asked to stop: say so */
	free_workers(w, o->threads);
	pthread_mutex_destroy(&sh.lock);
	pthread_mutex_destroy(&sh.state_lock);
	pthread_mutex_destroy(&sh.run_lock);
	pthread_cond_destroy(&sh.run_cond);
	fill_summary(&sh, s, t0);
	return rc;
}
