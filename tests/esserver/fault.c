/*
 * fault.c - the seeded draws behind injected faults (see fault.h).  The
 * generator is splitmix64: tiny, fast, and good enough for rates.
 */
#include "fault.h"

static uint64_t next(struct frng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void fault_rng(struct frng *r, uint64_t seed, uint64_t n)
{
	r->s = seed * 0xd1342543de82ef95ULL + n;
	r->s = next(r) ^ (n * 0xa0761d6478bd642fULL);
}

double fault_uniform(struct frng *r)
{
	return (double)(next(r) >> 11) * 0x1.0p-53;
}

enum req_fault fault_request(const struct fault_rates *f, struct frng *r)
{
	double u = fault_uniform(r);

	if (u < f->request_429)
		return RF_429;
	u -= f->request_429;
	if (u < f->request_503)
		return RF_503;
	u -= f->request_503;
	if (u < f->drop)
		return fault_uniform(r) < 0.5 ? RF_DROP_BEFORE : RF_DROP_AFTER;
	return RF_NONE;
}

int fault_item(const struct fault_rates *f, struct frng *r)
{
	return f->item_429 > 0 && fault_uniform(r) < f->item_429;
}
