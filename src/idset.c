/*
 * idset.c - a set of 64-bit hashes (see idset.h).
 */
#include "idset.h"
#include "dcstage.h"

#include <stdlib.h>

static void idset_grow(idset *s)
{
	idset bigger = { NULL, s->cap ? s->cap * 2 : 64, 0 };

	bigger.slot = dc_calloc(bigger.cap, sizeof *bigger.slot);
	for (size_t i = 0; i < s->cap; i++)
		if (s->slot[i])
			idset_add(&bigger, s->slot[i]);
	free(s->slot);
	*s = bigger;
}

void idset_add(idset *s, uint64_t h)
{
	size_t i;

	h |= 1; /* never 0, the empty mark */
	if (2 * (s->n + 1) > s->cap)
		idset_grow(s);
	for (i = h & (s->cap - 1); s->slot[i]; i = (i + 1) & (s->cap - 1))
		if (s->slot[i] == h)
			return;
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
