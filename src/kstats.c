// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The kernel side's aggregates: tables, HIST frame encoding, ioctl views; see include/kstats.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "grow.h"
#include "hooks.h"
#include "kstats.h"

/* HIST frame tags */
enum {
	KT_MONO = 1,	  /* u64 */
	KT_SUBMITTED = 2, /* u64 */
	KT_DROPS = 3,	  /* u64 */
	KT_HIST = 4,	  /* nested: KH_* and the histogram's HT_* */
	KT_IOCTL = 5,	  /* nested: KI_NR and HT_* */
	KT_FAULT = 6,	  /* nested: KF_* */
	KT_FULL = 7,	  /* nested: KM_*, what the kernel's maps could not take */
};
enum { KH_DOMAIN = 1, KH_OP = 2, KH_FLAGS = 3 };
enum { KM_HIST_STARTS = 1, KM_HISTS = 2, KM_IOCTLS = 3, KM_FAULTS = 4, KM_UNSTARTED = 5 };
enum { KI_NR = 1 };
enum { KF_DEV = 1, KF_N = 2 };
/* struct ia_hist, inside KT_HIST and KT_IOCTL (tags above 16) */
enum {
	HT_BUCKETS = 17, /* IA_HIST_BUCKETS little-endian u64s (fewer: the rest 0) */
	HT_SUM = 18,
	HT_MAX = 19,
	HT_CALLS = 20,
	HT_ERRORS = 21,
	HT_BYTES = 22,
};

void ia_kstats_free(struct ia_kstats *k)
{
	free(k->hists);
	free(k->ioctls);
	free(k->faults);
	memset(k, 0, sizeof(*k));
}

static int cmp_ioctl(const void *a, const void *b)
{
	const struct ia_ioctl_stat *x = a, *y = b;

	return (x->nr > y->nr) - (x->nr < y->nr);
}

static int cmp_fault(const void *a, const void *b)
{
	const struct ia_fault_stat *x = a, *y = b;

	return strcmp(x->dev, y->dev);
}

/* Entries of one key, adjacent once sorted, summed into one. */
static void coalesce_hists(struct ia_kstats *k)
{
	size_t n = 0;

	for (size_t i = 0; i < k->nhists; i++) {
		if (n && !memcmp(&k->hists[n - 1].key, &k->hists[i].key, sizeof(k->hists[i].key)))
			ia_hist_add(&k->hists[n - 1].h, &k->hists[i].h);
		else
			k->hists[n++] = k->hists[i];
	}
	k->nhists = n;
}

void ia_kstats_sort(struct ia_kstats *k)
{
	ia_hist_sort(k->hists, k->nhists);
	coalesce_hists(k);
	if (k->nioctls > 1)
		qsort(k->ioctls, k->nioctls, sizeof(*k->ioctls), cmp_ioctl);
	if (k->nfaults > 1)
		qsort(k->faults, k->nfaults, sizeof(*k->faults), cmp_fault);
}

const struct ia_ioctl_stat *ia_kstats_ioctl(const struct ia_kstats *k, unsigned int nr)
{
	for (size_t i = 0; i < k->nioctls; i++)
		if (k->ioctls[i].nr == nr)
			return &k->ioctls[i];
	return NULL;
}

const char *ia_ioctl_nr_name(unsigned int nr, char *buf, size_t len)
{
	return ia_iommufd_cmd_name(((unsigned int)';' << 8) | (nr & 0xff), buf, len);
}

/* ---- encoding ---- */

static void put_hist(struct ia_buf *b, const struct ia_hist *h)
{
	size_t pos = ia_tlv_open(b, HT_BUCKETS);

	for (int i = 0; i < IA_HIST_BUCKETS; i++)
		ia_buf_put_le64(b, h->buckets[i]);
	ia_tlv_close(b, pos);
	ia_tlv_u64(b, HT_SUM, h->sum_ns);
	ia_tlv_u64(b, HT_MAX, h->max_ns);
	ia_tlv_u64(b, HT_CALLS, h->calls);
	ia_tlv_u64(b, HT_ERRORS, h->errors);
	ia_tlv_u64(b, HT_BYTES, h->bytes);
}

int ia_kstats_encode(struct ia_buf *b, const struct ia_kstats *k)
{
	size_t pos;

	ia_tlv_u64(b, KT_MONO, k->mono_ns);
	ia_tlv_u64(b, KT_SUBMITTED, k->submitted);
	ia_tlv_u64(b, KT_DROPS, k->drops);
	for (size_t i = 0; i < k->nhists; i++) {
		pos = ia_tlv_open(b, KT_HIST);
		ia_tlv_u64(b, KH_DOMAIN, k->hists[i].key.domain);
		ia_tlv_u32(b, KH_OP, k->hists[i].key.op);
		if (k->hists[i].key.flags)
			ia_tlv_u32(b, KH_FLAGS, k->hists[i].key.flags);
		put_hist(b, &k->hists[i].h);
		ia_tlv_close(b, pos);
	}
	for (size_t i = 0; i < k->nioctls; i++) {
		pos = ia_tlv_open(b, KT_IOCTL);
		ia_tlv_u32(b, KI_NR, k->ioctls[i].nr);
		put_hist(b, &k->ioctls[i].h);
		ia_tlv_close(b, pos);
	}
	for (size_t i = 0; i < k->nfaults; i++) {
		pos = ia_tlv_open(b, KT_FAULT);
		ia_tlv_str(b, KF_DEV, k->faults[i].dev, IA_NAME_LEN - 1);
		ia_tlv_u64(b, KF_N, k->faults[i].n);
		ia_tlv_close(b, pos);
	}
	if (k->have_full) {
		pos = ia_tlv_open(b, KT_FULL);
		ia_tlv_u64(b, KM_HIST_STARTS, k->full.hist_starts);
		ia_tlv_u64(b, KM_HISTS, k->full.hists);
		ia_tlv_u64(b, KM_IOCTLS, k->full.ioctls);
		ia_tlv_u64(b, KM_FAULTS, k->full.faults);
		ia_tlv_u64(b, KM_UNSTARTED, k->full.unstarted);
		ia_tlv_close(b, pos);
	}
	return b->err;
}

/* ---- decoding ---- */

static int get_u64(const struct ia_tlv *t, __u64 max, __u64 *v)
{
	int err = ia_tlv_uint(t, v);

	return err ? err : *v > max ? -EBADMSG : 0;
}

/* One of the HT_* fields into h; unknown tags are skipped. */
static int hist_field(const struct ia_tlv *t, struct ia_hist *h)
{
	switch (t->tag) {
	case HT_BUCKETS:
		if (t->len % 8 || t->len / 8 > IA_HIST_BUCKETS)
			return -EBADMSG;
		for (__u32 i = 0; i < t->len / 8; i++)
			h->buckets[i] = ia_get_le64(t->val + 8 * i);
		return 0;
	case HT_SUM: return get_u64(t, ~0ull, &h->sum_ns);
	case HT_MAX: return get_u64(t, ~0ull, &h->max_ns);
	case HT_CALLS: return get_u64(t, ~0ull, &h->calls);
	case HT_ERRORS: return get_u64(t, ~0ull, &h->errors);
	case HT_BYTES: return get_u64(t, ~0ull, &h->bytes);
	default: return 0;
	}
}

/* A key of a histogram entry: its tag, largest value, and where it goes. */
struct key_spec {
	__u16 tag;
	__u64 max;
	__u64 *val;
};

/* A KT_HIST or KT_IOCTL entry being decoded: its keys, then the histogram's fields. */
struct entry {
	const struct key_spec *keys;
	size_t nkeys;
	struct ia_hist *h;
};

static int entry_field(const struct ia_tlv *t, void *ctx)
{
	const struct entry *e = ctx;
	size_t k = 0;

	while (k < e->nkeys && e->keys[k].tag != t->tag)
		k++;
	return k < e->nkeys ? get_u64(t, e->keys[k].max, e->keys[k].val) : hist_field(t, e->h);
}

static int decode_hist(const struct ia_tlv *in, struct ia_hist_entry *e)
{
	__u64 op = 0, flags = 0;
	const struct key_spec keys[] = { { KH_DOMAIN, ~0ull, &e->key.domain },
					 { KH_OP, IA_OP_MAX - 1, &op },
					 { KH_FLAGS, IA_HK_FREED, &flags } };
	struct entry en = { keys, 3, &e->h };
	int err = ia_tlv_decode(in->val, in->len, entry_field, &en);

	e->key.op = (__u32)op;
	e->key.flags = (__u32)flags;
	return err;
}

static int decode_ioctl(const struct ia_tlv *in, struct ia_ioctl_stat *s)
{
	__u64 nr = 0;
	const struct key_spec keys[] = { { KI_NR, IA_IOCTL_NRS - 1, &nr } };
	struct entry en = { keys, 1, &s->h };
	int err = ia_tlv_decode(in->val, in->len, entry_field, &en);

	s->nr = (__u32)nr;
	return err;
}

static int full_field(const struct ia_tlv *t, void *ctx)
{
	struct ia_map_full *f = ctx;

	switch (t->tag) {
	case KM_HIST_STARTS: return get_u64(t, ~0ull, &f->hist_starts);
	case KM_HISTS: return get_u64(t, ~0ull, &f->hists);
	case KM_IOCTLS: return get_u64(t, ~0ull, &f->ioctls);
	case KM_FAULTS: return get_u64(t, ~0ull, &f->faults);
	case KM_UNSTARTED: return get_u64(t, ~0ull, &f->unstarted);
	default: return 0;
	}
}

static int fault_field(const struct ia_tlv *t, void *ctx)
{
	struct ia_fault_stat *f = ctx;

	if (t->tag == KF_DEV)
		ia_tlv_strcpy(t, f->dev, sizeof(f->dev));
	else if (t->tag == KF_N)
		return get_u64(t, ~0ull, &f->n);
	return 0;
}

/* Size the tables from a first pass, so no count is trusted blindly. */
static int alloc_tables(const void *p, size_t len, struct ia_kstats *k)
{
	size_t nh, ni, nf;
	int err;

	err = ia_tlv_count(p, len, KT_HIST, &nh);
	if (!err)
		err = ia_tlv_count(p, len, KT_IOCTL, &ni);
	if (!err)
		err = ia_tlv_count(p, len, KT_FAULT, &nf);
	if (err)
		return err;
	if (nh > IA_KSTATS_MAX_HISTS || ni > IA_IOCTL_NRS || nf > IA_KSTATS_MAX_FAULTS)
		return -E2BIG;
	k->hists = nh ? calloc(nh, sizeof(*k->hists)) : NULL;
	k->ioctls = ni ? calloc(ni, sizeof(*k->ioctls)) : NULL;
	k->faults = nf ? calloc(nf, sizeof(*k->faults)) : NULL;
	if ((nh && !k->hists) || (ni && !k->ioctls) || (nf && !k->faults))
		return -ENOMEM;
	k->hists_cap = nh;
	k->ioctls_cap = ni;
	k->faults_cap = nf;
	return 0;
}

static int kstats_field(const struct ia_tlv *t, void *ctx)
{
	struct ia_kstats *k = ctx;

	switch (t->tag) {
	case KT_MONO: return get_u64(t, ~0ull, &k->mono_ns);
	case KT_SUBMITTED: return get_u64(t, ~0ull, &k->submitted);
	case KT_DROPS: return get_u64(t, ~0ull, &k->drops);
	case KT_HIST: return decode_hist(t, &k->hists[k->nhists++]);
	case KT_IOCTL: return decode_ioctl(t, &k->ioctls[k->nioctls++]);
	case KT_FAULT: return ia_tlv_decode(t->val, t->len, fault_field, &k->faults[k->nfaults++]);
	case KT_FULL:
		k->have_full = true;
		return ia_tlv_decode(t->val, t->len, full_field, &k->full);
	default: return 0;
	}
}

int ia_kstats_decode(const void *p, size_t len, struct ia_kstats *k)
{
	int err;

	memset(k, 0, sizeof(*k));
	err = alloc_tables(p, len, k);
	if (!err)
		err = ia_tlv_decode(p, len, kstats_field, k);
	if (!err)
		ia_kstats_sort(k);
	return err;
}

/* ---- views ---- */

void ia_kstats_print_ioctls_text(FILE *out, const struct ia_kstats *k)
{
	char buf[16];

	for (size_t i = 0; i < k->nioctls; i++) {
		const struct ia_hist *h = &k->ioctls[i].h;

		fprintf(out, "iommufd ioctl %-24s %llu (%llu failed); p50 %llu p99 %llu max %llu ns\n",
			ia_ioctl_nr_name(k->ioctls[i].nr, buf, sizeof(buf)), (unsigned long long)h->calls,
			(unsigned long long)h->errors, (unsigned long long)ia_hist_quantile(h, 0.5),
			(unsigned long long)ia_hist_quantile(h, 0.99), (unsigned long long)h->max_ns);
	}
}

void ia_kstats_print_ioctls_json(struct ia_json *j, const struct ia_kstats *k, const char *scope)
{
	char buf[16];

	for (size_t i = 0; i < k->nioctls; i++) {
		const struct ia_hist *h = &k->ioctls[i].h;

		ia_json_obj_begin(j);
		ia_json_kstr(j, "type", "ioctl");
		ia_json_kint(j, "schema", 1);
		ia_json_kstr(j, "scope", scope);
		ia_json_kstr(j, "command", ia_ioctl_nr_name(k->ioctls[i].nr, buf, sizeof(buf)));
		ia_json_kuint(j, "nr", k->ioctls[i].nr);
		ia_hist_json_fields(j, h, true);
		ia_json_obj_end(j);
	}
}

/* ---- intervals ---- */

static void hist_sub(struct ia_hist *d, const struct ia_hist *cur, const struct ia_hist *prev)
{
	for (int i = 0; i < IA_HIST_BUCKETS; i++)
		d->buckets[i] = cur->buckets[i] - prev->buckets[i];
	d->sum_ns = cur->sum_ns - prev->sum_ns;
	d->calls = cur->calls - prev->calls;
	d->errors = cur->errors - prev->errors;
	d->bytes = cur->bytes - prev->bytes;
	/* the run's maximum is the interval's only when it grew in it; else unknown (0) */
	d->max_ns = cur->max_ns > prev->max_ns ? cur->max_ns : 0;
}

static const struct ia_hist *prev_hist(const struct ia_kstats *p, const struct ia_hist_key *k)
{
	for (size_t i = 0; p && i < p->nhists; i++)
		if (p->hists[i].key.domain == k->domain && p->hists[i].key.op == k->op &&
		    p->hists[i].key.flags == k->flags)
			return &p->hists[i].h;
	return NULL;
}

int ia_kstats_delta(const struct ia_kstats *cur, const struct ia_kstats *prev, struct ia_kstats *d)
{
	static const struct ia_hist zero;

	memset(d, 0, sizeof(*d));
	d->mono_ns = cur->mono_ns;
	d->submitted = cur->submitted - (prev ? prev->submitted : 0);
	d->drops = cur->drops - (prev ? prev->drops : 0);
	d->have_full = cur->have_full;
	d->full = cur->full;
	if (prev && prev->have_full) {
		d->full.hist_starts -= prev->full.hist_starts;
		d->full.hists -= prev->full.hists;
		d->full.ioctls -= prev->full.ioctls;
		d->full.faults -= prev->full.faults;
		d->full.unstarted -= prev->full.unstarted;
	}
	d->hists = cur->nhists ? calloc(cur->nhists, sizeof(*d->hists)) : NULL;
	d->ioctls = cur->nioctls ? calloc(cur->nioctls, sizeof(*d->ioctls)) : NULL;
	if ((cur->nhists && !d->hists) || (cur->nioctls && !d->ioctls)) {
		ia_kstats_free(d);
		return -ENOMEM;
	}
	d->hists_cap = cur->nhists;
	d->ioctls_cap = cur->nioctls;
	for (size_t i = 0; i < cur->nhists; i++) {
		const struct ia_hist *p = prev_hist(prev, &cur->hists[i].key);
		struct ia_hist_entry *e = &d->hists[d->nhists];

		e->key = cur->hists[i].key;
		hist_sub(&e->h, &cur->hists[i].h, p ? p : &zero);
		d->nhists += e->h.calls != 0;
	}
	for (size_t i = 0; i < cur->nioctls; i++) {
		const struct ia_ioctl_stat *p = prev ? ia_kstats_ioctl(prev, cur->ioctls[i].nr) : NULL;
		struct ia_ioctl_stat *e = &d->ioctls[d->nioctls];

		e->nr = cur->ioctls[i].nr;
		hist_sub(&e->h, &cur->ioctls[i].h, p ? &p->h : &zero);
		d->nioctls += e->h.calls != 0;
	}
	return 0;
}

/* ---- freed domains ---- */

static struct ia_hist_entry *find_entry(struct ia_kstats *k, const struct ia_hist_key *key)
{
	for (size_t i = 0; i < k->nhists; i++)
		if (!memcmp(&k->hists[i].key, key, sizeof(*key)))
			return &k->hists[i];
	return NULL;
}

int ia_kstats_add_freed(struct ia_kstats *k, int group, unsigned int op, const struct ia_hist *h)
{
	struct ia_hist_key key = { .domain = (__u64)(__s64)(group < 0 ? -1 : group), .op = op,
				   .flags = IA_HK_FREED };
	struct ia_hist_entry *e = find_entry(k, &key);
	int err;

	if (!e) {
		err = ia_grow((void **)&k->hists, &k->hists_cap, k->nhists + 1, sizeof(*k->hists));
		if (err)
			return err;
		e = &k->hists[k->nhists++];
		memset(e, 0, sizeof(*e));
		e->key = key;
	}
	ia_hist_add(&e->h, h);
	return 0;
}

int ia_kstats_fold_domain(struct ia_kstats *k, __u64 domain, int group)
{
	int err = 0;

	for (size_t i = 0; !err && i < k->nhists; i++) {
		struct ia_hist_entry e = k->hists[i];

		if (e.key.flags || e.key.domain != domain)
			continue;
		k->hists[i--] = k->hists[--k->nhists];
		err = ia_kstats_add_freed(k, group, e.key.op, &e.h);
	}
	ia_kstats_sort(k);
	return err;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

int ia_kstats_forget_groups(struct ia_kstats *k, const int *ids, size_t nids)
{
	int err = 0;

	for (size_t i = 0; !err && i < k->nhists; i++) {
		struct ia_hist_entry e = k->hists[i];
		int group = (int)(__s64)e.key.domain;

		if (!(e.key.flags & IA_HK_FREED) || group < 0 ||
		    (nids && bsearch(&group, ids, nids, sizeof(*ids), cmp_int)))
			continue;
		k->hists[i--] = k->hists[--k->nhists];
		err = ia_kstats_add_freed(k, -1, e.key.op, &e.h);
	}
	ia_kstats_sort(k);
	return err;
}

int ia_kstats_merge_hists(struct ia_kstats *k, const struct ia_kstats *from)
{
	for (size_t i = 0; i < from->nhists; i++) {
		struct ia_hist_entry *e = find_entry(k, &from->hists[i].key);
		int err;

		if (e) {
			ia_hist_add(&e->h, &from->hists[i].h);
			continue;
		}
		err = ia_grow((void **)&k->hists, &k->hists_cap, k->nhists + 1, sizeof(*k->hists));
		if (err)
			return err;
		k->hists[k->nhists++] = from->hists[i];
	}
	ia_kstats_sort(k);
	return 0;
}
