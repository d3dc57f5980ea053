/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Capabilities: which the tracing needs, which the process lacks, and
 * giving up the rest once the probes are attached (ebpf_exporter's
 * --capabilities.keep is the model). Loading and attaching BPF tracing
 * programs needs CAP_BPF and CAP_PERFMON (v5.8, commits a17b53c4a4b5 and
 * 980737282232); before them CAP_SYS_ADMIN. Kernel addresses in
 * /proc/kallsyms need CAP_SYSLOG (kernel/kallsyms.c, kallsyms_show_value).
 */
#ifndef IA_CAPS_H
#define IA_CAPS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The capabilities tracing needs that the process does not have, as
 * "CAP_BPF, CAP_PERFMON"; "" when none is missing. 0 or -errno.
 */
int ia_caps_missing(char *buf, size_t len);
/*
 * Keep only what is needed again (keep: IA_KEEP_*), each only where held,
 * or nothing: permitted, effective, inheritable, ambient and, where the
 * process may, the bounding set. kept names what stayed. What the run
 * needs is the caller's to say (src/live.c: drop_capabilities); on
 * kernels without CAP_BPF (before 5.8) IA_KEEP_BPF keeps CAP_SYS_ADMIN.
 * 0 or -errno.
 */
int ia_caps_drop(unsigned int keep, char *kept, size_t len);
#define IA_KEEP_BPF 0x1	    /* bpf() on the fds held: map reads, links (gated kernels) */
#define IA_KEEP_ADMIN 0x2   /* CAP_SYS_ADMIN: perf-event kprobes under perf_event_paranoid > 2 */
#define IA_KEEP_PTRACE 0x4  /* CAP_SYS_PTRACE: reading other users' fd tables (holders) */
#define IA_KEEP_PERFMON 0x8 /* CAP_PERFMON: perf-event kprobes (perf_kprobe_event_init) */
#define IA_KEEP_SYSLOG 0x10 /* CAP_SYSLOG: kallsyms addresses, a new module's iommu_ops */
/*
 * For a feature probe in a child process: give up CAP_BPF and
 * CAP_SYS_ADMIN (effective), so that what a bpf() command asks of the
 * caller can be seen (src/loader.c: bpf_gated). 0 or -errno.
 */
int ia_caps_lose_bpf(void);
/* The process holds CAP_SYS_ADMIN (effective). */
bool ia_caps_admin(void);
/* kernel.perf_event_paranoid; above 2 (Debian's 3) perf events need CAP_SYS_ADMIN. */
int ia_perf_paranoid(void);

#endif /* IA_CAPS_H */
