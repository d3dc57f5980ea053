/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Text and JSON views of a plan (plan.h) and of what --apply did
 * (plan_apply.h). JSON: one "plan" object, then with --apply one
 * "plan_apply" object (include/iommu-audit.schema.json).
 */
#ifndef IA_PLAN_OUT_H
#define IA_PLAN_OUT_H

#include <stdio.h>
#include "holders.h"
#include "json.h"
#include "plan.h"
#include "plan_apply.h"

#define IA_PLAN_SCHEMA 1

struct ia_plan_view {
	const struct ia_plan *plan;
	const struct ia_holders *holders; /* NULL: not scanned */
	const char *target;
	bool release;
};

void ia_plan_print_text(FILE *out, const struct ia_plan_view *v);
void ia_plan_print_json(struct ia_json *j, const struct ia_plan_view *v);
void ia_apply_print_text(FILE *out, const struct ia_apply *a);
void ia_apply_print_json(struct ia_json *j, const struct ia_apply *a, bool release);

#endif /* IA_PLAN_OUT_H */
