/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Kernel differences the probes must survive, resolved by CO-RE at load time
 * against the running kernel's BTF (never by version number).
 */
#ifndef IA_CORE_FIXES_BPF_H
#define IA_CORE_FIXES_BPF_H

#include <bpf/bpf_core_read.h>

/*
 * struct iommu_group is private to drivers/iommu/iommu.c but present in
 * vmlinux BTF. owner and owner_cnt arrived with the DMA ownership API
 * (v5.19, commit 1ea2a07a532b "iommu: Add DMA ownership management
 * interfaces"); older kernels track viability in VFIO instead.
 */
struct iommu_group___own {
	unsigned int owner_cnt;
	void *owner;
} __attribute__((preserve_access_index));

static __always_inline bool group_has_owner(struct iommu_group *grp)
{
	return bpf_core_field_exists(((struct iommu_group___own *)grp)->owner_cnt);
}

static __always_inline __u32 group_owner_cnt(struct iommu_group *grp)
{
	return BPF_CORE_READ((struct iommu_group___own *)grp, owner_cnt);
}

static __always_inline __u64 group_owner(struct iommu_group *grp)
{
	return (__u64)BPF_CORE_READ((struct iommu_group___own *)grp, owner);
}

/*
 * domain->owner, the iommu_ops that allocated the domain, arrived in v6.12
 * (commit 4e1e8b7f2db5 "iommu: Add ops->domain_alloc_paging_flags()" series
 * era; checked by __iommu_attach_group against the device's ops).
 */
struct iommu_domain___owner {
	const struct iommu_ops *owner;
} __attribute__((preserve_access_index));

static __always_inline __u64 domain_owner(struct iommu_domain *d)
{
	if (!bpf_core_field_exists(((struct iommu_domain___owner *)d)->owner))
		return 0;
	return (__u64)BPF_CORE_READ((struct iommu_domain___owner *)d, owner);
}

/* The IOMMU driver serving a device: dev->iommu->iommu_dev->ops. */
static __always_inline __u64 device_iommu_ops(struct device *dev)
{
	struct dev_iommu *di = BPF_CORE_READ(dev, iommu);

	if (!di || !bpf_core_field_exists(di->iommu_dev))
		return 0;
	return (__u64)BPF_CORE_READ(di, iommu_dev, ops);
}

/* The first device of a group (group->devices, struct group_device). */
static __always_inline struct device *group_first_dev(struct iommu_group *grp)
{
	struct list_head *head = &grp->devices, *n = BPF_CORE_READ(grp, devices.next);
	struct group_device *gd;

	if (!n || n == head)
		return NULL;
	gd = (void *)n - bpf_core_field_offset(struct group_device, list);
	return BPF_CORE_READ(gd, dev);
}

#endif /* IA_CORE_FIXES_BPF_H */
