/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A recording replayed through the engine (`report`), and two replays
 * compared (`diff`): findings per rule, errnos per hook, soft-failure
 * retries. No output here: src/cmd_trace.c prints.
 */
#ifndef IA_REPLAY_H
#define IA_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include "calls.h"
#include "engine.h"
#include "findings.h"
#include "prom_out.h"
#include "report_out.h"
#include "trace.h"

struct ia_replay {
	struct ia_trace_reader *reader;
	struct ia_trace_info info;
	struct ia_model start;	    /* the HEADER frame's model */
	struct ia_engine engine;
	struct ia_trace_status status; /* after ia_replay_run */
	struct ia_calls calls;	    /* exit records per hook and errno */
	struct ia_model resync;	    /* RESYNC_GROUP entries gathered since the last RESYNC */
};

/* Called after each record the engine took, for outputs. */
typedef void (*ia_replay_fn)(void *ctx, const struct ia_decoded *d);

/*
 * Open a recording and start an engine from its model, with the options its
 * probes imply. 0, or a negative errno with msg saying why.
 */
int ia_replay_open(struct ia_replay *rp, const char *path, char *msg, size_t msglen);
int ia_replay_open_mem(struct ia_replay *rp, const void *data, size_t len, char *msg, size_t msglen);
/*
 * Feed every record to the engine (fn, if any, after each), finish the
 * engine and fill rp->status. 0, or -ENOMEM (status FAILED). A damaged
 * recording is not an error here: rp->status says how far it went.
 */
int ia_replay_run(struct ia_replay *rp, ia_replay_fn fn, void *ctx);
void ia_replay_close(struct ia_replay *rp);
/* What the recording tells of the kernel side: END's counters, the last HIST frame. */
void ia_replay_counts(const struct ia_replay *rp, struct ia_run_counts *rc);
/* The metrics' sources for a finished replay; rc is filled and referenced. */
void ia_replay_prom_src(const struct ia_replay *rp, struct ia_run_counts *rc, struct ia_prom_src *s);

struct ia_diff_opts {
	unsigned int rules; /* bit per enum ia_rule compared; 0: all */
	__u64 max_new;	    /* new findings tolerated (summed over the compared rules) */
	double max_ratio;   /* latency: b/a of mean or p99 tolerated; 0: not checked */
};

/* A latency row is judged only with this many calls on both sides. */
#define IA_DIFF_MIN_CALLS 100

/*
 * One latency row: a map/unmap operation summed over its domains (domain
 * addresses differ between runs), or one iommufd command.
 */
struct ia_diff_latency {
	bool ioctl;	     /* else a map/unmap operation */
	__u32 id;	     /* enum ia_hist_op, or the command's _IOC_NR */
	struct ia_hist h[2]; /* a, b (calls 0: absent on that side) */
	double mean_ratio;   /* b / a; 0 when a side has no calls */
	double p99_ratio;
	bool judged;	     /* both sides have IA_DIFF_MIN_CALLS calls */
	bool worse;	     /* judged, and a ratio exceeds max_ratio */
};

struct ia_diff_errno {
	__u16 hook;
	__u16 err;
	__u64 n[2]; /* a, b */
};

struct ia_diff {
	__u64 findings[IA_RULE_MAX][2];
	__u64 exits[IA_HOOK_MAX][2];
	struct ia_diff_errno *errnos; /* sorted by hook, then errno */
	size_t nerrnos;
	__u64 soft_retries[2];	     /* soft-failure findings' failed attaches */
	__u64 unresolved_retries[2]; /* soft-failure-unresolved findings' */
	__u64 new_findings;	     /* sum over compared rules of max(0, b - a) */
	bool have_latency[2];	     /* the recording had a HIST frame */
	struct ia_diff_latency *lat; /* operations first, then commands by number */
	size_t nlat, lat_cap;
	size_t slower;		     /* rows worse than max_ratio */
	bool worse;		     /* new_findings > max_new, or slower rows */
};

bool ia_diff_compares(const struct ia_diff_opts *o, enum ia_rule r);
/* Compare two finished replays. 0 or -ENOMEM. */
int ia_diff_compute(struct ia_diff *d, const struct ia_replay *a, const struct ia_replay *b,
		    const struct ia_diff_opts *o);
void ia_diff_free(struct ia_diff *d);

#endif /* IA_REPLAY_H */
