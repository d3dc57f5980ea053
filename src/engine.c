// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The ownership engine; see include/engine.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engine.h"
#include "grow.h"
#include "hooks.h"

int ia_engine_init(struct ia_engine *e, const struct ia_model *snapshot,
		   const struct ia_engine_opts *opts)
{
	memset(e, 0, sizeof(*e));
	if (opts)
		e->opts = *opts;
	if (!snapshot) {
		ia_model_init(&e->model);
		return 0;
	}
	return ia_model_copy(&e->model, snapshot);
}

void ia_engine_free(struct ia_engine *e)
{
	ia_model_free(&e->model);
	free(e->threads);
	free(e->findings);
	free(e->soft);
	free(e->misses);
	free(e->ctxs);
	ia_u64map_free(&e->ctx_at);
	ia_cgroups_free(&e->cgroups);
	memset(e, 0, sizeof(*e));
}

int ia_engine_name_cgroup(struct ia_engine *e, __u64 id, const char *path)
{
	return ia_cgroups_set(&e->cgroups, id, path);
}

bool ia_engine_cgroup_named(struct ia_engine *e, __u64 id)
{
	return ia_cgroups_path(&e->cgroups, id) != NULL;
}

static struct ia_thread *thread_get(struct ia_engine *e, __u32 tid, bool create)
{
	struct ia_thread *t;

	for (size_t i = 0; i < e->nthreads; i++)
		if (e->threads[i].tid == tid)
			return &e->threads[i];
	if (!create)
		return NULL;
	if (ia_grow((void **)&e->threads, &e->threads_cap, e->nthreads + 1, sizeof(*e->threads)))
		return NULL;
	t = &e->threads[e->nthreads++];
	t->tid = tid;
	t->depth = 0;
	return t;
}

/* Threads with nothing open are forgotten, so the table stays small. */
static void thread_put(struct ia_engine *e, struct ia_thread *t)
{
	size_t i = (size_t)(t - e->threads);

	if (t->depth || i >= e->nthreads)
		return;
	e->threads[i] = e->threads[--e->nthreads];
}

/*
 * Forget threads whose newest open call is older than IA_STALE_FRAME_NS:
 * their exits were lost, and the thread may never come back.
 */
static void prune_threads(struct ia_engine *e)
{
	for (size_t i = 0; i < e->nthreads; i++) {
		struct ia_thread *t = &e->threads[i];

		if (!t->depth || t->frames[t->depth - 1].enter.ts_ns + IA_STALE_FRAME_NS > e->last_ts)
			continue;
		e->stats.lost_frames += (__u64)t->depth;
		e->threads[i--] = e->threads[--e->nthreads];
	}
}

static int push_frame(struct ia_engine *e, const struct ia_event *ev, __u64 seq, int *depth)
{
	struct ia_thread *t = thread_get(e, ev->tid, true);

	if (!t)
		return -ENOMEM;
	if (t->depth == IA_MAX_DEPTH) {
		/* Deeper than any real call chain: the oldest entries lost their exits. */
		memmove(&t->frames[0], &t->frames[1], (IA_MAX_DEPTH - 1) * sizeof(t->frames[0]));
		t->depth--;
		e->stats.lost_frames++;
	}
	*depth = t->depth;
	memset(&t->frames[t->depth], 0, sizeof(t->frames[0]));
	t->frames[t->depth].enter = *ev;
	t->frames[t->depth].seq = seq;
	t->depth++;
	return 0;
}

/* Pop the innermost open call of the same hook; NULL when there is none. */
static const struct ia_frame *pop_frame(struct ia_engine *e, const struct ia_event *ev, int *depth)
{
	struct ia_thread *t = thread_get(e, ev->tid, false);

	*depth = 0;
	if (!t)
		return NULL;
	for (int i = t->depth - 1; i >= 0; i--) {
		if (t->frames[i].enter.hook != ev->hook)
			continue;
		e->stats.lost_frames += (__u64)(t->depth - 1 - i);
		e->popped = t->frames[i];
		t->depth = i;
		*depth = i;
		thread_put(e, t);
		return &e->popped;
	}
	return NULL;
}

struct ia_frame *ia_engine_open_frame(struct ia_engine *e, __u32 tid, unsigned int hook)
{
	struct ia_thread *t = thread_get(e, tid, false);

	for (int i = t ? t->depth - 1 : -1; i >= 0; i--)
		if (t->frames[i].enter.hook == hook)
			return &t->frames[i];
	return NULL;
}

/* Locate a device by name; create it in the event's group if that is known. */
static struct ia_dev *dev_for(struct ia_engine *e, const struct ia_event *ev, struct ia_group **gp)
{
	struct ia_dev *d = ia_model_find_dev(&e->model, ev->dev_name, gp);
	struct ia_group *g;

	if (d || !ev->dev_name[0] || ev->group_id < 0)
		return d;
	g = ia_model_group(&e->model, ev->group_id, true);
	if (!g)
		return NULL;
	*gp = g;
	return ia_group_dev(g, ev->dev_name, true);
}

/*
 * DMA class of a completed bind. A really_probe that took the default
 * domain is a kernel-DMA bind; one that did not is driver_managed_dma: the
 * driver table tells the drivers that do no DMA (NONE), and any other
 * driver-managed driver hands DMA to user space.
 */
static enum ia_dma_class bind_class(const struct ia_engine *e, const struct ia_frame *f)
{
	enum ia_dma_class table = ia_driver_dma_class(f->enter.drv_name);

	if (!e->opts.use_default_hooked)
		return table;
	if (f->used_default)
		return IA_DMA_KERNEL;
	return table == IA_DMA_KERNEL ? IA_DMA_USER : table;
}

static void on_probe_exit(struct ia_engine *e, const struct ia_frame *f, long ret)
{
	struct ia_group *g = NULL;
	struct ia_dev *d;

	if (ret != 0)
		return;
	d = dev_for(e, &f->enter, &g);
	if (!d)
		return;
	ia_strlcpy(d->driver, f->enter.drv_name, sizeof(d->driver));
	d->dma = bind_class(e, f);
}

static void on_release_exit(struct ia_engine *e, const struct ia_frame *f)
{
	struct ia_dev *d;

	if (!(f->enter.flags & IA_F_RELEASES))
		return;
	d = ia_model_find_dev(&e->model, f->enter.dev_name, NULL);
	if (!d)
		return;
	d->driver[0] = '\0';
	d->dma = IA_DMA_NONE;
}

static void on_group_tp(struct ia_engine *e, const struct ia_event *ev)
{
	struct ia_group *g = NULL;
	struct ia_dev *d = ia_model_find_dev(&e->model, ev->dev_name, &g);

	if (ev->hook == IA_HOOK_TP_REMOVE_GROUP) {
		if (!d)
			return;
		ia_group_remove_dev(g, d);
		/*
		 * The kernel frees a group with its last device (iommu_group_release,
		 * drivers/iommu/iommu.c): so does the model, which stays as large as
		 * the host's groups however many come and go (VFs, mock devices).
		 */
		if (!g->ndevs)
			ia_model_remove_group(&e->model, g);
		return;
	}
	if (ev->group_id < 0 || !ev->dev_name[0] || (d && g->id == ev->group_id))
		return;
	if (d)
		ia_group_remove_dev(g, d);
	g = ia_model_group(&e->model, ev->group_id, true);
	if (g)
		ia_group_dev(g, ev->dev_name, true);
}

/* Live group fields read by the probe at entry are ground truth. */
/*
 * trace_attach_device_to_domain() fires inside __iommu_attach_device, after
 * the driver's attach_dev succeeded (drivers/iommu/iommu.c): its call must
 * be open on the same thread, or the probe missed it.
 */
static void check_core_attach(struct ia_engine *e, const struct ia_event *ev)
{
	e->stats.core_attaches++;
	if (!ia_engine_open_frame(e, ev->tid, IA_HOOK_ATTACH_DEV_CORE))
		e->stats.core_attaches_unseen++;
}

/* really_probe's result as 5.14+ gives it: 0 bound, else the errno (or IA_PROBE_ERR_DROPPED). */
long ia_engine_probe_ret(const struct ia_engine *e, long ret)
{
	if (!e->opts.probe_ret_bound)
		return ret;
	if (ret == 1)
		return 0;
	return ret ? ret : IA_PROBE_ERR_DROPPED;
}

bool ia_engine_in_reset(struct ia_engine *e, __u32 tid)
{
	return ia_engine_open_frame(e, tid, IA_HOOK_RESET_PREPARE) ||
	       ia_engine_open_frame(e, tid, IA_HOOK_RESET_DONE);
}

static void sync_group(struct ia_engine *e, const struct ia_event *ev)
{
	struct ia_group *g;

	if (!(ev->flags & IA_F_HAVE_GRP) || ev->group_id < 0)
		return;
	g = ia_model_group(&e->model, ev->group_id, true);
	if (!g)
		return;
	g->kptr = ev->group;
	g->domain = ev->grp_domain;
	g->domain_type = ev->grp_domain_type;
	g->default_domain = ev->grp_default_domain;
	if (!(ev->flags & IA_F_OWNER_KNOWN))
		return;
	g->owner_known = true;
	/*
	 * The kernel's owner fields vouch for the owner again; the drivers
	 * only once sysfs was re-read after the loss (ia_engine_resync).
	 */
	if (!e->lost_pending)
		g->unverified = false;
	g->owner_cnt = ev->owner_cnt;
	g->owner = ev->grp_owner;
	/* the kernel's word wins: no owner is none; an owner whose claim we never saw is other */
	if (!g->owner)
		g->owner_kind = IA_OWNER_NONE;
	else if (g->owner_kind == IA_OWNER_NONE)
		g->owner_kind = IA_OWNER_OTHER;
}

static void on_domain_set(struct ia_engine *e, const struct ia_event *enter, long ret)
{
	struct ia_group *g;
	struct ia_dev *d;

	if (ret != 0 || enter->group_id < 0 || !(enter->flags & IA_F_HAVE_DOM))
		return;
	g = ia_model_group(&e->model, enter->group_id, false);
	if (!g)
		return;
	/* __iommu_attach_device moves one device; the group follows the set-domain call */
	if (enter->hook == IA_HOOK_ATTACH_DEV_CORE) {
		d = ia_group_dev(g, enter->dev_name, false);
		if (d)
			d->domain = enter->domain;
		if (g->ndevs > 1)
			return;
	}
	g->domain = enter->domain;
	g->domain_type = enter->domain_type;
}

/* The claimant's kind, from the path the claim came through. */
static enum ia_owner_kind claim_kind(struct ia_engine *e, const struct ia_event *enter)
{
	if (ia_engine_open_frame(e, enter->tid, IA_HOOK_IOMMUFD_BIND))
		return IA_OWNER_IOMMUFD;
	return enter->hook == IA_HOOK_GROUP_CLAIM ? IA_OWNER_VFIO_GROUP : IA_OWNER_OTHER;
}

static void on_owner_change(struct ia_engine *e, const struct ia_event *enter, long ret)
{
	struct ia_group *g = enter->group_id >= 0 ? ia_model_group(&e->model, enter->group_id, false) : NULL;

	if (!g || !g->owner_known || ret != 0)
		return;
	switch (enter->hook) {
	case IA_HOOK_GROUP_CLAIM:
	case IA_HOOK_DEVICE_CLAIM:
		g->owner = enter->owner;
		g->owner_kind = claim_kind(e, enter);
		g->owner_cnt++;
		break;
	case IA_HOOK_USE_DEFAULT:
		g->owner_cnt++;
		break;
	case IA_HOOK_GROUP_RELEASE:
	case IA_HOOK_DEVICE_RELEASE:
	case IA_HOOK_UNUSE_DEFAULT:
		if (g->owner_cnt)
			g->owner_cnt--;
		if (!g->owner_cnt) {
			g->owner = 0;
			g->owner_kind = IA_OWNER_NONE;
		}
		break;
	default:
		break;
	}
}

/* -------- iommufd objects -------- */

/*
 * Index the context at position i. Entries of closed contexts stay until
 * the index holds twice the open ones, then it is made again; a failed put
 * costs a scan later, never a wrong context.
 */
static void ctx_index(struct ia_engine *e, size_t i)
{
	if (e->ctx_at.n >= 2 * e->nctxs + 64) {
		ia_u64map_clear(&e->ctx_at);
		for (size_t k = 0; k < e->nctxs; k++)
			ia_u64map_put(&e->ctx_at, e->ctxs[k].ptr, k);
		return;
	}
	ia_u64map_put(&e->ctx_at, e->ctxs[i].ptr, i);
}

static struct ia_ctx *ctx_get(struct ia_engine *e, __u64 ptr, bool create)
{
	struct ia_ctx *c;
	__u64 at;

	if (ia_u64map_get(&e->ctx_at, ptr, &at) && at < e->nctxs && e->ctxs[at].ptr == ptr)
		return &e->ctxs[at];
	for (size_t i = 0; i < e->nctxs; i++)
		if (e->ctxs[i].ptr == ptr) {
			ctx_index(e, i);
			return &e->ctxs[i];
		}
	if (!create || !ptr)
		return NULL;
	if (ia_grow((void **)&e->ctxs, &e->ctxs_cap, e->nctxs + 1, sizeof(*e->ctxs))) {
		e->stats.unusable++;
		return NULL;
	}
	c = &e->ctxs[e->nctxs++];
	memset(c, 0, sizeof(*c));
	c->ptr = ptr;
	ctx_index(e, e->nctxs - 1);
	return c;
}

static struct ia_idev *ctx_idev(struct ia_engine *e, struct ia_ctx *c, __u32 id, bool create)
{
	for (int i = 0; c && i < c->nidevs; i++)
		if (c->idevs[i].id == id)
			return &c->idevs[i];
	if (!c || !create)
		return NULL;
	if (c->nidevs == IA_CTX_MAX_OBJS) {
		e->stats.untracked++;
		return NULL;
	}
	memset(&c->idevs[c->nidevs], 0, sizeof(c->idevs[0]));
	c->idevs[c->nidevs].id = id;
	return &c->idevs[c->nidevs++];
}

static struct ia_ioas *ctx_ioas(struct ia_engine *e, struct ia_ctx *c, __u32 id)
{
	for (int i = 0; c && i < c->nioas; i++)
		if (c->ioas[i].id == id)
			return &c->ioas[i];
	if (!c)
		return NULL;
	if (c->nioas == IA_CTX_MAX_OBJS) {
		e->stats.untracked++;
		return NULL;
	}
	memset(&c->ioas[c->nioas], 0, sizeof(c->ioas[0]));
	c->ioas[c->nioas].id = id;
	return &c->ioas[c->nioas++];
}

static void hwpt_forget(struct ia_engine *e, __u32 id)
{
	for (size_t i = 0; i < e->nctxs; i++) {
		struct ia_ctx *c = &e->ctxs[i];

		for (int k = 0; k < c->nhwpts; k++)
			if (c->hwpts[k].id == id)
				c->hwpts[k--] = c->hwpts[--c->nhwpts];
	}
}

/* The links between contexts, devices, hwpts and IOAS, from the iommufd hooks. */
static void on_iommufd_exit(struct ia_engine *e, const struct ia_event *ev, const struct ia_frame *f)
{
	const struct ia_event *en = &f->enter;
	struct ia_ctx *c = ctx_get(e, en->owner, ev->hook != IA_HOOK_IOMMUFD_RELEASE);
	bool ok = (ev->flags & IA_F_RET_PTR) ? !(ev->ret < 0 && ev->ret >= -4095) : ev->ret == 0;
	struct ia_idev *d;
	struct ia_ioas *a;

	if (!c || !ok)
		return;
	switch (ev->hook) {
	case IA_HOOK_IOMMUFD_BIND:
		d = ctx_idev(e, c, ev->obj_id, true);
		if (d)
			ia_strlcpy(d->dev, en->dev_name, sizeof(d->dev));
		break;
	case IA_HOOK_IOMMUFD_UNBIND:
		d = ctx_idev(e, c, en->obj_id, false);
		if (d)
			*d = c->idevs[--c->nidevs];
		break;
	case IA_HOOK_HWPT_ATTACH:
		d = ctx_idev(e, c, en->obj_id, false);
		if (d)
			d->hwpt = en->obj_id2;
		break;
	case IA_HOOK_IOMMUFD_DETACH:
		d = ctx_idev(e, c, en->obj_id, false);
		if (d)
			d->hwpt = 0;
		break;
	case IA_HOOK_HWPT_ALLOC:
		if (c->nhwpts == IA_CTX_MAX_OBJS) {
			e->stats.untracked++;
		} else {
			struct ia_hwpt *h = &c->hwpts[c->nhwpts++];

			h->id = ev->obj_id2;
			h->domain = ev->domain;
			ia_strlcpy(h->dev, en->dev_name, sizeof(h->dev));
		}
		break;
	case IA_HOOK_IOAS_MAP:
	case IA_HOOK_IOAS_UNMAP:
		a = ctx_ioas(e, c, (__u32)en->arg[2]);
		if (a && ev->hook == IA_HOOK_IOAS_MAP) {
			a->maps++;
			a->mapped_bytes += en->arg[1];
		} else if (a) {
			a->unmaps++;
			a->unmapped_bytes += en->arg[1];
		}
		break;
	case IA_HOOK_IOMMUFD_IOCTL:
		c->ioctls++;
		break;
	case IA_HOOK_IOMMUFD_RELEASE:
		*c = e->ctxs[--e->nctxs];
		if (c < e->ctxs + e->nctxs) /* the last one moved into its place */
			ctx_index(e, (size_t)(c - e->ctxs));
		e->ctxs_closed++;
		break;
	case IA_HOOK_OBJ_REMOVE:
		for (int i = 0; i < c->nvobjs; i++)
			if (c->vobjs[i].id == en->obj_id) {
				c->vobjs[i] = c->vobjs[--c->nvobjs];
				break;
			}
		break;
	default:
		break;
	}
}

/* A vIOMMU-family object became visible in its context. */
static void on_obj_finalize(struct ia_engine *e, const struct ia_event *ev)
{
	struct ia_ctx *c = ctx_get(e, ev->owner, true);
	struct ia_vobj *o;

	if (!c)
		return;
	if (c->nvobjs == IA_CTX_MAX_OBJS) {
		e->stats.untracked++;
		return;
	}
	o = &c->vobjs[c->nvobjs++];
	memset(o, 0, sizeof(*o));
	o->id = ev->obj_id;
	o->kind = (__u32)ev->arg[0];
	o->parent = (__u32)ev->arg[1];
	o->idev = (__u32)ev->arg[2];
	if (ev->flags & IA_F_HAVE_DEV)
		ia_strlcpy(o->dev, ev->dev_name, sizeof(o->dev));
}

/*
 * Before v5.19 the kernel keeps no owner (the probes find no owner_cnt):
 * a group in a VFIO container is user-owned because VFIO says so
 * (drivers/vfio/vfio.c of v5.10: vfio_group_set_container() attaches it to
 * the container's IOMMU driver, vfio_group_try_dissolve_container() lets go).
 */
static void on_vfio_hold(struct ia_engine *e, const struct ia_event *enter, long ret)
{
	struct ia_group *g = enter->group_id >= 0 ? ia_model_group(&e->model, enter->group_id, false) : NULL;

	if (!g || ret || (enter->flags & IA_F_OWNER_KNOWN))
		return;
	g->vfio_held = enter->hook == IA_HOOK_TYPE1_ATTACH;
	g->owner_kind = g->vfio_held ? IA_OWNER_VFIO_GROUP : IA_OWNER_NONE;
}

/*
 * A PASID attached or detached: counted per group. A replace changes the
 * domain behind a PASID already counted.
 */
static void on_pasid(struct ia_engine *e, const struct ia_event *enter, long ret)
{
	struct ia_group *g = enter->group_id >= 0 ? ia_model_group(&e->model, enter->group_id, false) : NULL;

	if (!g || ret)
		return;
	if (enter->hook == IA_HOOK_ATTACH_PASID)
		g->pasids++;
	else if (g->pasids)
		g->pasids--;
}

static void on_call_exit(struct ia_engine *e, const struct ia_event *ev, const struct ia_frame *f)
{
	struct ia_frame *probe;

	switch (ev->hook) {
	case IA_HOOK_REALLY_PROBE:
		on_probe_exit(e, f, (long)ev->ret);
		break;
	case IA_HOOK_RELEASE_DRIVER:
		on_release_exit(e, f);
		break;
	case IA_HOOK_IOMMUFD_IOCTL:
	case IA_HOOK_IOMMUFD_BIND:
	case IA_HOOK_IOMMUFD_UNBIND:
	case IA_HOOK_HWPT_ATTACH:
	case IA_HOOK_IOMMUFD_DETACH:
	case IA_HOOK_HWPT_ALLOC:
	case IA_HOOK_IOAS_MAP:
	case IA_HOOK_IOAS_UNMAP:
	case IA_HOOK_IOMMUFD_RELEASE:
	case IA_HOOK_OBJ_REMOVE:
		on_iommufd_exit(e, ev, f);
		break;
	case IA_HOOK_HWPT_DESTROY:
		hwpt_forget(e, f->enter.obj_id2);
		break;
	case IA_HOOK_USE_DEFAULT:
		probe = ia_engine_open_frame(e, ev->tid, IA_HOOK_REALLY_PROBE);
		if (probe && ev->ret == 0)
			probe->used_default = true;
		on_owner_change(e, &f->enter, (long)ev->ret);
		break;
	case IA_HOOK_ATTACH_DEV_CORE:
		/* a reset stages the blocking domain, keeping group->domain to return to */
		if (!ia_engine_in_reset(e, ev->tid))
			on_domain_set(e, &f->enter, (long)ev->ret);
		break;
	case IA_HOOK_SET_DOMAIN:
	case IA_HOOK_ATTACH_GROUP:
	case IA_HOOK_ATTACH_HANDLE:
	case IA_HOOK_REPLACE_HANDLE:
		on_domain_set(e, &f->enter, (long)ev->ret);
		break;
	case IA_HOOK_ATTACH_PASID:
	case IA_HOOK_DETACH_PASID:
		on_pasid(e, &f->enter, (long)ev->ret);
		break;
	case IA_HOOK_TYPE1_ATTACH:
	case IA_HOOK_TYPE1_DETACH:
		on_vfio_hold(e, &f->enter, ev->hook == IA_HOOK_TYPE1_ATTACH ? (long)ev->ret : 0);
		break;
	default:
		on_owner_change(e, &f->enter, ia_hook_info(ev->hook)->void_ret ? 0 : (long)ev->ret);
		break;
	}
}

static bool valid(const void *rec, size_t len)
{
	const struct ia_event *ev = rec;

	if (len < sizeof(*ev) || ev->size != sizeof(*ev))
		return false;
	if (ev->type != IA_REC_CALL && ev->type != IA_REC_TP)
		return false;
	if (!ia_hook_info(ev->hook))
		return false;
	return ev->phase >= IA_PH_ENTER && ev->phase <= IA_PH_FIRE;
}

int ia_engine_feed(struct ia_engine *e, const void *rec, size_t len, struct ia_decoded *out)
{
	const struct ia_event *ev = rec;
	size_t nfindings = e->nfindings;
	const struct ia_frame *f;
	int err = 0;

	e->stats.records++;
	if (!valid(rec, len)) {
		e->stats.bad_records++;
		return -EINVAL;
	}
	/* really_probe's result as 5.14+ gives it, for the rules and every output alike */
	if (e->opts.probe_ret_bound && ev->hook == IA_HOOK_REALLY_PROBE && ev->phase == IA_PH_EXIT) {
		e->normalized = *ev;
		e->normalized.ret = ia_engine_probe_ret(e, (long)ev->ret);
		ev = &e->normalized;
	}
	memset(out, 0, sizeof(*out));
	out->seq = ++e->seq;
	out->ev = ev;
	out->cgroup = ev->cgroup ? ia_cgroups_path(&e->cgroups, ev->cgroup) : NULL;
	e->cur = ev;
	e->last_ts = ev->ts_ns;
	if (!(out->seq % IA_PRUNE_EVERY))
		prune_threads(e);
	switch (ev->phase) {
	case IA_PH_ENTER:
		ia_rules_enter(e, ev, out->seq);
		sync_group(e, ev);
		err = push_frame(e, ev, out->seq, &out->depth);
		if (err)
			e->stats.unusable++; /* its exit will read as unpaired */
		break;
	case IA_PH_EXIT:
		f = pop_frame(e, ev, &out->depth);
		if (!f) {
			e->stats.unpaired_exits++;
			break;
		}
		out->enter = &f->enter;
		on_call_exit(e, ev, f);
		ia_rules_exit(e, ev, f, out->seq);
		break;
	default:
		if (ev->hook == IA_HOOK_TP_ADD_GROUP || ev->hook == IA_HOOK_TP_REMOVE_GROUP)
			on_group_tp(e, ev);
		else if (ev->hook == IA_HOOK_TP_ATTACH && e->opts.core_attach_checked)
			check_core_attach(e, ev);
		else if (ev->hook == IA_HOOK_OBJ_FINALIZE)
			on_obj_finalize(e, ev);
		break;
	}
	e->cur = NULL;
	ia_resync_note_findings(e, nfindings);
	return err;
}

bool ia_engine_found(const struct ia_engine *e, unsigned int rules)
{
	for (size_t i = 0; i < e->nfindings; i++)
		if (rules & (1u << e->findings[i].rule))
			return true;
	return false;
}
