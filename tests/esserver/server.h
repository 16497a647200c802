/*
 * server.h - what the parts of the test server share: its configuration
 * (from the command line and the environment), its counters, and the
 * request and reply every endpoint handler works with.
 */
#ifndef ESS_SERVER_H
#define ESS_SERVER_H

#include "fault.h"
#include "store.h"
#include "util.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

struct ess_config {
	unsigned port;
	const char *stats_file;
	uint64_t seed;
	uint64_t max_bytes;
	struct fault_rates faults;
	long delay_ms;
	int no_store;
	int no_validate;
	int threads;
	char *basic;		/* expected "Basic ..." header value, or NULL */
	char *apikey;		/* expected "ApiKey ..." header value, or NULL */
};

typedef _Atomic uint64_t counter;

struct ess_stats {
	counter requests, head_requests, bulk_requests, items, items_applied;
	counter refused;
	counter conflicts, not_found, bytes_in;
	counter item_429, request_429, request_503, drop_before, drop_after;
	counter auth_401, too_large_413;
};

struct server {
	struct ess_config cfg;
	struct ess_stats stats;
	struct store *store;
	counter bulk_seq;	/* numbers bulk requests for the faults */
	char cluster_uuid[23];
};

static inline void count(counter *c, uint64_t n)
{
	atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

/* One HTTP request, its body complete (and decompressed). */
struct req {
	struct server *srv;
	void *conn;		/* the HTTP library's connection */
	const char *method;
	const char *path;
	char *body;		/* NUL-terminated; owned by the HTTP layer */
	size_t len;
};

/* The answer a handler prepares. */
struct reply {
	int status;
	struct sbuf body;	/* JSON text; empty for no body */
	const char *ctype;	/* NULL: application/json */
	char allow[48];		/* 405: the Allow header */
	int drop;		/* close the connection without answering */
};

/* A query string argument: NULL when absent, "" when it has no value. */
const char *req_arg(const struct req *r, const char *name);

/* Route a request to its endpoint (api.c). */
void api_handle(struct req *r, struct reply *rep);

/* The bulk endpoint and the single-document writes (bulk.c).  index is
 * the index in the path, or NULL. */
void bulk_handle(struct req *r, struct reply *rep, const char *index);
void bulk_doc_write(struct req *r, struct reply *rep, const char *index,
		    const char *id, int create);
void bulk_doc_delete(struct req *r, struct reply *rep, const char *index,
		     const char *id);

/* Start and stop the HTTP side (http.c); http_start prints nothing and
 * returns the bound port, or 0 with a message in err. */
struct http;
struct http *http_start(struct server *srv, unsigned *port, char *err,
			size_t err_size);
void http_stop(struct http *h);

/* Error replies in Elasticsearch's shape (api.c). */
void reply_error(struct reply *rep, int status, const char *type,
		 const char *reason, const char *extra);
void reply_fail(struct reply *rep, const struct es_fail *f,
		const char *index);

#endif
