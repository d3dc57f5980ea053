// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ia_driver_dma_class(): the driver_managed_dma table and the VFIO name rule. */
#include <stddef.h>
#include "model.h"
#include "unit.h"

struct dma_case {
	const char *driver;
	enum ia_dma_class want;
};

static const struct dma_case dma_cases[] = {
	/* no driver */
	{ "", IA_DMA_NONE },
	/* driver_managed_dma, hands the device to user space */
	{ "vfio-pci", IA_DMA_USER },
	{ "mlx5_vfio_pci", IA_DMA_USER },
	{ "hisi_acc_vfio_pci", IA_DMA_USER },
	{ "pds_vfio_pci", IA_DMA_USER },
	{ "virtio_vfio_pci", IA_DMA_USER },
	{ "nvgrace_gpu_vfio_pci", IA_DMA_USER },
	{ "qat_vfio_pci", IA_DMA_USER },
	{ "vfio-platform", IA_DMA_USER },
	{ "vfio-amba", IA_DMA_USER },
	{ "vfio-fsl-mc", IA_DMA_USER },
	{ "vfio-cdx", IA_DMA_USER },
	/* the name rule: variants newer than the table */
	{ "xe-vfio-pci", IA_DMA_USER },
	{ "vfio_ccw", IA_DMA_USER },
	{ "future_vfio_pci", IA_DMA_USER },
	/* driver_managed_dma, no DMA of its own */
	{ "pci-stub", IA_DMA_NONE },
	{ "pcieport", IA_DMA_NONE },
	{ "fsl-pci", IA_DMA_NONE },
	/* everything else: the DMA API on the default domain */
	{ "e1000e", IA_DMA_KERNEL },
	{ "nvme", IA_DMA_KERNEL },
	{ "virtio-pci", IA_DMA_KERNEL },
	{ "xhci_hcd", IA_DMA_KERNEL },
	{ "mlx5_core", IA_DMA_KERNEL },
	{ "pci-stubby", IA_DMA_KERNEL },
	{ "xvfio", IA_DMA_KERNEL },
	{ "vfio-pci-not", IA_DMA_USER },	/* prefix rule */
	{ "VFIO-PCI", IA_DMA_KERNEL },		/* sysfs names are case-sensitive */
	{ "-vfio-pcix", IA_DMA_KERNEL },
};

UNIT_TEST(dmaclass_table)
{
	for (size_t i = 0; i < sizeof(dma_cases) / sizeof(dma_cases[0]); i++) {
		enum ia_dma_class got = ia_driver_dma_class(dma_cases[i].driver);

		if (got != dma_cases[i].want)
			fprintf(stderr, "  driver \"%s\"\n", dma_cases[i].driver);
		CHECK_INT(got, dma_cases[i].want);
	}
}

UNIT_TEST(dmaclass_null_is_none)
{
	CHECK_INT(ia_driver_dma_class(NULL), IA_DMA_NONE);
}
