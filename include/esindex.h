/*
 * esindex.h - preparing the target index before an export and putting it
 * back in order after: creation with the mapping (sql/mapping.json),
 * bulk-load settings and their restoration, refresh, alias swap.
 */
#ifndef DC_ESINDEX_H
#define DC_ESINDEX_H

#include "es.h"

typedef struct esindex {
	char name[256];        /* the index written to */
	char uuid[64];         /* its index.uuid: tells a recreated index */
	int created;           /* created by this run */
	int tuned;             /* settings to put back at esindex_finish */
	char refresh[32];      /* previous refresh_interval ("" if unset) */
	char replicas[32];     /* previous number_of_replicas ("" if unset) */
} esindex;

/* Make sure the index exists (creating it with the mapping) and read its
 * uuid and settings.  0 or -1 (err). */
int esindex_prepare(es_client *c, const char *name, esindex *ix, char *err);

/* For a full load: refresh off and no replicas until esindex_finish. */
int esindex_tune(es_client *c, esindex *ix, char *err);

/* Settings to put back at esindex_finish in place of those read: the
 * real ones, kept by an export that turned them off and did not finish. */
void esindex_restore_later(esindex *ix, const char *refresh,
			   const char *replicas);

/* Restore what esindex_tune changed, then refresh.  0 or -1 (err). */
int esindex_finish(es_client *c, esindex *ix, char *err);

/* Point alias at index, removing it from every other index, atomically. */
int esindex_swap_alias(es_client *c, const char *alias, const char *index,
		       char *err);

#endif
