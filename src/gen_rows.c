/*
 * gen_rows.c - the records of the generated dump: one function per table
 * builds the record of a given index from hashes of (seed, table, index),
 * with the values of src/gen_values.c: zips with leading zeros, 12-digit
 * NCES ids, coordinates near the school's city, money with two decimals,
 * dates in 2002-2022.
 *
 * Related rows agree without being stored: a school's, teacher's or
 * donor's attributes are a function of its number, and a donation's
 * timestamp follows its project's posting date.
 */
#include "gen.h"
#include "dcstage.h"

#include <stdio.h>
#include <string.h>

#define NELEM(a) (sizeof (a) / sizeof (a)[0])

/* ---- small formatting helpers ---- */

static size_t fmt_uint(char *out, uint64_t v)
{
	char tmp[24];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	return n;
}

/* v with exactly width digits, leading zeros kept. */
static void fmt_digits(char *out, uint64_t v, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		out[i] = (char)('0' + v % 10);
		v /= 10;
	}
}

static void add_uint(gen_row *r, uint64_t v)
{
	char tmp[24];

	gen_row_add(r, tmp, fmt_uint(tmp, v));
}

/* Money: cents as a decimal with two digits after the point. */
static void add_money(gen_row *r, uint64_t cents)
{
	char tmp[32];
	size_t n = fmt_uint(tmp, cents / 100);

	tmp[n++] = '.';
	fmt_digits(tmp + n, cents % 100, 2);
	gen_row_add(r, tmp, n + 2);
}

static void add_flag(gen_row *r, int on)
{
	gen_row_add(r, on ? "t" : "f", 1);
}

static void add_coordinate(gen_row *r, double v)
{
	char tmp[32];
	int n = snprintf(tmp, sizeof tmp, "%.6f", v);

	gen_row_add(r, tmp, (size_t)n);
}

static void add_id(gen_row *r, const gen_world *w, uint64_t tag,
		   uint64_t index)
{
	char id[32];

	gen_hex_id(w, tag, index, id);
	gen_row_add(r, id, 32);
}

/* ---- dates ---- */

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t days_from_civil(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* "YYYY-MM-DD HH:MM:SS" of seconds since 1970; 19 bytes, no NUL. */
static void fmt_datetime(char *out, int64_t t)
{
	int y, m, d;
	int64_t s = t % 86400;

	civil_from_days(t / 86400, &y, &m, &d);
	fmt_digits(out, (uint64_t)y, 4);
	out[4] = '-';
	fmt_digits(out + 5, (uint64_t)m, 2);
	out[7] = '-';
	fmt_digits(out + 8, (uint64_t)d, 2);
	out[10] = ' ';
	fmt_digits(out + 11, (uint64_t)(s / 3600), 2);
	out[13] = ':';
	fmt_digits(out + 14, (uint64_t)(s / 60 % 60), 2);
	out[16] = ':';
	fmt_digits(out + 17, (uint64_t)(s % 60), 2);
}

/* A timestamp, with a fraction of `digits` digits when digits > 0. */
static void add_datetime(gen_row *r, int64_t t, int digits, uint64_t frac)
{
	char tmp[32];

	fmt_datetime(tmp, t);
	if (digits <= 0) {
		gen_row_add(r, tmp, 19);
		return;
	}
	tmp[19] = '.';
	fmt_digits(tmp + 20, frac, digits);
	gen_row_add(r, tmp, 20 + (size_t)digits);
}

#define DAY 86400

/* When project p was posted: 2002-09-01 to 2022-06-30, so that every date
 * derived from it stays within 2022. */
static int64_t project_posted(const gen_world *w, uint64_t p)
{
	int64_t first = days_from_civil(2002, 9, 1);
	int64_t last = days_from_civil(2022, 6, 30);
	uint64_t h = gen_hash(w->seed, 'P', p, 0);

	return (first + (int64_t)(h % (uint64_t)(last - first + 1))) * DAY +
	       (int64_t)((h >> 32) % DAY);
}

/* ---- the world ---- */

uint64_t gen_count(double scale, uint64_t full)
{
	double v = scale * (double)full + 0.5;

	return v < 1.0 ? 1 : (uint64_t)v;
}

static uint64_t gcd(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

void gen_world_init(gen_world *w, uint64_t seed, double scale)
{
	uint64_t n;

	memset(w, 0, sizeof *w);
	w->seed = seed;
	w->nprojects = n = gen_count(scale, GEN_FULL_PROJECTS);
	w->ndonations = gen_count(scale, GEN_FULL_DONATIONS);
	w->nteachers = n * 2 / 5 ? n * 2 / 5 : 1;
	w->nschools = n / 8 ? n / 8 : 1;
	w->ndonors = w->ndonations / 3 ? w->ndonations / 3 : 1;
	w->npages = w->ndonations / 50 ? w->ndonations / 50 : 1;
	w->perm_mul = gen_mix(seed) % n;
	if (w->perm_mul == 0)
		w->perm_mul = 1;
	while (gcd(w->perm_mul, n) != 1)
		w->perm_mul++;
}

void gen_hex_id(const gen_world *w, uint64_t tag, uint64_t index,
		char out[32])
{
	static const char hex[] = "0123456789abcdef";
	uint64_t h[2];

	h[0] = gen_hash(w->seed, tag, index, 0x1d);
	h[1] = gen_hash(w->seed, tag, index, 0x2e);
	for (int k = 0; k < 2; k++)
		for (int i = 0; i < 16; i++)
			out[k * 16 + i] = hex[(h[k] >> (60 - 4 * i)) & 15];
}

int gen_resource_count(const gen_world *w, uint64_t p)
{
	gen_rng rng = { gen_hash(w->seed, 'k', p, 0) };
	uint64_t x = gen_below(&rng, 1000);
	double u;

	if (x < 350)
		return 1;
	if (x < 570)
		return 2;
	if (x < 710)
		return 3;
	if (x < 800)
		return 4;
	if (x < 860)
		return 5;
	u = gen_unit(&rng);
	u = u * u * u * u * u * u * u; /* u^14: a long thin tail up to 40 */
	u = u * u;
	return 6 + (int)(34.999 * u);
}

uint64_t gen_donation_project(const gen_world *w, uint64_t tag, uint64_t i)
{
	gen_rng rng = { gen_hash(w->seed, tag, i, 'j') };
	uint64_t n = w->nprojects, funded = n - n / 10;
	double u = gen_unit(&rng);
	uint64_t pos = (uint64_t)((double)funded * u * u);

	/* A tenth of the projects never get a donation; among the others
	 * the popular ones, scattered by the multiplier, get many. */
	if (pos >= funded)
		pos = funded - 1;
	return (pos * w->perm_mul + w->seed % n) % n;
}

/* ---- projects ---- */

static void add_school(const gen_world *w, uint64_t school, gen_row *r)
{
	gen_rng rng = { gen_hash(w->seed, 'S', school, 0) };
	const gen_city *c = gen_pick_city(&rng);
	static const char *const kinds[] = {
		" Public Schools", " Unified School District",
		" City School District", " County School District"
	};
	char tmp[32];
	int zip = c->zip + (int)gen_below(&rng, 30);
	uint64_t x = gen_below(&rng, 4);
	char district[96];
	int dn;

	if (gen_chance(&rng, 70)) {
		gen_row_add(r, "", 0);
	} else {
		fmt_digits(tmp, (uint64_t)c->fips, 2);
		fmt_digits(tmp + 2, gen_below(&rng, 100000), 5);
		fmt_digits(tmp + 7, gen_below(&rng, 100000), 5);
		gen_row_add(r, tmp, 12);
	}
	add_coordinate(r, c->lat + (gen_unit(&rng) - 0.5) * 0.3);
	add_coordinate(r, c->lon + (gen_unit(&rng) - 0.5) * 0.3);
	gen_row_adds(r, c->name);
	gen_row_adds(r, c->state);
	fmt_digits(tmp, (uint64_t)zip, 5);
	gen_row_add(r, tmp, 5);
	gen_row_adds(r, gen_pick(&rng, GEN_METRO));
	dn = snprintf(district, sizeof district, "%s%s",
		      x == 3 ? c->county : c->name, kinds[x]);
	gen_row_add(r, district, (size_t)dn);
	gen_row_adds(r, c->county);
	add_flag(r, gen_chance(&rng, 80));   /* charter */
	add_flag(r, gen_chance(&rng, 50));   /* magnet */
	add_flag(r, gen_chance(&rng, 30));   /* year round */
	add_flag(r, gen_chance(&rng, 20));   /* nlns */
	add_flag(r, gen_chance(&rng, 10));   /* kipp */
	add_flag(r, gen_chance(&rng, 10));   /* charter ready promise */
}

static void add_teacher(const gen_world *w, uint64_t teacher, gen_row *r)
{
	gen_rng rng = { gen_hash(w->seed, 'T', teacher, 0) };

	gen_row_adds(r, gen_pick(&rng, GEN_PREFIX));
	add_flag(r, gen_chance(&rng, 50));
	add_flag(r, gen_chance(&rng, 15));
}

static void add_focus(gen_rng *rng, gen_row *r, int optional)
{
	const char *subject, *area;

	if (optional && gen_chance(rng, 600)) {
		gen_row_add(r, "", 0);
		gen_row_add(r, "", 0);
		return;
	}
	gen_pick_focus(rng, &subject, &area);
	gen_row_adds(r, subject);
	gen_row_adds(r, area);
}

static void add_project_money(gen_rng *rng, gen_row *r, uint64_t *incl)
{
	uint64_t base = 10000 + gen_below(rng, 140000);
	uint64_t ship = gen_chance(rng, 400) ? 0 : gen_below(rng, 3000);
	uint64_t tax = base * gen_below(rng, 10) / 100;
	uint64_t proc = base / 100 + gen_below(rng, 300);
	uint64_t labor = gen_chance(rng, 500) ? 3000 : 3500;
	uint64_t excl = base + ship + tax + proc + labor;

	add_money(r, ship);
	add_money(r, tax);
	add_money(r, proc);
	add_money(r, labor);
	add_money(r, excl);
	*incl = excl + excl * 15 / 85;
	add_money(r, *incl);
}

void gen_project_row(const gen_world *w, uint64_t i, const gen_variant *v,
		     gen_row *r)
{
	gen_rng rng = { gen_hash(w->seed, GEN_TAG_PROJECT, i, 1) };
	uint64_t teacher = gen_hash(w->seed, 't', i, 0) % w->nteachers;
	uint64_t school = gen_hash(w->seed, 's', i, 0) % w->nschools;
	uint64_t incl, total, donors;
	int64_t posted = project_posted(w, i), done;
	const char *status;

	gen_row_reset(r);
	add_id(r, w, GEN_TAG_PROJECT, i);
	add_id(r, w, 't', teacher);
	add_id(r, w, 's', school);
	add_school(w, school, r);
	add_teacher(w, teacher, r);
	add_focus(&rng, r, 0);
	add_focus(&rng, r, 1);
	gen_row_adds(r, gen_pick(&rng, GEN_RESOURCE_TYPE));
	gen_row_adds(r, gen_pick(&rng, GEN_POVERTY));
	gen_row_adds(r, gen_pick(&rng, GEN_GRADE));
	add_project_money(&rng, r, &incl);
	if (gen_chance(&rng, 10))
		gen_row_add(r, "", 0);
	else
		add_uint(r, 5 + gen_below(&rng, 300));
	status = gen_pick(&rng, GEN_FUNDING);
	total = status[0] == 'c' ? incl : incl * gen_below(&rng, 100) / 100;
	donors = total ? 1 + gen_below(&rng, 30) : 0;
	if (v->changed)
		total += 250 * (uint64_t)v->changed;
	if (v->dup)
		donors++;
	add_money(r, total);
	add_uint(r, donors);
	add_flag(r, gen_chance(&rng, 250));
	add_flag(r, gen_chance(&rng, 200));
	gen_row_adds(r, status);
	add_datetime(r, posted, 0, 0);
	done = posted + (int64_t)(1 + gen_below(&rng, 119)) * DAY +
	       (int64_t)gen_below(&rng, DAY);
	if (status[0] == 'c')
		add_datetime(r, done, 0, 0);
	else
		gen_row_add(r, "", 0);
	if (status[0] == 'c' && gen_chance(&rng, 800))
		add_datetime(r, (done / DAY + 5 +
				 (int64_t)gen_below(&rng, 55)) * DAY, 0, 0);
	else
		gen_row_add(r, "", 0);
	add_datetime(r, (posted / DAY + 120 + (int64_t)gen_below(&rng, 30)) *
		     DAY, 0, 0);
}

/* ---- donations ---- */

static void add_donor(const gen_world *w, uint64_t donor, gen_row *r,
		      int *teacher)
{
	gen_rng rng = { gen_hash(w->seed, 'D', donor, 0) };
	const gen_city *c = gen_pick_city(&rng);
	char tmp[8];
	uint64_t x = gen_below(&rng, 1000);
	int zip = c->zip + (int)gen_below(&rng, 60);

	if (x < 30) {                      /* anonymous */
		gen_row_add(r, "", 0);
		gen_row_add(r, "", 0);
	} else {
		gen_row_adds(r, x < 130 ? "" : c->name);
		gen_row_adds(r, c->state);
	}
	x = gen_below(&rng, 1000);
	if (x < 120) {
		gen_row_add(r, "", 0);
	} else if (x < 820) {              /* the dumps keep three digits */
		fmt_digits(tmp, (uint64_t)zip / 100, 3);
		gen_row_add(r, tmp, 3);
	} else {
		fmt_digits(tmp, (uint64_t)zip, 5);
		gen_row_add(r, tmp, 5);
	}
	*teacher = gen_chance(&rng, 120);
}

void gen_donation_row(const gen_world *w, uint64_t tag, uint64_t i,
		      const gen_variant *v, gen_row *r)
{
	gen_rng rng = { gen_hash(w->seed, tag, i, 1) };
	uint64_t p = gen_donation_project(w, tag, i);
	double u = gen_unit(&rng);
	uint64_t donor = (uint64_t)((double)w->ndonors * u * u);
	uint64_t amount, support;
	int64_t when;
	int teacher;

	gen_row_reset(r);
	add_id(r, w, tag, i);
	add_id(r, w, GEN_TAG_PROJECT, p);
	add_id(r, w, 'a', donor);
	add_id(r, w, tag << 8 | 'c', i);
	add_donor(w, donor, r, &teacher);
	add_flag(r, teacher);
	when = project_posted(w, p) + (int64_t)gen_below(&rng, 119 * DAY);
	if (gen_chance(&rng, 400))
		add_datetime(r, when, 3, gen_below(&rng, 1000));
	else
		add_datetime(r, when, 0, 0);
	if (gen_chance(&rng, 600)) {
		static const unsigned common[] = {
			1000, 2000, 2500, 5000, 10000
		};

		amount = common[gen_below(&rng, NELEM(common))];
	} else {
		amount = 100 + gen_below(&rng, 30000);
	}
	support = gen_chance(&rng, 700) ? amount * 15 / 100 : 0;
	if (v->changed)
		amount += 125 * (uint64_t)v->changed;
	add_money(r, amount);
	add_money(r, support);
	add_money(r, amount + support);
	add_flag(r, support > 0);
	gen_row_adds(r, gen_pick(&rng, GEN_PAYMENT));
	add_flag(r, gen_chance(&rng, 100));
	add_flag(r, gen_chance(&rng, 80));
	add_flag(r, gen_chance(&rng, 50));
	add_flag(r, gen_chance(&rng, 60));
	add_flag(r, gen_chance(&rng, 100));
	if (gen_chance(&rng, 200)) {
		add_id(r, w, 'g', gen_below(&rng, w->npages));
		gen_row_adds(r, gen_pick(&rng, GEN_PAGE_TYPE));
	} else {
		gen_row_add(r, "", 0);
		gen_row_add(r, "", 0);
	}
	add_flag(r, gen_chance(&rng, 30) != (v->dup != 0));
	add_flag(r, gen_chance(&rng, 400));
}

/* ---- resources ---- */

static void add_item_number(gen_rng *rng, int kind, gen_row *r)
{
	static const char alnum[] = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
	char tmp[16];

	if (gen_chance(rng, 60)) {
		gen_row_add(r, "", 0);
	} else if (kind == GEN_BOOK) {
		memcpy(tmp, "978", 3);
		fmt_digits(tmp + 3, gen_below(rng, 10000000000ULL), 10);
		gen_row_add(r, tmp, 13);
	} else if (kind == GEN_TECH) {
		tmp[0] = 'B';
		tmp[1] = '0';
		for (int k = 2; k < 10; k++)
			tmp[k] = alnum[gen_below(rng, sizeof alnum - 1)];
		gen_row_add(r, tmp, 10);
	} else {
		int digits = 4 + (int)gen_below(rng, 3);

		tmp[0] = alnum[10 + gen_below(rng, 24)];
		tmp[1] = alnum[10 + gen_below(rng, 24)];
		fmt_digits(tmp + 2, gen_below(rng, 1000000), digits);
		gen_row_add(r, tmp, 2 + (size_t)digits);
	}
}

static uint64_t item_quantity(gen_rng *rng)
{
	uint64_t x = gen_below(rng, 100);

	if (x < 55)
		return 1;
	if (x < 78)
		return 2 + gen_below(rng, 4);
	if (x < 96)
		return 6 + gen_below(rng, 25);
	return 30 + gen_below(rng, 71);
}

void gen_resource_row(const gen_world *w, uint64_t p, int j,
		      const gen_variant *v, gen_row *r)
{
	uint64_t idx = p * 64 + (uint64_t)j;
	gen_rng prng = { gen_hash(w->seed, 'v', p, 0) };
	gen_rng rng = { gen_hash(w->seed, GEN_TAG_RESOURCE, idx, 1) };
	const gen_vendor *vd = gen_pick_vendor(&prng);
	const gen_item *it = gen_pick_item(&rng);
	double u;
	uint64_t qty;

	if (gen_chance(&rng, 150))
		vd = gen_pick_vendor(&rng);
	gen_row_reset(r);
	add_id(r, w, GEN_TAG_RESOURCE, idx);
	add_id(r, w, GEN_TAG_PROJECT, p);
	add_uint(r, (uint64_t)vd->id);
	gen_row_adds(r, vd->name);
	gen_row_adds(r, it->name);
	add_item_number(&rng, it->kind, r);
	u = gen_unit(&rng);
	add_money(r, (uint64_t)it->min_cents +
		  (uint64_t)((double)(it->max_cents - it->min_cents) * u * u));
	qty = item_quantity(&rng);
	add_uint(r, qty + (v->dup ? 1 : 0));
}

/* ---- the row under construction ---- */

void gen_row_reset(gen_row *r)
{
	buf_reset(&r->text);
	r->n = 0;
	r->doubled = 0;
	r->crlf = 0;
}

void gen_row_add(gen_row *r, const char *s, size_t n)
{
	if (r->n >= GEN_MAXCOLS + 4)
		return;
	r->off[r->n] = (uint32_t)r->text.len;
	r->len[r->n] = (uint32_t)n;
	r->style[r->n] = GEN_AUTO;
	buf_append(&r->text, s, n);
	r->n++;
}

void gen_row_adds(gen_row *r, const char *s)
{
	gen_row_add(r, s, strlen(s));
}

void gen_row_set(gen_row *r, int i, const char *s, size_t n)
{
	size_t off = r->text.len;

	buf_append(&r->text, s, n);
	r->off[i] = (uint32_t)off;
	r->len[i] = (uint32_t)n;
}

void gen_row_sets(gen_row *r, int i, const char *s)
{
	gen_row_set(r, i, s, strlen(s));
}
