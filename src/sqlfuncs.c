/*
 * sqlfuncs.c - the custom SQL functions (see sqlfuncs.h for the list).
 *
 * Built into the tool (with SQLITE_CORE, where the extension macros do
 * nothing) and as the loadable extension dcstage.so, for looking at a
 * staging file in the sqlite3 shell:
 *
 *     sqlite3 staging.db
 *     sqlite> .load build/dcstage
 *     sqlite> SELECT iso_date('2011-04-14 10:11:12.5'), dc_count('23.0');
 *
 * The converters are val_convert() (values.c), which the loader also
 * calls directly on every field it reads, one SQL function per column
 * kind: the same conversion in the shell as in the staged tables.
 * list_or_value() keeps a one-row group's value inside its aggregate
 * context when it is short, and grows the JSON list in one buffer.
 */
#include "sqlfuncs.h"
#include "buf.h"
#include "dcstage.h"
#include "values.h"

#include <pthread.h>
#include <sqlite3ext.h>
#include <stdlib.h>
#include <string.h>

SQLITE_EXTENSION_INIT1

#ifndef SQLITE_INNOCUOUS
#define SQLITE_INNOCUOUS 0
#endif
#ifndef SQLITE_SUBTYPE
#define SQLITE_SUBTYPE 0
#endif
#ifndef SQLITE_RESULT_SUBTYPE
#define SQLITE_RESULT_SUBTYPE 0
#endif

#define PURE (SQLITE_UTF8 | SQLITE_DETERMINISTIC)
#define LIST_FLAGS (PURE | SQLITE_INNOCUOUS | SQLITE_SUBTYPE | \
		    SQLITE_RESULT_SUBTYPE)
#define JSON_SUBTYPE 'J' /* what SQLite's JSON functions mark JSON text with */

/* ---- the converters ---- */

/* One function per column kind (the kind is the function's user data):
 * the argument's text (its text form for a number, its bytes for a blob)
 * through val_convert(), NULL for NULL, empty or invalid input. */
static void fn_convert(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const enum val_kind *kind = sqlite3_user_data(ctx);
	buf text = BUF_INIT;
	val_cell c;
	const char *s;
	size_t n;

	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
		return;
	s = (const char *)sqlite3_value_text(argv[0]);
	n = (size_t)sqlite3_value_bytes(argv[0]);
	if (!s) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	if (n > UINT32_MAX) {
		sqlite3_result_error_toobig(ctx);
		return;
	}
	val_convert(*kind, s, n, &c, &text, NULL);
	if (c.type == VAL_INT)
		sqlite3_result_int64(ctx, c.v.i);
	else if (c.type == VAL_REAL)
		sqlite3_result_double(ctx, c.v.d);
	else if (c.type == VAL_TEXT)
		sqlite3_result_text64(ctx, text.data + c.v.off, c.len,
				      SQLITE_TRANSIENT, SQLITE_UTF8);
	buf_free(&text);
}

static void fn_hash(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const void *p;
	size_t n;

	(void)argc;
	switch (sqlite3_value_type(argv[0])) {
	case SQLITE_NULL:
		sqlite3_result_int64(ctx, 0);
		return;
	case SQLITE_BLOB:
		p = sqlite3_value_blob(argv[0]);
		break;
	default:
		p = sqlite3_value_text(argv[0]);
		break;
	}
	n = (size_t)sqlite3_value_bytes(argv[0]);
	if (!p && n) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	sqlite3_result_int64(ctx, (sqlite3_int64)dc_hash64(p ? p : "", n, 0));
}

/* ---- list_or_value() ---- */

/* One value as the aggregate sees it. */
typedef struct item {
	int type;        /* SQLITE_NULL, _INTEGER, _FLOAT, _TEXT, _BLOB */
	int is_json;     /* text marked as JSON: embedded as is */
	sqlite3_int64 i;
	double r;
	const char *s;   /* text or blob bytes */
	size_t n;
} item;

#define LOV_INLINE 64

/* The aggregate context of one group.  The first value is kept until a
 * second arrives: its bytes in `small` when they fit, else in `list`;
 * from the second row on, `list` holds the JSON array being built. */
typedef struct lov {
	sqlite3_int64 rows;
	buf list;
	item first;      /* first.s is NULL: its bytes are in small or list */
	char small[LOV_INLINE];
} lov;

/* The value of v as an item; -1 when memory ran out. */
static int item_of(sqlite3_value *v, item *it)
{
	memset(it, 0, sizeof *it);
	it->type = sqlite3_value_type(v);
	switch (it->type) {
	case SQLITE_INTEGER:
		it->i = sqlite3_value_int64(v);
		return 0;
	case SQLITE_FLOAT:
		it->r = sqlite3_value_double(v);
		return 0;
	case SQLITE_TEXT:
		it->s = (const char *)sqlite3_value_text(v);
		it->is_json = sqlite3_value_subtype(v) == JSON_SUBTYPE;
		break;
	case SQLITE_BLOB:
		it->s = sqlite3_value_blob(v);
		break;
	default:
		return 0;
	}
	it->n = (size_t)sqlite3_value_bytes(v);
	if (!it->s && it->n)
		return -1;
	if (!it->s)
		it->s = "";
	return 0;
}

void sqlfuncs_json_real(buf *b, double v)
{
	char tmp[64];

	if (buf_put_decimal(b, v))
		return;
	sqlite3_snprintf(sizeof tmp, tmp, "%!0.15g", v);
	buf_puts(b, tmp);
}

/* it as JSON, formatted as json_array() formats it; -1 for a blob. */
static int append_item(buf *b, const item *it)
{
	switch (it->type) {
	case SQLITE_NULL:
		buf_append(b, "null", 4);
		return 0;
	case SQLITE_INTEGER:
		buf_put_int(b, it->i);
		return 0;
	case SQLITE_FLOAT:
		sqlfuncs_json_real(b, it->r);
		return 0;
	case SQLITE_TEXT:
		if (it->is_json)
			buf_append(b, it->s, it->n);
		else
			buf_json_string(b, it->s, it->n);
		return 0;
	default:
		return -1;
	}
}

/* Keep the group's first value, its bytes inline when they fit. */
static void keep_first(lov *st, const item *it)
{
	st->first = *it;
	st->first.s = NULL;
	if (it->type != SQLITE_TEXT && it->type != SQLITE_BLOB)
		return;
	if (it->n <= LOV_INLINE)
		memcpy(st->small, it->s, it->n);
	else
		buf_append(&st->list, it->s, it->n);
}

static const char *first_bytes(const lov *st)
{
	return st->first.n <= LOV_INLINE ? st->small : st->list.data;
}

/* The second row: the list starts with the first value. */
static int start_list(lov *st)
{
	buf kept = BUF_INIT;
	item first = st->first;
	int rc;

	if (first.n > LOV_INLINE) {
		kept = st->list;
		st->list = (buf)BUF_INIT;
	}
	first.s = first.n > LOV_INLINE ? kept.data : st->small;
	buf_putc(&st->list, '[');
	rc = append_item(&st->list, &first);
	buf_free(&kept);
	return rc;
}

static void lov_step(sqlite3_context *ctx, int argc,
		     sqlite3_value **argv)
{
	lov *st = sqlite3_aggregate_context(ctx, (int)sizeof *st);
	item it;
	int rc = 0;

	(void)argc;
	if (!st || item_of(argv[0], &it) != 0) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	if (st->rows == 0) {
		keep_first(st, &it);
	} else {
		if (st->rows == 1)
			rc = start_list(st);
		buf_putc(&st->list, ',');
		if (rc == 0)
			rc = append_item(&st->list, &it);
	}
	st->rows++;
	if (rc != 0)
		sqlite3_result_error(ctx, "cannot put a blob into a JSON list",
				     -1);
}

/* A one-row group: its value itself, with its type. */
static void result_first(sqlite3_context *ctx, lov *st)
{
	const item *f = &st->first;
	size_t n = f->n;

	switch (f->type) {
	case SQLITE_INTEGER:
		sqlite3_result_int64(ctx, f->i);
		break;
	case SQLITE_FLOAT:
		sqlite3_result_double(ctx, f->r);
		break;
	case SQLITE_TEXT:
		if (n > LOV_INLINE)
			sqlite3_result_text64(ctx, buf_detach(&st->list), n,
					      free, SQLITE_UTF8);
		else
			sqlite3_result_text64(ctx, st->small, n,
					      SQLITE_TRANSIENT, SQLITE_UTF8);
		if (f->is_json)
			sqlite3_result_subtype(ctx, JSON_SUBTYPE);
		break;
	case SQLITE_BLOB:
		sqlite3_result_blob64(ctx, first_bytes(st), n,
				      SQLITE_TRANSIENT);
		break;
	default:
		break;
	}
}

static void lov_final(sqlite3_context *ctx)
{
	lov *st = sqlite3_aggregate_context(ctx, 0);

	if (!st || st->rows == 0)
		return;
	if (st->rows == 1) {
		result_first(ctx, st);
	} else {
		size_t len;

		buf_putc(&st->list, ']');
		len = st->list.len;
		sqlite3_result_text64(ctx, buf_detach(&st->list), len, free,
				      SQLITE_UTF8);
		sqlite3_result_subtype(ctx, JSON_SUBTYPE);
	}
	buf_free(&st->list);
}

/* ---- dc_object ---- */

/* Append the members of the JSON object text tail (after b's own). */
static void append_members(buf *b, sqlite3_value *tail)
{
	const char *t = (const char *)sqlite3_value_text(tail);
	size_t n = (size_t)sqlite3_value_bytes(tail);

	if (!t || n <= 2 || t[0] != '{' || t[n - 1] != '}')
		return;
	buf_putc(b, b->len ? ',' : '{');
	buf_append(b, t + 1, n - 2);
}

/*
 * dc_object(k1, v1, ..., kn, vn [, tail]): what
 * json_patch('{}', json_object(k1, v1, ...)) gives, the members whose value
 * is NULL left out, in one pass; with an odd number of arguments, the
 * members of the JSON object tail follow.  NULL when nothing is left.
 */
static void fn_object(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	buf b = BUF_INIT;
	item it;
	size_t len;

	for (int i = 0; i + 1 < argc; i += 2) {
		const char *k = (const char *)sqlite3_value_text(argv[i]);

		if (!k || item_of(argv[i + 1], &it) != 0 ||
		    it.type == SQLITE_NULL)
			continue;
		buf_putc(&b, b.len ? ',' : '{');
		buf_json_string(&b, k, (size_t)sqlite3_value_bytes(argv[i]));
		buf_putc(&b, ':');
		if (append_item(&b, &it) != 0) {
			buf_free(&b);
			sqlite3_result_error(ctx, "dc_object: a blob is not "
					     "JSON", -1);
			return;
		}
	}
	if (argc % 2)
		append_members(&b, argv[argc - 1]);
	if (!b.len)
		return;
	buf_putc(&b, '}');
	len = b.len;
	sqlite3_result_text64(ctx, buf_detach(&b), len, free, SQLITE_UTF8);
	sqlite3_result_subtype(ctx, JSON_SUBTYPE);
}

/* ---- registration ---- */

static const struct converter {
	const char *name;
	enum val_kind kind;
} converters[] = {
	{ "iso_date", VAL_KIND_DATE },
	{ "dc_double", VAL_KIND_DOUBLE },
	{ "dc_count", VAL_KIND_COUNT },
	{ "dc_flag", VAL_KIND_FLAG },
	{ "dc_lat", VAL_KIND_LAT },
	{ "dc_lon", VAL_KIND_LON },
	{ "dc_id", VAL_KIND_ID },
	{ "dc_text", VAL_KIND_TEXT },
};

int sqlfuncs_register(sqlite3 *db)
{
	size_t n = sizeof converters / sizeof converters[0];
	int rc = SQLITE_OK;

	for (size_t i = 0; rc == SQLITE_OK && i < n; i++)
		rc = sqlite3_create_function_v2(
			db, converters[i].name, 1, PURE | SQLITE_INNOCUOUS,
			(void *)&converters[i].kind, fn_convert, NULL, NULL,
			NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function_v2(db, "dc_hash", 1,
						PURE | SQLITE_INNOCUOUS, NULL,
						fn_hash, NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function_v2(db, "dc_object", -1,
						LIST_FLAGS, NULL, fn_object,
						NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function_v2(db, "list_or_value", 1,
						LIST_FLAGS, NULL, NULL,
						lov_step, lov_final, NULL);
	return rc;
}

static pthread_once_t auto_once = PTHREAD_ONCE_INIT;

static void install_auto(void)
{
	sqlite3_auto_extension((void (*)(void))sqlite3_dcstage_init);
}

void sqlfuncs_auto_register(void)
{
	pthread_once(&auto_once, install_auto);
}

int sqlite3_dcstage_init(sqlite3 *db, char **pzErrMsg,
			 const sqlite3_api_routines *pApi)
{
	SQLITE_EXTENSION_INIT2(pApi);
	(void)pzErrMsg;
	(void)pApi;
	return sqlfuncs_register(db);
}
