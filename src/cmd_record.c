// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `record`: what watch traces, into a recording for report and diff. */
#include "commands.h"
#include "live_opts.h"

struct record_opts {
	struct ia_cli cli;
	struct ia_live_opts live;
};

static const struct ia_opt record_opts[] = {
	{ .name = "output", .short_name = 'o', .kind = IA_OPT_STRING,
	  .offset = IA_OPT_AT(const char *, struct record_opts, live.output),
	  .arg = "FILE", .help = "the recording to write (required)" },
	IA_OPT_JSON(struct record_opts),
	IA_OPT_VERBOSE(struct record_opts, "show how each probe attached, or why it could not"),
	IA_LIVE_OPT_DURATION(struct record_opts),
	IA_LIVE_OPT_KPROBES(struct record_opts),
	IA_LIVE_OPT_RINGBUF(struct record_opts),
	IA_LIVE_OPT_TRACE_IOCTLS(struct record_opts),
	IA_LIVE_OPT_TRACE_MAPS(struct record_opts),
	IA_LIVE_OPT_FAIL_ON(struct record_opts),
	IA_LIVE_OPT_NO_LATE_ATTACH(struct record_opts),
	IA_LIVE_OPT_MODULE_FENTRY(struct record_opts),
	{ 0 },
};

static int run_record(const struct ia_invocation *inv)
{
	struct record_opts o = { .live = { .ringbuf_bytes = IA_LIVE_RINGBUF_DEFAULT } };
	enum ia_parse p = ia_cli_parse(inv, &o, &o.cli);

	if (p != IA_PARSE_RUN)
		return ia_cli_exit(p);
	if (!o.live.output) {
		ia_usage_error(o.cli.json, "record", "-o FILE is required: the recording to write");
		return IA_EXIT_USAGE;
	}
	ia_live_from_cli(&o.live, &o.cli);
	return ia_live_run(&o.live);
}

const struct ia_command ia_cmd_record = {
	.name = "record",
	.synopsis = "-o FILE [options]",
	.summary = "what watch traces, into a recording for report and diff",
	.details = "Ctrl-C or SIGTERM (or --duration) ends it with a valid file; frames are flushed every\n"
		   "second, so a crash loses at most the last one.\n",
	.opts = record_opts,
	.run = run_record,
};
