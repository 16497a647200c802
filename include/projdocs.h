/*
 * projdocs.h - the part of the documents that all donations of a project
 * share: its project_* fields and its resource groups, built once per
 * project into the table project_docs (projectid, doc, fp, gen; see
 * sql/schema.sql), which the exporter appends to each donation's own
 * fields.
 *
 * doc is a JSON object, or NULL when the project has no value at all; fp
 * is dc_hash64 of doc (0 for NULL), so that a rerun can tell which
 * documents changed by comparing it with what a target acknowledged.  A
 * project whose part comes out the same keeps its row and its gen, the
 * data version at which the part last changed; a project gone from the
 * data keeps a row with neither doc nor fp.  A rerun for a target synced
 * at version V thereby looks only at the donations of projects with a gen
 * above V.
 */
#ifndef DC_PROJDOCS_H
#define DC_PROJDOCS_H

#include <sqlite3.h>

enum projdocs_which {
	PROJDOCS_ALL,    /* every project: after a load */
	PROJDOCS_STALE   /* those in stale_projects, edited in the shell */
};

/* (Re)build the parts of those projects inside the caller's transaction;
 * PROJDOCS_STALE also empties stale_projects.  0 or -1 (err). */
int projdocs_build(sqlite3 *db, enum projdocs_which which, char *err);

#endif
