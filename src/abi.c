// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Older event ABIs; see include/abi.h. */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include "abi.h"

bool ia_abi_readable(unsigned int abi)
{
	return abi >= IA_ABI_OLDEST && abi <= IA_ABI_VERSION;
}

/*
 * ABI 4 -> 5: the ABI 5 event is the ABI 4 event with a tail appended
 * (include/iommu_audit.h asserts the offset). An ABI 4 probe read no
 * cgroup and no PASID: the tail says "none".
 */
static int from_v4(const void *rec, size_t len, struct ia_event *out)
{
	__u16 size;

	if (len < IA_EVENT_V4_SIZE)
		return -EINVAL;
	memcpy(&size, (const char *)rec + offsetof(struct ia_event, size), sizeof(size));
	if (size != IA_EVENT_V4_SIZE)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	memcpy(out, rec, IA_EVENT_V4_SIZE);
	out->size = sizeof(*out);
	out->cgroup = 0;	/* not recorded */
	out->pasid = IA_NO_PASID;
	return 0;
}

int ia_event_upgrade(unsigned int abi, const void *rec, size_t len, struct ia_event *out)
{
	switch (abi) {
	case 4:
		return from_v4(rec, len, out);
	default:
		return -EINVAL;
	}
}

const void *ia_event_widen(const void *rec, size_t *len, struct ia_event *out)
{
	struct ia_exit_rec x;
	__u16 type;

	if (*len < sizeof(type))
		return rec;
	memcpy(&type, rec, sizeof(type));
	if (type != IA_REC_EXIT)
		return rec;
	if (*len < sizeof(x))
		return NULL;
	memcpy(&x, rec, sizeof(x));
	if (x.size != sizeof(x) || x.phase != IA_PH_EXIT)
		return NULL;
	memset(out, 0, sizeof(*out));
	memcpy(out, &x, offsetof(struct ia_exit_rec, cgroup));
	out->type = IA_REC_CALL;
	out->size = sizeof(*out);
	out->group_id = IA_NO_GROUP;
	out->domain_type = IA_NO_TYPE;
	out->grp_domain_type = IA_NO_TYPE;
	out->cgroup = x.cgroup;
	memcpy(out->comm, x.comm, sizeof(out->comm));
	*len = sizeof(*out);
	return out;
}
