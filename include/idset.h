/*
 * idset.h - a set of 64-bit hashes of ids (dc_hash64 of their bytes), in
 * one open-addressing table that doubles as it fills.
 *
 * Used where a set of ids is asked about millions of times: the project
 * ids a load has read (orphans) and the projects changed since a target
 * was in sync (reruns).  Two ids with the same hash are one member; both
 * uses only ever take a member for more than it is (an orphan kept as
 * known, an unchanged project compared again), at odds of 2^-63.  An
 * idfilter below answers the same question in a few bits an id, with a
 * small rate of false yeses.
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

/* A Bloom filter of hashes, for a question an exact set would need too
 * much memory for: has this id been seen before?  It never says no for a
 * hash added; for others it says yes at a rate set by its size (three
 * bits a hash, in one cache line; measured over all the additions to a
 * filter: 0.16% at 16 bits per hash added, 0.9% at 8). */
typedef struct idfilter {
	uint64_t *word;
	uint64_t mask;         /* bits - 1 */
} idfilter;

/* An empty filter of 2^log2_bits bits. */
void idfilter_init(idfilter *f, unsigned log2_bits);
/* Add h; 1 when it may have been added before, 0 when it was not. */
int idfilter_add(idfilter *f, uint64_t h);
void idfilter_free(idfilter *f);

#endif
