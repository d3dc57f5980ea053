/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Snapshot of the IOMMU group layout from sysfs.
 *
 * The kernel publishes each group as /sys/kernel/iommu_groups/<id>/
 * (drivers/iommu/iommu.c: iommu_group_alloc()) with:
 *   type              default domain type, iommu_group_show_type() (4.20+)
 *   reserved_regions  "0x%016llx 0x%016llx %s\n" per region,
 *                     iommu_group_show_resv_regions()
 *   devices/<name>    a link to each member device (iommu_group_add_device())
 * and a device's bound driver is its "driver" link (drivers/base/bus.c:
 * driver_sysfs_add()).
 *
 * root is "" (or "/", or NULL) for the live system, or a directory holding a
 * copy of the tree (sys/kernel/iommu_groups/...) for tests.
 */
#ifndef IA_SYSFS_H
#define IA_SYSFS_H

#include "model.h"

/*
 * Read every group into *m, sorted (ia_model_sort). On success the previous
 * contents of *m are freed and replaced; on error *m is left untouched.
 *
 * Returns 0 (also for an empty iommu_groups directory: zero groups),
 * -ENOENT when <root>/sys/kernel/iommu_groups does not exist (no IOMMU
 * enabled in the kernel), or another negative errno (-ENOTDIR, -ENOMEM,
 * -ENAMETOOLONG, ...).
 *
 * Tolerated, not errors: a missing or unreadable type file (type ""), a
 * missing reserved_regions file, malformed reserved_regions lines (skipped),
 * entries whose name is not a group id (skipped), a group or device that
 * disappears while it is read (hot unplug), an absent driver link (unbound,
 * driver ""). Names longer than the model's buffers are truncated.
 */
int ia_sysfs_read(const char *root, struct ia_model *m);

/*
 * Names of the registered IOMMU instances, the entries of <root>/sys/class/iommu
 * (iommu_device_sysfs_add(): "dmar0", "ivhd0", ...), sorted. Stores at most
 * max names (the first ones in sort order) and returns how many it stored,
 * 0 when the directory does not exist, or a negative errno.
 */
int ia_sysfs_iommus(const char *root, char names[][IA_NAME_LEN], int max);

/*
 * "<root>/<rel>" into buf, root "" (or "/", or NULL) meaning the live
 * system: 0, -ENAMETOOLONG or -EINVAL. Every reader of /sys and /proc
 * takes such a root, so that tests can hand it a fixture tree.
 */
int ia_root_path(char *buf, size_t size, const char *root, const char *rel);

/*
 * The last component of the link <root>/<rel> ("e1000" for a driver link,
 * "7" for an iommu_group link) into out: 0, or a negative errno (-ENOENT,
 * -EINVAL when it is not a link, ...), out "" then.
 */
int ia_link_name(const char *root, const char *rel, char *out, size_t size);

/* A path formatted into buf: 0, or -ENAMETOOLONG when it does not fit. */
int ia_path_fmt(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif /* IA_SYSFS_H */
