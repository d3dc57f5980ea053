// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Freed domains out of the kernel's histogram map (src/retire.c), against a
 * fake of the map: no call is lost or counted twice however the address is
 * reused, a flip or a take fails, or the epochs are flipped out of turn.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include "grow.h"
#include "kstats.h"
#include "retire.h"
#include "unit.h"

#define A 0xffff888100001000ull
#define B 0xffff888100002000ull
#define FAKE_MAX 32

/*
 * The kernel's map "hists": calls per (domain, op, epoch), the epoch the
 * programs count under now, and calls begun under an epoch that a flip
 * waits out before it returns (the grace period).
 */
struct fake {
	struct fake_entry {
		__u64 domain, epoch, calls;
		unsigned int op;
		bool used;
	} e[FAKE_MAX];
	__u64 epoch;
	struct fake_entry running[4];
	int nrunning;
	int flip_err;	  /* the next flip fails with this */
	bool flip_err_after_switch; /* ... having switched the epoch first */
	int take_err;	  /* the next take fails with this at take_err_op */
	unsigned int take_err_op;
	__u64 total;	  /* calls ever counted */
};

static struct fake_entry *slot(struct fake *f, __u64 domain, unsigned int op, __u64 epoch, bool make)
{
	struct fake_entry *free_slot = NULL;

	for (int i = 0; i < FAKE_MAX; i++) {
		struct fake_entry *e = &f->e[i];

		if (e->used && e->domain == domain && e->op == op && e->epoch == epoch)
			return e;
		if (!e->used && !free_slot)
			free_slot = e;
	}
	if (make && free_slot)
		*free_slot = (struct fake_entry){ .domain = domain, .op = op, .epoch = epoch, .used = true };
	return make ? free_slot : NULL;
}

static void count(struct fake *f, __u64 domain, unsigned int op, __u64 n)
{
	slot(f, domain, op, f->epoch, true)->calls += n;
	f->total += n;
}

/* A call whose program read the epoch and holds its entry, not yet added. */
static void begin(struct fake *f, __u64 domain, unsigned int op)
{
	f->running[f->nrunning++] = (struct fake_entry){ .domain = domain, .op = op, .epoch = f->epoch,
							  .calls = 1 };
}

static void end_running(struct fake *f)
{
	for (int i = 0; i < f->nrunning; i++) {
		struct fake_entry *r = &f->running[i];

		slot(f, r->domain, r->op, r->epoch, true)->calls += r->calls;
		f->total += r->calls;
	}
	f->nrunning = 0;
}

static int fake_flip(void *ctx, __u64 *quiet)
{
	struct fake *f = ctx;
	__u64 old = f->epoch;
	int err = f->flip_err;

	f->flip_err = 0;
	if (err) {
		if (f->flip_err_after_switch)
			f->epoch = old ^ IA_HK_EPOCH;
		return err;
	}
	f->epoch = old ^ IA_HK_EPOCH;
	end_running(f); /* the grace period: what ran has returned */
	*quiet = old;
	return 0;
}

static int fake_take(void *ctx, __u64 domain, __u64 epoch, struct ia_hist h[IA_OP_MAX],
		     bool have[IA_OP_MAX])
{
	struct fake *f = ctx;

	for (unsigned int op = 0; op < IA_OP_MAX; op++) {
		struct fake_entry *e;

		if (f->take_err && op == f->take_err_op) {
			int err = f->take_err;

			f->take_err = 0;
			return err;
		}
		e = slot(f, domain, op, epoch, false);
		have[op] = e != NULL;
		if (!e)
			continue;
		memset(&h[op], 0, sizeof(h[op]));
		h[op].calls = e->calls;
		h[op].buckets[10] = e->calls;
		e->used = false;
	}
	return 0;
}

static struct ia_retire_ops fake_ops(struct fake *f)
{
	return (struct ia_retire_ops){ .ctx = f, .flip = fake_flip, .take = fake_take };
}

static __u64 freed_calls(const struct ia_kstats *k, int group)
{
	__u64 n = 0;

	for (size_t i = 0; i < k->nhists; i++)
		if ((k->hists[i].key.flags & IA_HK_FREED) && (int)(__s64)k->hists[i].key.domain == group)
			n += k->hists[i].h.calls;
	return n;
}

/* What a read shows of a live domain: the map's entries, both epochs, and what waits. */
static __u64 live_calls(const struct fake *f, const struct ia_retire *r, __u64 domain, int *failed)
{
	struct ia_kstats k = { 0 };
	__u64 n = 0;

	for (int i = 0; i < FAKE_MAX; i++) {
		if (!f->e[i].used)
			continue;
		CHECK_INT(ia_grow((void **)&k.hists, &k.hists_cap, k.nhists + 1, sizeof(*k.hists)), 0);
		k.hists[k.nhists++] = (struct ia_hist_entry){
			.key = { .domain = f->e[i].domain, .op = f->e[i].op },
			.h = { .calls = f->e[i].calls } };
	}
	CHECK_INT(ia_retire_merge(r, &k), 0);
	for (size_t i = 0; i < k.nhists; i++) {
		CHECK(i == 0 || memcmp(&k.hists[i - 1].key, &k.hists[i].key, sizeof(k.hists[i].key)));
		if (!k.hists[i].key.flags && k.hists[i].key.domain == domain)
			n += k.hists[i].h.calls;
	}
	ia_kstats_free(&k);
	return n;
}

static int map_entries(const struct fake *f)
{
	int n = 0;

	for (int i = 0; i < FAKE_MAX; i++)
		n += f->e[i].used;
	return n;
}

UNIT_TEST(retire_takes_both_epochs_and_never_dips)
{
	struct fake f = { 0 };
	const struct ia_retire_ops ops = fake_ops(&f);
	struct ia_retire r = { 0 };
	struct ia_kstats freed = { 0 };

	CHECK_INT(ia_retire_step(&r, &ops, &freed, NULL), 0); /* nothing waits: no flip */
	CHECK_INT(f.epoch, 0);
	count(&f, A, IA_OP_MAP, 3);
	f.epoch = IA_HK_EPOCH; /* an earlier step flipped */
	count(&f, A, IA_OP_MAP, 2);
	count(&f, A, IA_OP_UNMAP, 4);
	CHECK_INT(ia_retire_add(&r, A, 7), 0);
	CHECK(ia_retire_waiting(&r));
	CHECK_INT(live_calls(&f, &r, A, failed), 9);

	CHECK_INT(ia_retire_step(&r, &ops, &freed, NULL), 0); /* takes epoch 4 */
	CHECK(ia_retire_waiting(&r));
	CHECK_INT(map_entries(&f), 1);
	CHECK_INT(freed_calls(&freed, 7), 0);
	CHECK_INT(live_calls(&f, &r, A, failed), 9); /* the taken part still counts as A's */

	CHECK_INT(ia_retire_step(&r, &ops, &freed, NULL), 0); /* takes epoch 0 */
	CHECK(!ia_retire_waiting(&r));
	CHECK_INT(map_entries(&f), 0);
	CHECK_INT(freed_calls(&freed, 7), 9);
	CHECK_INT(freed.nhists, 2); /* map and unmap of group 7 */
	CHECK_INT(live_calls(&f, &r, A, failed), 0);
	ia_kstats_free(&freed);
	ia_retire_free(&r);
}

UNIT_TEST(retire_address_reused_loses_no_call)
{
	struct fake f = { 0 };
	const struct ia_retire_ops ops = fake_ops(&f);
	struct ia_retire r = { 0 };
	struct ia_kstats freed = { 0 };

	count(&f, A, IA_OP_MAP, 5);
	CHECK_INT(ia_retire_add(&r, A, 1), 0);
	/* a new domain at A counts at once: one call under way while the step runs */
	count(&f, A, IA_OP_MAP, 1);
	begin(&f, A, IA_OP_MAP);
	CHECK_INT(ia_retire_step(&r, &ops, &freed, NULL), 0);
	count(&f, A, IA_OP_MAP, 2); /* the new domain, in the new epoch */
	begin(&f, A, IA_OP_MAP);
	CHECK_INT(ia_retire_step(&r, &ops, &freed, NULL), 0);
	CHECK(!ia_retire_waiting(&r));
	/*
	 * every call is counted once; those the new domain made before the
	 * second step go with the freed one's group (the key cannot tell them
	 * apart), as they did when the entries were taken at the free record
	 */
	CHECK_INT(f.total, 10);
	CHECK_INT(freed_calls(&freed, 1), 10);
	CHECK_INT(map_entries(&f), 0);

	/* the new domain counts on, and is freed in turn: those calls under its group */
	count(&f, A, IA_OP_MAP, 4);
	CHECK_INT(ia_retire_add(&r, A, 2), 0);
	CHECK_INT(live_calls(&f, &r, A, failed), 4);
	CHECK_INT(ia_retire_step(&r, &ops, &freed, NULL), 0);
	CHECK_INT(ia_retire_step(&r, &ops, &freed, NULL), 0);
	CHECK_INT(freed_calls(&freed, 2), 4);
	CHECK_INT(freed_calls(&freed, 1) + freed_calls(&freed, 2), f.total);
	CHECK_INT(map_entries(&f), 0);
	ia_kstats_free(&freed);
	ia_retire_free(&r);
}

UNIT_TEST(retire_failed_flips_take_nothing_and_both_epochs_still_go)
{
	struct fake f = { 0 };
	const struct ia_retire_ops ops = fake_ops(&f);
	struct ia_retire r = { 0 };
	struct ia_kstats freed = { 0 };

	count(&f, A, IA_OP_MAP, 1);
	f.epoch = IA_HK_EPOCH;
	count(&f, A, IA_OP_MAP, 2);
	CHECK_INT(ia_retire_add(&r, A, 3), 0);
	f.flip_err = -EPERM;
	CHECK_INT(ia_retire_step(&r, &ops, &freed, NULL), -EPERM);
	CHECK_INT(map_entries(&f), 2);
	CHECK_INT(live_calls(&f, &r, A, failed), 3);

	CHECK_INT(ia_retire_step(&r, &ops, &freed, NULL), 0); /* quiet: 4 */
	/* switched, then failed: the next good flip quiets epoch 4 again */
	f.flip_err = -EINTR;
	f.flip_err_after_switch = true;
	CHECK_INT(ia_retire_step(&r, &ops, &freed, NULL), -EINTR);
	CHECK_INT(ia_retire_step(&r, &ops, &freed, NULL), 0);
	CHECK(ia_retire_waiting(&r)); /* epoch 0 not taken yet */
	CHECK_INT(live_calls(&f, &r, A, failed), 3);
	CHECK_INT(ia_retire_step(&r, &ops, &freed, NULL), 0);
	CHECK(!ia_retire_waiting(&r));
	CHECK_INT(freed_calls(&freed, 3), 3);
	CHECK_INT(map_entries(&f), 0);
	ia_kstats_free(&freed);
	ia_retire_free(&r);
}

UNIT_TEST(retire_failed_take_keeps_what_it_took)
{
	struct fake f = { 0 };
	const struct ia_retire_ops ops = fake_ops(&f);
	struct ia_retire r = { 0 };
	struct ia_kstats freed = { 0 };

	count(&f, A, IA_OP_MAP, 2);
	count(&f, A, IA_OP_UNMAP, 3);
	count(&f, B, IA_OP_MAP, 4);
	CHECK_INT(ia_retire_add(&r, A, 5), 0);
	CHECK_INT(ia_retire_add(&r, B, -9), 0); /* no group known: -1 */
	f.take_err = -ENOMEM;
	f.take_err_op = IA_OP_UNMAP; /* B, taken first: its map out, then a failure */
	CHECK_INT(ia_retire_step(&r, &ops, &freed, NULL), -ENOMEM);
	CHECK_INT(live_calls(&f, &r, A, failed), 5);
	CHECK_INT(live_calls(&f, &r, B, failed), 4);
	CHECK_INT(map_entries(&f), 0);
	CHECK_INT(ia_retire_step(&r, &ops, &freed, NULL), 0);
	CHECK(ia_retire_waiting(&r)); /* B has epoch 4 only: epoch 0 failed */
	CHECK_INT(freed_calls(&freed, 5), 5);
	CHECK_INT(ia_retire_step(&r, &ops, &freed, NULL), 0);
	CHECK(!ia_retire_waiting(&r));
	CHECK_INT(freed_calls(&freed, 5), 5);
	CHECK_INT(freed_calls(&freed, -1), 4);
	CHECK_INT(map_entries(&f), 0);
	ia_kstats_free(&freed);
	ia_retire_free(&r);
}

UNIT_TEST(retire_folds_the_last_view)
{
	struct fake f = { 0 };
	const struct ia_retire_ops ops = fake_ops(&f);
	struct ia_retire r = { 0 };
	struct ia_kstats freed = { 0 }, last = { 0 };

	count(&f, A, IA_OP_MAP, 6);
	CHECK_INT(ia_grow((void **)&last.hists, &last.hists_cap, 1, sizeof(*last.hists)), 0);
	last.hists[last.nhists++] = (struct ia_hist_entry){ .key = { .domain = A, .op = IA_OP_MAP },
							    .h = { .calls = 6 } };
	CHECK_INT(ia_retire_add(&r, A, 4), 0);
	CHECK_INT(ia_retire_step(&r, &ops, &freed, &last), 0);
	CHECK_INT(last.nhists, 1);
	CHECK(!last.hists[0].key.flags); /* still A's until it is done */
	CHECK_INT(ia_retire_step(&r, &ops, &freed, &last), 0);
	CHECK_INT(last.nhists, 1);
	CHECK(last.hists[0].key.flags == IA_HK_FREED && last.hists[0].key.domain == 4);
	CHECK_INT(last.hists[0].h.calls, 6);
	ia_kstats_free(&last);
	ia_kstats_free(&freed);
	ia_retire_free(&r);
}

UNIT_TEST(kstats_sort_sums_entries_of_one_key)
{
	struct ia_kstats k = { 0 };

	CHECK_INT(ia_grow((void **)&k.hists, &k.hists_cap, 3, sizeof(*k.hists)), 0);
	k.hists[k.nhists++] = (struct ia_hist_entry){ .key = { .domain = B, .op = 0 }, .h = { .calls = 1 } };
	k.hists[k.nhists++] = (struct ia_hist_entry){ .key = { .domain = A, .op = 0 },
						      .h = { .calls = 2, .max_ns = 9 } };
	k.hists[k.nhists++] = (struct ia_hist_entry){ .key = { .domain = B, .op = 0 },
						      .h = { .calls = 3, .max_ns = 5 } };
	ia_kstats_sort(&k);
	CHECK_INT(k.nhists, 2);
	CHECK_INT(k.hists[0].key.domain == A, 1);
	CHECK_INT(k.hists[1].h.calls, 4);
	CHECK_INT(k.hists[1].h.max_ns, 5);
	ia_kstats_free(&k);
}
