// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Each rule fed the event stream a real kernel produces for it (the call
 * chains of really_probe, the DMA ownership API and the attach paths of
 * drivers/iommu/iommu.c, the retries of iommufd_device_auto_get_domain in
 * drivers/iommu/iommufd/device.c and of vfio_iommu_type1_attach_group, and
 * the guest scenarios), and the streams that must not raise anything
 * (reverts, vfio type1's domain reuse).
 */
#include <errno.h>
#include <string.h>
#include "engine.h"
#include "unit.h"
#include "../tools/scenarios.h"

#define A "0000:03:01.0"
#define B "0000:03:02.0"
#define MOCK "iommufd_mock0"
#define OPS_VTD 0xaaa0
#define OPS_MOCK 0xbbb0
#define ICTX 0xc7c7

struct fx {
	struct ia_engine en;
	__u64 ts;
};

/* Group 7: NIC A on vfio-pci, NIC B on e1000 (kernel DMA), owner_cnt 1. */
static void fx_start(struct fx *x, int niommus)
{
	struct ia_engine_opts o = { .use_default_hooked = true };
	struct ia_model m;
	struct ia_group *g;
	struct ia_dev *d;

	ia_model_init(&m);
	g = ia_model_group(&m, 7, true);
	d = ia_group_dev(g, A, true);
	strcpy(d->driver, "vfio-pci");
	d->dma = IA_DMA_USER;
	d = ia_group_dev(g, B, true);
	strcpy(d->driver, "e1000");
	d->dma = IA_DMA_KERNEL;
	g = ia_model_group(&m, 9, true);
	ia_group_dev(g, MOCK, true);
	for (int i = 0; i < niommus; i++)
		strcpy(m.iommus[m.niommus++], i ? "iommufd_selftest_iommu.0" : "dmar0");
	ia_engine_init(&x->en, &m, &o);
	ia_model_free(&m);
	x->ts = 1000;
}

static struct ia_event ev(struct fx *x, __u16 hook, __u8 phase, const char *dev, int group)
{
	struct ia_event e = scn_bare(hook, phase, 42, x->ts += 1000, dev, NULL, group);

	e.type = IA_REC_CALL;
	return e;
}

static void feed(struct fx *x, struct ia_event e)
{
	struct ia_decoded d;

	ia_engine_feed(&x->en, &e, sizeof(e), &d);
}

static void enter(struct fx *x, __u16 hook, const char *dev, int group)
{
	feed(x, ev(x, hook, IA_PH_ENTER, dev, group));
}

static void leave(struct fx *x, __u16 hook, long ret)
{
	struct ia_event e = ev(x, hook, IA_PH_EXIT, NULL, -1);

	e.ret = ret;
	feed(x, e);
}

/*
 * A group-state read at entry, as fill_group() does for hooks on a group.
 * owner: the claimant for claims, the group's current owner otherwise.
 */
/* A pointer-returning exit: the probe reads the domain it returns. */
static void leave_domain(struct fx *x, __u16 hook, __u64 domain)
{
	struct ia_event e = ev(x, hook, IA_PH_EXIT, NULL, -1);

	e.flags |= IA_F_RET_PTR | IA_F_HAVE_DOM;
	e.ret = (__s64)domain;
	e.domain = domain;
	e.domain_type = 1;
	feed(x, e);
}

static void enter_grp(struct fx *x, __u16 hook, const char *dev, int group, __u64 owner,
		      __u32 owner_cnt)
{
	struct ia_event e = ev(x, hook, IA_PH_ENTER, dev, group);

	e.flags |= IA_F_HAVE_GRP | IA_F_OWNER_KNOWN;
	e.owner_cnt = owner_cnt;
	/* a claim's owner argument is the claimant; elsewhere it is group->owner */
	if (hook == IA_HOOK_GROUP_CLAIM || hook == IA_HOOK_DEVICE_CLAIM)
		e.owner = owner;
	else
		e.grp_owner = owner;
	feed(x, e);
}

static void enter_dom(struct fx *x, __u16 hook, const char *dev, int group, __u64 domain,
		      __u64 owner_ops, __u64 dev_ops)
{
	struct ia_event e = ev(x, hook, IA_PH_ENTER, dev, group);

	e.flags |= IA_F_HAVE_DOM;
	e.domain = domain;
	e.domain_type = 1;
	e.dom_owner = owner_ops;
	e.dev_ops = dev_ops;
	feed(x, e);
}

static void attach(struct fx *x, const char *dev, int group, __u64 domain, __u64 ops, long ret)
{
	enter_dom(x, IA_HOOK_ATTACH_DEV_CORE, dev, group, domain, ops, ops);
	leave(x, IA_HOOK_ATTACH_DEV_CORE, ret);
}

static int count(const struct fx *x, enum ia_rule r)
{
	int n = 0;

	for (size_t i = 0; i < x->en.nfindings; i++)
		n += x->en.findings[i].rule == r;
	return n;
}

static const struct ia_finding *first(const struct fx *x, enum ia_rule r)
{
	for (size_t i = 0; i < x->en.nfindings; i++)
		if (x->en.findings[i].rule == r)
			return &x->en.findings[i];
	return NULL;
}

/* VFIO cdev bind of A while B's kernel driver holds the group: -EPERM. */
UNIT_TEST(rule_claim_refused_by_kernel_driver)
{
	const struct ia_finding *f;
	struct fx x;

	fx_start(&x, 1);
	enter(&x, IA_HOOK_IOMMUFD_BIND, A, 7);
	enter_grp(&x, IA_HOOK_DEVICE_CLAIM, A, 7, 0, 1);
	leave(&x, IA_HOOK_DEVICE_CLAIM, -EPERM);
	leave(&x, IA_HOOK_IOMMUFD_BIND, -EPERM);
	CHECK_INT(x.en.nfindings, 1);
	f = first(&x, IA_RULE_CLAIM_REFUSED);
	CHECK(f != NULL);
	if (f) {
		CHECK_INT(f->err, -EPERM);
		CHECK_INT(f->group_id, 7);
		CHECK_INT(f->ndevs, 2);
		CHECK_STR(f->devs[0], A);
		CHECK_STR(f->devs[1], B);
		CHECK_INT(f->nevidence, 2);
		CHECK_INT(f->evidence[0], 2); /* the claim's entry and exit */
		CHECK_INT(f->evidence[1], 3);
		CHECK(strstr(f->detail, "e1000 on " B) != NULL);
	}
	ia_engine_free(&x.en);
}

/* B's kernel bind while the group is user-owned: use_default -EBUSY inside really_probe. */
UNIT_TEST(rule_bind_refused_in_user_owned_group)
{
	const struct ia_finding *f;
	struct fx x;

	fx_start(&x, 1);
	enter(&x, IA_HOOK_REALLY_PROBE, B, 7);
	enter_grp(&x, IA_HOOK_USE_DEFAULT, B, 7, ICTX, 1);
	leave(&x, IA_HOOK_USE_DEFAULT, -EBUSY);
	leave(&x, IA_HOOK_REALLY_PROBE, -EBUSY);
	CHECK_INT(x.en.nfindings, 1);
	f = first(&x, IA_RULE_BIND_REFUSED);
	CHECK(f != NULL);
	if (f) {
		CHECK_INT(f->err, -EBUSY);
		CHECK_STR(f->devs[0], B);
		CHECK_INT(f->nevidence, 3);
		CHECK_INT(f->evidence[0], 1);
		CHECK_INT(f->evidence[1], 3);
		CHECK_INT(f->evidence[2], 4);
	}
	ia_engine_free(&x.en);
}

/* A successful claim with a kernel-DMA device in the group: the violation state. */
UNIT_TEST(rule_viability_violation_state)
{
	struct fx x;

	fx_start(&x, 1);
	enter_grp(&x, IA_HOOK_GROUP_CLAIM, NULL, 7, 0x77, 0); /* a vfio_group claims */
	leave(&x, IA_HOOK_GROUP_CLAIM, 0); /* a kernel that missed the check */
	CHECK_INT(count(&x, IA_RULE_VIABILITY), 1);
	CHECK_STR(first(&x, IA_RULE_VIABILITY)->devs[0], B);
	/* raised once while the state lasts */
	enter(&x, IA_HOOK_REALLY_PROBE, A, 7);
	leave(&x, IA_HOOK_REALLY_PROBE, 0);
	CHECK_INT(count(&x, IA_RULE_VIABILITY), 1);
	ia_engine_free(&x.en);
}

/* Mock device: NO_DIRTY onto a dirty-tracking domain -EINVAL, new hwpt, replace 0. */
UNIT_TEST(rule_soft_failure_resolved_by_new_domain)
{
	const struct ia_finding *f;
	struct fx x;

	fx_start(&x, 1);
	enter(&x, IA_HOOK_IOMMUFD_REPLACE, MOCK, 9);
	enter_dom(&x, IA_HOOK_REPLACE_HANDLE, NULL, 9, 0xd1, OPS_MOCK, OPS_MOCK);
	enter_dom(&x, IA_HOOK_SET_DOMAIN, NULL, 9, 0xd1, OPS_MOCK, OPS_MOCK);
	attach(&x, MOCK, 9, 0xd1, OPS_MOCK, -EINVAL);
	leave(&x, IA_HOOK_SET_DOMAIN, -EINVAL);
	leave(&x, IA_HOOK_REPLACE_HANDLE, -EINVAL);
	leave(&x, IA_HOOK_IOMMUFD_REPLACE, -EINVAL);
	CHECK_INT(x.en.nfindings, 0); /* pending, not yet a finding */
	enter(&x, IA_HOOK_HWPT_ALLOC, MOCK, 9);
	leave(&x, IA_HOOK_HWPT_ALLOC, 0x1000);
	enter(&x, IA_HOOK_IOMMUFD_REPLACE, MOCK, 9);
	enter_dom(&x, IA_HOOK_SET_DOMAIN, NULL, 9, 0xd2, OPS_MOCK, OPS_MOCK);
	attach(&x, MOCK, 9, 0xd2, OPS_MOCK, 0);
	leave(&x, IA_HOOK_SET_DOMAIN, 0);
	leave(&x, IA_HOOK_IOMMUFD_REPLACE, 0);
	ia_engine_finish(&x.en);
	CHECK_INT(x.en.nfindings, 1);
	f = first(&x, IA_RULE_SOFT_FAILURE);
	CHECK(f != NULL);
	if (f) {
		CHECK_INT(f->retries, 1);
		CHECK_INT(f->err, -EINVAL);
		CHECK_STR(f->devs[0], MOCK);
		CHECK_INT(f->resolve_ns, 9000); /* first failed exit to the successful one */
		CHECK_INT(f->nevidence, 2);
		CHECK_INT(f->evidence[0], 5);
		CHECK_INT(f->evidence[1], 14);
	}
	ia_engine_free(&x.en);
}

/* The detach at teardown moves the device to the blocked domain: no resolution. */
UNIT_TEST(rule_teardown_is_not_a_resolution)
{
	struct ia_event e;
	struct fx x;

	fx_start(&x, 1);
	attach(&x, MOCK, 9, 0xd1, OPS_MOCK, -EINVAL);
	enter(&x, IA_HOOK_IOMMUFD_DETACH, MOCK, 9);
	e = ev(&x, IA_HOOK_ATTACH_DEV_CORE, IA_PH_ENTER, MOCK, 9);
	e.flags |= IA_F_HAVE_DOM;
	e.domain = 0xb10c;
	e.domain_type = 0; /* blocked */
	feed(&x, e);
	leave(&x, IA_HOOK_ATTACH_DEV_CORE, 0);
	leave(&x, IA_HOOK_IOMMUFD_DETACH, 0);
	enter(&x, IA_HOOK_IOMMUFD_UNBIND, MOCK, 9);
	enter_grp(&x, IA_HOOK_DEVICE_RELEASE, MOCK, 9, ICTX, 1);
	attach(&x, MOCK, 9, 0xdef, OPS_MOCK, 0); /* back to the default domain */
	leave(&x, IA_HOOK_DEVICE_RELEASE, 0);
	leave(&x, IA_HOOK_IOMMUFD_UNBIND, 0);
	CHECK_INT(count(&x, IA_RULE_SOFT_FAILURE), 0);
	CHECK_INT(count(&x, IA_RULE_SOFT_UNRESOLVED), 1);
	ia_engine_free(&x.en);
}

UNIT_TEST(rule_soft_failure_unresolved)
{
	struct fx x;

	fx_start(&x, 1);
	attach(&x, MOCK, 9, 0xd1, OPS_MOCK, -EINVAL);
	attach(&x, MOCK, 9, 0xd1, OPS_MOCK, -EINVAL); /* the same domain again: a retry */
	CHECK_INT(x.en.nfindings, 0);
	ia_engine_finish(&x.en);
	CHECK_INT(x.en.nfindings, 1);
	CHECK_INT(count(&x, IA_RULE_SOFT_UNRESOLVED), 1);
	CHECK_INT(first(&x, IA_RULE_SOFT_UNRESOLVED)->retries, 2);
	ia_engine_free(&x.en);
}

/* The proposal's errno counts as soft too; an unbind ends the wait. */
UNIT_TEST(rule_soft_emediumtype_unresolved_at_unbind)
{
	struct fx x;

	fx_start(&x, 1);
	attach(&x, MOCK, 9, 0xd1, OPS_MOCK, -124);
	enter(&x, IA_HOOK_IOMMUFD_UNBIND, MOCK, 9);
	leave(&x, IA_HOOK_IOMMUFD_UNBIND, 0);
	CHECK_INT(count(&x, IA_RULE_SOFT_UNRESOLVED), 1);
	CHECK_INT(first(&x, IA_RULE_SOFT_UNRESOLVED)->err, -124);
	ia_engine_free(&x.en);
}

UNIT_TEST(rule_hard_failure_other_errno)
{
	struct fx x;

	fx_start(&x, 1);
	attach(&x, A, 7, 0xd1, OPS_VTD, -ENOMEM);
	CHECK_INT(count(&x, IA_RULE_HARD_FAILURE), 1);
	CHECK_INT(first(&x, IA_RULE_HARD_FAILURE)->err, -ENOMEM);
	ia_engine_finish(&x.en);
	CHECK_INT(x.en.nfindings, 1);
	ia_engine_free(&x.en);
}

/*
 * A set-domain that fails on its second device re-attaches the first to the
 * old domain: that success is a revert, not a resolution.
 */
UNIT_TEST(rule_revert_is_not_a_resolution)
{
	struct fx x;

	fx_start(&x, 1);
	enter_dom(&x, IA_HOOK_SET_DOMAIN, NULL, 7, 0xd2, OPS_VTD, OPS_VTD);
	attach(&x, A, 7, 0xd2, OPS_VTD, 0);
	attach(&x, B, 7, 0xd2, OPS_VTD, -EINVAL);
	attach(&x, A, 7, 0xd1, OPS_VTD, 0); /* revert to the old domain */
	leave(&x, IA_HOOK_SET_DOMAIN, -EINVAL);
	CHECK_INT(x.en.nfindings, 0);
	CHECK_INT(count(&x, IA_RULE_SPLIT_GROUP), 0);
	ia_engine_finish(&x.en);
	CHECK_INT(count(&x, IA_RULE_SOFT_UNRESOLVED), 1);
	CHECK_INT(count(&x, IA_RULE_SOFT_FAILURE), 0);
	ia_engine_free(&x.en);
}

/*
 * vfio type1, two groups in one container: the second group's new domain
 * attaches, is detached, the first group's domain is reused, the new one
 * freed. Nothing to report.
 */
UNIT_TEST(rule_type1_domain_reuse_is_quiet)
{
	struct fx x;

	fx_start(&x, 1);
	enter_grp(&x, IA_HOOK_TYPE1_ATTACH, NULL, 7, 0, 0);
	enter(&x, IA_HOOK_DOMAIN_ALLOC_BUS, NULL, -1);
	leave_domain(&x, IA_HOOK_DOMAIN_ALLOC_BUS, 0xd2);
	enter_dom(&x, IA_HOOK_ATTACH_GROUP, NULL, 7, 0xd2, OPS_VTD, OPS_VTD);
	enter_dom(&x, IA_HOOK_SET_DOMAIN, NULL, 7, 0xd2, OPS_VTD, OPS_VTD);
	attach(&x, A, 7, 0xd2, OPS_VTD, 0);
	attach(&x, B, 7, 0xd2, OPS_VTD, 0);
	leave(&x, IA_HOOK_SET_DOMAIN, 0);
	leave(&x, IA_HOOK_ATTACH_GROUP, 0);
	enter_dom(&x, IA_HOOK_DETACH_GROUP, NULL, 7, 0xd2, OPS_VTD, OPS_VTD);
	enter_dom(&x, IA_HOOK_SET_DOMAIN, NULL, 7, 0xb0, OPS_VTD, OPS_VTD);
	attach(&x, A, 7, 0xb0, OPS_VTD, 0);
	attach(&x, B, 7, 0xb0, OPS_VTD, 0);
	leave(&x, IA_HOOK_SET_DOMAIN, 0);
	leave(&x, IA_HOOK_DETACH_GROUP, 0);
	enter_dom(&x, IA_HOOK_ATTACH_GROUP, NULL, 7, 0xd1, OPS_VTD, OPS_VTD);
	enter_dom(&x, IA_HOOK_SET_DOMAIN, NULL, 7, 0xd1, OPS_VTD, OPS_VTD);
	attach(&x, A, 7, 0xd1, OPS_VTD, 0);
	attach(&x, B, 7, 0xd1, OPS_VTD, 0);
	leave(&x, IA_HOOK_SET_DOMAIN, 0);
	leave(&x, IA_HOOK_ATTACH_GROUP, 0);
	enter_dom(&x, IA_HOOK_DOMAIN_FREE, NULL, -1, 0xd2, OPS_VTD, 0);
	leave(&x, IA_HOOK_DOMAIN_FREE, 0);
	leave(&x, IA_HOOK_TYPE1_ATTACH, 0);
	ia_engine_finish(&x.en);
	CHECK_INT(x.en.nfindings, 0);
	ia_engine_free(&x.en);
}

/* In type1, a reuse try that fails (any errno, pre-6.2 style) then the new domain: soft. */
UNIT_TEST(rule_type1_failed_reuse_is_soft)
{
	struct fx x;

	fx_start(&x, 1);
	enter_grp(&x, IA_HOOK_TYPE1_ATTACH, NULL, 7, 0, 0);
	enter(&x, IA_HOOK_DOMAIN_ALLOC_BUS, NULL, -1);
	leave_domain(&x, IA_HOOK_DOMAIN_ALLOC_BUS, 0xd2);
	attach(&x, A, 7, 0xd2, OPS_VTD, 0);
	attach(&x, A, 7, 0xd1, OPS_VTD, -EPERM); /* the existing domain refuses */
	attach(&x, A, 7, 0xd2, OPS_VTD, 0);
	leave(&x, IA_HOOK_TYPE1_ATTACH, 0);
	CHECK_INT(count(&x, IA_RULE_SOFT_FAILURE), 1);
	CHECK_INT(count(&x, IA_RULE_HARD_FAILURE), 0);
	ia_engine_free(&x.en);
}

UNIT_TEST(rule_type1_new_domain_failure_is_hard)
{
	struct fx x;

	fx_start(&x, 1);
	enter_grp(&x, IA_HOOK_TYPE1_ATTACH, NULL, 7, 0, 0);
	enter(&x, IA_HOOK_DOMAIN_ALLOC_BUS, NULL, -1);
	leave_domain(&x, IA_HOOK_DOMAIN_ALLOC_BUS, 0xd2);
	attach(&x, A, 7, 0xd2, OPS_VTD, -ENODEV);
	leave(&x, IA_HOOK_TYPE1_ATTACH, -ENODEV);
	CHECK_INT(count(&x, IA_RULE_HARD_FAILURE), 1);
	ia_engine_free(&x.en);
}

/* Devices of one group left on different domains once no attach is in flight. */
UNIT_TEST(rule_split_group)
{
	struct fx x;

	fx_start(&x, 1);
	attach(&x, A, 7, 0xd1, OPS_VTD, 0);
	CHECK_INT(count(&x, IA_RULE_SPLIT_GROUP), 0);
	attach(&x, B, 7, 0xd2, OPS_VTD, 0);
	CHECK_INT(count(&x, IA_RULE_SPLIT_GROUP), 1);
	attach(&x, B, 7, 0xd1, OPS_VTD, 0); /* healed */
	attach(&x, B, 7, 0xd3, OPS_VTD, 0); /* split again: raised again */
	CHECK_INT(count(&x, IA_RULE_SPLIT_GROUP), 2);
	ia_engine_free(&x.en);
}

/* Two IOMMU drivers: the mock device's IOMMU probe -ENODEV, its bind -EINVAL. */
UNIT_TEST(rule_multi_driver_probe)
{
	const struct ia_finding *f;
	struct fx x;

	fx_start(&x, 2);
	enter(&x, IA_HOOK_PROBE_DEVICE, MOCK, -1);
	leave(&x, IA_HOOK_PROBE_DEVICE, -ENODEV);
	enter(&x, IA_HOOK_IOMMUFD_BIND, MOCK, -1);
	leave(&x, IA_HOOK_IOMMUFD_BIND, -EINVAL);
	CHECK_INT(x.en.nfindings, 1);
	f = first(&x, IA_RULE_MULTI_DRIVER_PROBE);
	CHECK(f != NULL);
	if (f) {
		CHECK_INT(f->err, -EINVAL);
		CHECK_STR(f->devs[0], MOCK);
		CHECK_STR(f->drivers, "dmar0, iommufd_selftest_iommu.0");
		CHECK_INT(f->nevidence, 3);
	}
	ia_engine_free(&x.en);
}

/* With one IOMMU driver a probe -ENODEV is routine (a device it does not serve). */
UNIT_TEST(rule_single_driver_probe_miss_is_quiet)
{
	struct fx x;

	fx_start(&x, 1);
	enter(&x, IA_HOOK_PROBE_DEVICE, MOCK, -1);
	leave(&x, IA_HOOK_PROBE_DEVICE, -ENODEV);
	enter(&x, IA_HOOK_IOMMUFD_BIND, MOCK, -1);
	leave(&x, IA_HOOK_IOMMUFD_BIND, -EINVAL);
	CHECK_INT(x.en.nfindings, 0);
	ia_engine_free(&x.en);
}

/* 6.12's owner check: a VT-d domain offered to the mock driver's group. */
UNIT_TEST(rule_multi_driver_domain)
{
	const struct ia_finding *f;
	struct fx x;

	fx_start(&x, 2);
	enter_dom(&x, IA_HOOK_ATTACH_HANDLE, NULL, 9, 0xd1, OPS_VTD, OPS_MOCK);
	leave(&x, IA_HOOK_ATTACH_HANDLE, -EINVAL);
	CHECK_INT(count(&x, IA_RULE_MULTI_DRIVER_DOMAIN), 1);
	f = first(&x, IA_RULE_MULTI_DRIVER_DOMAIN);
	if (f)
		CHECK_STR(f->devs[0], MOCK);
	/* ... then a domain of the right driver attaches: the soft failure resolves */
	attach(&x, MOCK, 9, 0xd2, OPS_MOCK, 0);
	CHECK_INT(count(&x, IA_RULE_SOFT_FAILURE), 1);
	ia_engine_free(&x.en);
}

UNIT_TEST(rule_release_without_claim)
{
	struct fx x;

	fx_start(&x, 1);
	enter_grp(&x, IA_HOOK_GROUP_RELEASE, NULL, 7, 0, 0);
	leave(&x, IA_HOOK_GROUP_RELEASE, 0);
	CHECK_INT(count(&x, IA_RULE_OWNER_IMBALANCE), 1);
	/* a balanced release is quiet */
	enter_grp(&x, IA_HOOK_GROUP_RELEASE, NULL, 7, ICTX, 1);
	leave(&x, IA_HOOK_GROUP_RELEASE, 0);
	CHECK_INT(count(&x, IA_RULE_OWNER_IMBALANCE), 1);
	ia_engine_free(&x.en);
}

UNIT_TEST(rule_claim_outlives_owner)
{
	struct fx x;
	struct ia_event e;

	fx_start(&x, 1);
	/* B's kernel driver gone: the group is free; A is claimed by an iommufd context */
	ia_model_find_dev(&x.en.model, B, NULL)->dma = IA_DMA_NONE;
	enter(&x, IA_HOOK_IOMMUFD_BIND, A, 7);
	enter_grp(&x, IA_HOOK_DEVICE_CLAIM, A, 7, ICTX, 0); /* the claimant */
	leave(&x, IA_HOOK_DEVICE_CLAIM, 0);
	leave(&x, IA_HOOK_IOMMUFD_BIND, 0x5000);
	CHECK_INT(ia_model_group(&x.en.model, 7, false)->owner_kind, IA_OWNER_IOMMUFD);
	CHECK_INT(x.en.nfindings, 0);
	/* the context closes without the device being released */
	e = ev(&x, IA_HOOK_IOMMUFD_RELEASE, IA_PH_ENTER, NULL, -1);
	e.owner = ICTX;
	feed(&x, e);
	leave(&x, IA_HOOK_IOMMUFD_RELEASE, 0);
	CHECK_INT(count(&x, IA_RULE_OWNER_IMBALANCE), 1);
	ia_engine_free(&x.en);
}

UNIT_TEST(rule_names_round_trip)
{
	for (int r = IA_RULE_NONE + 1; r < IA_RULE_MAX; r++)
		CHECK_INT(ia_rule_by_name(ia_rule_name((enum ia_rule)r)), r);
	CHECK_INT(ia_rule_by_name("nonsense"), IA_RULE_NONE);
}

UNIT_TEST(finding_evidence_sorted_unique_bounded)
{
	struct ia_finding f;

	memset(&f, 0, sizeof(f));
	ia_finding_add_evidence(&f, 9);
	ia_finding_add_evidence(&f, 3);
	ia_finding_add_evidence(&f, 9);
	ia_finding_add_evidence(&f, 0);
	CHECK_INT(f.nevidence, 2);
	CHECK_INT(f.evidence[0], 3);
	CHECK_INT(f.evidence[1], 9);
	for (int i = 100; i < 200; i++)
		ia_finding_add_evidence(&f, (__u64)i);
	CHECK_INT(f.nevidence, IA_MAX_EVIDENCE);
}

/* ---- records lost: unverified groups, the resync, the records-lost finding ---- */

/* Group 7 as sysfs shows it after the loss: B moved to vfio-pci; 9 gone; 11 new. */
static void fresh_model(struct ia_model *m)
{
	struct ia_group *g;
	struct ia_dev *d;

	ia_model_init(m);
	g = ia_model_group(m, 7, true);
	strcpy(g->type, "DMA-FQ");
	d = ia_group_dev(g, A, true);
	strcpy(d->driver, "vfio-pci");
	d->dma = IA_DMA_KERNEL; /* the table's guess: the engine's own class must win */
	d = ia_group_dev(g, B, true);
	strcpy(d->driver, "vfio-pci");
	d->dma = IA_DMA_USER;
	g = ia_model_group(m, 11, true);
	ia_group_dev(g, "0000:05:00.0", true);
	strcpy(m->iommus[m->niommus++], "dmar0");
}

UNIT_TEST(resync_loss_marks_every_group)
{
	struct fx x;

	fx_start(&x, 1);
	enter(&x, IA_HOOK_REALLY_PROBE, A, 7);
	ia_engine_records_lost(&x.en, 0); /* nothing lost: nothing changes */
	CHECK(!ia_model_group(&x.en.model, 7, false)->unverified);
	ia_engine_records_lost(&x.en, 5);
	ia_engine_records_lost(&x.en, 2);
	CHECK(ia_model_group(&x.en.model, 7, false)->unverified);
	CHECK(ia_model_group(&x.en.model, 9, false)->unverified);
	CHECK_INT(x.en.stats.records_lost, 7);
	CHECK_INT(x.en.lost_pending, 7);
	CHECK_INT(x.en.lost_after, 1); /* the last record before the first loss */
	/* the owner fields before the resync: drivers may still be stale, so still unverified */
	enter_grp(&x, IA_HOOK_GROUP_RELEASE, NULL, 7, 0, 1);
	CHECK(ia_model_group(&x.en.model, 7, false)->unverified);
	CHECK_INT(x.en.nfindings, 0);
	ia_engine_free(&x.en);
}

UNIT_TEST(resync_replaces_what_sysfs_shows)
{
	const struct ia_finding *f;
	struct ia_model fresh;
	struct ia_group *g;
	struct fx x;

	fx_start(&x, 1);
	enter_grp(&x, IA_HOOK_GROUP_RELEASE, NULL, 7, 0x77, 2); /* owner known: 0x77, owner_cnt 2 */
	g = ia_model_group(&x.en.model, 7, false);
	g->kptr = 0xffff8881000a7000ull;
	ia_model_find_dev(&x.en.model, A, NULL)->domain = 0xd7;
	fresh_model(&fresh);
	CHECK_INT(ia_engine_resync(&x.en, &fresh), 0); /* no loss: nothing to heal */
	CHECK_STR(ia_model_find_dev(&x.en.model, B, NULL)->driver, "e1000");
	CHECK_INT(x.en.stats.resyncs, 0);
	ia_engine_records_lost(&x.en, 40);
	CHECK_INT(ia_engine_resync(&x.en, &fresh), 0);
	CHECK_INT(x.en.stats.resyncs, 1);
	CHECK_INT(x.en.lost_pending, 0);
	CHECK_INT(x.en.model.ngroups, 2);
	CHECK(!ia_model_group(&x.en.model, 9, false)); /* gone from sysfs: gone */
	g = ia_model_group(&x.en.model, 11, false);
	CHECK(g && g->unverified && g->ndevs == 1);
	g = ia_model_group(&x.en.model, 7, false);
	CHECK_STR(g->type, "DMA-FQ");
	CHECK(g->unverified);
	CHECK_INT(g->owner, 0x77); /* events' fields kept, unverified */
	CHECK_INT(g->owner_cnt, 2);
	CHECK_INT(g->kptr, 0xffff8881000a7000ull);
	CHECK_STR(ia_group_dev(g, B, false)->driver, "vfio-pci");
	CHECK_INT(ia_group_dev(g, B, false)->dma, IA_DMA_USER);
	CHECK_INT(ia_group_dev(g, A, false)->dma, IA_DMA_USER); /* same driver: the engine's class */
	CHECK_INT(ia_group_dev(g, A, false)->domain, 0xd7);
	CHECK_INT(count(&x, IA_RULE_RECORDS_LOST), 1);
	f = first(&x, IA_RULE_RECORDS_LOST);
	if (f) {
		CHECK_INT(f->sev, IA_SEV_WARNING);
		CHECK_INT(f->group_id, -1);
		CHECK_INT(f->nevidence, 1);
		CHECK_INT(f->evidence[0], 1);
		CHECK_STR(f->detail, "40 records lost after record 1; groups re-read from sysfs; "
				     "unverified groups: 7, 11");
	}
	/* a record with the group's live owner fields vouches for it again */
	enter_grp(&x, IA_HOOK_GROUP_RELEASE, NULL, 7, 0, 1);
	CHECK(!ia_model_group(&x.en.model, 7, false)->unverified);
	CHECK(ia_model_group(&x.en.model, 11, false)->unverified);
	ia_engine_finish(&x.en); /* nothing pending: no second finding */
	CHECK_INT(count(&x, IA_RULE_RECORDS_LOST), 1);
	CHECK(ia_engine_found(&x.en, 1u << IA_RULE_RECORDS_LOST));
	ia_model_free(&fresh);
	ia_engine_free(&x.en);
}

UNIT_TEST(resync_pending_at_the_end)
{
	struct fx x;

	fx_start(&x, 1);
	ia_engine_records_lost(&x.en, 3); /* before any record */
	ia_engine_finish(&x.en);
	CHECK_INT(count(&x, IA_RULE_RECORDS_LOST), 1);
	if (x.en.nfindings) {
		CHECK_INT(x.en.findings[0].nevidence, 0);
		CHECK_STR(x.en.findings[0].detail, "3 records lost before the first record; groups not "
						   "re-read (the run ended first); unverified groups: 7, 9");
	}
	ia_engine_free(&x.en);
}

/* Many groups: the list is cut, with the count, and the detail ends whole. */
UNIT_TEST(resync_finding_lists_many_groups)
{
	struct ia_model fresh;
	struct fx x;

	fx_start(&x, 1);
	ia_model_init(&fresh);
	for (int i = 100; i < 160; i++)
		ia_model_group(&fresh, i, true);
	ia_engine_records_lost(&x.en, 1);
	CHECK_INT(ia_engine_resync(&x.en, &fresh), 0);
	CHECK(x.en.nfindings == 1 && strstr(x.en.findings[0].detail, ", ... (60 in all)"));
	ia_model_free(&fresh);
	ia_engine_free(&x.en);
}

/* The claim that would be a violation if B's unbind had not been lost. */
static void claim_after_lost_unbind(struct fx *x, bool lost)
{
	if (lost)
		ia_engine_records_lost(&x->en, 4); /* B's unbind from e1000 among them */
	enter_grp(x, IA_HOOK_GROUP_CLAIM, NULL, 7, 0x77, 0);
	leave(x, IA_HOOK_GROUP_CLAIM, 0);
}

UNIT_TEST(resync_no_viability_from_unverified_state)
{
	struct fx x;

	fx_start(&x, 1);
	claim_after_lost_unbind(&x, false);
	CHECK_INT(count(&x, IA_RULE_VIABILITY), 1); /* the same stream, nothing lost: raised */
	ia_engine_free(&x.en);
	fx_start(&x, 1);
	claim_after_lost_unbind(&x, true);
	CHECK_INT(count(&x, IA_RULE_VIABILITY), 0);
	ia_engine_free(&x.en);
}

/* The context's release record was lost: its close must not read as claim without release. */
static void close_after_loss(struct fx *x, bool lost)
{
	struct ia_event e;

	ia_model_find_dev(&x->en.model, B, NULL)->dma = IA_DMA_NONE;
	enter(x, IA_HOOK_IOMMUFD_BIND, A, 7);
	enter_grp(x, IA_HOOK_DEVICE_CLAIM, A, 7, ICTX, 0);
	leave(x, IA_HOOK_DEVICE_CLAIM, 0);
	leave(x, IA_HOOK_IOMMUFD_BIND, 0x5000);
	if (lost)
		ia_engine_records_lost(&x->en, 2);
	e = ev(x, IA_HOOK_IOMMUFD_RELEASE, IA_PH_ENTER, NULL, -1);
	e.owner = ICTX;
	feed(x, e);
	leave(x, IA_HOOK_IOMMUFD_RELEASE, 0);
}

UNIT_TEST(resync_no_owner_imbalance_from_unverified_state)
{
	struct fx x;

	fx_start(&x, 1);
	close_after_loss(&x, false);
	CHECK_INT(count(&x, IA_RULE_OWNER_IMBALANCE), 1);
	ia_engine_free(&x.en);
	fx_start(&x, 1);
	close_after_loss(&x, true);
	CHECK_INT(count(&x, IA_RULE_OWNER_IMBALANCE), 0);
	ia_engine_free(&x.en);
}

/* A stale domain of a device whose attach was lost must not read as a split group. */
UNIT_TEST(resync_no_split_from_unverified_state)
{
	struct fx x;

	for (int lost = 0; lost < 2; lost++) {
		fx_start(&x, 1);
		ia_model_find_dev(&x.en.model, B, NULL)->domain = 0xd1;
		if (lost)
			ia_engine_records_lost(&x.en, 1);
		attach(&x, A, 7, 0xd2, OPS_VTD, 0);
		CHECK_INT(count(&x, IA_RULE_SPLIT_GROUP), lost ? 0 : 1);
		ia_engine_free(&x.en);
	}
}

/* Other findings rest on their records' errno: raised, saying evidence may be incomplete. */
UNIT_TEST(resync_other_findings_say_so)
{
	const char *note = " [records were lost before this: evidence may be incomplete]";
	const struct ia_finding *f;
	struct fx x;

	fx_start(&x, 1);
	ia_engine_records_lost(&x.en, 1);
	enter(&x, IA_HOOK_REALLY_PROBE, B, 7);
	enter(&x, IA_HOOK_USE_DEFAULT, B, 7);
	leave(&x, IA_HOOK_USE_DEFAULT, -EBUSY);
	leave(&x, IA_HOOK_REALLY_PROBE, -EBUSY);
	f = first(&x, IA_RULE_BIND_REFUSED);
	CHECK(f && strlen(f->detail) > strlen(note) &&
	      !strcmp(f->detail + strlen(f->detail) - strlen(note), note));
	ia_engine_finish(&x.en);
	f = first(&x, IA_RULE_RECORDS_LOST);
	CHECK(f && !strstr(f->detail, note));
	ia_engine_free(&x.en);
}

/*
 * A PASID attachment leaves the group's domain alone but blocks a claim:
 * __iommu_take_dma_ownership() returns -EBUSY while group->pasid_array
 * holds one. The finding says so; detaching it clears the count.
 */
UNIT_TEST(rule_claim_refused_by_pasid_attachment)
{
	const struct ia_finding *f;
	const struct ia_group *g;
	struct ia_event e;
	struct fx x;

	fx_start(&x, 1);
	e = ev(&x, IA_HOOK_ATTACH_PASID, IA_PH_ENTER, MOCK, 9);
	e.pasid = 5;
	feed(&x, e);
	leave(&x, IA_HOOK_ATTACH_PASID, 0);
	g = ia_model_group(&x.en.model, 9, false);
	CHECK(g && g->pasids == 1);
	e = ev(&x, IA_HOOK_ATTACH_PASID, IA_PH_ENTER, MOCK, 9);
	e.pasid = 6;
	feed(&x, e);
	leave(&x, IA_HOOK_ATTACH_PASID, -EINVAL); /* refused: not counted */
	CHECK(g && g->pasids == 1);
	enter_grp(&x, IA_HOOK_DEVICE_CLAIM, MOCK, 9, ICTX, 0);
	leave(&x, IA_HOOK_DEVICE_CLAIM, -EBUSY);
	f = first(&x, IA_RULE_CLAIM_REFUSED);
	CHECK(f != NULL);
	if (f) {
		CHECK(strstr(f->detail, "1 PASID attachment remains") != NULL);
		CHECK_INT(f->actor.tid, 42);
	}
	e = ev(&x, IA_HOOK_DETACH_PASID, IA_PH_ENTER, MOCK, 9);
	e.pasid = 5;
	feed(&x, e);
	leave(&x, IA_HOOK_DETACH_PASID, 0);
	CHECK(g && g->pasids == 0);
	ia_engine_free(&x.en);
}

/* A 5.10 record: the group's owner fields do not exist (no IA_F_OWNER_KNOWN). */
static void enter_pre519(struct fx *x, __u16 hook, const char *dev, const char *drv, int group)
{
	struct ia_event e = ev(x, hook, IA_PH_ENTER, dev, group);

	e.flags |= IA_F_HAVE_GRP;
	if (drv) {
		e.flags |= IA_F_HAVE_DRV;
		strcpy(e.drv_name, drv);
	}
	feed(x, e);
}

/*
 * Before 5.19: VFIO's container holds group 7 (A on vfio-pci, B unbound);
 * e1000 binding to B is the violation VFIO BUG()s on inside really_probe,
 * so the entry alone is the evidence. After the container lets go, the
 * same bind is no finding.
 */
UNIT_TEST(rule_viability_before_ownership_api)
{
	const struct ia_finding *f;
	struct ia_group *g;
	struct ia_dev *b;
	struct fx x;

	fx_start(&x, 1);
	g = ia_model_group(&x.en.model, 7, false);
	b = ia_group_dev(g, B, false);
	b->driver[0] = '\0';
	b->dma = IA_DMA_NONE;
	enter_pre519(&x, IA_HOOK_TYPE1_ATTACH, NULL, NULL, 7);
	leave(&x, IA_HOOK_TYPE1_ATTACH, 0);
	CHECK(g->vfio_held);
	CHECK_STR(ia_owner_kind_name(g->owner_kind), "vfio-group");
	enter_pre519(&x, IA_HOOK_REALLY_PROBE, A, "vfio-pci", 7); /* user class: fine */
	leave(&x, IA_HOOK_REALLY_PROBE, 0);
	CHECK_INT(x.en.nfindings, 0);
	enter_pre519(&x, IA_HOOK_REALLY_PROBE, B, "e1000", 7);
	CHECK_INT(x.en.nfindings, 1);
	f = first(&x, IA_RULE_VIABILITY);
	CHECK(f != NULL);
	if (f) {
		CHECK_INT(f->group_id, 7);
		CHECK_INT(f->ndevs, 1);
		CHECK_STR(f->devs[0], B);
		CHECK_INT(f->nevidence, 1);
		CHECK_INT(f->evidence[0], 5); /* the entry: its exit never comes */
		CHECK(strstr(f->detail, "e1000 binding to " B) != NULL);
		CHECK_INT(f->actor.tid, 42);
	}
	ia_engine_free(&x.en);

	/* the container let go: no finding */
	fx_start(&x, 1);
	g = ia_model_group(&x.en.model, 7, false);
	b = ia_group_dev(g, B, false);
	b->driver[0] = '\0';
	b->dma = IA_DMA_NONE;
	enter_pre519(&x, IA_HOOK_TYPE1_ATTACH, NULL, NULL, 7);
	leave(&x, IA_HOOK_TYPE1_ATTACH, 0);
	enter_pre519(&x, IA_HOOK_TYPE1_DETACH, NULL, NULL, 7);
	leave(&x, IA_HOOK_TYPE1_DETACH, 0);
	CHECK(!g->vfio_held);
	enter_pre519(&x, IA_HOOK_REALLY_PROBE, B, "e1000", 7);
	leave(&x, IA_HOOK_REALLY_PROBE, 0);
	CHECK_INT(x.en.nfindings, 0);
	ia_engine_free(&x.en);

	/* 5.19+: the kernel keeps the owner and refuses the bind itself; nothing at entry */
	fx_start(&x, 1);
	g = ia_model_group(&x.en.model, 7, false);
	b = ia_group_dev(g, B, false);
	b->driver[0] = '\0';
	b->dma = IA_DMA_NONE;
	enter_grp(&x, IA_HOOK_TYPE1_ATTACH, NULL, 7, 0, 0);
	leave(&x, IA_HOOK_TYPE1_ATTACH, 0);
	CHECK(!g->vfio_held);
	enter_grp(&x, IA_HOOK_REALLY_PROBE, B, 7, 0xabc, 1);
	CHECK_INT(x.en.nfindings, 0);
	ia_engine_free(&x.en);
}

/*
 * A PCI reset (7.0+) stages A at the blocking domain and back, keeping
 * group->domain: no split, no change of A's domain in the model. The same
 * attach outside a reset is a split.
 */
UNIT_TEST(rule_reset_blocking_is_no_finding)
{
	struct fx x;

	fx_start(&x, 1);
	attach(&x, A, 7, 0xd1, OPS_VTD, 0);
	attach(&x, B, 7, 0xd1, OPS_VTD, 0);
	enter(&x, IA_HOOK_RESET_PREPARE, A, 7);
	attach(&x, A, 7, 0xb10c, OPS_VTD, 0);
	leave(&x, IA_HOOK_RESET_PREPARE, 0);
	enter(&x, IA_HOOK_RESET_DONE, A, 7);
	attach(&x, A, 7, 0xd1, OPS_VTD, 0);
	leave(&x, IA_HOOK_RESET_DONE, 0);
	CHECK_INT(x.en.nfindings, 0);
	CHECK_INT(ia_model_find_dev(&x.en.model, A, NULL)->domain, 0xd1);
	attach(&x, A, 7, 0xb10c, OPS_VTD, 0); /* not in a reset: a split */
	CHECK_INT(count(&x, IA_RULE_SPLIT_GROUP), 1);
	ia_engine_free(&x.en);
}

/* A vIOMMU on hwpt 3, a vDEVICE of MOCK (device object 1) on it; the vDEVICE removed. */
UNIT_TEST(engine_links_viommu_objects)
{
	struct ia_event e;
	struct ia_ctx *c;
	struct fx x;

	fx_start(&x, 1);
	e = ev(&x, IA_HOOK_OBJ_FINALIZE, IA_PH_FIRE, NULL, -1);
	e.type = IA_REC_CALL;
	e.owner = ICTX;
	e.obj_id = 5;
	e.arg[0] = IA_OBJ_VIOMMU;
	e.arg[1] = 3;
	feed(&x, e);
	e = ev(&x, IA_HOOK_OBJ_FINALIZE, IA_PH_FIRE, MOCK, -1);
	e.type = IA_REC_CALL;
	e.owner = ICTX;
	e.obj_id = 6;
	e.arg[0] = IA_OBJ_VDEVICE;
	e.arg[1] = 5;
	e.arg[2] = 1;
	feed(&x, e);
	CHECK_INT(x.en.nctxs, 1);
	c = &x.en.ctxs[0];
	CHECK_INT(c->nvobjs, 2);
	CHECK_INT(c->vobjs[0].kind, IA_OBJ_VIOMMU);
	CHECK_INT(c->vobjs[0].parent, 3);
	CHECK_INT(c->vobjs[1].kind, IA_OBJ_VDEVICE);
	CHECK_INT(c->vobjs[1].parent, 5);
	CHECK_INT(c->vobjs[1].idev, 1);
	CHECK_STR(c->vobjs[1].dev, MOCK);
	e = ev(&x, IA_HOOK_OBJ_REMOVE, IA_PH_ENTER, NULL, -1);
	e.owner = ICTX;
	e.obj_id = 6;
	feed(&x, e);
	leave(&x, IA_HOOK_OBJ_REMOVE, -EBUSY); /* still in use: stays */
	CHECK_INT(c->nvobjs, 2);
	feed(&x, e);
	leave(&x, IA_HOOK_OBJ_REMOVE, 0);
	CHECK_INT(c->nvobjs, 1);
	CHECK_INT(c->vobjs[0].id, 5);
	CHECK_INT(x.en.stats.bad_records, 0);
	ia_engine_free(&x.en);
}

/*
 * A partly inlined __iommu_attach_device: the tracepoint inside it fires
 * for every successful attach; one with no call open on its thread is a
 * call the probe missed, and the probe is degraded.
 */
UNIT_TEST(engine_counts_core_attaches_the_probe_missed)
{
	struct ia_engine_opts o = { .core_attach_checked = true };
	struct ia_event e;
	struct fx x;

	fx_start(&x, 1);
	x.en.opts = o;
	enter_dom(&x, IA_HOOK_ATTACH_DEV_CORE, A, 7, 0xd1, OPS_VTD, OPS_VTD);
	feed(&x, ev(&x, IA_HOOK_TP_ATTACH, IA_PH_FIRE, A, 7)); /* inside the call: seen */
	leave(&x, IA_HOOK_ATTACH_DEV_CORE, 0);
	feed(&x, ev(&x, IA_HOOK_TP_ATTACH, IA_PH_FIRE, B, 7)); /* from the inlined copy: unseen */
	CHECK_INT(x.en.stats.core_attaches, 2);
	CHECK_INT(x.en.stats.core_attaches_unseen, 1);
	ia_engine_free(&x.en);

	fx_start(&x, 1); /* attach_dev_core not attached: nothing counted */
	e = ev(&x, IA_HOOK_TP_ATTACH, IA_PH_FIRE, B, 7);
	feed(&x, e);
	CHECK_INT(x.en.stats.core_attaches, 0);
	CHECK_INT(x.en.stats.core_attaches_unseen, 0);
	ia_engine_free(&x.en);
}

/*
 * Before 5.14 really_probe returns 1 when the driver bound and 0 when its
 * probe failed: with probe_ret_bound the engine reads them so.
 */
UNIT_TEST(engine_really_probe_before_5_14)
{
	struct ia_dev *b;
	struct fx x;

	CHECK(ia_release_before("5.10.0-32-amd64", 5, 14));
	CHECK(ia_release_before("5.13.19", 5, 14));
	CHECK(!ia_release_before("5.14.0", 5, 14));
	CHECK(!ia_release_before("6.1.0-57-amd64", 5, 14));
	CHECK(!ia_release_before("", 5, 14));
	fx_start(&x, 1);
	x.en.opts.probe_ret_bound = true;
	b = ia_model_find_dev(&x.en.model, B, NULL);
	b->driver[0] = '\0';
	b->dma = IA_DMA_NONE;
	enter_pre519(&x, IA_HOOK_REALLY_PROBE, B, "e1000", 7);
	leave(&x, IA_HOOK_REALLY_PROBE, 0); /* its probe failed */
	CHECK_STR(b->driver, "");
	enter_pre519(&x, IA_HOOK_REALLY_PROBE, B, "e1000", 7);
	leave(&x, IA_HOOK_REALLY_PROBE, 1); /* bound */
	CHECK_STR(b->driver, "e1000");
	CHECK_INT(x.en.normalized.ret, 0); /* what every output shows: bound */
	CHECK_INT(ia_engine_probe_ret(&x.en, 0), IA_PROBE_ERR_DROPPED);
	CHECK_INT(ia_engine_probe_ret(&x.en, -EBUSY), -EBUSY);
	x.en.opts.probe_ret_bound = false;
	CHECK_INT(ia_engine_probe_ret(&x.en, 1), 1);
	ia_engine_free(&x.en);
}
