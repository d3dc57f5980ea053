// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include "hooks.h"

/*
 * Targets, by kernel (all in drivers/iommu/iommu.c): the set-domain path is
 * __iommu_group_set_domain_internal on 6.6+ and __iommu_group_set_domain on
 * 6.1-6.5 (where Debian's 6.1 build may inline it); group replacement is
 * iommu_replace_group_handle on 6.12+ and iommu_group_replace_domain on 6.6.
 */
static const struct ia_hook_info hooks[IA_HOOK_MAX] = {
	[IA_HOOK_REALLY_PROBE] = {
		.id = IA_HOOK_REALLY_PROBE, .name = "really_probe", .kind = IA_KIND_CALL,
		.required = true,
		.targets = { "really_probe" },
	},
	[IA_HOOK_RELEASE_DRIVER] = {
		.id = IA_HOOK_RELEASE_DRIVER, .name = "release_driver", .kind = IA_KIND_CALL,
		.void_ret = true, .required = true,
		/*
		 * __device_release_driver(dev, parent) where it is out of line:
		 * Debian's 5.10 inlines device_release_driver_internal into
		 * device_driver_detach, so a sysfs unbind never calls the
		 * latter's out-of-line copy (drivers/base/dd.c).
		 */
		.targets = { "__device_release_driver", "device_release_driver_internal" },
	},
	[IA_HOOK_ATTACH_DEVICE] = {
		.id = IA_HOOK_ATTACH_DEVICE, .name = "attach_device", .kind = IA_KIND_CALL,
		.targets = { "iommu_attach_device" },
	},
	[IA_HOOK_DETACH_DEVICE] = {
		.id = IA_HOOK_DETACH_DEVICE, .name = "detach_device", .kind = IA_KIND_CALL,
		.void_ret = true,
		.targets = { "iommu_detach_device" },
	},
	[IA_HOOK_ATTACH_GROUP] = {
		.id = IA_HOOK_ATTACH_GROUP, .name = "attach_group", .kind = IA_KIND_CALL,
		.targets = { "iommu_attach_group" },
	},
	[IA_HOOK_DETACH_GROUP] = {
		.id = IA_HOOK_DETACH_GROUP, .name = "detach_group", .kind = IA_KIND_CALL,
		.void_ret = true,
		.targets = { "iommu_detach_group" },
	},
	[IA_HOOK_ATTACH_DEV_CORE] = {
		.id = IA_HOOK_ATTACH_DEV_CORE, .name = "attach_dev_core", .kind = IA_KIND_CALL,
		.targets = { "__iommu_attach_device" },
	},
	[IA_HOOK_SET_DOMAIN] = {
		.id = IA_HOOK_SET_DOMAIN, .name = "set_domain", .kind = IA_KIND_CALL,
		.targets = { "__iommu_group_set_domain_internal", "__iommu_group_set_domain" },
	},
	[IA_HOOK_ATTACH_HANDLE] = {
		.id = IA_HOOK_ATTACH_HANDLE, .name = "attach_handle", .kind = IA_KIND_CALL,
		.targets = { "iommu_attach_group_handle" },
	},
	[IA_HOOK_REPLACE_HANDLE] = {
		.id = IA_HOOK_REPLACE_HANDLE, .name = "replace_handle", .kind = IA_KIND_CALL,
		.targets = { "iommu_replace_group_handle", "iommu_group_replace_domain" },
	},
	[IA_HOOK_GROUP_CLAIM] = {
		.id = IA_HOOK_GROUP_CLAIM, .name = "group_claim", .kind = IA_KIND_CALL,
		.targets = { "iommu_group_claim_dma_owner" },
	},
	[IA_HOOK_GROUP_RELEASE] = {
		.id = IA_HOOK_GROUP_RELEASE, .name = "group_release", .kind = IA_KIND_CALL,
		.void_ret = true,
		.targets = { "iommu_group_release_dma_owner" },
	},
	[IA_HOOK_DEVICE_CLAIM] = {
		.id = IA_HOOK_DEVICE_CLAIM, .name = "device_claim", .kind = IA_KIND_CALL,
		.targets = { "iommu_device_claim_dma_owner" },
	},
	[IA_HOOK_DEVICE_RELEASE] = {
		.id = IA_HOOK_DEVICE_RELEASE, .name = "device_release", .kind = IA_KIND_CALL,
		.void_ret = true,
		.targets = { "iommu_device_release_dma_owner" },
	},
	[IA_HOOK_USE_DEFAULT] = {
		.id = IA_HOOK_USE_DEFAULT, .name = "use_default", .kind = IA_KIND_CALL,
		.targets = { "iommu_device_use_default_domain" },
	},
	[IA_HOOK_UNUSE_DEFAULT] = {
		.id = IA_HOOK_UNUSE_DEFAULT, .name = "unuse_default", .kind = IA_KIND_CALL,
		.void_ret = true,
		.targets = { "iommu_device_unuse_default_domain" },
	},
	[IA_HOOK_TP_ADD_GROUP] = {
		.id = IA_HOOK_TP_ADD_GROUP, .name = "tp_add_group", .kind = IA_KIND_TRACEPOINT,
		.void_ret = true,
		.targets = { "iommu/add_device_to_group" },
	},
	[IA_HOOK_TP_REMOVE_GROUP] = {
		.id = IA_HOOK_TP_REMOVE_GROUP, .name = "tp_remove_group", .kind = IA_KIND_TRACEPOINT,
		.void_ret = true,
		.targets = { "iommu/remove_device_from_group" },
	},
	[IA_HOOK_TP_ATTACH] = {
		.id = IA_HOOK_TP_ATTACH, .name = "tp_attach", .kind = IA_KIND_TRACEPOINT,
		.void_ret = true,
		.targets = { "iommu/attach_device_to_domain" },
	},
	[IA_HOOK_PROBE_DEVICE] = {
		.id = IA_HOOK_PROBE_DEVICE, .name = "probe_device", .kind = IA_KIND_CALL,
		.targets = { "iommu_probe_device" },
	},
	/* 6.18 inlines iommu_paging_domain_alloc into the _flags variant */
	[IA_HOOK_DOMAIN_ALLOC] = {
		.id = IA_HOOK_DOMAIN_ALLOC, .name = "domain_alloc", .kind = IA_KIND_CALL,
		.targets = { "iommu_paging_domain_alloc_flags", "iommu_paging_domain_alloc" },
	},
	[IA_HOOK_DOMAIN_ALLOC_BUS] = {
		.id = IA_HOOK_DOMAIN_ALLOC_BUS, .name = "domain_alloc_bus", .kind = IA_KIND_CALL,
		.targets = { "iommu_domain_alloc" },
	},
	[IA_HOOK_DOMAIN_FREE] = {
		.id = IA_HOOK_DOMAIN_FREE, .name = "domain_free", .kind = IA_KIND_CALL,
		.void_ret = true,
		.targets = { "iommu_domain_free" },
	},
	[IA_HOOK_IOMMUFD_BIND] = {
		.id = IA_HOOK_IOMMUFD_BIND, .name = "iommufd_bind", .kind = IA_KIND_CALL,
		.module = "iommufd",
		.targets = { "iommufd_device_bind" },
	},
	[IA_HOOK_IOMMUFD_UNBIND] = {
		.id = IA_HOOK_IOMMUFD_UNBIND, .name = "iommufd_unbind", .kind = IA_KIND_CALL,
		.module = "iommufd",
		.void_ret = true,
		.targets = { "iommufd_device_unbind" },
	},
	[IA_HOOK_IOMMUFD_ATTACH] = {
		.id = IA_HOOK_IOMMUFD_ATTACH, .name = "iommufd_attach", .kind = IA_KIND_CALL,
		.module = "iommufd",
		.targets = { "iommufd_device_attach" },
	},
	[IA_HOOK_IOMMUFD_REPLACE] = {
		.id = IA_HOOK_IOMMUFD_REPLACE, .name = "iommufd_replace", .kind = IA_KIND_CALL,
		.module = "iommufd",
		.targets = { "iommufd_device_replace" },
	},
	[IA_HOOK_IOMMUFD_DETACH] = {
		.id = IA_HOOK_IOMMUFD_DETACH, .name = "iommufd_detach", .kind = IA_KIND_CALL,
		.module = "iommufd",
		.void_ret = true,
		.targets = { "iommufd_device_detach" },
	},
	[IA_HOOK_HWPT_ALLOC] = {
		.id = IA_HOOK_HWPT_ALLOC, .name = "hwpt_alloc", .kind = IA_KIND_CALL,
		.module = "iommufd",
		/*
		 * 6.7+, else 6.4-6.6's name (6.2/6.3 pass a struct device
		 * third: refused by the prototype check). The old target's
		 * return value has its own exit programs (src/loader.c).
		 */
		.targets = { "iommufd_hwpt_paging_alloc", "iommufd_hw_pagetable_alloc" },
	},
	[IA_HOOK_HWPT_ATTACH] = {
		.id = IA_HOOK_HWPT_ATTACH, .name = "hwpt_attach", .kind = IA_KIND_CALL,
		.module = "iommufd",
		.targets = { "iommufd_hw_pagetable_attach" },
	},
	[IA_HOOK_IOMMUFD_RELEASE] = {
		.id = IA_HOOK_IOMMUFD_RELEASE, .name = "iommufd_release", .kind = IA_KIND_CALL,
		.module = "iommufd",
		.targets = { "iommufd_fops_release" },
	},
	[IA_HOOK_TYPE1_ATTACH] = {
		.id = IA_HOOK_TYPE1_ATTACH, .name = "type1_attach", .kind = IA_KIND_CALL,
		.module = "vfio_iommu_type1",
		.targets = { "vfio_iommu_type1_attach_group" },
	},
	[IA_HOOK_IOMMUFD_IOCTL] = {
		.id = IA_HOOK_IOMMUFD_IOCTL, .name = "iommufd_ioctl", .kind = IA_KIND_CALL,
		.module = "iommufd",
		.targets = { "iommufd_fops_ioctl" },
	},
	[IA_HOOK_IOAS_MAP] = {
		.id = IA_HOOK_IOAS_MAP, .name = "ioas_map", .kind = IA_KIND_CALL,
		.module = "iommufd",
		.targets = { "iommufd_ioas_map" },
	},
	[IA_HOOK_IOAS_UNMAP] = {
		.id = IA_HOOK_IOAS_UNMAP, .name = "ioas_unmap", .kind = IA_KIND_CALL,
		.module = "iommufd",
		.targets = { "iommufd_ioas_unmap" },
	},
	[IA_HOOK_HWPT_DESTROY] = {
		.id = IA_HOOK_HWPT_DESTROY, .name = "hwpt_destroy", .kind = IA_KIND_CALL,
		.module = "iommufd",
		.void_ret = true,
		.targets = { "iommufd_hwpt_paging_destroy", "iommufd_hw_pagetable_destroy" },
	},
	/* aggregated in the kernel: no records, histograms (struct ia_hist) */
	[IA_HOOK_MAP] = {
		.id = IA_HOOK_MAP, .name = "map", .kind = IA_KIND_CALL,
		.targets = { "iommu_map" },
	},
	[IA_HOOK_UNMAP] = {
		.id = IA_HOOK_UNMAP, .name = "unmap", .kind = IA_KIND_CALL,
		.targets = { "iommu_unmap" },
	},
	[IA_HOOK_MAP_SG] = {
		.id = IA_HOOK_MAP_SG, .name = "map_sg", .kind = IA_KIND_CALL,
		.targets = { "iommu_map_sg" },
	},
	[IA_HOOK_UNMAP_FAST] = {
		.id = IA_HOOK_UNMAP_FAST, .name = "unmap_fast", .kind = IA_KIND_CALL,
		.targets = { "iommu_unmap_fast" },
	},
	[IA_HOOK_TP_PAGE_FAULT] = {
		.id = IA_HOOK_TP_PAGE_FAULT, .name = "tp_page_fault", .kind = IA_KIND_TRACEPOINT,
		.void_ret = true,
		.targets = { "iommu/io_page_fault" },
	},
	[IA_HOOK_ATTACH_PASID] = {
		.id = IA_HOOK_ATTACH_PASID, .name = "attach_pasid", .kind = IA_KIND_CALL,
		.targets = { "iommu_attach_device_pasid" },
	},
	[IA_HOOK_REPLACE_PASID] = {
		.id = IA_HOOK_REPLACE_PASID, .name = "replace_pasid", .kind = IA_KIND_CALL,
		.targets = { "iommu_replace_device_pasid" },
	},
	[IA_HOOK_DETACH_PASID] = {
		.id = IA_HOOK_DETACH_PASID, .name = "detach_pasid", .kind = IA_KIND_CALL,
		.void_ret = true,
		.targets = { "iommu_detach_device_pasid" },
	},
	[IA_HOOK_DETACH_HANDLE] = {
		.id = IA_HOOK_DETACH_HANDLE, .name = "detach_handle", .kind = IA_KIND_CALL,
		.void_ret = true,
		.targets = { "iommu_detach_group_handle" },
	},
	[IA_HOOK_TYPE1_DETACH] = {
		.id = IA_HOOK_TYPE1_DETACH, .name = "type1_detach", .kind = IA_KIND_CALL,
		.void_ret = true, .module = "vfio_iommu_type1",
		.targets = { "vfio_iommu_type1_detach_group" },
	},
	[IA_HOOK_RESET_PREPARE] = {
		.id = IA_HOOK_RESET_PREPARE, .name = "reset_prepare", .kind = IA_KIND_CALL,
		.targets = { "pci_dev_reset_iommu_prepare" },
	},
	[IA_HOOK_RESET_DONE] = {
		.id = IA_HOOK_RESET_DONE, .name = "reset_done", .kind = IA_KIND_CALL,
		.void_ret = true,
		.targets = { "pci_dev_reset_iommu_done" },
	},
	[IA_HOOK_OBJ_FINALIZE] = {
		.id = IA_HOOK_OBJ_FINALIZE, .name = "obj_finalize", .kind = IA_KIND_CALL,
		.void_ret = true, .module = "iommufd",
		.targets = { "iommufd_object_finalize" },
	},
	[IA_HOOK_OBJ_REMOVE] = {
		.id = IA_HOOK_OBJ_REMOVE, .name = "obj_remove", .kind = IA_KIND_CALL,
		.module = "iommufd",
		.targets = { "iommufd_object_remove" },
	},
};

/* iommufd ioctl numbers: _IO(IOMMUFD_TYPE = ';', IOMMUFD_CMD_*) in include/uapi/linux/iommufd.h. */
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
	snprintf(buf, len, "0x%x", cmd); /* "%#x" would print 0 as "0" */
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
