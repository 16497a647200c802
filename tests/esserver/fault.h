/*
 * fault.h - deterministic fault injection for bulk requests.
 *
 * Bulk requests are numbered in the order they arrive; request n draws its
 * faults from a generator seeded with (--seed, n), so the same seed and the
 * same sequence of requests give the same faults whatever the threads do.
 * One draw decides the whole request (429, 503, dropped before or after
 * applying its items, or nothing), then one draw per item decides an item
 * 429.
 */
#ifndef ESS_FAULT_H
#define ESS_FAULT_H

#include <stdint.h>

struct fault_rates {
	double item_429;
	double request_429;
	double request_503;
	double drop;		/* half before applying, half after */
};

enum req_fault {
	RF_NONE, RF_429, RF_503, RF_DROP_BEFORE, RF_DROP_AFTER
};

struct frng {
	uint64_t s;
};

/* The generator of bulk request number n under seed. */
void fault_rng(struct frng *r, uint64_t seed, uint64_t n);

/* A uniform draw in [0, 1). */
double fault_uniform(struct frng *r);

enum req_fault fault_request(const struct fault_rates *f, struct frng *r);
int fault_item(const struct fault_rates *f, struct frng *r); /* 1: 429 */

#endif
