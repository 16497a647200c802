/*
 * cmd_load.c - `dcstage load`: stage the dump files.
 */
#include "builtin.h"
#include "dcstage.h"
#include "load.h"
#include "stage.h"
#include "values.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#define SHOW_FIRST 10

static const char usage_text[] =
	"usage: dcstage load [--db FILE] [--force] [--json] [--quiet] DIR|FILE...\n"
	"\n"
	"Stage every part of the three tables (opendata_projects*.gz,\n"
	"opendata_donations*.gz, opendata_resources*.gz) found in the folders\n"
	"or named as files.  The load replaces the staged snapshot whole, or\n"
	"on any fatal error leaves it as it was.  When no file has changed\n"
	"since the last load (size, mtime, content fingerprint), the load is\n"
	"skipped.\n"
	"\n"
	"  --db FILE   staging file (default dcstage.db)\n"
	"  --force     load even when the files are unchanged\n"
	"  --json      print the summary as JSON on stdout\n"
	"  --quiet     no progress line\n"
	"\n"
	"Rejected records are kept in the table rejects, refused values in\n"
	"problems, each with file and line.  Exit code 0: clean; 3: something\n"
	"was rejected or refused; 1: fatal error.\n";

/* Whether n bytes print on one line as they are: UTF-8 without control
 * characters. */
static int printable(const unsigned char *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] < 0x20 || v[i] == 0x7f)
			return 0;
	return val_utf8_valid((const char *)v, n);
}

/* A problem's value as 'text' (a quote doubled), or X'hex' when it would
 * not print as it is. */
static void print_value(const unsigned char *v, size_t n)
{
	if (printable(v, n)) {
		fputc('\'', stderr);
		for (size_t i = 0; i < n; i++) {
			if (v[i] == '\'')
				fputc('\'', stderr);
			fputc(v[i], stderr);
		}
		fputc('\'', stderr);
		return;
	}
	fputs("X'", stderr);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "%02X", v[i]);
	fputc('\'', stderr);
}

/* The first rejects and problems, with file and line, on stderr:
 * "file:line: reason" and "file:line: column 'value': reason". */
static void show_first_problems(const char *db_path, uint64_t total)
{
	char err[DC_ERR_MAX];
	sqlite3 *db = stage_open(db_path, STAGE_READONLY, err);
	sqlite3_stmt *st;

	if (!db)
		return;
	st = stage_prepare(db,
		"SELECT file, line, reason, NULL, NULL FROM rejects UNION ALL "
		"SELECT file, line, reason, field, value FROM problems "
		"ORDER BY 1, 2 LIMIT ?1", err);
	if (st)
		sqlite3_bind_int(st, 1, SHOW_FIRST);
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		const unsigned char *field = sqlite3_column_text(st, 3);

		fprintf(stderr, "%s:%lld: ", sqlite3_column_text(st, 0),
			(long long)sqlite3_column_int64(st, 1));
		if (field) {
			fprintf(stderr, "%s ", (const char *)field);
			print_value(sqlite3_column_blob(st, 4),
				    (size_t)sqlite3_column_bytes(st, 4));
			fputs(": ", stderr);
		}
		fprintf(stderr, "%s\n", sqlite3_column_text(st, 2));
	}
	if (total > SHOW_FIRST)
		fprintf(stderr, "... and %llu more: see the tables rejects and "
			"problems in '%s'\n",
			(unsigned long long)(total - SHOW_FIRST), db_path);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static void print_text(const load_summary *s)
{
	printf("%s %d files in %.1f s: %llu projects, %llu donations, "
	       "%llu resources staged\n",
	       s->skipped ? "unchanged, load skipped:" : "loaded", s->nfiles,
	       s->seconds, (unsigned long long)s->rows[LOAD_PROJECTS],
	       (unsigned long long)s->rows[LOAD_DONATIONS],
	       (unsigned long long)s->rows[LOAD_RESOURCES]);
	if (s->skipped)
		return;
	printf("records read: %llu projects, %llu donations, %llu resources; "
	       "duplicates replaced: %llu, %llu, %llu\n",
	       (unsigned long long)s->records[0], (unsigned long long)s->records[1],
	       (unsigned long long)s->records[2],
	       (unsigned long long)s->duplicates[0],
	       (unsigned long long)s->duplicates[1],
	       (unsigned long long)s->duplicates[2]);
	printf("rejected records: %llu", (unsigned long long)s->rejects);
	for (int i = 0; i < s->nreject_kinds; i++)
		printf("%s%s %llu", i ? ", " : " (", s->reject_kinds[i].name,
		       (unsigned long long)s->reject_kinds[i].n);
	printf("%s\nrefused values: %llu", s->nreject_kinds ? ")" : "",
	       (unsigned long long)s->problems);
	for (int i = 0; i < s->nproblem_fields; i++)
		printf("%s%s %llu", i ? ", " : " (", s->problem_fields[i].name,
		       (unsigned long long)s->problem_fields[i].n);
	printf("%s; orphans kept: %llu\n", s->nproblem_fields ? ")" : "",
	       (unsigned long long)s->orphans);
	printf("seconds:");
	for (int p = 0; p < LOAD_NPHASES; p++)
		printf("%s %s %.1f", p ? "," : "", load_phase_names[p],
		       s->phase_seconds[p]);
	printf("\nread %.1f MB (%.1f MB of CSV), %.0f rows/s, peak memory %.0f MB\n",
	       (double)s->bytes_gz / 1e6, (double)s->bytes_csv / 1e6,
	       s->seconds > 0 ? (double)(s->records[0] + s->records[1] +
				       s->records[2]) / s->seconds : 0.0,
	       (double)s->peak_rss / 1e6);
}

static json_t *counts_json(const load_count *c, int n)
{
	json_t *o = json_object();

	for (int i = 0; i < n; i++)
		json_object_set_new(o, c[i].name, json_integer((json_int_t)c[i].n));
	return o;
}

static json_t *tables_json(const uint64_t *v)
{
	json_t *o = json_object();

	for (int t = 0; t < LOAD_NTABLES; t++)
		json_object_set_new(o, load_table_names[t],
				    json_integer((json_int_t)v[t]));
	return o;
}

static json_t *phases_json(const double *seconds)
{
	json_t *o = json_object();

	for (int p = 0; p < LOAD_NPHASES; p++)
		json_object_set_new(o, load_phase_names[p],
				    json_real(seconds[p]));
	return o;
}

static void print_json(const load_summary *s)
{
	json_t *o = json_pack(
		"{s:s, s:i, s:f, s:o, s:o, s:o, s:o, s:I, s:o, s:I, s:o, s:I, s:I, s:I, s:I}",
		"status", s->skipped ? "skipped" : "loaded", "files", s->nfiles,
		"seconds", s->seconds, "phase_seconds",
		phases_json(s->phase_seconds), "rows", tables_json(s->rows),
		"records", tables_json(s->records),
		"duplicates", tables_json(s->duplicates),
		"rejects", (json_int_t)s->rejects,
		"rejects_by_kind", counts_json(s->reject_kinds, s->nreject_kinds),
		"problems", (json_int_t)s->problems,
		"problems_by_field", counts_json(s->problem_fields, s->nproblem_fields),
		"orphans", (json_int_t)s->orphans,
		"bytes_read", (json_int_t)s->bytes_gz,
		"bytes_csv", (json_int_t)s->bytes_csv,
		"peak_rss", (json_int_t)s->peak_rss);

	json_dumpf(o, stdout, JSON_COMPACT);
	putchar('\n');
	json_decref(o);
}

void load_print_summary(const char *db_path, const load_summary *s, int json)
{
	if (s->rejects + s->problems > 0 && !s->skipped)
		show_first_problems(db_path, s->rejects + s->problems);
	if (json)
		print_json(s);
	else
		print_text(s);
}

int cmd_load(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "force", no_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	load_options o = { .db_path = "dcstage.db" };
	load_summary s;
	char err[DC_ERR_MAX];
	int c, json = 0;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': o.db_path = optarg; break;
		case 'f': o.force = 1; break;
		case 'j': json = 1; break;
		case 'q': o.quiet = 1; break;
		case 'h': fputs(usage_text, stdout); return DC_EXIT_OK;
		default: fputs(usage_text, stderr); return DC_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fputs(usage_text, stderr);
		return DC_EXIT_USAGE;
	}
	o.inputs = argv + optind;
	o.ninputs = argc - optind;
	if (load_run(&o, &s, err) != 0) {
		dc_error("load failed, staging file unchanged: %s", err);
		return DC_EXIT_FATAL;
	}
	load_print_summary(o.db_path, &s, json);
	return s.rejects + s.problems > 0 ? DC_EXIT_REJECTED : DC_EXIT_OK;
}
