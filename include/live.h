/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A live tracing session: sysfs snapshot, probes loaded and attached, the
 * ring buffer fed to the engine until a signal or the duration, then the
 * final report. `watch` prints records as they come, `record` writes them
 * to a recording, `serve` answers /metrics; all three run this.
 */
#ifndef IA_LIVE_H
#define IA_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include "exporter.h"

struct ia_live_opts {
	const char *sysfs_root;	 /* "" for the live system */
	bool json;		 /* JSON Lines (watch), errors as JSON */
	bool verbose;		 /* how each probe attached; libbpf's messages */
	bool force_kprobes;	 /* kprobe/kretprobe even where fentry/fexit load */
	double duration;	 /* seconds; 0 = until SIGINT/SIGTERM */
	size_t ringbuf_bytes;	 /* power of two */
	double interval;	 /* watch: seconds between latency views; 0 = none */
	bool trace_ioctls;	 /* a record per iommufd ioctl, IOAS map/unmap included */
	bool trace_maps;	 /* a record per iommu_map/iommu_unmap call */
	unsigned int fail_on;	 /* bit per enum ia_rule: exit IA_EXIT_FINDINGS when one occurred */
	bool no_late_attach;	 /* attach nothing after the start; keep no capability */
	bool module_fentry;	 /* fentry/fexit on loaded modules' functions: needs CAP_SYS_ADMIN */
	const char *output;	 /* record: the recording to write; NULL otherwise */
	const struct ia_exporter_opts *serve; /* serve: the exporter; NULL otherwise */
};

/* Runs the session; returns the exit status (0, 1, or IA_EXIT_FINDINGS). */
int ia_live_run(const struct ia_live_opts *o);

#endif /* IA_LIVE_H */
