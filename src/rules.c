// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The engine's rules: findings from paired records. Pure like the engine.
 * Each rule cites the kernel function whose behaviour it relies on: in
 * drivers/base/dd.c (really_probe), drivers/iommu/iommu.c (the DMA
 * ownership API, the attach paths, and the -EINVAL contract of attach since
 * v6.2: commit 00208852d351 "iommu: Add return value rules to attach_dev op
 * and APIs"), drivers/iommu/iommufd/ and drivers/vfio/vfio_iommu_type1.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engine.h"
#include "grow.h"
#include "hooks.h"

#ifndef EMEDIUMTYPE
#define EMEDIUMTYPE 124
#endif

/* The task of the record being fed, and its cgroup as named so far. */
static void set_actor(struct ia_engine *e, struct ia_actor *a)
{
	const struct ia_event *ev = e->cur;
	const char *path;

	if (!ev)
		return;
	a->pid = ev->pid;
	a->tid = ev->tid;
	memcpy(a->comm, ev->comm, sizeof(a->comm));
	a->cgroup = ev->cgroup;
	path = ev->cgroup ? ia_cgroups_path(&e->cgroups, ev->cgroup) : NULL;
	if (path)
		ia_strlcpy(a->cgroup_path, path, sizeof(a->cgroup_path));
}

struct ia_finding *ia_engine_raise(struct ia_engine *e, enum ia_rule r, enum ia_severity sev,
				   int group_id, __u64 ts)
{
	struct ia_finding *f;

	if (ia_grow((void **)&e->findings, &e->findings_cap, e->nfindings + 1, sizeof(*e->findings))) {
		e->stats.unusable++; /* the finding is lost, counted; the engine goes on */
		return NULL;
	}
	f = &e->findings[e->nfindings++];
	memset(f, 0, sizeof(*f));
	f->rule = r;
	f->sev = sev;
	f->group_id = group_id;
	f->ts_ns = ts;
	set_actor(e, &f->actor);
	return f;
}

static const char *sym(const struct ia_engine *e, __u64 addr, char *buf, size_t len)
{
	const char *name = addr && e->opts.sym_name ? e->opts.sym_name(e->opts.sym_ctx, addr) : NULL;

	if (name)
		return name;
	snprintf(buf, len, addr ? "%#llx" : "unknown", (unsigned long long)addr);
	return buf;
}

static const char *errname(long ret)
{
	return ia_errno_name(ret) ?: "?";
}

/* An errno that means "this domain cannot serve this device" (v6.2+; -EMEDIUMTYPE proposed). */
static bool soft_errno(long ret)
{
	return ret == -EINVAL || ret == -EMEDIUMTYPE;
}

static bool is_err_ptr(const struct ia_event *ev)
{
	return ev->ret < 0 && ev->ret >= -4095;
}

static bool attach_family(unsigned int hook)
{
	switch (hook) {
	case IA_HOOK_ATTACH_DEVICE:
	case IA_HOOK_ATTACH_GROUP:
	case IA_HOOK_DETACH_DEVICE:
	case IA_HOOK_DETACH_GROUP:
	case IA_HOOK_ATTACH_DEV_CORE:
	case IA_HOOK_SET_DOMAIN:
	case IA_HOOK_ATTACH_HANDLE:
	case IA_HOOK_REPLACE_HANDLE:
	case IA_HOOK_DETACH_HANDLE:
		return true;
	default:
		return false;
	}
}

static struct ia_thread *thread_of(struct ia_engine *e, __u32 tid)
{
	for (size_t i = 0; i < e->nthreads; i++)
		if (e->threads[i].tid == tid)
			return &e->threads[i];
	return NULL;
}

static bool attach_open(struct ia_engine *e, __u32 tid)
{
	struct ia_thread *t = thread_of(e, tid);

	for (int i = t ? t->depth - 1 : -1; i >= 0; i--)
		if (attach_family(t->frames[i].enter.hook))
			return true;
	return false;
}

/* -------- viability -------- */

/*
 * A kernel-DMA driver in a user-owned group: the state the DMA ownership
 * API (v5.19) exists to prevent; raised once per entry into the state.
 * Not from an unverified group: after lost records its owner may be one
 * whose release was lost, and a violation must rest on the kernel's word.
 */
static void check_viability(struct ia_engine *e, struct ia_group *g, __u64 seq)
{
	struct ia_finding *f;

	if (!g || g->unverified)
		return;
	if (ia_group_verdict(g) != IA_VERDICT_VIOLATION) {
		g->violation_flagged = false;
		return;
	}
	if (g->violation_flagged)
		return;
	g->violation_flagged = true;
	f = ia_engine_raise(e, IA_RULE_VIABILITY, IA_SEV_ERROR, g->id, e->last_ts);
	if (!f)
		return;
	for (size_t i = 0; i < g->ndevs; i++)
		if (g->devs[i].dma == IA_DMA_KERNEL)
			ia_finding_add_dev(f, g->devs[i].name);
	ia_finding_add_evidence(f, seq);
	snprintf(f->detail, sizeof(f->detail),
		 "group %d is user-owned (%s %#llx) while a kernel-DMA driver is bound", g->id,
		 ia_owner_kind_name(g->owner_kind), (unsigned long long)g->owner);
}

static struct ia_group *group_of(struct ia_engine *e, int id)
{
	return id >= 0 ? ia_model_group(&e->model, id, false) : NULL;
}

/* -------- refusals -------- */

/*
 * really_probe -> dma_configure -> iommu_device_use_default_domain() fails
 * -EBUSY when the group is user-owned (6.12: -EPROBE_DEFER without a
 * default domain): the kernel refused a kernel-DMA bind.
 */
static void bind_refused(struct ia_engine *e, const struct ia_frame *probe, long err,
			 __u64 refused_seq, __u64 seq)
{
	const struct ia_event *en = &probe->enter;
	struct ia_group *g = group_of(e, en->group_id);
	struct ia_finding *f = ia_engine_raise(e, IA_RULE_BIND_REFUSED, IA_SEV_WARNING, en->group_id, e->last_ts);

	if (!f)
		return;
	f->err = err;
	ia_finding_add_dev(f, en->dev_name);
	ia_finding_add_evidence(f, probe->seq);
	ia_finding_add_evidence(f, refused_seq);
	ia_finding_add_evidence(f, seq);
	snprintf(f->detail, sizeof(f->detail),
		 "%s bind to %s refused (%s): group %d is %s%s", en->drv_name, en->dev_name,
		 errname(err), en->group_id,
		 g && g->owner ? "user-owned by " : "not on its default domain",
		 g && g->owner ? ia_owner_kind_name(g->owner_kind) : "");
}

/*
 * iommu_device_claim_dma_owner: -EPERM when the group already has users
 * (owner_cnt) with another owner, e.g. a kernel driver's default-domain
 * use; __iommu_take_dma_ownership: -EBUSY off the default domain.
 */
static void claim_refused(struct ia_engine *e, const struct ia_frame *fr, long err, __u64 seq)
{
	const struct ia_event *en = &fr->enter;
	struct ia_group *g = group_of(e, en->group_id);
	struct ia_finding *f = ia_engine_raise(e, IA_RULE_CLAIM_REFUSED, IA_SEV_WARNING, en->group_id, e->last_ts);
	char holders[96] = "", why[128] = "";

	if (!f)
		return;
	f->err = err;
	ia_finding_add_dev(f, en->dev_name);
	for (size_t i = 0; g && i < g->ndevs; i++) {
		const struct ia_dev *d = &g->devs[i];

		if (d->dma != IA_DMA_KERNEL)
			continue;
		ia_finding_add_dev(f, d->name);
		if (strlen(holders) + strlen(d->driver) + strlen(d->name) + 6 < sizeof(holders))
			snprintf(holders + strlen(holders), sizeof(holders) - strlen(holders), "%s%s on %s",
				 holders[0] ? ", " : "", d->driver, d->name);
	}
	ia_finding_add_evidence(f, fr->seq);
	ia_finding_add_evidence(f, seq);
	if (holders[0])
		snprintf(why, sizeof(why), ": kernel driver %s", holders);
	else if (g && g->pasids && err == -EBUSY) /* __iommu_take_dma_ownership(): pasid_array not empty */
		snprintf(why, sizeof(why), ": %u PASID attachment%s remain%s", g->pasids,
			 g->pasids == 1 ? "" : "s", g->pasids == 1 ? "s" : "");
	snprintf(f->detail, sizeof(f->detail), "user claim of group %d%s%s refused (%s)%s",
		 en->group_id, en->dev_name[0] ? " via " : "", en->dev_name, errname(err), why);
}

/* -------- multiple IOMMU drivers -------- */

static void iommu_list(const struct ia_model *m, char *buf, size_t len)
{
	buf[0] = '\0';
	for (int i = 0; i < m->niommus; i++)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", i ? ", " : "", m->iommus[i]);
}

/* iommu_probe_device: -ENODEV means no registered IOMMU driver took the device. */
static void probe_missed(struct ia_engine *e, const struct ia_frame *fr, long ret, __u64 seq)
{
	struct ia_probe_miss *m;

	if (ret != -ENODEV || e->model.niommus < 2 || !fr->enter.dev_name[0])
		return;
	if (ia_grow((void **)&e->misses, &e->misses_cap, e->nmisses + 1, sizeof(*e->misses)))
		return;
	m = &e->misses[e->nmisses++];
	ia_strlcpy(m->dev, fr->enter.dev_name, sizeof(m->dev));
	m->seq = seq;
	m->err = ret;
}

/* A bind of a device whose IOMMU probe failed: the multiple-driver finding. */
static void bind_after_miss(struct ia_engine *e, const struct ia_frame *fr, long err, __u64 seq)
{
	char drivers[IA_MAX_IOMMUS * (IA_NAME_LEN + 2)];
	struct ia_finding *f;
	size_t i;

	for (i = 0; i < e->nmisses; i++)
		if (!strcmp(e->misses[i].dev, fr->enter.dev_name))
			break;
	if (i == e->nmisses)
		return;
	f = ia_engine_raise(e, IA_RULE_MULTI_DRIVER_PROBE, IA_SEV_WARNING, fr->enter.group_id, e->last_ts);
	if (f) {
		iommu_list(&e->model, drivers, sizeof(drivers));
		f->err = err;
		ia_finding_add_dev(f, fr->enter.dev_name);
		ia_finding_add_evidence(f, e->misses[i].seq);
		ia_finding_add_evidence(f, fr->seq);
		ia_finding_add_evidence(f, seq);
		ia_strlcpy(f->drivers, drivers, sizeof(f->drivers));
		snprintf(f->detail, sizeof(f->detail),
			 "IOMMU probe of %s failed (%s) with %d IOMMU drivers registered (%s); %s then failed (%s)",
			 fr->enter.dev_name, errname(e->misses[i].err), e->model.niommus, drivers,
			 ia_hook_name(fr->enter.hook), errname(err));
	}
	e->misses[i] = e->misses[--e->nmisses];
}

/*
 * v6.12 __iommu_attach_group: a domain whose owner (the iommu_ops that
 * allocated it) is not the device's -> -EINVAL.
 */
static void owner_mismatch(struct ia_engine *e, const struct ia_frame *fr, long ret, __u64 seq)
{
	const struct ia_event *en = &fr->enter;
	struct ia_group *g = group_of(e, en->group_id);
	char a[32], b[32];
	struct ia_finding *f;

	if (ret != -EINVAL || !en->dom_owner || !en->dev_ops || en->dom_owner == en->dev_ops)
		return;
	f = ia_engine_raise(e, IA_RULE_MULTI_DRIVER_DOMAIN, IA_SEV_WARNING, en->group_id, e->last_ts);
	if (!f)
		return;
	f->err = ret;
	ia_finding_add_dev(f, en->dev_name);
	for (size_t i = 0; g && i < g->ndevs; i++)
		ia_finding_add_dev(f, g->devs[i].name);
	ia_finding_add_evidence(f, fr->seq);
	ia_finding_add_evidence(f, seq);
	snprintf(f->drivers, sizeof(f->drivers), "%s, %s", sym(e, en->dom_owner, a, sizeof(a)),
		 sym(e, en->dev_ops, b, sizeof(b)));
	snprintf(f->detail, sizeof(f->detail),
		 "domain %#llx of %s offered to group %d served by %s", (unsigned long long)en->domain,
		 sym(e, en->dom_owner, a, sizeof(a)), en->group_id, sym(e, en->dev_ops, b, sizeof(b)));
}

/* -------- soft and hard attach failures -------- */

static struct ia_soft_pending *pending(struct ia_engine *e, const char *dev)
{
	for (size_t i = 0; i < e->nsoft; i++)
		if (!strcmp(e->soft[i].dev, dev))
			return &e->soft[i];
	return NULL;
}

static void pending_drop(struct ia_engine *e, struct ia_soft_pending *p)
{
	*p = e->soft[--e->nsoft];
}

static void soft_add(struct ia_engine *e, const struct ia_event *en, long ret, __u64 seq)
{
	struct ia_soft_pending *p = pending(e, en->dev_name);

	if (!p) {
		if (ia_grow((void **)&e->soft, &e->soft_cap, e->nsoft + 1, sizeof(*e->soft)))
			return;
		p = &e->soft[e->nsoft++];
		memset(p, 0, sizeof(*p));
		ia_strlcpy(p->dev, en->dev_name, sizeof(p->dev));
		p->group_id = en->group_id;
		p->first_ts = e->last_ts;
	}
	p->retries++;
	p->err = ret;
	p->failed_domain = en->domain;
	p->failed_owner = en->dom_owner;
	if (p->nevidence < IA_MAX_EVIDENCE)
		p->evidence[p->nevidence++] = seq;
}

static struct ia_finding *soft_finding(struct ia_engine *e, const struct ia_soft_pending *p,
				       enum ia_rule r)
{
	struct ia_finding *f = ia_engine_raise(e, r, r == IA_RULE_SOFT_FAILURE ? IA_SEV_INFO : IA_SEV_WARNING,
					     p->group_id, e->last_ts);

	if (!f)
		return NULL;
	f->err = p->err;
	f->retries = p->retries;
	ia_finding_add_dev(f, p->dev);
	for (int i = 0; i < p->nevidence; i++)
		ia_finding_add_evidence(f, p->evidence[i]);
	return f;
}

static void soft_resolved(struct ia_engine *e, struct ia_soft_pending *p, const struct ia_event *en,
			  __u64 seq)
{
	struct ia_finding *f = soft_finding(e, p, IA_RULE_SOFT_FAILURE);
	char a[32], b[32];

	if (f) {
		f->resolve_ns = e->last_ts - p->first_ts;
		ia_finding_add_evidence(f, seq);
		snprintf(f->drivers, sizeof(f->drivers), "%s, %s", sym(e, p->failed_owner, a, sizeof(a)),
			 sym(e, en->dom_owner, b, sizeof(b)));
		snprintf(f->detail, sizeof(f->detail),
			 "%s: %u failed attach%s (%s, last to domain %#llx), then domain %#llx attached after %.3f ms",
			 p->dev, p->retries, p->retries == 1 ? "" : "es", errname(p->err),
			 (unsigned long long)p->failed_domain, (unsigned long long)en->domain,
			 (double)f->resolve_ns / 1e6);
	}
	pending_drop(e, p);
}

static void soft_unresolved(struct ia_engine *e, struct ia_soft_pending *p, const char *why)
{
	struct ia_finding *f = soft_finding(e, p, IA_RULE_SOFT_UNRESOLVED);
	char a[32];

	if (f) {
		ia_strlcpy(f->drivers, sym(e, p->failed_owner, a, sizeof(a)), sizeof(f->drivers));
		snprintf(f->detail, sizeof(f->detail),
			 "%s: %u failed attach%s (%s, last to domain %#llx) and no other domain attached before %s",
			 p->dev, p->retries, p->retries == 1 ? "" : "es", errname(p->err),
			 (unsigned long long)p->failed_domain, why);
	}
	pending_drop(e, p);
}

static void hard_failure(struct ia_engine *e, const struct ia_frame *fr, long ret, __u64 seq)
{
	const struct ia_event *en = &fr->enter;
	struct ia_finding *f = ia_engine_raise(e, IA_RULE_HARD_FAILURE, IA_SEV_ERROR, en->group_id, e->last_ts);
	char a[32];

	if (!f)
		return;
	f->err = ret;
	ia_finding_add_dev(f, en->dev_name);
	ia_finding_add_evidence(f, fr->seq);
	ia_finding_add_evidence(f, seq);
	ia_strlcpy(f->drivers, sym(e, en->dom_owner, a, sizeof(a)), sizeof(f->drivers));
	snprintf(f->detail, sizeof(f->detail), "attach of %s to domain %#llx failed (%s)", en->dev_name,
		 (unsigned long long)en->domain, errname(ret));
}

/*
 * Moving a device to its blocking domain, or back to its default domain
 * while detaching, unbinding or releasing ownership, ends a user's use of
 * the device: no other domain serves it, so that attach resolves nothing.
 */
static bool teardown(struct ia_engine *e, const struct ia_event *en)
{
	static const unsigned int hooks[] = {
		IA_HOOK_DETACH_DEVICE, IA_HOOK_DETACH_GROUP, IA_HOOK_IOMMUFD_DETACH,
		IA_HOOK_IOMMUFD_UNBIND, IA_HOOK_DEVICE_RELEASE, IA_HOOK_GROUP_RELEASE,
		IA_HOOK_IOMMUFD_RELEASE,
	};

	if (en->domain_type == 0) /* IOMMU_DOMAIN_BLOCKED */
		return true;
	for (size_t i = 0; i < sizeof(hooks) / sizeof(hooks[0]); i++)
		if (ia_engine_open_frame(e, en->tid, hooks[i]))
			return true;
	return false;
}

/* Every open attach-family call on the thread saw a device attach fail. */
static void mark_inner_failure(struct ia_engine *e, __u32 tid)
{
	struct ia_thread *t = thread_of(e, tid);

	for (int i = t ? t->depth - 1 : -1; i >= 0; i--)
		if (attach_family(t->frames[i].enter.hook))
			t->frames[i].inner_attach_failed = true;
}

/*
 * __iommu_attach_device: the first place a driver's attach errno is seen.
 * Not counted: the re-attach to the old domain that a failed set-domain
 * does for devices it had already switched (a revert: inside a set-domain
 * call for another domain). In vfio type1's attach any failure on an
 * existing domain is soft (pre-6.2 drivers used assorted errnos).
 */
static void attach_result(struct ia_engine *e, const struct ia_frame *fr, long ret, __u64 seq)
{
	const struct ia_event *en = &fr->enter;
	struct ia_frame *set = ia_engine_open_frame(e, en->tid, IA_HOOK_SET_DOMAIN);
	struct ia_soft_pending *p;
	struct ia_frame *type1;

	if (!en->dev_name[0])
		return;
	if (set && (set->enter.flags & IA_F_HAVE_DOM) && set->enter.domain != en->domain)
		return;
	p = pending(e, en->dev_name);
	if (ret == 0) {
		if (p && en->domain != p->failed_domain && !teardown(e, en))
			soft_resolved(e, p, en, seq);
		return;
	}
	mark_inner_failure(e, en->tid);
	type1 = ia_engine_open_frame(e, en->tid, IA_HOOK_TYPE1_ATTACH);
	if (soft_errno(ret) || (type1 && en->domain != type1->new_domain))
		soft_add(e, en, ret, seq);
	else
		hard_failure(e, fr, ret, seq);
}

/*
 * A group-level attach that failed as incompatible before any device
 * attach was tried (the 6.12 owner check): every device of the group waits
 * for another domain.
 */
static void group_attach_result(struct ia_engine *e, const struct ia_frame *fr, long ret, __u64 seq)
{
	struct ia_group *g = group_of(e, fr->enter.group_id);
	struct ia_event en = fr->enter;

	if (!soft_errno(ret) || fr->inner_attach_failed || !g)
		return;
	for (size_t i = 0; i < g->ndevs; i++) {
		ia_strlcpy(en.dev_name, g->devs[i].name, sizeof(en.dev_name));
		soft_add(e, &en, ret, seq);
	}
}

static void flush_pending_dev(struct ia_engine *e, const char *dev, const char *why)
{
	struct ia_soft_pending *p = dev[0] ? pending(e, dev) : NULL;

	if (p)
		soft_unresolved(e, p, why);
}

/* -------- split groups -------- */

/*
 * Devices of one group on different domains, once no attach is in flight.
 * Not in an unverified group: a lost attach record leaves a device's
 * domain stale, which would read as a split.
 */
static void check_split(struct ia_engine *e, int group_id, __u64 seq)
{
	struct ia_group *g = group_of(e, group_id);
	struct ia_finding *f;
	__u64 first = 0;
	bool split = false;

	if (!g || g->unverified)
		return;
	for (size_t i = 0; i < g->ndevs; i++) {
		__u64 d = g->devs[i].domain;

		if (d && first && d != first)
			split = true;
		if (d && !first)
			first = d;
	}
	if (!split) {
		g->split_flagged = false;
		return;
	}
	if (g->split_flagged)
		return;
	g->split_flagged = true;
	f = ia_engine_raise(e, IA_RULE_SPLIT_GROUP, IA_SEV_ERROR, g->id, e->last_ts);
	if (!f)
		return;
	for (size_t i = 0; i < g->ndevs; i++)
		if (g->devs[i].domain)
			ia_finding_add_dev(f, g->devs[i].name);
	ia_finding_add_evidence(f, seq);
	snprintf(f->detail, sizeof(f->detail), "devices of group %d are on different domains", g->id);
}

/* -------- ownership balance -------- */

/*
 * A release with owner_cnt already 0 (the kernel WARNs): release without
 * claim. Raised even in an unverified group: owner_cnt is the kernel's,
 * read by the probe at the release's entry, not the model's.
 */
static void release_unbalanced(struct ia_engine *e, const struct ia_event *ev, __u64 seq)
{
	struct ia_finding *f;

	if (!(ev->flags & IA_F_OWNER_KNOWN) || ev->owner_cnt != 0 || ev->group_id < 0)
		return;
	f = ia_engine_raise(e, IA_RULE_OWNER_IMBALANCE, IA_SEV_ERROR, ev->group_id, ev->ts_ns);
	if (!f)
		return;
	ia_finding_add_dev(f, ev->dev_name);
	ia_finding_add_evidence(f, seq);
	snprintf(f->detail, sizeof(f->detail), "%s on group %d with owner_cnt 0: release without claim",
		 ia_hook_name(ev->hook), ev->group_id);
}

/*
 * An iommufd context went away (iommufd_fops_release) still owning groups.
 * Not for unverified groups: the model's owner there may be one whose
 * release record was lost.
 */
static void owner_gone(struct ia_engine *e, const struct ia_frame *fr, __u64 seq)
{
	for (size_t i = 0; i < e->model.ngroups; i++) {
		struct ia_group *g = &e->model.groups[i];
		struct ia_finding *f;

		if (!fr->enter.owner || g->owner != fr->enter.owner || !g->owner_cnt || g->unverified)
			continue;
		f = ia_engine_raise(e, IA_RULE_OWNER_IMBALANCE, IA_SEV_ERROR, g->id, e->last_ts);
		if (!f)
			continue;
		ia_finding_add_evidence(f, fr->seq);
		ia_finding_add_evidence(f, seq);
		snprintf(f->detail, sizeof(f->detail),
			 "iommufd context %#llx closed while still owning group %d (owner_cnt %u): claim without release",
			 (unsigned long long)fr->enter.owner, g->id, g->owner_cnt);
	}
}

/* vfio type1 attach allocates its new domain first: attaches to others are reuse tries. */
static void note_type1_domain(struct ia_engine *e, const struct ia_event *ev)
{
	struct ia_frame *type1 = ia_engine_open_frame(e, ev->tid, IA_HOOK_TYPE1_ATTACH);

	if (type1 && (ev->flags & IA_F_HAVE_DOM))
		type1->new_domain = ev->domain;
}

/*
 * Before v5.19 nothing refuses a kernel driver's bind into a group VFIO
 * holds: VFIO's notifier runs BUG_ON(vfio_group_nb_verify()) once the
 * driver is bound (drivers/vfio/vfio.c of v5.10, vfio_iommu_group_notifier()
 * on IOMMU_GROUP_NOTIFY_BOUND_DRIVER), inside really_probe, so that its exit
 * never comes. The violation is raised at the entry, its evidence.
 */
static void bind_into_vfio_group(struct ia_engine *e, const struct ia_event *ev, __u64 seq)
{
	struct ia_group *g = group_of(e, ev->group_id);
	struct ia_finding *f;

	if (!g || !g->vfio_held || (ev->flags & IA_F_OWNER_KNOWN) || g->violation_flagged ||
	    ia_driver_dma_class(ev->drv_name) != IA_DMA_KERNEL)
		return;
	g->violation_flagged = true;
	f = ia_engine_raise(e, IA_RULE_VIABILITY, IA_SEV_ERROR, g->id, ev->ts_ns);
	if (!f)
		return;
	ia_finding_add_dev(f, ev->dev_name);
	ia_finding_add_evidence(f, seq);
	snprintf(f->detail, sizeof(f->detail),
		 "%.24s binding to %.24s in group %d, held by a VFIO container: pre-5.19 kernels "
		 "let it bind, then VFIO BUG()s", ev->drv_name, ev->dev_name, g->id);
}

/* -------- entry points -------- */

void ia_rules_enter(struct ia_engine *e, const struct ia_event *ev, __u64 seq)
{
	switch (ev->hook) {
	case IA_HOOK_REALLY_PROBE:
		bind_into_vfio_group(e, ev, seq);
		break;
	case IA_HOOK_GROUP_RELEASE:
	case IA_HOOK_DEVICE_RELEASE:
	case IA_HOOK_UNUSE_DEFAULT:
		release_unbalanced(e, ev, seq);
		break;
	default:
		break;
	}
}

static void on_use_default(struct ia_engine *e, const struct ia_frame *fr, long ret, __u64 seq)
{
	struct ia_frame *probe;

	if (ret >= 0)
		return;
	probe = ia_engine_open_frame(e, fr->enter.tid, IA_HOOK_REALLY_PROBE);
	if (probe) {
		probe->refused = ret;
		probe->refused_seq = seq;
	} else {
		bind_refused(e, fr, ret, seq, seq);
	}
}

static void on_really_probe(struct ia_engine *e, const struct ia_frame *fr, long ret, __u64 seq)
{
	if (ret == 0) {
		check_viability(e, group_of(e, fr->enter.group_id), seq);
		return;
	}
	if (fr->refused)
		bind_refused(e, fr, fr->refused, fr->refused_seq, seq);
	bind_after_miss(e, fr, ret, seq);
}

static void on_claim(struct ia_engine *e, const struct ia_frame *fr, long ret, __u64 seq)
{
	if (ret == -EPERM || ret == -EBUSY)
		claim_refused(e, fr, ret, seq);
	else if (ret == 0)
		check_viability(e, group_of(e, fr->enter.group_id), seq);
}

static void on_attach_exit(struct ia_engine *e, const struct ia_event *ev, const struct ia_frame *fr,
			   __u64 seq)
{
	long ret = (long)ev->ret;

	/*
	 * The blocking domain a PCI reset stages (pci_dev_reset_iommu_prepare,
	 * 7.0) and group->domain restored after it: no ownership change, no
	 * split; a failure shows as the prepare's own error.
	 */
	if (ev->hook == IA_HOOK_ATTACH_DEV_CORE && ia_engine_in_reset(e, ev->tid))
		return;
	if (ev->hook == IA_HOOK_ATTACH_DEV_CORE)
		attach_result(e, fr, ret, seq);
	if (ev->hook == IA_HOOK_ATTACH_GROUP || ev->hook == IA_HOOK_ATTACH_HANDLE) {
		owner_mismatch(e, fr, ret, seq);
		group_attach_result(e, fr, ret, seq);
	}
	if (ev->hook == IA_HOOK_REPLACE_HANDLE)
		group_attach_result(e, fr, ret, seq);
	if (!attach_open(e, ev->tid))
		check_split(e, fr->enter.group_id, seq);
}

void ia_rules_exit(struct ia_engine *e, const struct ia_event *ev, const struct ia_frame *f, __u64 seq)
{
	long ret = (long)ev->ret;

	if (attach_family(ev->hook)) {
		on_attach_exit(e, ev, f, seq);
		return;
	}
	switch (ev->hook) {
	case IA_HOOK_USE_DEFAULT:
		on_use_default(e, f, ret, seq);
		break;
	case IA_HOOK_REALLY_PROBE:
		on_really_probe(e, f, ret, seq);
		break;
	case IA_HOOK_GROUP_CLAIM:
	case IA_HOOK_DEVICE_CLAIM:
		on_claim(e, f, ret, seq);
		break;
	case IA_HOOK_PROBE_DEVICE:
		probe_missed(e, f, ret, seq);
		break;
	case IA_HOOK_IOMMUFD_BIND:
		if (is_err_ptr(ev))
			bind_after_miss(e, f, ret, seq);
		break;
	case IA_HOOK_IOMMUFD_UNBIND:
		flush_pending_dev(e, f->enter.dev_name, "the iommufd unbind");
		break;
	case IA_HOOK_RELEASE_DRIVER:
		if (f->enter.flags & IA_F_RELEASES)
			flush_pending_dev(e, f->enter.dev_name, "the driver unbind");
		break;
	case IA_HOOK_IOMMUFD_RELEASE:
		owner_gone(e, f, seq);
		break;
	case IA_HOOK_DOMAIN_ALLOC:
	case IA_HOOK_DOMAIN_ALLOC_BUS:
		note_type1_domain(e, ev);
		break;
	default:
		break;
	}
}

void ia_engine_finish(struct ia_engine *e)
{
	size_t from = e->nfindings;

	while (e->nsoft)
		soft_unresolved(e, &e->soft[e->nsoft - 1], "the end of the trace");
	ia_resync_note_findings(e, from);
	ia_resync_finish(e);
}
