// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `probe`: which probes this kernel allows, and how (nothing stays loaded). */
#include <string.h>
#include "caps.h"
#include "commands.h"
#include "json.h"
#include "ksyms.h"
#include "loader.h"
#include "probe_out.h"

struct probe_opts {
	struct ia_cli cli;
	bool force_kprobes;
	bool trace_ioctls;
};

static const struct ia_opt probe_opts[] = {
	IA_OPT_JSON(struct probe_opts),
	IA_OPT_VERBOSE(struct probe_opts, "libbpf's own messages too"),
	{ .name = "kprobes", .short_name = 'k', .kind = IA_OPT_FLAG,
	  .offset = IA_OPT_AT(bool, struct probe_opts, force_kprobes),
	  .help = "use kprobes/kretprobes even where fentry/fexit load" },
	{ .name = "trace-ioctls", .kind = IA_OPT_FLAG,
	  .offset = IA_OPT_AT(bool, struct probe_opts, trace_ioctls),
	  .help = "also the opt-in IOAS map/unmap hooks" },
	{ 0 },
};

static int run_probe(const struct ia_invocation *inv)
{
	struct probe_opts o = { 0 };
	enum ia_parse p = ia_cli_parse(inv, &o, &o.cli);
	struct ia_loader_opts lo = { .ringbuf_bytes = 4096 };
	struct ia_trace_info info = { 0 };
	struct ia_ksyms ks;
	struct ia_loader l;
	struct ia_json j;
	char msg[256];
	int err;

	if (p != IA_PARSE_RUN)
		return ia_cli_exit(p);
	err = ia_caps_missing(msg, sizeof(msg));
	if (!err && msg[0]) {
		ia_error(o.cli.json, "no permission to trace: missing %s (run as root, or grant %s)", msg,
			 strchr(msg, ',') ? "them" : "it");
		return IA_EXIT_FAILURE;
	}
	err = ia_ksyms_load(&ks, "/proc/kallsyms");
	if (err) {
		ia_error(o.cli.json, "cannot read /proc/kallsyms: %s", strerror(-err));
		return IA_EXIT_FAILURE;
	}
	lo.ksyms = &ks;
	lo.force_kprobes = o.force_kprobes;
	lo.verbose = o.cli.verbose;
	lo.trace_ioctls = o.trace_ioctls;
	err = ia_loader_start(&l, &lo, msg, sizeof(msg));
	ia_trace_info_probes(&info, l.st, &l.feat);
	if (o.cli.json) {
		ia_json_init(&j, stdout);
		ia_probes_print_json(&j, &info);
	} else {
		ia_probes_print_text(stdout, &info);
	}
	if (err)
		ia_error(o.cli.json, "%s", msg);
	ia_loader_stop(&l);
	ia_ksyms_free(&ks);
	return err ? IA_EXIT_FAILURE : 0;
}

const struct ia_command ia_cmd_probe = {
	.name = "probe",
	.synopsis = "[options]",
	.summary = "which probes this kernel allows, and how (loads nothing lasting)",
	.opts = probe_opts,
	.run = run_probe,
};
