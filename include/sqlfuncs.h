/*
 * sqlfuncs.h - the custom SQL functions that convert the dump's text values
 * while loading, fingerprint documents, and build the project documents:
 *
 *   iso_date(x [, col])   TEXT, ISO 8601 (val_date)
 *   dc_double(x [, col])  REAL
 *   dc_count(x [, col])   INTEGER
 *   dc_flag(x [, col])    INTEGER 1 or 0
 *   dc_lat(x [, col]), dc_lon(x [, col])  REAL, range-checked
 *   dc_id(x [, col])      TEXT without a surrounding pair of quotes
 *   dc_text(x [, col])    TEXT, invalid UTF-8 replaced by U+FFFD
 *   dc_hash(x)            INTEGER, dc_hash64 of the value's bytes (NULL: 0)
 *   list_or_value(x)      aggregate: the value of a one-row group, else a
 *                         JSON array of the values (subtype 'J')
 *   dc_object(k, v, ... [, tail])  a JSON object of the non-NULL pairs,
 *                         then tail's members (subtype 'J'); NULL if empty
 *
 * A converter gives NULL for NULL, empty and invalid input.  With the
 * second argument (the column's name) and a sink registered, each invalid
 * value is also reported to the sink; dc_text reports the values it had to
 * repair (and returns the repaired text).
 *
 * Built into the tool, and on its own as the loadable extension dcstage.so
 * for the sqlite3 shell (`.load dcstage`), where no sink exists.
 */
#ifndef DC_SQLFUNCS_H
#define DC_SQLFUNCS_H

#include <sqlite3.h>
#include <stddef.h>

/* Where refused values go.  report() is called on the thread running the
 * statement, with the column name given to the function, the value's bytes
 * (value[0..n), not NUL-terminated) and a short reason.  Every pointer is
 * valid only during the call. */
typedef struct sqlfuncs_sink {
	void (*report)(void *ctx, const char *column, const char *value,
		       size_t n, const char *reason);
	void *ctx;
} sqlfuncs_sink;

/* Register (or replace) every function on db.  sink may be NULL (nothing
 * is reported); otherwise it must outlive db's use of the functions.
 * Returns SQLITE_OK or an SQLite error code. */
int sqlfuncs_register(sqlite3 *db, const sqlfuncs_sink *sink);

/* Once per process (any number of calls, any thread): make every
 * connection opened afterwards have the functions, without a sink. */
void sqlfuncs_auto_register(void);

/* The extension's entry point, found by `.load dcstage` in the shell. */
int sqlite3_dcstage_init(sqlite3 *db, char **pzErrMsg,
			 const sqlite3_api_routines *pApi);

#endif
