// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `diff`: replay a recording made before a kernel change (A) and one made
 * after it (B), compare them, and exit 4 when B is worse.
 */
#include <stdio.h>
#include "commands.h"
#include "diff_out.h"
#include "recording_out.h"
#include "replay.h"

struct diff_opts {
	struct ia_cli cli;
	struct ia_diff_opts d;
};

static const struct ia_opt diff_opts[] = {
	IA_OPT_JSON(struct diff_opts),
	{ .name = "rules", .kind = IA_OPT_RULES,
	  .offset = IA_OPT_AT(unsigned int, struct diff_opts, d.rules),
	  .arg = "RULES", .help = "compare only these rules (comma-separated; default: all)" },
	{ .name = "max-new-findings", .kind = IA_OPT_COUNT,
	  .offset = IA_OPT_AT(__u64, struct diff_opts, d.max_new),
	  .arg = "N", .help = "B may have up to N more findings than A, summed over the\n"
	  "compared rules (default 0); exit 4 when it has more" },
	{ .name = "max-latency-ratio", .kind = IA_OPT_RATIO,
	  .offset = IA_OPT_AT(double, struct diff_opts, d.max_ratio),
	  .arg = "R", .help = "exit 4 when a map/unmap operation or an iommufd command with\n"
	  "at least 100 calls in both got slower by more than R times\n"
	  "in mean or p99 (p99 comes from log2 buckets: steps of 2)" },
	{ 0 },
};

static int open_both(bool json, char *const path[2], struct ia_replay rp[2])
{
	char msg[256];

	for (int i = 0; i < 2; i++) {
		if (ia_replay_open(&rp[i], path[i], msg, sizeof(msg))) {
			ia_error(json, "%s: %s", path[i], msg);
			if (i)
				ia_replay_close(&rp[0]);
			return -1;
		}
	}
	return 0;
}

static void print_diff(const struct diff_opts *o, const struct ia_replay rp[2], const struct ia_diff *d)
{
	struct ia_json j;

	if (!o->cli.json) {
		ia_diff_print_text(stdout, o->cli.args, rp, d, &o->d);
		return;
	}
	ia_json_init(&j, stdout);
	ia_diff_print_json(&j, o->cli.args, rp, d, &o->d);
}

static int run_diff(const struct ia_invocation *inv)
{
	struct diff_opts o = { 0 };
	enum ia_parse p = ia_cli_parse(inv, &o, &o.cli);
	struct ia_replay rp[2];
	struct ia_diff d;
	int rc = 0;

	if (p != IA_PARSE_RUN)
		return ia_cli_exit(p);
	if (open_both(o.cli.json, o.cli.args, rp))
		return IA_EXIT_FAILURE;
	for (int i = 0; i < 2; i++)
		ia_replay_run(&rp[i], NULL, NULL);
	if (ia_diff_compute(&d, &rp[0], &rp[1], &o.d)) {
		ia_error(o.cli.json, "out of memory");
		rc = IA_EXIT_FAILURE;
	} else {
		print_diff(&o, rp, &d);
		fflush(stdout);
		rc = d.worse ? IA_EXIT_WORSE : 0;
	}
	/* a damaged recording proves nothing either way */
	for (int i = 0; i < 2; i++)
		if (ia_recording_damaged(o.cli.json, o.cli.args[i], &rp[i].status, ""))
			rc = IA_EXIT_FAILURE;
	ia_diff_free(&d);
	ia_replay_close(&rp[0]);
	ia_replay_close(&rp[1]);
	return rc;
}

const struct ia_command ia_cmd_diff = {
	.name = "diff",
	.synopsis = "A B [options]",
	.summary = "compare recording B (after a kernel change) with A (before)",
	.details = "Compares findings per rule, errnos per hook, soft-failure retries, and map/unmap and\n"
		   "ioctl latency percentiles with ratios.\n",
	.opts = diff_opts,
	.min_args = 2,
	.max_args = 2,
	.args_what = "two recordings, before and after",
	.run = run_diff,
};
