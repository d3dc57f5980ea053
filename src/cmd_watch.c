// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `watch`: trace live, print each record and finding, then the final state. */
#include "commands.h"
#include "live_opts.h"

struct watch_opts {
	struct ia_cli cli;
	struct ia_live_opts live;
};

static const struct ia_opt watch_opts[] = {
	IA_OPT_JSON(struct watch_opts),
	IA_OPT_VERBOSE(struct watch_opts, "show how each probe attached, or why it could not"),
	IA_LIVE_OPT_DURATION(struct watch_opts),
	IA_LIVE_OPT_KPROBES(struct watch_opts),
	IA_LIVE_OPT_RINGBUF(struct watch_opts),
	{ .name = "interval", .kind = IA_OPT_SECONDS,
	  .offset = IA_OPT_AT(double, struct watch_opts, live.interval),
	  .arg = "S", .help = "every S seconds, the map/unmap and ioctl latency of that interval", .min = 0.1 },
	IA_LIVE_OPT_TRACE_IOCTLS(struct watch_opts),
	IA_LIVE_OPT_TRACE_MAPS(struct watch_opts),
	IA_LIVE_OPT_FAIL_ON(struct watch_opts),
	IA_LIVE_OPT_NO_LATE_ATTACH(struct watch_opts),
	IA_LIVE_OPT_MODULE_FENTRY(struct watch_opts),
	{ 0 },
};

static int run_watch(const struct ia_invocation *inv)
{
	struct watch_opts o = { .live = { .ringbuf_bytes = IA_LIVE_RINGBUF_DEFAULT } };
	enum ia_parse p = ia_cli_parse(inv, &o, &o.cli);

	if (p != IA_PARSE_RUN)
		return ia_cli_exit(p);
	ia_live_from_cli(&o.live, &o.cli);
	return ia_live_run(&o.live);
}

const struct ia_command ia_cmd_watch = {
	.name = "watch",
	.synopsis = "[options]",
	.summary = "trace ownership changes live (BPF), then report the final state",
	.details = "Runs until Ctrl-C or SIGTERM (or --duration), then prints the engine's final state,\n"
		   "the findings, the map/unmap and ioctl latency and a summary.\n",
	.opts = watch_opts,
	.run = run_watch,
};
