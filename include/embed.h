/*
 * embed.h - files of sql/ compiled into the binary (see scripts/embed.sh),
 * so that the installed tool needs nothing beside itself.
 */
#ifndef DC_EMBED_H
#define DC_EMBED_H

/* The text of sql/<name> (e.g. "schema.sql"), NUL-terminated and static;
 * NULL when no such file was embedded. */
const char *embed_text(const char *name);

#endif
