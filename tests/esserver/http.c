/*
 * http.c - the libmicrohttpd side of the test server: listening on the
 * loopback, collecting request bodies (limited by --max-bytes, gunzipped
 * when sent with Content-Encoding: gzip), authentication, the per-request
 * delay, Content-Type checks, and turning a handler's reply into an HTTP
 * response (or into a dropped connection).
 */
#include "server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

struct http {
	struct MHD_Daemon *d;
};

/* What a connection's current request has gathered between calls. */
struct pending {
	int reject;		/* answer this status once the body is read */
	int too_large;
	struct sbuf body;
};

const char *req_arg(const struct req *r, const char *name)
{
	const char *v = NULL;

	if (MHD_lookup_connection_value_n(r->conn, MHD_GET_ARGUMENT_KIND, name,
					  strlen(name), &v, NULL) != MHD_YES)
		return NULL;
	return v ? v : "";
}

/* ---- answering ---- */

static const char *reply_type(struct MHD_Connection *c, const struct reply *rep)
{
	const char *accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
							 "Accept");

	if (rep->ctype)
		return rep->ctype;
	if (accept && strstr(accept, "compatible-with=8"))
		return "application/vnd.elasticsearch+json;compatible-with=8";
	return "application/json";
}

static enum MHD_Result send_reply(struct MHD_Connection *c, struct reply *rep,
				  int www_auth, int close)
{
	struct MHD_Response *resp;
	enum MHD_Result rc;
	size_t len = rep->body.len;

	if (len)
		resp = MHD_create_response_from_buffer(len, sb_detach(&rep->body),
						       MHD_RESPMEM_MUST_FREE);
	else
		resp = MHD_create_response_from_buffer(0, (void *)"",
						       MHD_RESPMEM_PERSISTENT);
	sb_free(&rep->body);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, "X-Elastic-Product", "Elasticsearch");
	if (len)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
					reply_type(c, rep));
	if (rep->allow[0])
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, rep->allow);
	if (www_auth) {
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
					"Basic realm=\"security\", charset=\"UTF-8\"");
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
					"ApiKey");
	}
	if (close)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
	rc = MHD_queue_response(c, (unsigned)rep->status, resp);
	MHD_destroy_response(resp);
	return rc;
}

/* ---- authentication ---- */

/* Bytewise comparison in time independent of where they differ. */
static int same(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b), i;
	unsigned diff = na != nb;

	for (i = 0; i < na && i < nb; i++)
		diff |= (unsigned)(a[i] ^ b[i]);
	return diff == 0;
}

/* 0 when the request may proceed, else the 401 reason. */
static int check_auth(const struct server *srv, struct MHD_Connection *c,
		      const char *url, struct sbuf *why)
{
	const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						    MHD_HTTP_HEADER_AUTHORIZATION);
	const char *sp, *cred;

	if (!srv->cfg.basic && !srv->cfg.apikey)
		return 0;
	if (!h || !(sp = strchr(h, ' '))) {
		sb_printf(why, "missing authentication credentials for REST request [%s]",
			  url);
		return -1;
	}
	for (cred = sp; *cred == ' '; cred++)
		;
	if (srv->cfg.basic && sp - h == 5 && !strncasecmp(h, "Basic", 5)) {
		char *user;

		if (same(cred, srv->cfg.basic))
			return 0;
		user = util_unbase64(cred);
		if (user && strchr(user, ':')) {
			*strchr(user, ':') = '\0';
			sb_printf(why, "unable to authenticate user [%s] for REST request [%s]",
				  user, url);
			free(user);
			return -1;
		}
		free(user);
	}
	if (srv->cfg.apikey && sp - h == 6 && !strncasecmp(h, "ApiKey", 6) &&
	    same(cred, srv->cfg.apikey))
		return 0;
	sb_printf(why, "unable to authenticate with provided credentials and anonymous access is not allowed for this request");
	return -1;
}

static enum MHD_Result answer_401(struct server *srv, struct MHD_Connection *c,
				  const char *url)
{
	struct reply rep = { 0 };
	struct sbuf why = SBUF_INIT;
	static const char extra[] = ",\"header\":{\"WWW-Authenticate\":["
		"\"Basic realm=\\\"security\\\", charset=\\\"UTF-8\\\"\","
		"\"ApiKey\"]}";

	count(&srv->stats.auth_401, 1);
	check_auth(srv, c, url, &why);
	reply_error(&rep, 401, "security_exception", why.data, extra);
	sb_free(&why);
	return send_reply(c, &rep, 1, 0);
}

static enum MHD_Result answer_413(struct server *srv, struct MHD_Connection *c)
{
	struct reply rep = { .status = 413 };

	count(&srv->stats.too_large_413, 1);
	return send_reply(c, &rep, 0, 1);
}

/* ---- the body ---- */

static int gunzip(struct pending *p, uint64_t max)
{
	struct sbuf out = SBUF_INIT;
	z_stream z;
	int ok = 0;

	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, 15 + 32) != Z_OK)
		return -1;
	z.next_in = (Bytef *)p->body.data;
	z.avail_in = (uInt)p->body.len;
	sb_grow(&out, p->body.len * 4);
	for (;;) {
		int rc;

		if (out.cap - out.len - 1 < 65536)
			sb_grow(&out, out.cap);
		z.next_out = (Bytef *)out.data + out.len;
		z.avail_out = (uInt)(out.cap - out.len - 1);
		rc = inflate(&z, Z_NO_FLUSH);
		out.len = (size_t)((char *)z.next_out - out.data);
		if (out.len > max) {
			p->too_large = 1;
			break;
		}
		if (rc == Z_STREAM_END && z.avail_in == 0) {
			ok = 1;
			break;
		}
		if (rc == Z_STREAM_END) {	/* another gzip member follows */
			inflateReset(&z);
			continue;
		}
		if ((rc == Z_OK || rc == Z_BUF_ERROR) &&
		    (z.avail_out == 0 || (rc == Z_OK && z.avail_in > 0)))
			continue;
		break;				/* corrupt or truncated */
	}
	inflateEnd(&z);
	if (!ok) {
		sb_free(&out);
		return -1;
	}
	out.data[out.len] = '\0';
	sb_free(&p->body);
	p->body = out;
	return 0;
}

static int compressed(struct MHD_Connection *c)
{
	const char *e = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						    MHD_HTTP_HEADER_CONTENT_ENCODING);

	return e && (!strcasecmp(e, "gzip") || !strcasecmp(e, "x-gzip") ||
		     !strcasecmp(e, "deflate"));
}

/* 0 when the body's Content-Type is one Elasticsearch reads. */
static int content_type_ok(struct MHD_Connection *c, struct reply *rep)
{
	static const char *const ok[] = {
		"application/json", "application/x-ndjson",
		"application/vnd.elasticsearch+json",
		"application/vnd.elasticsearch+x-ndjson", NULL
	};
	const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						     MHD_HTTP_HEADER_CONTENT_TYPE);
	struct sbuf msg = SBUF_INIT;

	if (ct) {
		size_t n = strcspn(ct, ";"), i;

		while (n > 0 && ct[n - 1] == ' ')
			n--;
		for (i = 0; ok[i]; i++)
			if (strlen(ok[i]) == n && !strncasecmp(ct, ok[i], n))
				return 0;
		sb_printf(&msg, "Content-Type header [%s] is not supported", ct);
	} else {
		sb_puts(&msg, "Content-Type header is missing");
	}
	rep->status = 406;
	sb_puts(&rep->body, "{\"error\":");
	sb_json_str(&rep->body, msg.data, msg.len);
	sb_puts(&rep->body, ",\"status\":406}");
	sb_free(&msg);
	return -1;
}

/* ---- the request handler ---- */

static void begin(struct server *srv, struct MHD_Connection *c,
		  const char *url, const char *method, struct pending *p)
{
	struct sbuf why = SBUF_INIT;
	const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						     MHD_HTTP_HEADER_CONTENT_LENGTH);

	count(&srv->stats.requests, 1);
	if (!strcmp(method, "HEAD"))
		count(&srv->stats.head_requests, 1);
	if (check_auth(srv, c, url, &why) != 0)
		p->reject = 401;
	else if (cl && strtoull(cl, NULL, 10) > srv->cfg.max_bytes)
		p->reject = 413;
	else if (cl)
		sb_grow(&p->body, (size_t)strtoull(cl, NULL, 10));
	sb_free(&why);
}

static enum MHD_Result reject(struct server *srv, struct MHD_Connection *c,
			      const char *url, int status)
{
	return status == 401 ? answer_401(srv, c, url) : answer_413(srv, c);
}

static enum MHD_Result complete(struct server *srv, struct MHD_Connection *c,
				const char *url, const char *method,
				struct pending *p)
{
	struct req r = { .srv = srv, .conn = c, .method = method, .path = url };
	struct reply rep = { 0 };

	if (srv->cfg.delay_ms > 0)
		util_sleep_ms(srv->cfg.delay_ms);
	if (p->reject)
		return reject(srv, c, url, p->reject);
	if (p->body.len && compressed(c) && gunzip(p, srv->cfg.max_bytes) != 0) {
		if (p->too_large)
			return answer_413(srv, c);
		reply_error(&rep, 400, "illegal_argument_exception",
			    "failed to decompress the request body", NULL);
		return send_reply(c, &rep, 0, 0);
	}
	if (p->body.len && content_type_ok(c, &rep) != 0)
		return send_reply(c, &rep, 0, 0);
	if (!p->body.data)
		sb_grow(&p->body, 0);
	r.body = p->body.data;
	r.len = p->body.len;
	api_handle(&r, &rep);
	sb_free(&p->body);
	if (rep.drop) {
		sb_free(&rep.body);
		return MHD_NO;
	}
	if (!rep.status)
		rep.status = 500;
	return send_reply(c, &rep, 0, 0);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_size, void **state)
{
	struct server *srv = cls;
	struct pending *p = *state;

	(void)version;
	if (!p) {
		const char *expect = MHD_lookup_connection_value(c,
				MHD_HEADER_KIND, MHD_HTTP_HEADER_EXPECT);

		p = xcalloc(1, sizeof *p);
		*state = p;
		begin(srv, c, url, method, p);
		/* the client waits for our word before sending the body */
		if (p->reject && expect && !strcasecmp(expect, "100-continue"))
			return reject(srv, c, url, p->reject);
		return MHD_YES;
	}
	if (*upload_size) {
		count(&srv->stats.bytes_in, *upload_size);
		if (!p->reject && p->body.len + *upload_size > srv->cfg.max_bytes) {
			p->reject = 413;
			sb_free(&p->body);
		}
		if (!p->reject)
			sb_add(&p->body, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	return complete(srv, c, url, method, p);
}

static void on_done(void *cls, struct MHD_Connection *c, void **state,
		    enum MHD_RequestTerminationCode toe)
{
	struct pending *p = *state;

	(void)cls;
	(void)c;
	(void)toe;
	if (!p)
		return;
	sb_free(&p->body);
	free(p);
	*state = NULL;
}

struct http *http_start(struct server *srv, unsigned *port, char *err,
			size_t err_size)
{
	struct sockaddr_in sa;
	struct http *h;
	const union MHD_DaemonInfo *info;

	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)srv->cfg.port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	h = xcalloc(1, sizeof *h);
	h->d = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG,
				(uint16_t)srv->cfg.port, NULL, NULL, on_request, srv,
				MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
				MHD_OPTION_THREAD_POOL_SIZE,
				(unsigned)srv->cfg.threads,
				MHD_OPTION_NOTIFY_COMPLETED, on_done, srv,
				MHD_OPTION_CONNECTION_MEMORY_LIMIT,
				(size_t)(256 * 1024),
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)600,
				MHD_OPTION_END);
	if (!h->d) {
		snprintf(err, err_size, "cannot listen on 127.0.0.1:%u",
			 srv->cfg.port);
		free(h);
		return NULL;
	}
	info = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
	*port = info ? info->port : srv->cfg.port;
	return h;
}

void http_stop(struct http *h)
{
	if (!h)
		return;
	MHD_stop_daemon(h->d);
	free(h);
}
