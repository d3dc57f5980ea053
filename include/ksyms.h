/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Names of the kernel's text symbols (/proc/kallsyms), for kprobe targets. */
#ifndef IA_KSYMS_H
#define IA_KSYMS_H

#include <stdbool.h>
#include <stddef.h>

struct ia_ksyms {
	char **names; /* sorted */
	size_t n;
	char *buf;    /* all names, NUL-separated */
};

/* 0, or a negative errno (file unreadable, out of memory). */
int ia_ksyms_load(struct ia_ksyms *ks, const char *path);
bool ia_ksyms_has(const struct ia_ksyms *ks, const char *name);
void ia_ksyms_free(struct ia_ksyms *ks);

#endif /* IA_KSYMS_H */
