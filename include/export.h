/*
 * export.h - sending the documents: reader threads, each on its own
 * connection and shard, build bulk bodies and either write them (dry run)
 * or send them to Elasticsearch with retries, so that every document ends
 * acknowledged or recorded as refused.
 */
#ifndef DC_EXPORT_H
#define DC_EXPORT_H

#include "es.h"

#include <stdatomic.h>
#include <stdint.h>

#define EXPORT_MAX_THREADS 64

typedef struct export_options {
	const char *db_path;
	const char *dry_run;   /* write the bulk NDJSON here ("-": stdout) */
	es_config es;          /* when not a dry run */
	const char *index;     /* default "donorschoose" */
	const char *alias;     /* load a new index, then move this alias */
	int threads;
	int shard_k, shard_n;  /* --shard k/n: 0-based k; n == 0: everything */
	uint64_t bulk_bytes;   /* a body is sent when it reaches this size */
	uint64_t bulk_docs;    /* ... or holds this many documents */
	int max_retries;       /* per batch, for retryable failures */
	int full;              /* send everything, whatever was sent before */
	int quiet;
	/* Set (by a signal handler) to stop: the batches in flight are
	 * settled and recorded, the index settings put back, and the export
	 * fails as interrupted.  May be NULL. */
	atomic_int *interrupted;
} export_options;

typedef struct export_summary {
	int up_to_date;        /* nothing changed since the last export */
	int full;              /* everything was sent (new index, --full) */
	uint64_t docs;         /* documents sent (or written) */
	uint64_t deletes;      /* deletions sent */
	uint64_t acked;        /* acknowledged by the server */
	uint64_t refused;      /* refused for good: see the refusals table */
	uint64_t retries;      /* requests or items sent again */
	uint64_t splits;       /* batches split after a 413 */
	uint64_t bytes;
	char index[256];       /* the index written to */
	int threads;
	double seconds;
	uint64_t peak_rss;
} export_summary;

/* 0 when every document was written or acknowledged or refused, -1 with
 * err otherwise (the summary still says how far it got). */
int export_run(const export_options *o, export_summary *s, char *err);

#endif
