/*
 * dumpfiles.h - finding the parts of a dump and telling whether they
 * changed since the last load.
 *
 * A part is a file named opendata_<table><NNN>.gz (or .csv) in a folder
 * given on the command line, or named directly.  Parts of a table are read
 * in name order.
 */
#ifndef DC_DUMPFILES_H
#define DC_DUMPFILES_H

#include <stdint.h>

typedef struct dumpfile {
	char *path;          /* absolute */
	const char *name;    /* base name, points into path */
	int table;           /* enum load_table */
	uint64_t size;
	int64_t mtime;
	char fingerprint[17]; /* hex of a hash of size, head and tail */
} dumpfile;

typedef struct dumpfiles {
	dumpfile *files;     /* sorted by table, then name */
	int n;
} dumpfiles;

/* Collect the parts named by inputs (folders and files).  Every table must
 * have at least one part.  0 or -1 (err); free with dumpfiles_free. */
int dumpfiles_find(char *const *inputs, int ninputs, dumpfiles *out,
		   char *err);
void dumpfiles_free(dumpfiles *d);

#endif
