/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Findings: what the engine concludes from the event stream, each with the
 * sequence numbers of the records that prove it.
 */
#ifndef IA_FINDINGS_H
#define IA_FINDINGS_H

#include <stdbool.h>
#include <linux/types.h>
#include "cgroups.h"
#include "iommu_audit.h"

/* Rule ids are part of the output format (--fail-on, JSON): append only. */
enum ia_rule {
	IA_RULE_NONE = 0,
	IA_RULE_VIABILITY = 1,	       /* kernel-DMA driver in a user-owned group (the state) */
	IA_RULE_BIND_REFUSED = 2,      /* kernel driver bind refused: the group is user-owned */
	IA_RULE_CLAIM_REFUSED = 3,     /* user claim refused: a kernel driver holds the group */
	IA_RULE_SOFT_FAILURE = 4,      /* incompatible domain, then another domain attached */
	IA_RULE_SOFT_UNRESOLVED = 5,   /* incompatible domain, never resolved */
	IA_RULE_HARD_FAILURE = 6,      /* attach failed with an errno other than EINVAL/EMEDIUMTYPE */
	IA_RULE_MULTI_DRIVER_PROBE = 7,	 /* IOMMU probe failed with >1 IOMMU driver, then the bind */
	IA_RULE_MULTI_DRIVER_DOMAIN = 8, /* a domain of one IOMMU driver offered to a device of another */
	IA_RULE_SPLIT_GROUP = 9,       /* devices of one group on different domains */
	IA_RULE_OWNER_IMBALANCE = 10,  /* release without claim, claim outliving its owner */
	IA_RULE_RECORDS_LOST = 11,     /* records lost (ring buffer full): groups unverified */
	IA_RULE_MAX,
};

enum ia_severity {
	IA_SEV_INFO = 0,
	IA_SEV_WARNING = 1,
	IA_SEV_ERROR = 2,
};

#define IA_MAX_EVIDENCE 16
#define IA_MAX_FDEVS 4
#define IA_DETAIL_LEN 192

/* Who acted: the task of the record that raised a finding, and its cgroup. */
struct ia_actor {
	__u32 pid, tid;			/* 0: none (raised at the stream's end, or after a loss) */
	char comm[IA_COMM_LEN];
	__u64 cgroup;			/* cgroup v2 id, 0 if not recorded (event ABI 4) */
	char cgroup_path[IA_CGROUP_LEN]; /* "" when it could not be named */
};

struct ia_finding {
	enum ia_rule rule;
	enum ia_severity sev;
	int group_id;			/* -1 when none */
	char devs[IA_MAX_FDEVS][IA_NAME_LEN];
	int ndevs;
	long err;			/* the errno that shows it (negative), 0 if none */
	__u64 ts_ns;			/* when it became true: the last evidence record's time */
	__u64 evidence[IA_MAX_EVIDENCE];	/* sequence numbers, ascending */
	int nevidence;
	/* soft failures */
	unsigned int retries;		/* failed attaches before the resolution */
	__u64 resolve_ns;		/* first failure to successful attach */
	char drivers[96];		/* IOMMU drivers (domain owners) involved */
	char detail[IA_DETAIL_LEN];
	struct ia_actor actor;
};

const char *ia_rule_name(enum ia_rule r);
/* IA_RULE_NONE for an unknown name. */
enum ia_rule ia_rule_by_name(const char *name);
const char *ia_severity_name(enum ia_severity s);

void ia_finding_add_dev(struct ia_finding *f, const char *dev);
void ia_finding_add_evidence(struct ia_finding *f, __u64 seq);

#endif /* IA_FINDINGS_H */
