/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Open -> choose -> load -> attach -> activate the watch probes. Per hook the
 * loader picks the target symbol the running kernel has and the program
 * type it allows (fentry/fexit, else kprobe/kretprobe; tp_btf, else classic
 * tracepoint), and records what it did and why for -v and `probe`.
 */
#ifndef IA_LOADER_H
#define IA_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include "grace.h"
#include "hooks.h"
#include "probes.h"

/*
 * (domain, operation) histograms the kernel's map holds: live domains only
 * (freed ones are taken out). Not preallocated where the kernel allows it
 * (memory per CPU then follows what is used: 296 bytes an entry); else
 * preallocated, and smaller, since every CPU pays for every entry.
 */
#define IA_HISTS_MAX 16384
#define IA_HISTS_PREALLOC 4096

struct ia_ksyms;

struct ia_loader_opts {
	const struct ia_ksyms *ksyms; /* the kernel's symbols: kprobe targets */
	bool force_kprobes;   /* -k: kprobe/kretprobe and classic tracepoints only */
	size_t ringbuf_bytes; /* power of two */
	bool verbose;	      /* libbpf's own messages on stderr */
	bool trace_ioctls;    /* a record per iommufd ioctl, IOAS map/unmap included */
	bool trace_maps;      /* a record per iommu_map/iommu_unmap call */
	bool module_fentry;   /* fentry/fexit on loaded modules' functions (CAP_SYS_ADMIN) */
	bool no_late_attach;  /* a module's hooks attach at the start or never */
};

struct watch_bpf;
struct bpf_link;
struct btf;

struct ia_loader {
	struct watch_bpf *skel;
	struct bpf_link *links[IA_HOOK_MAX][2];
	struct ia_probe_status st[IA_HOOK_MAX];
	struct ia_features feat;
	struct btf *vmlinux;
	char release[65];	/* uname -r: where its modules are listed */
	/*
	 * fentry/fexit loaded for the hook but would not attach (a full
	 * trampoline, a conflicting ftrace user): loaded again as kprobes,
	 * with why in this note.
	 */
	char fentry_failed[IA_HOOK_MAX][96];
	/* kprobes go through kprobe_multi links (no perf event): see enable_kprobe */
	bool kprobe_multi;
	bool no_late_attach; /* from the options */
	struct ia_grace grace; /* waits out the programs running (the epoch flip) */
	bool have_grace;
};

/* Returns 0 when at least one hook attached, else a negative errno; msg explains. */
int ia_loader_start(struct ia_loader *l, const struct ia_loader_opts *o, char *msg, size_t msglen);
int ia_loader_ringbuf_fd(const struct ia_loader *l);
/* Drop and event counters from the BPF side. */
void ia_loader_counters(const struct ia_loader *l, __u64 *events, __u64 *drops);
void ia_loader_stop(struct ia_loader *l);
struct ia_kstats;
/*
 * The kernel's aggregates now, summed over CPUs, stamped mono_ns (the
 * caller's clock: the loader reads none). 0 or -errno; free with
 * ia_kstats_free.
 */
int ia_loader_kstats(const struct ia_loader *l, __u64 mono_ns, struct ia_kstats *k);
int ia_loader_attached(const struct ia_loader *l);
/*
 * Hooks in modules that come and go (st[].late): attach those whose module
 * has loaded (kprobes), detach those whose module has gone, re-attach those
 * whose module was reloaded. Their ids in changed (up to max); how many.
 */
int ia_loader_refresh(struct ia_loader *l, unsigned int *changed, int max);
/*
 * Switch the programs to the other epoch of the histogram keys and wait
 * until none can still count under the old one, which *quiet is set to
 * (0 or IA_HK_EPOCH). 0 or -errno (the programs then count on, in the new
 * epoch).
 */
int ia_loader_hist_flip(struct ia_loader *l, __u64 *quiet);
/*
 * Take a freed domain's histograms of a quiet epoch out of the kernel's
 * map: h[op] is set where have[op]. 0 or -errno.
 */
int ia_loader_take_domain(const struct ia_loader *l, __u64 domain, __u64 epoch,
			  struct ia_hist h[IA_OP_MAX], bool have[IA_OP_MAX]);

#endif /* IA_LOADER_H */
