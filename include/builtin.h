/*
 * builtin.h - the subcommands.  Each lives in src/cmd_<name>.c, takes the
 * arguments after its name (argv[0] is the name), and returns an exit code
 * from enum dc_exit.
 */
#ifndef DC_BUILTIN_H
#define DC_BUILTIN_H

int cmd_gen(int argc, char **argv);
int cmd_load(int argc, char **argv);

#endif
