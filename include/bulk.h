/*
 * bulk.h - building Elasticsearch _bulk request bodies (NDJSON: an action
 * line, then for index the document line; every line ends with \n).
 */
#ifndef DC_BULK_H
#define DC_BULK_H

#include "buf.h"

#include <stddef.h>

/* {"index":{"_index":"<index>","_id":"<id>"}}\n<doc>\n, where doc is a
 * JSON object to which the members of the object part (NULL: none) are
 * added, so that the two are joined without an SQL string copy. */
void bulk_add_index(buf *b, const char *index, const char *id, size_t idlen,
		    const char *doc, size_t doclen, const char *part,
		    size_t partlen);

/* {"delete":{"_index":"<index>","_id":"<id>"}}\n */
void bulk_add_delete(buf *b, const char *index, const char *id, size_t idlen);

#endif
