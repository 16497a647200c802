/*
 * sqlfuncs.h - the custom SQL functions: the converters of the dump's text
 * values (one per column kind of values.h), document fingerprints, and the
 * builders of the project documents:
 *
 *   iso_date(x)    TEXT, ISO 8601 (val_date)
 *   dc_double(x)   REAL
 *   dc_count(x)    INTEGER
 *   dc_flag(x)     INTEGER 1 or 0
 *   dc_lat(x), dc_lon(x)  REAL, range-checked
 *   dc_id(x)       TEXT without a surrounding pair of quotes
 *   dc_text(x)     TEXT, invalid UTF-8 replaced by U+FFFD
 *   dc_hash(x)     INTEGER, dc_hash64 of the value's bytes (NULL: 0)
 *   list_or_value(x)  aggregate: the value of a one-row group, else a
 *                  JSON array of the values (subtype 'J')
 *   dc_object(k, v, ... [, tail])  a JSON object of the non-NULL pairs,
 *                  then tail's members (subtype 'J'); NULL if empty
 *
 * A converter gives NULL for NULL, empty and invalid input.
 *
 * Built into the tool, and on its own as the loadable extension dcstage.so
 * for the sqlite3 shell (`.load dcstage`).
 */
#ifndef DC_SQLFUNCS_H
#define DC_SQLFUNCS_H

#include "buf.h"

#include <sqlite3.h>

/* Register (or replace) every function on db.  Returns SQLITE_OK or an
 * SQLite error code. */
int sqlfuncs_register(sqlite3 *db);

/* Once per process (any number of calls, any thread): make every
 * connection opened afterwards have the functions. */
void sqlfuncs_auto_register(void);

/* Append v as SQLite's JSON functions write a real (the C builders of
 * documents use it, so that their bytes are SQLite's). */
void sqlfuncs_json_real(buf *b, double v);

/* The extension's entry point, found by `.load dcstage` in the shell. */
int sqlite3_dcstage_init(sqlite3 *db, char **pzErrMsg,
			 const sqlite3_api_routines *pApi);

#endif
