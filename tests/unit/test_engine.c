// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The engine fed fixture event streams, as the probes would produce them. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "engine.h"
#include "iommufd_out.h"
#include "unit.h"
#include "../tools/scenarios.h"

#define NIC "0000:01:00.0"
#define NIC_B "0000:03:01.0"

static struct ia_event mk(__u16 hook, __u8 phase, __u32 tid, const char *dev, const char *drv,
			  int group, long ret)
{
	struct ia_event e = scn_bare(hook, phase, tid, 0, dev, drv, group);

	e.ret = ret;
	return e;
}

static int feed(struct ia_engine *en, struct ia_event e)
{
	struct ia_decoded d;

	return ia_engine_feed(en, &e, sizeof(e), &d);
}

/* A group of one NIC on e1000e, as a snapshot would find it. */
static void base_model(struct ia_model *m)
{
	struct ia_group *g;
	struct ia_dev *d;

	ia_model_init(m);
	g = ia_model_group(m, 1, true);
	strcpy(g->type, "DMA");
	d = ia_group_dev(g, NIC, true);
	strcpy(d->driver, "e1000e");
	d->dma = IA_DMA_KERNEL;
}

static void start(struct ia_engine *en, bool use_default_hooked)
{
	struct ia_engine_opts o = { .use_default_hooked = use_default_hooked };
	struct ia_model m;

	base_model(&m);
	ia_engine_init(en, &m, &o);
	ia_model_free(&m);
}

static void unbind(struct ia_engine *en, __u32 tid, const char *dev, const char *drv, int grp)
{
	struct ia_event rel = mk(IA_HOOK_RELEASE_DRIVER, IA_PH_ENTER, tid, dev, drv, grp, 0);

	rel.flags |= IA_F_RELEASES;
	feed(en, rel);
	feed(en, mk(IA_HOOK_UNUSE_DEFAULT, IA_PH_ENTER, tid, dev, NULL, grp, 0));
	feed(en, mk(IA_HOOK_UNUSE_DEFAULT, IA_PH_EXIT, tid, NULL, NULL, -1, 0));
	feed(en, mk(IA_HOOK_RELEASE_DRIVER, IA_PH_EXIT, tid, NULL, NULL, -1, 0));
}

/* really_probe; a kernel-DMA driver takes the default domain inside it. */
static void bind(struct ia_engine *en, __u32 tid, const char *dev, const char *drv, int grp,
		 bool kernel_dma, long ret)
{
	feed(en, mk(IA_HOOK_REALLY_PROBE, IA_PH_ENTER, tid, dev, drv, grp, 0));
	if (kernel_dma) {
		feed(en, mk(IA_HOOK_USE_DEFAULT, IA_PH_ENTER, tid, dev, NULL, grp, 0));
		feed(en, mk(IA_HOOK_USE_DEFAULT, IA_PH_EXIT, tid, NULL, NULL, -1, 0));
	}
	/* kretprobe exits carry no arguments: the engine pairs them by thread */
	feed(en, mk(IA_HOOK_REALLY_PROBE, IA_PH_EXIT, tid, NULL, NULL, -1, ret));
}

static struct ia_dev *nic(struct ia_engine *en)
{
	return ia_model_find_dev(&en->model, NIC, NULL);
}

UNIT_TEST(engine_rebind_to_vfio_and_back)
{
	struct ia_engine en;
	struct ia_group *g;

	start(&en, true);
	unbind(&en, 100, NIC, "e1000e", 1);
	CHECK_STR(nic(&en)->driver, "");
	CHECK_INT(nic(&en)->dma, IA_DMA_NONE);
	bind(&en, 100, NIC, "vfio-pci", 1, false, 0);
	CHECK_STR(nic(&en)->driver, "vfio-pci");
	CHECK_INT(nic(&en)->dma, IA_DMA_USER);
	g = ia_model_group(&en.model, 1, false);
	CHECK_STR(ia_group_dma_name(g), "user");
	unbind(&en, 101, NIC, "vfio-pci", 1);
	bind(&en, 101, NIC, "e1000e", 1, true, 0);
	CHECK_STR(nic(&en)->driver, "e1000e");
	CHECK_INT(nic(&en)->dma, IA_DMA_KERNEL);
	CHECK_INT(en.stats.unpaired_exits, 0);
	CHECK_INT(en.stats.lost_frames, 0);
	CHECK_INT(en.nthreads, 0);
	ia_engine_free(&en);
}

UNIT_TEST(engine_failed_probe_binds_nothing)
{
	struct ia_engine en;

	start(&en, true);
	unbind(&en, 7, NIC, "e1000e", 1);
	/* -EBUSY from iommu_device_use_default_domain in a user-owned group */
	feed(&en, mk(IA_HOOK_REALLY_PROBE, IA_PH_ENTER, 7, NIC, "e1000e", 1, 0));
	feed(&en, mk(IA_HOOK_USE_DEFAULT, IA_PH_ENTER, 7, NIC, NULL, 1, 0));
	feed(&en, mk(IA_HOOK_USE_DEFAULT, IA_PH_EXIT, 7, NULL, NULL, -1, -EBUSY));
	feed(&en, mk(IA_HOOK_REALLY_PROBE, IA_PH_EXIT, 7, NULL, NULL, -1, -EBUSY));
	CHECK_STR(nic(&en)->driver, "");
	/* a driver's own probe error comes back positive from really_probe */
	bind(&en, 7, NIC, "e1000e", 1, true, ENODEV);
	CHECK_STR(nic(&en)->driver, "");
	ia_engine_free(&en);
}

UNIT_TEST(engine_release_noop_keeps_driver)
{
	struct ia_engine en;

	start(&en, true);
	/* device_release_driver_internal(dev, other_drv, ...) does nothing */
	feed(&en, mk(IA_HOOK_RELEASE_DRIVER, IA_PH_ENTER, 3, NIC, "e1000e", 1, 0));
	feed(&en, mk(IA_HOOK_RELEASE_DRIVER, IA_PH_EXIT, 3, NULL, NULL, -1, 0));
	CHECK_STR(nic(&en)->driver, "e1000e");
	ia_engine_free(&en);
}

UNIT_TEST(engine_pairs_across_interleaved_threads)
{
	struct ia_engine en;

	start(&en, true);
	unbind(&en, 1, NIC, "e1000e", 1);
	feed(&en, mk(IA_HOOK_REALLY_PROBE, IA_PH_ENTER, 1, NIC, "vfio-pci", 1, 0));
	/* another thread binds a device of another group meanwhile */
	feed(&en, mk(IA_HOOK_REALLY_PROBE, IA_PH_ENTER, 2, NIC_B, "e1000", 2, 0));
	feed(&en, mk(IA_HOOK_USE_DEFAULT, IA_PH_ENTER, 2, NIC_B, NULL, 2, 0));
	feed(&en, mk(IA_HOOK_USE_DEFAULT, IA_PH_EXIT, 2, NULL, NULL, -1, 0));
	feed(&en, mk(IA_HOOK_REALLY_PROBE, IA_PH_EXIT, 1, NULL, NULL, -1, 0));
	feed(&en, mk(IA_HOOK_REALLY_PROBE, IA_PH_EXIT, 2, NULL, NULL, -1, 0));
	CHECK_INT(nic(&en)->dma, IA_DMA_USER);
	CHECK_INT(ia_model_find_dev(&en.model, NIC_B, NULL)->dma, IA_DMA_KERNEL);
	CHECK_STR(ia_model_find_dev(&en.model, NIC_B, NULL)->driver, "e1000");
	ia_engine_free(&en);
}

UNIT_TEST(engine_nested_probe_marks_inner_only)
{
	struct ia_engine en;

	start(&en, true);
	unbind(&en, 5, NIC, "e1000e", 1);
	/* an outer driver-managed bind whose probe binds a child synchronously */
	feed(&en, mk(IA_HOOK_REALLY_PROBE, IA_PH_ENTER, 5, NIC, "vfio-pci", 1, 0));
	bind(&en, 5, NIC_B, "e1000", 2, true, 0);
	feed(&en, mk(IA_HOOK_REALLY_PROBE, IA_PH_EXIT, 5, NULL, NULL, -1, 0));
	CHECK_INT(nic(&en)->dma, IA_DMA_USER);
	CHECK_INT(ia_model_find_dev(&en.model, NIC_B, NULL)->dma, IA_DMA_KERNEL);
	ia_engine_free(&en);
}

UNIT_TEST(engine_mixed_group_is_not_viable)
{
	struct ia_engine en;
	struct ia_group *g;

	start(&en, true);
	bind(&en, 9, NIC_B, "vfio-pci", 1, false, 0); /* a second device of group 1 */
	g = ia_model_group(&en.model, 1, false);
	CHECK_INT(g->ndevs, 2);
	CHECK_INT(ia_group_verdict(g), IA_VERDICT_NOT_VIABLE);
	CHECK_STR(ia_group_dma_name(g), "mixed");
	ia_engine_free(&en);
}

UNIT_TEST(engine_without_use_default_hook_uses_table)
{
	struct ia_engine en;

	start(&en, false);
	unbind(&en, 4, NIC, "e1000e", 1);
	bind(&en, 4, NIC, "pci-stub", 1, false, 0);
	CHECK_INT(nic(&en)->dma, IA_DMA_NONE);
	unbind(&en, 4, NIC, "pci-stub", 1);
	bind(&en, 4, NIC, "e1000e", 1, false, 0);
	CHECK_INT(nic(&en)->dma, IA_DMA_KERNEL);
	ia_engine_free(&en);
}

UNIT_TEST(engine_unpaired_exit_and_bad_records)
{
	struct ia_engine en;
	struct ia_event e = mk(IA_HOOK_REALLY_PROBE, IA_PH_EXIT, 8, NULL, NULL, -1, 0);
	struct ia_decoded d;

	start(&en, true);
	CHECK_INT(ia_engine_feed(&en, &e, sizeof(e), &d), 0);
	CHECK(d.enter == NULL);
	CHECK_INT(en.stats.unpaired_exits, 1);
	CHECK_INT(ia_engine_feed(&en, &e, sizeof(e) - 1, &d), -EINVAL);
	e.hook = IA_HOOK_MAX;
	CHECK_INT(ia_engine_feed(&en, &e, sizeof(e), &d), -EINVAL);
	e.hook = IA_HOOK_REALLY_PROBE;
	e.size = 12;
	CHECK_INT(ia_engine_feed(&en, &e, sizeof(e), &d), -EINVAL);
	e.size = sizeof(e);
	e.phase = 9;
	CHECK_INT(ia_engine_feed(&en, &e, sizeof(e), &d), -EINVAL);
	CHECK_INT(en.stats.bad_records, 4);
	CHECK_STR(nic(&en)->driver, "e1000e");
	ia_engine_free(&en);
}

UNIT_TEST(engine_lost_exit_is_counted_and_stack_recovers)
{
	struct ia_engine en;
	struct ia_decoded d;
	struct ia_event x;

	start(&en, true);
	feed(&en, mk(IA_HOOK_REALLY_PROBE, IA_PH_ENTER, 6, NIC, "e1000e", 1, 0));
	feed(&en, mk(IA_HOOK_USE_DEFAULT, IA_PH_ENTER, 6, NIC, NULL, 1, 0));
	/* use_default's exit was dropped */
	x = mk(IA_HOOK_REALLY_PROBE, IA_PH_EXIT, 6, NULL, NULL, -1, 0);
	CHECK_INT(ia_engine_feed(&en, &x, sizeof(x), &d), 0);
	CHECK(d.enter != NULL);
	CHECK_STR(d.enter->dev_name, NIC);
	CHECK_INT(en.stats.lost_frames, 1);
	CHECK_INT(en.nthreads, 0);
	ia_engine_free(&en);
}

UNIT_TEST(engine_depth_overflow_drops_oldest)
{
	struct ia_engine en;

	start(&en, true);
	for (int i = 0; i < IA_MAX_DEPTH + 3; i++)
		feed(&en, mk(IA_HOOK_ATTACH_DEV_CORE, IA_PH_ENTER, 11, NIC, NULL, 1, 0));
	CHECK_INT(en.stats.lost_frames, 3);
	CHECK_INT(en.threads[0].depth, IA_MAX_DEPTH);
	ia_engine_free(&en);
}

UNIT_TEST(engine_group_tracepoints_move_devices)
{
	struct ia_engine en;
	struct ia_group *g = NULL;

	start(&en, true);
	feed(&en, mk(IA_HOOK_TP_ADD_GROUP, IA_PH_FIRE, 1, "0000:05:00.0", NULL, 4, 0));
	CHECK(ia_model_find_dev(&en.model, "0000:05:00.0", &g) != NULL);
	CHECK_INT(g ? g->id : -1, 4);
	feed(&en, mk(IA_HOOK_TP_REMOVE_GROUP, IA_PH_FIRE, 1, "0000:05:00.0", NULL, 4, 0));
	CHECK(ia_model_find_dev(&en.model, "0000:05:00.0", NULL) == NULL);
	/* a bind of a device in a group the snapshot did not know creates both */
	bind(&en, 2, "0000:06:00.0", "e1000e", 9, true, 0);
	CHECK(ia_model_find_dev(&en.model, "0000:06:00.0", &g) != NULL);
	CHECK_INT(g ? g->id : -1, 9);
	ia_engine_free(&en);
}

UNIT_TEST(engine_tracks_owner_and_domain)
{
	struct ia_engine en;
	struct ia_event e;
	struct ia_group *g;

	start(&en, true);
	e = mk(IA_HOOK_GROUP_CLAIM, IA_PH_ENTER, 3, NULL, NULL, 1, 0);
	e.flags |= IA_F_HAVE_GRP | IA_F_OWNER_KNOWN;
	e.owner = 0xabc; /* the claimant */
	e.owner_cnt = 0;
	feed(&en, e);
	g = ia_model_group(&en.model, 1, false);
	CHECK(g->owner_known);
	CHECK_INT(g->owner, 0); /* a claim entry's owner is the claimant, not the state */
	/* an entry that reads the live group state */
	e = mk(IA_HOOK_SET_DOMAIN, IA_PH_ENTER, 4, NULL, NULL, 1, 0);
	e.flags |= IA_F_HAVE_GRP | IA_F_OWNER_KNOWN | IA_F_HAVE_DOM;
	e.domain = 0xd0;
	e.domain_type = 1;
	feed(&en, e);
	feed(&en, mk(IA_HOOK_SET_DOMAIN, IA_PH_EXIT, 4, NULL, NULL, -1, 0));
	CHECK(g->owner_known);
	CHECK_INT(g->domain, 0xd0);
	CHECK_INT(g->domain_type, 1);
	feed(&en, mk(IA_HOOK_GROUP_CLAIM, IA_PH_EXIT, 3, NULL, NULL, -1, 0));
	CHECK_INT(g->owner, 0xabc);
	CHECK_INT(g->owner_cnt, 1);
	CHECK_STR(ia_group_dma_name(g), "mixed"); /* the NIC still has its kernel driver */
	feed(&en, mk(IA_HOOK_GROUP_RELEASE, IA_PH_ENTER, 3, NULL, NULL, 1, 0));
	feed(&en, mk(IA_HOOK_GROUP_RELEASE, IA_PH_EXIT, 3, NULL, NULL, -1, 0x1234));
	CHECK_INT(g->owner_cnt, 0);
	CHECK_INT(g->owner, 0);
	ia_engine_free(&en);
}

/* The group state an entry reads wins over what the engine inferred. */
UNIT_TEST(engine_group_state_sets_owner_kind)
{
	struct ia_engine en;
	struct ia_event e;
	struct ia_group *g;

	start(&en, true);
	/* an owner whose claim happened before watch started */
	e = mk(IA_HOOK_SET_DOMAIN, IA_PH_ENTER, 4, NULL, NULL, 1, 0);
	e.flags |= IA_F_HAVE_GRP | IA_F_OWNER_KNOWN;
	e.grp_owner = 0xfeed;
	e.owner_cnt = 1;
	feed(&en, e);
	g = ia_model_group(&en.model, 1, false);
	CHECK_STR(ia_owner_kind_name(g->owner_kind), "other");
	feed(&en, mk(IA_HOOK_SET_DOMAIN, IA_PH_EXIT, 4, NULL, NULL, -1, 0));
	/* its release was missed (a dropped record): the next entry shows no owner */
	e = mk(IA_HOOK_SET_DOMAIN, IA_PH_ENTER, 4, NULL, NULL, 1, 0);
	e.flags |= IA_F_HAVE_GRP | IA_F_OWNER_KNOWN;
	feed(&en, e);
	CHECK_STR(ia_owner_kind_name(g->owner_kind), "none");
	CHECK_INT(g->owner, 0);
	ia_engine_free(&en);
}

/* iommufd objects: a context's device, hwpt and IOAS, linked as the hooks show them. */
UNIT_TEST(engine_tracks_iommufd_objects)
{
	struct ia_engine en;
	struct ia_event e;
	struct ia_ctx *c;

	start(&en, true);
	e = mk(IA_HOOK_IOMMUFD_BIND, IA_PH_ENTER, 3, NIC, NULL, 1, 0);
	e.owner = 0xc7;
	feed(&en, e);
	e = mk(IA_HOOK_IOMMUFD_BIND, IA_PH_EXIT, 3, NULL, NULL, -1, 0x5000);
	e.flags |= IA_F_RET_PTR;
	e.obj_id = 1;
	feed(&en, e);
	CHECK_INT(en.nctxs, 1);
	e = mk(IA_HOOK_HWPT_ALLOC, IA_PH_ENTER, 3, NIC, NULL, 1, 0);
	e.owner = 0xc7;
	e.obj_id = 1;
	feed(&en, e);
	e = mk(IA_HOOK_HWPT_ALLOC, IA_PH_EXIT, 3, NULL, NULL, -1, 0x6000);
	e.flags |= IA_F_RET_PTR | IA_F_HAVE_DOM;
	e.domain = 0xd0;
	e.obj_id2 = 3;
	feed(&en, e);
	e = mk(IA_HOOK_HWPT_ATTACH, IA_PH_ENTER, 3, NIC, NULL, 1, 0);
	e.owner = 0xc7;
	e.obj_id = 1;
	e.obj_id2 = 3;
	feed(&en, e);
	feed(&en, mk(IA_HOOK_HWPT_ATTACH, IA_PH_EXIT, 3, NULL, NULL, -1, 0));
	e = mk(IA_HOOK_IOAS_MAP, IA_PH_ENTER, 3, NULL, NULL, -1, 0);
	e.owner = 0xc7;
	e.arg[1] = 65536;
	e.arg[2] = 2;
	feed(&en, e);
	feed(&en, mk(IA_HOOK_IOAS_MAP, IA_PH_EXIT, 3, NULL, NULL, -1, 0));
	c = &en.ctxs[0];
	CHECK_INT(c->nidevs, 1);
	CHECK_STR(c->idevs[0].dev, NIC);
	CHECK_INT(c->idevs[0].hwpt, 3);
	CHECK_INT(c->nhwpts, 1);
	CHECK_INT(c->hwpts[0].domain, 0xd0);
	CHECK_INT(c->nioas, 1);
	CHECK_INT(c->ioas[0].id, 2);
	CHECK_INT(c->ioas[0].mapped_bytes, 65536);
	e = mk(IA_HOOK_HWPT_DESTROY, IA_PH_ENTER, 3, NULL, NULL, -1, 0);
	e.obj_id2 = 3;
	feed(&en, e);
	feed(&en, mk(IA_HOOK_HWPT_DESTROY, IA_PH_EXIT, 3, NULL, NULL, -1, 0));
	CHECK_INT(en.ctxs[0].nhwpts, 0);
	e = mk(IA_HOOK_IOMMUFD_RELEASE, IA_PH_ENTER, 3, NULL, NULL, -1, 0);
	e.owner = 0xc7;
	feed(&en, e);
	feed(&en, mk(IA_HOOK_IOMMUFD_RELEASE, IA_PH_EXIT, 3, NULL, NULL, -1, 0));
	CHECK_INT(en.nctxs, 0);
	CHECK_INT(en.ctxs_closed, 1);
	ia_engine_free(&en);
}

/* An iommufd record of context 0xc7: idev is the device object's id, hwpt the hwpt's (0: none). */
static struct ia_event fd_rec(__u16 hook, __u8 phase, __u32 idev, __u32 hwpt, long ret)
{
	/* entries carry the device: the bind's its argument, the others' their device object's */
	bool dev = phase == IA_PH_ENTER && (idev || hook == IA_HOOK_IOMMUFD_BIND);
	struct ia_event e = mk(hook, phase, 3, dev ? NIC : NULL, NULL, dev ? 1 : -1, ret);

	if (phase == IA_PH_ENTER)
		e.owner = 0xc7;
	e.obj_id = idev;
	e.obj_id2 = hwpt;
	if (phase == IA_PH_EXIT && (hook == IA_HOOK_HWPT_ALLOC || hook == IA_HOOK_IOMMUFD_BIND))
		e.flags |= IA_F_RET_PTR;
	if (hwpt && (hook == IA_HOOK_HWPT_ATTACH ? phase == IA_PH_ENTER : phase == IA_PH_EXIT)) {
		e.flags |= IA_F_HAVE_DOM; /* the hwpt's domain, as both exit programs read it */
		e.domain = 0xd0 + hwpt;
		e.domain_type = 1;
	}
	return e;
}

/* The open contexts as `watch` prints them at the end, text and JSON. */
static void ctxs_render(const struct ia_engine *en, char *buf, size_t len)
{
	FILE *f = fmemopen(buf, len, "w");
	struct ia_json j;

	if (!f) {
		buf[0] = '\0';
		return;
	}
	ia_ctxs_print_text(f, en->ctxs, en->nctxs);
	ia_json_init(&j, f);
	ia_ctxs_print_json(&j, en->ctxs, en->nctxs);
	fclose(f);
}

/*
 * One session, as two kernels report it: device object 1 bound, attached
 * to an IOAS through an automatic hwpt (3, allocated with the attach inside
 * it: immediate_attach), a hwpt allocated by IOMMU_HWPT_ALLOC (4) after a
 * failed try, then destroyed. old: 6.4-6.6, where hwpt_alloc is
 * iommufd_hw_pagetable_alloc (its exit read by bpf/watch.bpf.c's
 * on_exit_hwpt from the struct iommufd_hw_pagetable returned) and
 * hwpt_destroy is iommufd_hw_pagetable_destroy, called with no
 * iommufd_object_remove hook around it; else 7.x's names, the destroy
 * inside obj_remove.
 */
static void hwpt_session(struct ia_engine *en, bool old, int upto)
{
	feed(en, fd_rec(IA_HOOK_IOMMUFD_BIND, IA_PH_ENTER, 0, 0, 0));
	feed(en, fd_rec(IA_HOOK_IOMMUFD_BIND, IA_PH_EXIT, 1, 0, 0x5000));
	feed(en, fd_rec(IA_HOOK_IOMMUFD_ATTACH, IA_PH_ENTER, 1, 0, 0));
	feed(en, fd_rec(IA_HOOK_HWPT_ALLOC, IA_PH_ENTER, 1, 0, 0));
	feed(en, fd_rec(IA_HOOK_HWPT_ATTACH, IA_PH_ENTER, 1, 3, 0));
	feed(en, fd_rec(IA_HOOK_HWPT_ATTACH, IA_PH_EXIT, 0, 0, 0));
	feed(en, fd_rec(IA_HOOK_HWPT_ALLOC, IA_PH_EXIT, 0, 3, 0x6000));
	feed(en, fd_rec(IA_HOOK_IOMMUFD_ATTACH, IA_PH_EXIT, 0, 0, 0));
	if (upto == 1)
		return;
	feed(en, fd_rec(IA_HOOK_HWPT_ALLOC, IA_PH_ENTER, 1, 0, 0));
	feed(en, fd_rec(IA_HOOK_HWPT_ALLOC, IA_PH_EXIT, 0, 0, -ENOMEM)); /* an ERR_PTR: nothing made */
	feed(en, fd_rec(IA_HOOK_HWPT_ALLOC, IA_PH_ENTER, 1, 0, 0));
	feed(en, fd_rec(IA_HOOK_HWPT_ALLOC, IA_PH_EXIT, 0, 4, 0x7000));
	if (upto == 2)
		return;
	if (!old)
		feed(en, fd_rec(IA_HOOK_OBJ_REMOVE, IA_PH_ENTER, 4, 0, 0));
	feed(en, fd_rec(IA_HOOK_HWPT_DESTROY, IA_PH_ENTER, 0, 4, 0));
	feed(en, fd_rec(IA_HOOK_HWPT_DESTROY, IA_PH_EXIT, 0, 0, 0));
	if (!old)
		feed(en, fd_rec(IA_HOOK_OBJ_REMOVE, IA_PH_EXIT, 0, 0, 0));
}

/* A 6.4-6.6 kernel's hwpt records build the model today's names do, step by step. */
UNIT_TEST(engine_hwpt_records_of_6_6_build_the_same_model)
{
	static char now[4096], then[4096];

	for (int upto = 1; upto <= 3; upto++) {
		struct ia_engine a, b;

		start(&a, true);
		start(&b, true);
		hwpt_session(&a, false, upto);
		hwpt_session(&b, true, upto);
		CHECK_INT(b.nctxs, 1);
		if (b.nctxs != 1 || a.nctxs != 1)
			goto next;
		/* the automatic hwpt on the device, the user's while it lives, the failed try nowhere */
		CHECK_INT(b.ctxs[0].nidevs, 1);
		CHECK_INT(b.ctxs[0].idevs[0].hwpt, 3);
		CHECK_INT(b.ctxs[0].nhwpts, upto == 2 ? 2 : 1);
		CHECK_INT(b.ctxs[0].hwpts[0].id, 3);
		CHECK_INT(b.ctxs[0].hwpts[0].domain, 0xd3);
		CHECK_STR(b.ctxs[0].hwpts[0].dev, NIC);
		CHECK_STR(b.ctxs[0].idevs[0].dev, NIC);
		if (upto == 2)
			CHECK_INT(b.ctxs[0].hwpts[1].domain, 0xd4);
		ctxs_render(&a, now, sizeof(now));
		ctxs_render(&b, then, sizeof(then));
		CHECK(strstr(then, "hwpt") != NULL);
		CHECK_STR(then, now);
		CHECK_INT(b.stats.unpaired_exits, 0);
		CHECK_INT(a.stats.unpaired_exits, 0);
next:
		ia_engine_free(&a);
		ia_engine_free(&b);
	}
}

/* A context with more IOAS than its table holds: the rest are counted, not lost silently. */
UNIT_TEST(engine_counts_untracked_iommufd_objects)
{
	struct ia_engine en;
	struct ia_event e;

	start(&en, true);
	for (int i = 0; i < IA_CTX_MAX_OBJS + 3; i++) {
		e = mk(IA_HOOK_IOAS_MAP, IA_PH_ENTER, 3, NULL, NULL, -1, 0);
		e.owner = 0xc7;
		e.arg[1] = 4096;
		e.arg[2] = (__u64)i + 1;
		feed(&en, e);
		feed(&en, mk(IA_HOOK_IOAS_MAP, IA_PH_EXIT, 3, NULL, NULL, -1, 0));
	}
	CHECK_INT(en.nctxs, 1);
	CHECK_INT(en.ctxs[0].nioas, IA_CTX_MAX_OBJS);
	CHECK_INT(en.stats.untracked, 3);
	CHECK_INT(en.stats.unusable, 0);
	ia_engine_free(&en);
}

/*
 * A thread whose exit was lost (a dropped record) and that never comes
 * back: once its open call is older than IA_STALE_FRAME_NS in trace time,
 * it is forgotten and its frames counted as lost, so the table stays small.
 */
UNIT_TEST(engine_prunes_threads_whose_exits_were_lost)
{
	struct ia_engine en;
	struct ia_event e;
	__u64 t0 = 1000000000ull;

	start(&en, true);
	for (__u32 tid = 100; tid < 110; tid++) {
		e = mk(IA_HOOK_REALLY_PROBE, IA_PH_ENTER, tid, NIC, "e1000e", 1, 0);
		e.ts_ns = t0;
		feed(&en, e); /* its exit never comes */
	}
	CHECK_INT(en.nthreads, 10);
	/* one thread keeps tracing, past the staleness horizon, for a full pruning period */
	for (int i = 0; i < IA_PRUNE_EVERY; i++) {
		e = mk(IA_HOOK_USE_DEFAULT, i % 2 ? IA_PH_EXIT : IA_PH_ENTER, 7, NIC, NULL, 1, 0);
		e.ts_ns = t0 + IA_STALE_FRAME_NS + 1 + (__u64)i;
		feed(&en, e);
	}
	CHECK(en.nthreads <= 1);
	CHECK_INT(en.stats.lost_frames, 10);
	/* a late exit of a forgotten thread reads as unpaired, as any lost entry would */
	feed(&en, mk(IA_HOOK_REALLY_PROBE, IA_PH_EXIT, 100, NULL, NULL, -1, 0));
	CHECK_INT(en.stats.unpaired_exits, 1);
	ia_engine_free(&en);
}

/* A group goes with its last device, as the kernel frees it: the model stays the host's size. */
UNIT_TEST(engine_forgets_groups_that_lose_their_last_device)
{
	struct ia_engine en;

	start(&en, true);
	for (int g = 10; g < 60; g++) {
		char dev[32];

		snprintf(dev, sizeof(dev), "iommufd_mock%d", g);
		feed(&en, mk(IA_HOOK_TP_ADD_GROUP, IA_PH_FIRE, 3, dev, NULL, g, 0));
		CHECK(ia_model_group(&en.model, g, false) != NULL);
		feed(&en, mk(IA_HOOK_TP_REMOVE_GROUP, IA_PH_FIRE, 3, dev, NULL, g, 0));
		CHECK(ia_model_group(&en.model, g, false) == NULL);
	}
	CHECK_INT(en.model.ngroups, 1); /* the snapshot's group, still holding its NIC */
	ia_engine_free(&en);
}
