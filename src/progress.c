/*
 * progress.c - the terminal status line (see progress.h).
 */
#include "progress.h"
#include "dcstage.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

void progress_start(progress *p, const char *label, const char *unit,
		    uint64_t total, int quiet)
{
	memset(p, 0, sizeof *p);
	p->active = !quiet && isatty(STDERR_FILENO);
	p->unit = unit;
	p->total = total;
	snprintf(p->label, sizeof p->label, "%s", label);
	p->start = p->last = dc_now();
}

static void format_eta(char *out, size_t n, double seconds)
{
	long s = (long)(seconds + 0.5);

	if (s >= 3600)
		snprintf(out, n, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60,
			 s % 60);
	else
		snprintf(out, n, "%ld:%02ld", s / 60, s % 60);
}

void progress_update(progress *p, uint64_t items, uint64_t done,
		     const char *extra)
{
	double now = dc_now(), elapsed = now - p->start;
	char eta[32] = "-";

	if (!p->active || now - p->last < 0.2)
		return;
	p->last = now;
	if (p->total && done && done <= p->total)
		format_eta(eta, sizeof eta,
			   elapsed * (double)(p->total - done) / (double)done);
	fprintf(stderr, "\r\033[K%s: %llu %s, %.0f %s/s, %.0f%%, ETA %s%s%s",
		p->label, (unsigned long long)items, p->unit,
		elapsed > 0 ? (double)items / elapsed : 0.0, p->unit,
		p->total ? 100.0 * (double)done / (double)p->total : 0.0, eta,
		extra ? ", " : "", extra ? extra : "");
	fflush(stderr);
	p->shown = 1;
}

void progress_end(progress *p)
{
	if (p->shown)
		fputs("\r\033[K", stderr);
	p->shown = 0;
}
