/*
 * testdb.h - helpers the unit tests that stage data share: writing CSV
 * records, running and preparing SQL (a failure is a failed check, or the
 * end of the program when nothing can go on), and removing a temporary
 * folder.  Include after check.h.
 */
#ifndef DC_TESTDB_H
#define DC_TESTDB_H

#include "buf.h"

#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* One CSV record of n fields (NULL: empty), each quoted when it must be. */
static inline void testdb_put_record(buf *b, const char *const *cells, int n)
{
	for (int i = 0; i < n; i++) {
		const char *s = cells[i];

		if (i)
			buf_putc(b, ',');
		if (!s)
			continue;
		if (!strpbrk(s, ",\"\r\n")) {
			buf_puts(b, s);
			continue;
		}
		buf_putc(b, '"');
		for (; *s; s++) {
			if (*s == '"')
				buf_putc(b, '"');
			buf_putc(b, *s);
		}
		buf_putc(b, '"');
	}
	buf_putc(b, '\n');
}

static inline int testdb_exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK)
		fprintf(stderr, "%s: %s\n", sql,
			msg ? msg : sqlite3_errmsg(db));
	sqlite3_free(msg);
	CHECK_INT(rc, SQLITE_OK);
	return rc == SQLITE_OK ? 0 : -1;
}

static inline sqlite3_stmt *testdb_prepare(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "cannot prepare %s: %s\n", sql,
			sqlite3_errmsg(db));
		exit(1);
	}
	return st;
}

/* Remove the folder top and everything in it. */
static inline void testdb_remove_tree(const char *top)
{
	char path[1024];
	DIR *dp = opendir(top);
	const struct dirent *e;

	while (dp && (e = readdir(dp)) != NULL) {
		struct stat sb;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof path, "%s/%s", top, e->d_name);
		if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
			testdb_remove_tree(path);
		else
			unlink(path);
	}
	if (dp)
		closedir(dp);
	CHECK_INT(rmdir(top), 0);
}

#endif
