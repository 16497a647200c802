/*
 * projdocs.h - the part of the documents that all donations of a project
 * share: its project_* fields and its resource groups, built once per
 * project into the table project_docs (projectid, vals, fp, gen; see
 * sql/schema.sql), which the exporter appends to each donation's own
 * fields.
 *
 * vals holds the part's values only, as a JSON array: one value a key of
 * partkeys, in its order, null for a missing one.  The keys are most of a
 * part's bytes (1.3 KB of 2.1 KB in the generator's dumps): stored with
 * every project, project_docs took 2.8 GB of the staging file at full
 * scale, and it takes 1.0 GB without them, which the load writes and the
 * export reads.  projdocs_expand() gives the part as the JSON object
 * sent, as the view document_parts does in SQL.
 *
 * vals is NULL when the project has no value at all; fp is dc_hash64 of
 * vals (0 for NULL), so that a rerun can tell which documents changed by
 * comparing it with what a target acknowledged.  A project whose part
 * comes out the same keeps its row and its gen, the data version at which
 * the part last changed; a project gone from the data keeps a row with
 * neither vals nor fp.  A rerun for a target synced at version V thereby
 * looks only at the donations of projects with a gen above V.
 */
#ifndef DC_PROJDOCS_H
#define DC_PROJDOCS_H

#include "buf.h"

#include <sqlite3.h>

enum projdocs_which {
	PROJDOCS_ALL,    /* every project: after a load */
	PROJDOCS_STALE   /* those in stale_projects, edited in the shell */
};

/* (Re)build the parts of those projects inside the caller's transaction;
 * PROJDOCS_STALE also empties stale_projects.  0 or -1 (err). */
int projdocs_build(sqlite3 *db, enum projdocs_which which, char *err);

/* The keys of the values of a part, in order: "project_<column>": for
 * the staged project columns (rowjson.h), then the resource members. */
typedef struct partkeys {
	buf text;        /* the keys, each a JSON string and ':' */
	size_t *off;     /* key i is text.data[off[i]] up to off[i + 1] */
	int n;           /* keys */
	int nres;        /* the last nres of them are the resource members */
} partkeys;

/* The keys of the staging file db.  0 or -1 (err); free with
 * projdocs_free_keys(), also after a failure. */
int projdocs_keys(sqlite3 *db, partkeys *k, char *err);
void projdocs_free_keys(partkeys *k);

/* Append the part whose values are vals (n bytes) to out as a JSON
 * object, with the missing values left out.  -1, with out as it was, when
 * vals is not an array of one value a key. */
int projdocs_expand(const partkeys *k, const char *vals, size_t n, buf *out);

#endif
