/*
 * cmd_run.c - `dcstage run`: load, then export, in one command.
 */
#include "builtin.h"
#include "dcstage.h"

#include <stdio.h>

static const char usage_text[] =
	"usage: dcstage run [--db FILE] [--force] --url URL[,URL...] [export\n"
	"                   options] DIR|FILE...\n"
	"\n"
	"'dcstage load' then 'dcstage export': stage the dump (skipped when\n"
	"the files are unchanged), then send what the target index does not\n"
	"have yet.  Takes the options of both (see their --help).\n"
	"Exit code 0: clean; 3: input rows or values rejected; 4: documents\n"
	"refused by the server (4 wins over 3); 1: fatal.\n";

int cmd_run(int argc, char **argv)
{
	export_cli cli;
	load_options lo = { 0 };
	load_summary ls;
	export_summary es;
	char err[DC_ERR_MAX];
	int rc = DC_EXIT_OK;

	export_cli_init(&cli, usage_text);
	if (export_cli_parse(argc, argv, &cli, 1) != 0) {
		fputs("see 'dcstage run --help'\n", stderr);
		es_config_free(&cli.o.es);
		return DC_EXIT_USAGE;
	}
	lo.db_path = cli.o.db_path;
	lo.inputs = cli.inputs;
	lo.ninputs = cli.ninputs;
	lo.force = cli.force;
	lo.quiet = cli.o.quiet;
	if (load_run(&lo, &ls, err) != 0) {
		dc_error("load failed, staging file unchanged: %s", err);
		es_config_free(&cli.o.es);
		return DC_EXIT_FATAL;
	}
	load_print_summary(lo.db_path, &ls, cli.json);
	if (ls.rejects + ls.problems)
		rc = DC_EXIT_REJECTED;
	export_cli_catch_interrupts(&cli); /* the load is killed outright */
	if (es_global_init(err) != 0 || export_run(&cli.o, &es, err) != 0) {
		dc_error("export failed: %s", err);
		rc = DC_EXIT_FATAL;
	} else if (es.refused) {
		rc = DC_EXIT_REFUSED;
	}
	export_print_summary(&cli.o, &es, cli.json);
	es_global_cleanup();
	es_config_free(&cli.o.es);
	return rc;
}
