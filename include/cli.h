/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The command line. main.c holds the command table; each cmd_*.c defines
 * one command: its option table, its help and its run function (bpftool's
 * commands[] and do_*() are the model). One parser reads any command's
 * table, so an option of another command is refused by name, and help is
 * written from the same tables it parses.
 */
#ifndef IA_CLI_H
#define IA_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define IA_PROG "iommu-audit"

/* Exit statuses: 0 ok, 1 run-time failure, 2 usage, 3 a --fail-on finding occurred, 4 diff: worse. */
#define IA_EXIT_FAILURE 1
#define IA_EXIT_USAGE 2
#define IA_EXIT_FINDINGS 3
#define IA_EXIT_WORSE 4

enum ia_opt_kind {
	IA_OPT_FLAG,	/* bool: set when given */
	IA_OPT_STRING,	/* const char *: a non-empty value */
	IA_OPT_SECONDS, /* double: seconds, at least .min, at most a year */
	IA_OPT_COUNT,	/* unsigned long long: 0 to 1e9 */
	IA_OPT_RINGBUF, /* size_t: bytes, given as a power of two KiB from 4 to 1048576 */
	IA_OPT_RULES,	/* unsigned int: a bit per enum ia_rule, "a,b" or "all" */
	IA_OPT_RATIO,	/* double: 1 to 1e6 */
};

/* One option of one command. */
struct ia_opt {
	const char *name; /* long name without "--" */
	char short_name;  /* 0: none */
	enum ia_opt_kind kind;
	size_t offset;	  /* of its value in the command's options struct */
	const char *arg;  /* the value's name in help ("S", "FILE"); NULL for flags */
	const char *help; /* may hold '\n' for more lines */
	double min;	  /* IA_OPT_SECONDS: the smallest value accepted */
};

/*
 * The value at offset in a command's options struct, checked at compile
 * time to have the type the option kind writes.
 */
#define IA_OPT_AT(type, st, field) \
	(offsetof(st, field) + 0 * sizeof(char[_Generic(((st *)0)->field, type: 1, default: -1)]))

/* What every command's options struct starts with (options shared by meaning). */
struct ia_cli {
	bool json;	/* --json: JSON Lines, errors included */
	bool verbose;	/* -v */
	char **args;	/* positional arguments */
	int nargs;
};

/* The shared options, for a command's table. */
#define IA_OPT_JSON(st) \
	{ .name = "json", .short_name = 'j', .kind = IA_OPT_FLAG, \
	  .offset = IA_OPT_AT(bool, st, cli.json), .help = "JSON Lines instead of text" }
#define IA_OPT_VERBOSE(st, text) \
	{ .name = "verbose", .short_name = 'v', .kind = IA_OPT_FLAG, \
	  .offset = IA_OPT_AT(bool, st, cli.verbose), .help = text }

struct ia_invocation;

struct ia_command {
	const char *name;
	const char *synopsis; /* after the name: "FILE [options]" */
	const char *summary;  /* one line */
	const char *details;  /* after the options in --help; may be NULL */
	const struct ia_opt *opts; /* ends with { 0 } */
	int min_args, max_args;
	const char *args_what; /* "one recording": said when the count is wrong */
	/* Parses its own options (ia_cli_parse) and returns the exit status. */
	int (*run)(const struct ia_invocation *inv);
};

/* What main() hands a command: itself, every command, and its arguments. */
struct ia_invocation {
	const struct ia_command *cmd;
	const struct ia_command *const *table; /* NULL-terminated */
	int argc;    /* argv[0] is the command's name */
	char **argv;
};

enum ia_parse {
	IA_PARSE_RUN = 0,  /* options and arguments valid: run the command */
	IA_PARSE_HELP = 1, /* --help: printed on stdout; exit 0 */
	IA_PARSE_USAGE = 2 /* a usage error: one line printed; exit IA_EXIT_USAGE */
};

/*
 * Parse inv's arguments against its command's table into opts (whose
 * struct ia_cli is at *cli). An option that belongs to another command, an
 * unknown one, a bad value or a wrong number of arguments is one line on
 * stderr (JSON with --json anywhere on the line) naming the command.
 */
enum ia_parse ia_cli_parse(const struct ia_invocation *inv, void *opts, struct ia_cli *cli);
/* The exit status for a parse result other than IA_PARSE_RUN. */
int ia_cli_exit(enum ia_parse p);

/* A command's help: synopsis, options, details. */
void ia_cli_help(FILE *out, const struct ia_command *c);
/* Every command's help, and how to ask for one. */
void ia_cli_help_all(FILE *out, const struct ia_command *const *table);

/* The sysfs tree commands read: "" (the live one), or $IOMMU_AUDIT_SYSFS_ROOT (tests). */
const char *ia_sysfs_root_env(void);

/* One-line error on stderr, prefixed with the program name; a JSON error object when json. */
void ia_error(bool json, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A usage error of a command: "iommu-audit CMD: ..." (JSON when json). */
void ia_usage_error(bool json, const char *cmd, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif /* IA_CLI_H */
