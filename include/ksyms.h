/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Names of the kernel's text symbols (/proc/kallsyms), for kprobe targets. */
#ifndef IA_KSYMS_H
#define IA_KSYMS_H

#include <stdbool.h>
#include <stddef.h>

struct ia_ksym_addr {
	unsigned long long addr;
	char name[48];
};

struct ia_ksyms {
	char **names; /* text symbols, sorted */
	size_t n;
	char *buf;    /* all names, NUL-separated */
	/* data symbols named *_ops (iommu_ops instances: "intel_iommu_ops"), by address */
	struct ia_ksym_addr *ops;
	size_t nops, ops_cap;
};

/* 0, or a negative errno (file unreadable, out of memory). */
int ia_ksyms_load(struct ia_ksyms *ks, const char *path);
bool ia_ksyms_has(const struct ia_ksyms *ks, const char *name);
void ia_ksyms_free(struct ia_ksyms *ks);
/* The *_ops symbol at exactly addr, or NULL (also when kallsyms hides addresses). */
const char *ia_ksyms_ops_name(const struct ia_ksyms *ks, unsigned long long addr);

#endif /* IA_KSYMS_H */
