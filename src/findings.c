// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Names of rules and severities; small helpers for building findings. */
#include <string.h>
#include "findings.h"
#include "model.h"

static const char *const rule_names[IA_RULE_MAX] = {
	[IA_RULE_VIABILITY] = "viability",
	[IA_RULE_BIND_REFUSED] = "bind-refused",
	[IA_RULE_CLAIM_REFUSED] = "claim-refused",
	[IA_RULE_SOFT_FAILURE] = "soft-failure",
	[IA_RULE_SOFT_UNRESOLVED] = "soft-failure-unresolved",
	[IA_RULE_HARD_FAILURE] = "hard-failure",
	[IA_RULE_MULTI_DRIVER_PROBE] = "multi-driver-probe",
	[IA_RULE_MULTI_DRIVER_DOMAIN] = "multi-driver-domain",
	[IA_RULE_SPLIT_GROUP] = "split-group",
	[IA_RULE_OWNER_IMBALANCE] = "owner-imbalance",
	[IA_RULE_RECORDS_LOST] = "records-lost",
};

const char *ia_rule_name(enum ia_rule r)
{
	return r > IA_RULE_NONE && r < IA_RULE_MAX ? rule_names[r] : "unknown";
}

enum ia_rule ia_rule_by_name(const char *name)
{
	for (int r = IA_RULE_NONE + 1; r < IA_RULE_MAX; r++)
		if (!strcmp(rule_names[r], name))
			return (enum ia_rule)r;
	return IA_RULE_NONE;
}

const char *ia_severity_name(enum ia_severity s)
{
	switch (s) {
	case IA_SEV_ERROR: return "error";
	case IA_SEV_WARNING: return "warning";
	default: return "info";
	}
}

void ia_finding_add_dev(struct ia_finding *f, const char *dev)
{
	if (!dev || !dev[0] || f->ndevs == IA_MAX_FDEVS)
		return;
	for (int i = 0; i < f->ndevs; i++)
		if (!strcmp(f->devs[i], dev))
			return;
	ia_strlcpy(f->devs[f->ndevs++], dev, IA_NAME_LEN);
}

/* Kept ascending and unique; the oldest are kept when there are too many. */
void ia_finding_add_evidence(struct ia_finding *f, __u64 seq)
{
	int i;

	if (!seq || f->nevidence == IA_MAX_EVIDENCE)
		return;
	for (i = f->nevidence; i > 0 && f->evidence[i - 1] > seq; i--)
		;
	if (i > 0 && f->evidence[i - 1] == seq)
		return;
	memmove(&f->evidence[i + 1], &f->evidence[i], (size_t)(f->nevidence - i) * sizeof(seq));
	f->evidence[i] = seq;
	f->nevidence++;
}
