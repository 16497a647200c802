/*
 * api.c - the REST endpoints other than bulk: routing by path and method
 * (400 for an unknown path, 405 for a known path with the wrong method, as
 * Elasticsearch answers), the cluster banner, index creation and deletion,
 * settings, mappings, refresh, count, document reads, aliases, and the
 * test-only dump of an index's documents.
 */
#include "filter.h"
#include "server.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ES_VERSION "8.15.0"

enum { M_GET = 1, M_HEAD = 2, M_PUT = 4, M_POST = 8, M_DELETE = 16 };

/* ---- replies ---- */

void reply_error(struct reply *rep, int status, const char *type,
		 const char *reason, const char *extra)
{
	rep->status = status;
	rep->body.len = 0;
	es_error_body(&rep->body, status, type, reason, extra);
}

void reply_fail(struct reply *rep, const struct es_fail *f, const char *index)
{
	struct sbuf x = SBUF_INIT;

	if (index && !strcmp(f->type, "index_not_found_exception")) {
		sb_puts(&x, ",\"resource.type\":\"index_or_alias\",\"resource.id\":");
		sb_json_str(&x, index, strlen(index));
		sb_puts(&x, ",\"index_uuid\":\"_na_\",\"index\":");
		sb_json_str(&x, index, strlen(index));
	} else if (index && (!strcmp(f->type, "invalid_index_name_exception") ||
			     !strcmp(f->type, "resource_already_exists_exception"))) {
		sb_puts(&x, ",\"index\":");
		sb_json_str(&x, index, strlen(index));
	}
	reply_error(rep, f->status, f->type, f->reason, x.data);
	sb_free(&x);
}

static void not_found(struct reply *rep, const char *index)
{
	struct es_fail f = { 404, "index_not_found_exception", "" };

	snprintf(f.reason, sizeof f.reason, "no such index [%s]", index);
	reply_fail(rep, &f, index);
}

/* {"error":"<message>","status":N}, the simple error shape. */
static void reply_simple(struct reply *rep, int status, const char *msg)
{
	rep->status = status;
	rep->body.len = 0;
	sb_puts(&rep->body, "{\"error\":");
	sb_json_str(&rep->body, msg, strlen(msg));
	sb_printf(&rep->body, ",\"status\":%d}", status);
}

/* Answer v (a reference taken over), filtered and pretty as asked. */
static void reply_json(struct req *r, struct reply *rep, int status, json_t *v)
{
	struct fpath *fp = fpath_new(req_arg(r, "filter_path"));
	size_t flags = JSON_PRESERVE_ORDER;
	char *s;

	if (fp) {
		const char *path[FP_MAX_DEPTH];
		json_t *kept = fpath_filter(fp, v, path, 0);

		json_decref(v);
		v = kept ? kept : json_object();
		fpath_free(fp);
	}
	flags |= req_arg(r, "pretty") ? JSON_INDENT(2) : JSON_COMPACT;
	s = json_dumps(v, flags);
	json_decref(v);
	rep->status = status;
	rep->body.len = 0;
	sb_puts(&rep->body, s);
	if (req_arg(r, "pretty"))
		sb_putc(&rep->body, '\n');
	free(s);
}

static void acknowledged(struct req *r, struct reply *rep)
{
	reply_json(r, rep, 200, json_pack("{s:b}", "acknowledged", 1));
}

/* The request body as JSON: NULL with the 400 answered when it is not;
 * an empty object when there is no body. */
static json_t *body_json(struct req *r, struct reply *rep)
{
	json_error_t e;
	json_t *v;
	char reason[300];

	if (r->len == 0)
		return json_object();
	v = json_loadb(r->body, r->len, 0, &e);
	if (v)
		return v;
	snprintf(reason, sizeof reason, "[%d:%d] %s", e.line, e.column, e.text);
	reply_error(rep, 400, "x_content_parse_exception", reason, NULL);
	return NULL;
}

static int bool_arg(struct req *r, const char *name)
{
	const char *v = req_arg(r, name);

	return v && strcmp(v, "false") != 0;
}

/* ---- cluster ---- */

static void root(struct req *r, struct reply *rep, char **p)
{
	(void)p;
	reply_json(r, rep, 200, json_pack(
		"{s:s,s:s,s:s,s:{s:s,s:s,s:s,s:s,s:s,s:b,s:s,s:s,s:s},s:s}",
		"name", "esserver",
		"cluster_name", "esserver",
		"cluster_uuid", r->srv->cluster_uuid,
		"version",
		"number", ES_VERSION,
		"build_flavor", "default",
		"build_type", "tar",
		"build_hash", "esserver",
		"build_date", "2024-08-05T10:05:34.233336849Z",
		"build_snapshot", 0,
		"lucene_version", "9.11.1",
		"minimum_wire_compatibility_version", "7.17.0",
		"minimum_index_compatibility_version", "7.0.0",
		"tagline", "You Know, for Search"));
}

static int replicas(const struct esindex *ix)
{
	const char *v = json_string_value(json_object_get(ix->settings,
							  "number_of_replicas"));

	return v ? atoi(v) : 1;
}

static void health(struct req *r, struct reply *rep, char **p)
{
	struct store *st = r->srv->store;
	struct esindex *ix;
	int prim = 0, unassigned = 0;

	(void)p;
	store_rdlock(st);
	for (ix = st->indices; ix; ix = ix->next) {
		prim++;
		unassigned += replicas(ix);
	}
	store_unlock(st);
	reply_json(r, rep, 200, json_pack(
		"{s:s,s:s,s:b,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i}",
		"cluster_name", "esserver",
		"status", unassigned ? "yellow" : "green",
		"timed_out", 0,
		"number_of_nodes", 1,
		"number_of_data_nodes", 1,
		"active_primary_shards", prim,
		"active_shards", prim,
		"relocating_shards", 0,
		"initializing_shards", 0,
		"unassigned_shards", unassigned,
		"number_of_pending_tasks", 0));
}

/* ---- index expressions: a name, an alias, a,b lists, *, _all ---- */

static void add_unique(struct esindex ***list, size_t *n, struct esindex *ix)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if ((*list)[i] == ix)
			return;
	*list = xrealloc(*list, (*n + 1) * sizeof **list);
	(*list)[(*n)++] = ix;
}

/* The indices expr names (store lock held); returns their count, or 0
 * with the 404 answered when a concrete name is unknown.  With all set,
 * no expression means every index. */
static size_t resolve(struct store *st, const char *expr,
		      struct esindex ***out, struct reply *rep)
{
	char *copy = xstrndup(expr, strlen(expr)), *name, *save = NULL;
	struct esindex **one, *ix;
	struct alias *a;
	size_t n = 0, k, i;

	*out = NULL;
	for (name = strtok_r(copy, ",", &save); name;
	     name = strtok_r(NULL, ",", &save)) {
		if (!strcmp(name, "_all") || strchr(name, '*')) {
			const char *pat = !strcmp(name, "_all") ? "*" : name;

			for (ix = st->indices; ix; ix = ix->next)
				if (!fnmatch(pat, ix->name, 0))
					add_unique(out, &n, ix);
			for (a = st->aliases; a; a = a->next)
				if (!fnmatch(pat, a->name, 0))
					add_unique(out, &n, a->ix);
			continue;
		}
		k = store_resolve(st, name, &one);
		for (i = 0; i < k; i++)
			add_unique(out, &n, one[i]);
		free(one);
		if (k == 0) {
			not_found(rep, name);
			free(*out);
			*out = NULL;
			free(copy);
			return 0;
		}
	}
	free(copy);
	return n;
}

static json_t *aliases_of(struct store *st, const struct esindex *ix,
			  const char *only)
{
	json_t *o = json_object();
	struct alias *a;

	for (a = st->aliases; a; a = a->next)
		if (a->ix == ix && (!only || !strcmp(only, a->name)))
			json_object_set_new(o, a->name, json_object());
	return o;
}

/* ---- indices ---- */

static void index_head(struct req *r, struct reply *rep, char **p)
{
	struct esindex **list;
	size_t n;

	store_rdlock(r->srv->store);
	n = store_resolve(r->srv->store, p[0], &list);
	store_unlock(r->srv->store);
	free(list);
	rep->status = n ? 200 : 404;
}

static void index_get(struct req *r, struct reply *rep, char **p)
{
	struct store *st = r->srv->store;
	struct esindex **list;
	json_t *out = json_object();
	size_t n, i;

	store_rdlock(st);
	n = resolve(st, p[0], &list, rep);
	for (i = 0; i < n; i++)
		json_object_set_new(out, list[i]->name, json_pack("{s:o,s:O,s:o}",
			"aliases", aliases_of(st, list[i], NULL),
			"mappings", list[i]->mappings,
			"settings", store_settings_json(list[i], 0)));
	store_unlock(st);
	free(list);
	if (rep->body.len)
		json_decref(out);
	else
		reply_json(r, rep, 200, out);
}

static int check_create_body(json_t *body, struct reply *rep)
{
	const char *key;
	json_t *v;
	char reason[300];

	json_object_foreach(body, key, v) {
		if (!strcmp(key, "settings") || !strcmp(key, "mappings") ||
		    !strcmp(key, "aliases"))
			continue;
		snprintf(reason, sizeof reason,
			 "unknown key [%s] for create index", key);
		reply_error(rep, 400, "parse_exception", reason, NULL);
		return -1;
	}
	return 0;
}

static void index_put(struct req *r, struct reply *rep, char **p)
{
	struct store *st = r->srv->store;
	json_t *body = body_json(r, rep), *v;
	struct esindex *ix;
	struct es_fail f = { 0 };
	const char *alias;

	if (!body || check_create_body(body, rep) != 0) {
		json_decref(body);
		return;
	}
	store_wrlock(st);
	ix = store_create(st, p[0], json_object_get(body, "settings"),
			  json_object_get(body, "mappings"), &f);
	json_object_foreach(json_object_get(body, "aliases"), alias, v) {
		if (ix && store_alias_add(st, ix, alias, &f) != 0) {
			store_delete(st, ix);
			ix = NULL;
		}
	}
	store_unlock(st);
	json_decref(body);
	if (!ix)
		reply_fail(rep, &f, p[0]);
	else
		reply_json(r, rep, 200, json_pack("{s:b,s:b,s:s}",
			"acknowledged", 1, "shards_acknowledged", 1,
			"index", p[0]));
}

static void index_delete(struct req *r, struct reply *rep, char **p)
{
	struct store *st = r->srv->store;
	struct esindex **list;
	size_t n, i;

	if (strchr(p[0], '*') || !strcmp(p[0], "_all")) {
		/* action.destructive_requires_name defaults to true */
		reply_error(rep, 400, "illegal_argument_exception",
			    "Wildcard expressions or all indices are not allowed",
			    NULL);
		return;
	}
	store_wrlock(st);
	if (!strchr(p[0], ',') && !store_index(st, p[0]) &&
	    store_is_alias(st, p[0])) {
		char reason[600];

		store_unlock(st);
		snprintf(reason, sizeof reason,
			 "The provided expression [%s] matches an alias, specify the corresponding concrete indices instead.",
			 p[0]);
		reply_error(rep, 400, "illegal_argument_exception", reason,
			    NULL);
		return;
	}
	n = resolve(st, p[0], &list, rep);
	for (i = 0; i < n; i++)
		store_delete(st, list[i]);
	store_unlock(st);
	free(list);
	if (!rep->body.len)
		acknowledged(r, rep);
}

/* ---- settings, mappings ---- */

/* GET /{index}/_settings and _mapping: {"<name>":{"<key>":...}} for each
 * index the name resolves to. */
static void per_index(struct req *r, struct reply *rep, const char *name,
		      const char *key,
		      json_t *(*part)(const struct esindex *, int), int arg)
{
	struct store *st = r->srv->store;
	struct esindex **list;
	json_t *out = json_object();
	size_t n, i;

	store_rdlock(st);
	n = resolve(st, name ? name : "_all", &list, rep);
	for (i = 0; i < n; i++)
		json_object_set_new(out, list[i]->name,
				    json_pack("{s:o}", key, part(list[i], arg)));
	store_unlock(st);
	free(list);
	if (rep->body.len)
		json_decref(out);
	else
		reply_json(r, rep, 200, out);
}

/* A copy: readers run side by side under the read lock (see
 * store_settings_json). */
static json_t *mappings_of(const struct esindex *ix, int unused)
{
	(void)unused;
	return json_deep_copy(ix->mappings);
}

static void settings_get(struct req *r, struct reply *rep, char **p)
{
	per_index(r, rep, p[0], "settings", store_settings_json,
		  bool_arg(r, "flat_settings"));
}

static void settings_put(struct req *r, struct reply *rep, char **p)
{
	struct store *st = r->srv->store;
	json_t *body = body_json(r, rep), *s;
	struct esindex **list;
	struct es_fail f = { 0 };
	size_t n, i;

	if (!body)
		return;
	s = json_object_get(body, "settings");
	if (!s || json_object_size(body) != 1)
		s = body;
	store_wrlock(st);
	n = resolve(st, p[0], &list, rep);
	for (i = 0; i < n && !f.status; i++)
		store_put_settings(list[i], s, 0, &f);
	store_unlock(st);
	free(list);
	json_decref(body);
	if (f.status)
		reply_fail(rep, &f, NULL);
	else if (!rep->body.len)
		acknowledged(r, rep);
}

static void mapping_get(struct req *r, struct reply *rep, char **p)
{
	per_index(r, rep, p[0], "mappings", mappings_of, 0);
}

/* ---- refresh, count ---- */

static void refresh(struct req *r, struct reply *rep, char **p)
{
	struct store *st = r->srv->store;
	struct esindex **list;
	size_t n, i;
	int total = 0;

	store_rdlock(st);
	n = resolve(st, p[0] ? p[0] : "_all", &list, rep);
	for (i = 0; i < n; i++) {
		store_refresh(list[i]);
		total += 1 + replicas(list[i]);
	}
	store_unlock(st);
	free(list);
	if (!rep->body.len)
		reply_json(r, rep, 200, json_pack("{s:{s:i,s:i,s:i}}", "_shards",
			"total", total, "successful", (int)n, "failed", 0));
}

static void count_docs(struct req *r, struct reply *rep, char **p)
{
	struct store *st = r->srv->store;
	struct esindex **list;
	size_t n, i, total = 0;

	store_rdlock(st);
	n = resolve(st, p[0] ? p[0] : "_all", &list, rep);
	for (i = 0; i < n; i++)
		total += store_count(list[i]);
	store_unlock(st);
	free(list);
	if (!rep->body.len)
		reply_json(r, rep, 200, json_pack("{s:I,s:{s:i,s:i,s:i,s:i}}",
			"count", (json_int_t)total, "_shards", "total", (int)n,
			"successful", (int)n, "skipped", 0, "failed", 0));
}

/* ---- documents ---- */

static void doc_get(struct req *r, struct reply *rep, char **p)
{
	struct store *st = r->srv->store;
	struct esindex *ix;
	struct es_fail f = { 0 };
	struct sbuf src = SBUF_INIT;
	int64_t version = 0, seq_no = 0;
	int found = 0, has_source = 0;
	struct sbuf *b = &rep->body;

	store_rdlock(st);
	ix = store_write_index(st, p[0], &f);
	if (ix) {
		found = store_get(ix, p[1], strlen(p[1]), &src, &has_source,
				  &version, &seq_no);
		sb_puts(b, "{\"_index\":");
		sb_json_str(b, ix->name, strlen(ix->name));
	}
	store_unlock(st);
	if (!ix) {
		reply_fail(rep, &f, p[0]);
		return;
	}
	sb_puts(b, ",\"_id\":");
	sb_json_str(b, p[1], strlen(p[1]));
	if (found) {
		sb_printf(b, ",\"_version\":%lld,\"_seq_no\":%lld,\"_primary_term\":1,\"found\":true",
			  (long long)version, (long long)seq_no);
		if (has_source) {
			sb_puts(b, ",\"_source\":");
			sb_add(b, src.data, src.len);
		}
	} else {
		sb_puts(b, ",\"found\":false");
	}
	sb_putc(b, '}');
	sb_free(&src);
	rep->status = found ? 200 : 404;
}

static void doc_write(struct req *r, struct reply *rep, char **p)
{
	const char *op = req_arg(r, "op_type");

	bulk_doc_write(r, rep, p[0], p[1], op && !strcmp(op, "create"));
}

static void doc_post(struct req *r, struct reply *rep, char **p)
{
	bulk_doc_write(r, rep, p[0], NULL, 0);
}

static void doc_create(struct req *r, struct reply *rep, char **p)
{
	bulk_doc_write(r, rep, p[0], p[1], 1);
}

static void doc_delete(struct req *r, struct reply *rep, char **p)
{
	bulk_doc_delete(r, rep, p[0], p[1]);
}

static void bulk(struct req *r, struct reply *rep, char **p)
{
	bulk_handle(r, rep, p[0]);
}

static void dump(struct req *r, struct reply *rep, char **p)
{
	struct store *st = r->srv->store;
	struct esindex **list;
	size_t n, i;

	store_rdlock(st);
	n = resolve(st, p[0], &list, rep);
	if (n) {
		rep->body.len = 0;
		sb_grow(&rep->body, 0);
		rep->body.data[0] = '\0';
	}
	for (i = 0; i < n; i++)
		store_dump(list[i], &rep->body);
	store_unlock(st);
	free(list);
	if (n) {
		rep->status = 200;
		rep->ctype = "application/x-ndjson";
	}
}

/* ---- aliases ---- */

/* Every (index, alias) pair an action names: "index"/"indices" by
 * "alias"/"aliases" (store lock held); 0, or -1 with the reply. */
struct pair {
	struct esindex *ix;
	const char *alias;
	int op;			/* 'a' add, 'r' remove, 'x' remove_index */
};

static int names_of(json_t *act, const char *one, const char *many,
		    json_t **out)
{
	json_t *v = json_object_get(act, one), *list = json_object_get(act, many);

	*out = json_array();
	if (json_is_string(v))
		json_array_append(*out, v);
	if (json_is_array(list))
		json_array_extend(*out, list);
	else if (json_is_string(list))
		json_array_append(*out, list);
	return json_array_size(*out) > 0 ? 0 : -1;
}

static int collect_pairs(struct store *st, json_t *act, int op,
			 struct pair **pairs, size_t *np, struct reply *rep)
{
	json_t *indices, *aliases = NULL;
	struct esindex **list;
	size_t i, j, k, n;
	int rc = -1;

	if (names_of(act, "index", "indices", &indices) != 0) {
		reply_error(rep, 400, "action_request_validation_exception",
			    "Validation Failed: 1: One of [index] or [indices] is required;",
			    NULL);
		goto out;
	}
	if (op != 'x' && names_of(act, "alias", "aliases", &aliases) != 0) {
		reply_error(rep, 400, "action_request_validation_exception",
			    "Validation Failed: 1: One of [alias] or [aliases] is required;",
			    NULL);
		goto out;
	}
	for (i = 0; i < json_array_size(indices); i++) {
		const char *name = json_string_value(json_array_get(indices, i));

		if (!name)
			continue;
		n = resolve(st, name, &list, rep);
		if (rep->body.len)
			goto out;
		for (j = 0; j < n; j++) {
			for (k = 0; k < (op == 'x' ? 1 : json_array_size(aliases)); k++) {
				*pairs = xrealloc(*pairs, (*np + 1) * sizeof **pairs);
				(*pairs)[*np].ix = list[j];
				(*pairs)[*np].alias = op == 'x' ? NULL
					: json_string_value(json_array_get(aliases, k));
				(*pairs)[(*np)++].op = op;
			}
		}
		free(list);
	}
	rc = 0;
out:
	/* the alias names stay alive in the request body */
	json_decref(indices);
	json_decref(aliases);
	return rc;
}

static int check_pair(struct store *st, const struct pair *pr,
		      struct reply *rep)
{
	struct es_fail f = { 0 };
	struct alias *a;
	char reason[600];

	if (pr->op == 'x')
		return 0;
	if (!pr->alias) {
		reply_error(rep, 400, "illegal_argument_exception",
			    "[alias] must be a string", NULL);
		return -1;
	}
	if (pr->op == 'r') {
		for (a = st->aliases; a; a = a->next)
			if (a->ix == pr->ix && !strcmp(a->name, pr->alias))
				return 0;
		snprintf(reason, sizeof reason, "aliases [%s] missing", pr->alias);
		reply_error(rep, 404, "aliases_not_found_exception", reason,
			    NULL);
		return -1;
	}
	if (store_check_name(pr->alias, &f) != 0) {
		reply_error(rep, 400, "invalid_alias_name_exception", f.reason,
			    NULL);
		return -1;
	}
	if (store_index(st, pr->alias)) {
		snprintf(reason, sizeof reason,
			 "Invalid alias name [%s]: an index or data stream exists with the same name as the alias",
			 pr->alias);
		reply_error(rep, 400, "invalid_alias_name_exception", reason,
			    NULL);
		return -1;
	}
	return 0;
}

static void aliases_post(struct req *r, struct reply *rep, char **p)
{
	struct store *st = r->srv->store;
	json_t *body = body_json(r, rep), *actions, *act, *spec;
	struct pair *pairs = NULL;
	struct es_fail f = { 0 };
	size_t np = 0, i, j;
	const char *op;
	int ok = 1;

	(void)p;
	if (!body)
		return;
	actions = json_object_get(body, "actions");
	if (!json_is_array(actions)) {
		reply_error(rep, 400, "action_request_validation_exception",
			    "Validation Failed: 1: no actions specified;", NULL);
		json_decref(body);
		return;
	}
	store_wrlock(st);
	json_array_foreach(actions, i, act) {
		json_object_foreach(act, op, spec) {
			int code = !strcmp(op, "add") ? 'a'
				: !strcmp(op, "remove") ? 'r'
				: !strcmp(op, "remove_index") ? 'x' : 0;

			if (!code) {
				char reason[300];

				snprintf(reason, sizeof reason,
					 "[aliases] unknown field [%s]", op);
				reply_error(rep, 400, "x_content_parse_exception",
					    reason, NULL);
				ok = 0;
			}
			if (ok && collect_pairs(st, spec, code, &pairs, &np, rep))
				ok = 0;
		}
	}
	for (i = 0; ok && i < np; i++)
		if (check_pair(st, &pairs[i], rep) != 0)
			ok = 0;
	for (i = 0; ok && i < np; i++) {
		if (pairs[i].op == 'a')
			store_alias_add(st, pairs[i].ix, pairs[i].alias, &f);
		else if (pairs[i].op == 'r')
			store_alias_remove(st, pairs[i].ix, pairs[i].alias, &f);
	}
	/* remove_index last, so that the pairs above never dangle */
	for (i = 0; ok && i < np; i++) {
		if (pairs[i].op != 'x' || !pairs[i].ix)
			continue;
		for (j = i + 1; j < np; j++)
			if (pairs[j].ix == pairs[i].ix)
				pairs[j].ix = NULL;
		store_delete(st, pairs[i].ix);
	}
	store_unlock(st);
	free(pairs);
	json_decref(body);
	if (ok)
		acknowledged(r, rep);
}

static void alias_get(struct req *r, struct reply *rep, char **p)
{
	struct store *st = r->srv->store;
	json_t *out = json_object(), *entry;
	struct alias *a;
	struct esindex *ix;
	const char *want = p[1];

	store_rdlock(st);
	for (ix = st->indices; ix; ix = ix->next) {
		if (p[0] && strcmp(p[0], ix->name) != 0)
			continue;
		entry = json_object();
		for (a = st->aliases; a; a = a->next)
			if (a->ix == ix && (!want || !fnmatch(want, a->name, 0)))
				json_object_set_new(entry, a->name, json_object());
		if (!want || json_object_size(entry))
			json_object_set_new(out, ix->name,
					    json_pack("{s:o}", "aliases", entry));
		else
			json_decref(entry);
	}
	store_unlock(st);
	if (want && json_object_size(out) == 0) {
		char msg[600];

		json_decref(out);
		snprintf(msg, sizeof msg, "alias [%s] missing", want);
		reply_simple(rep, 404, msg);
		return;
	}
	reply_json(r, rep, 200, out);
}

static void alias_by_name(struct req *r, struct reply *rep, char **p)
{
	char *q[2] = { NULL, p[0] };

	alias_get(r, rep, q);
}

static void alias_get_index(struct req *r, struct reply *rep, char **p)
{
	struct esindex **list;
	size_t n;

	store_rdlock(r->srv->store);
	n = store_resolve(r->srv->store, p[0], &list);
	store_unlock(r->srv->store);
	if (n == 0) {
		free(list);
		not_found(rep, p[0]);
		return;
	}
	free(list);
	alias_get(r, rep, p);
}

/* ---- routing ---- */

typedef void handler(struct req *r, struct reply *rep, char **params);

struct route {
	const char *pattern;	/* segments; {} a parameter, {..} the rest */
	int methods;
	handler *fn[5];		/* by method bit: GET HEAD PUT POST DELETE */
};

static const struct route routes[] = {
	{ "", M_GET | M_HEAD, { root, root } },
	{ "_bulk", M_PUT | M_POST, { NULL, NULL, bulk, bulk } },
	{ "_aliases", M_GET | M_POST, { alias_get, NULL, NULL, aliases_post } },
	{ "_alias", M_GET, { alias_get } },
	{ "_alias/{}", M_GET | M_HEAD, { alias_by_name, alias_by_name } },
	{ "_refresh", M_GET | M_POST, { refresh, NULL, NULL, refresh } },
	{ "_count", M_GET | M_POST, { count_docs, NULL, NULL, count_docs } },
	{ "_settings", M_GET, { settings_get } },
	{ "_mapping", M_GET, { mapping_get } },
	{ "_cluster/health", M_GET, { health } },
	{ "{}/_bulk", M_PUT | M_POST, { NULL, NULL, bulk, bulk } },
	{ "{}/_settings", M_GET | M_PUT, { settings_get, NULL, settings_put } },
	{ "{}/_mapping", M_GET, { mapping_get } },
	{ "{}/_refresh", M_GET | M_POST, { refresh, NULL, NULL, refresh } },
	{ "{}/_count", M_GET | M_POST, { count_docs, NULL, NULL, count_docs } },
	{ "{}/_doc", M_POST, { NULL, NULL, NULL, doc_post } },
	{ "{}/_doc/{..}", M_GET | M_HEAD | M_PUT | M_POST | M_DELETE,
	  { doc_get, doc_get, doc_write, doc_write, doc_delete } },
	{ "{}/_create/{..}", M_PUT | M_POST,
	  { NULL, NULL, doc_create, doc_create } },
	{ "{}/_alias", M_GET, { alias_get_index } },
	{ "{}/_aliases", M_GET, { alias_get_index } },
	{ "{}/_alias/{}", M_GET | M_HEAD, { alias_get_index, alias_get_index } },
	{ "{}/_esserver/dump", M_GET, { dump } },
	{ "{}", M_GET | M_HEAD | M_PUT | M_DELETE,
	  { index_get, index_head, index_put, NULL, index_delete } },
};

static const char *const method_names[] = { "GET", "HEAD", "PUT", "POST",
					    "DELETE" };

/* Match path against a pattern, filling params (up to 2). */
static int route_match(const char *pattern, const char *path, char **params)
{
	const char *p = pattern, *s = path;
	int k = 0;

	while (*p || *s) {
		const char *pe = strchr(p, '/'), *se;

		if (!pe)
			pe = p + strlen(p);
		se = strchr(s, '/');
		if (!se)
			se = s + strlen(s);
		if (!strncmp(p, "{..}", 4)) {
			if (!*s)
				return 0;
			params[k++] = xstrndup(s, strlen(s));
			return 1;
		}
		if (!strncmp(p, "{}", 2)) {
			if (se == s || *s == '_')
				return 0;
			params[k++] = xstrndup(s, (size_t)(se - s));
		} else if (pe - p != se - s || strncmp(p, s, (size_t)(pe - p))) {
			return 0;
		}
		p = *pe ? pe + 1 : pe;
		s = *se ? se + 1 : se;
		if (!*p != !*s)
			return 0;
	}
	return 1;
}

static int method_bit(const char *m)
{
	int i;

	for (i = 0; i < 5; i++)
		if (!strcmp(m, method_names[i]))
			return i;
	return -1;
}

static void free_params(char **params)
{
	free(params[0]);
	free(params[1]);
	params[0] = params[1] = NULL;
}

static void wrong_method(struct req *r, struct reply *rep, int methods)
{
	struct sbuf msg = SBUF_INIT, text = SBUF_INIT;
	int i, n = 0;

	for (i = 0; i < 5; i++) {
		if (!(methods & (1 << i)))
			continue;
		sb_puts(&msg, n++ ? ", " : "");
		sb_puts(&msg, method_names[i]);
	}
	sb_printf(&text, "Incorrect HTTP method for uri [%s] and method [%s], allowed: [%s]",
		  r->path, r->method, msg.data);
	reply_simple(rep, 405, text.data);
	for (i = 0; msg.data[i]; i++)
		if (msg.data[i] == ' ')
			memmove(msg.data + i, msg.data + i + 1, strlen(msg.data + i));
	snprintf(rep->allow, sizeof rep->allow, "%s", msg.data);
	sb_free(&msg);
	sb_free(&text);
}

void api_handle(struct req *r, struct reply *rep)
{
	char *params[2] = { NULL, NULL }, msg[600];
	const char *path = r->path;
	size_t i, n;
	int bit = method_bit(r->method), known = 0;
	char *trimmed;

	while (*path == '/')
		path++;
	n = strlen(path);
	trimmed = xstrndup(path, n);
	while (n > 0 && trimmed[n - 1] == '/')
		trimmed[--n] = '\0';
	for (i = 0; i < sizeof routes / sizeof routes[0]; i++) {
		if (!route_match(routes[i].pattern, trimmed, params)) {
			free_params(params);
			continue;
		}
		known |= routes[i].methods;
		if (bit >= 0 && (routes[i].methods & (1 << bit)) &&
		    routes[i].fn[bit]) {
			routes[i].fn[bit](r, rep, params);
			free_params(params);
			free(trimmed);
			return;
		}
		free_params(params);
	}
	free(trimmed);
	if (known && bit >= 0) {
		wrong_method(r, rep, known);
		return;
	}
	snprintf(msg, sizeof msg, "no handler found for uri [%s] and method [%s]",
		 r->path, r->method);
	rep->status = 400;
	sb_puts(&rep->body, "{\"error\":");
	sb_json_str(&rep->body, msg, strlen(msg));
	sb_putc(&rep->body, '}');
}
