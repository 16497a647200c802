/*
 * bulk.c - _bulk request bodies (see bulk.h).
 */
#include "bulk.h"

#include <string.h>

static void add_action(buf *b, const char *action, const char *index,
		       const char *id, size_t idlen)
{
	buf_puts(b, "{\"");
	buf_puts(b, action);
	buf_puts(b, "\":{\"_index\":");
	buf_json_string(b, index, strlen(index));
	buf_puts(b, ",\"_id\":");
	buf_json_string(b, id, idlen);
	buf_puts(b, "}}\n");
}

void bulk_add_index(buf *b, const char *index, const char *id, size_t idlen,
		    const char *doc, size_t doclen, const char *part,
		    size_t partlen)
{
	add_action(b, "index", index, id, idlen);
	if (part && partlen > 2 && doclen > 2) {
		buf_append(b, doc, doclen - 1);  /* without its '}' */
		buf_putc(b, ',');
		buf_append(b, part + 1, partlen - 1);  /* without its '{' */
	} else {
		buf_append(b, doc, doclen);
	}
	buf_putc(b, '\n');
}

void bulk_add_delete(buf *b, const char *index, const char *id, size_t idlen)
{
	add_action(b, "delete", index, id, idlen);
}
