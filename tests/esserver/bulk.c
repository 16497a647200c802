/*
 * bulk.c - the _bulk endpoint and the single-document writes: parsing and
 * validating NDJSON bodies, injecting faults, applying items to the store,
 * and answering in Elasticsearch's shape (with filter_path).
 *
 * A bulk request goes through four steps: the whole-request fault draw;
 * parsing every action line (any malformed one fails the request with 400,
 * as Elasticsearch does); resolving the distinct index names, creating the
 * missing ones; then, under the store's read lock, each item's fault draw,
 * mapping check and store change, and the response.
 */
#include "filter.h"
#include "jscan.h"
#include "server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum bact { BA_INDEX, BA_CREATE, BA_UPDATE, BA_DELETE, BA_COUNT };

static const char *const act_names[BA_COUNT] = {
	"index", "create", "update", "delete"
};

/* Action metadata that is accepted and has no effect here. */
static const char *const ignored_params[] = {
	"routing", "version", "version_type", "pipeline", "require_alias",
	"require_data_stream", "dynamic_templates", "list_executed_pipelines",
	"retry_on_conflict", "_source", NULL
};

struct bitem {
	enum bact act;
	int name;		/* index into bulk.names, -1: none */
	const char *id;		/* into the body, or own_id */
	size_t idlen;
	char *own_id;
	const char *src;	/* into the body */
	size_t srclen;
	int64_t if_seq_no, if_primary_term;
	int status;
	const char *result;
	int64_t version, seq_no;
	char *error;		/* the item's error object, JSON text */
};

struct bname {
	char *name;
	struct esindex *ix;	/* valid under the store's read lock */
	struct es_fail fail;	/* when ix is NULL */
};

struct bulk {
	struct server *srv;
	struct bitem *items;
	size_t n, cap;
	struct bname *names;
	size_t nnames;
	int path_name;		/* the index in the URL, -1: none */
	struct frng rng;
	int faults;		/* draw item faults */
	struct mcheck *check;
};

/* ---- small helpers ---- */

static int intern(struct bulk *b, const char *p, size_t len, int esc)
{
	struct jspan sp = { p, len, esc };
	char *s = xmalloc(len + 1);
	size_t i, n = js_unescape(&sp, s);

	s[n] = '\0';
	for (i = 0; i < b->nnames; i++) {
		if (!strcmp(b->names[i].name, s)) {
			free(s);
			return (int)i;
		}
	}
	b->names = xrealloc(b->names, (b->nnames + 1) * sizeof *b->names);
	memset(&b->names[b->nnames], 0, sizeof *b->names);
	b->names[b->nnames].name = s;
	return (int)b->nnames++;
}

static void bulk_free(struct bulk *b)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		free(b->items[i].own_id);
		free(b->items[i].error);
	}
	for (i = 0; i < b->nnames; i++)
		free(b->names[i].name);
	free(b->items);
	free(b->names);
	mcheck_free(b->check);
}

static struct bitem *new_item(struct bulk *b)
{
	struct bitem *it;

	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 64;
		b->items = xrealloc(b->items, b->cap * sizeof *b->items);
	}
	it = &b->items[b->n++];
	memset(it, 0, sizeof *it);
	it->name = b->path_name;
	it->if_seq_no = it->if_primary_term = -1;
	return it;
}


static int syntax(struct es_fail *f, const struct jscan *s, long line)
{
	return es_fail_set(f, 400, "x_content_parse_exception", "[%ld:%ld] %s", line,
		   js_column(s), js_message(s));
}

static const char *token_name(enum jtype t)
{
	switch (t) {
	case JT_OBJECT: return "START_OBJECT";
	case JT_ARRAY: return "START_ARRAY";
	case JT_STRING: return "VALUE_STRING";
	case JT_NUMBER: return "VALUE_NUMBER";
	case JT_TRUE: return "VALUE_TRUE";
	case JT_FALSE: return "VALUE_FALSE";
	case JT_NULL: return "VALUE_NULL";
	default: return "null";
	}
}

static int key_is(const struct jspan *k, const char *s)
{
	return k->len == strlen(s) && !memcmp(k->p, s, k->len);
}

/* ---- parsing ---- */

static int parse_int_param(struct jscan *s, const struct jspan *key,
			   int64_t *out, long line, struct es_fail *f)
{
	struct jnum num;

	if (js_peek(s) != JT_NUMBER)
		return es_fail_set(f, 400, "illegal_argument_exception",
			   "Malformed action/metadata line [%ld], expected a simple value for field [%.*s] but found [%s]",
			   line, (int)key->len, key->p, token_name(js_peek(s)));
	if (js_number(s, &num) != 0)
		return syntax(f, s, line);
	*out = strtoll(num.p, NULL, 10);
	return 0;
}

static int parse_meta(struct bulk *b, struct jscan *s, struct bitem *it,
		      long line, struct es_fail *f)
{
	struct jspan key, sv;
	struct jnum num;
	int first = 1, r;
	size_t i;

	while ((r = js_obj_next(s, &first, &key)) > 0) {
		enum jtype t = js_peek(s);

		if (key_is(&key, "_index") || key_is(&key, "_id")) {
			if (t != JT_STRING && t != JT_NUMBER)
				return es_fail_set(f, 400, "illegal_argument_exception",
					   "Malformed action/metadata line [%ld], expected a simple value for field [%.*s] but found [%s]",
					   line, (int)key.len, key.p,
					   t == JT_BAD ? "null" : token_name(t));
			if (t == JT_STRING ? js_string(s, &sv) != 0
			    : js_number(s, &num) != 0)
				return syntax(f, s, line);
			if (t == JT_NUMBER) {
				sv.p = num.p;
				sv.len = num.len;
				sv.esc = 0;
			}
			if (key.p[1] == 'i' && key.p[2] == 'n') {
				it->name = intern(b, sv.p, sv.len, sv.esc);
			} else if (sv.esc) {
				it->own_id = xmalloc(sv.len + 1);
				it->idlen = js_unescape(&sv, it->own_id);
				it->id = it->own_id;
			} else {
				it->id = sv.p;
				it->idlen = sv.len;
			}
			if (it->id && it->idlen == 0)
				return es_fail_set(f, 400, "action_request_validation_exception",
					   "Validation Failed: 1: if _id is specified it must not be empty;");
			continue;
		}
		if (key_is(&key, "if_seq_no")) {
			if (parse_int_param(s, &key, &it->if_seq_no, line, f))
				return -1;
			continue;
		}
		if (key_is(&key, "if_primary_term")) {
			if (parse_int_param(s, &key, &it->if_primary_term, line,
					    f))
				return -1;
			continue;
		}
		for (i = 0; ignored_params[i]; i++)
			if (key_is(&key, ignored_params[i]))
				break;
		if (!ignored_params[i])
			return es_fail_set(f, 400, "illegal_argument_exception",
				   "Action/metadata line [%ld] contains an unknown parameter [%.*s]",
				   line, (int)key.len, key.p);
		if (js_skip(s) != 0)
			return syntax(f, s, line);
	}
	return r < 0 ? syntax(f, s, line) : 0;
}

static int parse_action(struct bulk *b, const char *p, size_t n, long line,
			struct es_fail *f)
{
	struct jscan s;
	struct jspan key;
	struct bitem *it;
	enum jtype t;
	int first = 1, r, a;

	js_init(&s, p, n);
	t = js_peek(&s);
	if (t == JT_BAD)
		return syntax(f, &s, line);
	if (t != JT_OBJECT)
		return es_fail_set(f, 400, "illegal_argument_exception",
			   "Malformed action/metadata line [%ld], expected START_OBJECT or END_OBJECT but found [%s]",
			   line, token_name(t));
	if (js_obj_begin(&s) != 0 || (r = js_obj_next(&s, &first, &key)) < 0)
		return syntax(f, &s, line);
	if (r == 0)
		return es_fail_set(f, 400, "illegal_argument_exception",
			   "Malformed action/metadata line [%ld], expected FIELD_NAME but found [END_OBJECT]",
			   line);
	for (a = 0; a < BA_COUNT; a++)
		if (key_is(&key, act_names[a]))
			break;
	if (a == BA_COUNT)
		return es_fail_set(f, 400, "illegal_argument_exception",
			   "Malformed action/metadata line [%ld], expected field [create], [delete], [index] or [update] but found [%.*s]",
			   line, (int)key.len, key.p);
	t = js_peek(&s);
	if (t != JT_OBJECT)
		return t == JT_BAD ? syntax(f, &s, line)
			: es_fail_set(f, 400, "illegal_argument_exception",
			      "Malformed action/metadata line [%ld], expected START_OBJECT but found [%s]",
			      line, token_name(t));
	it = new_item(b);
	it->act = (enum bact)a;
	if (js_obj_begin(&s) != 0 || parse_meta(b, &s, it, line, f) != 0)
		return f->type ? -1 : syntax(f, &s, line);
	if ((r = js_obj_next(&s, &first, &key)) < 0)
		return syntax(f, &s, line);
	if (r > 0)
		return es_fail_set(f, 400, "illegal_argument_exception",
			   "Malformed action/metadata line [%ld], expected END_OBJECT but found [FIELD_NAME]",
			   line);
	if (js_finish(&s) != 0)
		return syntax(f, &s, line);
	if (it->name < 0)
		return es_fail_set(f, 400, "action_request_validation_exception",
			   "Validation Failed: 1: index is missing;");
	if (!it->id && it->act == BA_DELETE)
		return es_fail_set(f, 400, "action_request_validation_exception",
			   "Validation Failed: 1: id is missing;");
	return 0;
}

static int blank(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return 0;
	return 1;
}

/* Split the body into items; 0, or -1 with the whole request's error. */
static int parse_body(struct bulk *b, const char *body, size_t len,
		      struct es_fail *f)
{
	const char *p = body, *end = body + len, *nl;
	long line = 0;
	struct bitem *it;

	if (len > 0 && body[len - 1] != '\n')
		return es_fail_set(f, 400, "illegal_argument_exception",
			   "The bulk request must be terminated by a newline [\\n]");
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		line++;
		if (blank(p, (size_t)(nl - p))) {
			p = nl + 1;
			continue;
		}
		if (parse_action(b, p, (size_t)(nl - p), line, f) != 0)
			return -1;
		p = nl + 1;
		it = &b->items[b->n - 1];
		if (it->act == BA_DELETE)
			continue;
		nl = p < end ? memchr(p, '\n', (size_t)(end - p)) : NULL;
		if (!nl || blank(p, (size_t)(nl - p)))
			return es_fail_set(f, 400, "action_request_validation_exception",
				   "Validation Failed: 1: source is missing;");
		line++;
		it->src = p;
		it->srclen = (size_t)(nl - p);
		p = nl + 1;
	}
	if (b->n == 0)
		return es_fail_set(f, 400, "action_request_validation_exception",
			   "Validation Failed: 1: no requests added;");
	return 0;
}

/* ---- indices ---- */

/* Resolve every name, creating missing indices; returns with the store's
 * read lock held. */
static void resolve_names(struct bulk *b)
{
	struct store *st = b->srv->store;
	struct es_fail f;
	size_t i;
	int round;

	for (round = 0;; round++) {
		size_t missing = 0;

		store_rdlock(st);
		for (i = 0; i < b->nnames; i++) {
			struct bname *nm = &b->names[i];

			memset(&nm->fail, 0, sizeof nm->fail);
			nm->ix = store_write_index(st, nm->name, &nm->fail);
			if (!nm->ix && nm->fail.status == 404 &&
			    store_check_name(nm->name, &nm->fail) == 0) {
				nm->fail.status = 404;
				missing++;
			}
		}
		if (!missing || round == 5)
			return;
		store_unlock(st);
		store_wrlock(st);
		for (i = 0; i < b->nnames; i++)
			if (!b->names[i].ix && b->names[i].fail.status == 404 &&
			    !store_index(st, b->names[i].name) &&
			    !store_is_alias(st, b->names[i].name))
				store_create(st, b->names[i].name, NULL, NULL, &f);
		store_unlock(st);
	}
}

/* ---- applying ---- */

static void item_error(struct bitem *it, int status, const char *type,
		       const char *reason, const char *extra)
{
	struct sbuf e = SBUF_INIT;

	es_error_obj(&e, type, reason, extra);
	it->status = status;
	it->error = sb_detach(&e);
}

static void index_extra(struct sbuf *x, const char *uuid, const char *index)
{
	sb_puts(x, ",\"index_uuid\":");
	sb_json_str(x, uuid, strlen(uuid));
	sb_puts(x, ",\"shard\":\"0\",\"index\":");
	sb_json_str(x, index, strlen(index));
}

static void conflict(struct bitem *it, const struct esindex *ix,
		     const struct doc_result *r)
{
	struct sbuf reason = SBUF_INIT, x = SBUF_INIT;

	sb_putc(&reason, '[');
	sb_add(&reason, it->id, it->idlen);
	if (it->if_seq_no >= 0 && r->cur_seq_no < 0)
		sb_printf(&reason, "]: version conflict, document does not exist (expected [%lld])",
			  (long long)it->if_seq_no);
	else if (it->if_seq_no >= 0)
		sb_printf(&reason, "]: version conflict, required seqNo [%lld], primary term [%lld]. current document has seqNo [%lld] and primary term [1]",
			  (long long)it->if_seq_no,
			  (long long)it->if_primary_term,
			  (long long)r->cur_seq_no);
	else
		sb_printf(&reason, "]: version conflict, document already exists (current version [%lld])",
			  (long long)r->cur_version);
	index_extra(&x, ix->uuid, ix->name);
	item_error(it, 409, "version_conflict_engine_exception", reason.data,
		   x.data);
	sb_free(&reason);
	sb_free(&x);
}

static void reject_429(struct bitem *it, uint64_t max_bytes)
{
	char reason[300];

	snprintf(reason, sizeof reason,
		 "rejected execution of coordinating operation [coordinating_and_primary_bytes=0, replica_bytes=0, all_bytes=0, coordinating_operation_bytes=%zu, max_coordinating_and_primary_bytes=%llu]",
		 it->srclen, (unsigned long long)(max_bytes / 10));
	item_error(it, 429, "es_rejected_execution_exception", reason, NULL);
}

static void name_error(struct bitem *it, const struct bname *nm)
{
	struct sbuf x = SBUF_INIT;

	if (!strcmp(nm->fail.type, "index_not_found_exception")) {
		sb_puts(&x, ",\"resource.type\":\"index_or_alias\",\"resource.id\":");
		sb_json_str(&x, nm->name, strlen(nm->name));
	}
	index_extra(&x, "_na_", nm->name);
	item_error(it, nm->fail.status, nm->fail.type, nm->fail.reason, x.data);
	sb_free(&x);
}

static void generate_id(struct bitem *it)
{
	it->own_id = xmalloc(21);
	util_random_id(it->own_id, 20);
	it->id = it->own_id;
	it->idlen = 20;
}

static void apply_item(struct bulk *b, struct bitem *it)
{
	struct server *srv = b->srv;
	struct bname *nm = &b->names[it->name];
	struct esindex *ix = nm->ix;
	struct doc_result r;
	struct sbuf err = SBUF_INIT;

	if (!ix) {
		name_error(it, nm);
		return;
	}
	if (it->idlen > 512) {
		struct sbuf reason = SBUF_INIT;

		sb_puts(&reason, "id [");
		sb_add(&reason, it->id, 40);
		sb_printf(&reason, "...] is too long, must be no longer than 512 bytes but was: %zu",
			  it->idlen);
		item_error(it, 400, "illegal_argument_exception", reason.data,
			   NULL);
		sb_free(&reason);
		return;
	}
	if (b->faults && fault_item(&srv->cfg.faults, &b->rng)) {
		count(&srv->stats.item_429, 1);
		reject_429(it, srv->cfg.max_bytes);
		return;
	}
	if (it->act == BA_UPDATE) {
		item_error(it, 400, "illegal_argument_exception",
			   "update actions are not supported by esserver", NULL);
		return;
	}
	if (it->act == BA_DELETE) {
		store_remove(ix, it->id, it->idlen, it->if_seq_no,
			     it->if_primary_term, &r);
	} else {
		if (!it->id)
			generate_id(it);
		if (!srv->cfg.no_validate &&
		    mapping_check(b->check, ix->mapping, it->src, it->srclen,
				  it->id, it->idlen, &err) != 0) {
			it->status = 400;
			it->error = sb_detach(&err);
			return;
		}
		store_put(srv->store, ix, it->id, it->idlen, it->src,
			  it->srclen, it->act == BA_CREATE, it->if_seq_no,
			  it->if_primary_term, &r);
	}
	if (r.status == 409) {
		conflict(it, ix, &r);
		return;
	}
	it->status = r.status;
	it->result = r.result;
	it->version = r.version;
	it->seq_no = r.seq_no;
}

static void tally(struct server *srv, const struct bitem *it)
{
	if (it->status == 200 || it->status == 201)
		count(&srv->stats.items_applied, 1);
	else if (it->status == 404 && !it->error)
		count(&srv->stats.not_found, 1);
	else if (it->status == 409)
		count(&srv->stats.conflicts, 1);
	else if (it->status == 400)
		count(&srv->stats.refused, 1);
}

static void apply_all(struct bulk *b)
{
	size_t i;

	b->check = mcheck_new();
	for (i = 0; i < b->n; i++) {
		apply_item(b, &b->items[i]);
		tally(b->srv, &b->items[i]);
	}
}

static void refresh_touched(struct req *r, struct bulk *b)
{
	const char *v = req_arg(r, "refresh");
	size_t i;

	if (!v || !strcmp(v, "false"))
		return;
	for (i = 0; i < b->nnames; i++)
		if (b->names[i].ix)
			store_refresh(b->names[i].ix);
}

/* ---- answering ---- */

enum { K_INDEX, K_ID, K_VERSION, K_RESULT, K_SHARDS, K_SEQ_NO, K_TERM,
       K_STATUS, K_ERROR, K_COUNT };

static const char *const key_names[K_COUNT] = {
	"_index", "_id", "_version", "result", "_shards", "_seq_no",
	"_primary_term", "status", "error"
};

struct shape {
	const struct fpath *fp;
	int top[3];			/* took, errors, items */
	int act[BA_COUNT];
	int key[BA_COUNT][K_COUNT];
};

static void shape_init(struct shape *sh, const struct fpath *fp)
{
	const char *path[3] = { "items", NULL, NULL };
	static const char *const tops[3] = { "took", "errors", "items" };
	int a, k;

	sh->fp = fp;
	for (k = 0; k < 3; k++)
		sh->top[k] = fpath_match(fp, &tops[k], 1);
	for (a = 0; a < BA_COUNT; a++) {
		path[1] = act_names[a];
		sh->act[a] = fpath_match(fp, path, 2);
		for (k = 0; k < K_COUNT; k++) {
			path[2] = key_names[k];
			sh->key[a][k] = fpath_match(fp, path, 3);
		}
	}
}

/* Write "key":value where value is JSON text, filtered when only part of
 * it is wanted; returns 1 when something was written. */
static int put_json(struct sbuf *b, const struct shape *sh, int a, int k,
		    const char *text, int *n)
{
	const char *path[FP_MAX_DEPTH] = { "items", act_names[a], key_names[k] };
	json_t *v, *kept;
	char *s;

	if (sh->key[a][k] == FP_NONE)
		return 0;
	if (sh->key[a][k] == FP_ALL) {
		if ((*n)++)
			sb_putc(b, ',');
		sb_key(b, key_names[k]);
		sb_puts(b, text);
		return 1;
	}
	v = json_loads(text, 0, NULL);
	kept = v ? fpath_filter(sh->fp, v, path, 3) : NULL;
	json_decref(v);
	if (!kept)
		return 0;
	s = json_dumps(kept, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(kept);
	if ((*n)++)
		sb_putc(b, ',');
	sb_key(b, key_names[k]);
	sb_puts(b, s);
	free(s);
	return 1;
}

static int want(const struct shape *sh, int a, int k, int *n, struct sbuf *b)
{
	if (sh->key[a][k] != FP_ALL)
		return 0;
	if ((*n)++)
		sb_putc(b, ',');
	sb_key(b, key_names[k]);
	return 1;
}

static void item_body(struct sbuf *b, const struct shape *sh,
		      const struct bulk *bk, const struct bitem *it,
		      int shards, int *n)
{
	const struct bname *nm = it->name >= 0 ? &bk->names[it->name] : NULL;
	const char *index = nm && nm->ix ? nm->ix->name : nm ? nm->name : "";
	int a = (int)it->act;

	if (want(sh, a, K_INDEX, n, b))
		sb_json_str(b, index, strlen(index));
	if (want(sh, a, K_ID, n, b)) {
		if (it->id)
			sb_json_str(b, it->id, it->idlen);
		else
			sb_puts(b, "null");
	}
	if (!it->error) {
		char text[96];

		if (want(sh, a, K_VERSION, n, b))
			sb_int(b, it->version);
		if (want(sh, a, K_RESULT, n, b))
			sb_json_str(b, it->result, strlen(it->result));
		snprintf(text, sizeof text,
			 "{\"total\":%d,\"successful\":1,\"failed\":0}", shards);
		put_json(b, sh, a, K_SHARDS, text, n);
		if (want(sh, a, K_SEQ_NO, n, b))
			sb_int(b, it->seq_no);
		if (want(sh, a, K_TERM, n, b))
			sb_puts(b, "1");
	}
	if (want(sh, a, K_STATUS, n, b))
		sb_int(b, it->status);
	if (it->error)
		put_json(b, sh, a, K_ERROR, it->error, n);
}

static int shards_total(const struct esindex *ix)
{
	const char *r = ix ? json_string_value(json_object_get(ix->settings,
			"number_of_replicas")) : NULL;

	return 1 + (r ? atoi(r) : 1);
}

static void write_items(struct sbuf *b, const struct shape *sh,
			const struct bulk *bk, int *ntop)
{
	size_t mark = b->len, i, written = 0;

	if ((*ntop)++)
		sb_putc(b, ',');
	sb_puts(b, "\"items\":[");
	for (i = 0; i < bk->n; i++) {
		const struct bitem *it = &bk->items[i];
		size_t item_mark = b->len;
		int n;

		if (sh->act[it->act] == FP_NONE)
			continue;
		if (written)
			sb_putc(b, ',');
		sb_puts(b, "{\"");
		sb_puts(b, act_names[it->act]);
		sb_puts(b, "\":{");
		n = 0;
		item_body(b, sh, bk, it,
			  shards_total(it->name >= 0 ? bk->names[it->name].ix
				       : NULL), &n);
		if (n == 0) {
			b->len = item_mark;
			b->data[b->len] = '\0';
			continue;
		}
		sb_puts(b, "}}");
		written++;
	}
	if (written) {
		sb_putc(b, ']');
		return;
	}
	b->len = mark;
	b->data[b->len] = '\0';
	(*ntop)--;
}

static void write_response(struct sbuf *b, const struct bulk *bk,
			   const struct fpath *fp, long took)
{
	struct shape sh;
	size_t i;
	int errors = 0, n = 0;

	shape_init(&sh, fp);
	for (i = 0; i < bk->n && !errors; i++)
		errors = bk->items[i].error != NULL;
	sb_grow(b, bk->n * 200 + 64);
	sb_putc(b, '{');
	if (sh.top[0] == FP_ALL) {
		sb_puts(b, "\"took\":");
		sb_int(b, took);
		n++;
	}
	if (sh.top[1] == FP_ALL) {
		sb_puts(b, n++ ? ",\"errors\":" : "\"errors\":");
		sb_puts(b, errors ? "true" : "false");
	}
	if (sh.top[2] != FP_NONE)
		write_items(b, &sh, bk, &n);
	sb_putc(b, '}');
}

/* ---- the endpoints ---- */

static void request_fault(struct req *r, struct reply *rep, enum req_fault rf,
			  const char *index)
{
	struct server *srv = r->srv;
	char reason[400];

	if (rf == RF_429) {
		count(&srv->stats.request_429, 1);
		snprintf(reason, sizeof reason,
			 "rejected execution of coordinating operation [coordinating_and_primary_bytes=%llu, replica_bytes=0, all_bytes=%llu, coordinating_operation_bytes=%zu, max_coordinating_and_primary_bytes=%llu]",
			 (unsigned long long)(srv->cfg.max_bytes / 10),
			 (unsigned long long)(srv->cfg.max_bytes / 10), r->len,
			 (unsigned long long)(srv->cfg.max_bytes / 10));
		reply_error(rep, 429, "es_rejected_execution_exception", reason,
			    NULL);
	} else {
		count(&srv->stats.request_503, 1);
		snprintf(reason, sizeof reason,
			 "[%s][0] primary shard is not active Timeout: [1m], request: [BulkShardRequest [[%s][0]]]",
			 index ? index : "_bulk", index ? index : "_bulk");
		reply_error(rep, 503, "unavailable_shards_exception", reason,
			    NULL);
	}
}

void bulk_handle(struct req *r, struct reply *rep, const char *index)
{
	struct server *srv = r->srv;
	struct bulk b = { .srv = srv, .path_name = -1 };
	struct fpath *fp;
	struct es_fail f = { 0 };
	enum req_fault rf;
	double start = util_mono();

	count(&srv->stats.bulk_requests, 1);
	fault_rng(&b.rng, srv->cfg.seed,
		  atomic_fetch_add(&srv->bulk_seq, 1));
	b.faults = 1;
	rf = fault_request(&srv->cfg.faults, &b.rng);
	if (rf == RF_DROP_BEFORE) {
		count(&srv->stats.drop_before, 1);
		rep->drop = 1;
		return;
	}
	if (index)
		b.path_name = intern(&b, index, strlen(index), 0);
	if (rf == RF_429 || rf == RF_503) {
		request_fault(r, rep, rf, index);
		bulk_free(&b);
		return;
	}
	if (parse_body(&b, r->body, r->len, &f) != 0) {
		reply_fail(rep, &f, NULL);
		bulk_free(&b);
		return;
	}
	count(&srv->stats.items, b.n);
	resolve_names(&b);
	apply_all(&b);
	if (rf == RF_DROP_AFTER) {
		store_unlock(srv->store);
		count(&srv->stats.drop_after, 1);
		rep->drop = 1;
		bulk_free(&b);
		return;
	}
	refresh_touched(r, &b);
	fp = fpath_new(req_arg(r, "filter_path"));
	rep->status = 200;
	write_response(&rep->body, &b, fp,
		       (long)((util_mono() - start) * 1000));
	store_unlock(srv->store);
	fpath_free(fp);
	bulk_free(&b);
}

/* The single-document answer: the item's fields, or its error. */
static void doc_reply(struct reply *rep, const struct bulk *b)
{
	const struct bitem *it = &b->items[0];
	const struct bname *nm = &b->names[it->name];

	if (it->error) {
		json_t *e = json_loads(it->error, 0, NULL);
		char *s = json_dumps(e, JSON_COMPACT | JSON_PRESERVE_ORDER);

		rep->status = it->status;
		sb_puts(&rep->body, "{\"error\":{\"root_cause\":[");
		sb_puts(&rep->body, s);
		sb_puts(&rep->body, "],");
		sb_add(&rep->body, s + 1, strlen(s) - 1);
		sb_printf(&rep->body, ",\"status\":%d}", it->status);
		free(s);
		json_decref(e);
		return;
	}
	rep->status = it->status;
	sb_puts(&rep->body, "{\"_index\":");
	sb_json_str(&rep->body, nm->ix->name, strlen(nm->ix->name));
	sb_puts(&rep->body, ",\"_id\":");
	sb_json_str(&rep->body, it->id, it->idlen);
	sb_printf(&rep->body, ",\"_version\":%lld,\"result\":\"%s\",\"_shards\":{\"total\":%d,\"successful\":1,\"failed\":0},\"_seq_no\":%lld,\"_primary_term\":1}",
		  (long long)it->version, it->result, shards_total(nm->ix),
		  (long long)it->seq_no);
}

static void doc_op(struct req *r, struct reply *rep, struct bulk *b)
{
	struct server *srv = r->srv;

	count(&srv->stats.items, 1);
	resolve_names(b);
	apply_all(b);
	refresh_touched(r, b);
	doc_reply(rep, b);
	store_unlock(srv->store);
	bulk_free(b);
}

void bulk_doc_write(struct req *r, struct reply *rep, const char *index,
		    const char *id, int create)
{
	struct bulk b = { .srv = r->srv, .path_name = -1 };
	struct bitem *it;
	const char *src = r->body;
	size_t n = r->len;
	char *compact = NULL;
	json_t *v;

	while (n > 0 && (src[n - 1] == '\n' || src[n - 1] == '\r' ||
			 src[n - 1] == ' ' || src[n - 1] == '\t'))
		n--;
	if (n == 0) {
		reply_error(rep, 400, "action_request_validation_exception",
			    "Validation Failed: 1: source is missing;", NULL);
		return;
	}
	/* a pretty-printed body is kept on one line, as bulk sources are */
	if (memchr(src, '\n', n) &&
	    (v = json_loadb(src, n, JSON_DECODE_ANY, NULL))) {
		compact = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER |
				     JSON_ENCODE_ANY);
		json_decref(v);
		src = compact;
		n = strlen(compact);
	}
	b.path_name = intern(&b, index, strlen(index), 0);
	it = new_item(&b);
	it->act = create ? BA_CREATE : BA_INDEX;
	if (id) {
		it->id = id;
		it->idlen = strlen(id);
	}
	it->src = src;
	it->srclen = n;
	doc_op(r, rep, &b);
	free(compact);
}

void bulk_doc_delete(struct req *r, struct reply *rep, const char *index,
		     const char *id)
{
	struct bulk b = { .srv = r->srv, .path_name = -1 };
	struct bitem *it;
	struct esindex *ix;

	store_rdlock(r->srv->store);
	ix = store_index(r->srv->store, index);
	if (!ix && !store_is_alias(r->srv->store, index)) {
		struct es_fail f;

		store_unlock(r->srv->store);
		snprintf(f.reason, sizeof f.reason, "no such index [%s]", index);
		f.status = 404;
		f.type = "index_not_found_exception";
		reply_fail(rep, &f, index);
		return;
	}
	store_unlock(r->srv->store);
	b.path_name = intern(&b, index, strlen(index), 0);
	it = new_item(&b);
	it->act = BA_DELETE;
	it->id = id;
	it->idlen = strlen(id);
	doc_op(r, rep, &b);
}
