// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The model as TLVs, for recordings; see include/modelio.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "modelio.h"

/* Tags: part of the recording format, append only. */
enum { MT_GROUP = 1, MT_IOMMU = 2 };
enum {
	GT_ID = 1, GT_TYPE = 2, GT_DEV = 3, GT_RESV = 4, GT_KPTR = 5, GT_DOMAIN = 6,
	GT_DOMAIN_TYPE = 7, GT_DEFAULT_DOMAIN = 8, GT_OWNER = 9, GT_OWNER_CNT = 10,
	GT_OWNER_KNOWN = 11, GT_OWNER_KIND = 12, GT_VIOLATION_FLAGGED = 13, GT_SPLIT_FLAGGED = 14,
	GT_UNVERIFIED = 15, GT_PASIDS = 16, GT_VFIO_HELD = 17,
};
enum { DT_NAME = 1, DT_DRIVER = 2, DT_DMA = 3, DT_KPTR = 4, DT_DOMAIN = 5 };
enum { RT_START = 1, RT_END = 2, RT_TYPE = 3 };

/* ---- encoding ---- */

static void encode_dev(struct ia_buf *b, const struct ia_dev *d)
{
	size_t pos = ia_tlv_open(b, GT_DEV);

	ia_tlv_str(b, DT_NAME, d->name, sizeof(d->name));
	ia_tlv_str(b, DT_DRIVER, d->driver, sizeof(d->driver));
	ia_tlv_u8(b, DT_DMA, (__u8)d->dma);
	if (d->kptr)
		ia_tlv_u64(b, DT_KPTR, d->kptr);
	if (d->domain)
		ia_tlv_u64(b, DT_DOMAIN, d->domain);
	ia_tlv_close(b, pos);
}

static void encode_resv(struct ia_buf *b, const struct ia_resv *r)
{
	size_t pos = ia_tlv_open(b, GT_RESV);

	ia_tlv_u64(b, RT_START, r->start);
	ia_tlv_u64(b, RT_END, r->end);
	ia_tlv_str(b, RT_TYPE, r->type, sizeof(r->type));
	ia_tlv_close(b, pos);
}

/* What only events tell: absent from a snapshot's groups. */
static void encode_group_events(struct ia_buf *b, const struct ia_group *g)
{
	if (g->kptr)
		ia_tlv_u64(b, GT_KPTR, g->kptr);
	if (g->domain)
		ia_tlv_u64(b, GT_DOMAIN, g->domain);
	ia_tlv_u32(b, GT_DOMAIN_TYPE, g->domain_type);
	if (g->default_domain)
		ia_tlv_u64(b, GT_DEFAULT_DOMAIN, g->default_domain);
	if (g->owner)
		ia_tlv_u64(b, GT_OWNER, g->owner);
	if (g->owner_cnt)
		ia_tlv_u32(b, GT_OWNER_CNT, g->owner_cnt);
	if (g->owner_known)
		ia_tlv_u8(b, GT_OWNER_KNOWN, 1);
	if (g->owner_kind)
		ia_tlv_u8(b, GT_OWNER_KIND, (__u8)g->owner_kind);
	if (g->violation_flagged)
		ia_tlv_u8(b, GT_VIOLATION_FLAGGED, 1);
	if (g->split_flagged)
		ia_tlv_u8(b, GT_SPLIT_FLAGGED, 1);
	if (g->unverified)
		ia_tlv_u8(b, GT_UNVERIFIED, 1);
	if (g->pasids)
		ia_tlv_u32(b, GT_PASIDS, g->pasids);
	if (g->vfio_held)
		ia_tlv_u8(b, GT_VFIO_HELD, 1);
}

static void encode_group(struct ia_buf *b, const struct ia_group *g)
{
	size_t pos = ia_tlv_open(b, MT_GROUP);

	ia_tlv_u32(b, GT_ID, (__u32)g->id);
	ia_tlv_str(b, GT_TYPE, g->type, sizeof(g->type));
	for (size_t i = 0; i < g->ndevs; i++)
		encode_dev(b, &g->devs[i]);
	for (size_t i = 0; i < g->nresv; i++)
		encode_resv(b, &g->resv[i]);
	encode_group_events(b, g);
	ia_tlv_close(b, pos);
}

int ia_model_encode(struct ia_buf *b, const struct ia_model *m)
{
	for (size_t i = 0; i < m->ngroups; i++)
		encode_group(b, &m->groups[i]);
	for (int i = 0; i < m->niommus && i < IA_MAX_IOMMUS; i++)
		ia_tlv_str(b, MT_IOMMU, m->iommus[i], IA_NAME_LEN);
	return b->err;
}

/* ---- decoding ---- */

static int get_uint(const struct ia_tlv *t, __u64 max, __u64 *v)
{
	if (ia_tlv_uint(t, v) || *v > max)
		return -EBADMSG;
	return 0;
}

static int dev_field(const struct ia_tlv *t, void *ctx)
{
	struct ia_dev *d = ctx;
	int err = 0;
	__u64 v;

	switch (t->tag) {
	case DT_NAME: ia_tlv_strcpy(t, d->name, sizeof(d->name)); break;
	case DT_DRIVER: ia_tlv_strcpy(t, d->driver, sizeof(d->driver)); break;
	case DT_DMA:
		err = get_uint(t, IA_DMA_USER, &v);
		d->dma = (enum ia_dma_class)v;
		break;
	case DT_KPTR: err = get_uint(t, ~0ull, &d->kptr); break;
	case DT_DOMAIN: err = get_uint(t, ~0ull, &d->domain); break;
	}
	return err;
}

static int resv_field(const struct ia_tlv *t, void *ctx)
{
	struct ia_resv *r = ctx;
	int err = 0;

	switch (t->tag) {
	case RT_START: err = get_uint(t, ~0ull, &r->start); break;
	case RT_END: err = get_uint(t, ~0ull, &r->end); break;
	case RT_TYPE: ia_tlv_strcpy(t, r->type, sizeof(r->type)); break;
	}
	return err;
}

/* Size the group's arrays from a first pass, so a count is never trusted blindly. */
static int alloc_group(const struct ia_tlv *in, struct ia_group *g)
{
	size_t ndevs, nresv;
	int err;

	err = ia_tlv_count(in->val, in->len, GT_DEV, &ndevs);
	if (!err)
		err = ia_tlv_count(in->val, in->len, GT_RESV, &nresv);
	if (err)
		return err;
	if (ndevs > IA_MODEL_MAX_DEVS || nresv > IA_MODEL_MAX_RESV)
		return -E2BIG;
	g->devs = ndevs ? calloc(ndevs, sizeof(*g->devs)) : NULL;
	g->resv = nresv ? calloc(nresv, sizeof(*g->resv)) : NULL;
	if ((ndevs && !g->devs) || (nresv && !g->resv))
		return -ENOMEM;
	g->devs_cap = ndevs;
	g->resv_cap = nresv;
	return 0;
}

static int group_field(const struct ia_tlv *t, void *ctx)
{
	struct ia_group *g = ctx;
	__u64 v = 0;
	int err = 0;

	switch (t->tag) {
	case GT_ID: err = get_uint(t, 0xffffffffull, &v); g->id = (int)(__s32)(__u32)v; break;
	case GT_TYPE: ia_tlv_strcpy(t, g->type, sizeof(g->type)); break;
	case GT_DEV: err = ia_tlv_decode(t->val, t->len, dev_field, &g->devs[g->ndevs++]); break;
	case GT_RESV: err = ia_tlv_decode(t->val, t->len, resv_field, &g->resv[g->nresv++]); break;
	case GT_KPTR: err = get_uint(t, ~0ull, &g->kptr); break;
	case GT_DOMAIN: err = get_uint(t, ~0ull, &g->domain); break;
	case GT_DOMAIN_TYPE: err = get_uint(t, 0xffffffffull, &v); g->domain_type = (__u32)v; break;
	case GT_DEFAULT_DOMAIN: err = get_uint(t, ~0ull, &g->default_domain); break;
	case GT_OWNER: err = get_uint(t, ~0ull, &g->owner); break;
	case GT_VFIO_HELD: err = get_uint(t, 1, &v); g->vfio_held = v; break;
	case GT_PASIDS: err = get_uint(t, 0xffffffffull, &v); g->pasids = (__u32)v; break;
	case GT_OWNER_CNT: err = get_uint(t, 0xffffffffull, &v); g->owner_cnt = (__u32)v; break;
	case GT_OWNER_KNOWN: err = get_uint(t, 1, &v); g->owner_known = v; break;
	case GT_OWNER_KIND: err = get_uint(t, IA_OWNER_OTHER, &v); g->owner_kind = (enum ia_owner_kind)v; break;
	case GT_VIOLATION_FLAGGED: err = get_uint(t, 1, &v); g->violation_flagged = v; break;
	case GT_SPLIT_FLAGGED: err = get_uint(t, 1, &v); g->split_flagged = v; break;
	case GT_UNVERIFIED: err = get_uint(t, 1, &v); g->unverified = v; break;
	}
	return err;
}

static int decode_group(const struct ia_tlv *in, struct ia_group *g)
{
	int err;

	g->domain_type = IA_NO_TYPE;
	err = alloc_group(in, g);
	return err ? err : ia_tlv_decode(in->val, in->len, group_field, g);
}

static int model_field(const struct ia_tlv *t, void *ctx)
{
	struct ia_model *m = ctx;

	if (t->tag == MT_GROUP)
		return decode_group(t, &m->groups[m->ngroups++]);
	if (t->tag == MT_IOMMU && m->niommus < IA_MAX_IOMMUS)
		ia_tlv_strcpy(t, m->iommus[m->niommus++], IA_NAME_LEN);
	return 0;
}

int ia_model_decode(const void *p, size_t len, struct ia_model *m)
{
	size_t ngroups;
	int err;

	ia_model_init(m);
	err = ia_tlv_count(p, len, MT_GROUP, &ngroups);
	if (err)
		return err;
	if (ngroups > IA_MODEL_MAX_GROUPS)
		return -E2BIG;
	if (ngroups) {
		m->groups = calloc(ngroups, sizeof(*m->groups));
		if (!m->groups)
			return -ENOMEM;
		m->groups_cap = ngroups;
	}
	err = ia_tlv_decode(p, len, model_field, m);
	if (err)
		ia_model_free(m);
	return err;
}
