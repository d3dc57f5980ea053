// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The option parser on two small command tables: values, errors, help. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "findings.h"
#include "unit.h"

struct alpha_opts {
	struct ia_cli cli;
	double duration;
	double every;
	unsigned long long count;
	size_t ring;
	unsigned int rules;
	double ratio;
	const char *out;
	bool fast;
};

static const struct ia_opt alpha_table[] = {
	IA_OPT_JSON(struct alpha_opts),
	IA_OPT_VERBOSE(struct alpha_opts, "say more"),
	{ .name = "duration", .kind = IA_OPT_SECONDS, .offset = IA_OPT_AT(double, struct alpha_opts, duration),
	  .arg = "S", .help = "how long" },
	{ .name = "every", .kind = IA_OPT_SECONDS, .offset = IA_OPT_AT(double, struct alpha_opts, every),
	  .arg = "S", .help = "how often", .min = 0.1 },
	{ .name = "count", .kind = IA_OPT_COUNT, .offset = IA_OPT_AT(unsigned long long, struct alpha_opts, count),
	  .arg = "N", .help = "how many" },
	{ .name = "ring", .kind = IA_OPT_RINGBUF, .offset = IA_OPT_AT(size_t, struct alpha_opts, ring),
	  .arg = "N", .help = "KiB" },
	{ .name = "rules", .kind = IA_OPT_RULES, .offset = IA_OPT_AT(unsigned int, struct alpha_opts, rules),
	  .arg = "RULES", .help = "which" },
	{ .name = "ratio", .kind = IA_OPT_RATIO, .offset = IA_OPT_AT(double, struct alpha_opts, ratio),
	  .arg = "R", .help = "how much slower" },
	{ .name = "output", .short_name = 'o', .kind = IA_OPT_STRING,
	  .offset = IA_OPT_AT(const char *, struct alpha_opts, out), .arg = "FILE",
	  .help = "where to\nwrite it" },
	{ .name = "fast", .short_name = 'f', .kind = IA_OPT_FLAG, .offset = IA_OPT_AT(bool, struct alpha_opts, fast),
	  .help = "hurry" },
	{ 0 },
};

struct beta_opts {
	struct ia_cli cli;
	bool loud;
	bool quiet;
};

static const struct ia_opt beta_table[] = {
	{ .name = "loud", .short_name = 'L', .kind = IA_OPT_FLAG, .offset = IA_OPT_AT(bool, struct beta_opts, loud),
	  .help = "louder" },
	{ .name = "fast", .short_name = 'f', .kind = IA_OPT_FLAG, .offset = IA_OPT_AT(bool, struct beta_opts, quiet),
	  .help = "hurry too" },
	{ 0 },
};

static const struct ia_command alpha = { .name = "alpha", .synopsis = "FILE [options]", .summary = "first",
					 .details = "More about alpha.\n", .opts = alpha_table,
					 .min_args = 1, .max_args = 2, .args_what = "one or two files" };
static const struct ia_command beta = { .name = "beta", .synopsis = "[options]", .summary = "second",
					.opts = beta_table };
static const struct ia_command gamma_ = { .name = "gamma", .synopsis = "[options]", .summary = "third",
					  .opts = beta_table };
static const struct ia_command *const table[] = { &alpha, &beta, &gamma_, NULL };

/* Parse argv (a NULL-terminated list) as command c; what went to stderr and stdout lands in err, out. */
static enum ia_parse parse(const struct ia_command *c, void *opts, struct ia_cli *cli, char *err, char *out,
			   const char **words)
{
	char *argv[32];
	int argc = 0, saved[2], fds[2];
	FILE *tmp[2] = { tmpfile(), tmpfile() };
	char *bufs[2] = { err, out };
	enum ia_parse p;

	while (words[argc] && argc < 31) {
		argv[argc] = (char *)words[argc];
		argc++;
	}
	argv[argc] = NULL;
	fflush(stdout);
	fflush(stderr);
	for (int i = 0; i < 2; i++) {
		fds[i] = i ? STDOUT_FILENO : STDERR_FILENO;
		saved[i] = dup(fds[i]);
		dup2(fileno(tmp[i]), fds[i]);
	}
	p = ia_cli_parse(&(struct ia_invocation){ .cmd = c, .table = table, .argc = argc, .argv = argv }, opts, cli);
	fflush(stdout);
	fflush(stderr);
	for (int i = 0; i < 2; i++) {
		size_t n;

		dup2(saved[i], fds[i]);
		close(saved[i]);
		rewind(tmp[i]);
		n = fread(bufs[i], 1, 4095, tmp[i]);
		bufs[i][n] = '\0';
		fclose(tmp[i]);
	}
	return p;
}

#define PARSE(c, o, ...) parse(c, &(o), &(o).cli, err, out, (const char *[]){ (c)->name, __VA_ARGS__, NULL })

UNIT_TEST(cli_values_reach_their_fields)
{
	struct alpha_opts o = { 0 };
	char err[4096], out[4096];

	CHECK_INT(PARSE(&alpha, o, "in.trace", "--duration", "2.5", "--every=0.25", "--count", "7", "--ring", "64",
			"--rules", "bind-refused,viability", "--ratio", "1.5", "-o", "x", "-fv", "second", "--json"),
		  IA_PARSE_RUN);
	CHECK_STR(err, "");
	CHECK(o.duration == 2.5 && o.every == 0.25 && o.ratio == 1.5);
	CHECK_INT(o.count, 7);
	CHECK_INT(o.ring, 64 * 1024);
	CHECK_INT(o.rules, (1u << IA_RULE_BIND_REFUSED) | (1u << IA_RULE_VIABILITY));
	CHECK_STR(o.out, "x");
	CHECK(o.fast && o.cli.verbose && o.cli.json);
	CHECK_INT(o.cli.nargs, 2); /* options after arguments are options */
	CHECK_STR(o.cli.args[0], "in.trace");
	CHECK_STR(o.cli.args[1], "second");

	memset(&o, 0, sizeof(o));
	CHECK_INT(PARSE(&alpha, o, "--rules", "all", "--", "--fast"), IA_PARSE_RUN);
	CHECK_INT(o.rules, ~0u);
	CHECK(!o.fast); /* after "--", an argument */
	CHECK_STR(o.cli.args[0], "--fast");
}

UNIT_TEST(cli_bad_values_are_usage_errors)
{
	static const struct {
		const char *opt, *val, *msg;
	} bad[] = {
		{ "--duration", "0", "iommu-audit alpha: --duration wants a positive number of seconds, not '0'\n" },
		{ "--duration", "-1", "iommu-audit alpha: --duration wants a positive number of seconds, not '-1'\n" },
		{ "--duration", "1e9", "iommu-audit alpha: --duration wants a positive number of seconds, not '1e9'\n" },
		{ "--duration", "nan", "iommu-audit alpha: --duration wants a positive number of seconds, not 'nan'\n" },
		{ "--every", "0.05", "iommu-audit alpha: --every wants seconds, at least 0.1, not '0.05'\n" },
		{ "--count", "-1", "iommu-audit alpha: --count wants a count from 0 to 1000000000, not '-1'\n" },
		{ "--count", "1000000001", "iommu-audit alpha: --count wants a count from 0 to 1000000000, not '1000000001'\n" },
		{ "--ring", "3", "iommu-audit alpha: --ring wants a power of two from 4 to 1048576, not '3'\n" },
		{ "--ring", "2097152", "iommu-audit alpha: --ring wants a power of two from 4 to 1048576, not '2097152'\n" },
		{ "--rules", "bind-refused,nope",
		  "iommu-audit alpha: --rules wants rule names separated by commas (see 'iommu-audit help'), or 'all', not 'bind-refused,nope'\n" },
		{ "--rules", "", "iommu-audit alpha: --rules wants rule names separated by commas (see 'iommu-audit help'), or 'all', not ''\n" },
		{ "--ratio", "0.9", "iommu-audit alpha: --ratio wants a number from 1 to 1000000, not '0.9'\n" },
		{ "--output", "", "iommu-audit alpha: --output wants a non-empty FILE, not ''\n" },
	};
	char err[4096], out[4096];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct alpha_opts o = { 0 };

		CHECK_INT(PARSE(&alpha, o, "f", bad[i].opt, bad[i].val), IA_PARSE_USAGE);
		CHECK_STR(err, bad[i].msg);
		CHECK_STR(out, "");
	}
	CHECK_INT(ia_cli_exit(IA_PARSE_USAGE), IA_EXIT_USAGE);
	CHECK_INT(ia_cli_exit(IA_PARSE_HELP), 0);
}

UNIT_TEST(cli_options_of_other_commands_are_named)
{
	char err[4096], out[4096];
	struct alpha_opts a = { 0 };
	struct beta_opts b = { 0 };

	CHECK_INT(PARSE(&beta, b, "--count", "3"), IA_PARSE_USAGE);
	CHECK_STR(err, "iommu-audit beta: --count is an option of alpha, not of beta\n");
	CHECK_INT(PARSE(&beta, b, "-o", "x"), IA_PARSE_USAGE);
	CHECK_STR(err, "iommu-audit beta: -o is an option of alpha, not of beta\n");
	CHECK_INT(PARSE(&alpha, a, "f", "--loud"), IA_PARSE_USAGE);
	CHECK_STR(err, "iommu-audit alpha: --loud is an option of beta and gamma, not of alpha\n");
	CHECK_INT(PARSE(&alpha, a, "f", "-L"), IA_PARSE_USAGE);
	CHECK_STR(err, "iommu-audit alpha: -L is an option of beta and gamma, not of alpha\n");
	CHECK_INT(PARSE(&beta, b, "--json"), IA_PARSE_USAGE);
	CHECK_STR(err, "iommu-audit beta: --json is an option of alpha, not of beta\n");
	CHECK_INT(PARSE(&beta, b, "--nothing"), IA_PARSE_USAGE);
	CHECK_STR(err, "iommu-audit beta: unknown option '--nothing' (try 'iommu-audit beta --help')\n");
	CHECK_INT(PARSE(&beta, b, "-Lz"), IA_PARSE_USAGE);
	CHECK_STR(err, "iommu-audit beta: unknown option '-z' (try 'iommu-audit beta --help')\n");
	CHECK_INT(PARSE(&beta, b, "--loud=yes"), IA_PARSE_USAGE);
	CHECK_STR(err, "iommu-audit beta: option '--loud' takes no value\n");
	CHECK_INT(PARSE(&alpha, a, "f", "--count"), IA_PARSE_USAGE);
	CHECK_STR(err, "iommu-audit alpha: option '--count' needs a value\n");
	CHECK_STR(out, "");
}

UNIT_TEST(cli_json_anywhere_makes_errors_json)
{
	char err[4096], out[4096];
	struct alpha_opts a = { 0 };
	struct beta_opts b = { 0 };

	CHECK_INT(PARSE(&alpha, a, "f", "--loud", "--json"), IA_PARSE_USAGE);
	CHECK_STR(err, "{\"type\":\"error\",\"schema\":1,\"message\":\"alpha: --loud is an option of beta and gamma, "
		       "not of alpha\"}\n");
	/* a command without --json: its errors stay text */
	CHECK_INT(PARSE(&beta, b, "--json"), IA_PARSE_USAGE);
	CHECK(err[0] == 'i');
	/* after "--" it is an argument, not an option */
	CHECK_INT(PARSE(&alpha, a, "--loud", "--", "--json"), IA_PARSE_USAGE);
	CHECK(err[0] == 'i');
}

UNIT_TEST(cli_argument_counts)
{
	char err[4096], out[4096];
	struct alpha_opts a = { 0 };
	struct beta_opts b = { 0 };

	CHECK_INT(PARSE(&alpha, a, "-f"), IA_PARSE_USAGE);
	CHECK_STR(err, "iommu-audit alpha: wants one or two files, not 0 arguments (try 'iommu-audit alpha --help')\n");
	CHECK_INT(PARSE(&alpha, a, "1", "2", "3"), IA_PARSE_USAGE);
	CHECK_STR(err, "iommu-audit alpha: wants one or two files, not 3 arguments (try 'iommu-audit alpha --help')\n");
	CHECK_INT(PARSE(&beta, b, "extra"), IA_PARSE_USAGE);
	CHECK_STR(err, "iommu-audit beta: unexpected argument 'extra'\n");
}

UNIT_TEST(cli_help_is_the_table)
{
	char err[4096], out[4096];
	struct alpha_opts a = { 0 };
	FILE *f;
	char *all = NULL;
	size_t len = 0;

	CHECK_INT(PARSE(&alpha, a, "--help"), IA_PARSE_HELP);
	CHECK_STR(err, "");
	CHECK(strstr(out, "usage: iommu-audit alpha FILE [options]\nfirst\n\noptions:\n") == out);
	CHECK(strstr(out, "  -j, --json             JSON Lines instead of text\n"));
	CHECK(strstr(out, "      --every S          how often\n"));
	CHECK(strstr(out, "  -o, --output FILE      where to\n                         write it\n"));
	CHECK(strstr(out, "  -h, --help             this help\n\nMore about alpha.\n"));
	CHECK(!strstr(out, "--loud"));
	CHECK_INT(PARSE(&beta, (struct beta_opts){ 0 }, "-h"), IA_PARSE_HELP);

	f = open_memstream(&all, &len);
	ia_cli_help_all(f, table);
	fclose(f);
	CHECK(strstr(all, "  alpha      first\n  beta       second\n  gamma      third\n"));
	free(all);
}
