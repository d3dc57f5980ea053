// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include "hooks.h"

/*
 * Targets, by kernel (kernel-notes §2): the set-domain path is
 * __iommu_group_set_domain_internal on 6.6+ and __iommu_group_set_domain on
 * 6.1-6.5 (where Debian's 6.1 build may inline it); group replacement is
 * iommu_replace_group_handle on 6.12+ and iommu_group_replace_domain on 6.6.
 */
static const struct ia_hook_info hooks[IA_HOOK_MAX] = {
	[IA_HOOK_REALLY_PROBE] = { IA_HOOK_REALLY_PROBE, "really_probe", IA_KIND_CALL, false, true,
				   { "really_probe" } },
	[IA_HOOK_RELEASE_DRIVER] = { IA_HOOK_RELEASE_DRIVER, "release_driver", IA_KIND_CALL, true, true,
				     { "device_release_driver_internal" } },
	[IA_HOOK_ATTACH_DEVICE] = { IA_HOOK_ATTACH_DEVICE, "attach_device", IA_KIND_CALL, false, false,
				    { "iommu_attach_device" } },
	[IA_HOOK_DETACH_DEVICE] = { IA_HOOK_DETACH_DEVICE, "detach_device", IA_KIND_CALL, true, false,
				    { "iommu_detach_device" } },
	[IA_HOOK_ATTACH_GROUP] = { IA_HOOK_ATTACH_GROUP, "attach_group", IA_KIND_CALL, false, false,
				   { "iommu_attach_group" } },
	[IA_HOOK_DETACH_GROUP] = { IA_HOOK_DETACH_GROUP, "detach_group", IA_KIND_CALL, true, false,
				   { "iommu_detach_group" } },
	[IA_HOOK_ATTACH_DEV_CORE] = { IA_HOOK_ATTACH_DEV_CORE, "attach_dev_core", IA_KIND_CALL, false, false,
				      { "__iommu_attach_device" } },
	[IA_HOOK_SET_DOMAIN] = { IA_HOOK_SET_DOMAIN, "set_domain", IA_KIND_CALL, false, false,
				 { "__iommu_group_set_domain_internal", "__iommu_group_set_domain" } },
	[IA_HOOK_ATTACH_HANDLE] = { IA_HOOK_ATTACH_HANDLE, "attach_handle", IA_KIND_CALL, false, false,
				    { "iommu_attach_group_handle" } },
	[IA_HOOK_REPLACE_HANDLE] = { IA_HOOK_REPLACE_HANDLE, "replace_handle", IA_KIND_CALL, false, false,
				     { "iommu_replace_group_handle", "iommu_group_replace_domain" } },
	[IA_HOOK_GROUP_CLAIM] = { IA_HOOK_GROUP_CLAIM, "group_claim", IA_KIND_CALL, false, false,
				  { "iommu_group_claim_dma_owner" } },
	[IA_HOOK_GROUP_RELEASE] = { IA_HOOK_GROUP_RELEASE, "group_release", IA_KIND_CALL, true, false,
				    { "iommu_group_release_dma_owner" } },
	[IA_HOOK_DEVICE_CLAIM] = { IA_HOOK_DEVICE_CLAIM, "device_claim", IA_KIND_CALL, false, false,
				   { "iommu_device_claim_dma_owner" } },
	[IA_HOOK_DEVICE_RELEASE] = { IA_HOOK_DEVICE_RELEASE, "device_release", IA_KIND_CALL, true, false,
				     { "iommu_device_release_dma_owner" } },
	[IA_HOOK_USE_DEFAULT] = { IA_HOOK_USE_DEFAULT, "use_default", IA_KIND_CALL, false, false,
				  { "iommu_device_use_default_domain" } },
	[IA_HOOK_UNUSE_DEFAULT] = { IA_HOOK_UNUSE_DEFAULT, "unuse_default", IA_KIND_CALL, true, false,
				    { "iommu_device_unuse_default_domain" } },
	[IA_HOOK_TP_ADD_GROUP] = { IA_HOOK_TP_ADD_GROUP, "tp_add_group", IA_KIND_TRACEPOINT, true, false,
				   { "iommu/add_device_to_group" } },
	[IA_HOOK_TP_REMOVE_GROUP] = { IA_HOOK_TP_REMOVE_GROUP, "tp_remove_group", IA_KIND_TRACEPOINT, true, false,
				      { "iommu/remove_device_from_group" } },
	[IA_HOOK_TP_ATTACH] = { IA_HOOK_TP_ATTACH, "tp_attach", IA_KIND_TRACEPOINT, true, false,
				{ "iommu/attach_device_to_domain" } },
	[IA_HOOK_PROBE_DEVICE] = { IA_HOOK_PROBE_DEVICE, "probe_device", IA_KIND_CALL, false, false,
				   { "iommu_probe_device" } },
	/* 6.18 inlines iommu_paging_domain_alloc into the _flags variant */
	[IA_HOOK_DOMAIN_ALLOC] = { IA_HOOK_DOMAIN_ALLOC, "domain_alloc", IA_KIND_CALL, false, false,
				   { "iommu_paging_domain_alloc_flags", "iommu_paging_domain_alloc" } },
	[IA_HOOK_DOMAIN_ALLOC_BUS] = { IA_HOOK_DOMAIN_ALLOC_BUS, "domain_alloc_bus", IA_KIND_CALL, false, false,
				       { "iommu_domain_alloc" } },
	[IA_HOOK_DOMAIN_FREE] = { IA_HOOK_DOMAIN_FREE, "domain_free", IA_KIND_CALL, true, false,
				  { "iommu_domain_free" } },
	[IA_HOOK_IOMMUFD_BIND] = { IA_HOOK_IOMMUFD_BIND, "iommufd_bind", IA_KIND_CALL, false, false,
				   { "iommufd_device_bind" } },
	[IA_HOOK_IOMMUFD_UNBIND] = { IA_HOOK_IOMMUFD_UNBIND, "iommufd_unbind", IA_KIND_CALL, true, false,
				     { "iommufd_device_unbind" } },
	[IA_HOOK_IOMMUFD_ATTACH] = { IA_HOOK_IOMMUFD_ATTACH, "iommufd_attach", IA_KIND_CALL, false, false,
				     { "iommufd_device_attach" } },
	[IA_HOOK_IOMMUFD_REPLACE] = { IA_HOOK_IOMMUFD_REPLACE, "iommufd_replace", IA_KIND_CALL, false, false,
				      { "iommufd_device_replace" } },
	[IA_HOOK_IOMMUFD_DETACH] = { IA_HOOK_IOMMUFD_DETACH, "iommufd_detach", IA_KIND_CALL, true, false,
				     { "iommufd_device_detach" } },
	[IA_HOOK_HWPT_ALLOC] = { IA_HOOK_HWPT_ALLOC, "hwpt_alloc", IA_KIND_CALL, false, false,
				 { "iommufd_hwpt_paging_alloc" } },
	[IA_HOOK_HWPT_ATTACH] = { IA_HOOK_HWPT_ATTACH, "hwpt_attach", IA_KIND_CALL, false, false,
				  { "iommufd_hw_pagetable_attach" } },
	[IA_HOOK_IOMMUFD_RELEASE] = { IA_HOOK_IOMMUFD_RELEASE, "iommufd_release", IA_KIND_CALL, false, false,
				      { "iommufd_fops_release" } },
	[IA_HOOK_TYPE1_ATTACH] = { IA_HOOK_TYPE1_ATTACH, "type1_attach", IA_KIND_CALL, false, false,
				   { "vfio_iommu_type1_attach_group" } },
	[IA_HOOK_IOMMUFD_IOCTL] = { IA_HOOK_IOMMUFD_IOCTL, "iommufd_ioctl", IA_KIND_CALL, false, false,
				    { "iommufd_fops_ioctl" } },
	[IA_HOOK_IOAS_MAP] = { IA_HOOK_IOAS_MAP, "ioas_map", IA_KIND_CALL, false, false,
			       { "iommufd_ioas_map" } },
	[IA_HOOK_IOAS_UNMAP] = { IA_HOOK_IOAS_UNMAP, "ioas_unmap", IA_KIND_CALL, false, false,
				 { "iommufd_ioas_unmap" } },
	[IA_HOOK_HWPT_DESTROY] = { IA_HOOK_HWPT_DESTROY, "hwpt_destroy", IA_KIND_CALL, true, false,
				   { "iommufd_hwpt_paging_destroy" } },
	/* aggregated in the kernel: no records, histograms (struct ia_hist) */
	[IA_HOOK_MAP] = { IA_HOOK_MAP, "map", IA_KIND_CALL, false, false, { "iommu_map" } },
	[IA_HOOK_UNMAP] = { IA_HOOK_UNMAP, "unmap", IA_KIND_CALL, false, false, { "iommu_unmap" } },
	[IA_HOOK_MAP_SG] = { IA_HOOK_MAP_SG, "map_sg", IA_KIND_CALL, false, false, { "iommu_map_sg" } },
	[IA_HOOK_UNMAP_FAST] = { IA_HOOK_UNMAP_FAST, "unmap_fast", IA_KIND_CALL, false, false,
				 { "iommu_unmap_fast" } },
	[IA_HOOK_TP_PAGE_FAULT] = { IA_HOOK_TP_PAGE_FAULT, "tp_page_fault", IA_KIND_TRACEPOINT, true, false,
				    { "iommu/io_page_fault" } },
};

/* iommufd ioctl numbers, _IO(';', nr) (include/uapi/linux/iommufd.h; kernel-notes §6). */
static const char *const iommufd_cmds[] = {
	[0x80 - 0x80] = "DESTROY", [0x81 - 0x80] = "IOAS_ALLOC", [0x82 - 0x80] = "IOAS_ALLOW_IOVAS",
	[0x83 - 0x80] = "IOAS_COPY", [0x84 - 0x80] = "IOAS_IOVA_RANGES", [0x85 - 0x80] = "IOAS_MAP",
	[0x86 - 0x80] = "IOAS_UNMAP", [0x87 - 0x80] = "OPTION", [0x88 - 0x80] = "VFIO_IOAS",
	[0x89 - 0x80] = "HWPT_ALLOC", [0x8a - 0x80] = "GET_HW_INFO",
	[0x8b - 0x80] = "HWPT_SET_DIRTY_TRACKING", [0x8c - 0x80] = "HWPT_GET_DIRTY_BITMAP",
	[0x8d - 0x80] = "HWPT_INVALIDATE", [0x8e - 0x80] = "FAULT_QUEUE_ALLOC",
	[0x8f - 0x80] = "IOAS_MAP_FILE", [0x90 - 0x80] = "VIOMMU_ALLOC", [0x91 - 0x80] = "VDEVICE_ALLOC",
	[0x92 - 0x80] = "IOAS_CHANGE_PROCESS", [0x93 - 0x80] = "VEVENTQ_ALLOC",
	[0x94 - 0x80] = "HW_QUEUE_ALLOC",
};

/* The VFIO container ioctls /dev/iommu also answers (iommufd's vfio_compat.c), VFIO_BASE 100. */
static const char *const vfio_compat[] = {
	[0x64 - 0x64] = "VFIO_GET_API_VERSION", [0x65 - 0x64] = "VFIO_CHECK_EXTENSION",
	[0x66 - 0x64] = "VFIO_SET_IOMMU", [0x70 - 0x64] = "VFIO_IOMMU_GET_INFO",
	[0x71 - 0x64] = "VFIO_IOMMU_MAP_DMA", [0x72 - 0x64] = "VFIO_IOMMU_UNMAP_DMA",
	[0x73 - 0x64] = "VFIO_IOMMU_ENABLE", [0x74 - 0x64] = "VFIO_IOMMU_DISABLE",
	[0x75 - 0x64] = "VFIO_IOMMU_DIRTY_PAGES",
};

const char *ia_iommufd_cmd_name(unsigned int cmd, char *buf, size_t len)
{
	unsigned int nr = cmd & 0xff;

	if (((cmd >> 8) & 0xff) == ';') {
		if (nr == 0xa0)
			return "TEST_CMD";
		if (nr >= 0x64 && nr - 0x64 < sizeof(vfio_compat) / sizeof(vfio_compat[0]) &&
		    vfio_compat[nr - 0x64])
			return vfio_compat[nr - 0x64];
		if (nr >= 0x80 && nr - 0x80 < sizeof(iommufd_cmds) / sizeof(iommufd_cmds[0]) &&
		    iommufd_cmds[nr - 0x80])
			return iommufd_cmds[nr - 0x80];
	}
	snprintf(buf, len, "%#x", cmd);
	return buf;
}

const struct ia_hook_info *ia_hook_info(unsigned int id)
{
	if (id == IA_HOOK_NONE || id >= IA_HOOK_MAX || !hooks[id].name)
		return NULL;
	return &hooks[id];
}

const char *ia_hook_name(unsigned int id)
{
	const struct ia_hook_info *h = ia_hook_info(id);

	return h ? h->name : "unknown";
}

/* Kernel-internal errnos (include/linux/errno.h) that libc does not name. */
static const char *kernel_errno_name(long e)
{
	switch (e) {
	case 512: return "ERESTARTSYS";
	case 517: return "EPROBE_DEFER";
	case 524: return "ENOTSUPP";
	default: return NULL;
	}
}

const char *ia_errno_name(long ret)
{
	long e;

	if (ret == 0 || ret < -4095 || ret > 4095) /* also keeps -LONG_MIN out */
		return NULL;
	e = ret < 0 ? -ret : ret;
	return kernel_errno_name(e) ?: strerrorname_np((int)e);
}
