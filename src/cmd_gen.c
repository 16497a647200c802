/*
 * cmd_gen.c - `dcstage gen`: write a deterministic synthetic dump for
 * tests, benchmarks and the demo.
 */
#include "builtin.h"
#include "dcstage.h"
#include "gen.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
	"usage: dcstage gen --scale F --out DIR [--seed N] [--parts N]\n"
	"                   [--header|--no-header] [--nasty] [--month M]\n"
	"                   [--quiet]\n"
	"\n"
	"Write a synthetic DonorsChoose.org dump: opendata_projects000.gz,\n"
	"opendata_donations000.gz, opendata_resources000.gz and manifest.json\n"
	"(what was written, what a load must stage, every bad record's file\n"
	"and line).  The same options give the same bytes.\n"
	"\n"
	"  --scale F    1.0 is the 2022 dump: 1,100,000 projects, 6,211,956\n"
	"               donations, about 3.3 million resources\n"
	"  --seed N     the random seed (default 1)\n"
	"  --out DIR    the folder to write (created if missing)\n"
	"  --parts N    split each table into N multi-member gzip files\n"
	"  --header     name the columns on the first line (default)\n"
	"  --no-header  no header line\n"
	"  --nasty      add tricky and bad input, listed in the manifest\n"
	"  --month M    the dump M months later: some donations changed, gone\n"
	"               or new, some projects changed (default 0)\n"
	"  --quiet      print nothing on success\n";

static int usage_error(const char *fmt, const char *arg)
{
	char msg[DC_ERR_MAX];

	snprintf(msg, sizeof msg, fmt, arg);
	dc_error("%s", msg);
	fputs(usage_text, stderr);
	return DC_EXIT_USAGE;
}

static int parse_int(const char *s, long min, long max, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -1;
	*out = (int)v;
	return 0;
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = (uint64_t)v;
	return 0;
}

static int parse_scale(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v <= 0 ||
	    v > GEN_MAX_SCALE)
		return -1;
	*out = v;
	return 0;
}

static void print_summary(const gen_summary *s)
{
	uint64_t csv = 0, gz = 0;

	for (int k = 0; k < s->nparts; k++) {
		const gen_part *p = &s->parts[k];

		printf("%-28s %10llu rows %12llu bytes (%llu of CSV)\n", p->name,
		       (unsigned long long)p->rows,
		       (unsigned long long)p->gz_bytes,
		       (unsigned long long)p->csv_bytes);
		csv += p->csv_bytes;
		gz += p->gz_bytes;
	}
	printf("wrote %d files, %.1f MB (%.1f MB of CSV) in %.2f s\n",
	       s->nparts, (double)gz / 1e6, (double)csv / 1e6, s->seconds);
}

enum { OPT_HEADER = 256, OPT_NO_HEADER, OPT_NASTY, OPT_QUIET, OPT_HELP };

static const struct option options[] = {
	{ "scale", required_argument, NULL, 's' },
	{ "seed", required_argument, NULL, 'S' },
	{ "out", required_argument, NULL, 'o' },
	{ "parts", required_argument, NULL, 'p' },
	{ "month", required_argument, NULL, 'm' },
	{ "header", no_argument, NULL, OPT_HEADER },
	{ "no-header", no_argument, NULL, OPT_NO_HEADER },
	{ "nasty", no_argument, NULL, OPT_NASTY },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 }
};

/* 0: go on; -1: the help was asked for and printed; else the exit code
 * of a bad command line. */
static int parse(int argc, char **argv, gen_options *o, int *quiet)
{
	int c, have_scale = 0;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":", options, NULL)) != -1) {
		switch (c) {
		case 's':
			if (parse_scale(optarg, &o->scale) != 0)
				return usage_error("bad --scale '%s': want a "
						   "number in (0, 100]", optarg);
			have_scale = 1;
			break;
		case 'S':
			if (parse_u64(optarg, &o->seed) != 0)
				return usage_error("bad --seed '%s': want a "
						   "non-negative integer", optarg);
			break;
		case 'o':
			o->out = optarg;
			break;
		case 'p':
			if (parse_int(optarg, 1, GEN_MAX_PARTS, &o->parts) != 0)
				return usage_error("bad --parts '%s': want 1 to "
						   "1000", optarg);
			break;
		case 'm':
			if (parse_int(optarg, 0, 1000, &o->month) != 0)
				return usage_error("bad --month '%s': want 0 to "
						   "1000", optarg);
			break;
		case OPT_HEADER:
		case OPT_NO_HEADER:
			o->header = c == OPT_HEADER;
			break;
		case OPT_NASTY:
			o->nasty = 1;
			break;
		case OPT_QUIET:
			*quiet = 1;
			break;
		case OPT_HELP:
			fputs(usage_text, stdout);
			return -1;
		case ':':
			return usage_error("option '%s' needs a value",
					   argv[optind - 1]);
		default:
			return usage_error("unknown option '%s'",
					   argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (!have_scale)
		return usage_error("%s", "--scale is required");
	if (!o->out || !*o->out)
		return usage_error("%s", "--out is required");
	return 0;
}

int cmd_gen(int argc, char **argv)
{
	gen_options o = { 0, 1, NULL, 1, 1, 0, 0 };
	gen_summary s;
	char err[DC_ERR_MAX];
	int quiet = 0, rc;

	rc = parse(argc, argv, &o, &quiet);
	if (rc)
		return rc < 0 ? DC_EXIT_OK : rc;
	if (gen_run(&o, &s, err) != 0) {
		dc_error("%s", err);
		return DC_EXIT_FATAL;
	}
	if (!quiet)
		print_summary(&s);
	gen_summary_free(&s);
	return DC_EXIT_OK;
}
