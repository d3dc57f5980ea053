// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `report`: replay a recording through the engine and print what `watch`
 * printed at exit (or, with --prometheus, the final metrics).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "commands.h"
#include "event_out.h"
#include "prom_out.h"
#include "recording_out.h"
#include "replay.h"
#include "report_out.h"

struct report_opts {
	struct ia_cli cli;
	unsigned int fail_on;
	bool prometheus;
};

static const struct ia_opt report_opts[] = {
	IA_OPT_JSON(struct report_opts),
	IA_OPT_VERBOSE(struct report_opts, "also every record, as watch printed it"),
	{ .name = "fail-on", .kind = IA_OPT_RULES,
	  .offset = IA_OPT_AT(unsigned int, struct report_opts, fail_on),
	  .arg = "RULES", .help = "exit 3 when a finding of these rules occurred (as for watch)" },
	{ .name = "prometheus", .kind = IA_OPT_FLAG,
	  .offset = IA_OPT_AT(bool, struct report_opts, prometheus),
	  .help = "the final metrics as serve gives them, instead of the report" },
	{ 0 },
};

struct report_ctx {
	const struct report_opts *o;
	struct ia_replay rp;
	struct ia_json json;
	size_t reported; /* findings printed so far */
	__u64 ts_base;
};

/* -v: every record as `watch` printed it; findings as they are raised (always in JSON). */
static void on_record(void *arg, const struct ia_decoded *d)
{
	struct report_ctx *c = arg;
	bool json = c->o->cli.json;

	if (c->o->cli.verbose) {
		if (!c->ts_base)
			c->ts_base = d->ev->ts_ns;
		if (json)
			ia_event_print_json(&c->json, d);
		else
			ia_event_print_text(stdout, d, c->ts_base);
	}
	if (json || c->o->cli.verbose)
		ia_report_new_findings(&c->rp.engine, &c->reported, stdout, json ? &c->json : NULL);
}

/* Exit status: 1 for a damaged recording (after its report), else --fail-on's verdict. */
static int exit_status(const struct report_ctx *c, const char *path, bool failed)
{
	bool json = c->o->cli.json;

	if (ia_recording_damaged(json, path, &c->rp.status, "") || failed)
		return IA_EXIT_FAILURE;
	return ia_engine_found(&c->rp.engine, c->o->fail_on) ? IA_EXIT_FINDINGS : 0;
}

static void print_report(struct report_ctx *c, const char *path)
{
	struct ia_run_counts rc;

	ia_replay_counts(&c->rp, &rc);
	if (c->o->cli.json) {
		ia_report_new_findings(&c->rp.engine, &c->reported, stdout, &c->json);
		ia_report_print_json(&c->json, &c->rp.engine, &rc);
		ia_recording_print_status_json(&c->json, path, &c->rp.status);
		return;
	}
	if (c->o->cli.verbose)
		ia_report_new_findings(&c->rp.engine, &c->reported, stdout, NULL);
	ia_report_print_text(stdout, &c->rp.engine, &rc);
}

/* --prometheus: the final metrics once, as serve --replay gives them. */
static int report_prometheus(struct report_ctx *c, const char *path)
{
	struct ia_run_counts rc;
	struct ia_prom_src src;
	int err, status;

	ia_replay_run(&c->rp, NULL, NULL); /* a failure shows in the status */
	ia_replay_prom_src(&c->rp, &rc, &src);
	err = ia_prom_write(stdout, &src);
	if (fflush(stdout) && !err)
		err = -errno;
	if (err)
		ia_error(false, "writing the metrics failed: %s", strerror(-err));
	status = exit_status(c, path, err != 0);
	ia_replay_close(&c->rp);
	return status;
}

static int run_report(const struct ia_invocation *inv)
{
	struct report_opts o = { 0 };
	enum ia_parse p = ia_cli_parse(inv, &o, &o.cli);
	struct report_ctx c = { .o = &o };
	const char *path;
	char msg[256];
	int rc;

	if (p != IA_PARSE_RUN)
		return ia_cli_exit(p);
	if (o.prometheus && o.cli.json) {
		ia_usage_error(true, "report", "--prometheus writes the metrics as text: not with --json");
		return IA_EXIT_USAGE;
	}
	path = o.cli.args[0];
	ia_json_init(&c.json, stdout);
	if (ia_replay_open(&c.rp, path, msg, sizeof(msg))) {
		ia_error(o.cli.json, "%s: %s", path, msg);
		return IA_EXIT_FAILURE;
	}
	if (o.prometheus)
		return report_prometheus(&c, path);
	if (o.cli.json)
		ia_recording_print_header_json(&c.json, path, &c.rp.info);
	else
		ia_recording_print_header_text(stdout, path, &c.rp.info);
	ia_replay_run(&c.rp, on_record, &c);
	print_report(&c, path);
	fflush(stdout);
	rc = exit_status(&c, path, false);
	ia_replay_close(&c.rp);
	return rc;
}

const struct ia_command ia_cmd_report = {
	.name = "report",
	.synopsis = "FILE [options]",
	.summary = "replay a recording: its header, then what watch printed at exit",
	.details = "Exit 1 (after the partial report) when the recording is truncated or corrupt.\n",
	.opts = report_opts,
	.min_args = 1,
	.max_args = 1,
	.args_what = "one recording",
	.run = run_report,
};
