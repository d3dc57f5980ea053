/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Freed domains' histograms, taken out of the kernel's map "hists" without
 * losing a call. A freed domain's address is often reused at once, and a
 * program counting a call of the new domain can hold a pointer into the
 * entry (address, op) just as user space copies and deletes it: that call
 * would be lost. So the keys carry an epoch (IA_HK_EPOCH). A step flips it
 * and waits until no program can still count under the old one, then takes
 * the old epoch's entries of the freed domains waiting. Each is taken in
 * both epochs, over two steps at least; meanwhile what was taken still
 * counts as the domain's (ia_retire_merge), so no total dips. Then it joins
 * the freed entries of the group it served. Pure: the kernel is reached
 * through the ops (the loader's, or a test's).
 */
#ifndef IA_RETIRE_H
#define IA_RETIRE_H

#include <stdbool.h>
#include <stddef.h>
#include "iommu_audit.h"
#include "kstats.h"

struct ia_retire_ops {
	void *ctx;
	/* switch epochs; once no program counts under the old one, *quiet = it. 0 or -errno */
	int (*flip)(void *ctx, __u64 *quiet);
	/* take the domain's entries of that epoch: h[op] where have[op]. 0 or -errno */
	int (*take)(void *ctx, __u64 domain, __u64 epoch, struct ia_hist h[IA_OP_MAX],
		    bool have[IA_OP_MAX]);
};

struct ia_retiring {
	__u64 domain;
	int group;	      /* the group it served when freed; -1: none known */
	unsigned int taken;   /* epochs taken: bit 0 epoch 0, bit 1 epoch IA_HK_EPOCH */
	struct ia_hist h[IA_OP_MAX]; /* what was taken so far */
};

struct ia_retire {
	struct ia_retiring *v;
	size_t n, cap;
};

/* A domain was freed (its free record read). 0 or -ENOMEM. */
int ia_retire_add(struct ia_retire *r, __u64 domain, int group);
/*
 * One flip, then the quiet epoch's entries of every domain waiting. A
 * domain taken in both epochs is added to freed under its group and, when
 * last is given (an earlier view, --interval), folded there alike, so that
 * the next difference stays true. 0 or -errno: a failed flip takes nothing;
 * a failed take keeps what it did take and that domain waits for the next
 * step; nothing is lost either way.
 */
int ia_retire_step(struct ia_retire *r, const struct ia_retire_ops *ops, struct ia_kstats *freed,
		   struct ia_kstats *last);
/* Freed domains not yet taken in both epochs: a step is due. */
static inline bool ia_retire_waiting(const struct ia_retire *r)
{
	return r->n > 0;
}
/* What was taken of the domains waiting, added to k's live entries (domain, op). 0 or -ENOMEM. */
int ia_retire_merge(const struct ia_retire *r, struct ia_kstats *k);
void ia_retire_free(struct ia_retire *r);

#endif /* IA_RETIRE_H */
