/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the kernel side aggregates, as read at one moment: the map/unmap
 * latency histograms, the iommufd ioctls per command (count, errors,
 * latency), io_page_fault counts per device and the ring buffer's counters.
 * The loader reads it from the BPF maps; recordings keep periodic copies in
 * HIST frames (encoded here); `report`, `diff` and the metrics read it back.
 * Pure: no BPF, no clock.
 */
#ifndef IA_KSTATS_H
#define IA_KSTATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "hist.h"
#include "json.h"
#include "tlv.h"

#define IA_IOCTL_NRS 256 /* iommufd commands by _IOC_NR */

struct ia_ioctl_stat {
	__u32 nr; /* _IOC_NR of the command */
	struct ia_hist h;
};

struct ia_fault_stat {
	char dev[IA_NAME_LEN];
	__u64 n;
};

struct ia_kstats {
	__u64 mono_ns;	 /* CLOCK_MONOTONIC when read (the clock of ia_event.ts_ns) */
	__u64 submitted; /* records the probes submitted */
	__u64 drops;	 /* failed ring-buffer reservations */
	struct ia_hist_entry *hists; /* sorted by domain, then op */
	size_t nhists, hists_cap;
	struct ia_ioctl_stat *ioctls; /* sorted by nr */
	size_t nioctls, ioctls_cap;
	struct ia_fault_stat *faults; /* sorted by device name */
	size_t nfaults, faults_cap;
	bool have_full;		 /* full is known (not in recordings made before it existed) */
	struct ia_map_full full; /* what the kernel's maps could not take */
};

/* Caps on a decoded HIST frame. */
#define IA_KSTATS_MAX_HISTS 65536
#define IA_KSTATS_MAX_FAULTS 65536

void ia_kstats_free(struct ia_kstats *k);
/*
 * Sort the three tables (the loader reads them in hash order); histogram
 * entries of one key are summed into one (the kernel's map keeps a domain's
 * calls under two epochs: include/retire.h).
 */
void ia_kstats_sort(struct ia_kstats *k);
/* The command's statistics, or NULL when it never ran. */
const struct ia_ioctl_stat *ia_kstats_ioctl(const struct ia_kstats *k, unsigned int nr);
/* The iommufd command's name for an _IOC_NR ("IOAS_MAP"), or "0x.." in buf. */
const char *ia_ioctl_nr_name(unsigned int nr, char *buf, size_t len);

/* Append the TLVs of a HIST frame; returns b->err. */
int ia_kstats_encode(struct ia_buf *b, const struct ia_kstats *k);
/*
 * Decode a HIST frame's payload into *k (zeroed here; the caller frees it
 * even on error). 0; -EBADMSG for malformed data; -E2BIG past the caps;
 * -ENOMEM.
 */
int ia_kstats_decode(const void *p, size_t len, struct ia_kstats *k);

/*
 * What happened between prev (NULL: the start) and cur, for --interval:
 * histograms and ioctls that moved, counters as differences. A maximum is
 * kept only when it grew in the interval (else 0: unknown). Page faults are
 * not carried. 0 or -ENOMEM; free *d with ia_kstats_free.
 */
int ia_kstats_delta(const struct ia_kstats *cur, const struct ia_kstats *prev, struct ia_kstats *d);

/*
 *   iommufd ioctl IOAS_MAP       64 (0 failed); p50 16383 p99 32767 max 20480 ns
 */
void ia_kstats_print_ioctls_text(FILE *out, const struct ia_kstats *k);
/* One {"type":"ioctl",...} object per command; scope as for ia_hist_print_json. */
void ia_kstats_print_ioctls_json(struct ia_json *j, const struct ia_kstats *k, const char *scope);

/*
 * Freed domains. The live loop takes a freed domain's histograms out of
 * the kernel's map (so that it holds live domains alone) and keeps them
 * folded per group the domain served: IA_HK_FREED entries.
 */
/* Add h to the freed entry of (group, op), made when missing. 0 or -ENOMEM. */
int ia_kstats_add_freed(struct ia_kstats *k, int group, unsigned int op, const struct ia_hist *h);
/* Move a domain's entries into the freed entries of group (an earlier view, kept comparable). */
int ia_kstats_fold_domain(struct ia_kstats *k, __u64 domain, int group);
/*
 * Freed entries of groups that no longer exist (ids: the groups that do,
 * sorted) move to group -1, so they stay as many as the host's groups.
 * 0 or -ENOMEM.
 */
int ia_kstats_forget_groups(struct ia_kstats *k, const int *ids, size_t nids);
/* Add from's histogram entries to k's (same keys summed). 0 or -ENOMEM. */
int ia_kstats_merge_hists(struct ia_kstats *k, const struct ia_kstats *from);

#endif /* IA_KSTATS_H */
