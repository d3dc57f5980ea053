// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Probes on the kernel paths that decide IOMMU group ownership: driver
 * binding (really_probe / device_release_driver_internal), the attach
 * family, and the DMA ownership API; plus the iommu:* tracepoints.
 *
 * Every hook has an fentry and a kprobe entry program and an fexit and a
 * kretprobe exit program sharing one body. All are declared "?" (not
 * auto-loaded): user space (src/loader.c) picks, per hook, the variant the
 * running kernel supports and the target symbol that exists, before load.
 * Exit records carry only the return value; user space pairs them with
 * their entry by thread (src/engine.c), which works the same for kretprobes
 * that cannot see arguments.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "iommu_audit.h"
#include "core_fixes.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set by user space once every chosen program is attached. */
bool ready = false;
struct ia_counters counters = {};
struct ia_map_full map_full = {};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20); /* resized by user space before load */
} events SEC(".maps");

/* Room for a record in the ring; a full ring counts a drop. */
static __always_inline void *ev_reserve(__u64 size)
{
	void *e;

	if (!ready)
		return NULL;
	e = bpf_ringbuf_reserve(&events, size, 0);
	if (!e)
		__sync_fetch_and_add(&counters.drops, 1);
	return e;
}

/*
 * What every record starts with (the first 32 bytes of struct ia_event and
 * struct ia_exit_rec alike), and the task that made it.
 */
#define EV_COMMON(e, rec_type, hook_, phase_, flags_)                          \
	do {                                                                  \
		__u64 id_ = bpf_get_current_pid_tgid();                       \
		(e)->type = (rec_type);                                       \
		(e)->size = sizeof(*(e));                                     \
		(e)->hook = (hook_);                                          \
		(e)->phase = (phase_);                                        \
		(e)->flags = (flags_);                                        \
		(e)->ts_ns = bpf_ktime_get_ns();                              \
		(e)->pid = id_ >> 32;                                         \
		(e)->tid = (__u32)id_;                                        \
		bpf_get_current_comm((e)->comm, sizeof((e)->comm));           \
		(e)->cgroup = bpf_get_current_cgroup_id();                    \
	} while (0)

static __always_inline struct ia_event *ev_new(__u16 hook, __u8 phase, __u8 flags)
{
	struct ia_event *e = ev_reserve(sizeof(*e));

	if (!e)
		return NULL;
	__builtin_memset(e, 0, sizeof(*e));
	EV_COMMON(e, IA_REC_CALL, hook, phase, flags);
	e->group_id = IA_NO_GROUP;
	e->domain_type = IA_NO_TYPE;
	e->grp_domain_type = IA_NO_TYPE;
	return e;
}

/* Wake the consumer only once a quarter of the ring is waiting (it also polls). */
const volatile __u64 wakeup_bytes = 1 << 18;

static __always_inline void ev_submit(void *e)
{
	__u64 flags = BPF_RB_NO_WAKEUP;

	__sync_fetch_and_add(&counters.events, 1);
	if (bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wakeup_bytes)
		flags = BPF_RB_FORCE_WAKEUP;
	bpf_ringbuf_submit(e, flags);
}

static __always_inline void fill_group(struct ia_event *e, struct iommu_group *grp)
{
	struct iommu_domain *d;

	if (!grp)
		return;
	e->flags |= IA_F_HAVE_GRP;
	e->group = (__u64)grp;
	e->group_id = BPF_CORE_READ(grp, id);
	d = BPF_CORE_READ(grp, domain);
	e->grp_domain = (__u64)d;
	if (d)
		e->grp_domain_type = BPF_CORE_READ(d, type);
	e->grp_default_domain = (__u64)BPF_CORE_READ(grp, default_domain);
	if (!e->dev_ops) {
		struct device *first = group_first_dev(grp);

		if (first)
			e->dev_ops = device_iommu_ops(first);
	}
	if (group_has_owner(grp)) {
		e->flags |= IA_F_OWNER_KNOWN;
		e->owner_cnt = group_owner_cnt(grp);
		e->grp_owner = group_owner(grp);
	}
}

static __always_inline void fill_dev(struct ia_event *e, struct device *dev)
{
	if (!dev)
		return;
	e->flags |= IA_F_HAVE_DEV;
	e->dev = (__u64)dev;
	bpf_probe_read_kernel_str(e->dev_name, sizeof(e->dev_name), BPF_CORE_READ(dev, kobj.name));
	e->dev_ops = device_iommu_ops(dev);
	fill_group(e, BPF_CORE_READ(dev, iommu_group));
}

static __always_inline void fill_drv(struct ia_event *e, const struct device_driver *drv)
{
	if (!drv)
		return;
	e->flags |= IA_F_HAVE_DRV;
	bpf_probe_read_kernel_str(e->drv_name, sizeof(e->drv_name), BPF_CORE_READ(drv, name));
}

static __always_inline void fill_domain(struct ia_event *e, struct iommu_domain *d)
{
	if (!d)
		return;
	e->flags |= IA_F_HAVE_DOM;
	e->domain = (__u64)d;
	e->domain_type = BPF_CORE_READ(d, type);
	e->dom_owner = domain_owner(d);
}

/* Argument shapes of the hooked functions, one body each. */

static __always_inline int on_dev_drv(__u16 hook, __u8 fl, struct device *dev,
				      const struct device_driver *drv)
{
	struct ia_event *e = ev_new(hook, IA_PH_ENTER, fl);

	if (!e)
		return 0;
	fill_dev(e, dev);
	fill_drv(e, drv);
	ev_submit(e);
	return 0;
}

/*
 * device_release_driver_internal(dev, drv, parent) unbinds only when drv is
 * NULL or is the bound driver (drivers/base/dd.c); record which.
 */
/*
 * The release hook's second argument is the driver to release (NULL: any)
 * on device_release_driver_internal(dev, drv, parent); on
 * __device_release_driver(dev, parent) it is the parent, and every call
 * releases. Set by the loader from the target it chose.
 */
const volatile bool release_drv_arg = true;

static __always_inline int on_release(__u16 hook, __u8 fl, struct device *dev,
				      const struct device_driver *drv)
{
	const struct device_driver *bound = BPF_CORE_READ(dev, driver);

	if (!release_drv_arg)
		drv = NULL;
	struct ia_event *e = ev_new(hook, IA_PH_ENTER, fl);

	if (!e)
		return 0;
	fill_dev(e, dev);
	fill_drv(e, bound);
	if (bound && (!drv || drv == bound))
		e->flags |= IA_F_RELEASES;
	ev_submit(e);
	return 0;
}

static __always_inline int on_domain_dev(__u16 hook, __u8 fl, struct iommu_domain *d,
					 struct device *dev)
{
	struct ia_event *e = ev_new(hook, IA_PH_ENTER, fl);

	if (!e)
		return 0;
	fill_domain(e, d);
	fill_dev(e, dev);
	ev_submit(e);
	return 0;
}

static __always_inline int on_domain_group(__u16 hook, __u8 fl, struct iommu_domain *d,
					   struct iommu_group *grp)
{
	struct ia_event *e = ev_new(hook, IA_PH_ENTER, fl);

	if (!e)
		return 0;
	fill_domain(e, d);
	fill_group(e, grp);
	ev_submit(e);
	return 0;
}

static __always_inline int on_group_owner(__u16 hook, __u8 fl, struct iommu_group *grp,
					  __u64 owner)
{
	struct ia_event *e = ev_new(hook, IA_PH_ENTER, fl);

	if (!e)
		return 0;
	fill_group(e, grp);
	e->owner = owner; /* the claimant */
	ev_submit(e);
	return 0;
}

static __always_inline int on_dev_owner(__u16 hook, __u8 fl, struct device *dev, __u64 owner)
{
	struct ia_event *e = ev_new(hook, IA_PH_ENTER, fl);

	if (!e)
		return 0;
	fill_dev(e, dev);
	e->owner = owner;
	ev_submit(e);
	return 0;
}

/*
 * An exit that carries only its return value goes as the short record
 * (struct ia_exit_rec, 56 bytes for 248): user space widens it.
 */
static __always_inline int on_exit(__u16 hook, __u8 fl, long ret)
{
	struct ia_exit_rec *e = ev_reserve(sizeof(*e));

	if (!e)
		return 0;
	EV_COMMON(e, IA_REC_EXIT, hook, IA_PH_EXIT, fl);
	e->ret = (int)ret; /* int (or void) functions: the low 32 bits */
	ev_submit(e);
	return 0;
}

#define IS_ERR_VALUE(x) ((unsigned long)(x) >= (unsigned long)-4095)

/* Functions returning a pointer: the domain or iommufd object it made. */
static __always_inline int on_exit_ptr(__u16 hook, __u8 fl, long ret)
{
	struct ia_event *e = ev_new(hook, IA_PH_EXIT, fl | IA_F_RET_PTR);

	if (!e)
		return 0;
	e->ret = ret;
	if (!ret || IS_ERR_VALUE(ret))
		goto out;
	if (hook == IA_HOOK_DOMAIN_ALLOC || hook == IA_HOOK_DOMAIN_ALLOC_BUS) {
		fill_domain(e, (struct iommu_domain *)ret);
	} else if (hook == IA_HOOK_HWPT_ALLOC) {
		struct iommufd_hwpt_paging *hp = (void *)ret;

		fill_domain(e, BPF_CORE_READ(hp, common.domain));
		e->obj_id2 = BPF_CORE_READ(hp, common.obj.id);
	} else if (hook == IA_HOOK_IOMMUFD_BIND) {
		e->obj_id = BPF_CORE_READ((struct iommufd_device *)ret, obj.id);
	}
out:
	ev_submit(e);
	return 0;
}

static __always_inline int on_domain_only(__u16 hook, __u8 fl, struct iommu_domain *d, void *unused)
{
	return on_domain_dev(hook, fl, d, NULL);
}

/* Called with no argument of interest (iommu_domain_alloc(bus)). */
static __always_inline int on_nothing(__u16 hook, __u8 fl, void *a, void *b)
{
	struct ia_event *e = ev_new(hook, IA_PH_ENTER, fl);

	if (e)
		ev_submit(e);
	return 0;
}

/* iommufd device object: its device, id and context (the claim owner). */
static __always_inline void fill_idev(struct ia_event *e, struct iommufd_device *idev)
{
	if (!idev)
		return;
	fill_dev(e, BPF_CORE_READ(idev, dev));
	e->obj_id = BPF_CORE_READ(idev, obj.id);
	e->owner = (__u64)BPF_CORE_READ(idev, ictx);
}

static __always_inline int on_idev(__u16 hook, __u8 fl, struct iommufd_device *idev, void *unused)
{
	struct ia_event *e = ev_new(hook, IA_PH_ENTER, fl);

	if (!e)
		return 0;
	fill_idev(e, idev);
	ev_submit(e);
	return 0;
}

static __always_inline int on_hwpt_idev(__u16 hook, __u8 fl, struct iommufd_hw_pagetable *hwpt,
					struct iommufd_device *idev)
{
	struct ia_event *e = ev_new(hook, IA_PH_ENTER, fl);

	if (!e)
		return 0;
	fill_idev(e, idev);
	fill_domain(e, BPF_CORE_READ(hwpt, domain));
	e->obj_id2 = BPF_CORE_READ(hwpt, obj.id);
	ev_submit(e);
	return 0;
}

/* iommufd_device_bind(ictx, dev, id): ictx becomes the group's owner. */
static __always_inline int on_ictx_dev(__u16 hook, __u8 fl, void *ictx, struct device *dev)
{
	return on_dev_owner(hook, fl, dev, (__u64)ictx);
}

/* iommufd_fops_release(inode, filp): filp->private_data is the context. */
static __always_inline int on_release_file(__u16 hook, __u8 fl, void *inode, struct file *filp)
{
	struct ia_event *e = ev_new(hook, IA_PH_ENTER, fl);

	if (!e)
		return 0;
	e->owner = (__u64)BPF_CORE_READ(filp, private_data);
	ev_submit(e);
	return 0;
}

/* Core PASID calls (domain, dev, pasid, ...): a PASID attachment leaves group->domain alone. */
static __always_inline int on_domain_dev_pasid(__u16 hook, __u8 fl, struct iommu_domain *d,
					       struct device *dev, __u32 pasid)
{
	struct ia_event *e = ev_new(hook, IA_PH_ENTER, fl);

	if (!e)
		return 0;
	fill_domain(e, d);
	fill_dev(e, dev);
	e->pasid = pasid;
	ev_submit(e);
	return 0;
}

/*
 * iommufd_device_attach/_replace(idev, pasid, pt_id) and _detach(idev,
 * pasid) since v6.15 (drivers/iommu/iommufd/device.c); (idev, pt_id) and
 * (idev) before. The loader sets this from the
 * running kernel's BTF; the argument is read only when it is there.
 */
const volatile bool iommufd_pasid_arg = false;

static __always_inline int on_idev_pasid(__u16 hook, __u8 fl, struct iommufd_device *idev,
					 __u32 pasid)
{
	struct ia_event *e = ev_new(hook, IA_PH_ENTER, fl);

	if (!e)
		return 0;
	fill_idev(e, idev);
	e->pasid = pasid;
	ev_submit(e);
	return 0;
}

/*
 * Read inside the branch, from the context itself: the verifier drops the
 * branch the read-only flag rules out, so a fentry program on a kernel
 * without the argument never touches it (kernel/bpf/btf.c: btf_ctx_access()
 * refuses an argument the function does not have).
 */
#define IOMMUFD_PASID_ENTRY(name, hook)                                       \
	SEC("?fentry")                                                        \
	int name##_fentry(unsigned long long *ctx)                            \
	{                                                                     \
		__u32 pasid = 0;                                              \
		if (iommufd_pasid_arg)                                        \
			pasid = (__u32)ctx[1];                                \
		return on_idev_pasid(hook, IA_F_FENTRY, (void *)ctx[0], pasid); \
	}                                                                     \
	SEC("?kprobe")                                                        \
	int BPF_KPROBE(name##_kprobe, struct iommufd_device *idev, __u64 a1)  \
	{                                                                     \
		return on_idev_pasid(hook, 0, idev, iommufd_pasid_arg ? (__u32)a1 : 0); \
	}

/* Entry programs: fentry and kprobe twins. */
#define ENTRY2(name, hook, body, t1, a1, t2, a2)                              \
	SEC("?fentry")                                                        \
	int BPF_PROG(name##_fentry, t1 a1, t2 a2)                             \
	{                                                                     \
		return body(hook, IA_F_FENTRY, a1, a2);                       \
	}                                                                     \
	SEC("?kprobe")                                                        \
	int BPF_KPROBE(name##_kprobe, t1 a1, t2 a2)                           \
	{                                                                     \
		return body(hook, 0, a1, a2);                                 \
	}

/* Three-argument entries use the third only (iommufd_hwpt_paging_alloc's idev). */
#define ENTRY3(name, hook, body, t1, a1, t2, a2, t3, a3)                      \
	SEC("?fentry")                                                        \
	int BPF_PROG(name##_fentry, t1 a1, t2 a2, t3 a3)                      \
	{                                                                     \
		return body(hook, IA_F_FENTRY, a3, a2);                       \
	}                                                                     \
	SEC("?kprobe")                                                        \
	int BPF_KPROBE(name##_kprobe, t1 a1, t2 a2, t3 a3)                    \
	{                                                                     \
		return body(hook, 0, a3, a2);                                 \
	}

/* Three-argument entries that read all three. */
#define ENTRY3A(name, hook, body, t1, a1, t2, a2, t3, a3)                     \
	SEC("?fentry")                                                        \
	int BPF_PROG(name##_fentry, t1 a1, t2 a2, t3 a3)                      \
	{                                                                     \
		return body(hook, IA_F_FENTRY, a1, a2, a3);                   \
	}                                                                     \
	SEC("?kprobe")                                                        \
	int BPF_KPROBE(name##_kprobe, t1 a1, t2 a2, t3 a3)                    \
	{                                                                     \
		return body(hook, 0, a1, a2, a3);                             \
	}

/* Exit programs: fexit and kretprobe twins. */
#define EXIT(name, hook)                                                      \
	SEC("?fexit")                                                         \
	int BPF_PROG(name##_fexit)                                            \
	{                                                                     \
		__u64 ret = 0;                                                \
		bpf_get_func_ret(ctx, &ret);                                  \
		return on_exit(hook, IA_F_FENTRY, (long)ret);                 \
	}                                                                     \
	SEC("?kretprobe")                                                     \
	int BPF_KRETPROBE(name##_kretprobe, long ret)                         \
	{                                                                     \
		return on_exit(hook, 0, ret);                                 \
	}

/* Exit programs whose body reads what the function returned. */
#define EXIT_WITH(name, hook, body)                                           \
	SEC("?fexit")                                                         \
	int BPF_PROG(name##_fexit)                                            \
	{                                                                     \
		__u64 ret = 0;                                                \
		bpf_get_func_ret(ctx, &ret);                                  \
		return body(hook, IA_F_FENTRY, (long)ret);                    \
	}                                                                     \
	SEC("?kretprobe")                                                     \
	int BPF_KRETPROBE(name##_kretprobe, long ret)                         \
	{                                                                     \
		return body(hook, 0, ret);                                    \
	}

#define EXIT_PTR(name, hook) EXIT_WITH(name, hook, on_exit_ptr)

#define on_data_group(hook, fl, data, grp) on_group_owner(hook, fl, grp, 0)
#define on_dev_only(hook, fl, dev, unused) on_dev_owner(hook, fl, dev, 0)
#define on_group_only(hook, fl, grp, unused) on_group_owner(hook, fl, grp, 0)
#define on_group_domain(hook, fl, grp, d) on_domain_group(hook, fl, d, grp)
#define on_dev_owner_p(hook, fl, dev, owner) on_dev_owner(hook, fl, dev, (__u64)owner)
#define on_group_owner_p(hook, fl, grp, owner) on_group_owner(hook, fl, grp, (__u64)owner)

/* driver core: drivers/base/dd.c */
ENTRY2(really_probe, IA_HOOK_REALLY_PROBE, on_dev_drv,
       struct device *, dev, const struct device_driver *, drv)
EXIT(really_probe, IA_HOOK_REALLY_PROBE)
ENTRY2(release_driver, IA_HOOK_RELEASE_DRIVER, on_release,
       struct device *, dev, const struct device_driver *, drv)
EXIT(release_driver, IA_HOOK_RELEASE_DRIVER)

/* attach family: drivers/iommu/iommu.c */
ENTRY2(attach_device, IA_HOOK_ATTACH_DEVICE, on_domain_dev,
       struct iommu_domain *, d, struct device *, dev)
EXIT(attach_device, IA_HOOK_ATTACH_DEVICE)
ENTRY2(detach_device, IA_HOOK_DETACH_DEVICE, on_domain_dev,
       struct iommu_domain *, d, struct device *, dev)
EXIT(detach_device, IA_HOOK_DETACH_DEVICE)
ENTRY2(attach_group, IA_HOOK_ATTACH_GROUP, on_domain_group,
       struct iommu_domain *, d, struct iommu_group *, grp)
EXIT(attach_group, IA_HOOK_ATTACH_GROUP)
ENTRY2(detach_group, IA_HOOK_DETACH_GROUP, on_domain_group,
       struct iommu_domain *, d, struct iommu_group *, grp)
EXIT(detach_group, IA_HOOK_DETACH_GROUP)
/* __iommu_attach_device: the only caller of domain->ops->attach_dev */
ENTRY2(attach_dev_core, IA_HOOK_ATTACH_DEV_CORE, on_domain_dev,
       struct iommu_domain *, d, struct device *, dev)
EXIT(attach_dev_core, IA_HOOK_ATTACH_DEV_CORE)
ENTRY2(set_domain, IA_HOOK_SET_DOMAIN, on_group_domain,
       struct iommu_group *, grp, struct iommu_domain *, d)
EXIT(set_domain, IA_HOOK_SET_DOMAIN)
ENTRY2(attach_handle, IA_HOOK_ATTACH_HANDLE, on_domain_group,
       struct iommu_domain *, d, struct iommu_group *, grp)
EXIT(attach_handle, IA_HOOK_ATTACH_HANDLE)
ENTRY2(replace_handle, IA_HOOK_REPLACE_HANDLE, on_group_domain,
       struct iommu_group *, grp, struct iommu_domain *, d)
EXIT(replace_handle, IA_HOOK_REPLACE_HANDLE)
/* iommufd's detach since v6.11: back to the blocking domain, the group stays owned */
ENTRY2(detach_handle, IA_HOOK_DETACH_HANDLE, on_domain_group,
       struct iommu_domain *, d, struct iommu_group *, grp)
EXIT(detach_handle, IA_HOOK_DETACH_HANDLE)
/* PASID attachments (v6.2+; replace v6.15+): pasid is an ioasid_t (u32) */
ENTRY3A(attach_pasid, IA_HOOK_ATTACH_PASID, on_domain_dev_pasid,
	struct iommu_domain *, d, struct device *, dev, unsigned int, pasid)
EXIT(attach_pasid, IA_HOOK_ATTACH_PASID)
ENTRY3A(replace_pasid, IA_HOOK_REPLACE_PASID, on_domain_dev_pasid,
	struct iommu_domain *, d, struct device *, dev, unsigned int, pasid)
EXIT(replace_pasid, IA_HOOK_REPLACE_PASID)
ENTRY3A(detach_pasid, IA_HOOK_DETACH_PASID, on_domain_dev_pasid,
	struct iommu_domain *, d, struct device *, dev, unsigned int, pasid)
EXIT(detach_pasid, IA_HOOK_DETACH_PASID)

/* DMA ownership API (v5.19+) */
ENTRY2(group_claim, IA_HOOK_GROUP_CLAIM, on_group_owner_p,
       struct iommu_group *, grp, void *, owner)
EXIT(group_claim, IA_HOOK_GROUP_CLAIM)
ENTRY2(group_release, IA_HOOK_GROUP_RELEASE, on_group_only,
       struct iommu_group *, grp, void *, unused)
EXIT(group_release, IA_HOOK_GROUP_RELEASE)
ENTRY2(device_claim, IA_HOOK_DEVICE_CLAIM, on_dev_owner_p,
       struct device *, dev, void *, owner)
EXIT(device_claim, IA_HOOK_DEVICE_CLAIM)
ENTRY2(device_release, IA_HOOK_DEVICE_RELEASE, on_dev_only,
       struct device *, dev, void *, unused)
EXIT(device_release, IA_HOOK_DEVICE_RELEASE)
ENTRY2(use_default, IA_HOOK_USE_DEFAULT, on_dev_only,
       struct device *, dev, void *, unused)
EXIT(use_default, IA_HOOK_USE_DEFAULT)
ENTRY2(unuse_default, IA_HOOK_UNUSE_DEFAULT, on_dev_only,
       struct device *, dev, void *, unused)
EXIT(unuse_default, IA_HOOK_UNUSE_DEFAULT)

/* IOMMU probe (drivers/iommu/iommu.c): -ENODEV when no IOMMU driver takes the device */
ENTRY2(probe_device, IA_HOOK_PROBE_DEVICE, on_dev_only, struct device *, dev, void *, unused)
EXIT(probe_device, IA_HOOK_PROBE_DEVICE)
/* domains: allocation for a device (6.12+) or a bus (older), and free */
ENTRY2(domain_alloc, IA_HOOK_DOMAIN_ALLOC, on_dev_only, struct device *, dev, void *, unused)
EXIT_PTR(domain_alloc, IA_HOOK_DOMAIN_ALLOC)
ENTRY2(domain_alloc_bus, IA_HOOK_DOMAIN_ALLOC_BUS, on_nothing, void *, bus, void *, unused)
EXIT_PTR(domain_alloc_bus, IA_HOOK_DOMAIN_ALLOC_BUS)
ENTRY2(domain_free, IA_HOOK_DOMAIN_FREE, on_domain_only, struct iommu_domain *, d, void *, unused)
EXIT(domain_free, IA_HOOK_DOMAIN_FREE)

/* iommufd: drivers/iommu/iommufd/{device,hw_pagetable,main}.c */
ENTRY2(iommufd_bind, IA_HOOK_IOMMUFD_BIND, on_ictx_dev, void *, ictx, struct device *, dev)
EXIT_PTR(iommufd_bind, IA_HOOK_IOMMUFD_BIND)
ENTRY2(iommufd_unbind, IA_HOOK_IOMMUFD_UNBIND, on_idev, struct iommufd_device *, idev, void *, unused)
EXIT(iommufd_unbind, IA_HOOK_IOMMUFD_UNBIND)
IOMMUFD_PASID_ENTRY(iommufd_attach, IA_HOOK_IOMMUFD_ATTACH)
EXIT(iommufd_attach, IA_HOOK_IOMMUFD_ATTACH)
IOMMUFD_PASID_ENTRY(iommufd_replace, IA_HOOK_IOMMUFD_REPLACE)
EXIT(iommufd_replace, IA_HOOK_IOMMUFD_REPLACE)
IOMMUFD_PASID_ENTRY(iommufd_detach, IA_HOOK_IOMMUFD_DETACH)
EXIT(iommufd_detach, IA_HOOK_IOMMUFD_DETACH)
ENTRY3(hwpt_alloc, IA_HOOK_HWPT_ALLOC, on_idev, void *, ictx, void *, ioas,
       struct iommufd_device *, idev)
EXIT_PTR(hwpt_alloc, IA_HOOK_HWPT_ALLOC)
/*
 * The same hook on 6.4-6.6, where the function is
 * iommufd_hw_pagetable_alloc(ictx, ioas, idev, immediate_attach) (commit
 * 339fbf3ae144, "iommufd: Make iommufd_hw_pagetable_alloc() do
 * iopt_table_add_domain()", v6.4) and returns the struct
 * iommufd_hw_pagetable itself: obj, then ioas, then domain
 * (iommufd_private.h at v6.6). The paging hwpt, with that struct embedded
 * as its "common", came with the rename to iommufd_hwpt_paging_alloc
 * (commit 89db31635c87, "iommufd: Derive iommufd_hwpt_paging from
 * iommufd_hw_pagetable", v6.7). The entry programs above serve both (idev
 * is the third argument in both); the exit has programs of its own, so
 * that neither relocates against a struct the running kernel lacks: the
 * loader loads these only for the old target (hwpt_exit_progs() in
 * src/loader.c), whose prototype check says it returns a
 * struct iommufd_hw_pagetable *.
 */
static __always_inline int on_exit_hwpt(__u16 hook, __u8 fl, long ret)
{
	struct ia_event *e = ev_new(hook, IA_PH_EXIT, fl | IA_F_RET_PTR);
	struct iommufd_hw_pagetable *hwpt = (void *)ret;

	if (!e)
		return 0;
	e->ret = ret;
	if (ret && !IS_ERR_VALUE(ret)) {
		fill_domain(e, BPF_CORE_READ(hwpt, domain));
		e->obj_id2 = BPF_CORE_READ(hwpt, obj.id);
	}
	ev_submit(e);
	return 0;
}
EXIT_WITH(hwpt_alloc_hwpt, IA_HOOK_HWPT_ALLOC, on_exit_hwpt)
ENTRY2(hwpt_attach, IA_HOOK_HWPT_ATTACH, on_hwpt_idev, struct iommufd_hw_pagetable *, hwpt,
       struct iommufd_device *, idev)
EXIT(hwpt_attach, IA_HOOK_HWPT_ATTACH)
ENTRY2(iommufd_release, IA_HOOK_IOMMUFD_RELEASE, on_release_file, void *, inode,
       struct file *, filp)
EXIT(iommufd_release, IA_HOOK_IOMMUFD_RELEASE)

/* VFIO legacy container: drivers/vfio/vfio_iommu_type1.c (a module on most kernels) */
ENTRY2(type1_attach, IA_HOOK_TYPE1_ATTACH, on_data_group, void *, data, struct iommu_group *, grp)
EXIT(type1_attach, IA_HOOK_TYPE1_ATTACH)
ENTRY2(type1_detach, IA_HOOK_TYPE1_DETACH, on_data_group, void *, data, struct iommu_group *, grp)
EXIT(type1_detach, IA_HOOK_TYPE1_DETACH)

/* PCI reset around the IOMMU (7.0+): the pci_dev's embedded struct device */
static __always_inline int on_pdev(__u16 hook, __u8 fl, struct pci_dev *pdev, void *unused)
{
	return on_dev_owner(hook, fl, (struct device *)((char *)pdev +
			    bpf_core_field_offset(struct pci_dev, dev)), 0);
}
ENTRY2(reset_prepare, IA_HOOK_RESET_PREPARE, on_pdev, struct pci_dev *, pdev, void *, unused)
EXIT(reset_prepare, IA_HOOK_RESET_PREPARE)
ENTRY2(reset_done, IA_HOOK_RESET_DONE, on_pdev, struct pci_dev *, pdev, void *, unused)
EXIT(reset_done, IA_HOOK_RESET_DONE)

/*
 * iommufd objects since 6.13 (drivers/iommu/iommufd/viommu.c, eventq.c of
 * 7.3). Their structs are absent from older kernels' BTF, and a CO-RE
 * relocation against a struct the kernel lacks makes libbpf search module
 * BTF, which needs CAP_SYS_ADMIN: so the loader reads the kinds' values in
 * enum iommufd_object_type (they move between kernels) and the members'
 * offsets from the running kernel's BTF, -1 where absent.
 */
const volatile __s32 obj_types[IA_OBJ_MAX] = { -1, -1, -1, -1, -1, -1 };
const volatile __s32 off_viommu_hwpt = -1;	/* struct iommufd_viommu.hwpt */
const volatile __s32 off_vdevice_viommu = -1;	/* struct iommufd_vdevice.viommu */
const volatile __s32 off_vdevice_idev = -1;	/* struct iommufd_vdevice.idev */
const volatile __s32 off_veventq_viommu = -1;	/* struct iommufd_veventq.viommu */
const volatile __s32 off_hw_queue_viommu = -1;	/* struct iommufd_hw_queue.viommu */

static __always_inline __u32 obj_kind(__u32 type)
{
	for (__u32 k = 1; k < IA_OBJ_MAX; k++)
		if (obj_types[k] >= 0 && type == (__u32)obj_types[k])
			return k;
	return IA_OBJ_NONE;
}

/* The pointer at byte offset off of obj, NULL when the kernel has no such member. */
static __always_inline void *member_ptr(void *obj, __s32 off)
{
	void *p = NULL;

	if (off >= 0)
		bpf_probe_read_kernel(&p, sizeof(p), (char *)obj + off);
	return p;
}

/* Every iommufd object starts with its struct iommufd_object (iommufd_private.h). */
static __always_inline __u32 obj_id(void *obj)
{
	return obj ? BPF_CORE_READ((struct iommufd_object *)obj, id) : 0;
}

/* iommufd_object_finalize(ictx, obj): the objects no other hook shows, linked. */
static __always_inline int on_finalize(__u16 hook, __u8 fl, void *ictx, struct iommufd_object *obj)
{
	__u32 kind = obj_kind(BPF_CORE_READ(obj, type));
	struct iommufd_device *idev;
	struct ia_event *e;

	if (kind == IA_OBJ_NONE)
		return 0;
	e = ev_new(hook, IA_PH_FIRE, fl); /* a function's single record, as --trace-maps' are */
	if (!e)
		return 0;
	e->owner = (__u64)ictx;
	e->obj_id = BPF_CORE_READ(obj, id);
	e->arg[0] = kind;
	if (kind == IA_OBJ_VIOMMU) {
		/* a struct iommufd_hwpt_paging *, its struct iommufd_object first too */
		e->arg[1] = obj_id(member_ptr(obj, off_viommu_hwpt));
	} else if (kind == IA_OBJ_VDEVICE) {
		e->arg[1] = obj_id(member_ptr(obj, off_vdevice_viommu));
		idev = member_ptr(obj, off_vdevice_idev);
		if (idev) {
			fill_dev(e, BPF_CORE_READ(idev, dev));
			e->arg[2] = BPF_CORE_READ(idev, obj.id);
		}
	} else if (kind == IA_OBJ_VEVENTQ) {
		e->arg[1] = obj_id(member_ptr(obj, off_veventq_viommu));
	} else if (kind == IA_OBJ_HW_QUEUE) {
		e->arg[1] = obj_id(member_ptr(obj, off_hw_queue_viommu));
	}
	ev_submit(e);
	return 0;
}

/* iommufd_object_remove(ictx, to_destroy, id, flags): the id, or to_destroy's. */
static __always_inline int on_obj_remove(__u16 hook, __u8 fl, void *ictx, struct iommufd_object *obj,
					 __u32 id)
{
	struct ia_event *e = ev_new(hook, IA_PH_ENTER, fl);

	if (!e)
		return 0;
	e->owner = (__u64)ictx;
	e->obj_id = obj ? BPF_CORE_READ(obj, id) : id;
	ev_submit(e);
	return 0;
}

/* A function whose exit says nothing: its entry's record stands alone. */
#define EXIT_NONE(name)                                                       \
	SEC("?fexit")                                                         \
	int BPF_PROG(name##_fexit)                                            \
	{                                                                     \
		return 0;                                                     \
	}                                                                     \
	SEC("?kretprobe")                                                     \
	int BPF_KRETPROBE(name##_kretprobe, long ret)                         \
	{                                                                     \
		return 0;                                                     \
	}

ENTRY2(obj_finalize, IA_HOOK_OBJ_FINALIZE, on_finalize, void *, ictx, struct iommufd_object *, obj)
EXIT_NONE(obj_finalize)
ENTRY3A(obj_remove, IA_HOOK_OBJ_REMOVE, on_obj_remove, void *, ictx, struct iommufd_object *, obj,
	unsigned int, id)
EXIT(obj_remove, IA_HOOK_OBJ_REMOVE)

/* IOAS map/unmap: the kernel's copy of the user's command (ucmd->cmd). */
static __always_inline int on_ioas(__u16 hook, __u8 fl, struct iommufd_ucmd *ucmd, void *unused)
{
	struct ia_event *e = ev_new(hook, IA_PH_ENTER, fl);
	void *cmd = BPF_CORE_READ(ucmd, cmd);

	if (!e)
		return 0;
	e->owner = (__u64)BPF_CORE_READ(ucmd, ictx);
	if (hook == IA_HOOK_IOAS_MAP) {
		struct iommu_ioas_map *m = cmd;

		e->arg[0] = BPF_CORE_READ(m, iova);
		e->arg[1] = BPF_CORE_READ(m, length);
		e->arg[2] = BPF_CORE_READ(m, ioas_id);
	} else {
		struct iommu_ioas_unmap *u = cmd;

		e->arg[0] = BPF_CORE_READ(u, iova);
		e->arg[1] = BPF_CORE_READ(u, length);
		e->arg[2] = BPF_CORE_READ(u, ioas_id);
	}
	ev_submit(e);
	return 0;
}

static __always_inline int on_object(__u16 hook, __u8 fl, struct iommufd_object *obj, void *unused)
{
	struct ia_event *e = ev_new(hook, IA_PH_ENTER, fl);

	if (!e)
		return 0;
	e->obj_id2 = BPF_CORE_READ(obj, id);
	ev_submit(e);
	return 0;
}

ENTRY2(ioas_map, IA_HOOK_IOAS_MAP, on_ioas, struct iommufd_ucmd *, ucmd, void *, unused)
EXIT(ioas_map, IA_HOOK_IOAS_MAP)
ENTRY2(ioas_unmap, IA_HOOK_IOAS_UNMAP, on_ioas, struct iommufd_ucmd *, ucmd, void *, unused)
EXIT(ioas_unmap, IA_HOOK_IOAS_UNMAP)
/*
 * iommufd_hwpt_paging_destroy(obj) on 6.7+, iommufd_hw_pagetable_destroy(obj)
 * on 6.2-6.6 (renamed by commit 89db31635c87): the object's id, from the
 * struct iommufd_object both kernels pass.
 */
ENTRY2(hwpt_destroy, IA_HOOK_HWPT_DESTROY, on_object, struct iommufd_object *, obj, void *, unused)
EXIT(hwpt_destroy, IA_HOOK_HWPT_DESTROY)

/*
 * Map/unmap latency, aggregated here: a per-thread start stamp at entry,
 * a per-CPU log2 histogram per (domain, operation) at exit. No ring buffer
 * record per call: the DMA API maps through these on every DMA mapping of a
 * translated device (drivers/iommu/dma-iommu.c: __iommu_dma_map() calls
 * iommu_map(), __iommu_dma_unmap() iommu_unmap_fast(), iommu_dma_map_sg()
 * iommu_map_sg()).
 */
struct hist_start_key {
	__u32 tid;
	__u32 op;
};

/* What an entry leaves for its exit in hist_starts. */
struct hist_start {
	__u64 ts;
	union {
		__u64 domain;	/* map/unmap: the domain */
		__u64 ioctl_cmd; /* IOCTL_OP: the iommufd command */
	};
	__u64 size;
	__u64 iova;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, struct hist_start_key);
	__type(value, struct hist_start);
} hist_starts SEC(".maps");

/*
 * Live domains only: user space takes a freed domain's entries out. Keys
 * carry the epoch of the call (hk_epoch), so that it takes an entry only
 * once no program can still be adding to it (src/retire.c). Sized, and made non-preallocated where the kernel allows it in
 * tracing programs (v6.1, commit 96da3f7d489d), by user space before load.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64); /* ia_hist_kkey(domain, op): half the bytes to hash and compare */
	__type(value, struct ia_hist);
} hists SEC(".maps");

/*
 * Calls whose domain got no entry in hists (full, or an allocation the
 * kernel refused: non-preallocated entries can fail under churn) are
 * counted here per operation, so totals stay exact; user space shows them
 * under group "unknown" (and map_full.hists says how many).
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, IA_OP_MAX);
	__type(key, __u32);
	__type(value, struct ia_hist);
} hists_overflow SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct ia_fault_key);
	__type(value, __u64);
} faults SEC(".maps");

const struct ia_hist hist_zero = {};

/*
 * 0 or IA_HK_EPOCH, added to every hists key. User space flips it, then
 * waits for every program running to return (an update of a map-in-map
 * waits for an RCU grace period: kernel/bpf/syscall.c
 * maybe_wait_bpf_programs, commit 1ae80cf31938); after that no program
 * holds a pointer into an entry of the old epoch, and a freed domain's
 * entries there can be taken out without losing a call counted into them
 * meanwhile (its address reused by a new domain at once).
 */
__u64 hk_epoch = 0;

/*
 * The key of a (domain, operation) histogram in the current epoch; the
 * mask bounds what is added to an fexit's domain pointer, which the
 * verifier requires ("math between ptr_ pointer and register with
 * unbounded min value").
 */
static __always_inline __u64 hist_key(__u64 kkey)
{
	return kkey + (*(volatile __u64 *)&hk_epoch & IA_HK_EPOCH);
}

static __always_inline __u32 log2_32(__u32 v)
{
	__u32 r, shift;

	r = (v > 0xFFFF) << 4;
	v >>= r;
	shift = (v > 0xFF) << 3;
	v >>= shift;
	r |= shift;
	shift = (v > 0xF) << 2;
	v >>= shift;
	r |= shift;
	shift = (v > 0x3) << 1;
	v >>= shift;
	r |= shift;
	r |= (v >> 1);
	return r;
}

static __always_inline __u32 log2_64(__u64 v)
{
	__u32 hi = v >> 32;

	return hi ? log2_32(hi) + 32 : log2_32((__u32)v);
}

static __always_inline int hist_enter(__u32 op, struct iommu_domain *d, __u64 iova, __u64 size)
{
	struct hist_start_key k = { .tid = (__u32)bpf_get_current_pid_tgid(), .op = op };
	struct hist_start v = { .ts = bpf_ktime_get_ns(), .domain = (__u64)d, .size = size,
				.iova = iova };

	if (!ready)
		return 0;
	if (bpf_map_update_elem(&hist_starts, &k, &v, BPF_ANY))
		__sync_fetch_and_add(&map_full.hist_starts, 1);
	return 0;
}

/*
 * The key's histogram in a map of them (hists), created empty on
 * first use; NULL (counted in *full) when the map has no room for it.
 */
static __always_inline struct ia_hist *hist_slot(void *map, const void *key, __u64 *full)
{
	struct ia_hist *h = bpf_map_lookup_elem(map, key);

	if (h)
		return h;
	bpf_map_update_elem(map, key, &hist_zero, BPF_NOEXIST); /* -EEXIST: another CPU made it */
	h = bpf_map_lookup_elem(map, key);
	if (!h)
		__sync_fetch_and_add(full, 1);
	return h;
}

static __always_inline void hist_account(struct ia_hist *h, __u64 delta, bool err, __u64 bytes)
{
	__u32 b = log2_64(delta);

	if (b >= IA_HIST_BUCKETS)
		b = IA_HIST_BUCKETS - 1;
	/*
	 * The 6.1 verifier loses the clamp once the compiler has rewritten it
	 * ("R2 unbounded memory access"): mask it again where it cannot see.
	 */
	asm volatile("" : "+r"(b));
	b &= IA_HIST_BUCKETS - 1;
	h->buckets[b]++;
	h->sum_ns += delta;
	if (delta > h->max_ns)
		h->max_ns = delta;
	h->calls++;
	if (err)
		h->errors++;
	else
		h->bytes += bytes;
}

/* --trace-maps: one record per map/unmap call, at its exit (see enum ia_hook). */
const volatile bool trace_maps = false;

static __always_inline void map_record(__u16 hook, __u8 fl, const struct hist_start *s,
				       __u64 delta, long ret)
{
	struct ia_event *e = ev_new(hook, IA_PH_FIRE, fl);

	if (!e)
		return;
	e->flags |= IA_F_HAVE_DOM;
	e->domain = s->domain;
	e->domain_type = IA_NO_TYPE;
	e->ret = ret;
	e->arg[0] = s->iova;
	e->arg[1] = s->size;
	e->arg[2] = delta;
	ev_submit(e);
}

/* ret_bytes: the function returns the bytes it (un)mapped, else 0 or -errno. */
static __always_inline int hist_exit(__u32 op, __u16 hook, __u8 fl, long ret, bool ret_bytes)
{
	struct hist_start_key k = { .tid = (__u32)bpf_get_current_pid_tgid(), .op = op };
	struct hist_start *s = bpf_map_lookup_elem(&hist_starts, &k);
	struct hist_start start;
	struct ia_hist *h;
	__u64 delta, hk;
	bool err;

	if (!s) {
		__sync_fetch_and_add(&map_full.unstarted, 1);
		return 0;
	}
	delta = bpf_ktime_get_ns() - s->ts;
	start = *s;
	bpf_map_delete_elem(&hist_starts, &k);
	hk = hist_key(ia_hist_kkey(start.domain, op));
	err = ret_bytes ? ret <= 0 : ret != 0;
	h = hist_slot(&hists, &hk, &map_full.hists);
	if (!h)
		h = bpf_map_lookup_elem(&hists_overflow, &op);
	if (h)
		hist_account(h, delta, err, ret_bytes ? (__u64)ret : start.size);
	if (trace_maps)
		map_record(hook, fl, &start, delta, ret);
	return 0;
}

/*
 * The fentry/fexit path (5.17+: bpf_get_func_ret): the entry stamps the
 * time in the task's own storage, one slot per operation, where the exit
 * finds it without a hash lookup or a bucket lock; the exit reads the
 * domain, iova and size from its own context (fexit sees the arguments),
 * so nothing else is stashed. Two map operations per call instead of four
 * (hist_starts: update at entry; lookup and delete at exit), plus the
 * histogram's. The kprobe path keeps hist_starts: a kretprobe sees no
 * arguments. Created where the kernel has task storage (5.11+); else
 * user space leaves it out and the fexit programs are never loaded.
 */
struct task_stamps {
	__u64 ts[IA_OP_MAX];
	__u64 ioctl_ts;	/* iommufd_fops_ioctl's entry */
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct task_stamps);
} stamps SEC(".maps");

static __always_inline int fast_enter(__u32 op)
{
	struct task_stamps *t;

	if (!ready)
		return 0;
	t = bpf_task_storage_get(&stamps, bpf_get_current_task_btf(), 0,
				 BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!t) {
		__sync_fetch_and_add(&map_full.hist_starts, 1);
		return 0;
	}
	t->ts[op & (IA_OP_MAX - 1)] = bpf_ktime_get_ns();
	return 0;
}

static __always_inline int fast_exit(__u32 op, __u16 hook, struct iommu_domain *d, __u64 iova,
				     __u64 size, long ret, bool ret_bytes)
{
	struct task_stamps *t = bpf_task_storage_get(&stamps, bpf_get_current_task_btf(), 0, 0);
	__u64 hk = hist_key(ia_hist_kkey((__u64)d, op));
	struct hist_start start;
	struct ia_hist *h;
	__u64 ts, delta;
	bool err;

	ts = t ? t->ts[op & (IA_OP_MAX - 1)] : 0;
	if (!ts) {
		__sync_fetch_and_add(&map_full.unstarted, 1);
		return 0;
	}
	t->ts[op & (IA_OP_MAX - 1)] = 0;
	delta = bpf_ktime_get_ns() - ts;
	err = ret_bytes ? ret <= 0 : ret != 0;
	h = hist_slot(&hists, &hk, &map_full.hists);
	if (!h)
		h = bpf_map_lookup_elem(&hists_overflow, &op);
	if (h)
		hist_account(h, delta, err, ret_bytes ? (__u64)ret : size);
	if (trace_maps) {
		start = (struct hist_start){ .ts = ts, .domain = (__u64)d, .size = size, .iova = iova };
		map_record(hook, IA_F_FENTRY, &start, delta, ret);
	}
	return 0;
}

/* SIZE: the size argument's expression over a2 and a3 (0: map_sg, whose size is its return) */
#define HIST_HOOK(name, op, hook, ret_bytes, SIZE)                            \
	SEC("?fentry")                                                        \
	int BPF_PROG(name##_fentry)                                           \
	{                                                                     \
		return fast_enter(op);                                        \
	}                                                                     \
	SEC("?kprobe")                                                        \
	int BPF_KPROBE(name##_kprobe, struct iommu_domain *d, unsigned long iova, __u64 a2, __u64 a3) \
	{                                                                     \
		return hist_enter(op, d, iova, SIZE);                         \
	}                                                                     \
	SEC("?fexit")                                                         \
	int BPF_PROG(name##_fexit, struct iommu_domain *d, unsigned long iova, __u64 a2, __u64 a3) \
	{                                                                     \
		__u64 ret = 0;                                                \
		bpf_get_func_ret(ctx, &ret);                                  \
		return fast_exit(op, hook, d, iova, SIZE,                     \
				 ret_bytes ? (long)ret : (int)ret, ret_bytes); \
	}                                                                     \
	SEC("?kretprobe")                                                     \
	int BPF_KRETPROBE(name##_kretprobe, long ret)                         \
	{                                                                     \
		return hist_exit(op, hook, 0, ret_bytes ? ret : (int)ret, ret_bytes); \
	}

/* iommu_map(domain, iova, paddr, size, ...); iommu_unmap(domain, iova, size) */
HIST_HOOK(map, IA_OP_MAP, IA_HOOK_MAP, false, a3)
HIST_HOOK(unmap, IA_OP_UNMAP, IA_HOOK_UNMAP, true, a2)
HIST_HOOK(map_sg, IA_OP_MAP_SG, IA_HOOK_MAP_SG, true, 0)
HIST_HOOK(unmap_fast, IA_OP_UNMAP_FAST, IA_HOOK_UNMAP_FAST, true, a2)

/*
 * iommufd's ioctl (drivers/iommu/iommufd/main.c): every command is counted
 * and timed here, per command number. A record per call is streamed for
 * the commands that change objects; the data path (IOAS_MAP, IOAS_UNMAP,
 * IOAS_COPY: thousands a second under a VMM) only when trace_ioctls is set.
 */
const volatile bool trace_ioctls = false;

#define IOCTL_OP 0x100 /* hist_starts key space of the ioctl (not an enum ia_hist_op) */

/*
 * Indexed by command number (no hash to compute, no bucket to walk): iommufd's
 * commands (IOMMUFD_CMD_BASE 0x80 up to IOMMUFD_TEST_CMD 0xa0,
 * include/uapi/linux/iommufd.h, drivers/iommu/iommufd/iommufd_test.h) and
 * VFIO's container commands that its compat answers (VFIO_BASE 100,
 * include/uapi/linux/vfio.h) all fall in [IA_IOCTL_NR_BASE,
 * IA_IOCTL_NR_BASE + IA_IOCTL_SLOTS); a number outside is counted in
 * map_full.ioctls.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, IA_IOCTL_SLOTS);
	__type(key, __u32); /* _IOC_NR(cmd) - IA_IOCTL_NR_BASE */
	__type(value, struct ia_hist);
} ioctls SEC(".maps");

static __always_inline bool ioctl_streams(__u32 cmd)
{
	__u32 nr = cmd & 0xff;

	return trace_ioctls || (nr != 0x83 && nr != 0x85 && nr != 0x86);
}

/*
 * The ioctl's start: in the task's storage on the fentry path (its fexit
 * sees cmd again), in hist_starts with the command on the kprobe path.
 */
static __always_inline void ioctl_stamp(bool fast, unsigned int cmd)
{
	struct hist_start_key k = { .op = IOCTL_OP };
	struct hist_start v = { .ioctl_cmd = cmd };
	struct task_stamps *t;

	/* the fast path reads no pid: a helper call the compiler cannot drop */
	if (fast) {
		t = bpf_task_storage_get(&stamps, bpf_get_current_task_btf(), 0,
					 BPF_LOCAL_STORAGE_GET_F_CREATE);
		if (t)
			t->ioctl_ts = bpf_ktime_get_ns();
		else
			__sync_fetch_and_add(&map_full.hist_starts, 1);
		return;
	}
	k.tid = (__u32)bpf_get_current_pid_tgid();
	v.ts = bpf_ktime_get_ns();
	if (bpf_map_update_elem(&hist_starts, &k, &v, BPF_ANY))
		__sync_fetch_and_add(&map_full.hist_starts, 1);
}

/* The ioctl's start time (and, on the kprobe path, its command), 0 when not stamped. */
static __always_inline __u64 ioctl_started(bool fast, unsigned int *cmd)
{
	struct hist_start_key k = { .op = IOCTL_OP };
	struct task_stamps *t;
	struct hist_start *s;
	__u64 ts = 0;

	if (fast) {
		t = bpf_task_storage_get(&stamps, bpf_get_current_task_btf(), 0, 0);
		if (t) {
			ts = t->ioctl_ts;
			t->ioctl_ts = 0;
		}
		return ts;
	}
	k.tid = (__u32)bpf_get_current_pid_tgid();
	s = bpf_map_lookup_elem(&hist_starts, &k);
	if (!s)
		return 0;
	ts = s->ts;
	*cmd = (__u32)s->ioctl_cmd;
	bpf_map_delete_elem(&hist_starts, &k);
	return ts;
}

static __always_inline int on_ioctl(__u16 hook, __u8 fl, struct file *filp, unsigned int cmd)
{
	struct ia_event *e;

	if (!ready)
		return 0;
	ioctl_stamp(fl & IA_F_FENTRY, cmd);
	if (!ioctl_streams(cmd))
		return 0;
	e = ev_new(hook, IA_PH_ENTER, fl);
	if (!e)
		return 0;
	e->owner = (__u64)BPF_CORE_READ(filp, private_data);
	e->arg[0] = cmd;
	ev_submit(e);
	return 0;
}

/* cmd: the fexit's own argument; the kprobe path finds it in hist_starts. */
static __always_inline int on_ioctl_exit(__u16 hook, __u8 fl, long ret, unsigned int cmd)
{
	__u64 ts = ioctl_started(fl & IA_F_FENTRY, &cmd);
	struct ia_hist *h;
	__u32 slot;

	if (!ts) {
		__sync_fetch_and_add(&map_full.unstarted, 1);
		return on_exit(hook, fl, ret); /* entered before we were ready: unpaired */
	}
	slot = (cmd & 0xff) - IA_IOCTL_NR_BASE; /* below the base: wraps, out of range */
	h = slot < IA_IOCTL_SLOTS ? bpf_map_lookup_elem(&ioctls, &slot) : NULL;
	if (!h)
		__sync_fetch_and_add(&map_full.ioctls, 1);
	/* an error is negative: VFIO_CHECK_EXTENSION answers 1 through iommufd's VFIO compat */
	if (h)
		hist_account(h, bpf_ktime_get_ns() - ts, (int)ret < 0, 0);
	if (!ioctl_streams(cmd))
		return 0;
	return on_exit(hook, fl, ret);
}

SEC("?fentry")
int BPF_PROG(iommufd_ioctl_fentry, struct file *filp, unsigned int cmd)
{
	return on_ioctl(IA_HOOK_IOMMUFD_IOCTL, IA_F_FENTRY, filp, cmd);
}

SEC("?kprobe")
int BPF_KPROBE(iommufd_ioctl_kprobe, struct file *filp, unsigned int cmd)
{
	return on_ioctl(IA_HOOK_IOMMUFD_IOCTL, 0, filp, cmd);
}

SEC("?fexit")
int BPF_PROG(iommufd_ioctl_fexit, struct file *filp, unsigned int cmd)
{
	__u64 ret = 0;

	bpf_get_func_ret(ctx, &ret);
	return on_ioctl_exit(IA_HOOK_IOMMUFD_IOCTL, IA_F_FENTRY, (long)ret, cmd);
}

SEC("?kretprobe")
int BPF_KRETPROBE(iommufd_ioctl_kretprobe, long ret)
{
	return on_ioctl_exit(IA_HOOK_IOMMUFD_IOCTL, 0, ret, 0);
}

static __always_inline int count_fault(const char *name_src, bool kernel_ptr)
{
	struct ia_fault_key k = {};
	__u64 one = 1, *n;

	if (!ready)
		return 0;
	bpf_probe_read_kernel_str(k.dev_name, sizeof(k.dev_name), name_src);
	n = bpf_map_lookup_elem(&faults, &k);
	if (!n) {
		if (!bpf_map_update_elem(&faults, &k, &one, BPF_NOEXIST))
			return 0;
		n = bpf_map_lookup_elem(&faults, &k); /* another CPU added it meanwhile */
		if (!n) {
			__sync_fetch_and_add(&map_full.faults, 1);
			return 0;
		}
	}
	__sync_fetch_and_add(n, 1);
	return 0;
}

SEC("?tp_btf/io_page_fault")
int BPF_PROG(tp_page_fault_btf, struct device *dev, unsigned long iova, int flags)
{
	return count_fault(BPF_CORE_READ(dev, kobj.name), true);
}

SEC("?tracepoint/iommu/io_page_fault")
int tp_page_fault_tp(struct trace_event_raw_iommu_error *ctx)
{
	return count_fault((void *)ctx + (ctx->__data_loc_device & 0xffff), false);
}

/*
 * iommu:* tracepoints (include/trace/events/iommu.h). tp_btf where BPF
 * tracing programs load; classic tracepoints otherwise (they carry the
 * device name, not the pointer).
 */
static __always_inline int on_tp_dev(__u16 hook, __u8 fl, int gid, struct device *dev)
{
	struct ia_event *e = ev_new(hook, IA_PH_FIRE, fl);

	if (!e)
		return 0;
	e->type = IA_REC_TP;
	fill_dev(e, dev);
	if (gid >= 0)
		e->group_id = gid;
	ev_submit(e);
	return 0;
}

static __always_inline int on_tp_name(__u16 hook, int gid, void *ctx, __u32 data_loc)
{
	struct ia_event *e = ev_new(hook, IA_PH_FIRE, 0);

	if (!e)
		return 0;
	e->type = IA_REC_TP;
	e->flags |= IA_F_HAVE_DEV;
	e->group_id = gid;
	/* __data_loc: low 16 bits offset from the record start, high 16 length */
	bpf_probe_read_kernel_str(e->dev_name, sizeof(e->dev_name), ctx + (data_loc & 0xffff));
	ev_submit(e);
	return 0;
}

SEC("?tp_btf/add_device_to_group")
int BPF_PROG(tp_add_group_btf, int gid, struct device *dev)
{
	return on_tp_dev(IA_HOOK_TP_ADD_GROUP, IA_F_FENTRY, gid, dev);
}

SEC("?tp_btf/remove_device_from_group")
int BPF_PROG(tp_remove_group_btf, int gid, struct device *dev)
{
	return on_tp_dev(IA_HOOK_TP_REMOVE_GROUP, IA_F_FENTRY, gid, dev);
}

SEC("?tp_btf/attach_device_to_domain")
int BPF_PROG(tp_attach_btf, struct device *dev)
{
	return on_tp_dev(IA_HOOK_TP_ATTACH, IA_F_FENTRY, IA_NO_GROUP, dev);
}

SEC("?tracepoint/iommu/add_device_to_group")
int tp_add_group_tp(struct trace_event_raw_iommu_group_event *ctx)
{
	return on_tp_name(IA_HOOK_TP_ADD_GROUP, ctx->gid, ctx, ctx->__data_loc_device);
}

SEC("?tracepoint/iommu/remove_device_from_group")
int tp_remove_group_tp(struct trace_event_raw_iommu_group_event *ctx)
{
	return on_tp_name(IA_HOOK_TP_REMOVE_GROUP, ctx->gid, ctx, ctx->__data_loc_device);
}

SEC("?tracepoint/iommu/attach_device_to_domain")
int tp_attach_tp(struct trace_event_raw_iommu_device_event *ctx)
{
	return on_tp_name(IA_HOOK_TP_ATTACH, IA_NO_GROUP, ctx, ctx->__data_loc_device);
}
