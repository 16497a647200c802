/*
 * es.c - the HTTP side of the exporter (see es.h).
 *
 * Each thread owns an es_client: one CURL easy handle, so the connection to
 * a node is kept alive between bulk requests.  A request that gets no
 * response moves the client to the next node URL: spreading threads over
 * the URLs (first = thread number) and moving on when one is down gives
 * both load spreading and fail-over.
 */
#include "es.h"
#include "dcstage.h"

#include <curl/curl.h>
#include <jansson.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

struct es_client {
	const es_config *cfg;
	CURL *curl;
	int url;            /* index into cfg->urls */
	buf url_buf, gz;
	char curl_err[CURL_ERROR_SIZE];
	char err[DC_ERR_MAX];
};

int es_global_init(char *err)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return dc_seterr(err, "cannot initialise libcurl");
	return 0;
}

void es_global_cleanup(void)
{
	curl_global_cleanup();
}

int es_config_urls(es_config *cfg, const char *list, char *err)
{
	char *copy = dc_strdup(list), *save = NULL, *u;

	for (u = strtok_r(copy, ",", &save); u; u = strtok_r(NULL, ",", &save)) {
		size_t n = strlen(u);

		if (cfg->nurls == ES_MAX_URLS) {
			free(copy);
			return dc_seterr(err, "at most %d URLs", ES_MAX_URLS);
		}
		while (n && u[n - 1] == '/')
			u[--n] = '\0';
		if (strncmp(u, "http://", 7) && strncmp(u, "https://", 8)) {
			dc_seterr(err, "'%s' is not an http:// or https:// URL", u);
			free(copy);
			return -1;
		}
		cfg->urls[cfg->nurls++] = dc_strdup(u);
	}
	free(copy);
	return cfg->nurls ? 0 : dc_seterr(err, "no URL given");
}

static char *trimmed_copy(const char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
		n--;
	char *p = dc_malloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static int read_credentials_file(es_config *cfg, const char *file, char *err)
{
	FILE *f = fopen(file, "r");
	char line[4096];

	if (!f)
		return dc_seterr(err, "cannot open credentials file '%s': %s",
				 file, strerror(errno));
	while (fgets(line, sizeof line, f)) {
		char **slot = !strncmp(line, "user=", 5) ? &cfg->user
			: !strncmp(line, "password=", 9) ? &cfg->password
			: !strncmp(line, "api_key=", 8) ? &cfg->api_key : NULL;

		if (!slot)
			continue;
		free(*slot);
		*slot = trimmed_copy(strchr(line, '=') + 1);
	}
	fclose(f);
	return 0;
}

int es_config_credentials(es_config *cfg, const char *file, char *err)
{
	const char *v;

	if (file)
		return read_credentials_file(cfg, file, err);
	if ((v = getenv("DCSTAGE_ES_USER")) != NULL)
		cfg->user = dc_strdup(v);
	if ((v = getenv("DCSTAGE_ES_PASSWORD")) != NULL)
		cfg->password = dc_strdup(v);
	if ((v = getenv("DCSTAGE_ES_API_KEY")) != NULL)
		cfg->api_key = dc_strdup(v);
	if (cfg->password && !cfg->user)
		return dc_seterr(err, "a password is set but no user "
				 "(DCSTAGE_ES_USER)");
	return 0;
}

void es_config_free(es_config *cfg)
{
	for (int i = 0; i < cfg->nurls; i++)
		free(cfg->urls[i]);
	free(cfg->user);
	free(cfg->password);
	free(cfg->api_key);
	memset(cfg, 0, sizeof *cfg);
}

void es_response_free(es_response *r)
{
	buf_free(&r->body);
	r->status = 0;
}

static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
	buf_append(ctx, p, size * n);
	return size * n;
}

es_client *es_client_new(const es_config *cfg, int first, char *err)
{
	es_client *c = dc_calloc(1, sizeof *c);

	c->cfg = cfg;
	c->url = cfg->nurls ? first % cfg->nurls : 0;
	c->curl = curl_easy_init();
	if (!c->curl) {
		free(c);
		dc_seterr(err, "cannot create a libcurl handle");
		return NULL;
	}
	curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, c->curl_err);
	curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c->curl, CURLOPT_TIMEOUT_MS, cfg->timeout_ms);
	curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
	curl_easy_setopt(c->curl, CURLOPT_TCP_KEEPALIVE, 1L);
	if (cfg->cacert)
		curl_easy_setopt(c->curl, CURLOPT_CAINFO, cfg->cacert);
	if (cfg->insecure) {
		curl_easy_setopt(c->curl, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c->curl, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (cfg->user) {
		curl_easy_setopt(c->curl, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
		curl_easy_setopt(c->curl, CURLOPT_USERNAME, cfg->user);
		curl_easy_setopt(c->curl, CURLOPT_PASSWORD,
				 cfg->password ? cfg->password : "");
	}
	return c;
}

/* Compress body into c->gz (gzip framing).  0 or -1. */
static int gzip_body(es_client *c, const char *body, size_t len)
{
	z_stream z;
	int rc;

	memset(&z, 0, sizeof z);
	if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return dc_seterr(c->err, "cannot start gzip compression");
	buf_reset(&c->gz);
	buf_grow(&c->gz, deflateBound(&z, (uLong)len));
	z.next_in = (Bytef *)(uintptr_t)body;
	z.avail_in = (uInt)len;
	z.next_out = (Bytef *)c->gz.data;
	z.avail_out = (uInt)(c->gz.cap - 1);
	rc = deflate(&z, Z_FINISH);
	c->gz.len = z.total_out;
	deflateEnd(&z);
	return rc == Z_STREAM_END ? 0
		: dc_seterr(c->err, "gzip compression failed");
}

static struct curl_slist *request_headers(const es_client *c,
					  const char *content_type)
{
	struct curl_slist *h = NULL;
	char line[4200];

	/* No "Expect: 100-continue" round trip before each bulk body. */
	h = curl_slist_append(h, "Expect:");
	if (content_type) {
		snprintf(line, sizeof line, "Content-Type: %s", content_type);
		h = curl_slist_append(h, line);
	}
	if (c->cfg->compress && content_type)
		h = curl_slist_append(h, "Content-Encoding: gzip");
	if (c->cfg->api_key) {
		snprintf(line, sizeof line, "Authorization: ApiKey %s",
			 c->cfg->api_key);
		h = curl_slist_append(h, line);
	}
	return h;
}

/* A node that cannot be reached at all got nothing: any request can go to
 * the next one at once. */
static int unreachable(CURLcode rc)
{
	return rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST;
}

static CURLcode perform_at(es_client *c, const char *path)
{
	buf_reset(&c->url_buf);
	buf_printf(&c->url_buf, "%s%s", c->cfg->urls[c->url], path);
	curl_easy_setopt(c->curl, CURLOPT_URL, c->url_buf.data);
	c->curl_err[0] = '\0';
	return curl_easy_perform(c->curl);
}

/* The request's method and body.  HEAD goes last: HTTPGET, which a
 * request without a body needs, turns NOBODY off again. */
static void set_method(CURL *curl, const char *method, const char *body,
		       size_t len)
{
	int head = !strcmp(method, "HEAD");

	curl_easy_setopt(curl, CURLOPT_NOBODY, 0L);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, head ? NULL : method);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body ? body : "");
	curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
			 (curl_off_t)(body ? len : 0));
	if (!body && strcmp(method, "POST") && strcmp(method, "PUT"))
		curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
	if (head)
		curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
}

int es_request(es_client *c, const char *method, const char *path,
	       const char *body, size_t len, const char *content_type,
	       es_response *r)
{
	struct curl_slist *headers;
	CURLcode rc;
	int tries = 0;

	buf_reset(&r->body);
	r->status = 0;
	if (body && c->cfg->compress && gzip_body(c, body, len) == 0) {
		body = c->gz.data;
		len = c->gz.len;
	}
	headers = request_headers(c, body ? content_type : NULL);
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, &r->body);
	set_method(c->curl, method, body, len);
	while ((rc = perform_at(c, path)) != CURLE_OK) {
		dc_seterr(c->err, "%s %s: %s", method, c->url_buf.data,
			  c->curl_err[0] ? c->curl_err : curl_easy_strerror(rc));
		c->url = (c->url + 1) % c->cfg->nurls;
		if (!unreachable(rc) || ++tries >= c->cfg->nurls)
			break;
	}
	curl_slist_free_all(headers);
	if (rc != CURLE_OK)
		return -1;
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &r->status);
	return 0;
}

const char *es_errmsg(const es_client *c)
{
	return c->err;
}

const char *es_current_url(const es_client *c)
{
	return c->cfg->urls[c->url];
}

void es_client_free(es_client *c)
{
	if (!c)
		return;
	curl_easy_cleanup(c->curl);
	buf_free(&c->url_buf);
	buf_free(&c->gz);
	free(c);
}

void es_describe_error(const es_response *r, char *out, size_t n)
{
	json_error_t jerr;
	json_t *root = r->body.len
		? json_loadb(r->body.data, r->body.len, 0, &jerr) : NULL;
	json_t *e = json_object_get(root, "error");
	const char *type = json_string_value(json_object_get(e, "type"));
	const char *reason = json_string_value(json_object_get(e, "reason"));

	if (type)
		snprintf(out, n, "%ld %s: %s", r->status, type,
			 reason ? reason : "");
	else if (json_is_string(e)) /* older servers: "error":"text" */
		snprintf(out, n, "%ld %s", r->status, json_string_value(e));
	else
		snprintf(out, n, "%ld %.200s", r->status,
			 r->body.len ? r->body.data : "(no body)");
	json_decref(root);
}
