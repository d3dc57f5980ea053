/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Host-critical devices: the PCI devices the host itself needs, which a
 * plan must not take away without --allow-critical. Each is found from
 * what the kernel publishes, and each carries the reason in words:
 *
 *  - a mounted filesystem (/proc/self/mountinfo): a block device's
 *    /sys/dev/block/MAJ:MIN path, through dm/md "slaves" links; a 9p mount's
 *    tag in /sys/bus/virtio/devices/<dev>/mount_tag (virtio-9p);
 *  - an active swap area (/proc/swaps): its block device by name
 *    (/sys/class/block/<name>), a swap file by the filesystem it lives on;
 *  - a network interface that is up (IFF_UP in /sys/class/net/<if>/flags)
 *    with an address (IPv6 in /proc/net/if_inet6; IPv4 through
 *    getifaddrs() on the live system only) or a default route
 *    (/proc/net/route, /proc/net/ipv6_route);
 *  - a framebuffer (/sys/class/graphics/fb<N>, the DRM driver's fbdev
 *    emulation) while fbcon is bound to a console
 *    (/sys/class/vtconsole/vtcon<N>/bind with a "frame buffer" name).
 *
 * The device is the last PCI address on the sysfs path of the disk,
 * interface, virtio device or framebuffer: the function that does the
 * work, not the bridges above it (a bridge never goes to user space).
 */
#ifndef IA_CRITICAL_H
#define IA_CRITICAL_H

#include <stddef.h>
#include "model.h"

#define IA_CRITICAL_WHY_LEN 160

struct ia_critical {
	char dev[IA_NAME_LEN];
	char why[IA_CRITICAL_WHY_LEN]; /* "the root filesystem / (9p, tag hostroot)" */
};

struct ia_criticals {
	struct ia_critical *v;
	size_t n, cap;
};

void ia_criticals_init(struct ia_criticals *c);
void ia_criticals_free(struct ia_criticals *c);
/* Add dev with its reason unless dev is already there (the first reason stays). */
int ia_criticals_add(struct ia_criticals *c, const char *dev, const char *why);
/* The reason dev is host-critical, NULL when it is not. */
const char *ia_critical_why(const struct ia_criticals *c, const char *dev);

/*
 * Scan <root> (see above; "" is the live system). Sources that do not exist
 * (no swaps file, no graphics class) add nothing. 0 or a negative errno
 * (-ENOMEM; or mountinfo unreadable: the root filesystem cannot be judged).
 */
int ia_critical_scan(const char *root, struct ia_criticals *c);

/*
 * The last PCI address ("0000:03:01.0") among the components of path into
 * out; false when none.
 */
bool ia_last_pci_component(const char *path, char *out, size_t size);

#endif /* IA_CRITICAL_H */
