/*
 * test_idset.c - the set of 64-bit id hashes (idset.h): the zeroed set
 * holds nothing; members added are found and others are not; a member
 * added again is counted once; hashes that differ only in their lowest
 * bit are one member (idset_add and idset_has set that bit, 0 being the
 * empty slot's mark); members whose slots collide, wrap around the end of
 * the table or sit at the extremes of the range; growth through many
 * doublings keeps every member; idset_free leaves the empty set, usable
 * again.  A member added again does not grow the table.  The idfilter:
 * no hash added is ever reported unseen, and the rate of false "seen"
 * stays near what its size promises.
 */
#include "check.h"
#include "idset.h"

#include <stdint.h>
#include <stdio.h>

#define N_CASES(a) (sizeof(a) / sizeof((a)[0]))
#define MAXV 8

/* A multiplicative spread, so that the members of a big set are unlike
 * each other in their low bits (their slots) as real hashes are. */
static uint64_t spread(uint64_t i)
{
	return i * 0x9e3779b97f4a7c15ull;
}

/* Whether s is well formed: cap a power of two (or 0 with no table), at
 * most half full, n the number of used slots. */
static int sane(const idset *s)
{
	size_t used = 0;

	if (!s->cap)
		return s->slot == NULL && s->n == 0;
	if (s->cap & (s->cap - 1) || 2 * s->n > s->cap)
		return 0;
	for (size_t i = 0; i < s->cap; i++)
		used += s->slot[i] != 0;
	return used == s->n;
}

static void test_empty(void)
{
	static const uint64_t probes[] = { 0, 1, 2, 3, 42, UINT64_MAX };
	idset s = { 0 };

	for (size_t i = 0; i < N_CASES(probes); i++)
		CHECK_INT(idset_has(&s, probes[i]), 0);
	CHECK_INT(s.n, 0);
	CHECK(sane(&s));
	idset_free(&s); /* freeing the empty set is harmless */
	CHECK_INT(s.cap, 0);
	CHECK(s.slot == NULL);
}

/*
 * Each case adds its members in order, then asks about each probe: the
 * count n of distinct members, and which probes are found.
 */
static void test_members(void)
{
	static const struct {
		const char *name;
		uint64_t add[MAXV];
		int nadd;
		size_t n;
		uint64_t probe[MAXV];
		int has[MAXV];
		int nprobe;
	} cases[] = {
		{ "one member", { 42 }, 1, 1,
		  { 42, 43, 41, 0 }, { 1, 1, 0, 0 }, 4 },
		{ "two members", { 100, 7 }, 2, 2,
		  { 100, 7, 6, 101, 102, 8 }, { 1, 1, 1, 1, 0, 0 }, 6 },
		{ "a duplicate counted once", { 5, 5, 5 }, 3, 1,
		  { 5, 4, 7 }, { 1, 1, 0 }, 3 },
		/* h |= 1: hash 0 is hash 1, 2 is 3, and so on */
		{ "0 is a member, as 1", { 0 }, 1, 1,
		  { 0, 1, 2, 3 }, { 1, 1, 0, 0 }, 4 },
		{ "0 then 1: one member", { 0, 1 }, 2, 1,
		  { 0, 1, 2 }, { 1, 1, 0 }, 3 },
		{ "1 then 0: one member", { 1, 0 }, 2, 1,
		  { 1, 0, 3 }, { 1, 1, 0 }, 3 },
		{ "2 and 3: one member", { 2, 3 }, 2, 1,
		  { 2, 3, 0, 1, 4 }, { 1, 1, 0, 0, 0 }, 5 },
		{ "the ends of the range",
		  { UINT64_MAX, UINT64_MAX - 1, UINT64_MAX - 2 }, 3, 2,
		  { UINT64_MAX, UINT64_MAX - 1, UINT64_MAX - 2,
		    UINT64_MAX - 3, UINT64_MAX - 4, 0 },
		  { 1, 1, 1, 1, 0, 0 }, 6 },
		/* the same slot of the 64 (low bits 000001): a probe goes
		 * past the others to find its member, and stops at an
		 * empty slot for a non-member of the same slot */
		{ "colliding slots",
		  { 1, 1 + 64, 1 + 128, 1 + ((uint64_t)1 << 40) }, 4, 4,
		  { 1, 65, 129, 1 + ((uint64_t)1 << 40), 1 + 192, 64 },
		  { 1, 1, 1, 1, 0, 1 }, 6 },
		/* slot 63, the last: the chain wraps round to slot 0 */
		{ "wrapping round the end",
		  { 63, 63 + 64, 63 + 128, 1 }, 4, 4,
		  { 63, 127, 191, 1, 255, 0 }, { 1, 1, 1, 1, 0, 1 }, 6 },
	};

	for (size_t i = 0; i < N_CASES(cases); i++) {
		idset s = { 0 };
		int ok = 1;

		for (int k = 0; k < cases[i].nadd; k++)
			idset_add(&s, cases[i].add[k]);
		CHECK_INT(s.n, cases[i].n);
		CHECK(sane(&s));
		for (int k = 0; k < cases[i].nprobe; k++) {
			int got = idset_has(&s, cases[i].probe[k]);

			CHECK_INT(got, cases[i].has[k]);
			ok &= got == cases[i].has[k];
		}
		if (!ok || s.n != cases[i].n)
			fprintf(stderr, "  case: %s\n", cases[i].name);
		idset_free(&s);
	}
}

/* The table starts at 64 slots and doubles before it is more than half
 * full: the capacity after n distinct members. */
static void test_capacity(void)
{
	static const struct {
		size_t n, cap;
	} cases[] = {
		{ 1, 64 }, { 32, 64 }, { 33, 128 }, { 64, 128 }, { 65, 256 },
		{ 1000, 2048 }, { 1024, 2048 }, { 1025, 4096 },
	};

	for (size_t i = 0; i < N_CASES(cases); i++) {
		idset s = { 0 };

		for (size_t k = 0; k < cases[i].n; k++)
			idset_add(&s, 2 * k); /* distinct after h |= 1 */
		CHECK_INT(s.n, cases[i].n);
		CHECK_INT(s.cap, cases[i].cap);
		idset_free(&s);
	}
}

/* Many members, through a dozen doublings: every one still there, and
 * none of a disjoint set of as many. */
static void test_growth(void)
{
	enum { N = 200000 };
	idset s = { 0 };
	size_t found = 0, strays = 0;

	for (uint64_t i = 0; i < N; i++)
		idset_add(&s, spread(2 * i) & ~(uint64_t)1);
	CHECK_INT(s.n, N);
	CHECK(sane(&s));
	CHECK_INT(s.cap, 524288);
	for (uint64_t i = 0; i < N; i++) {
		found += (size_t)idset_has(&s, spread(2 * i) & ~(uint64_t)1);
		strays += (size_t)idset_has(&s, spread(2 * i + 1) |
					    (uint64_t)1);
	}
	CHECK_INT(found, N);
	/* spread(2i+1) and spread(2j) can share all bits but the lowest
	 * only by chance: none do among these */
	CHECK_INT(strays, 0);
	/* adding them all again adds nothing */
	for (uint64_t i = 0; i < N; i++)
		idset_add(&s, spread(2 * i) | (uint64_t)1);
	CHECK_INT(s.n, N);
	idset_free(&s);

	/* members all in one slot of a table that keeps growing: slow
	 * chains, but every member found */
	for (uint64_t i = 0; i < 2000; i++)
		idset_add(&s, i << 32);
	CHECK_INT(s.n, 2000);
	found = 0;
	for (uint64_t i = 0; i < 2000; i++)
		found += (size_t)idset_has(&s, (i << 32) | 1);
	CHECK_INT(found, 2000);
	CHECK_INT(idset_has(&s, (uint64_t)2000 << 32), 0);
	idset_free(&s);
}

/* idset_free: the empty set again, and one that can be filled again. */
static void test_free_reuse(void)
{
	idset s = { 0 };

	for (uint64_t i = 0; i < 100; i++)
		idset_add(&s, spread(i) & ~(uint64_t)1);
	CHECK_INT(s.n, 100);
	idset_free(&s);
	CHECK(s.slot == NULL);
	CHECK_INT(s.cap, 0);
	CHECK_INT(s.n, 0);
	CHECK_INT(idset_has(&s, spread(1) & ~(uint64_t)1), 0);
	CHECK_INT(idset_has(&s, 0), 0);
	idset_free(&s); /* twice is harmless */

	idset_add(&s, 7);
	idset_add(&s, 0);
	CHECK_INT(s.n, 2);
	CHECK_INT(s.cap, 64);
	CHECK_INT(idset_has(&s, 7), 1);
	CHECK_INT(idset_has(&s, 1), 1);
	CHECK_INT(idset_has(&s, spread(1) & ~(uint64_t)1), 0);
	CHECK(sane(&s));
	idset_free(&s);
}

/* A set at exactly half of its table: adding a member again must not
 * double it. */
static void test_readd_at_capacity(void)
{
	idset s = { 0 };

	for (uint64_t i = 1; i <= 32; i++)
		idset_add(&s, spread(i));
	CHECK_INT(s.cap, 64);
	idset_add(&s, spread(32));
	CHECK_INT(s.cap, 64);
	CHECK_INT(s.n, 32);
	idset_free(&s);
}

/* 2n hashes into a filter of 16 bits each, n of them twice; at 2 MB, the
 * filter is a table in huge pages (dc_calloc_table). */
static void test_filter(void)
{
	enum { N = 1 << 20 };
	idfilter f;
	long again = 0, false_seen = 0;

	idfilter_init(&f, 24);
	for (uint64_t i = 0; i < N; i++)
		false_seen += idfilter_add(&f, spread(i + 1));
	for (uint64_t i = 0; i < N; i++)
		again += idfilter_add(&f, spread(i + 1));
	CHECK_INT(again, N);
	for (uint64_t i = N; i < 2 * N; i++)
		false_seen += idfilter_add(&f, spread(i + 1));
	/* about 0.16% of the 2N first additions: well below 0.5% */
	CHECK(false_seen < 2 * N / 200);
	CHECK(false_seen > 0);
	idfilter_free(&f);
	CHECK(f.word == NULL);
}

/* A set past 2 MB, a table in huge pages: zeroed, every member found
 * after the growths, none of the others. */
static void test_large(void)
{
	enum { N = 200000 };
	idset s = { 0 };
	long found = 0, others = 0;

	for (uint64_t i = 0; i < N; i++)
		idset_add(&s, spread(2 * i + 1));
	for (uint64_t i = 0; i < N; i++) {
		found += idset_has(&s, spread(2 * i + 1));
		others += idset_has(&s, spread(2 * i + 2));
	}
	CHECK_INT(s.n, N);
	CHECK_INT(s.cap, 1 << 19);
	CHECK_INT(found, N);
	CHECK_INT(others, 0);
	idset_free(&s);
}

int main(void)
{
	test_empty();
	test_members();
	test_capacity();
	test_growth();
	test_free_reuse();
	test_readd_at_capacity();
	test_filter();
	test_large();
	return check_summary();
}
