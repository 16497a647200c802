/*
 * es.h - talking to an Elasticsearch (or OpenSearch) cluster over HTTP with
 * libcurl: one client per thread, keep-alive connection reused, several
 * node URLs with fail-over, credentials and TLS options.
 */
#ifndef DC_ES_H
#define DC_ES_H

#include "buf.h"

#include <stddef.h>

#define ES_MAX_URLS 16

typedef struct es_config {
	char *urls[ES_MAX_URLS]; /* base URLs, no trailing slash */
	int nurls;
	char *user, *password;   /* basic auth, or NULL */
	char *api_key;           /* the encoded API key, or NULL */
	const char *cacert;      /* CA bundle file, or NULL for the system's */
	int insecure;            /* skip certificate verification */
	int compress;            /* gzip request bodies */
	long timeout_ms;         /* whole request */
} es_config;

/* Fill cfg from a comma-separated URL list.  0 or -1 (err). */
int es_config_urls(es_config *cfg, const char *list, char *err);

/* Credentials, never from the command line: the file (lines "user=...",
 * "password=...", "api_key=...") when given, else the environment
 * (DCSTAGE_ES_USER, DCSTAGE_ES_PASSWORD, DCSTAGE_ES_API_KEY).
 * 0 or -1 (err: never shows a secret). */
int es_config_credentials(es_config *cfg, const char *file, char *err);
void es_config_free(es_config *cfg);

typedef struct es_response {
	long status;             /* HTTP status; 0 when no response came */
	buf body;                /* owned by the response: es_response_free */
} es_response;

void es_response_free(es_response *r);

typedef struct es_client es_client;

/* A client that starts on URL number first % nurls.  NULL + err. */
es_client *es_client_new(const es_config *cfg, int first, char *err);

/* Send one request (body may be NULL) and wait for the response.
 * 0 when a response arrived, whatever its status; -1 when none did
 * (refused, timed out, dropped: es_errmsg), after which the client
 * moves on to the next URL. */
int es_request(es_client *c, const char *method, const char *path,
	       const char *body, size_t len, const char *content_type,
	       es_response *r);

const char *es_errmsg(const es_client *c);
/* The base URL the next request goes to. */
const char *es_current_url(const es_client *c);
void es_client_free(es_client *c); /* NULL is fine */

/* curl_global_init; call once from the main thread before any client. */
int es_global_init(char *err);
void es_global_cleanup(void);

/* "<status> <type>: <reason>" from an Elasticsearch error body, for
 * messages; falls back to the start of the body. */
void es_describe_error(const es_response *r, char *out, size_t n);

#endif
