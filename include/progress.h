/*
 * progress.h - one self-rewriting status line on a terminal: items done,
 * rate and ETA.  Silent when stderr is not a terminal, so that scripts and
 * logs only get the final summary.
 */
#ifndef DC_PROGRESS_H
#define DC_PROGRESS_H

#include <stdint.h>

typedef struct progress {
	int active;          /* stderr is a terminal and not --quiet */
	const char *unit;    /* "rows", "docs" */
	char label[96];
	uint64_t total;      /* of `done`, for the ETA; 0 if unknown */
	double start, last;
	int shown;           /* a line is on screen */
} progress;

/* quiet forces silence.  total is in the unit of `done` below (bytes for
 * files, documents for exports). */
void progress_start(progress *p, const char *label, const char *unit,
		    uint64_t total, int quiet);

/* items: count shown with its rate; done: position toward total.  Redraws
 * at most five times a second. */
void progress_update(progress *p, uint64_t items, uint64_t done,
		     const char *extra);

/* Erase the line. */
void progress_end(progress *p);

#endif
