// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#define _GNU_SOURCE
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
};

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

const char *ia_errno_name(long ret)
{
	long e = ret < 0 ? -ret : ret;

	if (e == 0 || e > 4095)
		return NULL;
	return strerrorname_np((int)e);
}
