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

#endif /* IA_CORE_FIXES_BPF_H */
