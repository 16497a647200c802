/*
 * mapping.c - compiling an index mapping and checking documents against it
 * the way an Elasticsearch node parses them (see mapping.h).
 *
 * Fields are kept flat, by their full dotted path, in an open-addressing
 * table; a document is walked once with the pull scanner, each member's
 * path looked up, and each value checked by its field's type.
 */
#include "mapping.h"
#include "jscan.h"

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum ftype {
	FT_UNCHECKED, FT_KEYWORD, FT_DATE, FT_LONG, FT_INTEGER, FT_SHORT,
	FT_BYTE, FT_UNSIGNED_LONG, FT_DOUBLE, FT_FLOAT, FT_HALF_FLOAT,
	FT_BOOLEAN, FT_GEO_POINT, FT_OBJECT
};

/* Date formats a field accepts (one bit each part of "a||b"). */
enum {
	DF_STRICT_OPT = 1, DF_OPT = 2, DF_STRICT_DATE = 4, DF_EPOCH_MS = 8,
	DF_EPOCH_S = 16, DF_ANY = 32
};

struct mfield {
	char *path;
	size_t len;
	uint64_t hash;
	enum ftype type;
	char *type_name;
	char *format;		/* date: as written, for messages */
	unsigned formats;
	int coerce;
	int ignore_malformed;
	int strict;		/* object: "dynamic": "strict" */
};

struct mapping {
	struct mfield *f;
	size_t n, cap;
	int32_t *slots;
	size_t mask;
	int strict;
};

static const struct {
	const char *name;
	enum ftype type;
} types[] = {
	{ "keyword", FT_KEYWORD }, { "text", FT_KEYWORD },
	{ "match_only_text", FT_KEYWORD }, { "constant_keyword", FT_KEYWORD },
	{ "wildcard", FT_KEYWORD }, { "search_as_you_type", FT_KEYWORD },
	{ "date", FT_DATE }, { "date_nanos", FT_DATE },
	{ "long", FT_LONG }, { "integer", FT_INTEGER }, { "short", FT_SHORT },
	{ "byte", FT_BYTE }, { "unsigned_long", FT_UNSIGNED_LONG },
	{ "double", FT_DOUBLE }, { "scaled_float", FT_DOUBLE },
	{ "float", FT_FLOAT }, { "half_float", FT_HALF_FLOAT },
	{ "boolean", FT_BOOLEAN }, { "geo_point", FT_GEO_POINT },
	{ "object", FT_OBJECT }, { "nested", FT_OBJECT },
	{ "flattened", FT_UNCHECKED }, { "ip", FT_UNCHECKED },
	{ "binary", FT_UNCHECKED }, { "geo_shape", FT_UNCHECKED },
	{ "point", FT_UNCHECKED }, { "shape", FT_UNCHECKED },
	{ "dense_vector", FT_UNCHECKED }, { "sparse_vector", FT_UNCHECKED },
	{ "rank_feature", FT_UNCHECKED }, { "rank_features", FT_UNCHECKED },
	{ "completion", FT_UNCHECKED }, { "token_count", FT_UNCHECKED },
	{ "alias", FT_UNCHECKED }, { "version", FT_UNCHECKED },
	{ "histogram", FT_UNCHECKED }, { "integer_range", FT_UNCHECKED },
	{ "float_range", FT_UNCHECKED }, { "long_range", FT_UNCHECKED },
	{ "double_range", FT_UNCHECKED }, { "date_range", FT_UNCHECKED },
	{ "ip_range", FT_UNCHECKED }, { "percolator", FT_UNCHECKED },
	{ "join", FT_UNCHECKED }, { "semantic_text", FT_UNCHECKED },
	{ "counted_keyword", FT_UNCHECKED },
	{ "aggregate_metric_double", FT_UNCHECKED },
};

static const char *const root_params[] = {
	"properties", "dynamic", "_source", "_meta", "_routing",
	"dynamic_templates", "date_detection", "numeric_detection",
	"dynamic_date_formats", "_field_names", "_data_stream_timestamp",
	"runtime", "enabled", "subobjects", "_size", NULL
};

static const char *const meta_fields[] = {
	"_id", "_index", "_routing", "_source", "_version", "_seq_no",
	"_primary_term", "_ignored", "_field_names", "_tier", "_doc_count",
	"_nested_path", "_data_stream_timestamp", "_feature", "_ignored_source",
	NULL
};

/* ---- compiling ---- */

static unsigned parse_formats(const char *fmt)
{
	unsigned bits = 0;
	const char *p = fmt;

	if (!fmt)
		return DF_STRICT_OPT | DF_EPOCH_MS;
	while (*p) {
		const char *bar = strstr(p, "||");
		size_t n = bar ? (size_t)(bar - p) : strlen(p);
#define IS(s) (n == strlen(s) && !strncmp(p, s, n))
		if (IS("strict_date_optional_time") ||
		    IS("strict_date_optional_time_nanos") ||
		    IS("strict_date_time") || IS("strict_date_time_no_millis") ||
		    IS("strict_date_hour_minute_second") ||
		    IS("strict_date_hour_minute_second_fraction") ||
		    IS("strict_date_hour_minute_second_millis"))
			bits |= DF_STRICT_OPT;
		else if (IS("date_optional_time") || IS("date_time") ||
			 IS("date_time_no_millis") || IS("date_hour_minute_second"))
			bits |= DF_OPT;
		else if (IS("strict_date") || IS("yyyy-MM-dd") || IS("date"))
			bits |= DF_STRICT_DATE;
		else if (IS("epoch_millis"))
			bits |= DF_EPOCH_MS;
		else if (IS("epoch_second"))
			bits |= DF_EPOCH_S;
		else
			bits |= DF_ANY;
#undef IS
		p += n;
		if (bar)
			p += 2;
	}
	return bits;
}

static int bool_param(json_t *def, const char *key, int dflt)
{
	json_t *v = json_object_get(def, key);

	if (json_is_boolean(v))
		return json_is_true(v);
	if (json_is_string(v))
		return !strcmp(json_string_value(v), "true");
	return dflt;
}

static int is_strict(json_t *def)
{
	json_t *v = json_object_get(def, "dynamic");

	return json_is_string(v) && !strcmp(json_string_value(v), "strict");
}

static void add_field(struct mapping *m, const char *path, enum ftype t,
		      const char *type_name, json_t *def)
{
	struct mfield *f;
	json_t *fmt = json_object_get(def, "format");

	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 32;
		m->f = xrealloc(m->f, m->cap * sizeof *m->f);
	}
	f = &m->f[m->n++];
	memset(f, 0, sizeof *f);
	f->len = strlen(path);
	f->path = xstrndup(path, f->len);
	f->hash = util_hash(UTIL_HASH0, path, f->len);
	f->type = t;
	f->type_name = xstrndup(type_name, strlen(type_name));
	if (t == FT_DATE) {
		const char *s = json_is_string(fmt) ? json_string_value(fmt)
			: "strict_date_optional_time||epoch_millis";

		f->format = xstrndup(s, strlen(s));
		f->formats = parse_formats(s);
	}
	f->coerce = bool_param(def, "coerce", 1);
	f->ignore_malformed = bool_param(def, "ignore_malformed", 0);
	f->strict = is_strict(def);
}

static int add_properties(struct mapping *m, json_t *props, const char *prefix,
			  char *err, size_t err_size)
{
	const char *name;
	json_t *def;
	char path[1024];
	size_t i;

	if (!json_is_object(props)) {
		snprintf(err, err_size, "Expected map for property [properties] but got [%s]",
			 json_is_array(props) ? "array" : "value");
		return -1;
	}
	json_object_foreach(props, name, def) {
		json_t *sub = json_object_get(def, "properties");
		const char *tname = json_string_value(json_object_get(def, "type"));
		enum ftype t;

		if (!json_is_object(def)) {
			snprintf(err, err_size, "Expected map for property [fields] on field [%s] but got a class java.lang.String",
				 name);
			return -1;
		}
		snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "",
			 name);
		if (!tname)
			tname = "object";
		for (i = 0; i < sizeof types / sizeof types[0]; i++)
			if (!strcmp(types[i].name, tname))
				break;
		if (i == sizeof types / sizeof types[0]) {
			snprintf(err, err_size, "No handler for type [%s] declared on field [%s]",
				 tname, name);
			return -1;
		}
		t = types[i].type;
		add_field(m, path, t, tname, def);
		if (t == FT_OBJECT && sub &&
		    add_properties(m, sub, path, err, err_size) != 0)
			return -1;
	}
	return 0;
}

static void build_table(struct mapping *m)
{
	size_t size = 16, i;

	while (size < m->n * 2 + 2)
		size *= 2;
	m->mask = size - 1;
	m->slots = xmalloc(size * sizeof *m->slots);
	for (i = 0; i < size; i++)
		m->slots[i] = -1;
	for (i = 0; i < m->n; i++) {
		size_t j = m->f[i].hash & m->mask;

		while (m->slots[j] >= 0)
			j = (j + 1) & m->mask;
		m->slots[j] = (int32_t)i;
	}
}

struct mapping *mapping_new(json_t *mappings, char *err, size_t err_size)
{
	struct mapping *m = xcalloc(1, sizeof *m);
	const char *key;
	json_t *v;
	size_t i;

	if (mappings && !json_is_object(mappings)) {
		snprintf(err, err_size, "Failed to parse mapping: mappings must be an object");
		goto fail;
	}
	json_object_foreach(mappings, key, v) {
		for (i = 0; root_params[i]; i++)
			if (!strcmp(root_params[i], key))
				break;
		if (!root_params[i]) {
			snprintf(err, err_size, "Root mapping definition has unsupported parameters:  [%s : %s]",
				 key, json_is_object(v) ? "{...}" : "...");
			goto fail;
		}
	}
	v = json_object_get(mappings, "properties");
	if (v && add_properties(m, v, "", err, err_size) != 0)
		goto fail;
	m->strict = is_strict(mappings);
	build_table(m);
	return m;
fail:
	mapping_free(m);
	return NULL;
}

void mapping_free(struct mapping *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->n; i++) {
		free(m->f[i].path);
		free(m->f[i].type_name);
		free(m->f[i].format);
	}
	free(m->f);
	free(m->slots);
	free(m);
}

/* ---- per-thread scratch: duplicate-key sets by depth, text buffers ---- */

struct keyset {
	uint64_t *h;
	const char **k;
	size_t *klen;
	uint32_t *gen;
	size_t cap, n;
	uint32_t cur;
};

struct mcheck {
	struct keyset *sets;
	size_t nsets;
	struct sbuf tmp;
};

struct mcheck *mcheck_new(void)
{
	return xcalloc(1, sizeof(struct mcheck));
}

static void ks_free(struct keyset *ks)
{
	free(ks->h);
	free(ks->k);
	free(ks->klen);
	free(ks->gen);
}

void mcheck_free(struct mcheck *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->nsets; i++)
		ks_free(&c->sets[i]);
	free(c->sets);
	sb_free(&c->tmp);
	free(c);
}

static struct keyset *keyset_at(struct mcheck *c, int depth)
{
	struct keyset *ks;

	if ((size_t)depth >= c->nsets) {
		size_t n = (size_t)depth + 4;

		c->sets = xrealloc(c->sets, n * sizeof *c->sets);
		memset(c->sets + c->nsets, 0, (n - c->nsets) * sizeof *c->sets);
		c->nsets = n;
	}
	ks = &c->sets[depth];
	ks->n = 0;
	if (++ks->cur == 0) { /* generations wrapped: clear for real */
		if (ks->gen)
			memset(ks->gen, 0, ks->cap * sizeof *ks->gen);
		ks->cur = 1;
	}
	return ks;
}

static void ks_resize(struct keyset *ks)
{
	struct keyset old = *ks;
	size_t i, j;

	ks->cap = old.cap ? old.cap * 2 : 128;
	ks->h = xmalloc(ks->cap * sizeof *ks->h);
	ks->k = xmalloc(ks->cap * sizeof *ks->k);
	ks->klen = xmalloc(ks->cap * sizeof *ks->klen);
	ks->gen = xcalloc(ks->cap, sizeof *ks->gen);
	for (i = 0; i < old.cap; i++) {
		if (old.gen[i] != old.cur)
			continue;
		j = old.h[i] & (ks->cap - 1);
		while (ks->gen[j] == ks->cur)
			j = (j + 1) & (ks->cap - 1);
		ks->h[j] = old.h[i];
		ks->k[j] = old.k[i];
		ks->klen[j] = old.klen[i];
		ks->gen[j] = ks->cur;
	}
	ks_free(&old);
}

/* Add a key; 1 when it was there already. */
static int ks_add(struct keyset *ks, const char *k, size_t klen, uint64_t h)
{
	size_t j;

	if ((ks->n + 1) * 2 > ks->cap)
		ks_resize(ks);
	j = h & (ks->cap - 1);
	while (ks->gen[j] == ks->cur) {
		if (ks->h[j] == h && ks->klen[j] == klen &&
		    !memcmp(ks->k[j], k, klen))
			return 1;
		j = (j + 1) & (ks->cap - 1);
	}
	ks->h[j] = h;
	ks->k[j] = k;
	ks->klen[j] = klen;
	ks->gen[j] = ks->cur;
	ks->n++;
	return 0;
}

/* ---- value checks ---- */

struct cause {
	const char *type;
	char reason[300];
	const char *extra;	/* more members of the cause, JSON text */
};

static int cause(struct cause *c, const char *type, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int cause(struct cause *c, const char *type, const char *fmt, ...)
{
	va_list ap;

	c->type = type;
	c->extra = NULL;
	va_start(ap, fmt);
	vsnprintf(c->reason, sizeof c->reason, fmt, ap);
	va_end(ap);
	return -1;
}

static int two(const char *p, const char *end, int *v)
{
	if (end - p < 2 || p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
		return -1;
	*v = (p[0] - '0') * 10 + (p[1] - '0');
	return 0;
}

/* 1 or 2 digits (lenient) or exactly 2 (strict); returns the count. */
static int num_field(const char *p, const char *end, int strict, int *v)
{
	int n = 0;

	*v = 0;
	while (p + n < end && n < 2 && p[n] >= '0' && p[n] <= '9')
		*v = *v * 10 + (p[n++] - '0');
	if (n == 0 || (strict && n != 2))
		return 0;
	return n;
}

static int days_in(int y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return d[m - 1];
}

static int zone_ok(const char *p, const char *end)
{
	int h, m;

	if (p == end)
		return 1;
	if (*p == 'Z')
		return p + 1 == end;
	if (*p != '+' && *p != '-')
		return 0;
	p++;
	if (two(p, end, &h) != 0 || h > 18)
		return 0;
	p += 2;
	if (p == end)
		return 1;
	if (*p == ':')
		p++;
	return two(p, end, &m) == 0 && m < 60 && p + 2 == end;
}

/* yyyy[-MM[-dd['T'HH[:mm[:ss[.fraction]]][zone]]]] */
static int date_ok(const char *p, const char *end, int strict)
{
	int y = 0, mo, d, h, mi, sec, n, yd = 0;

	while (p < end && *p >= '0' && *p <= '9' && yd < 9) {
		y = y * 10 + (*p++ - '0');
		yd++;
	}
	if (yd == 0 || (strict && yd != 4))
		return 0;
	if (p == end)
		return 1;
	if (*p++ != '-' || !(n = num_field(p, end, strict, &mo)) || mo < 1 ||
	    mo > 12)
		return 0;
	p += n;
	if (p == end)
		return 1;
	if (*p++ != '-' || !(n = num_field(p, end, strict, &d)) || d < 1 ||
	    d > days_in(y, mo))
		return 0;
	p += n;
	if (p == end)
		return 1;
	if (*p++ != 'T' || !(n = num_field(p, end, strict, &h)) || h > 23)
		return 0;
	p += n;
	if (p < end && *p == ':') {
		p++;
		if (!(n = num_field(p, end, strict, &mi)) || mi > 59)
			return 0;
		p += n;
		if (p < end && *p == ':') {
			p++;
			if (!(n = num_field(p, end, strict, &sec)) || sec > 59)
				return 0;
			p += n;
			if (p < end && (*p == '.' || *p == ',')) {
				const char *q = ++p;

				while (p < end && *p >= '0' && *p <= '9')
					p++;
				if (p == q || p - q > 9)
					return 0;
			}
		}
	}
	return zone_ok(p, end);
}

static int epoch_ok(const char *p, const char *end)
{
	const char *q;

	if (p < end && *p == '-')
		p++;
	q = p;
	while (p < end && *p >= '0' && *p <= '9')
		p++;
	if (p == q)
		return 0;
	if (p < end && *p == '.') {
		q = ++p;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
		if (p == q)
			return 0;
	}
	return p == end;
}

static int check_date(const struct mfield *f, int kind, const char *s,
		      size_t n, struct cause *c)
{
	const char *end = s + n;
	unsigned fm = f->formats;

	if (kind == JT_NUMBER && (fm & (DF_EPOCH_MS | DF_EPOCH_S | DF_ANY)))
		return 0;
	if (kind == JT_STRING &&
	    (((fm & DF_STRICT_OPT) && date_ok(s, end, 1)) ||
	     ((fm & DF_OPT) && date_ok(s, end, 0)) ||
	     ((fm & DF_STRICT_DATE) && n == 10 && date_ok(s, end, 1)) ||
	     ((fm & (DF_EPOCH_MS | DF_EPOCH_S)) && epoch_ok(s, end)) ||
	     ((fm & DF_ANY) && n > 0)))
		return 0;
	cause(c, "illegal_argument_exception",
	      "failed to parse date field [%.*s] with format [%s]",
	      (int)(n > 200 ? 200 : n), s, f->format);
	c->extra = ",\"caused_by\":{\"type\":\"date_time_parse_exception\","
		"\"reason\":\"Failed to parse with all enclosed parsers\"}";
	return -1;
}

/* Parse text as a decimal number the way a coercing numeric field does. */
static int text_number(const char *s, size_t n, double *out)
{
	char buf[400], *end;
	size_t i;

	if (n == 0 || n >= sizeof buf)
		return -1;
	for (i = 0; i < n; i++)
		if (!strchr("0123456789+-.eE", s[i]))
			return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	*out = strtod(buf, &end);
	return *end == '\0' ? 0 : -1;
}

static const char *article(enum ftype t)
{
	return t == FT_INTEGER || t == FT_UNSIGNED_LONG ? "an" : "a";
}

static int out_of_range(const struct mfield *f, const char *s, size_t n,
			struct cause *c)
{
	return cause(c, "illegal_argument_exception",
		     "Value [%.*s] is out of range for %s %s",
		     (int)(n > 200 ? 200 : n), s, article(f->type),
		     f->type_name);
}

static int not_numeric(int kind, struct cause *c)
{
	return cause(c, "x_content_parse_exception",
		     "Current token (VALUE_%s) not numeric, can not use numeric value accessors",
		     kind == JT_TRUE ? "TRUE" : "FALSE");
}

/* A JSON integer's digits against the largest value as text. */
static int digits_le(const char *d, size_t nd, const char *max)
{
	size_t nm = strlen(max);

	return nd < nm || (nd == nm && memcmp(d, max, nm) <= 0);
}

static int check_integer(const struct mfield *f, int kind, const char *s,
			 size_t n, const struct jnum *num, struct cause *c)
{
	static const double lo[] = { -9223372036854775808.0, -2147483648.0,
				     -32768.0, -128.0, 0.0 };
	static const double hi[] = { 9223372036854775807.0, 2147483647.0,
				     32767.0, 127.0, 18446744073709551615.0 };
	int k = f->type - FT_LONG;
	double v;

	if (kind == JT_STRING && !f->coerce)
		return cause(c, "illegal_argument_exception",
			     "[coerce] is disabled and a string was found");
	if (kind != JT_NUMBER && kind != JT_STRING)
		return not_numeric(kind, c);
	if (kind == JT_NUMBER && !num->frac && !num->exp) {
		const char *d = s + num->neg;
		size_t nd = n - (size_t)num->neg;

		if (f->type == FT_LONG)
			return digits_le(d, nd, num->neg ? "9223372036854775808"
					 : "9223372036854775807")
				? 0 : out_of_range(f, s, n, c);
		if (f->type == FT_UNSIGNED_LONG)
			return (!num->neg || (nd == 1 && d[0] == '0')) &&
				digits_le(d, nd, "18446744073709551615")
				? 0 : out_of_range(f, s, n, c);
		if (nd > 10)
			return out_of_range(f, s, n, c);
		v = strtod(s, NULL);
		return v < lo[k] || v > hi[k] ? out_of_range(f, s, n, c) : 0;
	}
	if (n == 0)
		return cause(c, "number_format_exception", "empty String");
	if (text_number(s, n, &v) != 0)
		return cause(c, "illegal_argument_exception",
			     "For input string: \"%.*s\"",
			     (int)(n > 200 ? 200 : n), s);
	if (!f->coerce && v != trunc(v))
		return cause(c, "illegal_argument_exception",
			     "Value [%.*s] has a decimal part",
			     (int)(n > 200 ? 200 : n), s);
	v = trunc(v);
	return v < lo[k] || v > hi[k] ? out_of_range(f, s, n, c) : 0;
}

static int not_finite_text(const char *s, size_t n)
{
	if (n > 0 && (s[0] == '+' || s[0] == '-')) {
		s++;
		n--;
	}
	return (n == 3 && !memcmp(s, "NaN", 3)) ||
		(n == 8 && !memcmp(s, "Infinity", 8));
}

static int check_float(const struct mfield *f, int kind, const char *s,
		       size_t n, const struct jnum *num, struct cause *c)
{
	double v, max = f->type == FT_FLOAT ? FLT_MAX
		: f->type == FT_HALF_FLOAT ? 65504.0 : DBL_MAX;

	if (kind == JT_STRING && !f->coerce)
		return cause(c, "illegal_argument_exception",
			     "[coerce] is disabled and a string was found");
	if (kind != JT_NUMBER && kind != JT_STRING)
		return not_numeric(kind, c);
	/* a plain decimal with few digits is finite in any type */
	if (kind == JT_NUMBER && !num->exp && n <= 30 &&
	    (f->type != FT_HALF_FLOAT || n <= 4))
		return 0;
	if (kind == JT_STRING && not_finite_text(s, n))
		return cause(c, "illegal_argument_exception",
			     "[%s] supports only finite values, but got [%.*s]",
			     f->type_name, (int)n, s);
	if (n == 0)
		return cause(c, "number_format_exception", "empty String");
	if (text_number(s, n, &v) != 0)
		return cause(c, "number_format_exception",
			     "For input string: \"%.*s\"",
			     (int)(n > 200 ? 200 : n), s);
	if (v > max || v < -max)
		return cause(c, "illegal_argument_exception",
			     "[%s] supports only finite values, but got [%s]",
			     f->type_name, v > 0 ? "Infinity" : "-Infinity");
	return 0;
}

static int check_bool(int kind, const char *s, size_t n, struct cause *c)
{
	if (kind == JT_TRUE || kind == JT_FALSE)
		return 0;
	if (kind == JT_STRING && (n == 0 || (n == 4 && !memcmp(s, "true", 4)) ||
				  (n == 5 && !memcmp(s, "false", 5))))
		return 0;
	if (kind == JT_STRING)
		return cause(c, "illegal_argument_exception",
			     "Failed to parse value [%.*s] as only [true] or [false] are allowed.",
			     (int)(n > 200 ? 200 : n), s);
	return cause(c, "x_content_parse_exception",
		     "Current token (VALUE_NUMBER) not of boolean type");
}

static int geo_range(const struct mfield *f, double lat, double lon,
		     struct cause *c)
{
	if (lat < -90.0 || lat > 90.0)
		return cause(c, "illegal_argument_exception",
			     "illegal latitude value [%g] for %s", lat, f->path);
	if (lon < -180.0 || lon > 180.0)
		return cause(c, "illegal_argument_exception",
			     "illegal longitude value [%g] for %s", lon, f->path);
	return 0;
}

static int is_geohash(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 12)
		return 0;
	for (i = 0; i < n; i++)
		if (!strchr("0123456789bcdefghjkmnpqrstuvwxyz", s[i]))
			return 0;
	return 1;
}

/* "lat,lon", "lat,lon,z", a geohash or "POINT (lon lat)". */
static int check_geo_text(const struct mfield *f, const char *s, size_t n,
			  struct cause *c)
{
	char buf[256], *p, *end;
	double v[3];
	int k = 0;

	if (is_geohash(s, n))
		return 0;
	if (n >= sizeof buf)
		goto bad;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (!strncmp(buf, "POINT", 5)) {
		p = buf + 5;
		while (*p == ' ')
			p++;
		if (*p++ != '(')
			goto bad;
		v[0] = strtod(p, &end);
		if (end == p)
			goto bad;
		v[1] = strtod(p = end, &end);
		if (end == p)
			goto bad;
		while (*end == ' ')
			end++;
		if (strcmp(end, ")") != 0)
			goto bad;
		return geo_range(f, v[1], v[0], c);
	}
	p = buf;
	for (;;) {
		while (*p == ' ')
			p++;
		if (k == 3 || !*p)
			goto bad;
		v[k++] = strtod(p, &end);
		if (end == p)
			goto bad;
		for (p = end; *p == ' '; p++)
			;
		if (!*p)
			break;
		if (*p++ != ',')
			goto bad;
	}
	if (k < 2)
		goto bad;
	return geo_range(f, v[0], v[1], c);
bad:
	return cause(c, "illegal_argument_exception",
		     "unsupported symbol [%c] in geohash [%.*s]",
		     n ? s[0] : ' ', (int)(n > 200 ? 200 : n), s);
}

/* ---- the walk over one document ---- */

struct walk {
	struct mcheck *c;
	const struct mapping *m;
	struct jscan s;
	const char *id;
	size_t idlen;
	struct sbuf *err;
	int odepth;
	int reported;	/* an error object was written */
};

static void preview(struct sbuf *b, const char *v, size_t n)
{
	size_t max = 200;

	if (n > max) { /* cut at a character boundary */
		n = max;
		while (n > 0 && ((unsigned char)v[n] & 0xc0) == 0x80)
			n--;
	}
	sb_add(b, v, n);
}

static int report(struct walk *w, const char *type, const struct sbuf *reason,
		  const struct cause *c)
{
	struct sbuf extra = SBUF_INIT;

	if (c) {
		sb_puts(&extra, ",\"caused_by\":");
		es_error_obj(&extra, c->type, c->reason, c->extra);
	}
	es_error_obj(w->err, type, reason->data ? reason->data : "", extra.data);
	sb_free(&extra);
	w->reported = 1;
	return -1;
}

static int field_error(struct walk *w, const struct mfield *f, const char *v,
		       size_t n, const struct cause *c)
{
	struct sbuf r = SBUF_INIT;
	int rc;

	if (f->ignore_malformed)
		return 0;
	sb_printf(&r, "failed to parse field [%s] of type [%s] in document with id '",
		  f->path, f->type_name);
	sb_add(&r, w->id, w->idlen);
	sb_puts(&r, "'. Preview of field's value: '");
	preview(&r, v, n);
	sb_putc(&r, '\'');
	rc = report(w, "mapper_parsing_exception", &r, c);
	sb_free(&r);
	return rc;
}

static int simple_error(struct walk *w, const char *type, const char *fmt,
			const char *a, size_t an, const char *b)
{
	struct sbuf r = SBUF_INIT;
	int rc;

	sb_printf(&r, fmt, (int)an, a, b ? b : "");
	rc = report(w, type, &r, NULL);
	sb_free(&r);
	return rc;
}

static const struct mfield *lookup(const struct mapping *m,
				   const struct mfield *parent,
				   const char *k, size_t klen)
{
	uint64_t h;
	size_t j, plen = parent ? parent->len : 0;

	if (!m || m->n == 0)
		return NULL;
	if (parent) {
		h = util_hash(parent->hash, ".", 1);
		h = util_hash(h, k, klen);
	} else {
		h = util_hash(UTIL_HASH0, k, klen);
	}
	for (j = h & m->mask; m->slots[j] >= 0; j = (j + 1) & m->mask) {
		const struct mfield *f = &m->f[m->slots[j]];

		if (f->hash != h || f->len != plen + (parent ? 1 : 0) + klen)
			continue;
		if (!parent && !memcmp(f->path, k, klen))
			return f;
		if (parent && !memcmp(f->path, parent->path, plen) &&
		    f->path[plen] == '.' && !memcmp(f->path + plen + 1, k, klen))
			return f;
	}
	return NULL;
}

static int check_object(struct walk *w, const struct mfield *parent);
static int check_value(struct walk *w, const struct mfield *f);

/* A string value's bytes: in place, or unescaped into the scratch. */
static const char *string_bytes(struct walk *w, const struct jspan *sp,
				size_t *n)
{
	if (!sp->esc) {
		*n = sp->len;
		return sp->p;
	}
	w->c->tmp.len = 0;
	sb_grow(&w->c->tmp, sp->len);
	*n = js_unescape(sp, w->c->tmp.data);
	w->c->tmp.data[*n] = '\0';
	return w->c->tmp.data;
}

static int check_scalar(struct walk *w, const struct mfield *f, int kind)
{
	struct jspan sp;
	struct jnum num;
	struct cause c;
	const char *v = (const char *)w->s.p;
	size_t n = 0;
	int rc = 0;

	if (kind == JT_STRING) {
		if (js_string(&w->s, &sp) != 0)
			return -1;
		v = string_bytes(w, &sp, &n);
	} else if (kind == JT_NUMBER) {
		if (js_number(&w->s, &num) != 0)
			return -1;
		v = num.p;
		n = num.len;
	} else {
		if (js_literal(&w->s) != 0)
			return -1;
		n = (size_t)((const char *)w->s.p - v);
	}
	switch (f->type) {
	case FT_DATE:
		rc = check_date(f, kind, v, n, &c);
		break;
	case FT_LONG: case FT_INTEGER: case FT_SHORT: case FT_BYTE:
	case FT_UNSIGNED_LONG:
		rc = check_integer(f, kind, v, n, kind == JT_NUMBER ? &num : NULL,
				   &c);
		break;
	case FT_DOUBLE: case FT_FLOAT: case FT_HALF_FLOAT:
		rc = check_float(f, kind, v, n, kind == JT_NUMBER ? &num : NULL,
				 &c);
		break;
	case FT_BOOLEAN:
		rc = check_bool(kind, v, n, &c);
		break;
	case FT_GEO_POINT:
		rc = kind == JT_STRING ? check_geo_text(f, v, n, &c)
			: cause(&c, "illegal_argument_exception",
				"geo_point expected");
		break;
	case FT_OBJECT:
		return simple_error(w, "mapper_parsing_exception",
				    "object mapping for [%.*s] tried to parse field [%s] as object, but found a concrete value",
				    f->path, f->len, f->path);
	default:
		break;
	}
	return rc == 0 ? 0 : field_error(w, f, v, n, &c);
}

/* Numbers read from an array or object member of a geo_point. */
static int geo_number(struct walk *w, double *out)
{
	struct jspan sp;
	struct jnum num;
	const char *v;
	size_t n;
	enum jtype t = js_peek(&w->s);

	if (t == JT_NUMBER) {
		if (js_number(&w->s, &num) != 0)
			return -1;
		v = num.p;
		n = num.len;
	} else if (t == JT_STRING) {
		if (js_string(&w->s, &sp) != 0)
			return -1;
		v = string_bytes(w, &sp, &n);
	} else {
		return js_skip(&w->s) != 0 ? -1 : 1;
	}
	return text_number(v, n, out) == 0 ? 0 : 1;
}

/* Returns 0 ok, -1 scan error, 1 not a point (cause filled). */
static int geo_object(struct walk *w, const struct mfield *f, struct cause *c)
{
	struct jspan key;
	int first = 1, r, bad = 0, have = 0;
	double lat = 0, lon = 0, v;

	if (js_obj_begin(&w->s) != 0)
		return -1;
	while ((r = js_obj_next(&w->s, &first, &key)) > 0) {
		if (key.len == 3 && !memcmp(key.p, "lat", 3)) {
			if ((r = geo_number(w, &lat)) < 0)
				return -1;
			bad |= r;
			have |= 1;
		} else if (key.len == 3 && !memcmp(key.p, "lon", 3)) {
			if ((r = geo_number(w, &lon)) < 0)
				return -1;
			bad |= r;
			have |= 2;
		} else if (key.len == 1 && key.p[0] == 'z') {
			if ((r = geo_number(w, &v)) < 0)
				return -1;
			bad |= r;
		} else if ((key.len == 4 && !memcmp(key.p, "type", 4)) ||
			   (key.len == 11 && !memcmp(key.p, "coordinates", 11))) {
			if (js_skip(&w->s) != 0)
				return -1;
			have |= 4;
		} else {
			if (js_skip(&w->s) != 0)
				return -1;
			bad = 1;
		}
	}
	if (r < 0)
		return -1;
	if (bad || (have != 3 && have != 4)) {
		cause(c, "illegal_argument_exception",
		      "field must be either [lat], [lon] or [type, coordinates]");
		return 1;
	}
	return have == 3 && geo_range(f, lat, lon, c) != 0 ? 1 : 0;
}

/* [lon, lat] or [lon, lat, z] once the '[' is seen and a number is next. */
static int geo_pair(struct walk *w, const struct mfield *f, struct cause *c)
{
	double v[3];
	int first = 1, k = 0, r, bad = 0;

	while ((r = js_arr_next(&w->s, &first)) > 0) {
		if (js_peek(&w->s) != JT_NUMBER || k == 3) {
			if (js_skip(&w->s) != 0)
				return -1;
			bad = 1;
			continue;
		}
		if ((r = geo_number(w, &v[k++])) < 0)
			return -1;
		bad |= r;
	}
	if (r < 0)
		return -1;
	if (bad || k < 2) {
		cause(c, "parse_exception",
		      "geo_point expected [lon, lat] or [lon, lat, z]");
		return 1;
	}
	return geo_range(f, v[1], v[0], c) != 0 ? 1 : 0;
}

static int check_geo(struct walk *w, const struct mfield *f, int in_array)
{
	const char *start;
	struct cause c;
	enum jtype t = js_peek(&w->s);
	int first = 1, r;

	start = (const char *)w->s.p;
	if (t == JT_OBJECT) {
		r = geo_object(w, f, &c);
	} else if (t == JT_ARRAY) {
		if (js_arr_begin(&w->s) != 0)
			return -1;
		if (js_peek(&w->s) == JT_NUMBER) {
			r = geo_pair(w, f, &c);
		} else if (in_array) {
			/* an array of arrays of points: too deep */
			while ((r = js_arr_next(&w->s, &first)) > 0)
				if (js_skip(&w->s) != 0)
					return -1;
			r = r < 0 ? -1 : 1;
			cause(&c, "parse_exception", "geo_point expected");
		} else {
			while ((r = js_arr_next(&w->s, &first)) > 0)
				if (check_geo(w, f, 1) != 0)
					return -1;
			return r;
		}
	} else if (t == JT_NULL) {
		return js_literal(&w->s);
	} else {
		return check_scalar(w, f, t);
	}
	if (r < 0)
		return -1;
	if (r == 0)
		return 0;
	return field_error(w, f, start, (size_t)((const char *)w->s.p - start),
			   &c);
}

static int check_value(struct walk *w, const struct mfield *f)
{
	enum jtype t = js_peek(&w->s);
	const char *start = (const char *)w->s.p;
	struct cause c;
	int first = 1, r;

	if (f->type == FT_GEO_POINT)
		return check_geo(w, f, 0);
	switch (t) {
	case JT_BAD: case JT_EOF:
		return js_skip(&w->s);
	case JT_NULL:
		return js_literal(&w->s);
	case JT_ARRAY:
		if (js_arr_begin(&w->s) != 0)
			return -1;
		while ((r = js_arr_next(&w->s, &first)) > 0)
			if (check_value(w, f) != 0)
				return -1;
		return r;
	case JT_OBJECT:
		if (f->type == FT_OBJECT)
			return check_object(w, f);
		if (js_skip(&w->s) != 0)
			return -1;
		if (f->type == FT_UNCHECKED)
			return 0;
		cause(&c, "illegal_state_exception",
		      "Can't get text on a START_OBJECT");
		return field_error(w, f, start,
				   (size_t)((const char *)w->s.p - start), &c);
	default:
		if (f->type == FT_UNCHECKED || f->type == FT_KEYWORD)
			return t == JT_STRING || t == JT_NUMBER ? js_skip(&w->s)
				: js_literal(&w->s);
		return check_scalar(w, f, t);
	}
}

static int is_meta(const char *k, size_t n)
{
	size_t i;

	for (i = 0; meta_fields[i]; i++)
		if (strlen(meta_fields[i]) == n && !memcmp(meta_fields[i], k, n))
			return 1;
	return 0;
}

static int check_object(struct walk *w, const struct mfield *parent)
{
	struct keyset *ks;
	struct jspan key;
	int first = 1, r, strict = parent ? parent->strict : w->m && w->m->strict;

	if (js_obj_begin(&w->s) != 0)
		return -1;
	ks = keyset_at(w->c, w->odepth++);
	while ((r = js_obj_next(&w->s, &first, &key)) > 0) {
		const struct mfield *f;
		const char *k = key.p;
		size_t kn = key.len;

		if (ks_add(ks, key.p, key.len, util_hash(UTIL_HASH0, key.p, key.len)))
			return simple_error(w, "mapper_parsing_exception",
					    "failed to parse: Duplicate field '%.*s'%s",
					    key.p, key.len, NULL);
		if (key.esc) {
			w->c->tmp.len = 0;
			sb_grow(&w->c->tmp, key.len);
			kn = js_unescape(&key, w->c->tmp.data);
			k = w->c->tmp.data;
		}
		if (!parent && kn > 0 && k[0] == '_' && is_meta(k, kn))
			return simple_error(w, "mapper_parsing_exception",
					    "Field [%.*s] is a metadata field and cannot be added inside a document. Use the index API request parameters.%s",
					    k, kn, NULL);
		f = lookup(w->m, parent, k, kn);
		if (!f && strict)
			return simple_error(w, "strict_dynamic_mapping_exception",
					    "[_doc] mapping set to strict, dynamic introduction of [%.*s] within [%s] is not allowed",
					    k, kn, parent ? parent->path : "_doc");
		if (!f ? js_skip(&w->s) != 0 : check_value(w, f) != 0)
			return -1;
	}
	w->odepth--;
	return r;
}

int mapping_check(struct mcheck *c, const struct mapping *m, const char *doc,
		  size_t n, const char *id, size_t idlen, struct sbuf *err)
{
	struct walk w = { .c = c, .m = m, .id = id, .idlen = idlen,
			  .err = err };
	struct sbuf r = SBUF_INIT;
	struct cause cs;
	enum jtype t;

	js_init(&w.s, doc, n);
	t = js_peek(&w.s);
	if (t == JT_OBJECT && check_object(&w, NULL) == 0 &&
	    js_finish(&w.s) == 0)
		return 0;
	if (w.reported)
		return -1;
	if (t == JT_EOF) {
		sb_puts(&r, "failed to parse, document is empty");
		report(&w, "mapper_parsing_exception", &r, NULL);
	} else {
		sb_puts(&r, "failed to parse");
		if (t == JT_OBJECT || t == JT_BAD)
			cause(&cs, "json_parse_exception", "%s", js_error(&w.s));
		else
			cause(&cs, "not_x_content_exception",
			      "Compressor detection can only be called on some xcontent bytes or compressed xcontent bytes");
		report(&w, "mapper_parsing_exception", &r, &cs);
	}
	sb_free(&r);
	return -1;
}
