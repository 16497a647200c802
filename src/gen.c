/*
 * gen.c - `dcstage gen`'s engine (see gen.h): one thread per table streams
 * its rows into gzip parts, and the manifest is written at the end.
 *
 * Rows are never kept: row i of a table is a function of (seed, i)
 * (src/gen_rows.c), so a duplicate is made by building row i again a few
 * rows later, and the lists the manifest needs are spooled to temporary
 * files (src/gen_write.c, which also writes the parts).  Base rows are
 * split evenly over the parts; extra rows follow their base row.
 *
 * --month M: each month m = 1..M, chosen from hashes of (seed, m, index),
 * 1% of the donations change (their amount), 0.5% go, 0.5% new ones are
 * added at the end, and 0.2% of the projects change (total_donations).
 * Month M's dump is month M-1's with those changes, and its manifest
 * lists the changes from month M-1.  Rows with a nasty kind never change
 * or go.
 */
#include "gen.h"
#include "dcstage.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DUP_LAG 29 /* a duplicate comes this many rows after the original */

enum { L_CHANGED, L_GONE, L_NEW, NLISTS };

/* One table's work, done by one thread. */
typedef struct job {
	const gen_options *o;
	const gen_world *w;
	const gen_nasty *nasty;  /* NULL without --nasty */
	int table;
	gen_part *parts;         /* o->parts of them */
	int cur;                 /* the last part opened, or -1 */
	gen_writer *out;         /* writing parts[cur], NULL once closed */
	uint64_t rows, dups, rejects, problems, orphans;
	uint64_t kinds[GEN_MAXKINDS];
	gen_spool bad, lists[NLISTS];
	gen_row row;
	int failed;
	char err[DC_ERR_MAX];
} job;

/* ---- parts ---- */

static int part_close(job *j, int cut)
{
	gen_writer *w = j->out;

	j->out = NULL;
	if (gen_writer_close(w, cut, j->err) != 0)
		j->failed = 1;
	return j->failed ? -1 : 0;
}

/* Open the parts after the current one up to k in turn, so that empty
 * parts exist too. */
static int advance(job *j, int k)
{
	while (j->cur < k && !j->failed) {
		if (j->out && part_close(j, 0) != 0)
			return -1;
		j->cur++;
		j->out = gen_writer_open(j->o->out, j->table, j->o->header,
					 &j->parts[j->cur], j->err);
		if (!j->out)
			j->failed = 1;
	}
	return j->failed ? -1 : 0;
}

/* Write a record into the open part; the line it starts on. */
static uint64_t put_row(job *j, const gen_row *r)
{
	uint64_t line = gen_writer_put(j->out, r);

	if (!line && !j->failed) {
		snprintf(j->err, sizeof j->err, "%s",
			 gen_writer_errmsg(j->out));
		j->failed = 1;
	}
	j->rows++;
	return line;
}

static void note_bad(job *j, uint64_t line, const gen_bad *bad)
{
	gen_spool_bad(&j->bad, j->parts[j->cur].name, line, bad);
	if (!strcmp(bad->expect, "reject"))
		j->rejects++;
	else
		j->problems++;
}

/* ---- months ---- */

/* The latest month in 1..M when row i changed (0: never); *gone: the
 * month it went (0: it did not).  per_mille_gone/changed per month. */
static int fate(const job *j, uint64_t tag, uint64_t i, unsigned gone_pm,
		unsigned changed_pm, int *gone)
{
	int changed = 0;

	*gone = 0;
	for (int m = 1; m <= j->o->month; m++) {
		uint64_t u = gen_hash(j->w->seed, tag, (uint64_t)m, i) % 1000;

		if (u < gone_pm) {
			*gone = m;
			return changed;
		}
		if (u < gone_pm + changed_pm)
			changed = m;
	}
	return changed;
}

static int kind_of(const job *j, uint64_t i)
{
	return j->nasty ? gen_nasty_kind(j->nasty, j->table, i) : 0;
}

static int is_dup(const job *j, uint64_t i)
{
	return gen_nasty_class(kind_of(j, i)) == GEN_DUPLICATE;
}

/* The part that base unit i of n belongs to: units [k*n/parts,
 * (k+1)*n/parts) go to part k. */
static int part_of(const job *j, uint64_t i, uint64_t n)
{
	uint64_t parts = (uint64_t)j->o->parts;
	uint64_t k = i * parts / n;

	while (k + 1 < parts && (k + 1) * n / parts <= i)
		k++;
	while (k > 0 && k * n / parts > i)
		k--;
	return (int)k;
}

/* ---- the tables ---- */

/* Builds row i of the table (for resources, i is (project, item)). */
typedef void (*build_fn)(const job *j, uint64_t unit, int sub,
			 const gen_variant *v, gen_row *r);

static void build_project(const job *j, uint64_t unit, int sub,
			  const gen_variant *v, gen_row *r)
{
	(void)sub;
	gen_project_row(j->w, unit, v, r);
}

static void build_donation(const job *j, uint64_t unit, int sub,
			   const gen_variant *v, gen_row *r)
{
	(void)sub;
	gen_donation_row(j->w, GEN_TAG_DONATION, unit, v, r);
}

static void build_resource(const job *j, uint64_t unit, int sub,
			   const gen_variant *v, gen_row *r)
{
	gen_resource_row(j->w, unit, sub, v, r);
}

/* Base row i (nasty kind `kind`), then the extra row its kind adds. */
static void emit_base(job *j, uint64_t i, int kind, const gen_variant *v,
		      build_fn build, uint64_t unit, int sub)
{
	gen_bad bad;
	uint64_t line;
	int cls = gen_nasty_class(kind);

	memset(&bad, 0, sizeof bad);
	j->kinds[kind]++;
	build(j, unit, sub, v, &j->row);
	if (cls == GEN_TRICKY || cls == GEN_PROBLEM)
		gen_nasty_apply(j->nasty, j->table, i, kind, &j->row, &bad);
	line = put_row(j, &j->row);
	if (cls == GEN_PROBLEM)
		note_bad(j, line, &bad);
	if (cls != GEN_ORPHAN && cls != GEN_REJECT)
		return;
	gen_nasty_extra(j->nasty, j->table, i, kind, &j->row, &bad);
	line = put_row(j, &j->row);
	note_bad(j, line, &bad);
	if (cls == GEN_ORPHAN)
		j->orphans++;
}

/* The later copy of duplicated base row i. */
static void emit_dup(job *j, uint64_t i, build_fn build, uint64_t unit,
		     int sub)
{
	gen_variant v = { 0, 1 };

	build(j, unit, sub, &v, &j->row);
	gen_nasty_dup(j->nasty, j->table, i, &j->row);
	put_row(j, &j->row);
	j->dups++;
}

/* Projects and donations: one base row per unit.  tag names the table
 * in the month hashes, which make gone_pm and changed_pm per mille of the
 * rows go and change each month; idtag names the ids. */
static void run_rows(job *j, uint64_t n, build_fn build, uint64_t tag,
		     unsigned gone_pm, unsigned changed_pm, uint64_t idtag)
{
	char id[32];

	for (uint64_t i = 0; i < n && !j->failed; i++) {
		gen_variant v = { 0, 0 };
		int kind = kind_of(j, i), gone = 0;

		if (advance(j, part_of(j, i, n)) != 0)
			return;
		if (!kind && j->o->month)
			v.changed = fate(j, tag, i, gone_pm, changed_pm, &gone);
		if (gone) {
			if (gone == j->o->month) {
				gen_hex_id(j->w, idtag, i, id);
				gen_spool_id(&j->lists[L_GONE], id);
			}
		} else {
			emit_base(j, i, kind, &v, build, i, 0);
			if (v.changed && v.changed == j->o->month) {
				gen_hex_id(j->w, idtag, i, id);
				gen_spool_id(&j->lists[L_CHANGED], id);
			}
		}
		if (i >= DUP_LAG && is_dup(j, i - DUP_LAG))
			emit_dup(j, i - DUP_LAG, build, i - DUP_LAG, 0);
	}
	for (uint64_t i = n > DUP_LAG ? n - DUP_LAG : 0; i < n && !j->failed;
	     i++)
		if (is_dup(j, i))
			emit_dup(j, i, build, i, 0);
}

/* The donations each month added, at the end of the last part. */
static void run_new_donations(job *j)
{
	uint64_t count = j->w->ndonations / 200 ? j->w->ndonations / 200 : 1;
	gen_variant v = { 0, 0 };
	char id[32];

	for (int m = 1; m <= j->o->month && !j->failed; m++) {
		uint64_t tag = (uint64_t)GEN_TAG_NEW << 16 | (uint64_t)m;

		for (uint64_t k = 0; k < count && !j->failed; k++) {
			gen_donation_row(j->w, tag, k, &v, &j->row);
			put_row(j, &j->row);
			if (m == j->o->month) {
				gen_hex_id(j->w, tag, k, id);
				gen_spool_id(&j->lists[L_NEW], id);
			}
		}
	}
}

/* Resources: the items of each project in turn; the nasty kinds count
 * items (i), the parts count projects. */
static void run_resources(job *j)
{
	uint64_t n = j->w->nprojects, i = 0;
	struct { uint64_t p; int k; } ring[DUP_LAG];

	for (uint64_t p = 0; p < n && !j->failed; p++) {
		int items = gen_resource_count(j->w, p);

		if (advance(j, part_of(j, p, n)) != 0)
			return;
		for (int k = 0; k < items && !j->failed; k++, i++) {
			gen_variant v = { 0, 0 };
			uint64_t old = i - DUP_LAG;

			if (i >= DUP_LAG && is_dup(j, old))
				emit_dup(j, old, build_resource,
					 ring[old % DUP_LAG].p,
					 ring[old % DUP_LAG].k);
			emit_base(j, i, kind_of(j, i), &v, build_resource, p, k);
			ring[i % DUP_LAG].p = p;
			ring[i % DUP_LAG].k = k;
		}
	}
	for (uint64_t old = i > DUP_LAG ? i - DUP_LAG : 0; old < i &&
	     !j->failed; old++)
		if (is_dup(j, old))
			emit_dup(j, old, build_resource, ring[old % DUP_LAG].p,
				 ring[old % DUP_LAG].k);
}

static void *run_job(void *arg)
{
	job *j = arg;
	int last = j->o->parts - 1;

	switch (j->table) {
	case GEN_PROJECTS:
		run_rows(j, j->w->nprojects, build_project, 'Q', 0, 2,
			 GEN_TAG_PROJECT);
		break;
	case GEN_DONATIONS:
		run_rows(j, j->w->ndonations, build_donation, 'M', 5, 10,
			 GEN_TAG_DONATION);
		if (!j->failed && advance(j, last) == 0)
			run_new_donations(j);
		break;
	default:
		run_resources(j);
		break;
	}
	/* With --nasty, the resources file ends without a line end. */
	if (!j->failed && advance(j, last) == 0)
		part_close(j, j->nasty && j->table == GEN_RESOURCES);
	if (j->failed) {
		gen_writer_abort(j->out);
		j->out = NULL;
	}
	return NULL;
}

/* ---- setting up ---- */

/* Until the new manifest is written, the folder has none: a folder with a
 * manifest holds a whole dump. */
static void remove_manifest(const gen_options *o)
{
	gen_remove_file(o->out, "manifest.json");
}

static int check_options(const gen_options *o, char *err)
{
	if (!o->out || !*o->out)
		return dc_seterr(err, "no output folder");
	if (!(o->scale > 0 && o->scale <= GEN_MAX_SCALE))
		return dc_seterr(err, "scale '%g' is out of range (0, %g]",
				 o->scale, GEN_MAX_SCALE);
	if (o->parts < 1 || o->parts > GEN_MAX_PARTS)
		return dc_seterr(err, "parts '%d' is out of range 1..%d",
				 o->parts, GEN_MAX_PARTS);
	if (o->month < 0)
		return dc_seterr(err, "month '%d' is negative", o->month);
	return 0;
}

/* Items in the nasty schedule: rows of projects and donations, items of
 * resources. */
static uint64_t count_resources(const gen_world *w)
{
	uint64_t total = 0;

	for (uint64_t p = 0; p < w->nprojects; p++)
		total += (uint64_t)gen_resource_count(w, p);
	return total;
}

/* ---- the manifest ---- */

static void put_counts(FILE *f, const char *name, const uint64_t *v,
		       int first)
{
	fprintf(f, ",\n\"%s\":{", name);
	for (int t = first; t < GEN_NTABLES; t++)
		fprintf(f, "%s\"%s\":%llu", t > first ? "," : "",
			gen_table_names[t], (unsigned long long)v[t]);
	fputc('}', f);
}

/* How many rows of each nasty kind, table by table. */
static void put_kinds(FILE *f, const gen_nasty *n, const gen_summary *s)
{
	fputs(",\n\"kinds\":{", f);
	for (int t = 0; t < GEN_NTABLES; t++) {
		fprintf(f, "%s\n \"%s\":{", t ? "," : "", gen_table_names[t]);
		for (int k = 0; k < n->nkinds[t]; k++)
			fprintf(f, "%s\"%s\":%llu", k ? "," : "",
				gen_nasty_name(n->kinds[t][k]),
				(unsigned long long)s->kinds[t][n->kinds[t][k]]);
		fputc('}', f);
	}
	fputc('}', f);
}

/* The bad records of the three tables: 0 or -1. */
static int put_bad(FILE *f, job *jobs)
{
	int rc = 0, any = 0;

	fputs(",\n\"bad\":[", f);
	for (int t = 0; t < GEN_NTABLES; t++) {
		if (!jobs[t].bad.n)
			continue;
		if (any++)
			fputc(',', f);
		if (gen_spool_copy(&jobs[t].bad, f) != 0)
			rc = -1;
	}
	fputs("\n]", f);
	return rc;
}

/* With --month: the counts and lists of changes.  0 or -1. */
static int put_changes(FILE *f, job *jobs)
{
	static const char *const names[] = {
		"changed_donations", "new_donations", "gone_donations",
		"changed_projects"
	};
	gen_spool *sp[4] = {
		&jobs[GEN_DONATIONS].lists[L_CHANGED],
		&jobs[GEN_DONATIONS].lists[L_NEW],
		&jobs[GEN_DONATIONS].lists[L_GONE],
		&jobs[GEN_PROJECTS].lists[L_CHANGED]
	};
	int rc = 0;

	fprintf(f, ",\n\"changes\":{\"donations_changed\":%llu,"
		"\"donations_new\":%llu,\"donations_gone\":%llu,"
		"\"projects_changed\":%llu}",
		(unsigned long long)sp[0]->n, (unsigned long long)sp[1]->n,
		(unsigned long long)sp[2]->n, (unsigned long long)sp[3]->n);
	for (int k = 0; k < 4; k++) {
		fprintf(f, ",\n\"%s\":[", names[k]);
		if (gen_spool_copy(sp[k], f) != 0)
			rc = -1;
		fputc(']', f);
	}
	return rc;
}

static void put_options(FILE *f, const gen_options *o, const job *jobs)
{
	fprintf(f, "{\"scale\":%.15g,\"seed\":%llu,\"parts\":%d,"
		"\"header\":%s,\"nasty\":%s,\"month\":%d,\n\"files\":{",
		o->scale, (unsigned long long)o->seed, o->parts,
		o->header ? "true" : "false", o->nasty ? "true" : "false",
		o->month);
	for (int t = 0; t < GEN_NTABLES; t++) {
		fprintf(f, "%s\"%s\":[", t ? "," : "", gen_table_names[t]);
		for (int k = 0; k < o->parts; k++)
			fprintf(f, "%s\"%s\"", k ? "," : "",
				jobs[t].parts[k].name);
		fputc(']', f);
	}
	fputc('}', f);
}

static int write_manifest(const gen_options *o, job *jobs,
			  const gen_nasty *nasty, const gen_summary *s,
			  char *err)
{
	buf path = BUF_INIT, tmp = BUF_INIT;
	FILE *f;
	int rc = 0;

	buf_printf(&path, "%s/manifest.json", o->out);
	buf_printf(&tmp, "%s/.manifest.json.tmp", o->out);
	f = fopen(tmp.data, "w");
	if (!f) {
		rc = dc_seterr(err, "cannot create '%s': %s", tmp.data,
			       strerror(errno));
		goto out;
	}
	put_options(f, o, jobs);
	put_counts(f, "rows", s->rows, 0);
	put_counts(f, "expected", s->expected, 0);
	put_counts(f, "duplicates", s->duplicates, 0);
	put_counts(f, "rejects", s->rejects, 0);
	put_counts(f, "orphans", s->orphans, GEN_DONATIONS);
	if (nasty)
		put_kinds(f, nasty, s);
	if (put_bad(f, jobs) != 0 || (o->month && put_changes(f, jobs) != 0))
		rc = -1;
	fputs("\n}\n", f);
	if (fclose(f) != 0 || rc)
		rc = dc_seterr(err, "cannot write '%s'", tmp.data);
	else if (rename(tmp.data, path.data) != 0)
		rc = dc_seterr(err, "cannot rename '%s': %s", tmp.data,
			       strerror(errno));
	if (rc)
		unlink(tmp.data);
out:
	buf_free(&path);
	buf_free(&tmp);
	return rc;
}

/* ---- the run ---- */

static int jobs_open(const gen_options *o, job *jobs, const gen_world *w,
		     const gen_nasty *nasty, gen_part *parts, char *err)
{
	for (int t = 0; t < GEN_NTABLES; t++) {
		job *j = &jobs[t];

		j->o = o;
		j->w = w;
		j->nasty = nasty;
		j->table = t;
		j->cur = -1;
		j->parts = parts + t * o->parts;
		for (int k = 0; k < o->parts; k++) {
			snprintf(j->parts[k].name, sizeof j->parts[k].name,
				 "opendata_%s%03d.gz", gen_table_names[t], k);
			j->parts[k].table = t;
		}
		if (gen_spool_open(&j->bad, err) != 0)
			return -1;
		for (int l = 0; o->month && l < NLISTS; l++)
			if (gen_spool_open(&j->lists[l], err) != 0)
				return -1;
	}
	return 0;
}

static void jobs_close(job *jobs)
{
	for (int t = 0; t < GEN_NTABLES; t++) {
		job *j = &jobs[t];

		gen_writer_abort(j->out);
		buf_free(&j->row.text);
		gen_spool_close(&j->bad);
		for (int l = 0; l < NLISTS; l++)
			gen_spool_close(&j->lists[l]);
	}
}

/* One thread per table; where a thread cannot start, the work runs here. */
static void jobs_run(job *jobs)
{
	pthread_t th[GEN_NTABLES];
	int started[GEN_NTABLES];

	for (int t = 0; t < GEN_NTABLES; t++)
		started[t] = pthread_create(&th[t], NULL, run_job,
					    &jobs[t]) == 0;
	for (int t = 0; t < GEN_NTABLES; t++) {
		if (started[t])
			pthread_join(th[t], NULL);
		else
			run_job(&jobs[t]);
	}
}

static void summarise(const job *jobs, gen_summary *s)
{
	for (int t = 0; t < GEN_NTABLES; t++) {
		const job *j = &jobs[t];

		s->rows[t] = j->rows;
		s->duplicates[t] = j->dups;
		s->rejects[t] = j->rejects;
		s->problems[t] = j->problems;
		s->orphans[t] = j->orphans;
		s->expected[t] = j->rows - j->rejects - j->dups;
		memcpy(s->kinds[t], j->kinds, sizeof s->kinds[t]);
	}
}

int gen_run(const gen_options *o, gen_summary *s, char *err)
{
	gen_world w;
	gen_nasty nasty;
	job jobs[GEN_NTABLES];
	uint64_t nbase[GEN_NTABLES];
	double start = dc_now();
	int rc = -1;

	memset(s, 0, sizeof *s);
	memset(jobs, 0, sizeof jobs);
	if (check_options(o, err) != 0 || gen_make_dirs(o->out, err) != 0)
		return -1;
	remove_manifest(o);
	gen_world_init(&w, o->seed, o->scale);
	if (o->nasty) {
		nbase[GEN_PROJECTS] = w.nprojects;
		nbase[GEN_DONATIONS] = w.ndonations;
		nbase[GEN_RESOURCES] = count_resources(&w);
		gen_nasty_init(&nasty, o->seed, nbase);
	}
	s->nparts = GEN_NTABLES * o->parts;
	s->parts = dc_calloc((size_t)s->nparts, sizeof *s->parts);
	if (jobs_open(o, jobs, &w, o->nasty ? &nasty : NULL, s->parts,
		      err) != 0)
		goto out;
	jobs_run(jobs);
	for (int t = 0; t < GEN_NTABLES; t++) {
		if (jobs[t].failed) {
			dc_seterr(err, "%s", jobs[t].err);
			goto out;
		}
	}
	gen_remove_stale(o->out, o->parts);
	summarise(jobs, s);
	if (write_manifest(o, jobs, o->nasty ? &nasty : NULL, s, err) != 0)
		goto out;
	s->seconds = dc_now() - start;
	rc = 0;
out:
	jobs_close(jobs);
	if (rc)
		gen_summary_free(s);
	return rc;
}

void gen_summary_free(gen_summary *s)
{
	free(s->parts);
	s->parts = NULL;
	s->nparts = 0;
}
