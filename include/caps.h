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
 * Keep only what is needed again (keep: IA_KEEP_*; attaching a module's
 * hooks later is CAP_BPF, CAP_PERFMON and CAP_SYSLOG, or CAP_SYS_ADMIN and
 * CAP_SYSLOG on kernels without CAP_BPF), each only where held, or nothing: permitted, effective, inheritable,
 * ambient and, where the process may, the bounding set. kept names what
 * stayed. IA_KEEP_ADMIN is for where attaching later needs CAP_SYS_ADMIN
 * and the kernel offers nothing narrower: perf-event kprobes under
 * perf_event_paranoid > 2 without kprobe_multi links. 0 or -errno.
 */
int ia_caps_drop(unsigned int keep, char *kept, size_t len);
#define IA_KEEP_ATTACH 0x1 /* attaching later: CAP_BPF, CAP_PERFMON, CAP_SYSLOG */
#define IA_KEEP_ADMIN 0x2  /* and CAP_SYS_ADMIN (perf kprobes under paranoid > 2) */
#define IA_KEEP_PTRACE 0x4 /* CAP_SYS_PTRACE: reading other users' fd tables (holders) */
/* The process holds CAP_SYS_ADMIN (effective). */
bool ia_caps_admin(void);
/* kernel.perf_event_paranoid; above 2 (Debian's 3) perf events need CAP_SYS_ADMIN. */
int ia_perf_paranoid(void);

#endif /* IA_CAPS_H */
