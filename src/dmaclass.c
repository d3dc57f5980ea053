// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * DMA class of a driver known only by name (a sysfs snapshot, no events).
 *
 * How the kernel decides (v5.19+, "bus: platform,amba,fsl-mc,PCI: Add device
 * DMA ownership management", 512881eacfa7): really_probe() calls
 * dev->bus->dma_configure(), and the bus callbacks
 *   pci_dma_configure()       drivers/pci/pci-driver.c
 *   platform_dma_configure()  drivers/base/platform.c
 *   amba_dma_configure()      drivers/amba/bus.c
 *   fsl_mc_dma_configure()    drivers/bus/fsl-mc/fsl-mc-bus.c
 *   cdx_dma_configure()       drivers/cdx/cdx.c
 * call iommu_device_use_default_domain() (group owner_cnt++) unless the
 * driver sets driver_managed_dma. So:
 *   - every driver without driver_managed_dma is KERNEL: the DMA API uses the
 *     group's default domain on its behalf;
 *   - a driver_managed_dma driver either hands the device to user space
 *     (VFIO, which then claims the group with iommu_group_claim_dma_owner()
 *     or iommu_device_claim_dma_owner()): USER;
 *   - or does no DMA at all (it only needs config space, MMIO or
 *     interrupts): NONE.
 *
 * The table is every "driver_managed_dma = true" in Debian's linux-source-6.12
 * (grep over the whole tree), with the name under /sys/bus/<bus>/drivers/:
 * the driver struct's .name, or KBUILD_MODNAME (module name from the
 * Makefile, '-' turned into '_') where .name = KBUILD_MODNAME.
 *
 * Later VFIO variant drivers follow two naming habits, so a pattern rule
 * covers drivers newer than the table: a name starting with "vfio"
 * (vfio-pci, vfio-platform, vfio_ccw, vfio_ap, ...) or ending in "-vfio-pci"
 * / "_vfio_pci" (xe-vfio-pci, ...) is USER.
 *
 * Limits: a bus without a dma_configure callback never takes owner_cnt (the
 * iommufd mock bus, mdev); its drivers still read as KERNEL here, which is
 * what they are for the purpose of the group's viability. Kernels before
 * v5.19 have no driver_managed_dma; VFIO then judged viability itself
 * (vfio_dev_driver_allowed() in drivers/vfio/vfio.c: no driver, a vfio
 * driver, "pci-stub", or any PCI bridge, i.e. pcieport), and the table
 * agrees with it.
 */
#include <string.h>
#include "model.h"

struct dma_class_entry {
	const char *driver;
	enum ia_dma_class dma;
};

static const struct dma_class_entry dma_class_table[] = {
	/*
	 * USER: VFIO drivers. Each exposes the device through a vfio_device
	 * and leaves DMA to the user's IOMMU domain (iommufd or type1).
	 */
	{ "vfio-pci", IA_DMA_USER },		 /* drivers/vfio/pci/vfio_pci.c */
	{ "mlx5_vfio_pci", IA_DMA_USER },	 /* drivers/vfio/pci/mlx5/main.c, KBUILD_MODNAME */
	{ "hisi_acc_vfio_pci", IA_DMA_USER },	 /* drivers/vfio/pci/hisilicon/hisi_acc_vfio_pci.c, KBUILD_MODNAME */
	{ "pds_vfio_pci", IA_DMA_USER },	 /* drivers/vfio/pci/pds/pci_drv.c, KBUILD_MODNAME */
	{ "virtio_vfio_pci", IA_DMA_USER },	 /* drivers/vfio/pci/virtio/main.c, KBUILD_MODNAME */
	{ "nvgrace_gpu_vfio_pci", IA_DMA_USER }, /* drivers/vfio/pci/nvgrace-gpu/main.c, KBUILD_MODNAME */
	{ "qat_vfio_pci", IA_DMA_USER },	 /* drivers/vfio/pci/qat/main.c, KBUILD_MODNAME */
	{ "vfio-platform", IA_DMA_USER },	 /* drivers/vfio/platform/vfio_platform.c */
	{ "vfio-amba", IA_DMA_USER },		 /* drivers/vfio/platform/vfio_amba.c */
	{ "vfio-fsl-mc", IA_DMA_USER },		 /* drivers/vfio/fsl-mc/vfio_fsl_mc.c */
	{ "vfio-cdx", IA_DMA_USER },		 /* drivers/vfio/cdx/main.c */
	/*
	 * NONE: driver_managed_dma drivers that never start DMA themselves.
	 *
	 * pci-stub (drivers/pci/pci-stub.c): probe() only logs "claimed by
	 * stub"; it exists to keep other drivers off a device.
	 */
	{ "pci-stub", IA_DMA_NONE },
	/*
	 * pcieport (drivers/pci/pcie/portdrv.c): a switch or root port is not a
	 * DMA master; the port services (AER, PME, DPC, hotplug, bwctrl) use
	 * config space and interrupts only. Set so that devices below a port
	 * can go to user space while the port keeps its driver.
	 */
	{ "pcieport", IA_DMA_NONE },
	/*
	 * fsl-pci (arch/powerpc/sysdev/fsl_pci.c, platform driver): probe()
	 * registers the Freescale PCI host bridge (fsl_add_bridge()) and its
	 * EDAC error device; the bridge's own DMA is none.
	 */
	{ "fsl-pci", IA_DMA_NONE },
};

static bool has_prefix(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t len = strlen(s), slen = strlen(suffix);

	return len >= slen && !strcmp(s + len - slen, suffix);
}

static bool is_vfio_name(const char *driver)
{
	return has_prefix(driver, "vfio") || has_suffix(driver, "-vfio-pci") ||
	       has_suffix(driver, "_vfio_pci");
}

enum ia_dma_class ia_driver_dma_class(const char *driver)
{
	size_t n = sizeof(dma_class_table) / sizeof(dma_class_table[0]);

	if (!driver || !driver[0])
		return IA_DMA_NONE;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(driver, dma_class_table[i].driver))
			return dma_class_table[i].dma;
	return is_vfio_name(driver) ? IA_DMA_USER : IA_DMA_KERNEL;
}
