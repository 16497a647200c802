/*
 * rowjson.h - writing a staged row as members of a JSON object, by its
 * columns' names and declared types, with the same bytes json_object()
 * writes in SQL.
 *
 * Each column becomes "<prefix><name>":<value>; missing values (NULL) are
 * left out; BOOLEAN columns become true or false; a LATITUDE REAL column
 * and a LONGITUDE REAL column become one "<prefix>location":[lon,lat], at
 * the latitude's place, when both are present.  The column fp (a row's
 * fingerprint) is never written.  The staging schema is thereby the one
 * definition of a document's fields.
 *
 * The same columns can be written as values only, one a column in order
 * with null for a missing one (JSON array elements): the compact form
 * in which project_docs keeps the project parts (projdocs.h).
 */
#ifndef DC_ROWJSON_H
#define DC_ROWJSON_H

#include "buf.h"

#include <sqlite3.h>
#include <stddef.h>

typedef struct rowjson {
	int first, n;          /* the statement's columns first..first+n-1 */
	int lon;               /* the LONGITUDE REAL column, or -1 */
	unsigned char *kind;   /* per column */
	buf keys;              /* "<prefix><name>": of each column */
	size_t *key_off;
} rowjson;

/* Describe columns first..first+n-1 of st, leaving out the column named
 * skip (NULL: none).  Free with rowjson_free(). */
void rowjson_init(rowjson *rj, sqlite3_stmt *st, int first, int n,
		  const char *prefix, const char *skip);

/* Append the current row of st as members to out, each preceded by a
 * comma when out does not end with '{'.  Returns the members written. */
int rowjson_write(const rowjson *rj, sqlite3_stmt *st, buf *out);

/* Append the values of the current row of st as JSON array elements,
 * each preceded by a comma when out does not end with '[': one a key,
 * null where rowjson_write() leaves a member out.  Returns the values
 * that are not missing. */
int rowjson_write_values(const rowjson *rj, sqlite3_stmt *st, buf *out);

/* The key ("<prefix><name>":) column i is written with, *len its bytes;
 * NULL for a column that is not written. */
const char *rowjson_key(const rowjson *rj, int i, size_t *len);

void rowjson_free(rowjson *rj);

/* The rows of a group as one value a column, with what list_or_value()
 * gives in SQL (sqlfuncs.h): a group of one row its column's value; a
 * group of several the JSON list of its values in row order, null for a
 * missing one.  Values are written by their type only, as json_array()
 * writes them; the keys are the columns' names (rowjson_key), and the
 * columns rowjson_init() leaves out are left out. */
typedef struct rowgroup {
	rowjson cols;          /* for the keys */
	buf *vals;             /* per column: its values so far, ','-joined */
	size_t rows;
} rowgroup;

void rowgroup_init(rowgroup *g, sqlite3_stmt *st, int first, int n);
/* Add the current row of st to the group. */
void rowgroup_add(rowgroup *g, sqlite3_stmt *st);
/* Append the group's values to out as rowjson_write_values() does (null
 * for a missing one, and for every column of an empty group), and empty
 * the group.  Returns the values that are not missing. */
int rowgroup_write_values(rowgroup *g, buf *out);
void rowgroup_free(rowgroup *g);

#endif
