/*
 * idset.h - a set of 64-bit hashes of ids (dc_hash64 of their bytes), in
 * one open-addressing table that doubles as it fills.
 *
 * Used where a set of ids is asked about millions of times: the project
 * ids a load has read (orphans) and the projects changed since a target
 * was in sync (reruns).  Two ids with the same hash are one member; both
 * uses only ever take a member for more than it is (an orphan kept as
 * known, an unchanged project compared again), at odds of 2^-63.
 */
#ifndef DC_IDSET_H
#define DC_IDSET_H

#include <stddef.h>
#include <stdint.h>

typedef struct idset {
	uint64_t *slot;        /* 0: empty */
	size_t cap, n;
} idset;                       /* zero-initialized: the empty set */

void idset_add(idset *s, uint64_t h);
int idset_has(const idset *s, uint64_t h);
void idset_free(idset *s);

#endif
