/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Older event ABIs, read from recordings: each is converted into today's
 * struct ia_event before the engine sees it, so that a recording made
 * by an earlier iommu-audit replays and diffs against today's.
 */
#ifndef IA_ABI_H
#define IA_ABI_H

#include <stdbool.h>
#include <stddef.h>
#include "iommu_audit.h"

/* Whether a recording of this event ABI can be read. */
bool ia_abi_readable(unsigned int abi);

/*
 * Converts one ring-buffer record of event ABI abi (older than today's)
 * into out. 0, or -EINVAL when the record is not one of that ABI (the
 * caller hands it on unconverted, for the engine to count as malformed).
 */
int ia_event_upgrade(unsigned int abi, const void *rec, size_t len, struct ia_event *out);

/*
 * The ring buffer's short exit (struct ia_exit_rec) widened into the full
 * event the probes' ev_new() would have made: the same header, return
 * value, comm and cgroup; no group, no domain type. Returns rec itself when
 * it is not a short exit, else out, with *len its size; NULL when a short
 * exit is malformed (the caller counts it).
 */
const void *ia_event_widen(const void *rec, size_t *len, struct ia_event *out);

#endif /* IA_ABI_H */
