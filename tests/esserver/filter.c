/*
 * filter.c - filter_path matching and filtering (see filter.h).
 */
#include "filter.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

struct pattern {
	char **seg;
	size_t nseg;
};

struct fpath {
	struct pattern *p;
	size_t n;
};

static void add_pattern(struct fpath *fp, const char *s, size_t len)
{
	struct pattern *p;
	const char *dot, *end = s + len;

	fp->p = xrealloc(fp->p, (fp->n + 1) * sizeof *fp->p);
	p = &fp->p[fp->n++];
	p->seg = NULL;
	p->nseg = 0;
	while (s <= end) {
		dot = memchr(s, '.', (size_t)(end - s));
		if (!dot)
			dot = end;
		p->seg = xrealloc(p->seg, (p->nseg + 1) * sizeof *p->seg);
		p->seg[p->nseg++] = xstrndup(s, (size_t)(dot - s));
		s = dot + 1;
	}
}

struct fpath *fpath_new(const char *spec)
{
	struct fpath *fp;
	const char *s, *comma;

	if (!spec || !*spec)
		return NULL;
	fp = xcalloc(1, sizeof *fp);
	for (s = spec; *s; s = *comma ? comma + 1 : comma) {
		size_t n;

		comma = strchr(s, ',');
		if (!comma)
			comma = s + strlen(s);
		while (*s == ' ')
			s++;
		n = (size_t)(comma - s);
		while (n > 0 && s[n - 1] == ' ')
			n--;
		if (n > 0 && *s != '-')
			add_pattern(fp, s, n);
	}
	if (fp->n == 0) {
		fpath_free(fp);
		return NULL;
	}
	return fp;
}

void fpath_free(struct fpath *fp)
{
	size_t i, j;

	if (!fp)
		return;
	for (i = 0; i < fp->n; i++) {
		for (j = 0; j < fp->p[i].nseg; j++)
			free(fp->p[i].seg[j]);
		free(fp->p[i].seg);
	}
	free(fp->p);
	free(fp);
}

/* A segment pattern with * wildcards against a name. */
static int glob(const char *pat, const char *s)
{
	if (!*pat)
		return !*s;
	if (*pat == '*') {
		for (;; s++) {
			if (glob(pat + 1, s))
				return 1;
			if (!*s)
				return 0;
		}
	}
	return *s == *pat && glob(pat + 1, s + 1);
}

static int match(const struct pattern *p, size_t i, const char *const *path,
		 int j, int depth)
{
	if (i == p->nseg)
		return FP_ALL;
	if (j == depth)
		return FP_PARTIAL;
	if (!strcmp(p->seg[i], "**")) {
		if (match(p, i + 1, path, j, depth) == FP_ALL ||
		    match(p, i, path, j + 1, depth) == FP_ALL)
			return FP_ALL;
		return FP_PARTIAL;
	}
	if (!glob(p->seg[i], path[j]))
		return FP_NONE;
	return match(p, i + 1, path, j + 1, depth);
}

int fpath_match(const struct fpath *fp, const char *const *path, int depth)
{
	int best = FP_NONE;
	size_t i;

	if (!fp)
		return FP_ALL;
	for (i = 0; i < fp->n && best != FP_ALL; i++) {
		int m = match(&fp->p[i], 0, path, 0, depth);
		if (m > best)
			best = m;
	}
	return best;
}

json_t *fpath_filter(const struct fpath *fp, json_t *v, const char **path,
		     int depth)
{
	json_t *out, *c, *child;
	const char *key;
	int m = depth < FP_MAX_DEPTH ? fpath_match(fp, path, depth) : FP_NONE;

	if (m == FP_ALL)
		return json_incref(v);
	if (m == FP_NONE || depth >= FP_MAX_DEPTH - 1)
		return NULL;
	if (json_is_object(v)) {
		out = json_object();
		json_object_foreach(v, key, child) {
			path[depth] = key;
			c = fpath_filter(fp, child, path, depth + 1);
			if (c)
				json_object_set_new(out, key, c);
		}
		if (json_object_size(out) > 0)
			return out;
		json_decref(out);
		return NULL;
	}
	if (json_is_array(v)) {
		size_t i;

		out = json_array();
		json_array_foreach(v, i, child) {
			c = fpath_filter(fp, child, path, depth);
			if (c)
				json_array_append_new(out, c);
		}
		if (json_array_size(out) > 0)
			return out;
		json_decref(out);
	}
	return NULL;
}
