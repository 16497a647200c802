/*
 * dumpfiles.c - finding the dump's parts and fingerprinting them (see
 * dumpfiles.h).
 *
 * The fingerprint hashes the size, the first and the last 64 KiB: for a
 * gzip file the tail holds the last member's CRC-32 and length, so any
 * change of content shows there, and reading 128 KiB keeps the check of
 * an unchanged multi-gigabyte dump instant.
 */
#include "dumpfiles.h"
#include "dcstage.h"
#include "load.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FP_SPAN (64 * 1024)

static int table_of(const char *name)
{
	static const char prefix[] = "opendata_";

	if (strncmp(name, prefix, sizeof prefix - 1) != 0)
		return -1;
	name += sizeof prefix - 1;
	for (int t = 0; t < LOAD_NTABLES; t++) {
		size_t n = strlen(load_table_names[t]);
		if (!strncmp(name, load_table_names[t], n) &&
		    (strstr(name + n, ".gz") || strstr(name + n, ".csv")))
			return t;
	}
	return -1;
}

static int fingerprint(dumpfile *f, char *err)
{
	char *head;
	int fd = open(f->path, O_RDONLY);
	uint64_t h = dc_hash64(&f->size, sizeof f->size, 0);
	ssize_t n;

	if (fd < 0)
		return dc_seterr(err, "cannot open '%s': %s", f->path,
				 strerror(errno));
	head = dc_malloc(FP_SPAN);
	n = pread(fd, head, FP_SPAN, 0);
	if (n > 0)
		h = dc_hash64(head, (size_t)n, h);
	if (n >= 0 && f->size > FP_SPAN) {
		n = pread(fd, head, FP_SPAN, (off_t)(f->size - FP_SPAN));
		if (n > 0)
			h = dc_hash64(head, (size_t)n, h);
	}
	close(fd);
	free(head);
	if (n < 0)
		return dc_seterr(err, "cannot read '%s': %s", f->path,
				 strerror(errno));
	snprintf(f->fingerprint, sizeof f->fingerprint, "%016llx",
		 (unsigned long long)h);
	return 0;
}

static int add_file(dumpfiles *d, const char *path, int table, char *err)
{
	char full[PATH_MAX];
	struct stat st;
	dumpfile *f;

	if (!realpath(path, full) || stat(full, &st) != 0)
		return dc_seterr(err, "cannot open '%s': %s", path,
				 strerror(errno));
	for (int i = 0; i < d->n; i++)
		if (!strcmp(d->files[i].path, full))
			return 0; /* named twice */
	d->files = dc_realloc(d->files, (size_t)(d->n + 1) * sizeof *d->files);
	f = &d->files[d->n++];
	f->path = dc_strdup(full);
	f->name = strrchr(f->path, '/') + 1;
	f->table = table;
	f->size = (uint64_t)st.st_size;
	f->mtime = (int64_t)st.st_mtime;
	return fingerprint(f, err);
}

static int add_folder(dumpfiles *d, const char *dir, char *err)
{
	DIR *dp = opendir(dir);
	struct dirent *e;
	char path[PATH_MAX];
	int rc = 0;

	if (!dp)
		return dc_seterr(err, "cannot open folder '%s': %s", dir,
				 strerror(errno));
	while (rc == 0 && (e = readdir(dp)) != NULL) {
		int t = table_of(e->d_name);

		if (t < 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		rc = add_file(d, path, t, err);
	}
	closedir(dp);
	return rc;
}

static int by_table_then_name(const void *a, const void *b)
{
	const dumpfile *x = a, *y = b;

	if (x->table != y->table)
		return x->table - y->table;
	return strcmp(x->name, y->name);
}

static int add_input(dumpfiles *d, const char *input, char *err)
{
	struct stat st;
	const char *base = strrchr(input, '/');
	int t;

	if (stat(input, &st) != 0)
		return dc_seterr(err, "cannot open '%s': %s", input,
				 strerror(errno));
	if (S_ISDIR(st.st_mode))
		return add_folder(d, input, err);
	t = table_of(base ? base + 1 : input);
	if (t < 0)
		return dc_seterr(err, "cannot tell which table '%s' holds: "
				 "expected a name like opendata_donations000.gz",
				 input);
	return add_file(d, input, t, err);
}

int dumpfiles_find(char *const *inputs, int ninputs, dumpfiles *out,
		   char *err)
{
	int seen[LOAD_NTABLES] = { 0 };

	memset(out, 0, sizeof *out);
	for (int i = 0; i < ninputs; i++) {
		if (add_input(out, inputs[i], err) != 0) {
			dumpfiles_free(out);
			return -1;
		}
	}
	qsort(out->files, (size_t)out->n, sizeof *out->files,
	      by_table_then_name);
	for (int i = 0; i < out->n; i++)
		seen[out->files[i].table] = 1;
	for (int t = 0; t < LOAD_NTABLES; t++) {
		if (!seen[t]) {
			dumpfiles_free(out);
			return dc_seterr(err, "no %s file (opendata_%s000.gz) "
					 "in the input", load_table_names[t],
					 load_table_names[t]);
		}
	}
	return 0;
}

void dumpfiles_free(dumpfiles *d)
{
	for (int i = 0; i < d->n; i++)
		free(d->files[i].path);
	free(d->files);
	d->files = NULL;
	d->n = 0;
}
