/*
 * docs.h - reading the documents to send, in shards.
 *
 * The documents are the rows of the view `documents` (sql/views.sql); what
 * a target still needs is in the views pending_index and pending_delete.
 * A shard is a range of donation rowids; each reader thread opens its own
 * read-only connection on the staging file and walks its range.
 */
#ifndef DC_DOCS_H
#define DC_DOCS_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

typedef struct docs_range {
	int64_t lo, hi; /* donation rowids, inclusive; lo > hi: empty */
} docs_range;

/* Split the documents into n ranges of about equal size.  With nslices >
 * 1, only slice k (0-based) of nslices equal slices is split: machines
 * running slices 0..nslices-1 together cover every document once.
 * 0 or -1 (err). */
int docs_plan(sqlite3 *db, int k, int nslices, int n, docs_range *out,
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

/* The documents of range r: all of them when target is 0, else those
 * target still needs (pending_index).  Own connection.  NULL + err. */
docs_cursor *docs_open(const char *db_path, docs_range r, int64_t target,
		       char *err);

/* The documents target must delete (pending_delete).  NULL + err. */
docs_cursor *docs_open_deletes(const char *db_path, int64_t target,
			       char *err);

/* The next document: 1 (fields valid until the next call), 0 at the end,
 * -1 on error (docs_errmsg). */
int docs_next(docs_cursor *c, docs_doc *d);

const char *docs_errmsg(const docs_cursor *c);
void docs_close(docs_cursor *c); /* NULL is fine */

#endif
