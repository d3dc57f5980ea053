/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the record stream showed, tallied: exit records per hook and per
 * returned errno (what `diff` compares between recordings and what the
 * metrics export as calls by result), and which IOMMU group each domain
 * served (so that map/unmap histograms of a domain that is gone still count
 * for its group). Fed one decoded record at a time by replay and by the live
 * loop alike. Pure.
 */
#ifndef IA_CALLS_H
#define IA_CALLS_H

#include <stddef.h>
#include "iommu_audit.h"
#include "u64map.h"

/* Exit records of one hook that returned one errno. */
struct ia_errno_count {
	__u16 hook;
	__u16 err; /* positive errno */
	__u64 n;
};

/* A domain seen as a group's domain or default domain (group->domain, ->default_domain). */
struct ia_domain_group {
	__u64 domain;
	int group;
};

#define IA_CALLS_DOMAINS 4096 /* the most recent domains remembered */

struct ia_calls {
	__u64 exits[IA_HOOK_MAX];      /* exit records per hook */
	struct ia_errno_count *errnos; /* sorted by hook, then errno */
	size_t nerrnos, errnos_cap;
	struct ia_domain_group *domains; /* IA_CALLS_DOMAINS slots, the oldest replaced */
	size_t ndomains, next;
	struct ia_u64map slot_of; /* domain -> its slot, checked on use; rebuilt as it fills */
};

/*
 * The errno an exit record reports, positive, or 0 for a success or a
 * value that is not an errno: a negative errno, an ERR_PTR of a
 * pointer-returning hook (IA_F_RET_PTR), or really_probe's positive driver
 * probe error. Void hooks report none.
 */
int ia_exit_errno(const struct ia_event *ev);

/* Count ev if it is an exit; remember its group's domains. 0 or -ENOMEM. */
int ia_calls_count(struct ia_calls *c, const struct ia_event *ev);
/* The group a domain last served, or -1. */
int ia_calls_domain_group(const struct ia_calls *c, __u64 domain);
/* Exits of hook that returned err (positive), 0 when none. */
__u64 ia_calls_errno(const struct ia_calls *c, unsigned int hook, unsigned int err);
void ia_calls_free(struct ia_calls *c);

#endif /* IA_CALLS_H */
