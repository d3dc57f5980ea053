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
#include "iommu_audit.h"
#include "model.h"

#define IA_MAX_DEPTH 32

struct ia_frame {
	struct ia_event enter;
	bool used_default; /* really_probe: iommu_device_use_default_domain() succeeded inside */
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
};

struct ia_engine_stats {
	__u64 records;	      /* records fed */
	__u64 bad_records;    /* wrong size, type or hook */
	__u64 unpaired_exits; /* exit with no entry (dropped record, or attached mid-call) */
	__u64 lost_frames;    /* entries never closed (overflow, or their exit was lost) */
};

struct ia_engine {
	struct ia_model model;
	struct ia_engine_opts opts;
	struct ia_thread *threads;
	size_t nthreads;
	struct ia_frame popped; /* the entry matched by the last exit */
	struct ia_engine_stats stats;
	__u64 seq;
};

/* What the engine made of one record, for the outputs. */
struct ia_decoded {
	__u64 seq;			/* 1-based position in the stream */
	const struct ia_event *ev;
	const struct ia_event *enter;	/* exits: the matching entry (valid until the next feed) */
	int depth;			/* nesting on the thread, 0 = outermost */
};

/* The engine starts from a copy of snapshot (may be empty). 0 or -ENOMEM. */
int ia_engine_init(struct ia_engine *e, const struct ia_model *snapshot,
		   const struct ia_engine_opts *opts);
/*
 * Feed one record of len bytes. Returns 0 and fills out, or -EINVAL for a
 * record that is not a valid ia_event (counted, state unchanged), -ENOMEM.
 */
int ia_engine_feed(struct ia_engine *e, const void *rec, size_t len, struct ia_decoded *out);
void ia_engine_free(struct ia_engine *e);

#endif /* IA_ENGINE_H */
