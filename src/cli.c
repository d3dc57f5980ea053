// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The command-line parser every command uses, its help writer and the
 * error lines. Reads the command tables only: no BPF, no /sys.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "findings.h"
#include "json.h"

#define MAX_OPTS 32
#define HELP_COL 25

/* "iommu-audit: msg", or "iommu-audit CMD: msg" for a command's usage error. */
static void vreport(bool json, const char *cmd, const char *fmt, va_list ap)
{
	char msg[512];
	int n = cmd && json ? snprintf(msg, sizeof(msg), "%s: ", cmd) : 0;

	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	if (json) {
		struct ia_json j;

		ia_json_init(&j, stderr);
		ia_json_obj_begin(&j);
		ia_json_kstr(&j, "type", "error");
		ia_json_kint(&j, "schema", 1);
		ia_json_kstr(&j, "message", msg);
		ia_json_obj_end(&j);
		return;
	}
	fprintf(stderr, IA_PROG "%s%s: %s\n", cmd ? " " : "", cmd ? cmd : "", msg);
}

void ia_error(bool json, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(json, NULL, fmt, ap);
	va_end(ap);
}

void ia_usage_error(bool json, const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(json, cmd, fmt, ap);
	va_end(ap);
}

const char *ia_sysfs_root_env(void)
{
	const char *root = getenv("IOMMU_AUDIT_SYSFS_ROOT");

	return root ? root : "";
}

int ia_cli_exit(enum ia_parse p)
{
	return p == IA_PARSE_HELP ? 0 : IA_EXIT_USAGE;
}

/* ---- values ---- */

static int parse_seconds(const char *s, double min, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v <= 0 || v < min || v > 31536000.0)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_count(const char *s, unsigned long long *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *s < '0' || *s > '9' || *end || v > 1000000000ull)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_ringbuf(const char *s, size_t *out)
{
	char *end;
	unsigned long kb;

	errno = 0;
	kb = strtoul(s, &end, 10);
	if (errno || end == s || *end || kb < 4 || kb > (1ul << 20) || (kb & (kb - 1)))
		return -EINVAL;
	*out = kb * 1024;
	return 0;
}

/* "bind-refused,soft-failure" or "all" -> a bit per rule. */
static int parse_rules(const char *s, unsigned int *mask)
{
	char buf[256], *tok, *save = NULL;

	if (!strcmp(s, "all")) {
		*mask = ~0u;
		return 0;
	}
	if (strlen(s) >= sizeof(buf) || !*s)
		return -EINVAL;
	strcpy(buf, s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		enum ia_rule r = ia_rule_by_name(tok);

		if (r == IA_RULE_NONE)
			return -EINVAL;
		*mask |= 1u << r;
	}
	return *mask ? 0 : -EINVAL;
}

static int parse_ratio(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < 1.0 || v > 1e6)
		return -EINVAL;
	*out = v;
	return 0;
}

/* What a bad value of this option should have been, for the error line. */
static void value_wanted(const struct ia_opt *d, char *buf, size_t len)
{
	switch (d->kind) {
	case IA_OPT_SECONDS:
		if (d->min > 0)
			snprintf(buf, len, "seconds, at least %g", d->min);
		else
			snprintf(buf, len, "a positive number of seconds");
		return;
	case IA_OPT_COUNT: snprintf(buf, len, "a count from 0 to 1000000000"); return;
	case IA_OPT_RINGBUF: snprintf(buf, len, "a power of two from 4 to 1048576"); return;
	case IA_OPT_RULES:
		snprintf(buf, len, "rule names separated by commas (see '" IA_PROG " help'), or 'all'");
		return;
	case IA_OPT_RATIO: snprintf(buf, len, "a number from 1 to 1000000"); return;
	default: snprintf(buf, len, "a non-empty %s", d->arg ? d->arg : "value"); return;
	}
}

/* Store one option's value in the command's options struct. */
static int set_value(const struct ia_opt *d, void *opts, const char *val)
{
	void *at = (char *)opts + d->offset;

	switch (d->kind) {
	case IA_OPT_FLAG: *(bool *)at = true; return 0;
	case IA_OPT_STRING:
		if (!*val)
			return -EINVAL;
		*(const char **)at = val;
		return 0;
	case IA_OPT_SECONDS: return parse_seconds(val, d->min, at);
	case IA_OPT_COUNT: return parse_count(val, at);
	case IA_OPT_RINGBUF: return parse_ringbuf(val, at);
	case IA_OPT_RULES: return parse_rules(val, at);
	case IA_OPT_RATIO: return parse_ratio(val, at);
	}
	return -EINVAL;
}

/* ---- options of other commands ---- */

static const struct ia_opt *find_opt(const struct ia_opt *opts, const char *name, char short_name)
{
	for (const struct ia_opt *d = opts; d->name; d++)
		if ((name && !strcmp(d->name, name)) || (short_name && d->short_name == short_name))
			return d;
	return NULL;
}

/* "watch, record and serve": the commands that have the option, or "" for none. */
static void owners(const struct ia_invocation *inv, const char *name, char short_name, char *buf,
		   size_t len)
{
	const struct ia_command *found[16];
	size_t n = 0, used = 0;

	buf[0] = '\0';
	for (const struct ia_command *const *c = inv->table; *c && n < 16; c++)
		if (*c != inv->cmd && find_opt((*c)->opts, name, short_name))
			found[n++] = *c;
	for (size_t i = 0; i < n && used < len; i++) {
		const char *sep = !i ? "" : i + 1 == n ? " and " : ", ";
		int w = snprintf(buf + used, len - used, "%s%s", sep, found[i]->name);

		if (w < 0)
			break;
		used += (size_t)w;
	}
}

/* An option this command does not have: another command's, or no command's. */
static void refuse_option(const struct ia_invocation *inv, bool json, const char *text)
{
	char name[64] = "", who[128];
	char short_name = 0;

	if (!strncmp(text, "--", 2)) {
		snprintf(name, sizeof(name), "%s", text + 2);
		name[strcspn(name, "=")] = '\0';
	} else if (text[0] == '-' && text[1]) {
		short_name = text[1];
	}
	if (find_opt(inv->cmd->opts, name[0] ? name : NULL, short_name)) {
		ia_usage_error(json, inv->cmd->name, "option '%s%s' takes no value", name[0] ? "--" : "-",
			       name[0] ? name : (char[]){ short_name, 0 });
		return;
	}
	owners(inv, name[0] ? name : NULL, short_name, who, sizeof(who));
	if (who[0])
		ia_usage_error(json, inv->cmd->name, "%s is an option of %s, not of %s", text, who,
			       inv->cmd->name);
	else
		ia_usage_error(json, inv->cmd->name, "unknown option '%s' (try '" IA_PROG " %s --help')", text,
			       inv->cmd->name);
}

/* ---- parsing ---- */

/* --json anywhere on the line makes every error JSON, the parser's included. */
static bool wants_json(const struct ia_invocation *inv)
{
	if (!find_opt(inv->cmd->opts, "json", 0))
		return false;
	for (int i = 1; i < inv->argc && strcmp(inv->argv[i], "--"); i++)
		if (!strcmp(inv->argv[i], "--json") || !strcmp(inv->argv[i], "-j"))
			return true;
	return false;
}

/* getopt_long's tables from the command's: long options carry their index. */
static size_t getopt_tables(const struct ia_opt *opts, struct option *lo, char *so)
{
	size_t n = 0, s = 0;

	so[s++] = ':';
	so[s++] = 'h';
	for (const struct ia_opt *d = opts; d->name && n < MAX_OPTS; d++, n++) {
		bool arg = d->kind != IA_OPT_FLAG;

		lo[n] = (struct option){ .name = d->name, .has_arg = arg ? required_argument : no_argument,
					 .val = 256 + (int)n };
		if (d->short_name) {
			so[s++] = d->short_name;
			if (arg)
				so[s++] = ':';
		}
	}
	lo[n++] = (struct option){ .name = "help", .has_arg = no_argument, .val = 'h' };
	lo[n] = (struct option){ 0 };
	so[s] = '\0';
	return n;
}

static const struct ia_opt *opt_of(const struct ia_opt *opts, int c)
{
	if (c >= 256)
		return &opts[c - 256];
	return find_opt(opts, NULL, (char)c);
}

static enum ia_parse check_args(const struct ia_invocation *inv, bool json, const struct ia_cli *cli)
{
	const struct ia_command *c = inv->cmd;

	if (cli->nargs >= c->min_args && cli->nargs <= c->max_args)
		return IA_PARSE_RUN;
	if (!c->max_args)
		ia_usage_error(json, c->name, "unexpected argument '%s'", cli->args[0]);
	else
		ia_usage_error(json, c->name, "wants %s, not %d argument%s (try '" IA_PROG " %s --help')",
			       c->args_what, cli->nargs, cli->nargs == 1 ? "" : "s", c->name);
	return IA_PARSE_USAGE;
}

enum ia_parse ia_cli_parse(const struct ia_invocation *inv, void *opts, struct ia_cli *cli)
{
	struct option lo[MAX_OPTS + 2];
	char so[2 + 2 * MAX_OPTS + 1], wanted[96];
	const struct ia_command *c = inv->cmd;
	bool json = wants_json(inv);
	int ch;

	getopt_tables(c->opts, lo, so);
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(inv->argc, inv->argv, so, lo, NULL)) != -1) {
		const struct ia_opt *d;

		if (ch == 'h') {
			ia_cli_help(stdout, c);
			return IA_PARSE_HELP;
		}
		if (ch == ':') {
			ia_usage_error(json, c->name, "option '%s' needs a value", inv->argv[optind - 1]);
			return IA_PARSE_USAGE;
		}
		d = ch == '?' ? NULL : opt_of(c->opts, ch);
		if (!d) {
			char text[64];

			if (optopt > 0 && optopt < 256 && optopt != '?')
				snprintf(text, sizeof(text), "-%c", optopt);
			else
				snprintf(text, sizeof(text), "%s", inv->argv[optind - 1]);
			refuse_option(inv, json, text);
			return IA_PARSE_USAGE;
		}
		if (set_value(d, opts, optarg)) {
			value_wanted(d, wanted, sizeof(wanted));
			ia_usage_error(json, c->name, "--%s wants %s, not '%s'", d->name, wanted, optarg);
			return IA_PARSE_USAGE;
		}
	}
	cli->args = inv->argv + optind;
	cli->nargs = inv->argc - optind;
	return check_args(inv, json, cli);
}

/* ---- help ---- */

static void help_opt(FILE *out, const struct ia_opt *d)
{
	char left[64];
	const char *h = d->help;
	int n;

	if (d->short_name)
		n = snprintf(left, sizeof(left), "  -%c, --%s", d->short_name, d->name);
	else
		n = snprintf(left, sizeof(left), "      --%s", d->name);
	if (d->arg && n > 0 && (size_t)n < sizeof(left))
		snprintf(left + n, sizeof(left) - (size_t)n, " %s", d->arg);
	fputs(left, out);
	if (strlen(left) + 1 > HELP_COL)
		fprintf(out, "\n%*s", HELP_COL, "");
	else
		fprintf(out, "%*s", HELP_COL - (int)strlen(left), "");
	for (; *h; h++) {
		fputc(*h, out);
		if (*h == '\n' && h[1])
			fprintf(out, "%*s", HELP_COL, "");
	}
	fputc('\n', out);
}

void ia_cli_help(FILE *out, const struct ia_command *c)
{
	static const struct ia_opt help = { .name = "help", .short_name = 'h', .kind = IA_OPT_FLAG,
					    .help = "this help" };

	fprintf(out, "usage: " IA_PROG " %s %s\n%s\n\noptions:\n", c->name, c->synopsis, c->summary);
	for (const struct ia_opt *d = c->opts; d->name; d++)
		help_opt(out, d);
	help_opt(out, &help);
	if (c->details)
		fprintf(out, "\n%s", c->details);
}

void ia_cli_help_all(FILE *out, const struct ia_command *const *table)
{
	fputs("usage: " IA_PROG " <command> [options]\n\ncommands:\n", out);
	for (const struct ia_command *const *c = table; *c; c++)
		fprintf(out, "  %-10s %s\n", (*c)->name, (*c)->summary);
	fputs("\n'" IA_PROG " <command> --help' or '" IA_PROG " help <command>' shows a command's options.\n"
	      "Exit status: 0 ok, 1 run-time failure, 2 usage error, 3 a --fail-on finding occurred,\n"
	      "4 diff: the second recording is worse.\n",
	      out);
}
