/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What sysfs says of a PCI device beyond its group and driver
 * (drivers/pci/pci-sysfs.c): its class, ids, driver_override and the
 * header type byte of its config space (readable by anyone: the first
 * 64 bytes of "config"), plus the driver and module facts a plan needs.
 * root: "" for the live system, or a fixture directory.
 */
#ifndef IA_PCIDEV_H
#define IA_PCIDEV_H

#include <stdbool.h>
#include <stddef.h>
#include "model.h"
#include "plan.h"

/*
 * Fill *d for the device name (a device of the model). A device not on the
 * PCI bus (platform, ...) gets pci false. 0, or a negative errno when a
 * PCI device's files cannot be read (other than a missing one).
 */
int ia_devinfo_read(const char *root, const char *name, struct ia_devinfo *d);
/* Every device of every group of m: *out (malloc'd, *n entries). 0 or a negative errno. */
int ia_devinfo_read_model(const char *root, const struct ia_model *m, struct ia_devinfo **out,
			  size_t *n);
/* Whether /sys/bus/pci/devices/<name> exists. */
bool ia_pci_device_exists(const char *root, const char *name);
/* Whether /sys/bus/pci/drivers/<driver> exists (the driver is registered). */
bool ia_pci_driver_loaded(const char *root, const char *driver);
/* vfio-pci's disable_denylist module parameter is "Y". */
bool ia_vfio_denylist_disabled(const char *root);

#endif /* IA_PCIDEV_H */
