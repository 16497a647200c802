/*
 * check.h - the unit tests' tiny harness.  CHECK* record a result and print
 * the failures with file and line; check_summary() prints
 * "N passed, N failed" and gives the exit code.
 */
#ifndef DC_CHECK_H
#define DC_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;

#define CHECK(cond) check_result((cond) != 0, __FILE__, __LINE__, #cond, NULL, NULL)

#define CHECK_STR(got, want)                                              \
	do {                                                              \
		const char *g_ = (got), *w_ = (want);                     \
		check_result((g_ && w_ && !strcmp(g_, w_)) || (!g_ && !w_), \
			     __FILE__, __LINE__, #got, g_ ? g_ : "(null)", \
			     w_ ? w_ : "(null)");                         \
	} while (0)

#define CHECK_INT(got, want)                                              \
	do {                                                              \
		long long g_ = (long long)(got), w_ = (long long)(want);  \
		char gs_[32], ws_[32];                                    \
		snprintf(gs_, sizeof gs_, "%lld", g_);                    \
		snprintf(ws_, sizeof ws_, "%lld", w_);                    \
		check_result(g_ == w_, __FILE__, __LINE__, #got, gs_, ws_); \
	} while (0)

static inline void check_result(int ok, const char *file, int line,
				const char *expr, const char *got,
				const char *want)
{
	if (ok) {
		check_passed++;
		return;
	}
	check_failed++;
	if (got)
		fprintf(stderr, "%s:%d: FAIL %s\n  got:  %s\n  want: %s\n",
			file, line, expr, got, want);
	else
		fprintf(stderr, "%s:%d: FAIL %s\n", file, line, expr);
}

static inline int check_summary(void)
{
	printf("%d passed, %d failed\n", check_passed, check_failed);
	return check_failed ? 1 : 0;
}

#endif
