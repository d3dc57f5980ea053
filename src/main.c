// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* iommu-audit: the command table and dispatch; each command parses its own options. */
#include <string.h>
#include "cli.h"
#include "commands.h"

static int run_help(const struct ia_invocation *inv);

static const struct ia_opt no_opts[] = { { 0 } };

static const struct ia_command help_cmd = {
	.name = "help",
	.synopsis = "[COMMAND]",
	.summary = "the commands, or one command's options",
	.opts = no_opts,
	.max_args = 1,
	.args_what = "at most one command",
	.run = run_help,
};

static const struct ia_command *const commands[] = {
	&ia_cmd_snapshot, &ia_cmd_plan, &ia_cmd_watch, &ia_cmd_record, &ia_cmd_serve,
	&ia_cmd_probe,	  &ia_cmd_report, &ia_cmd_diff,	 &help_cmd,	NULL,
};

static const struct ia_command *command(const char *name)
{
	for (const struct ia_command *const *c = commands; *c; c++)
		if (!strcmp((*c)->name, name))
			return *c;
	return NULL;
}

static int run_help(const struct ia_invocation *inv)
{
	struct ia_cli cli = { 0 };
	enum ia_parse p = ia_cli_parse(inv, &cli, &cli);
	const struct ia_command *c;

	if (p != IA_PARSE_RUN)
		return ia_cli_exit(p);
	if (!cli.nargs) {
		ia_cli_help_all(stdout, commands);
		return 0;
	}
	c = command(cli.args[0]);
	if (!c) {
		ia_usage_error(false, "help", "unknown command '%s'", cli.args[0]);
		return IA_EXIT_USAGE;
	}
	ia_cli_help(stdout, c);
	return 0;
}

int main(int argc, char **argv)
{
	struct ia_invocation inv = { .table = commands, .argc = argc - 1, .argv = argv + 1 };

	if (argc < 2) {
		ia_error(false, "no command given (try '" IA_PROG " help')");
		return IA_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		ia_cli_help_all(stdout, commands);
		return 0;
	}
	inv.cmd = command(argv[1]);
	if (!inv.cmd) {
		ia_error(false, "unknown command '%s' (try '" IA_PROG " help')", argv[1]);
		return IA_EXIT_USAGE;
	}
	return inv.cmd->run(&inv);
}
