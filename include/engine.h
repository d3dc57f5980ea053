/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The analysis engine: consumes decoded probe records, pairs each exit with
 * its entry on the same thread, and keeps the ownership model current.
 * Pure: no BPF, /sys, clock or I/O. Live tracing and replay use it alike;
 * tests feed it fixture event streams.
 */
#ifndef IA_ENGINE_H
#define IA_ENGINE_H

#include <stdbool.h>
#include "cgroups.h"
#include "kmod.h"
#include "findings.h"
#include "iommu_audit.h"
#include "model.h"

#define IA_MAX_DEPTH 32

struct ia_frame {
	struct ia_event enter;
	__u64 seq;		   /* the entry's sequence number */
	bool used_default;	   /* really_probe: iommu_device_use_default_domain() succeeded inside */
	long refused;		   /* really_probe: the default domain was refused inside (errno) */
	__u64 refused_seq;
	bool inner_attach_failed;  /* attach family: an __iommu_attach_device failed inside */
	__u64 new_domain;	   /* vfio type1 attach: the domain it allocated */
};

/* An incompatible-domain attach failure waiting for another domain to attach. */
struct ia_soft_pending {
	char dev[IA_NAME_LEN];
	int group_id;
	__u64 first_ts;
	__u64 failed_domain;	/* the last domain that failed */
	__u64 failed_owner;	/* its allocating IOMMU driver's ops */
	long err;
	unsigned int retries;	/* failed attaches so far */
	__u64 evidence[IA_MAX_EVIDENCE];
	int nevidence;
};

/* An IOMMU probe that failed while several IOMMU drivers were registered. */
struct ia_probe_miss {
	char dev[IA_NAME_LEN];
	__u64 seq;
	long err;
};

struct ia_thread {
	__u32 tid;
	struct ia_frame frames[IA_MAX_DEPTH];
	int depth;
};

struct ia_engine_opts {
	/*
	 * iommu_device_use_default_domain is hooked: a really_probe without a
	 * call to it is a driver_managed_dma bind. Without the hook the DMA
	 * class falls back to the driver table (ia_driver_dma_class).
	 */
	bool use_default_hooked;
	/*
	 * __iommu_attach_device (attach_dev_core) and the attach_device_to_domain
	 * tracepoint are both attached: every tracepoint firing, which comes from
	 * inside a successful __iommu_attach_device, should find its call open.
	 */
	bool core_attach_checked;
	/*
	 * really_probe returns 1 when the driver bound and 0 when its probe
	 * failed, the errno dropped (drivers/base/dd.c before v5.14, "driver
	 * core: Flow the return code from ->probe() through to sysfs bind");
	 * since then 0 and the errno. ia_release_before(release, 5, 14).
	 */
	bool probe_ret_bound;
	/*
	 * Names a kernel address (an iommu_ops: "intel_iommu_ops") for findings;
	 * NULL prints it in hex. The caller's lookup keeps the engine pure.
	 */
	const char *(*sym_name)(void *ctx, __u64 addr);
	void *sym_ctx;
};


struct ia_engine_stats {
	__u64 records;	      /* records fed */
	__u64 bad_records;    /* wrong size, type or hook */
	__u64 unpaired_exits; /* exit with no entry (dropped record, or attached mid-call) */
	__u64 lost_frames;    /* entries never closed (overflow, or their exit was lost) */
	__u64 unusable;	      /* valid records the engine could not apply: out of memory */
	__u64 untracked;      /* iommufd objects not tracked: their context's table was full */
	__u64 records_lost;   /* records the caller said were lost (ia_engine_records_lost) */
	__u64 resyncs;	      /* times the groups were re-read from sysfs after a loss */
	/*
	 * iommu:attach_device_to_domain firings (core_attach_checked), and
	 * those with no __iommu_attach_device call open on their thread: calls
	 * the probe missed, where the compiler kept a partly inlined copy of the
	 * function (DepSurf: Ubuntu's 6.2-6.8) that some callers use.
	 */
	__u64 core_attaches;
	__u64 core_attaches_unseen;
};

/*
 * A thread whose newest open call is this much older (in trace time) than
 * the latest record lost its exits (dropped records): its frames are
 * counted in lost_frames and forgotten, so the thread table stays bounded.
 */
#define IA_STALE_FRAME_NS (600ull * 1000000000ull)
/* How often (in records) the engine looks for such threads. */
#define IA_PRUNE_EVERY 4096

/* iommufd objects of one context (struct iommufd_ctx *), as the events showed them. */
#define IA_CTX_MAX_OBJS 32

struct ia_idev {
	__u32 id;		 /* the device object's id */
	char dev[IA_NAME_LEN];
	__u32 hwpt;		 /* attached hwpt's id, 0 when detached */
};

struct ia_hwpt {
	__u32 id;
	__u64 domain;
	char dev[IA_NAME_LEN];	 /* the device it was allocated for */
};

struct ia_ioas {
	__u32 id;
	__u64 maps, unmaps;	 /* successful IOAS_MAP / IOAS_UNMAP */
	__u64 mapped_bytes, unmapped_bytes; /* lengths asked for */
};

/* A vIOMMU, vDEVICE, vEVENTQ, HW queue or fault queue (IA_HOOK_OBJ_FINALIZE). */
struct ia_vobj {
	__u32 id;
	__u32 kind;		 /* enum ia_obj_kind */
	__u32 parent;		 /* vIOMMU: its nesting parent hwpt; vDEVICE, vEVENTQ, HW queue: its vIOMMU */
	__u32 idev;		 /* vDEVICE: its device object */
	char dev[IA_NAME_LEN];	 /* vDEVICE: its device */
};

struct ia_ctx {
	__u64 ptr;
	struct ia_idev idevs[IA_CTX_MAX_OBJS];
	int nidevs;
	struct ia_hwpt hwpts[IA_CTX_MAX_OBJS];
	int nhwpts;
	struct ia_ioas ioas[IA_CTX_MAX_OBJS];
	int nioas;
	struct ia_vobj vobjs[IA_CTX_MAX_OBJS];
	int nvobjs;
	__u64 ioctls;
};

struct ia_engine {
	struct ia_model model;
	struct ia_engine_opts opts;
	struct ia_thread *threads;
	size_t nthreads, threads_cap;
	struct ia_frame popped; /* the entry matched by the last exit */
	struct ia_engine_stats stats;
	__u64 seq;
	__u64 last_ts;
	struct ia_finding *findings;
	size_t nfindings, findings_cap;
	struct ia_soft_pending *soft;
	size_t nsoft, soft_cap;
	struct ia_probe_miss *misses;
	size_t nmisses, misses_cap;
	struct ia_ctx *ctxs;	/* open iommufd contexts */
	size_t nctxs, ctxs_cap;
	struct ia_u64map ctx_at; /* a context's pointer -> its position, checked on use */
	__u64 ctxs_closed;
	/* records lost and not yet followed by a resync (src/resync.c) */
	__u64 lost_pending;
	__u64 lost_after;	/* the last record fed before the first of them (0: none) */
	struct ia_cgroups cgroups; /* the paths of the cgroup ids seen, as the caller named them */
	const struct ia_event *cur; /* the record being fed, NULL between records */
	struct ia_event normalized; /* a really_probe exit read as 5.14+ gives it (probe_ret_bound) */
};

/* What the engine made of one record, for the outputs. */
struct ia_decoded {
	__u64 seq;			/* 1-based position in the stream */
	const struct ia_event *ev;
	const struct ia_event *enter;	/* exits: the matching entry (valid until the next feed) */
	int depth;			/* nesting on the thread, 0 = outermost */
	const char *cgroup;		/* ev->cgroup's path; NULL when not named */
};

/* The engine starts from a copy of snapshot (may be empty). 0 or -ENOMEM. */
int ia_engine_init(struct ia_engine *e, const struct ia_model *snapshot,
		   const struct ia_engine_opts *opts);
/*
 * Feed one record of len bytes. Returns 0 and fills out, or -EINVAL for a
 * record that is not a valid ia_event (counted, state unchanged), -ENOMEM.
 */
int ia_engine_feed(struct ia_engine *e, const void *rec, size_t len, struct ia_decoded *out);
/*
 * The path of a cgroup id ("" when it could not be found), for the
 * records that carry it: given before them (the live session resolves it,
 * a recording stores it). 0 or -ENOMEM.
 */
int ia_engine_name_cgroup(struct ia_engine *e, __u64 id, const char *path);
/* Whether id has been named (the live session names each id once). */
bool ia_engine_cgroup_named(struct ia_engine *e, __u64 id);

/*
 * A failed really_probe whose errno the kernel dropped (probe_ret_bound):
 * ENODEV, what a sysfs bind reported for it then (drivers/base/bus.c of
 * v5.10, bind_store() on a 0 from device_driver_attach()).
 */
#define IA_PROBE_ERR_DROPPED (-19L) /* -ENODEV */


/* End of the stream: soft failures still pending become unresolved findings. */
void ia_engine_finish(struct ia_engine *e);
void ia_engine_free(struct ia_engine *e);
/* A finding of one of these rules (a bit per enum ia_rule) was raised: --fail-on. */
bool ia_engine_found(const struct ia_engine *e, unsigned int rules);

/*
 * Records lost (src/resync.c): n records never reached the engine (the ring
 * buffer was full). Every group becomes unverified until a record carries
 * its live owner fields again; owner-based findings are not raised from
 * unverified state, others say their evidence may be incomplete.
 */
void ia_engine_records_lost(struct ia_engine *e, __u64 n);
/*
 * After a loss, what sysfs shows now (fresh: ia_sysfs_read) replaces the
 * groups, their devices, drivers, DMA classes and default-domain types;
 * what only events told (domains, owners, kernel pointers) is kept, and the
 * groups stay unverified. Raises one records-lost finding. Nothing is done
 * without a pending loss. 0 or -ENOMEM (the model is then unchanged and the
 * loss stays pending).
 */
int ia_engine_resync(struct ia_engine *e, const struct ia_model *fresh);
/* Findings from index from on, raised while their group was unverified, say so. */
void ia_resync_note_findings(struct ia_engine *e, size_t from);
/* End of the stream with a loss pending: its finding, saying sysfs was not re-read. */
void ia_resync_finish(struct ia_engine *e);

/* Rules (src/rules.c), called by the engine as records arrive. */
/* A new finding of rule r, filled by the caller; NULL without memory (counted unusable). */
struct ia_finding *ia_engine_raise(struct ia_engine *e, enum ia_rule r, enum ia_severity sev,
				   int group_id, __u64 ts);
void ia_rules_enter(struct ia_engine *e, const struct ia_event *ev, __u64 seq);
void ia_rules_exit(struct ia_engine *e, const struct ia_event *ev, const struct ia_frame *f,
		   __u64 seq);
/* The innermost open frame of a hook on a thread, or NULL. */
struct ia_frame *ia_engine_open_frame(struct ia_engine *e, __u32 tid, unsigned int hook);
/* really_probe's return value as 5.14+ gives it (0: bound), whatever the kernel (probe_ret_bound). */
long ia_engine_probe_ret(const struct ia_engine *e, long ret);
/* Whether thread tid is inside a PCI reset's prepare or done (7.0+). */
bool ia_engine_in_reset(struct ia_engine *e, __u32 tid);

#endif /* IA_ENGINE_H */
