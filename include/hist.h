/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Map/unmap latency histograms as read from the kernel (summed over CPUs):
 * percentiles, and the biolatency-style and JSON views. Pure: the loader
 * reads the BPF map, this file only computes and prints.
 */
#ifndef IA_HIST_H
#define IA_HIST_H

#include <stdbool.h>
#include <stdio.h>
#include "iommu_audit.h"
#include "json.h"
#include "model.h"

struct ia_hist_entry {
	struct ia_hist_key key;
	struct ia_hist h;
};

const char *ia_hist_op_name(unsigned int op);
/* Upper bound in ns of the bucket holding quantile q (0..1); 0 without calls. Capped at max_ns. */
__u64 ia_hist_quantile(const struct ia_hist *h, double q);
/* The group whose devices are on this domain (its current domain or a device's), or NULL. */
const struct ia_group *ia_hist_domain_group(const struct ia_model *m, __u64 domain);
/*
 * The group an entry counts for: a freed entry's own, else the group on its
 * domain (ia_hist_domain_group); -1 when none is known.
 */
int ia_hist_entry_group(const struct ia_model *m, const struct ia_hist_entry *e);
/* a += b, for summing CPUs */
void ia_hist_add(struct ia_hist *a, const struct ia_hist *b);
/* Sort by domain, then operation; freed entries last, by group. */
void ia_hist_sort(struct ia_hist_entry *e, size_t n);
void ia_hist_print_text(FILE *out, const struct ia_hist_entry *e, size_t n, const struct ia_model *m);
/* "calls", "errors", "sum_ns", "max_ns", "p50_ns", "p90_ns", "p99_ns" [, "buckets"] of an open object */
void ia_hist_json_fields(struct ia_json *j, const struct ia_hist *h, bool buckets);
/* scope: "run" (since the start) or "interval" (--interval views) */
void ia_hist_print_json(struct ia_json *j, const struct ia_hist_entry *e, size_t n,
			const struct ia_model *m, const char *scope);

#endif /* IA_HIST_H */
