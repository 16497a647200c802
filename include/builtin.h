/*
 * builtin.h - the subcommands.  Each lives in src/cmd_<name>.c, takes the
 * arguments after its name (argv[0] is the name), and returns an exit code
 * from enum dc_exit.
 */
#ifndef DC_BUILTIN_H
#define DC_BUILTIN_H

#include "export.h"
#include "load.h"

int cmd_gen(int argc, char **argv);
int cmd_load(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_status(int argc, char **argv);

/* Shared by export and run (cmd_export.c): the export options, and for
 * run the dump folders and --force. */
typedef struct export_cli {
	export_options o;
	const char *usage;
	int json, force;
	char **inputs;
	int ninputs;
} export_cli;

void export_cli_init(export_cli *cli, const char *usage);
/* inputs: whether dump folders/files follow the options.  0 or -1 (an
 * error was printed). */
int export_cli_parse(int argc, char **argv, export_cli *cli, int inputs);
void export_print_summary(const export_options *o, const export_summary *s,
			  int json);
/* From here on, SIGINT or SIGTERM stops the export cleanly (in flight
 * batches settled, settings put back); a second one kills.  A signal the
 * process was started ignoring stays ignored. */
void export_cli_catch_interrupts(export_cli *cli);

/* Shared by load and run (cmd_load.c). */
void load_print_summary(const char *db_path, const load_summary *s, int json);

#endif
