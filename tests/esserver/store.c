/*
 * store.c - indices, aliases, settings and documents in memory (see
 * store.h).  Documents live in a chained hash table per index, each node
 * one allocation holding the id and the source bytes.
 */
#include "store.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct doc {
	struct doc *next;
	uint64_t hash;
	char *src;		/* NULL when sources are not kept */
	size_t srclen;
	int64_t version;
	int64_t seq_no;
	size_t idlen;
	char id[];		/* then the source bytes */
};

int es_fail_set(struct es_fail *f, int status, const char *type,
		const char *fmt, ...)
{
	va_list ap;

	f->status = status;
	f->type = type;
	va_start(ap, fmt);
	vsnprintf(f->reason, sizeof f->reason, fmt, ap);
	va_end(ap);
	return -1;
}

struct store *store_new(int keep_sources)
{
	struct store *st = xcalloc(1, sizeof *st);
	pthread_rwlockattr_t attr;

	pthread_rwlockattr_init(&attr);
	/* writers (index creation, alias swaps) must not wait behind a
	 * stream of bulk requests */
	pthread_rwlockattr_setkind_np(&attr,
				      PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&st->lock, &attr);
	pthread_rwlockattr_destroy(&attr);
	st->keep_sources = keep_sources;
	return st;
}

static void free_index(struct esindex *ix)
{
	size_t i;
	struct doc *d, *next;

	for (i = 0; i < ix->nbuckets; i++) {
		for (d = ix->buckets[i]; d; d = next) {
			next = d->next;
			free(d);
		}
	}
	free(ix->buckets);
	mapping_free(ix->mapping);
	json_decref(ix->mappings);
	json_decref(ix->settings);
	pthread_mutex_destroy(&ix->lock);
	free(ix->name);
	free(ix);
}

void store_free(struct store *st)
{
	struct esindex *ix, *nix;
	struct alias *a, *na;

	if (!st)
		return;
	for (a = st->aliases; a; a = na) {
		na = a->next;
		free(a->name);
		free(a);
	}
	for (ix = st->indices; ix; ix = nix) {
		nix = ix->next;
		free_index(ix);
	}
	pthread_rwlock_destroy(&st->lock);
	free(st);
}

void store_rdlock(struct store *st)
{
	pthread_rwlock_rdlock(&st->lock);
}

void store_wrlock(struct store *st)
{
	pthread_rwlock_wrlock(&st->lock);
}

void store_unlock(struct store *st)
{
	pthread_rwlock_unlock(&st->lock);
}

struct esindex *store_index(struct store *st, const char *name)
{
	struct esindex *ix;

	for (ix = st->indices; ix; ix = ix->next)
		if (!strcmp(ix->name, name))
			return ix;
	return NULL;
}

int store_is_alias(struct store *st, const char *name)
{
	struct alias *a;

	for (a = st->aliases; a; a = a->next)
		if (!strcmp(a->name, name))
			return 1;
	return 0;
}

size_t store_resolve(struct store *st, const char *name,
		     struct esindex ***out)
{
	struct esindex *ix = store_index(st, name);
	struct alias *a;
	size_t n = 0;

	*out = NULL;
	if (ix) {
		*out = xmalloc(sizeof **out);
		(*out)[0] = ix;
		return 1;
	}
	for (a = st->aliases; a; a = a->next) {
		if (strcmp(a->name, name) != 0)
			continue;
		*out = xrealloc(*out, (n + 1) * sizeof **out);
		(*out)[n++] = a->ix;
	}
	return n;
}

struct esindex *store_write_index(struct store *st, const char *name,
				  struct es_fail *f)
{
	struct esindex **list, *ix = NULL;
	size_t n = store_resolve(st, name, &list);

	if (n == 1)
		ix = list[0];
	else if (n == 0)
		es_fail_set(f, 404, "index_not_found_exception", "no such index [%s]",
		     name);
	else
		es_fail_set(f, 400, "illegal_argument_exception",
		     "no write index is defined for alias [%s]. The write index may be explicitly disabled using is_write_index=false or the alias points to multiple indices without one being designated as a write index",
		     name);
	free(list);
	return ix;
}

int store_check_name(const char *name, struct es_fail *f)
{
	const char *p;

	if (!*name)
		return es_fail_set(f, 400, "invalid_index_name_exception",
			    "Invalid index name [], must not be empty");
	if (strlen(name) > 255)
		return es_fail_set(f, 400, "invalid_index_name_exception",
			    "Invalid index name [%.255s], index name is too long, (%zu > 255)",
			    name, strlen(name));
	if (*name == '_' || *name == '-' || *name == '+')
		return es_fail_set(f, 400, "invalid_index_name_exception",
			    "Invalid index name [%s], must not start with '_', '-', or '+'",
			    name);
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return es_fail_set(f, 400, "invalid_index_name_exception",
			    "Invalid index name [%s], must not be '.' or '..'",
			    name);
	for (p = name; *p; p++) {
		if (*p >= 'A' && *p <= 'Z')
			return es_fail_set(f, 400, "invalid_index_name_exception",
				    "Invalid index name [%s], must be lowercase",
				    name);
		if (strchr("\\/*?\"<>| ,#:", *p))
			return es_fail_set(f, 400, "invalid_index_name_exception",
				    "Invalid index name [%s], must not contain the following characters [ , \", *, \\, <, |, ,, >, /, ?]",
				    name);
	}
	return 0;
}

/* ---- settings ---- */

static json_t *setting_value(json_t *v)
{
	char num[64];
	size_t i;
	json_t *arr;

	if (json_is_string(v) || json_is_null(v))
		return json_incref(v);
	if (json_is_integer(v)) {
		snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
		return json_string(num);
	}
	if (json_is_real(v)) {
		snprintf(num, sizeof num, "%g", json_real_value(v));
		return json_string(num);
	}
	if (json_is_boolean(v))
		return json_string(json_is_true(v) ? "true" : "false");
	arr = json_array();
	for (i = 0; i < json_array_size(v); i++) {
		json_t *e = setting_value(json_array_get(v, i));

		json_array_append_new(arr, e ? e : json_null());
	}
	return arr;
}

/* Flatten nested settings into out as keys without the "index." prefix. */
static void flatten(json_t *in, const char *prefix, json_t *out)
{
	const char *key;
	json_t *v;
	char path[512];

	json_object_foreach(in, key, v) {
		snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "",
			 key);
		if (json_is_object(v)) {
			flatten(v, path, out);
			continue;
		}
		json_object_set_new(out, !strncmp(path, "index.", 6) ? path + 6
				    : path, setting_value(v));
	}
}

static int parse_uint(const char *s, long long *out)
{
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -1;
	*out = strtoll(s, &end, 10);
	return *end ? -1 : 0;
}

static int time_value_ok(const char *s)
{
	static const char *const units[] = { "nanos", "micros", "ms", "s", "m",
					     "h", "d", NULL };
	const char *p = s;
	size_t i;

	if (!strcmp(s, "-1") || !strcmp(s, "0"))
		return 1;
	while (*p >= '0' && *p <= '9')
		p++;
	if (p == s)
		return 0;
	for (i = 0; units[i]; i++)
		if (!strcmp(p, units[i]))
			return 1;
	return 0;
}

static int check_setting(const struct esindex *ix, const char *key, json_t *v,
			 int creating, struct es_fail *f)
{
	static const char *const fixed[] = { "uuid", "provided_name",
					     "creation_date", "version.created",
					     NULL };
	static const char *const statics[] = { "number_of_shards",
					       "number_of_routing_shards",
					       "routing_partition_size", "codec",
					       NULL };
	const char *s = json_string_value(v);
	long long n;
	size_t i;

	for (i = 0; fixed[i]; i++)
		if (!strcmp(key, fixed[i]))
			return es_fail_set(f, 400, "illegal_argument_exception",
				    "private index setting [index.%s] can not be set explicitly",
				    key);
	for (i = 0; !creating && statics[i]; i++)
		if (!strcmp(key, statics[i]))
			return es_fail_set(f, 400, "illegal_argument_exception",
				    "Can't update non dynamic settings [[index.%s]] for open indices [[%s/%s]]",
				    key, ix->name, ix->uuid);
	if (json_is_null(v))
		return 0;
	if (!strcmp(key, "number_of_shards") &&
	    (parse_uint(s, &n) != 0 || n < 1 || n > 1024))
		return es_fail_set(f, 400, "illegal_argument_exception",
			    "Failed to parse value [%s] for setting [index.number_of_shards] must be >= 1",
			    s ? s : "");
	if (!strcmp(key, "number_of_replicas") && parse_uint(s, &n) != 0)
		return es_fail_set(f, 400, "illegal_argument_exception",
			    "Failed to parse value [%s] for setting [index.number_of_replicas] must be >= 0",
			    s ? s : "");
	if (!strcmp(key, "refresh_interval") && (!s || !time_value_ok(s)))
		return es_fail_set(f, 400, "illegal_argument_exception",
			    "failed to parse setting [index.refresh_interval] with value [%s] as a time value: unit is missing or unrecognized",
			    s ? s : "");
	return 0;
}

static const char *default_setting(const char *key)
{
	if (!strcmp(key, "number_of_replicas"))
		return "1";
	if (!strcmp(key, "number_of_shards"))
		return "1";
	if (!strcmp(key, "refresh_interval"))
		return "1s";
	return NULL;
}

static void update_refresh(struct esindex *ix)
{
	const char *r = json_string_value(json_object_get(ix->settings,
							  "refresh_interval"));
	int off = r && r[0] == '-';

	pthread_mutex_lock(&ix->lock);
	if (off && !ix->refresh_off)
		ix->visible = ix->ndocs; /* what was searchable stays so */
	ix->refresh_off = off;
	if (!off)
		ix->visible = ix->ndocs;
	pthread_mutex_unlock(&ix->lock);
}

int store_put_settings(struct esindex *ix, json_t *settings, int creating,
		       struct es_fail *f)
{
	json_t *flat = json_object(), *v;
	const char *key;

	if (settings && !json_is_object(settings)) {
		json_decref(flat);
		return es_fail_set(f, 400, "illegal_argument_exception",
			    "settings must be an object");
	}
	flatten(settings, "", flat);
	json_object_foreach(flat, key, v) {
		if (check_setting(ix, key, v, creating, f) != 0) {
			json_decref(flat);
			return -1;
		}
	}
	json_object_foreach(flat, key, v) {
		const char *dflt = default_setting(key);

		if (!json_is_null(v))
			json_object_set(ix->settings, key, v);
		else if (dflt)
			json_object_set_new(ix->settings, key, json_string(dflt));
		else
			json_object_del(ix->settings, key);
	}
	json_decref(flat);
	update_refresh(ix);
	return 0;
}

/* The values are copied, not shared: readers run side by side under the
 * read lock, and sharing would change the reference counts of the
 * index's own values from several threads. */
json_t *store_settings_json(const struct esindex *ix, int flat)
{
	json_t *out = json_object(), *index = json_object(), *v, *node, *next;
	const char *key;
	char path[512], *part, *dot;

	json_object_foreach(ix->settings, key, v) {
		if (flat) {
			snprintf(path, sizeof path, "index.%s", key);
			json_object_set_new(out, path, json_deep_copy(v));
			continue;
		}
		snprintf(path, sizeof path, "%s", key);
		node = index;
		for (part = path; (dot = strchr(part, '.')); part = dot + 1) {
			*dot = '\0';
			next = json_object_get(node, part);
			if (!next) {
				next = json_object();
				json_object_set_new(node, part, next);
			}
			if (!json_is_object(next))
				break;
			node = next;
		}
		if (!dot)
			json_object_set_new(node, part, json_deep_copy(v));
	}
	if (flat)
		json_decref(index);
	else
		json_object_set_new(out, "index", index);
	return out;
}

/* ---- indices ---- */

struct esindex *store_create(struct store *st, const char *name,
			     json_t *settings, json_t *mappings,
			     struct es_fail *f)
{
	struct esindex *ix;
	char num[32];

	if (store_check_name(name, f) != 0)
		return NULL;
	if ((ix = store_index(st, name))) {
		es_fail_set(f, 400, "resource_already_exists_exception",
		     "index [%s/%s] already exists", name, ix->uuid);
		return NULL;
	}
	if (store_is_alias(st, name)) {
		es_fail_set(f, 400, "invalid_index_name_exception",
		     "Invalid index name [%s], already exists as alias", name);
		return NULL;
	}
	ix = xcalloc(1, sizeof *ix);
	ix->name = xstrndup(name, strlen(name));
	util_random_id(ix->uuid, 22);
	pthread_mutex_init(&ix->lock, NULL);
	ix->mappings = mappings ? json_deep_copy(mappings) : json_object();
	if (mappings) {
		ix->mapping = mapping_new(mappings, f->reason, sizeof f->reason);
		if (!ix->mapping) {
			f->status = 400;
			f->type = "mapper_parsing_exception";
			free_index(ix);
			return NULL;
		}
	}
	ix->settings = json_object();
	snprintf(num, sizeof num, "%lld", (long long)util_epoch_ms());
	json_object_set_new(ix->settings, "creation_date", json_string(num));
	json_object_set_new(ix->settings, "number_of_replicas", json_string("1"));
	json_object_set_new(ix->settings, "number_of_shards", json_string("1"));
	json_object_set_new(ix->settings, "provided_name", json_string(name));
	json_object_set_new(ix->settings, "refresh_interval", json_string("1s"));
	json_object_set_new(ix->settings, "uuid", json_string(ix->uuid));
	if (store_put_settings(ix, settings, 1, f) != 0) {
		free_index(ix);
		return NULL;
	}
	ix->nbuckets = 1024;
	ix->buckets = xcalloc(ix->nbuckets, sizeof *ix->buckets);
	ix->next = st->indices;
	st->indices = ix;
	return ix;
}

void store_delete(struct store *st, struct esindex *ix)
{
	struct esindex **pp;
	struct alias **ap, *a;

	for (ap = &st->aliases; *ap;) {
		a = *ap;
		if (a->ix == ix) {
			*ap = a->next;
			free(a->name);
			free(a);
		} else {
			ap = &a->next;
		}
	}
	for (pp = &st->indices; *pp; pp = &(*pp)->next) {
		if (*pp == ix) {
			*pp = ix->next;
			break;
		}
	}
	free_index(ix);
}

int store_alias_add(struct store *st, struct esindex *ix, const char *alias,
		    struct es_fail *f)
{
	struct alias *a;

	if (store_check_name(alias, f) != 0) {
		f->type = "invalid_alias_name_exception";
		return -1;
	}
	if (store_index(st, alias))
		return es_fail_set(f, 400, "invalid_alias_name_exception",
			    "Invalid alias name [%s]: an index or data stream exists with the same name as the alias",
			    alias);
	for (a = st->aliases; a; a = a->next)
		if (a->ix == ix && !strcmp(a->name, alias))
			return 0;
	a = xcalloc(1, sizeof *a);
	a->name = xstrndup(alias, strlen(alias));
	a->ix = ix;
	a->next = st->aliases;
	st->aliases = a;
	return 0;
}

int store_alias_remove(struct store *st, const struct esindex *ix,
		       const char *alias, struct es_fail *f)
{
	struct alias **ap, *a;

	for (ap = &st->aliases; *ap; ap = &(*ap)->next) {
		a = *ap;
		if (a->ix == ix && !strcmp(a->name, alias)) {
			*ap = a->next;
			free(a->name);
			free(a);
			return 0;
		}
	}
	return es_fail_set(f, 404, "aliases_not_found_exception", "aliases [%s] missing",
		    alias);
}

/* ---- documents ---- */

static struct doc **find(struct esindex *ix, const char *id, size_t idlen,
			 uint64_t h)
{
	struct doc **pp = &ix->buckets[h & (ix->nbuckets - 1)];

	for (; *pp; pp = &(*pp)->next)
		if ((*pp)->hash == h && (*pp)->idlen == idlen &&
		    !memcmp((*pp)->id, id, idlen))
			return pp;
	return pp;
}

static void grow(struct esindex *ix)
{
	size_t n = ix->nbuckets * 2, i;
	struct doc **b = xcalloc(n, sizeof *b), *d, *next;

	for (i = 0; i < ix->nbuckets; i++) {
		for (d = ix->buckets[i]; d; d = next) {
			next = d->next;
			d->next = b[d->hash & (n - 1)];
			b[d->hash & (n - 1)] = d;
		}
	}
	free(ix->buckets);
	ix->buckets = b;
	ix->nbuckets = n;
}

static struct doc *new_doc(const char *id, size_t idlen, uint64_t h,
			   const char *src, size_t srclen, int keep)
{
	struct doc *d = xmalloc(sizeof *d + idlen + 1 + (keep ? srclen : 0));

	d->next = NULL;
	d->hash = h;
	d->idlen = idlen;
	memcpy(d->id, id, idlen);
	d->id[idlen] = '\0';
	d->src = NULL;
	d->srclen = 0;
	if (keep) {
		d->src = d->id + idlen + 1;
		memcpy(d->src, src, srclen);
		d->srclen = srclen;
	}
	return d;
}

/* 0 when the if_seq_no condition holds (or none was given). */
static int seq_ok(const struct doc *d, int64_t if_seq_no,
		  int64_t if_primary_term, struct doc_result *r)
{
	if (if_seq_no < 0)
		return 0;
	if (d && d->seq_no == if_seq_no && if_primary_term == 1)
		return 0;
	r->status = 409;
	r->cur_version = d ? d->version : -1;
	r->cur_seq_no = d ? d->seq_no : -1;
	return -1;
}

static void after_change(struct esindex *ix)
{
	if (!ix->refresh_off)
		ix->visible = ix->ndocs;
}

void store_put(struct store *st, struct esindex *ix, const char *id,
	       size_t idlen, const char *src, size_t srclen, int create,
	       int64_t if_seq_no, int64_t if_primary_term,
	       struct doc_result *r)
{
	uint64_t h = util_hash(UTIL_HASH0, id, idlen);
	struct doc **pp, *old, *d;

	memset(r, 0, sizeof *r);
	pthread_mutex_lock(&ix->lock);
	pp = find(ix, id, idlen, h);
	old = *pp;
	if (seq_ok(old, if_seq_no, if_primary_term, r) != 0)
		goto out;
	if (old && create) {
		r->status = 409;
		r->cur_version = old->version;
		r->cur_seq_no = old->seq_no;
		goto out;
	}
	d = new_doc(id, idlen, h, src, srclen, st->keep_sources);
	d->seq_no = ix->seq_no++;
	if (old) {
		d->version = old->version + 1;
		d->next = old->next;
		*pp = d;
		free(old);
		r->status = 200;
		r->result = "updated";
	} else {
		d->version = 1;
		*pp = d;
		ix->ndocs++;
		r->status = 201;
		r->result = "created";
		if (ix->ndocs > ix->nbuckets)
			grow(ix);
	}
	r->version = d->version;
	r->seq_no = d->seq_no;
	after_change(ix);
out:
	pthread_mutex_unlock(&ix->lock);
}

void store_remove(struct esindex *ix, const char *id, size_t idlen,
		  int64_t if_seq_no, int64_t if_primary_term,
		  struct doc_result *r)
{
	uint64_t h = util_hash(UTIL_HASH0, id, idlen);
	struct doc **pp, *d;

	memset(r, 0, sizeof *r);
	pthread_mutex_lock(&ix->lock);
	pp = find(ix, id, idlen, h);
	d = *pp;
	if (seq_ok(d, if_seq_no, if_primary_term, r) != 0)
		goto out;
	r->seq_no = ix->seq_no++;
	if (!d) {
		r->status = 404;
		r->result = "not_found";
		r->version = 1;
		goto out;
	}
	*pp = d->next;
	r->status = 200;
	r->result = "deleted";
	r->version = d->version + 1;
	free(d);
	ix->ndocs--;
	after_change(ix);
out:
	pthread_mutex_unlock(&ix->lock);
}

int store_get(struct esindex *ix, const char *id, size_t idlen,
	      struct sbuf *src, int *has_source, int64_t *version,
	      int64_t *seq_no)
{
	uint64_t h = util_hash(UTIL_HASH0, id, idlen);
	struct doc *d;

	pthread_mutex_lock(&ix->lock);
	d = *find(ix, id, idlen, h);
	if (d) {
		*has_source = d->src != NULL;
		if (d->src)
			sb_add(src, d->src, d->srclen);
		*version = d->version;
		*seq_no = d->seq_no;
	}
	pthread_mutex_unlock(&ix->lock);
	return d != NULL;
}

size_t store_count(struct esindex *ix)
{
	size_t n;

	pthread_mutex_lock(&ix->lock);
	n = ix->refresh_off ? ix->visible : ix->ndocs;
	pthread_mutex_unlock(&ix->lock);
	return n;
}

static size_t ndocs(struct esindex *ix)
{
	size_t n;

	pthread_mutex_lock(&ix->lock);
	n = ix->ndocs;
	pthread_mutex_unlock(&ix->lock);
	return n;
}

void store_refresh(struct esindex *ix)
{
	pthread_mutex_lock(&ix->lock);
	ix->visible = ix->ndocs;
	pthread_mutex_unlock(&ix->lock);
}

static int by_id(const void *a, const void *b)
{
	const struct doc *x = *(const struct doc *const *)a;
	const struct doc *y = *(const struct doc *const *)b;
	size_t n = x->idlen < y->idlen ? x->idlen : y->idlen;
	int c = memcmp(x->id, y->id, n);

	if (c)
		return c;
	return x->idlen < y->idlen ? -1 : x->idlen > y->idlen;
}

void store_dump(struct esindex *ix, struct sbuf *out)
{
	struct doc **all, *d;
	size_t i, n = 0;

	pthread_mutex_lock(&ix->lock);
	all = xmalloc((ix->ndocs + 1) * sizeof *all);
	for (i = 0; i < ix->nbuckets; i++)
		for (d = ix->buckets[i]; d; d = d->next)
			all[n++] = d;
	qsort(all, n, sizeof *all, by_id);
	for (i = 0; i < n; i++) {
		d = all[i];
		sb_puts(out, "{\"_id\":");
		sb_json_str(out, d->id, d->idlen);
		if (d->src) {
			sb_puts(out, ",\"_source\":");
			sb_add(out, d->src, d->srclen);
		}
		sb_puts(out, "}\n");
	}
	pthread_mutex_unlock(&ix->lock);
	free(all);
}

size_t store_total_docs(struct store *st)
{
	struct esindex *ix;
	size_t n = 0;

	store_rdlock(st);
	for (ix = st->indices; ix; ix = ix->next)
		n += ndocs(ix);
	store_unlock(st);
	return n;
}
