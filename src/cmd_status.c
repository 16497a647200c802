/*
 * cmd_status.c - `dcstage status`: what is staged, rejected, pending and
 * refused.  Reads the same views a user can query in the sqlite3 shell
 * (staged_counts, target_status).
 */
#include "builtin.h"
#include "dcstage.h"
#include "stage.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
	"usage: dcstage status [--db FILE] [--url URL --index NAME] [--json]\n"
	"\n"
	"Show the staged snapshot (rows, rejected records, refused values, the\n"
	"last load) and, for each export target (or only the one named), what\n"
	"is pending (documents to index, to delete), acknowledged and refused,\n"
	"and when it was last exported.  The same numbers are in the views\n"
	"staged_counts and target_status of the staging file.\n";

/* Rows of a query as a JSON array of objects keyed by column name. */
static json_t *query_json(sqlite3 *db, const char *sql, const char *url,
			  const char *index, char *err)
{
	sqlite3_stmt *st = stage_prepare(db, sql, err);
	json_t *rows;

	if (!st)
		return NULL;
	if (sqlite3_bind_parameter_count(st) >= 2) {
		sqlite3_bind_text(st, 1, url, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, index, -1, SQLITE_STATIC);
	}
	rows = json_array();
	while (sqlite3_step(st) == SQLITE_ROW) {
		json_t *row = json_object();

		for (int i = 0; i < sqlite3_column_count(st); i++) {
			const char *name = sqlite3_column_name(st, i);

			switch (sqlite3_column_type(st, i)) {
			case SQLITE_INTEGER:
				json_object_set_new(row, name, json_integer(
					sqlite3_column_int64(st, i)));
				break;
			case SQLITE_NULL:
				json_object_set_new(row, name, json_null());
				break;
			default:
				json_object_set_new(row, name, json_string(
					(const char *)sqlite3_column_text(st, i)));
			}
		}
		json_array_append_new(rows, row);
	}
	sqlite3_finalize(st);
	return rows;
}

static void print_text(json_t *staged, json_t *load, json_t *targets)
{
	size_t i;
	json_t *r;

	printf("staged:");
	json_array_foreach(staged, i, r)
		printf("%s %lld %s", i ? "," : "",
		       (long long)json_integer_value(json_object_get(r, "n")),
		       json_string_value(json_object_get(r, "tbl")));
	putchar('\n');
	json_array_foreach(load, i, r)
		printf("last load: %s, %s in %.1f s\n",
		       json_string_value(json_object_get(r, "started")),
		       json_string_value(json_object_get(r, "status")),
		       atof(json_string_value(json_object_get(r, "seconds"))
			    ? json_string_value(json_object_get(r, "seconds"))
			    : "0"));
	if (!json_array_size(targets))
		printf("no export yet\n");
	json_array_foreach(targets, i, r) {
		const char *last = json_string_value(json_object_get(r, "last_export"));

		printf("target %s/%s: %lld to index, %lld to delete, %lld "
		       "acknowledged, %lld refused; last export %s (%s)\n",
		       json_string_value(json_object_get(r, "url")),
		       json_string_value(json_object_get(r, "index_name")),
		       (long long)json_integer_value(json_object_get(r, "to_index")),
		       (long long)json_integer_value(json_object_get(r, "to_delete")),
		       (long long)json_integer_value(json_object_get(r, "acknowledged")),
		       (long long)json_integer_value(json_object_get(r, "refused")),
		       last ? last : "never",
		       json_string_value(json_object_get(r, "last_status"))
		       ? json_string_value(json_object_get(r, "last_status")) : "-");
	}
}

static int show(sqlite3 *db, const char *url, const char *index, int json,
		char *err)
{
	json_t *staged, *load, *targets;
	const char *target_sql = url
		? "SELECT * FROM target_status WHERE url = ?1 AND index_name = ?2"
		: "SELECT * FROM target_status ORDER BY target";

	if (!stage_has_table(db, "staged_counts"))
		return dc_seterr(err, "nothing staged yet: run 'dcstage load'");
	staged = query_json(db, "SELECT * FROM staged_counts", NULL, NULL, err);
	load = query_json(db, "SELECT started, status, CAST(round(seconds, 1) "
			  "AS TEXT) AS seconds FROM loads ORDER BY id DESC "
			  "LIMIT 1", NULL, NULL, err);
	targets = query_json(db, target_sql, url, index, err);
	if (!staged || !load || !targets) {
		json_decref(staged);
		json_decref(load);
		json_decref(targets);
		return -1;
	}
	if (json) {
		json_t *all = json_pack("{s:o, s:o, s:o}", "staged", staged,
				"last_load", load, "targets", targets);
		json_dumpf(all, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(all);
		return 0;
	}
	print_text(staged, load, targets);
	json_decref(staged);
	json_decref(load);
	json_decref(targets);
	return 0;
}

int cmd_status(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "url", required_argument, NULL, 'u' },
		{ "index", required_argument, NULL, 'i' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *db_path = "dcstage.db", *url = NULL, *index = NULL;
	char err[DC_ERR_MAX];
	sqlite3 *db;
	int c, json = 0, rc;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': db_path = optarg; break;
		case 'u': url = optarg; break;
		case 'i': index = optarg; break;
		case 'j': json = 1; break;
		case 'h': fputs(usage_text, stdout); return DC_EXIT_OK;
		default: fputs(usage_text, stderr); return DC_EXIT_USAGE;
		}
	}
	if (optind != argc || !url != !index) {
		fputs(usage_text, stderr);
		return DC_EXIT_USAGE;
	}
	db = stage_open(db_path, STAGE_READONLY, err);
	rc = db ? show(db, url, index ? index : "", json, err) : -1;
	sqlite3_close(db);
	if (rc != 0) {
		dc_error("%s", err);
		return DC_EXIT_FATAL;
	}
	return DC_EXIT_OK;
}
