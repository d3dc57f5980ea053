// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdlib.h>
#include <string.h>
#include "hist.h"

const char *ia_hist_op_name(unsigned int op)
{
	switch (op) {
	case IA_OP_MAP: return "map";
	case IA_OP_UNMAP: return "unmap";
	case IA_OP_MAP_SG: return "map_sg";
	case IA_OP_UNMAP_FAST: return "unmap_fast";
	default: return "unknown";
	}
}

void ia_hist_add(struct ia_hist *a, const struct ia_hist *b)
{
	for (int i = 0; i < IA_HIST_BUCKETS; i++)
		a->buckets[i] += b->buckets[i];
	a->sum_ns += b->sum_ns;
	a->max_ns = a->max_ns > b->max_ns ? a->max_ns : b->max_ns;
	a->calls += b->calls;
	a->errors += b->errors;
	a->bytes += b->bytes;
}

static __u64 bucket_high(int b)
{
	return b >= 63 ? ~0ULL : (1ULL << (b + 1)) - 1;
}

__u64 ia_hist_quantile(const struct ia_hist *h, double q)
{
	__u64 total = 0, want, seen = 0;

	for (int i = 0; i < IA_HIST_BUCKETS; i++)
		total += h->buckets[i];
	if (!total)
		return 0;
	want = (__u64)(q * (double)total + 0.999999);
	if (want < 1)
		want = 1;
	for (int i = 0; i < IA_HIST_BUCKETS; i++) {
		seen += h->buckets[i];
		if (seen >= want) {
			__u64 hi = bucket_high(i);

			return hi < h->max_ns || !h->max_ns ? hi : h->max_ns;
		}
	}
	return h->max_ns;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct ia_hist_entry *x = a, *y = b;

	if (x->key.flags != y->key.flags) /* live domains, then the freed ones per group */
		return x->key.flags < y->key.flags ? -1 : 1;
	if (x->key.domain != y->key.domain)
		return x->key.domain < y->key.domain ? -1 : 1;
	return (x->key.op > y->key.op) - (x->key.op < y->key.op);
}

void ia_hist_sort(struct ia_hist_entry *e, size_t n)
{
	if (n > 1)
		qsort(e, n, sizeof(*e), cmp_entry);
}

const struct ia_group *ia_hist_domain_group(const struct ia_model *m, __u64 domain)
{
	for (size_t i = 0; m && i < m->ngroups; i++) {
		const struct ia_group *g = &m->groups[i];

		if (g->domain == domain)
			return g;
		for (size_t k = 0; k < g->ndevs; k++)
			if (g->devs[k].domain == domain)
				return g;
	}
	return NULL;
}

int ia_hist_entry_group(const struct ia_model *m, const struct ia_hist_entry *e)
{
	const struct ia_group *g;

	if (e->key.flags & IA_HK_FREED)
		return (int)(__s64)e->key.domain;
	g = ia_hist_domain_group(m, e->key.domain);
	return g ? g->id : -1;
}

/* The group of an entry in the model, for its devices; NULL when unknown or gone. */
static const struct ia_group *entry_group(const struct ia_model *m, const struct ia_hist_entry *e)
{
	int id = ia_hist_entry_group(m, e);

	for (size_t i = 0; id >= 0 && m && i < m->ngroups; i++)
		if (m->groups[i].id == id)
			return &m->groups[i];
	return NULL;
}

static void text_bars(FILE *out, const struct ia_hist *h)
{
	__u64 peak = 0;
	int lo = IA_HIST_BUCKETS, hi = -1;

	for (int i = 0; i < IA_HIST_BUCKETS; i++) {
		if (!h->buckets[i])
			continue;
		lo = i < lo ? i : lo;
		hi = i;
		peak = h->buckets[i] > peak ? h->buckets[i] : peak;
	}
	if (hi < 0)
		return;
	fprintf(out, "%24s : %-10s distribution\n", "nsecs", "count");
	for (int i = lo; i <= hi; i++) {
		int stars = (int)(h->buckets[i] * 40 / peak);

		fprintf(out, "%10llu -> %-10llu : %-10llu |%-40.*s|\n",
			(unsigned long long)(i ? 1ULL << i : 0), (unsigned long long)bucket_high(i),
			(unsigned long long)h->buckets[i], stars,
			"****************************************");
	}
}

void ia_hist_print_text(FILE *out, const struct ia_hist_entry *e, size_t n, const struct ia_model *m)
{
	if (!n) {
		fputs("map/unmap: no calls\n", out);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const struct ia_hist *h = &e[i].h;
		const struct ia_group *g = entry_group(m, &e[i]);

		if (e[i].key.flags & IA_HK_FREED)
			fprintf(out, "\nfreed domains");
		else
			fprintf(out, "\ndomain %#llx", (unsigned long long)e[i].key.domain);
		if (g)
			fprintf(out, " (group %d%s%s)", g->id, g->ndevs ? " " : "", g->ndevs ? g->devs[0].name : "");
		else if (e[i].key.flags & IA_HK_FREED)
			fprintf(out, " (group %d)", ia_hist_entry_group(m, &e[i]));
		fprintf(out, " %s: %llu calls, %llu bytes, %llu errors; p50 %llu p90 %llu p99 %llu max %llu ns\n",
			ia_hist_op_name(e[i].key.op), (unsigned long long)h->calls,
			(unsigned long long)h->bytes, (unsigned long long)h->errors,
			(unsigned long long)ia_hist_quantile(h, 0.5),
			(unsigned long long)ia_hist_quantile(h, 0.9),
			(unsigned long long)ia_hist_quantile(h, 0.99), (unsigned long long)h->max_ns);
		text_bars(out, h);
	}
}

void ia_hist_json_fields(struct ia_json *j, const struct ia_hist *h, bool buckets)
{
	ia_json_kuint(j, "calls", h->calls);
	ia_json_kuint(j, "errors", h->errors);
	ia_json_kuint(j, "sum_ns", h->sum_ns);
	ia_json_kuint(j, "max_ns", h->max_ns);
	ia_json_kuint(j, "p50_ns", ia_hist_quantile(h, 0.5));
	ia_json_kuint(j, "p90_ns", ia_hist_quantile(h, 0.9));
	ia_json_kuint(j, "p99_ns", ia_hist_quantile(h, 0.99));
	if (!buckets)
		return;
	ia_json_key(j, "buckets");
	ia_json_arr_begin(j);
	for (int b = 0; b < IA_HIST_BUCKETS; b++)
		ia_json_uint(j, h->buckets[b]);
	ia_json_arr_end(j);
}

void ia_hist_print_json(struct ia_json *j, const struct ia_hist_entry *e, size_t n,
			const struct ia_model *m, const char *scope)
{
	for (size_t i = 0; i < n; i++) {
		const struct ia_hist *h = &e[i].h;
		const struct ia_group *g = entry_group(m, &e[i]);

		ia_json_obj_begin(j);
		ia_json_kstr(j, "type", "histogram");
		ia_json_kint(j, "schema", 1);
		ia_json_kstr(j, "scope", scope);
		if (e[i].key.flags & IA_HK_FREED) {
			ia_json_key(j, "domain");
			ia_json_null(j); /* the domains freed while they served the group */
		} else {
			ia_json_kptr(j, "domain", e[i].key.domain);
		}
		ia_json_kstr(j, "op", ia_hist_op_name(e[i].key.op));
		ia_json_kint(j, "group", ia_hist_entry_group(m, &e[i]));
		ia_json_key(j, "devices");
		ia_json_arr_begin(j);
		for (size_t k = 0; g && k < g->ndevs; k++)
			ia_json_str(j, g->devs[k].name);
		ia_json_arr_end(j);
		ia_json_kuint(j, "bytes", h->bytes);
		ia_hist_json_fields(j, h, true);
		ia_json_obj_end(j);
	}
}
