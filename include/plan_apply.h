/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Carrying out a plan (plan.h) through sysfs, each step verified against
 * sysfs, with a rollback that restores every device touched to its previous
 * driver and driver_override when any step fails: a group is never left
 * half-moved. And the records --apply keeps for --release: one file per
 * device, "<dir>/<device>" holding "driver=NAME\noverride=NAME\n".
 * root: "" for the live system, or a fixture directory.
 */
#ifndef IA_PLAN_APPLY_H
#define IA_PLAN_APPLY_H

#include <stdbool.h>
#include <stddef.h>
#include "plan.h"

/* Where records live unless $IOMMU_AUDIT_STATE_DIR says otherwise. */
#define IA_PLAN_STATE_DIR "/run/iommu-audit/plan"

#define IA_APPLY_DETAIL_LEN 192

/* What one step, or one device's restore, did. */
struct ia_apply_entry {
	enum ia_step_op op;	    /* a step; for a restore, the last operation tried */
	char dev[IA_NAME_LEN];
	char driver[IA_NAME_LEN];   /* the step's driver; a restore's previous driver */
	char override[IA_NAME_LEN]; /* a restore's previous driver_override */
	char now[IA_NAME_LEN];	    /* the driver bound afterwards, read back from sysfs */
	int err;		    /* positive errno; 0 when done and verified */
	char detail[IA_APPLY_DETAIL_LEN];
};

struct ia_apply {
	struct ia_apply_entry *steps;	 /* the steps carried out, in order, the failed one last */
	size_t nsteps, steps_cap;
	struct ia_apply_entry *restores; /* after a failure: one per device touched */
	size_t nrestores, restores_cap;
	bool ok;			 /* every step done and verified */
	bool restored;			 /* after a failure: every device back as it was */
};

void ia_apply_init(struct ia_apply *a);
void ia_apply_free(struct ia_apply *a);

/*
 * Carry out p's steps. 0 when every step was verified (a->ok); otherwise
 * the devices touched are restored (a->restored says whether that worked)
 * and the first failure's negative errno is returned. -ENOMEM before any
 * step is taken.
 */
int ia_plan_apply(const char *root, const struct ia_plan *p, struct ia_apply *a);

/* The state directory: $IOMMU_AUDIT_STATE_DIR, else IA_PLAN_STATE_DIR. */
const char *ia_plan_state_dir(void);
/*
 * Read every record of dir into *out (malloc'd; *n entries, 0 when dir does
 * not exist). Lines other than driver= and override= are ignored. 0 or a
 * negative errno.
 */
int ia_plan_records_load(const char *dir, struct ia_plan_record **out, size_t *n);
/* After a verified --apply: the previous binding of every device that moved. */
int ia_plan_records_save(const char *dir, const struct ia_plan *p);
/* After a verified --apply --release: the records of the devices returned, removed. */
int ia_plan_records_drop(const char *dir, const struct ia_plan *p);

#endif /* IA_PLAN_APPLY_H */
