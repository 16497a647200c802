/*
 * main.c - esserver, an Elasticsearch-compatible HTTP server for tests and
 * benchmarks: options, start-up, the stop on SIGTERM or SIGINT, and the
 * counters it writes when it stops.
 *
 *   esserver --port 0 --stats stats.json [--seed N] [--item-429 F] ...
 *
 * It listens on 127.0.0.1 only and prints the port it bound as the first
 * line of standard output.  Credentials come from the environment:
 * ESSERVER_BASIC="user:pass" and ESSERVER_APIKEY="id:key".
 */
#include "server.h"
#include "dcstage.h"

#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
	"usage: esserver [options]\n"
	"  --port N            port on 127.0.0.1 (default 0: any free port,\n"
	"                      printed as the first line of standard output)\n"
	"  --stats FILE        write the counters there as JSON when stopped\n"
	"  --seed N            seed of the fault draws (default 1)\n"
	"  --max-bytes SIZE    largest request body, e.g. 100MiB (default)\n"
	"  --item-429 F        fraction of bulk items answered 429\n"
	"  --request-429 F     fraction of bulk requests answered 429\n"
	"  --request-503 F     fraction of bulk requests answered 503\n"
	"  --drop F            fraction of bulk requests whose connection is\n"
	"                      closed unanswered, half before and half after\n"
	"                      their items are applied\n"
	"  --delay-ms N        wait N ms before answering each request\n"
	"  --no-store          keep document ids only, not their sources\n"
	"  --no-validate       skip the mapping checks (the light benchmark mode)\n"
	"  --threads N         HTTP worker threads (default 2)\n"
	"environment: ESSERVER_BASIC=user:pass and/or ESSERVER_APIKEY=id:key\n"
	"require that Basic or ApiKey authorization (401 otherwise).\n";

static int fraction(const char *s, double *out)
{
	char *end;

	*out = strtod(s, &end);
	return *end == '\0' && end != s && *out >= 0.0 && *out <= 1.0 ? 0 : -1;
}

static int number(const char *s, long max, long *out)
{
	char *end;

	*out = strtol(s, &end, 10);
	return *end == '\0' && end != s && *out >= 0 && *out <= max ? 0 : -1;
}

static int bad_option(const char *opt, const char *value)
{
	fprintf(stderr, "esserver: invalid value '%s' for --%s\n%s", value, opt,
		usage_text);
	return 2;
}

static int parse_options(int argc, char **argv, struct ess_config *cfg)
{
	static const struct option opts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "stats", required_argument, NULL, 's' },
		{ "seed", required_argument, NULL, 'S' },
		{ "max-bytes", required_argument, NULL, 'm' },
		{ "item-429", required_argument, NULL, 'i' },
		{ "request-429", required_argument, NULL, 'r' },
		{ "request-503", required_argument, NULL, 'u' },
		{ "drop", required_argument, NULL, 'd' },
		{ "delay-ms", required_argument, NULL, 'D' },
		{ "no-store", no_argument, NULL, 'n' },
		{ "no-validate", no_argument, NULL, 'V' },
		{ "threads", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	long v;
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		const char *name = c != '?' && c != 'h' && optind > 0
			? argv[optind - 1] + 2 : "";

		switch (c) {
		case 'p':
			if (number(optarg, 65535, &v) != 0)
				return bad_option("port", optarg);
			cfg->port = (unsigned)v;
			break;
		case 's':
			cfg->stats_file = optarg;
			break;
		case 'S':
			cfg->seed = strtoull(optarg, NULL, 10);
			break;
		case 'm':
			if (dc_parse_size(optarg, &cfg->max_bytes) != 0)
				return bad_option("max-bytes", optarg);
			break;
		case 'i': case 'r': case 'u': case 'd': {
			double *f = c == 'i' ? &cfg->faults.item_429
				: c == 'r' ? &cfg->faults.request_429
				: c == 'u' ? &cfg->faults.request_503
				: &cfg->faults.drop;

			if (fraction(optarg, f) != 0)
				return bad_option(name, optarg);
			break;
		}
		case 'D':
			if (number(optarg, 3600000, &cfg->delay_ms) != 0)
				return bad_option("delay-ms", optarg);
			break;
		case 'n':
			cfg->no_store = 1;
			break;
		case 'V':
			cfg->no_validate = 1;
			break;
		case 't':
			if (number(optarg, 256, &v) != 0 || v < 1)
				return bad_option("threads", optarg);
			cfg->threads = (int)v;
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		default:
			fputs(usage_text, stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "esserver: unexpected argument '%s'\n%s",
			argv[optind], usage_text);
		return 2;
	}
	if (cfg->faults.request_429 + cfg->faults.request_503 +
	    cfg->faults.drop > 1.0) {
		fprintf(stderr, "esserver: --request-429, --request-503 and --drop add up to more than 1\n");
		return 2;
	}
	return 0;
}

/* Expected credentials, base64-encoded as clients send them. */
static char *credential(const char *env)
{
	const char *v = getenv(env);

	return v && *v ? util_base64(v, strlen(v)) : NULL;
}

static json_t *counter_json(counter *c)
{
	return json_integer((json_int_t)atomic_load(c));
}

static int write_stats(struct server *srv)
{
	struct ess_stats *s = &srv->stats;
	json_t *j;
	FILE *f;
	int rc;

	if (!srv->cfg.stats_file)
		return 0;
	j = json_pack("{s:o,s:o,s:o,s:o,s:o,s:I,s:o,s:o,s:o,s:o,s:{s:o,s:o,s:o,s:o,s:o,s:o,s:o}}",
		"requests", counter_json(&s->requests),
		"head_requests", counter_json(&s->head_requests),
		"bulk_requests", counter_json(&s->bulk_requests),
		"items", counter_json(&s->items),
		"items_applied", counter_json(&s->items_applied),
		"docs", (json_int_t)store_total_docs(srv->store),
		"refused", counter_json(&s->refused),
		"conflicts", counter_json(&s->conflicts),
		"not_found", counter_json(&s->not_found),
		"bytes_in", counter_json(&s->bytes_in),
		"faults",
		"item_429", counter_json(&s->item_429),
		"request_429", counter_json(&s->request_429),
		"request_503", counter_json(&s->request_503),
		"drop_before", counter_json(&s->drop_before),
		"drop_after", counter_json(&s->drop_after),
		"auth_401", counter_json(&s->auth_401),
		"too_large_413", counter_json(&s->too_large_413));
	f = fopen(srv->cfg.stats_file, "w");
	rc = f && j ? json_dumpf(j, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : -1;
	if (f) {
		if (rc == 0 && fputc('\n', f) == EOF)
			rc = -1;
		if (fclose(f) != 0)
			rc = -1;
	}
	json_decref(j);
	if (rc != 0)
		fprintf(stderr, "esserver: cannot write '%s'\n",
			srv->cfg.stats_file);
	return rc;
}

int main(int argc, char **argv)
{
	static struct server srv;
	struct http *h;
	sigset_t stop;
	char err[256];
	unsigned port = 0;
	int rc, sig = 0;

	srv.cfg.seed = 1;
	srv.cfg.max_bytes = 100ULL << 20;
	srv.cfg.threads = 2;
	if ((rc = parse_options(argc, argv, &srv.cfg)) != 0)
		return rc;
	srv.cfg.basic = credential("ESSERVER_BASIC");
	srv.cfg.apikey = credential("ESSERVER_APIKEY");
	util_random_init();
	util_random_id(srv.cluster_uuid, 22);
	json_object_seed(0);

	/* the worker threads inherit this mask: only sigwait() below sees
	 * the stop signals */
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);

	srv.store = store_new(!srv.cfg.no_store);
	h = http_start(&srv, &port, err, sizeof err);
	if (!h) {
		fprintf(stderr, "esserver: %s\n", err);
		store_free(srv.store);
		return 1;
	}
	printf("%u\n", port);
	fflush(stdout);
	fprintf(stderr, "esserver: listening on http://127.0.0.1:%u\n", port);

	sigwait(&stop, &sig);
	http_stop(h);
	rc = write_stats(&srv) != 0;
	fprintf(stderr, "esserver: stopped by signal %d\n", sig);
	store_free(srv.store);
	free(srv.cfg.basic);
	free(srv.cfg.apikey);
	return rc;
}
