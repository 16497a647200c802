/*
 * rowjson.c - a staged row as JSON object members (see rowjson.h).
 *
 * Written here rather than by json_object() in SQL: the same bytes (the
 * tests compare the two) at a fraction of the cost, which matters for the
 * millions of rows a load and an export go through.
 */
#include "rowjson.h"
#include "dcstage.h"
#include "sqlfuncs.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum kind { SKIP, VALUE, FLAG, LOCATION };

void rowjson_init(rowjson *rj, sqlite3_stmt *st, int first, int n,
		  const char *prefix, const char *skip)
{
	memset(rj, 0, sizeof *rj);
	rj->first = first;
	rj->n = n;
	rj->lon = -1;
	rj->kind = dc_calloc((size_t)n + 1, 1);
	rj->key_off = dc_calloc((size_t)n + 1, sizeof *rj->key_off);
	for (int i = 0; i < n; i++) {
		const char *name = sqlite3_column_name(st, first + i);
		const char *type = sqlite3_column_decltype(st, first + i);
		buf key = BUF_INIT;

		rj->key_off[i] = rj->keys.len;
		if (!strcmp(name, "fp") || (skip && !strcmp(name, skip)))
			continue;
		if (type && !strcasecmp(type, "LONGITUDE REAL")) {
			rj->lon = first + i;
			continue;
		}
		rj->kind[i] = !type ? VALUE
			: !strcasecmp(type, "BOOLEAN") ? FLAG
			: !strcasecmp(type, "LATITUDE REAL") ? LOCATION : VALUE;
		buf_printf(&key, "%s%s", prefix,
			   rj->kind[i] == LOCATION ? "location" : name);
		buf_json_string(&rj->keys, key.data, key.len);
		buf_putc(&rj->keys, ':');
		buf_free(&key);
	}
	rj->key_off[n] = rj->keys.len;
}

/* One column as a JSON value, as json_object() writes it; 0 if missing.
 * The column is read as one sqlite3_value: each sqlite3_column_*() call
 * costs an error check of the statement, three of them a column, a fifth
 * of building the project parts.  The value is unprotected, which is safe
 * here: every connection is used by one thread only. */
static int add_value(buf *out, sqlite3_stmt *st, int col, int kind)
{
	sqlite3_value *v = sqlite3_column_value(st, col);

	switch (sqlite3_value_type(v)) {
	case SQLITE_NULL:
		return 0;
	case SQLITE_INTEGER:
		if (kind == FLAG) {
			sqlite3_int64 i = sqlite3_value_int64(v);

			if (i != 0 && i != 1)
				return 0;
			buf_puts(out, i ? "true" : "false");
			return 1;
		}
		buf_put_int(out, sqlite3_value_int64(v));
		return 1;
	case SQLITE_FLOAT:
		if (kind == FLAG)
			return 0;
		sqlfuncs_json_real(out, sqlite3_value_double(v));
		return 1;
	default:
		if (kind == FLAG)
			return 0;
		buf_json_string(out, (const char *)sqlite3_value_text(v),
				(size_t)sqlite3_value_bytes(v));
		return 1;
	}
}

/* [lon,lat], as json_array() writes it; 0 unless both are present. */
static int add_location(buf *out, sqlite3_stmt *st, int lat, int lon)
{
	sqlite3_value *y, *x;

	if (lon < 0)
		return 0;
	y = sqlite3_column_value(st, lat);
	x = sqlite3_column_value(st, lon);
	if (sqlite3_value_type(y) == SQLITE_NULL ||
	    sqlite3_value_type(x) == SQLITE_NULL)
		return 0;
	buf_putc(out, '[');
	sqlfuncs_json_real(out, sqlite3_value_double(x));
	buf_putc(out, ',');
	sqlfuncs_json_real(out, sqlite3_value_double(y));
	buf_putc(out, ']');
	return 1;
}

/* Column i of the current row into out; 0 if missing. */
static int add_column(const rowjson *rj, sqlite3_stmt *st, int i, buf *out)
{
	int col = rj->first + i;

	return rj->kind[i] == LOCATION ? add_location(out, st, col, rj->lon)
		: add_value(out, st, col, rj->kind[i]);
}

/* A comma before the next member or element, unless it is the first. */
static void separate(buf *out)
{
	if (out->len > 0 && out->data[out->len - 1] != '{' &&
	    out->data[out->len - 1] != '[')
		buf_putc(out, ',');
}

int rowjson_write(const rowjson *rj, sqlite3_stmt *st, buf *out)
{
	int members = 0;

	for (int i = 0; i < rj->n; i++) {
		size_t mark = out->len;

		if (rj->kind[i] == SKIP)
			continue;
		separate(out);
		buf_append(out, rj->keys.data + rj->key_off[i],
			   rj->key_off[i + 1] - rj->key_off[i]);
		if (add_column(rj, st, i, out)) {
			members++;
		} else {
			out->len = mark;
			out->data[mark] = '\0';
		}
	}
	return members;
}

int rowjson_write_values(const rowjson *rj, sqlite3_stmt *st, buf *out)
{
	int present = 0;

	for (int i = 0; i < rj->n; i++) {
		if (rj->kind[i] == SKIP)
			continue;
		separate(out);
		if (add_column(rj, st, i, out))
			present++;
		else
			buf_append(out, "null", 4);
	}
	return present;
}

const char *rowjson_key(const rowjson *rj, int i, size_t *len)
{
	*len = rj->key_off[i + 1] - rj->key_off[i];
	return rj->kind[i] == SKIP ? NULL : rj->keys.data + rj->key_off[i];
}

void rowjson_free(rowjson *rj)
{
	free(rj->kind);
	free(rj->key_off);
	buf_free(&rj->keys);
	memset(rj, 0, sizeof *rj);
}

void rowgroup_init(rowgroup *g, sqlite3_stmt *st, int first, int n)
{
	rowjson_init(&g->cols, st, first, n, "", NULL);
	g->vals = dc_calloc((size_t)n + 1, sizeof *g->vals);
	g->rows = 0;
}

void rowgroup_add(rowgroup *g, sqlite3_stmt *st)
{
	for (int i = 0; i < g->cols.n; i++) {
		buf *v = &g->vals[i];

		if (g->cols.kind[i] == SKIP)
			continue;
		if (g->rows)
			buf_putc(v, ',');
		if (!add_value(v, st, g->cols.first + i, VALUE))
			buf_append(v, "null", 4);
	}
	g->rows++;
}

int rowgroup_write_values(rowgroup *g, buf *out)
{
	const rowjson *rj = &g->cols;
	int present = 0;

	for (int i = 0; i < rj->n; i++) {
		const buf *v = &g->vals[i];

		if (rj->kind[i] == SKIP)
			continue;
		separate(out);
		if (g->rows == 0 ||
		    (g->rows == 1 && v->len == 4 && !memcmp(v->data, "null", 4))) {
			buf_append(out, "null", 4);
			continue;
		}
		if (g->rows > 1)
			buf_putc(out, '[');
		buf_append(out, v->data, v->len);
		if (g->rows > 1)
			buf_putc(out, ']');
		present++;
	}
	for (int i = 0; i < rj->n; i++)
		buf_reset(&g->vals[i]);
	g->rows = 0;
	return present;
}

void rowgroup_free(rowgroup *g)
{
	for (int i = 0; g->vals && i < g->cols.n; i++)
		buf_free(&g->vals[i]);
	free(g->vals);
	rowjson_free(&g->cols);
	memset(g, 0, sizeof *g);
}
