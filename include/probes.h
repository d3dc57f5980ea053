/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * How each hook attached, and what the kernel allowed: the loader fills
 * these in; recordings, outputs and metrics read them. Plain data, so the
 * analysis side reads probe states without the loader (loader.h).
 */
#ifndef IA_PROBES_H
#define IA_PROBES_H

#include <stdbool.h>

enum ia_via {
	IA_VIA_NONE = 0,
	IA_VIA_FENTRY = 1,
	IA_VIA_KPROBE = 2,
	IA_VIA_TP_BTF = 3,
	IA_VIA_TRACEPOINT = 4,
};

struct ia_probe_status {
	const char *target; /* symbol or tracepoint attached (or tried) */
	enum ia_via via;
	int err;	    /* negative errno when not attached; 0 when not asked for */
	char why[160];	    /* why not attached */
	bool late;	    /* its module comes and goes: attached (kprobes) while it is loaded */
	__u64 instance;	    /* the module instance it is attached to (ia_kmod_instance) */
};

struct ia_features {
	bool btf;	     /* vmlinux BTF readable */
	bool fentry;	     /* BPF tracing programs load (fentry/fexit/tp_btf) */
	int fentry_err;	     /* why not: the test load's negative errno */
	bool kprobes;	     /* the kprobe PMU exists */
	bool tracefs;	     /* tracefs mounted and readable (classic tracepoints) */
	bool tracefs_mounted; /* mounted, whether or not this process may read it */
	bool get_func_ret;   /* bpf_get_func_ret usable (fexit ret) */
	bool nonprealloc;    /* tracing programs may use hash maps that are not preallocated */
	bool kprobe_multi;   /* kprobe_multi links: kprobes without perf events */
	bool task_storage;   /* BPF task storage (5.11+): the fentry/fexit timing path */
	bool bpf_gated;	     /* every bpf() command needs CAP_BPF, even on fds held (before 6.5) */
};

/* "fentry", "kprobe", "tp_btf", "tracepoint", "none". */
const char *ia_via_name(enum ia_via v);

#endif /* IA_PROBES_H */
