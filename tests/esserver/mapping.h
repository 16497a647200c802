/*
 * mapping.h - an index mapping, compiled from the "mappings" given when the
 * index was created, and the check of one document against it.
 *
 * A mapping never changes after it is compiled, so any number of threads
 * may check documents against it at once, each with its own mcheck scratch.
 * Checked field types: keyword, text (any scalar), date (formats
 * strict_date_optional_time, date_optional_time, strict_date, epoch_millis,
 * epoch_second), long, integer, short, byte, unsigned_long, double, float,
 * half_float, scaled_float, boolean, geo_point, object and nested.  Other
 * known types are accepted unchecked; fields not in the mapping are
 * accepted unless the mapping says "dynamic": "strict".
 */
#ifndef ESS_MAPPING_H
#define ESS_MAPPING_H

#include "util.h"

#include <jansson.h>
#include <stddef.h>

struct mapping;
struct mcheck;

/* Compile the value of "mappings" ({"properties":{...},...}).  Returns NULL
 * and writes the reason of a mapper_parsing_exception into err (err_size
 * bytes) when the definition is not one Elasticsearch would accept. */
struct mapping *mapping_new(json_t *mappings, char *err, size_t err_size);
void mapping_free(struct mapping *m);

/* Scratch space for mapping_check(); one per thread at a time. */
struct mcheck *mcheck_new(void);
void mcheck_free(struct mcheck *c);

/*
 * Check one document source (n bytes of JSON text, one object) against m;
 * with m NULL only that it is a well-formed JSON object without duplicate
 * or metadata fields.  Returns 0 when Elasticsearch would index it, else -1
 * with the item's error object ({"type":..,"reason":..}) appended to err.
 * id names the document in the messages.
 */
int mapping_check(struct mcheck *c, const struct mapping *m, const char *doc,
		  size_t n, const char *id, size_t idlen, struct sbuf *err);

#endif
