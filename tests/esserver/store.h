/*
 * store.h - the server's indices, aliases and documents, in memory.
 *
 * Locking: the catalogue (which indices and aliases exist, their settings)
 * is guarded by a read-write lock the caller takes with store_rdlock() or
 * store_wrlock(); an esindex pointer stays valid only while it is held.
 * Each index guards its documents with its own mutex, taken inside the
 * document functions, so bulk requests on one index proceed side by side
 * under the read lock.  A document keeps its source bytes exactly as
 * received (or only its id when sources are not kept).
 */
#ifndef ESS_STORE_H
#define ESS_STORE_H

#include "mapping.h"
#include "util.h"

#include <jansson.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

struct doc;

struct esindex {
	char *name;
	char uuid[23];
	struct mapping *mapping;	/* NULL: dynamic, nothing checked */
	json_t *mappings;		/* as given at creation ({} if none) */
	json_t *settings;		/* flat: "number_of_replicas" -> "1" */
	int refresh_off;		/* refresh_interval is -1 */
	pthread_mutex_t lock;		/* the fields below */
	struct doc **buckets;
	size_t nbuckets, ndocs, visible;
	int64_t seq_no;
	struct esindex *next;
};

struct alias {
	char *name;
	struct esindex *ix;
	struct alias *next;
};

struct store {
	pthread_rwlock_t lock;
	struct esindex *indices;
	struct alias *aliases;
	int keep_sources;
};

/* An error as Elasticsearch names it: type and reason. */
struct es_fail {
	int status;
	const char *type;
	char reason[512];
};

/* Fill f (the reason formatted like printf); returns -1, for
 * `return es_fail_set(f, 400, "illegal_argument_exception", ...)`. */
int es_fail_set(struct es_fail *f, int status, const char *type,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

struct store *store_new(int keep_sources);
void store_free(struct store *st);

void store_rdlock(struct store *st);
void store_wrlock(struct store *st);
void store_unlock(struct store *st);

/* ---- with the catalogue lock held ---- */

struct esindex *store_index(struct store *st, const char *name);
int store_is_alias(struct store *st, const char *name);

/* The indices a name stands for (an index, or an alias's indices) into a
 * new array the caller frees; returns their count, 0 if none. */
size_t store_resolve(struct store *st, const char *name,
		     struct esindex ***out);

/* The one index a write to name goes to: the index, or an alias's only
 * index.  NULL when name is unknown (f->status 404) or names an alias of
 * several indices (f filled, 400). */
struct esindex *store_write_index(struct store *st, const char *name,
				  struct es_fail *f);

/* Elasticsearch's rules for an index (or alias) name; 0 when valid. */
int store_check_name(const char *name, struct es_fail *f);

/* Create an index (write lock held).  settings and mappings may be NULL;
 * they are what PUT /{index} carried.  Returns the index or NULL with f. */
struct esindex *store_create(struct store *st, const char *name,
			     json_t *settings, json_t *mappings,
			     struct es_fail *f);

/* Delete an index and its aliases (write lock held). */
void store_delete(struct store *st, struct esindex *ix);

/* Apply a settings object ({"index":{..}} or flat "index.x" keys) to an
 * index (write lock held); all or nothing.  creating allows the static
 * settings. */
int store_put_settings(struct esindex *ix, json_t *settings, int creating,
		       struct es_fail *f);

/* The settings as GET _settings shows them: nested "index" object, or flat
 * "index.x" keys.  A new reference. */
json_t *store_settings_json(const struct esindex *ix, int flat);

/* Alias changes (write lock held); 0, or -1 with f. */
int store_alias_add(struct store *st, struct esindex *ix, const char *alias,
		    struct es_fail *f);
int store_alias_remove(struct store *st, const struct esindex *ix,
		       const char *alias, struct es_fail *f);

/* ---- documents (catalogue lock held, read is enough) ---- */

struct doc_result {
	int status;		/* 200, 201, 404 or 409 */
	const char *result;	/* created, updated, deleted, not_found */
	int64_t version, seq_no;
	int64_t cur_version, cur_seq_no; /* 409: what is stored (-1: none) */
};

/* Index a document; create refuses an existing id; if_seq_no >= 0 asks
 * for optimistic concurrency control. */
void store_put(struct store *st, struct esindex *ix, const char *id,
	       size_t idlen, const char *src, size_t srclen, int create,
	       int64_t if_seq_no, int64_t if_primary_term,
	       struct doc_result *r);
void store_remove(struct esindex *ix, const char *id, size_t idlen,
		  int64_t if_seq_no, int64_t if_primary_term,
		  struct doc_result *r);

/* Copy a document's source into src (when kept); 1 found, 0 not. */
int store_get(struct esindex *ix, const char *id, size_t idlen,
	      struct sbuf *src, int *has_source, int64_t *version,
	      int64_t *seq_no);

size_t store_count(struct esindex *ix); /* what a search would see */
void store_refresh(struct esindex *ix);

/* Append every document as {"_id":..,"_source":<raw>}\n sorted by id. */
void store_dump(struct esindex *ix, struct sbuf *out);

/* Documents in all indices. */
size_t store_total_docs(struct store *st);

#endif
