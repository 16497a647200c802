/*
 * filter.h - Elasticsearch's filter_path response filtering.
 *
 * A filter is a comma-separated list of dotted paths whose segments may
 * hold * wildcards, or be ** (any number of segments); arrays are
 * transparent.  Objects and arrays left empty are dropped, as
 * Elasticsearch does.  Exclusions (paths starting with '-') are ignored.
 */
#ifndef ESS_FILTER_H
#define ESS_FILTER_H

#include <jansson.h>

#define FP_MAX_DEPTH 64

enum { FP_NONE = 0, FP_PARTIAL = 1, FP_ALL = 2 };

struct fpath;

/* Compile a filter_path value; NULL when it keeps everything. */
struct fpath *fpath_new(const char *spec);
void fpath_free(struct fpath *fp);

/* Whether the node at path (depth segments) is kept whole (FP_ALL), may
 * keep some of its descendants (FP_PARTIAL), or is dropped (FP_NONE).
 * A NULL filter keeps everything. */
int fpath_match(const struct fpath *fp, const char *const *path, int depth);

/* The part of v (found at path) the filter keeps, as a new reference, or
 * NULL when nothing is kept.  path needs room for FP_MAX_DEPTH entries. */
json_t *fpath_filter(const struct fpath *fp, json_t *v, const char **path,
		     int depth);

#endif
