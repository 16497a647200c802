/*
 * main.c - dcstage's entry point: finds the subcommand and runs it.
 */
#include "builtin.h"
#include "dcstage.h"

#include <stdio.h>
#include <string.h>

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "load", cmd_load, "stage the dump files into the SQLite staging file" },
	{ "export", cmd_export, "send the staged documents (or write them: --dry-run)" },
	{ "run", cmd_run, "load, then export" },
	{ "status", cmd_status, "what is staged, rejected, pending and refused" },
	{ "gen", cmd_gen, "write a deterministic synthetic dump" },
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *out)
{
	fprintf(out, "usage: dcstage <command> [options] [args]\n"
		     "       dcstage <command> --help\n"
		     "       dcstage --version\n\ncommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\nexit codes:\n"
		     "  %d  success\n"
		     "  %d  fatal error (the staging file is left as it was)\n"
		     "  %d  bad command line\n"
		     "  %d  done, but input rows or values were rejected\n"
		     "  %d  done, but the server refused some documents\n",
		DC_EXIT_OK, DC_EXIT_FATAL, DC_EXIT_USAGE, DC_EXIT_REJECTED,
		DC_EXIT_REFUSED);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return DC_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return DC_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("dcstage %s\n", DC_VERSION);
		return DC_EXIT_OK;
	}
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	dc_error("'%s' is not a command; see 'dcstage --help'", argv[1]);
	return DC_EXIT_USAGE;
}
