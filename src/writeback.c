/*
 * writeback.c - a thread that starts the kernel's writeback of a file
 * every 50 ms (see writeback.h).
 *
 * It opens the file itself: writeback works on the file's pages, whoever
 * wrote them, so SQLite's own descriptor is not needed.  Writing back
 * costs the thread that asks for it the work of submitting the pages,
 * which is why a thread asks rather than the loader between batches.
 */
#include "writeback.h"
#include "dcstage.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#ifdef SYNC_FILE_RANGE_WRITE

#define INTERVAL_MS 50

struct writeback {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int stop;
	int fd;
};

/* Wait for the next round: 0, or 1 when asked to stop. */
static int wait_round(writeback *w)
{
	int stop;

	pthread_mutex_lock(&w->lock);
	if (!w->stop)
		dc_cond_wait_ms(&w->cond, &w->lock, INTERVAL_MS);
	stop = w->stop;
	pthread_mutex_unlock(&w->lock);
	return stop;
}

static void *writeback_main(void *arg)
{
	writeback *w = arg;

	/* Only starts the writes: the dirty pages of the whole file, from
	 * offset 0 to its end. */
	while (!wait_round(w))
		sync_file_range(w->fd, 0, 0, SYNC_FILE_RANGE_WRITE);
	return NULL;
}

writeback *writeback_start(const char *path)
{
	writeback *w = dc_calloc(1, sizeof *w);

	w->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (w->fd < 0) {
		free(w);
		return NULL;
	}
	if (dc_cond_init(&w->cond) != 0) {
		close(w->fd);
		free(w);
		return NULL;
	}
	pthread_mutex_init(&w->lock, NULL);
	if (pthread_create(&w->thread, NULL, writeback_main, w) != 0) {
		pthread_mutex_destroy(&w->lock);
		pthread_cond_destroy(&w->cond);
		close(w->fd);
		free(w);
		return NULL;
	}
	return w;
}

void writeback_stop(writeback *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = 1;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
	close(w->fd);
	free(w);
}

#else /* no sync_file_range: the commit writes everything */

writeback *writeback_start(const char *path)
{
	(void)path;
	return NULL;
}

void writeback_stop(writeback *w)
{
	(void)w;
}

#endif
