/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* A recording's header and how its replay ended, as text and JSON: `report`, `diff`. */
#ifndef IA_RECORDING_OUT_H
#define IA_RECORDING_OUT_H

#include <stdbool.h>
#include <stdio.h>
#include "json.h"
#include "trace.h"

/* "2025-11-21 14:34:00 UTC", or "-" when ns is 0. */
void ia_fmt_utc(__u64 ns, char *buf, size_t len);
/* "complete", "truncated", "corrupt", "failed", "reading". */
const char *ia_trace_state_name(enum ia_trace_state s);

/* The file, its format and ABI, kernel, host, start, and how each probe attached. */
void ia_recording_print_header_text(FILE *out, const char *path, const struct ia_trace_info *info);
/* The same as a "recording" object. */
void ia_recording_print_header_json(struct ia_json *j, const char *path, const struct ia_trace_info *info);
/* How the replay ended, as a "replay" object. */
void ia_recording_print_status_json(struct ia_json *j, const char *path, const struct ia_trace_status *st);

/*
 * Unless the replay read the whole file: one error line "PATH: what went
 * wrong" followed by then ("" or "; serving what replayed"), and true.
 */
bool ia_recording_damaged(bool json, const char *path, const struct ia_trace_status *st, const char *then);

#endif /* IA_RECORDING_OUT_H */
