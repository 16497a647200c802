/*
 * writeback.h - getting a file's new pages to disk while a long
 * transaction is still writing it, instead of all at its commit.
 *
 * A load writes its whole snapshot into the kernel's page cache, then
 * commits, and the commit's fsync waits while all of it goes to disk:
 * 0.8 s of a full-scale load, 0.2 s at scale 0.1.  A writeback thread asks
 * the kernel every 50 ms to start writing the file's dirty pages
 * (sync_file_range, Linux), so the device works beside the load and the
 * fsync finds little left.  It only moves writes earlier: what is durable,
 * and when, is still up to SQLite's own syncs.
 */
#ifndef DC_WRITEBACK_H
#define DC_WRITEBACK_H

typedef struct writeback writeback;

/* Start writing path's dirty pages in the background.  NULL when the file
 * cannot be opened or the system cannot start writeback this way; that
 * is not an error: the commit then writes everything, as it would. */
writeback *writeback_start(const char *path);

/* Stop the thread and free w (NULL is fine). */
void writeback_stop(writeback *w);

#endif
