/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Kernel modules, as the running system shows them to anyone: whether a
 * module is loaded now (/sys/module/<name>/initstate, kernel/module/sysfs.c),
 * built in (lib/modules/<release>/modules.builtin), or could be loaded
 * (modules.dep), and an identity that changes when it is unloaded and
 * loaded again (the inode of its /sys/module directory, made anew).
 *
 * root is "" for the live system, or a directory holding a copy of the
 * tree (sys/module/..., lib/modules/<release>/...) for tests.
 */
#ifndef IA_KMOD_H
#define IA_KMOD_H

#include <stdbool.h>
#include <linux/types.h>

enum ia_kmod_state {
	IA_KMOD_ABSENT = 0,	/* not in this kernel: neither built in nor installed */
	IA_KMOD_AVAILABLE = 1,	/* installed, not loaded now */
	IA_KMOD_LOADED = 2,	/* loaded and live */
	IA_KMOD_BUILTIN = 3,	/* part of the kernel image */
};

/* name as the kernel spells it in /sys/module ("vfio_iommu_type1"); '-' and '_' are one. */
enum ia_kmod_state ia_kmod_state(const char *root, const char *release, const char *name);
/* A loaded module's identity (0 when not loaded): changes when it is unloaded and loaded again. */
__u64 ia_kmod_instance(const char *root, const char *name);
const char *ia_kmod_state_name(enum ia_kmod_state s);

/* Whether a kernel release ("5.10.0-32-amd64") is older than maj.min; false when unreadable. */
bool ia_release_before(const char *release, int maj, int min);

#endif /* IA_KMOD_H */
