/*
 * esindex.c - the target index's life around an export (see esindex.h).
 */
#include "esindex.h"
#include "bulk.h"
#include "dcstage.h"
#include "embed.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static int call(es_client *c, const char *method, const char *path,
		const char *body, es_response *r, char *err)
{
	if (es_request(c, method, path, body, body ? strlen(body) : 0,
		       "application/json", r) != 0)
		return dc_seterr(err, "%s", es_errmsg(c));
	return 0;
}

static int fail_with(const es_response *r, const char *what, char *err)
{
	char why[DC_ERR_MAX / 2];

	es_describe_error(r, why, sizeof why);
	return dc_seterr(err, "%s: %s", what, why);
}

/* index.<key> of the first index in a GET _settings answer, as text. */
static void setting(json_t *settings, const char *key, char *out, size_t n)
{
	const char *name;
	json_t *v;

	out[0] = '\0';
	json_object_foreach(settings, name, v) {
		json_t *ix = json_object_get(json_object_get(v, "settings"),
					     "index");
		json_t *val = json_object_get(ix, key);
		if (json_is_string(val))
			snprintf(out, n, "%s", json_string_value(val));
		else if (json_is_integer(val))
			snprintf(out, n, "%lld", (long long)json_integer_value(val));
		return;
	}
}

static int read_settings(es_client *c, esindex *ix, char *err)
{
	char path[300];
	es_response r = { 0 };
	json_t *root;
	int rc = -1;

	snprintf(path, sizeof path, "/%s/_settings", ix->name);
	if (call(c, "GET", path, NULL, &r, err) != 0)
		goto out;
	if (r.status != 200) {
		fail_with(&r, "cannot read the index settings", err);
		goto out;
	}
	root = json_loadb(r.body.data, r.body.len, 0, NULL);
	setting(root, "uuid", ix->uuid, sizeof ix->uuid);
	setting(root, "refresh_interval", ix->refresh, sizeof ix->refresh);
	setting(root, "number_of_replicas", ix->replicas, sizeof ix->replicas);
	json_decref(root);
	rc = 0;
out:
	es_response_free(&r);
	return rc;
}

static int put_settings(es_client *c, const esindex *ix, const char *refresh,
			const char *replicas, char *err)
{
	char path[300], body[256];
	es_response r = { 0 };
	int rc;

	snprintf(path, sizeof path, "/%s/_settings", ix->name);
	/* null resets a setting to the server's default. */
	snprintf(body, sizeof body, "{\"index\":{\"refresh_interval\":%s%s%s,"
		 "\"number_of_replicas\":%s}}", *refresh ? "\"" : "",
		 *refresh ? refresh : "null", *refresh ? "\"" : "",
		 *replicas ? replicas : "null");
	rc = call(c, "PUT", path, body, &r, err);
	if (rc == 0 && r.status != 200)
		rc = fail_with(&r, "cannot change the index settings", err);
	es_response_free(&r);
	return rc;
}

static int create_index(es_client *c, esindex *ix, char *err)
{
	char path[300];
	es_response r = { 0 };
	int rc;

	snprintf(path, sizeof path, "/%s", ix->name);
	rc = call(c, "PUT", path, embed_text("mapping.json"), &r, err);
	if (rc == 0 && r.status != 200)
		rc = fail_with(&r, "cannot create the index", err);
	ix->created = rc == 0;
	es_response_free(&r);
	return rc;
}

int esindex_prepare(es_client *c, const char *name, esindex *ix, char *err)
{
	char path[300];
	es_response r = { 0 };
	int rc;

	memset(ix, 0, sizeof *ix);
	snprintf(ix->name, sizeof ix->name, "%s", name);
	snprintf(path, sizeof path, "/%s", name);
	rc = call(c, "HEAD", path, NULL, &r, err);
	if (rc == 0 && r.status == 401)
		rc = dc_seterr(err, "the cluster refused the credentials (401)");
	else if (rc == 0 && r.status == 404)
		rc = create_index(c, ix, err);
	else if (rc == 0 && r.status != 200)
		rc = fail_with(&r, "cannot check the index", err);
	es_response_free(&r);
	return rc != 0 ? -1 : read_settings(c, ix, err);
}

int esindex_tune(es_client *c, esindex *ix, char *err)
{
	if (put_settings(c, ix, "-1", "0", err) != 0)
		return -1;
	ix->tuned = 1;
	return 0;
}

void esindex_restore_later(esindex *ix, const char *refresh,
			   const char *replicas)
{
	snprintf(ix->refresh, sizeof ix->refresh, "%s", refresh);
	snprintf(ix->replicas, sizeof ix->replicas, "%s", replicas);
	ix->tuned = 1;
}

int esindex_finish(es_client *c, esindex *ix, char *err)
{
	char path[300];
	es_response r = { 0 };
	int rc = 0;

	if (ix->tuned && put_settings(c, ix, ix->refresh, ix->replicas, err) != 0)
		return -1;
	ix->tuned = 0;
	snprintf(path, sizeof path, "/%s/_refresh", ix->name);
	if (call(c, "POST", path, NULL, &r, err) != 0)
		rc = -1;
	else if (r.status != 200)
		rc = fail_with(&r, "cannot refresh the index", err);
	es_response_free(&r);
	return rc;
}

/* The indices alias points to now, as remove actions. */
static int add_removals(es_client *c, const char *alias, const char *index,
			buf *body, char *err)
{
	char path[300];
	es_response r = { 0 };
	json_t *root;
	const char *name;
	json_t *v;

	snprintf(path, sizeof path, "/_alias/%s", alias);
	if (call(c, "GET", path, NULL, &r, err) != 0)
		return -1;
	root = r.status == 200 ? json_loadb(r.body.data, r.body.len, 0, NULL)
			       : NULL;
	json_object_foreach(root, name, v) {
		if (!strcmp(name, index))
			continue;
		buf_puts(body, "{\"remove\":{\"index\":");
		buf_json_string(body, name, strlen(name));
		buf_puts(body, ",\"alias\":");
		buf_json_string(body, alias, strlen(alias));
		buf_puts(body, "}},");
	}
	json_decref(root);
	es_response_free(&r);
	return 0;
}

int esindex_swap_alias(es_client *c, const char *alias, const char *index,
		       char *err)
{
	buf body = BUF_INIT;
	es_response r = { 0 };
	int rc;

	buf_puts(&body, "{\"actions\":[");
	rc = add_removals(c, alias, index, &body, err);
	if (rc == 0) {
		buf_puts(&body, "{\"add\":{\"index\":");
		buf_json_string(&body, index, strlen(index));
		buf_puts(&body, ",\"alias\":");
		buf_json_string(&body, alias, strlen(alias));
		buf_puts(&body, "}}]}");
		rc = call(c, "POST", "/_aliases", body.data, &r, err);
		if (rc == 0 && r.status != 200)
			rc = fail_with(&r, "cannot move the alias", err);
	}
	es_response_free(&r);
	buf_free(&body);
	return rc;
}
