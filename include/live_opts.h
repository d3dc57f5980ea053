/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The options of a live session (struct ia_live_opts) as option-table
 * entries, for the commands that run one: watch, record, serve. Each
 * command lists the ones it takes; they mean the same in all three. st is
 * the command's options struct, with its struct ia_live_opts as `live`.
 */
#ifndef IA_LIVE_OPTS_H
#define IA_LIVE_OPTS_H

#include "cli.h"
#include "live.h"

/*
 * 32 MiB holds a burst of 2,200 iommufd contexts created and closed (125,400
 * records of 240 bytes with their ring headers) even if the consumer stalls
 * throughout; 1 MiB lost 48-57 % of it in two runs, 8 MiB 26 % (test kernel, TCG guest).
 */
#define IA_LIVE_RINGBUF_DEFAULT (32u << 20)

#define IA_LIVE_OPT_DURATION(st) \
	{ .name = "duration", .kind = IA_OPT_SECONDS, \
	  .offset = IA_OPT_AT(double, st, live.duration), \
	  .arg = "S", .help = "stop after S seconds (default: until Ctrl-C or SIGTERM)" }
#define IA_LIVE_OPT_KPROBES(st) \
	{ .name = "kprobes", .short_name = 'k', .kind = IA_OPT_FLAG, \
	  .offset = IA_OPT_AT(bool, st, live.force_kprobes), \
	  .help = "use kprobes/kretprobes even where fentry/fexit load" }
#define IA_LIVE_OPT_RINGBUF(st) \
	{ .name = "ringbuf-kb", .kind = IA_OPT_RINGBUF, \
	  .offset = IA_OPT_AT(size_t, st, live.ringbuf_bytes), \
	  .arg = "N", .help = "ring buffer size in KiB (power of two, default 32768)" }
#define IA_LIVE_OPT_TRACE_IOCTLS(st) \
	{ .name = "trace-ioctls", .kind = IA_OPT_FLAG, \
	  .offset = IA_OPT_AT(bool, st, live.trace_ioctls), \
	  .help = "a record per iommufd ioctl, IOAS_MAP/UNMAP/COPY and the IOAS\n" \
	  "map/unmap calls included (default: those are counted and timed\n" \
	  "in the kernel only)" }
#define IA_LIVE_OPT_TRACE_MAPS(st) \
	{ .name = "trace-maps", .kind = IA_OPT_FLAG, \
	  .offset = IA_OPT_AT(bool, st, live.trace_maps), \
	  .help = "a record per iommu_map/iommu_unmap call (default: histograms only)" }
#define IA_LIVE_OPT_FAIL_ON(st) \
	{ .name = "fail-on", .kind = IA_OPT_RULES, \
	  .offset = IA_OPT_AT(unsigned int, st, live.fail_on), \
	  .arg = "RULES", .help = "exit 3 when a finding of these rules occurred (comma-separated,\n" \
	  "or 'all'): viability, bind-refused, claim-refused, soft-failure,\n" \
	  "soft-failure-unresolved, hard-failure, multi-driver-probe,\n" \
	  "multi-driver-domain, split-group, owner-imbalance" }

#define IA_LIVE_OPT_NO_LATE_ATTACH(st) \
	{ .name = "no-late-attach", .kind = IA_OPT_FLAG, \
	  .offset = IA_OPT_AT(bool, st, live.no_late_attach), \
	  .help = "attach nothing after the start (hooks in modules loaded later stay\n" \
	  "missing) and keep no capability once attached (but CAP_BPF where\n" \
	  "every bpf() call needs it, before 6.5)" }

#define IA_LIVE_OPT_MODULE_FENTRY(st) \
	{ .name = "module-fentry", .kind = IA_OPT_FLAG, \
	  .offset = IA_OPT_AT(bool, st, live.module_fentry), \
	  .help = "fentry/fexit, not kprobes, on the functions of modules loaded at the\n" \
	  "start (their BTF comes through BPF_BTF_GET_FD_BY_ID: needs CAP_SYS_ADMIN;\n" \
	  "the links hold the modules: rmmod fails while tracing)" }

/* The session options the shared options carry. */
static inline void ia_live_from_cli(struct ia_live_opts *l, const struct ia_cli *c)
{
	l->json = c->json;
	l->verbose = c->verbose;
	l->sysfs_root = ia_sysfs_root_env();
}

#endif /* IA_LIVE_OPTS_H */
