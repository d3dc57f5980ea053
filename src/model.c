// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The ownership model's containers and verdicts. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "grow.h"
#include "model.h"

void ia_strlcpy(char *dst, const char *src, size_t size)
{
	size_t n;

	if (!size)
		return;
	n = src ? strnlen(src, size - 1) : 0;
	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

void ia_model_init(struct ia_model *m)
{
	memset(m, 0, sizeof(*m));
}

static void group_free(struct ia_group *g)
{
	free(g->devs);
	free(g->resv);
}

void ia_model_free(struct ia_model *m)
{
	for (size_t i = 0; i < m->ngroups; i++)
		group_free(&m->groups[i]);
	free(m->groups);
	ia_u64map_free(&m->by_id);
	ia_u64map_free(&m->by_dev);
	ia_model_init(m);
}

/*
 * The indexes from scratch: every group by id, every device by name. A
 * failed put leaves an entry out, which costs a scan, never a wrong answer.
 */
static void index_rebuild(struct ia_model *m)
{
	ia_u64map_clear(&m->by_id);
	ia_u64map_clear(&m->by_dev);
	for (size_t i = 0; i < m->ngroups; i++) {
		const struct ia_group *g = &m->groups[i];

		ia_u64map_put(&m->by_id, (__u64)(__s64)g->id, i);
		for (size_t k = 0; k < g->ndevs; k++)
			ia_u64map_put(&m->by_dev, ia_u64map_hash_str(g->devs[k].name),
				      (__u64)(__s64)g->id);
	}
	m->index_stale = false;
}

/* The group with this id, through the index and checked; else by a scan, then indexed. */
static struct ia_group *group_lookup(struct ia_model *m, int id)
{
	__u64 pos;

	if (m->index_stale)
		index_rebuild(m);
	if (ia_u64map_get(&m->by_id, (__u64)(__s64)id, &pos) && pos < m->ngroups &&
	    m->groups[pos].id == id)
		return &m->groups[pos];
	for (size_t i = 0; i < m->ngroups; i++)
		if (m->groups[i].id == id) {
			ia_u64map_put(&m->by_id, (__u64)(__s64)id, i);
			return &m->groups[i];
		}
	return NULL;
}

static void *dup_array(const void *src, size_t n, size_t size)
{
	void *p;

	if (!n)
		return NULL;
	p = malloc(n * size);
	if (p)
		memcpy(p, src, n * size);
	return p;
}

int ia_model_copy(struct ia_model *dst, const struct ia_model *src)
{
	ia_model_init(dst);
	memcpy(dst->iommus, src->iommus, sizeof(dst->iommus));
	dst->niommus = src->niommus;
	if (!src->ngroups)
		return 0;
	dst->groups = calloc(src->ngroups, sizeof(*dst->groups));
	if (!dst->groups)
		return -ENOMEM;
	dst->groups_cap = src->ngroups;
	for (size_t i = 0; i < src->ngroups; i++) {
		const struct ia_group *s = &src->groups[i];
		struct ia_group *d = &dst->groups[i];

		*d = *s;
		d->devs = dup_array(s->devs, s->ndevs, sizeof(*s->devs));
		d->devs_cap = s->ndevs;
		d->resv = dup_array(s->resv, s->nresv, sizeof(*s->resv));
		d->resv_cap = s->nresv;
		dst->ngroups = i + 1;
		if ((s->ndevs && !d->devs) || (s->nresv && !d->resv)) {
			ia_model_free(dst);
			return -ENOMEM;
		}
	}
	return 0;
}

struct ia_group *ia_model_group(struct ia_model *m, int id, bool create)
{
	struct ia_group *g = group_lookup(m, id);

	if (g || !create)
		return g;
	if (ia_grow((void **)&m->groups, &m->groups_cap, m->ngroups + 1, sizeof(*m->groups)))
		return NULL;
	g = &m->groups[m->ngroups++];
	memset(g, 0, sizeof(*g));
	g->id = id;
	g->domain_type = IA_NO_TYPE;
	ia_u64map_put(&m->by_id, (__u64)(__s64)id, m->ngroups - 1);
	return g;
}

/* Device name's device in g; h its hash (0: compare names only). */
static struct ia_dev *group_dev(struct ia_group *g, const char *name, __u64 h)
{
	for (size_t i = 0; i < g->ndevs; i++) {
		const struct ia_dev *d = &g->devs[i];

		/* a hash that differs rules the name out without reading it */
		if (h && d->name_hash && d->name_hash != h)
			continue;
		if (!strcmp(d->name, name))
			return &g->devs[i];
	}
	return NULL;
}

struct ia_dev *ia_group_dev(struct ia_group *g, const char *name, bool create)
{
	__u64 h = ia_u64map_hash_str(name);
	struct ia_dev *d = group_dev(g, name, h);

	if (d || !create)
		return d;
	if (ia_grow((void **)&g->devs, &g->devs_cap, g->ndevs + 1, sizeof(*g->devs)))
		return NULL;
	d = &g->devs[g->ndevs++];
	memset(d, 0, sizeof(*d));
	ia_strlcpy(d->name, name, sizeof(d->name));
	d->name_hash = ia_u64map_hash_str(d->name); /* of the name as kept (cut to IA_NAME_LEN) */
	return d;
}

struct ia_dev *ia_model_find_dev(struct ia_model *m, const char *name, struct ia_group **gp)
{
	__u64 h = ia_u64map_hash_str(name), id;
	struct ia_group *g;
	struct ia_dev *d;

	if (m->index_stale)
		index_rebuild(m);
	if (ia_u64map_get(&m->by_dev, h, &id)) {
		g = group_lookup(m, (int)(__s64)id);
		d = g ? group_dev(g, name, h) : NULL;
		if (d) {
			if (gp)
				*gp = g;
			return d;
		}
	}
	for (size_t i = 0; i < m->ngroups; i++) {
		d = group_dev(&m->groups[i], name, h);
		if (d) {
			ia_u64map_put(&m->by_dev, h, (__u64)(__s64)m->groups[i].id);
			if (gp)
				*gp = &m->groups[i];
			return d;
		}
	}
	return NULL;
}

void ia_group_remove_dev(struct ia_group *g, struct ia_dev *d)
{
	size_t i = (size_t)(d - g->devs);

	if (i >= g->ndevs)
		return;
	memmove(&g->devs[i], &g->devs[i + 1], (g->ndevs - i - 1) * sizeof(*d));
	g->ndevs--;
}

void ia_model_remove_group(struct ia_model *m, struct ia_group *g)
{
	size_t i = (size_t)(g - m->groups);

	if (i >= m->ngroups)
		return;
	group_free(g);
	m->groups[i] = m->groups[--m->ngroups]; /* the last takes its place */
	if (i < m->ngroups)
		ia_u64map_put(&m->by_id, (__u64)(__s64)m->groups[i].id, i);
	/* names of devices gone with their groups: dropped once they outnumber the groups */
	if (m->by_dev.n > 4 * m->ngroups + 64)
		m->index_stale = true;
}

int ia_group_add_resv(struct ia_group *g, __u64 start, __u64 end, const char *type)
{
	struct ia_resv *r;

	if (ia_grow((void **)&g->resv, &g->resv_cap, g->nresv + 1, sizeof(*g->resv)))
		return -ENOMEM;
	r = &g->resv[g->nresv++];
	r->start = start;
	r->end = end;
	ia_strlcpy(r->type, type, sizeof(r->type));
	return 0;
}

static int cmp_group(const void *a, const void *b)
{
	const struct ia_group *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

static int cmp_group_ptr(const void *a, const void *b)
{
	return cmp_group(*(const struct ia_group *const *)a, *(const struct ia_group *const *)b);
}

const struct ia_group **ia_model_by_id(const struct ia_model *m)
{
	const struct ia_group **v = m->ngroups ? malloc(m->ngroups * sizeof(*v)) : NULL;

	if (!v)
		return NULL;
	for (size_t i = 0; i < m->ngroups; i++)
		v[i] = &m->groups[i];
	qsort(v, m->ngroups, sizeof(*v), cmp_group_ptr);
	return v;
}

static int cmp_dev(const void *a, const void *b)
{
	const struct ia_dev *x = a, *y = b;

	return strcmp(x->name, y->name);
}

void ia_model_sort(struct ia_model *m)
{
	m->index_stale = true;
	if (m->ngroups > 1)
		qsort(m->groups, m->ngroups, sizeof(*m->groups), cmp_group);
	for (size_t i = 0; i < m->ngroups; i++)
		if (m->groups[i].ndevs > 1)
			qsort(m->groups[i].devs, m->groups[i].ndevs, sizeof(struct ia_dev), cmp_dev);
}

static unsigned int group_classes(const struct ia_group *g)
{
	unsigned int mask = 0;

	for (size_t i = 0; i < g->ndevs; i++)
		mask |= 1u << g->devs[i].dma;
	return mask;
}

enum ia_verdict ia_group_verdict(const struct ia_group *g)
{
	unsigned int mask = group_classes(g);
	bool kernel = mask & (1u << IA_DMA_KERNEL);

	if (kernel && ((g->owner_known && g->owner) || g->vfio_held))
		return IA_VERDICT_VIOLATION;
	if (kernel && (mask & (1u << IA_DMA_USER)))
		return IA_VERDICT_NOT_VIABLE;
	return IA_VERDICT_VIABLE;
}

const char *ia_group_dma_name(const struct ia_group *g)
{
	unsigned int mask = group_classes(g);

	if (ia_group_verdict(g) != IA_VERDICT_VIABLE)
		return "mixed";
	if (mask & (1u << IA_DMA_USER) || (g->owner_known && g->owner) || g->vfio_held)
		return "user";
	if (mask & (1u << IA_DMA_KERNEL))
		return "kernel";
	return "none";
}

const char *ia_dma_class_name(enum ia_dma_class c)
{
	switch (c) {
	case IA_DMA_KERNEL: return "kernel";
	case IA_DMA_USER: return "user";
	default: return "none";
	}
}

const char *ia_owner_kind_name(enum ia_owner_kind k)
{
	switch (k) {
	case IA_OWNER_IOMMUFD: return "iommufd";
	case IA_OWNER_VFIO_GROUP: return "vfio-group";
	case IA_OWNER_OTHER: return "other";
	default: return "none";
	}
}

const char *ia_verdict_name(enum ia_verdict v)
{
	switch (v) {
	case IA_VERDICT_VIOLATION: return "violation";
	case IA_VERDICT_NOT_VIABLE: return "not-viable";
	default: return "viable";
	}
}

/* include/linux/iommu.h: __IOMMU_DOMAIN_* composites; names as iommu_group_show_type() prints them. */
const char *ia_domain_type_name(__u32 type)
{
	switch (type) {
	case 0: return "blocked";
	case 1: return "unmanaged";
	case 3: return "DMA";
	case 4: return "identity";
	case 11: return "DMA-FQ";
	case 16: return "sva";
	case 32: return "platform";
	case 64: return "nested";
	default: return "unknown";
	}
}
