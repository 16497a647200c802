/*
 * docs.h - reading the documents to send, in shards.
 *
 * The documents are the rows of the view `documents` (sql/views.sql); what
 * a target still needs is in the views pending_index and pending_delete.
 * A shard is a range of donation ids, walked in id order through the index
 * donations_key: the export state (table sent, keyed by id) is then written
 * at one growing end per shard, and finding what changed since a target's
 * last export merges the index with that state without reading a row
 * (docs.c).
 * Each reader thread opens its own read-only connection on the staging
 * file and walks its range.
 */
#ifndef DC_DOCS_H
#define DC_DOCS_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

/* Ranges are of the space of ids' first four characters read as hex:
 * [lo, hi) of 0..DOCS_KEYSPACE, the first range open below (ids before
 * "0000") and the last one open above, so that together they hold every
 * id, whatever its form.  DonorsChoose ids are hex digests, spread evenly
 * over that space, so equal ranges hold about equal numbers of documents. */
#define DOCS_KEYSPACE 65536u

typedef struct docs_range {
	unsigned lo, hi;
} docs_range;

/* Split the ids into n ranges.  With nslices > 1, only slice k (0-based)
 * of nslices equal slices is split: machines running slices
 * 0..nslices-1 together cover every document once. */
void docs_plan(int k, int nslices, int n, docs_range *out);

/* How many donations the ranges first..last hold; -1 on error (err). */
int64_t docs_count(sqlite3 *db, docs_range first, docs_range last,
		   char *err);

/* One document.  For a delete, doc is NULL. */
typedef struct docs_doc {
	const char *id, *doc;  /* doc: the donation's fields, NULL: a deletion */
	const char *part;      /* the project's shared fields, or NULL */
	size_t idlen, doclen, partlen;
	int64_t dfp, pfp;      /* fingerprints of its donation, project part */
	int has_pfp;           /* an orphan has no project part */
} docs_doc;

typedef struct docs_cursor docs_cursor;

/* The documents of range r: all of them when target is 0, else what
 * target still needs: the documents to index (pending_index) and, as
 * documents without doc, those to delete (pending_delete), in id order.
 * since is the data version the target was last in sync with, or -1 when
 * it never was; only the parts of projects changed after it
 * (project_docs.gen) are compared.  Own connection.  NULL + err. */
docs_cursor *docs_open(const char *db_path, docs_range r, int64_t target,
		       int64_t since, char *err);

/* The next document: 1 (fields valid until the next call), 0 at the end,
 * -1 on error (docs_errmsg). */
int docs_next(docs_cursor *c, docs_doc *d);

const char *docs_errmsg(const docs_cursor *c);
void docs_close(docs_cursor *c); /* NULL is fine */

#endif
