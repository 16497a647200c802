/*
 * target.h - the export state of one target (cluster URL + index) in the
 * staging file: which documents it acknowledged, and whether it is still
 * the index that state describes.
 */
#ifndef DC_TARGET_H
#define DC_TARGET_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

typedef struct target {
	int64_t id;              /* targets.id */
	char uuid[64];           /* the index uuid the state describes */
	int64_t synced_version;  /* data version of the last complete export */
	int synced;              /* there was one */
} target;

/* Find the target's row, creating it when new.  0 or -1 (err). */
int target_open(sqlite3 *db, const char *url, const char *index, target *t,
		char *err);

/* Forget everything sent to it (for a full export into the index whose
 * uuid is given).  0 or -1 (err). */
int target_reset(sqlite3 *db, target *t, const char *uuid, char *err);

/* How an export ended: every document, one --shard slice, or a failure. */
enum target_outcome { TARGET_COMPLETE, TARGET_PARTIAL, TARGET_FAILED };

/* Record the end of an export: complete ones remember the data version
 * they sent, so that an unchanged rerun has nothing to do. */
int target_finish(sqlite3 *db, const target *t, int64_t version,
		  enum target_outcome outcome, char *err);

/* The settings a full export turns off on the index with this uuid, kept
 * in the staging file until they are back (table tuned_settings): keep
 * stores them unless some are kept already (those are the real ones,
 * from an export that did not finish), kept reads them back (1, or 0
 * when none; refresh and replicas of n bytes), forget drops them. */
int target_keep_settings(sqlite3 *db, const char *uuid, const char *refresh,
			 const char *replicas, char *err);
int target_kept_settings(sqlite3 *db, const char *uuid, char *refresh,
			 char *replicas, size_t n, char *err);
int target_forget_settings(sqlite3 *db, const char *uuid, char *err);

/* Rebuild the shared project part of the documents of projects edited in
 * the shell (stale_projects).  0 or -1 (err). */
int target_refresh_projects(sqlite3 *db, char *err);

#endif
