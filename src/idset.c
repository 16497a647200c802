/*
 * idset.c - a set of 64-bit hashes, and a Bloom filter of them (see
 * idset.h).
 */
#include "idset.h"
#include "dcstage.h"

#include <stdlib.h>

static void idset_grow(idset *s)
{
	idset bigger = { NULL, s->cap ? s->cap * 2 : 64, 0 };

	bigger.slot = dc_calloc_table(bigger.cap, sizeof *bigger.slot);
	for (size_t i = 0; i < s->cap; i++)
		if (s->slot[i])
			idset_add(&bigger, s->slot[i]);
	free(s->slot);
	*s = bigger;
}

void idset_add(idset *s, uint64_t h)
{
	size_t i;

	if (idset_has(s, h))
		return;
	h |= 1; /* never 0, the empty mark */
	if (2 * (s->n + 1) > s->cap)
		idset_grow(s);
	for (i = h & (s->cap - 1); s->slot[i]; i = (i + 1) & (s->cap - 1))
		;
	s->slot[i] = h;
	s->n++;
}

int idset_has(const idset *s, uint64_t h)
{
	h |= 1;
	if (!s->cap)
		return 0;
	for (size_t i = h & (s->cap - 1); s->slot[i];
	     i = (i + 1) & (s->cap - 1))
		if (s->slot[i] == h)
			return 1;
	return 0;
}

void idset_free(idset *s)
{
	free(s->slot);
	s->slot = NULL;
	s->cap = s->n = 0;
}

void idfilter_init(idfilter *f, unsigned log2_bits)
{
	size_t bits = (size_t)1 << (log2_bits < 9 ? 9 : log2_bits);

	f->word = dc_calloc_table(bits / 64, sizeof *f->word);
	f->mask = bits - 1;
}

/* The three bits of h lie in one block of 512 bits (a cache line), picked
 * by h's low bits; its top 27 bits place them in the block.  One cache
 * miss an addition instead of three, for a false "seen" rate a little
 * above that of bits spread over the whole filter. */
int idfilter_add(idfilter *f, uint64_t h)
{
	uint64_t *block = f->word + ((h << 9 & f->mask) >> 6);
	int seen = 1;

	for (int i = 0; i < 3; i++) {
		unsigned bit = (unsigned)(h >> (37 + 9 * i)) & 511;
		uint64_t m = (uint64_t)1 << (bit & 63);

		if (!(block[bit >> 6] & m)) {
			seen = 0;
			block[bit >> 6] |= m;
		}
	}
	return seen;
}

void idfilter_free(idfilter *f)
{
	free(f->word);
	f->word = NULL;
	f->mask = 0;
}
