/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Metrics in the Prometheus text exposition format (version 0.0.4), from
 * the engine, the exit counts and the kernel's aggregates: what `serve`
 * answers on /metrics, writes with --textfile, and `report --prometheus`
 * prints. Pure: no sockets, no clock, no BPF; the caller reads the sources.
 *
 * Label sets are closed or bounded by the host (README "Prometheus"):
 * groups and devices as the host has them, drivers bound to them, rules,
 * hooks, errno names from a fixed table (else "other"), map/unmap
 * operations by group (domains are summed: they come and go per VM),
 * iommufd commands (at most 256), probe attach types.
 */
#ifndef IA_PROM_OUT_H
#define IA_PROM_OUT_H

#include <stdio.h>
#include "calls.h"
#include "engine.h"
#include "holders.h"
#include "report_out.h"
#include "trace.h"

#define IA_PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

struct ia_prom_src {
	const struct ia_engine *engine;
	const struct ia_calls *calls;	     /* NULL: no calls_total */
	const struct ia_run_counts *counts;  /* ring-buffer counters (when known) and kstats */
	const struct ia_trace_probe *probes; /* how each hook attached; NULL: not known */
	int nprobes;
	const struct ia_holders *holders;    /* who holds the groups (/proc); NULL: not scanned */
};

/* Write every metric family to out. 0, or -EIO when out reports an error. */
int ia_prom_write(FILE *out, const struct ia_prom_src *s);
/* The same into a malloc'd buffer (*buf, *len; free it). 0, -ENOMEM or -EIO. */
int ia_prom_render(const struct ia_prom_src *s, char **buf, size_t *len);

/* A label value escaped for the exposition format: \ " and newline. */
void ia_prom_escape(FILE *out, const char *s);
/*
 * ns as seconds in decimal, exactly, without trailing zeros: 512 ->
 * "0.000000512", 1073741824 -> "1.073741824", 0 -> "0".
 */
void ia_prom_seconds(char *buf, size_t len, __u64 ns);

#endif /* IA_PROM_OUT_H */
