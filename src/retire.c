// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Freed domains out of the kernel's histogram map; see include/retire.h. */
#include <errno.h>
#include <string.h>
#include <stdlib.h>
#include "grow.h"
#include "retire.h"

#define BOTH_EPOCHS 3u

static unsigned int epoch_bit(__u64 epoch)
{
	return epoch ? 2u : 1u;
}

int ia_retire_add(struct ia_retire *r, __u64 domain, int group)
{
	int err = ia_grow((void **)&r->v, &r->cap, r->n + 1, sizeof(*r->v));

	if (err)
		return err;
	memset(&r->v[r->n], 0, sizeof(r->v[r->n]));
	r->v[r->n].domain = domain;
	r->v[r->n++].group = group < 0 ? -1 : group;
	return 0;
}

/* A domain taken in both epochs: into freed (and last), out of the list. */
static int finish(struct ia_retire *r, size_t i, struct ia_kstats *freed, struct ia_kstats *last)
{
	struct ia_retiring *d = &r->v[i];
	int err = 0;

	for (unsigned int op = 0; !err && op < IA_OP_MAX; op++) {
		if (!d->h[op].calls && !d->h[op].errors)
			continue;
		err = ia_kstats_add_freed(freed, d->group, op, &d->h[op]);
		if (!err) /* added: a retry after a later failure must not add it again */
			memset(&d->h[op], 0, sizeof(d->h[op]));
	}
	if (!err && last)
		err = ia_kstats_fold_domain(last, d->domain, d->group);
	if (err)
		return err; /* still waiting: its sums stay counted as the domain's */
	r->v[i] = r->v[--r->n];
	return 0;
}

/* The quiet epoch's entries of domain i, added to what it has. */
static int take_one(struct ia_retire *r, size_t i, const struct ia_retire_ops *ops, __u64 epoch)
{
	struct ia_retiring *d = &r->v[i];
	struct ia_hist h[IA_OP_MAX];
	bool have[IA_OP_MAX] = { false };
	int err = ops->take(ops->ctx, d->domain, epoch, h, have);

	for (unsigned int op = 0; op < IA_OP_MAX; op++)
		if (have[op]) /* out of the kernel's map even when a later op failed */
			ia_hist_add(&d->h[op], &h[op]);
	if (!err)
		d->taken |= epoch_bit(epoch);
	return err;
}

int ia_retire_step(struct ia_retire *r, const struct ia_retire_ops *ops, struct ia_kstats *freed,
		   struct ia_kstats *last)
{
	__u64 quiet;
	int err, first = 0;

	if (!r->n)
		return 0;
	err = ops->flip(ops->ctx, &quiet);
	if (err)
		return err;
	for (size_t i = r->n; i-- > 0;) { /* from the end: finish() moves the last into i */
		err = take_one(r, i, ops, quiet);
		if (!err && r->v[i].taken == BOTH_EPOCHS)
			err = finish(r, i, freed, last);
		if (err && !first)
			first = err;
	}
	return first;
}

int ia_retire_merge(const struct ia_retire *r, struct ia_kstats *k)
{
	for (size_t i = 0; i < r->n; i++) {
		for (unsigned int op = 0; op < IA_OP_MAX; op++) {
			const struct ia_hist *h = &r->v[i].h[op];
			int err;

			if (!h->calls && !h->errors)
				continue;
			err = ia_grow((void **)&k->hists, &k->hists_cap, k->nhists + 1, sizeof(*k->hists));
			if (err)
				return err;
			k->hists[k->nhists++] = (struct ia_hist_entry){
				.key = { .domain = r->v[i].domain, .op = op }, .h = *h };
		}
	}
	ia_kstats_sort(k); /* sums them with the kernel's entries of the same domain */
	return 0;
}

void ia_retire_free(struct ia_retire *r)
{
	free(r->v);
	memset(r, 0, sizeof(*r));
}
