/*
 * projdocs.c - building project_docs (see projdocs.h).
 *
 * The project rows are walked in rowid order and their values written by
 * rowjson.c; each is merged with its resource group, so that every part
 * is built in one pass with nothing materialized in between.  The keys
 * are not stored with the values (projdocs.h): projdocs_keys() gives
 * them, from the same statements the build reads, and projdocs_expand()
 * puts them back.
 * The groups come one of two ways:
 *   - in file order (sql/resource_rows.sql): after a load, when the dump
 *     lists each project's resources together and in the order of its
 *     projects, as the generator's dumps do, one pass over the resources
 *     table gives the groups in the projects' order, grouped here
 *     (rowgroup in rowjson.h).  The merge checks that order as it goes; a
 *     resource out of it rolls the build back to build the other way.
 *   - by project (sql/resource_groups.sql, list_or_value() in SQL): the
 *     index resources_project finds each project's rows.  This serves any
 *     order and any set of projects, but each lookup is a read at a
 *     random place: measured alone on the full dump, 7.3 s of the 20.7 s
 *     the step then took.
 */
#include "projdocs.h"
#include "buf.h"
#include "dcstage.h"
#include "rowjson.h"
#include "stage.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

typedef struct builder {
	sqlite3 *db;
	sqlite3_stmt *rows, *groups, *find, *update, *insert;
	rowjson fields;
	int group_rc;          /* of the last step of groups */
	/* in file order: the resources (res), the rowid of a project by its
	 * id (prow), the current run of one projectid's rows */
	int file_order;
	sqlite3_stmt *res, *prow;
	int res_rc;            /* of the last step of res */
	buf run_id;
	sqlite3_int64 run_prow; /* its project's rowid, -1 none, 0 unknown */
	rowgroup group;        /* the rows taken for the current project */
	int fresh;             /* project_docs was empty: see begin_fresh */
	int64_t gen;           /* the data version being built */
	buf nulls;             /* "null,null,...": a group of no resources */
	buf doc;               /* the part's values (vals), see projdocs.h */
	char *err;
} builder;

static int fail(builder *b, const char *what)
{
	return dc_seterr(b->err, "cannot build the project documents: %s: %s",
			 what, sqlite3_errmsg(b->db));
}

/* Move groups on to the first project >= rowid; 1 when it is rowid. */
static int find_group(builder *b, sqlite3_int64 rowid)
{
	while (b->group_rc == SQLITE_ROW) {
		sqlite3_int64 g = sqlite3_column_int64(b->groups, 0);

		if (g >= rowid)
			return g == rowid;
		b->group_rc = sqlite3_step(b->groups);
	}
	return 0;
}

/* The values of project rowid's group (by project) into b->doc: 1 if
 * any is not missing. */
static int add_group(builder *b, sqlite3_int64 rowid)
{
	const char *g = b->nulls.data;
	size_t gn = b->nulls.len;

	if (find_group(b, rowid) &&
	    sqlite3_column_type(b->groups, 1) != SQLITE_NULL) {
		g = (const char *)sqlite3_column_text(b->groups, 1) + 1;
		gn = (size_t)sqlite3_column_bytes(b->groups, 1) - 2;
	}
	if (b->doc.len > 1)
		buf_putc(&b->doc, ',');
	buf_append(&b->doc, g, gn); /* its elements */
	return gn != b->nulls.len || memcmp(g, b->nulls.data, gn) != 0;
}

/* ---- groups in file order ---- */

#define OUT_OF_ORDER 1

/* Whether the current resource row belongs to the run in b->run_id. */
static int in_run(const builder *b)
{
	const void *id = sqlite3_column_text(b->res, 0);
	size_t n = (size_t)sqlite3_column_bytes(b->res, 0);

	return id && n == b->run_id.len && !memcmp(id, b->run_id.data, n);
}

/* Step past the current run of resources, adding its rows to the group
 * when add. */
static int take_run(builder *b, int add)
{
	buf_reset(&b->run_id);
	buf_append(&b->run_id, sqlite3_column_text(b->res, 0),
		   (size_t)sqlite3_column_bytes(b->res, 0));
	do {
		if (add)
			rowgroup_add(&b->group, b->res);
		b->res_rc = sqlite3_step(b->res);
	} while (b->res_rc == SQLITE_ROW && in_run(b));
	b->run_prow = 0;
	return b->res_rc == SQLITE_ROW || b->res_rc == SQLITE_DONE ? 0
		: fail(b, "resources");
}

/* The rowid of the project of the current run into b->run_prow, -1 for
 * none (the run's resources are orphans). */
static int find_run_project(builder *b)
{
	int rc;

	if (b->run_prow)
		return 0;
	sqlite3_bind_value(b->prow, 1, sqlite3_column_value(b->res, 0));
	rc = sqlite3_step(b->prow);
	b->run_prow = rc == SQLITE_ROW ? sqlite3_column_int64(b->prow, 0) : -1;
	sqlite3_reset(b->prow);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0
		: fail(b, "resource's project");
}

/* Take the run of project (rowid, id) into b->group, if it is next.
 * Orphan runs are stepped over; a run of a project before this one means
 * the dump is not in order: OUT_OF_ORDER.  With rowid 0 (past the last
 * project), every run left must be an orphan's. */
static int take_group(builder *b, sqlite3_int64 rowid, const void *id,
		      size_t n)
{
	while (b->res_rc == SQLITE_ROW) {
		const void *y = sqlite3_column_text(b->res, 0);

		if (y && rowid && (size_t)sqlite3_column_bytes(b->res, 0) == n &&
		    !memcmp(y, id, n))
			return take_run(b, 1);
		if (find_run_project(b) != 0)
			return -1;
		if (b->run_prow > 0 && (!rowid || b->run_prow < rowid))
			return OUT_OF_ORDER;
		if (b->run_prow > 0)
			return 0;       /* a later project's: this one has none */
		if (take_run(b, 0) != 0)
			return -1;
	}
	return b->res_rc == SQLITE_DONE ? 0 : fail(b, "resources");
}

/* The current project's part into b->doc, *has_doc whether any of its
 * values is not missing: 0, -1 or OUT_OF_ORDER. */
static int build_part(builder *b, int *has_doc)
{
	sqlite3_int64 rowid = sqlite3_column_int64(b->rows, 0);
	int present, rc = 0;

	buf_reset(&b->doc);
	buf_putc(&b->doc, '[');
	present = rowjson_write_values(&b->fields, b->rows, &b->doc);
	if (!b->file_order)
		present += add_group(b, rowid);
	else if ((rc = take_group(b, rowid, sqlite3_column_text(b->rows, 1),
				  (size_t)sqlite3_column_bytes(b->rows, 1))) == 0)
		present += rowgroup_write_values(&b->group, &b->doc);
	buf_putc(&b->doc, ']');
	*has_doc = present > 0;
	return rc;
}

/* Write the part just built for project id, unless its stored row holds
 * the same part already: that row then keeps the generation its part
 * changed at, which is what lets a rerun skip the project's donations. */
static int put_part(builder *b, const unsigned char *id, int n, int has_doc)
{
	sqlite3_int64 fp = has_doc ? (sqlite3_int64)dc_hash64(
		b->doc.data, b->doc.len, 0) : 0;
	sqlite3_stmt *w;
	int rc;

	if (b->fresh)
		rc = SQLITE_DONE;
	else {
		sqlite3_bind_text(b->find, 1, (const char *)id, n,
				  SQLITE_STATIC);
		rc = sqlite3_step(b->find);
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		sqlite3_reset(b->find);
		return fail(b, "lookup");
	}
	if (rc == SQLITE_ROW && sqlite3_column_type(b->find, 1) != SQLITE_NULL &&
	    sqlite3_column_int64(b->find, 1) == fp) {
		sqlite3_reset(b->find);
		return 0;
	}
	w = rc == SQLITE_ROW ? b->update : b->insert;
	if (rc == SQLITE_ROW)
		sqlite3_bind_int64(w, 1, sqlite3_column_int64(b->find, 0));
	else
		sqlite3_bind_text(w, 1, (const char *)id, n, SQLITE_STATIC);
	sqlite3_reset(b->find);
	if (has_doc)
		sqlite3_bind_text(w, 2, b->doc.data, (int)b->doc.len,
				  SQLITE_STATIC);
	else
		sqlite3_bind_null(w, 2);
	sqlite3_bind_int64(w, 3, fp);
	sqlite3_bind_int64(w, 4, b->gen);
	rc = sqlite3_step(w);
	sqlite3_reset(w);
	return rc == SQLITE_DONE ? 0 : fail(b, "write");
}

/* One pass over the projects; 0, -1 or OUT_OF_ORDER. */
static int merge(builder *b)
{
	int rc, has_doc;

	if (b->file_order)
		b->res_rc = sqlite3_step(b->res);
	else
		b->group_rc = sqlite3_step(b->groups);
	while ((rc = sqlite3_step(b->rows)) == SQLITE_ROW) {
		const unsigned char *id = sqlite3_column_text(b->rows, 1);
		int n = sqlite3_column_bytes(b->rows, 1);

		if ((rc = build_part(b, &has_doc)) != 0)
			return rc;
		if (put_part(b, id, n, has_doc) != 0)
			return -1;
	}
	if (rc != SQLITE_DONE)
		return fail(b, "projects");
	if (b->file_order)
		return take_group(b, 0, NULL, 0);
	if (b->group_rc != SQLITE_ROW && b->group_rc != SQLITE_DONE)
		return fail(b, "resources");
	return 0;
}

/* The project rows: column 0 the rowid, then the staged columns. */
#define PROJECT_ROWS "SELECT p.rowid, p.* FROM projects p "

/* How the project's own values are written, from PROJECT_ROWS. */
static void init_fields(rowjson *rj, sqlite3_stmt *rows)
{
	rowjson_init(rj, rows, 1, sqlite3_column_count(rows) - 1, "project_",
		     "projectid");
}

/* The group statements of the pass b->file_order says. */
static int prepare_groups(builder *b, int all)
{
	if (!b->file_order) {
		b->groups = stage_prepare_file(b->db, "resource_groups.sql",
					       b->err);
		if (b->groups)
			sqlite3_bind_int(b->groups, 1, all);
		return b->groups ? 0 : -1;
	}
	b->res = stage_prepare_file(b->db, "resource_rows.sql", b->err);
	b->prow = stage_prepare(b->db, "SELECT rowid FROM projects INDEXED BY "
				"projects_key WHERE projectid = ?1", b->err);
	if (!b->res || !b->prow)
		return -1;
	rowgroup_init(&b->group, b->res, 1, sqlite3_column_count(b->res) - 1);
	return 0;
}

static int prepare(builder *b, int all)
{
	b->rows = stage_prepare(b->db, PROJECT_ROWS "WHERE ?1 OR p.projectid "
		"IN (SELECT projectid FROM temp.project_todo) ORDER BY p.rowid",
		b->err);
	if (!b->fresh)
		b->find = stage_prepare(b->db, "SELECT rowid, fp FROM "
			"project_docs INDEXED BY project_docs_key WHERE "
			"projectid = ?1", b->err);
	b->update = stage_prepare(b->db, "UPDATE project_docs SET vals = ?2, "
		"fp = ?3, gen = ?4 WHERE rowid = ?1", b->err);
	b->insert = stage_prepare(b->db, "INSERT INTO project_docs(projectid, "
		"vals, fp, gen) VALUES (?1, ?2, ?3, ?4)", b->err);
	if (!b->rows || (!b->find && !b->fresh) || !b->update || !b->insert)
		return -1;
	sqlite3_bind_int(b->rows, 1, all);
	init_fields(&b->fields, b->rows);
	return prepare_groups(b, all);
}

/* The projects of the rows just built for, as temp.project_todo says
 * (all of them: ?1), that are gone: their row stays, without a part, at
 * generation ?2.  After a load, gone projects no target synced before
 * they went still has to hear about are dropped.  Both look for their
 * rows in the index project_docs_key, which holds what they test: a scan
 * of the table would read every part (1 GB for the full dump). */
static const char sweep_sql[] =
	"UPDATE project_docs SET vals = NULL, fp = NULL, gen = ?2 "
	"WHERE rowid IN (SELECT d.rowid FROM project_docs d INDEXED BY "
	"project_docs_key WHERE d.fp IS NOT NULL AND (?1 OR d.projectid IN "
	"(SELECT projectid FROM temp.project_todo)) AND NOT EXISTS "
	"(SELECT 1 FROM projects p WHERE p.projectid = d.projectid))";
static const char prune_sql[] =
	"DELETE FROM project_docs WHERE rowid IN (SELECT d.rowid FROM "
	"project_docs d INDEXED BY project_docs_key WHERE d.fp IS NULL AND "
	"NOT EXISTS (SELECT 1 FROM targets t WHERE t.synced_version < d.gen))";

static int sweep(builder *b, int all)
{
	sqlite3_stmt *st = stage_prepare(b->db, sweep_sql, b->err);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int(st, 1, all);
	sqlite3_bind_int64(st, 2, b->gen);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return fail(b, "gone projects");
	return all ? stage_exec(b->db, prune_sql, b->err) : 0;
}

/* What a pass prepared, freed so that another can begin. */
static void end_pass(builder *b)
{
	sqlite3_finalize(b->rows);
	sqlite3_finalize(b->groups);
	sqlite3_finalize(b->res);
	sqlite3_finalize(b->prow);
	sqlite3_finalize(b->find);
	sqlite3_finalize(b->update);
	sqlite3_finalize(b->insert);
	b->rows = b->groups = b->res = b->prow = NULL;
	b->find = b->update = b->insert = NULL;
	rowjson_free(&b->fields);
	rowgroup_free(&b->group);
}

static int pass(builder *b, int all)
{
	int rc = prepare(b, all);

	if (rc == 0)
		rc = merge(b);
	end_pass(b);
	return rc;
}

/* Every project's part from the resources in file order, inside a
 * savepoint that a dump out of that order rolls back: 0, -1 or
 * OUT_OF_ORDER. */
static int build_in_file_order(builder *b)
{
	int rc;

	if (stage_exec(b->db, "SAVEPOINT file_order", b->err) != 0)
		return -1;
	b->file_order = 1;
	rc = pass(b, 1);
	b->file_order = 0;
	if (rc != 0)
		stage_exec(b->db, "ROLLBACK TO file_order", NULL);
	if (stage_exec(b->db, "RELEASE file_order", rc ? NULL : b->err) != 0)
		rc = -1;
	return rc;
}

static int build_parts(builder *b, int all)
{
	int rc = all ? build_in_file_order(b) : OUT_OF_ORDER;

	if (rc == OUT_OF_ORDER)
		rc = pass(b, all);
	return rc;
}

/* The first build into a staging file has no rows to compare with: it
 * looks nothing up, and the index project_docs_key is dropped before and
 * built after (sql/schema.sql creates it), in one sort, instead of taking
 * a million inserts at random places. */
static int begin_fresh(builder *b, int all)
{
	int64_t empty;

	if (!all)
		return 0;
	empty = stage_query_int(b->db, "SELECT NOT EXISTS (SELECT 1 FROM "
				"project_docs)", b->err);
	if (empty < 0)
		return -1;
	b->fresh = empty == 1;
	return b->fresh ? stage_exec(b->db, "DROP INDEX project_docs_key",
				     b->err) : 0;
}

/* ---- the keys of the values ---- */

static void add_keys(partkeys *k, const rowjson *rj)
{
	for (int i = 0; i < rj->n; i++) {
		size_t len;
		const char *key = rowjson_key(rj, i, &len);

		if (!key)
			continue;
		k->off = dc_realloc(k->off, ((size_t)k->n + 2) * sizeof *k->off);
		k->off[k->n++] = k->text.len;
		buf_append(&k->text, key, len);
		k->off[k->n] = k->text.len;
	}
}

int projdocs_keys(sqlite3 *db, partkeys *k, char *err)
{
	sqlite3_stmt *rows = stage_prepare(db, PROJECT_ROWS, err);
	sqlite3_stmt *res = rows ? stage_prepare_file(db, "resource_rows.sql",
						      err) : NULL;
	memset(k, 0, sizeof *k);
	if (res) {
		rowjson fields, group;
		int nfields;

		init_fields(&fields, rows);
		rowjson_init(&group, res, 1, sqlite3_column_count(res) - 1, "",
			     NULL);
		add_keys(k, &fields);
		nfields = k->n;
		add_keys(k, &group);
		k->nres = k->n - nfields;
		rowjson_free(&fields);
		rowjson_free(&group);
	}
	sqlite3_finalize(rows);
	sqlite3_finalize(res);
	return res ? 0 : -1;
}

void projdocs_free_keys(partkeys *k)
{
	buf_free(&k->text);
	free(k->off);
	memset(k, 0, sizeof *k);
}

/* ---- the part as a JSON object ---- */

/* Past the closing quote of the JSON string whose text begins at p;
 * NULL if it does not close before end. */
static const char *string_end(const char *p, const char *end)
{
	for (const char *q = p; (q = memchr(q, '"', (size_t)(end - q)));
	     q++) {
		size_t escapes = 0;

		while (q - escapes > p && q[-1 - (ptrdiff_t)escapes] == '\\')
			escapes++;
		if (escapes % 2 == 0)
			return q + 1;
	}
	return NULL;
}

/* The end of the array element at p: the ',' after it, or end (the
 * array's closing bracket); NULL if neither. */
static const char *element_end(const char *p, const char *end)
{
	int depth = 0;

	while (p && p < end) {
		if (*p == '"')
			p = string_end(p + 1, end);
		else if (*p == ',' && depth == 0)
			return p;
		else if (*p == '[' || *p == ']')
			depth += *p++ == '[' ? 1 : -1;
		else
			p++;
	}
	return p && depth == 0 ? end : NULL;
}

/* Written straight into out, grown once: this runs for every document an
 * export sends, and a call per key and value was a measurable part of
 * it. */
int projdocs_expand(const partkeys *k, const char *vals, size_t n, buf *out)
{
	const char *p = vals + 1, *end = vals + n - 1;
	char *w;
	int i = 0;

	if (n < 2 || vals[0] != '[' || *end != ']')
		return -1;
	/* the keys, the values and their commas, the braces */
	buf_grow(out, k->text.len + n + 2);
	w = out->data + out->len;
	*w++ = '{';
	while (i < k->n && p <= end) {
		const char *e = element_end(p, end);
		size_t klen = k->off[i + 1] - k->off[i];

		if (!e || e == p)
			break;
		if (e - p != 4 || memcmp(p, "null", 4) != 0) {
			if (w[-1] != '{')
				*w++ = ',';
			memcpy(w, k->text.data + k->off[i], klen);
			memcpy(w + klen, p, (size_t)(e - p));
			w += klen + (size_t)(e - p);
		}
		i++;
		p = e + 1;
	}
	if (i != k->n || p != end + 1) {
		out->data[out->len] = '\0';
		return -1;
	}
	*w++ = '}';
	*w = '\0';
	out->len = (size_t)(w - out->data);
	return 0;
}

/* The keys into part_keys, each as its name (the JSON string decoded). */
static int store_keys(builder *b, const partkeys *k)
{
	sqlite3_stmt *st;
	int rc = SQLITE_DONE;

	if (stage_exec(b->db, "DELETE FROM part_keys", b->err) != 0 ||
	    !(st = stage_prepare(b->db, "INSERT INTO part_keys(i, key) "
				 "VALUES (?1, json_extract(?2, '$'))", b->err)))
		return -1;
	for (int i = 0; rc == SQLITE_DONE && i < k->n; i++) {
		sqlite3_bind_int(st, 1, i);
		/* without the ':' */
		sqlite3_bind_text(st, 2, k->text.data + k->off[i],
				  (int)(k->off[i + 1] - k->off[i] - 1),
				  SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : fail(b, "part_keys");
}

/* The keys of the parts: into part_keys when every part is built (all),
 * and "null" for each resource member, ','-joined, into b->nulls. */
static int init_keys(builder *b, int all)
{
	partkeys k;
	int rc = projdocs_keys(b->db, &k, b->err);

	if (rc == 0 && all)
		rc = store_keys(b, &k);
	for (int i = 0; rc == 0 && i < k.nres; i++)
		buf_puts(&b->nulls, i ? ",null" : "null");
	projdocs_free_keys(&k);
	return rc;
}

int projdocs_build(sqlite3 *db, enum projdocs_which which, char *err)
{
	builder b = { .db = db, .err = err };
	int all = which == PROJDOCS_ALL;
	int rc;

	if ((b.gen = stage_data_version(db, err)) < 0 ||
	    stage_exec(db, "CREATE TEMP TABLE project_todo(projectid TEXT "
		       "PRIMARY KEY) WITHOUT ROWID", err) != 0)
		return -1;
	rc = init_keys(&b, all);
	if (rc == 0)
		rc = stage_exec(db, all ? "DELETE FROM stale_projects"
		: "INSERT INTO temp.project_todo SELECT projectid "
		  "FROM stale_projects; DELETE FROM stale_projects", err);
	if (rc == 0 && (rc = begin_fresh(&b, all)) == 0 &&
	    (rc = build_parts(&b, all)) == 0 && !b.fresh)
		rc = sweep(&b, all);
	buf_free(&b.doc);
	buf_free(&b.nulls);
	buf_free(&b.run_id);
	/* also after a failed build, so that the index is never left out */
	if (b.fresh && stage_exec_file_indexing(db, "schema.sql",
						rc ? NULL : err) != 0)
		rc = -1;
	if (stage_exec(db, "DROP TABLE temp.project_todo", rc ? NULL : err))
		rc = -1;
	return rc;
}
