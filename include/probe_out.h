/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * How the probes attached, as text and JSON: for `probe`, `watch -v` and a
 * recording's header. One writer per format, fed from struct
 * ia_trace_info (a live loader's state converts to it: ia_trace_info_probes).
 */
#ifndef IA_PROBE_OUT_H
#define IA_PROBE_OUT_H

#include <stdbool.h>
#include <stdio.h>
#include "json.h"
#include "trace.h"

/* "features: ..." and a line per hook: how it attached, OFF (not asked for) or MISSING and why. */
void ia_probes_print_text(FILE *out, const struct ia_trace_info *info);
/*
 * One probe's JSON object. standalone: a line of its own ("type":"probe");
 * else an element of the recording header's "probes" array.
 */
void ia_probe_print_json(struct ia_json *j, const struct ia_trace_probe *p, bool standalone);
/* Every probe, a standalone object each. */
void ia_probes_print_json(struct ia_json *j, const struct ia_trace_info *info);

#endif /* IA_PROBE_OUT_H */
