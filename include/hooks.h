/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What each hook is: its name, the kernel symbols it may attach to (first
 * one present wins), and how its return value reads. Pure data shared by
 * the loader, the engine and the outputs.
 */
#ifndef IA_HOOKS_H
#define IA_HOOKS_H

#include <stdbool.h>
#include <stddef.h>
#include "iommu_audit.h"

#define IA_MAX_TARGETS 3

enum ia_hook_kind {
	IA_KIND_CALL = 0,	/* kernel function: entry + exit programs */
	IA_KIND_TRACEPOINT = 1, /* iommu:* tracepoint: one program */
};

struct ia_hook_info {
	enum ia_hook id;
	const char *name;	/* user-visible name; bpf/watch.bpf.c names the programs after it */
	enum ia_hook_kind kind;
	bool void_ret;		/* the function returns void: exit ret means nothing */
	bool required;		/* watch cannot do its job without it (reported by -v) */
	/*
	 * The kernel module the functions live in when it is built as one
	 * (iommufd: CONFIG_IOMMUFD=m; vfio_iommu_type1); NULL: the core kernel.
	 */
	const char *module;
	/* functions (by preference), or for tracepoints "iommu/<event>" */
	const char *targets[IA_MAX_TARGETS];
};

/* NULL for an unknown id (e.g. from a newer recording). */
const struct ia_hook_info *ia_hook_info(unsigned int id);
const char *ia_hook_name(unsigned int id);

/* "IOAS_MAP" for an iommufd ioctl command; unknown ones as hex in buf. */
const char *ia_iommufd_cmd_name(unsigned int cmd, char *buf, size_t len);

/* "EBUSY" for -16, NULL when no name is known. */
const char *ia_errno_name(long ret);

#endif /* IA_HOOKS_H */
