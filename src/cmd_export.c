/*
 * cmd_export.c - `dcstage export`: send the staged documents to
 * Elasticsearch, or write the bulk requests (--dry-run).
 */
#include "builtin.h"
#include "dcstage.h"
#include "export.h"

#include <getopt.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage_text[] =
	"usage: dcstage export [--db FILE] --url URL[,URL...] [options]\n"
	"       dcstage export [--db FILE] --dry-run FILE|- [options]\n"
	"\n"
	"Send one document per staged donation to Elasticsearch (or OpenSearch),\n"
	"with retries, until each is acknowledged or refused for good.  Reruns\n"
	"send only what changed since the target last acknowledged it (new and\n"
	"changed documents, deletions of donations that are gone); a new or\n"
	"recreated index gets everything.  --dry-run writes every document.\n"
	"\n"
	"  --db FILE          staging file (default dcstage.db)\n"
	"  --url URLS         cluster node URLs, comma-separated; requests are\n"
	"                     spread over them and move on when one is down\n"
	"  --index NAME       target index (default donorschoose)\n"
	"  --alias NAME       load a new index NAME-<UTC timestamp>, then move\n"
	"                     the alias NAME to it atomically\n"
	"  --dry-run FILE     write the bulk NDJSON to FILE (- for stdout)\n"
	"                     instead of sending it\n"
	"  --threads N        reader threads, each with its own shard and\n"
	"                     connection (default: 2 x cores)\n"
	"  --shard K/N        only the K-th (1..N) of N equal slices, so that N\n"
	"                     machines can share one export\n"
	"  --bulk-bytes SIZE  a request holds about SIZE at most (default 5MB)\n"
	"  --bulk-docs N      ... and N documents at most (default 5000)\n"
	"  --compress         gzip the request bodies\n"
	"  --max-retries N    retries of one batch before giving up (default 12)\n"
	"  --timeout SECONDS  for one request (default 120)\n"
	"  --credentials FILE user=, password= or api_key= lines; otherwise the\n"
	"                     environment: DCSTAGE_ES_USER, DCSTAGE_ES_PASSWORD,\n"
	"                     DCSTAGE_ES_API_KEY (never on the command line)\n"
	"  --cacert FILE      CA certificates to verify the cluster with\n"
	"  --insecure         do not verify the cluster's certificate\n"
	"  --full             send every document again, not only those the\n"
	"                     target has not acknowledged in their current form\n"
	"  --json             print the summary as JSON on stdout\n"
	"  --quiet            no progress line\n"
	"\n"
	"Refused documents are kept in the table refusals with the server's\n"
	"reason.  Exit code 0: all acknowledged; 4: some refused; 1: fatal.\n";

enum { OPT_DB = 256, OPT_URL, OPT_INDEX, OPT_ALIAS, OPT_DRY, OPT_THREADS,
       OPT_SHARD, OPT_BYTES, OPT_DOCS, OPT_COMPRESS, OPT_RETRIES,
       OPT_TIMEOUT, OPT_CRED, OPT_CACERT, OPT_INSECURE, OPT_FULL, OPT_JSON,
       OPT_QUIET, OPT_FORCE, OPT_HELP };

static const struct option longopts[] = {
	{ "db", required_argument, NULL, OPT_DB },
	{ "url", required_argument, NULL, OPT_URL },
	{ "index", required_argument, NULL, OPT_INDEX },
	{ "alias", required_argument, NULL, OPT_ALIAS },
	{ "dry-run", required_argument, NULL, OPT_DRY },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "shard", required_argument, NULL, OPT_SHARD },
	{ "bulk-bytes", required_argument, NULL, OPT_BYTES },
	{ "bulk-docs", required_argument, NULL, OPT_DOCS },
	{ "compress", no_argument, NULL, OPT_COMPRESS },
	{ "max-retries", required_argument, NULL, OPT_RETRIES },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "credentials", required_argument, NULL, OPT_CRED },
	{ "cacert", required_argument, NULL, OPT_CACERT },
	{ "insecure", no_argument, NULL, OPT_INSECURE },
	{ "full", no_argument, NULL, OPT_FULL },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 }
};

static int parse_shard(const char *s, export_options *o)
{
	int k, n, used = 0;

	if (sscanf(s, "%d/%d%n", &k, &n, &used) != 2 || s[used] != '\0' ||
	    n < 1 || k < 1 || k > n)
		return dc_error("--shard wants K/N with 1 <= K <= N, not '%s'", s);
	o->shard_k = k - 1;
	o->shard_n = n;
	return 0;
}

static int parse_count(const char *opt, const char *s, long lo, long hi,
		       long *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < lo || v > hi)
		return dc_error("%s wants a number from %ld to %ld, not '%s'",
				opt, lo, hi, s);
	*out = v;
	return 0;
}

static int parse_one(int c, export_cli *cli, const char **urls,
		     const char **cred)
{
	export_options *o = &cli->o;

	long v;

	switch (c) {
	case OPT_DB: o->db_path = optarg; return 0;
	case OPT_URL: *urls = optarg; return 0;
	case OPT_INDEX: o->index = optarg; return 0;
	case OPT_ALIAS: o->alias = optarg; return 0;
	case OPT_DRY: o->dry_run = optarg; return 0;
	case OPT_SHARD: return parse_shard(optarg, o);
	case OPT_COMPRESS: o->es.compress = 1; return 0;
	case OPT_CRED: *cred = optarg; return 0;
	case OPT_CACERT: o->es.cacert = optarg; return 0;
	case OPT_INSECURE: o->es.insecure = 1; return 0;
	case OPT_FULL: o->full = 1; return 0;
	case OPT_JSON: cli->json = 1; return 0;
	case OPT_FORCE: cli->force = 1; return 0;
	case OPT_QUIET: o->quiet = 1; return 0;
	case OPT_HELP: fputs(cli->usage, stdout); exit(DC_EXIT_OK);
	case OPT_THREADS:
		if (parse_count("--threads", optarg, 1, EXPORT_MAX_THREADS, &v))
			return -1;
		o->threads = (int)v;
		return 0;
	case OPT_DOCS:
		if (parse_count("--bulk-docs", optarg, 1, 10000000, &v))
			return -1;
		o->bulk_docs = (uint64_t)v;
		return 0;
	case OPT_RETRIES:
		if (parse_count("--max-retries", optarg, 0, 1000, &v))
			return -1;
		o->max_retries = (int)v;
		return 0;
	case OPT_TIMEOUT:
		if (parse_count("--timeout", optarg, 1, 86400, &v))
			return -1;
		o->es.timeout_ms = v * 1000;
		return 0;
	case OPT_BYTES:
		if (dc_parse_size(optarg, &o->bulk_bytes) != 0 || !o->bulk_bytes)
			return dc_error("--bulk-bytes wants a size such as 5MB, "
					"not '%s'", optarg);
		return 0;
	default:
		return -1;
	}
}

void export_cli_init(export_cli *cli, const char *usage)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	memset(cli, 0, sizeof *cli);
	cli->usage = usage;
	cli->o.db_path = "dcstage.db";
	cli->o.index = "donorschoose";
	cli->o.threads = cores > 0 ? 2 * (int)cores : 4;
	if (cli->o.threads > EXPORT_MAX_THREADS)
		cli->o.threads = EXPORT_MAX_THREADS;
	cli->o.bulk_bytes = 5000000;
	cli->o.bulk_docs = 5000;
	cli->o.max_retries = 12;
	cli->o.es.timeout_ms = 120000;
}

int export_cli_parse(int argc, char **argv, export_cli *cli, int inputs)
{
	export_options *o = &cli->o;
	const char *urls = NULL, *cred = NULL;
	char err[DC_ERR_MAX];
	int c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1)
		if (parse_one(c, cli, &urls, &cred) != 0)
			return -1;
	cli->inputs = argv + optind;
	cli->ninputs = argc - optind;
	if (!inputs && cli->ninputs)
		return dc_error("unexpected argument '%s'", argv[optind]);
	if (inputs && !cli->ninputs)
		return dc_error("no dump folder or file given");
	if (!inputs && cli->force)
		return dc_error("--force is an option of load and run");
	if (!o->dry_run == !urls)
		return dc_error("give either --url or --dry-run");
	if (o->dry_run)
		return 0;
	if (es_config_urls(&o->es, urls, err) != 0 ||
	    es_config_credentials(&o->es, cred, err) != 0)
		return dc_error("%s", err);
	return 0;
}

void export_print_summary(const export_options *o, const export_summary *s,
			  int json)
{
	double rate = s->seconds > 0 ? (double)s->docs / s->seconds : 0.0;
	FILE *out = o->dry_run && !strcmp(o->dry_run, "-") && !json ? stderr
								    : stdout;

	if (json) {
		fprintf(out, "{\"index\":\"%s\",\"up_to_date\":%s,\"full\":%s,"
			"\"docs\":%llu,\"deletes\":%llu,\"acked\":%llu,"
			"\"refused\":%llu,\"retries\":%llu,\"splits\":%llu,"
			"\"bytes\":%llu,\"threads\":%d,\"seconds\":%.3f,"
			"\"docs_per_s\":%.0f,\"peak_rss\":%llu}\n",
			s->index, s->up_to_date ? "true" : "false",
			s->full ? "true" : "false", (unsigned long long)s->docs,
			(unsigned long long)s->deletes,
			(unsigned long long)s->acked,
			(unsigned long long)s->refused,
			(unsigned long long)s->retries,
			(unsigned long long)s->splits,
			(unsigned long long)s->bytes, s->threads, s->seconds,
			rate, (unsigned long long)s->peak_rss);
		return;
	}
	if (s->up_to_date) {
		fprintf(out, "index %s is up to date: nothing to send (%.2f s)\n",
			s->index, s->seconds);
		return;
	}
	fprintf(out, "%s %llu documents%s (%.1f MB) in %.2f s with %d "
		"threads: %.0f docs/s, peak memory %.0f MB\n",
		o->dry_run ? "wrote" : "sent", (unsigned long long)s->docs,
		o->dry_run ? "" : s->full ? ", a full export" : ", the changed ones",
		(double)s->bytes / 1e6, s->seconds, s->threads, rate,
		(double)s->peak_rss / 1e6);
	if (!o->dry_run)
		fprintf(out, "index %s: %llu deletions; %llu acknowledged, "
			"%llu refused (see the table refusals), %llu retried, "
			"%llu batches split\n", s->index,
			(unsigned long long)s->deletes, (unsigned long long)s->acked,
			(unsigned long long)s->refused,
			(unsigned long long)s->retries,
			(unsigned long long)s->splits);
}

static atomic_int interrupted; /* lock-free: safe in a handler */

static const int stop_signals[] = { SIGINT, SIGTERM };
#define NSTOP_SIGNALS (sizeof stop_signals / sizeof stop_signals[0])

/* The first SIGINT or SIGTERM asks the export to stop; the next one of
 * either kills, as they would have without the handler. */
static void on_interrupt(int sig)
{
	struct sigaction dfl;

	(void)sig;
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	for (size_t i = 0; i < NSTOP_SIGNALS; i++)
		sigaction(stop_signals[i], &dfl, NULL);
	atomic_store(&interrupted, 1);
}

void export_cli_catch_interrupts(export_cli *cli)
{
	struct sigaction sa, old;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_interrupt;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < NSTOP_SIGNALS; i++)
		sigaddset(&sa.sa_mask, stop_signals[i]);
	for (size_t i = 0; i < NSTOP_SIGNALS; i++)
		if (sigaction(stop_signals[i], NULL, &old) == 0 &&
		    old.sa_handler != SIG_IGN) /* ignored, it stays so */
			sigaction(stop_signals[i], &sa, NULL);
	cli->o.interrupted = &interrupted;
}

int cmd_export(int argc, char **argv)
{
	export_cli cli;
	export_summary s;
	char err[DC_ERR_MAX];
	int rc = DC_EXIT_OK;

	export_cli_init(&cli, usage_text);
	if (export_cli_parse(argc, argv, &cli, 0) != 0) {
		fputs("see 'dcstage export --help'\n", stderr);
		es_config_free(&cli.o.es);
		return DC_EXIT_USAGE;
	}
	export_cli_catch_interrupts(&cli);
	if (es_global_init(err) != 0 || export_run(&cli.o, &s, err) != 0) {
		dc_error("export failed: %s", err);
		rc = DC_EXIT_FATAL;
	} else if (s.refused) {
		rc = DC_EXIT_REFUSED;
	}
	export_print_summary(&cli.o, &s, cli.json);
	es_global_cleanup();
	es_config_free(&cli.o.es);
	return rc;
}
