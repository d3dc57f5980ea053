/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Event streams as the probes produce them, with realistic field values
 * (kernel addresses, timestamps with jitter, task names), for the recording
 * tests (tests/unit/test_trace.c), the fixture tool (tests/tools/mktrace.c)
 * and the fuzzer's seeds. Header-only: every user includes it once.
 *
 * The starting model: group 6 holds an e1000e NIC; group 7 NIC A on
 * vfio-pci and NIC B on e1000 (not viable); group 9 a mock iommufd device.
 */
#ifndef IA_TEST_SCENARIOS_H
#define IA_TEST_SCENARIOS_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "iommu_audit.h"
#include "model.h"

#define SCN_NIC "0000:01:00.0"
#define SCN_A "0000:03:01.0"
#define SCN_B "0000:03:02.0"
#define SCN_MOCK "iommufd_mock0"
#define SCN_OPS_VTD 0xffffffff82a1c0e0ull
#define SCN_ICTX 0xffff888104c3a800ull

struct scn {
	void (*emit)(void *ctx, const struct ia_event *ev);
	void *ctx;
	__u64 ts;
	__u32 rng;
	__u64 domain; /* the next domain allocated */
	__u32 bursts; /* contexts scn_burst has opened */
};

static inline void scn_init(struct scn *s, void (*emit)(void *, const struct ia_event *), void *ctx)
{
	memset(s, 0, sizeof(*s));
	s->emit = emit;
	s->ctx = ctx;
	s->ts = 912345678901ull;
	s->rng = 2463534242u;
	s->domain = 0xffff888107a0c000ull;
}

static inline void scn_model(struct ia_model *m)
{
	struct ia_group *g;
	struct ia_dev *d;

	ia_model_init(m);
	g = ia_model_group(m, 6, true);
	strcpy(g->type, "DMA");
	d = ia_group_dev(g, SCN_NIC, true);
	strcpy(d->driver, "e1000e");
	d->dma = IA_DMA_KERNEL;
	ia_group_add_resv(g, 0xfee00000, 0xfeefffff, "msi");
	g = ia_model_group(m, 7, true);
	strcpy(g->type, "DMA");
	d = ia_group_dev(g, SCN_A, true);
	strcpy(d->driver, "vfio-pci");
	d->dma = IA_DMA_USER;
	d = ia_group_dev(g, SCN_B, true);
	strcpy(d->driver, "e1000");
	d->dma = IA_DMA_KERNEL;
	ia_group_add_resv(g, 0xfee00000, 0xfeefffff, "msi");
	g = ia_model_group(m, 9, true);
	ia_group_dev(g, SCN_MOCK, true);
	strcpy(m->iommus[m->niommus++], "dmar0");
}

static inline __u32 scn_rand(struct scn *s)
{
	s->rng ^= s->rng << 13;
	s->rng ^= s->rng >> 17;
	s->rng ^= s->rng << 5;
	return s->rng;
}

/* A stable kernel address for a device name, as struct device * would be. */
static inline __u64 scn_kptr(const char *name)
{
	__u64 h = 1469598103934665603ull;

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 1099511628211ull;
	return 0xffff888100000000ull | ((h & 0xffffff) << 8);
}

/* A record with only what every hook sets: the builder of all test streams. */
static inline struct ia_event scn_bare(__u16 hook, __u8 phase, __u32 tid, __u64 ts, const char *dev,
				       const char *drv, int group)
{
	struct ia_event e;

	memset(&e, 0, sizeof(e));
	e.type = phase == IA_PH_FIRE ? IA_REC_TP : IA_REC_CALL;
	e.size = sizeof(e);
	e.hook = hook;
	e.phase = phase;
	e.ts_ns = ts;
	e.pid = tid;
	e.tid = tid;
	e.group_id = group;
	e.domain_type = IA_NO_TYPE;
	e.grp_domain_type = IA_NO_TYPE;
	if (dev) {
		e.flags |= IA_F_HAVE_DEV;
		strcpy(e.dev_name, dev);
	}
	if (drv) {
		e.flags |= IA_F_HAVE_DRV;
		strcpy(e.drv_name, drv);
	}
	return e;
}

/* As the probes fill it on the test bed: fentry, kernel pointers, the group's state. */
static inline struct ia_event scn_ev(struct scn *s, __u16 hook, __u8 phase, __u32 tid,
				     const char *dev, const char *drv, int group)
{
	struct ia_event e;

	s->ts += 1000 + scn_rand(s) % 400000;
	e = scn_bare(hook, phase, tid, s->ts, dev, drv, group);
	e.flags |= IA_F_FENTRY;
	strcpy(e.comm, tid & 1 ? "bash" : "vfio-rebind");
	if (dev)
		e.dev = scn_kptr(dev);
	if (group >= 0 && phase != IA_PH_EXIT) {
		e.flags |= IA_F_HAVE_GRP | IA_F_OWNER_KNOWN;
		e.group = 0xffff888102f4a000ull + (__u64)group * 0x400;
		e.grp_domain = 0xffff888105c20000ull + (__u64)group * 0x200;
		e.grp_default_domain = e.grp_domain;
		e.grp_domain_type = 3;
		e.dev_ops = SCN_OPS_VTD;
	}
	return e;
}

static inline void scn_call(struct scn *s, __u16 hook, __u32 tid, const char *dev, const char *drv,
			    int group)
{
	struct ia_event e = scn_ev(s, hook, IA_PH_ENTER, tid, dev, drv, group);

	s->emit(s->ctx, &e);
}

static inline void scn_ret(struct scn *s, __u16 hook, __u32 tid, long ret)
{
	struct ia_event e = scn_ev(s, hook, IA_PH_EXIT, tid, NULL, NULL, -1);

	e.ret = ret;
	s->emit(s->ctx, &e);
}

static inline void scn_unbind(struct scn *s, __u32 tid, const char *dev, const char *drv, int grp,
			      bool kernel_dma)
{
	struct ia_event e = scn_ev(s, IA_HOOK_RELEASE_DRIVER, IA_PH_ENTER, tid, dev, drv, grp);

	e.flags |= IA_F_RELEASES;
	s->emit(s->ctx, &e);
	if (kernel_dma) {
		e = scn_ev(s, IA_HOOK_UNUSE_DEFAULT, IA_PH_ENTER, tid, dev, NULL, grp);
		e.owner_cnt = 1; /* the driver's own use of the default domain */
		s->emit(s->ctx, &e);
		scn_ret(s, IA_HOOK_UNUSE_DEFAULT, tid, 0);
	}
	scn_ret(s, IA_HOOK_RELEASE_DRIVER, tid, 0);
}

static inline void scn_bind(struct scn *s, __u32 tid, const char *dev, const char *drv, int grp,
			    bool kernel_dma, long ret)
{
	scn_call(s, IA_HOOK_REALLY_PROBE, tid, dev, drv, grp);
	if (kernel_dma) {
		scn_call(s, IA_HOOK_USE_DEFAULT, tid, dev, NULL, grp);
		scn_ret(s, IA_HOOK_USE_DEFAULT, tid, 0);
	}
	scn_ret(s, IA_HOOK_REALLY_PROBE, tid, ret);
}

/* The demo: the NIC from e1000e to vfio-pci and back (12 records, no finding). */
static inline void scn_rebind(struct scn *s, __u32 tid)
{
	scn_unbind(s, tid, SCN_NIC, "e1000e", 6, true);
	scn_bind(s, tid, SCN_NIC, "vfio-pci", 6, false, 0);
	scn_unbind(s, tid, SCN_NIC, "vfio-pci", 6, false);
	scn_bind(s, tid, SCN_NIC, "e1000e", 6, true, 0);
}

/* B's kernel bind refused in its user-owned group: one bind-refused finding. */
static inline void scn_bind_refused(struct scn *s, __u32 tid)
{
	struct ia_event e;

	scn_call(s, IA_HOOK_REALLY_PROBE, tid, SCN_B, "e1000", 7);
	e = scn_ev(s, IA_HOOK_USE_DEFAULT, IA_PH_ENTER, tid, SCN_B, NULL, 7);
	e.owner = SCN_ICTX;
	e.owner_cnt = 1;
	s->emit(s->ctx, &e);
	scn_ret(s, IA_HOOK_USE_DEFAULT, tid, -EBUSY);
	scn_ret(s, IA_HOOK_REALLY_PROBE, tid, -EBUSY);
}

static inline void scn_attach(struct scn *s, __u32 tid, const char *dev, int grp, __u64 domain,
			      long ret)
{
	struct ia_event e = scn_ev(s, IA_HOOK_ATTACH_DEV_CORE, IA_PH_ENTER, tid, dev, NULL, grp);

	e.flags |= IA_F_HAVE_DOM;
	e.domain = domain;
	e.domain_type = 1;
	e.dom_owner = SCN_OPS_VTD;
	s->emit(s->ctx, &e);
	scn_ret(s, IA_HOOK_ATTACH_DEV_CORE, tid, ret);
}

/* failures -EINVAL attaches of one domain, then another attaches: a soft failure. */
static inline void scn_soft_failure(struct scn *s, __u32 tid, int failures)
{
	__u64 bad = s->domain += 0x800, good = s->domain += 0x800;

	for (int i = 0; i < failures; i++)
		scn_attach(s, tid, SCN_MOCK, 9, bad, -EINVAL);
	scn_attach(s, tid, SCN_MOCK, 9, good, 0);
}

/* An attach that fails with -ENOMEM: a hard failure. */
static inline void scn_hard_failure(struct scn *s, __u32 tid)
{
	scn_attach(s, tid, SCN_A, 7, s->domain += 0x800, -ENOMEM);
}

/* A pointer-returning hook: a domain, or an ERR_PTR. */
static inline void scn_domain_alloc(struct scn *s, __u32 tid, const char *dev, int grp, long err)
{
	struct ia_event e;

	scn_call(s, IA_HOOK_DOMAIN_ALLOC, tid, dev, NULL, grp);
	e = scn_ev(s, IA_HOOK_DOMAIN_ALLOC, IA_PH_EXIT, tid, NULL, NULL, -1);
	e.flags |= IA_F_RET_PTR;
	e.ret = err ? err : (__s64)(s->domain += 0x800);
	s->emit(s->ctx, &e);
}

/* The entry of an iommufd ioctl, _IO(';', nr), on the context. */
static inline void scn_ioctl_enter(struct scn *s, __u32 tid, unsigned int nr)
{
	struct ia_event e = scn_ev(s, IA_HOOK_IOMMUFD_IOCTL, IA_PH_ENTER, tid, NULL, NULL, -1);

	e.owner = SCN_ICTX;
	e.arg[0] = ((unsigned int)';' << 8) | nr;
	s->emit(s->ctx, &e);
}

/*
 * An iommufd call on the context, for device dev's object idev (0: none);
 * once idev exists the device's group is the context's (owner_cnt 1).
 */
static inline struct ia_event scn_ictx_call(struct scn *s, __u16 hook, __u32 tid, const char *dev,
					    int grp, __u32 idev)
{
	struct ia_event e = scn_ev(s, hook, IA_PH_ENTER, tid, dev, NULL, grp);

	e.owner = SCN_ICTX;
	e.obj_id = idev;
	if (idev && grp >= 0) {
		e.grp_owner = SCN_ICTX;
		e.owner_cnt = 1;
	}
	return e;
}

/*
 * The mock device bound to an iommufd context (its group claimed), a hwpt
 * allocated and attached, 64 KiB mapped through the IOAS (one --trace-maps
 * record of the iommu_map under it) and a failed IOAS_UNMAP; the context is
 * left open.
 */
static inline void scn_iommufd(struct scn *s, __u32 tid)
{
	struct ia_event e;
	__u64 dom = s->domain += 0x800;

	e = scn_ictx_call(s, IA_HOOK_IOMMUFD_BIND, tid, SCN_MOCK, 9, 0);
	s->emit(s->ctx, &e);
	e = scn_ictx_call(s, IA_HOOK_DEVICE_CLAIM, tid, SCN_MOCK, 9, 0);
	s->emit(s->ctx, &e);
	scn_ret(s, IA_HOOK_DEVICE_CLAIM, tid, 0);
	e = scn_ev(s, IA_HOOK_IOMMUFD_BIND, IA_PH_EXIT, tid, NULL, NULL, -1);
	e.flags |= IA_F_RET_PTR;
	e.ret = (__s64)0xffff888106b14000ull;
	e.obj_id = 1;
	s->emit(s->ctx, &e);

	scn_ioctl_enter(s, tid, 0x89); /* HWPT_ALLOC */
	e = scn_ictx_call(s, IA_HOOK_HWPT_ALLOC, tid, SCN_MOCK, 9, 1);
	s->emit(s->ctx, &e);
	e = scn_ev(s, IA_HOOK_HWPT_ALLOC, IA_PH_EXIT, tid, NULL, NULL, -1);
	e.flags |= IA_F_RET_PTR | IA_F_HAVE_DOM;
	e.ret = (__s64)0xffff888106b15000ull;
	e.domain = dom;
	e.domain_type = 1;
	e.obj_id2 = 2;
	s->emit(s->ctx, &e);
	scn_ret(s, IA_HOOK_IOMMUFD_IOCTL, tid, 0);

	e = scn_ictx_call(s, IA_HOOK_HWPT_ATTACH, tid, SCN_MOCK, 9, 1);
	e.obj_id2 = 2;
	s->emit(s->ctx, &e);
	scn_ret(s, IA_HOOK_HWPT_ATTACH, tid, 0);

	scn_ioctl_enter(s, tid, 0x85); /* IOAS_MAP */
	e = scn_ictx_call(s, IA_HOOK_IOAS_MAP, tid, NULL, -1, 0);
	e.arg[0] = 0x100000;
	e.arg[1] = 65536;
	e.arg[2] = 3;
	s->emit(s->ctx, &e);
	e = scn_ev(s, IA_HOOK_MAP, IA_PH_FIRE, tid, NULL, NULL, -1);
	e.type = IA_REC_CALL; /* a function's single record, not a tracepoint */
	e.flags |= IA_F_HAVE_DOM;
	e.domain = dom;
	e.arg[0] = 0x100000;
	e.arg[1] = 65536;
	e.arg[2] = 4200;
	s->emit(s->ctx, &e);
	scn_ret(s, IA_HOOK_IOAS_MAP, tid, 0);
	scn_ret(s, IA_HOOK_IOMMUFD_IOCTL, tid, 0);

	scn_ioctl_enter(s, tid, 0x86); /* IOAS_UNMAP of nothing */
	scn_ret(s, IA_HOOK_IOMMUFD_IOCTL, tid, -ENOENT);
}

/* scn_burst: contexts open at once, as the soak's iommu-drive mock-burst keeps them. */
#define SCN_BURST_ALIVE 2000

/* Context k of a burst: its own iommufd context, mock device, group and domain. */
static inline __u64 scn_burst_ctx(__u32 k) { return SCN_ICTX + 0x10000ull * (k + 1); }
static inline int scn_burst_group(__u32 k) { return 1000 + (int)k; }

static inline struct ia_event scn_burst_ev(struct scn *s, __u16 hook, __u8 phase, __u32 tid,
					   __u32 k, bool dev)
{
	char name[IA_NAME_LEN];
	struct ia_event e;

	snprintf(name, sizeof(name), "iommufd_mock%u", k);
	e = scn_ev(s, hook, phase, tid, dev ? name : NULL, NULL, dev ? scn_burst_group(k) : -1);
	e.owner = scn_burst_ctx(k);
	e.domain = 0xffff888200000000ull + 0x1000ull * k;
	return e;
}

static inline void scn_burst_emit(struct scn *s, __u16 hook, __u8 phase, __u32 tid, __u32 k,
				  bool dev, long ret)
{
	struct ia_event e = scn_burst_ev(s, hook, phase, tid, k, dev);

	if (phase == IA_PH_FIRE)
		e.type = IA_REC_TP;
	e.ret = ret;
	s->emit(s->ctx, &e);
}

/*
 * One more context of a burst, as the mock guest's records show one: a
 * TEST_CMD ioctl adds a mock device in a group of its own and binds it (the
 * group claimed), a hwpt is allocated and attached; once SCN_BURST_ALIVE are
 * open, the oldest is closed (detached, unbound, its group gone with its
 * device, its domain freed). For the consumer's bench: a model of thousands
 * of groups, devices and contexts at once.
 */
static inline void scn_burst(struct scn *s, __u32 tid)
{
	__u32 k = s->bursts++, o = k - SCN_BURST_ALIVE;
	struct ia_event e;

	e = scn_burst_ev(s, IA_HOOK_IOMMUFD_IOCTL, IA_PH_ENTER, tid, k, false);
	e.arg[0] = ((unsigned int)';' << 8) | 0xa0; /* IOMMU_TEST_CMD */
	s->emit(s->ctx, &e);
	scn_burst_emit(s, IA_HOOK_PROBE_DEVICE, IA_PH_ENTER, tid, k, true, 0);
	scn_burst_emit(s, IA_HOOK_TP_ADD_GROUP, IA_PH_FIRE, tid, k, true, 0);
	scn_ret(s, IA_HOOK_PROBE_DEVICE, tid, 0);
	scn_burst_emit(s, IA_HOOK_IOMMUFD_BIND, IA_PH_ENTER, tid, k, true, 0);
	scn_burst_emit(s, IA_HOOK_DEVICE_CLAIM, IA_PH_ENTER, tid, k, true, 0);
	scn_ret(s, IA_HOOK_DEVICE_CLAIM, tid, 0);
	e = scn_ev(s, IA_HOOK_IOMMUFD_BIND, IA_PH_EXIT, tid, NULL, NULL, -1);
	e.flags |= IA_F_RET_PTR;
	e.ret = (__s64)(0xffff888300000000ull + 0x1000ull * k);
	e.obj_id = 1;
	s->emit(s->ctx, &e);
	e = scn_burst_ev(s, IA_HOOK_HWPT_ALLOC, IA_PH_ENTER, tid, k, true);
	e.obj_id = 1;
	s->emit(s->ctx, &e);
	e = scn_ev(s, IA_HOOK_HWPT_ALLOC, IA_PH_EXIT, tid, NULL, NULL, -1);
	e.flags |= IA_F_RET_PTR | IA_F_HAVE_DOM;
	e.ret = (__s64)(0xffff888400000000ull + 0x1000ull * k);
	e.domain = 0xffff888200000000ull + 0x1000ull * k;
	e.domain_type = 1;
	e.obj_id2 = 2;
	s->emit(s->ctx, &e);
	e = scn_burst_ev(s, IA_HOOK_HWPT_ATTACH, IA_PH_ENTER, tid, k, true);
	e.obj_id = 1;
	e.obj_id2 = 2;
	s->emit(s->ctx, &e);
	scn_ret(s, IA_HOOK_HWPT_ATTACH, tid, 0);
	scn_ret(s, IA_HOOK_IOMMUFD_IOCTL, tid, 0);
	if (k < SCN_BURST_ALIVE)
		return;
	scn_burst_emit(s, IA_HOOK_IOMMUFD_RELEASE, IA_PH_ENTER, tid, o, false, 0);
	e = scn_burst_ev(s, IA_HOOK_IOMMUFD_UNBIND, IA_PH_ENTER, tid, o, true);
	e.obj_id = 1;
	e.grp_owner = e.owner; /* claimed at bind: the context owns the group */
	e.owner_cnt = 1;
	s->emit(s->ctx, &e);
	e = scn_burst_ev(s, IA_HOOK_DEVICE_RELEASE, IA_PH_ENTER, tid, o, true);
	e.grp_owner = e.owner;
	e.owner_cnt = 1;
	s->emit(s->ctx, &e);
	scn_ret(s, IA_HOOK_DEVICE_RELEASE, tid, 0);
	scn_ret(s, IA_HOOK_IOMMUFD_UNBIND, tid, 0);
	scn_burst_emit(s, IA_HOOK_TP_REMOVE_GROUP, IA_PH_FIRE, tid, o, true, 0);
	e = scn_burst_ev(s, IA_HOOK_DOMAIN_FREE, IA_PH_ENTER, tid, o, false);
	e.flags |= IA_F_HAVE_DOM;
	s->emit(s->ctx, &e);
	scn_ret(s, IA_HOOK_DOMAIN_FREE, tid, 0);
	scn_ret(s, IA_HOOK_IOMMUFD_RELEASE, tid, 0);
}

#endif /* IA_TEST_SCENARIOS_H */
