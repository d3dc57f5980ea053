/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The exit report of `watch` and `report`: findings as they are raised, then
 * the engine's final state, every finding, the iommufd contexts, the
 * map/unmap histograms, the ioctl counts and a summary. Plain and JSON twins
 * over the same engine; what only the kernel knows comes in struct
 * ia_run_counts.
 */
#ifndef IA_REPORT_OUT_H
#define IA_REPORT_OUT_H

#include <stdbool.h>
#include <stdio.h>
#include "engine.h"
#include "json.h"
#include "kstats.h"

/* What the engine does not know: the BPF side's counters and aggregates, the probes. */
struct ia_run_counts {
	bool known;	     /* false: a recording cut short before its END frame */
	__u64 submitted;     /* records the probes submitted */
	__u64 drops;	     /* failed ring-buffer reservations */
	int probes_attached;
	/* histograms, ioctls and page faults; NULL when not read (an old or cut recording) */
	const struct ia_kstats *kstats;
};

/*
 * Findings raised since *reported (advanced past them): one text line each
 * on out, or JSON objects on j when j is not NULL.
 */
void ia_report_new_findings(const struct ia_engine *e, size_t *reported, FILE *out,
			    struct ia_json *j);
/*
 *   final state:
 *   <ia_state_print_text>
 *   findings: 2 (bind-refused 1, claim-refused 1)
 *   FINDING ...
 *   <iommufd contexts> <histograms> <iommufd ioctls> <io_page_fault counts>
 *   records 12, dropped 0, malformed 0, unpaired exits 0, probes 19 attached
 * "dropped ?" when the counters are not known.
 */
void ia_report_print_text(FILE *out, const struct ia_engine *e, const struct ia_run_counts *c);
/*
 * The state's groups ("source":"engine"), the iommufd contexts, the
 * histograms, the ioctls and a summary object:
 * {"type":"summary","schema":1,"records":..,"submitted":..,"drops":..,
 *  "malformed":..,"unpaired_exits":..,"lost_frames":..,"probes_attached":..,
 *  "findings":..,"iommufd_ctxs_closed":..,"iommufd_ctxs_open":..,
 *  "ioctls":{..},"ioctl_errors":{..},"page_faults":{..}}; submitted and
 * drops are null when not known, ioctls, ioctl_errors and page_faults when
 * the aggregates are not.
 */
void ia_report_print_json(struct ia_json *j, const struct ia_engine *e, const struct ia_run_counts *c);

#endif /* IA_REPORT_OUT_H */
