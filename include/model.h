/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The ownership model: IOMMU groups, their devices, bound drivers and DMA
 * class. Filled from a sysfs snapshot (src/sysfs.c) and kept current by the
 * engine (src/engine.c). Plain data: no BPF, /sys or clock in here.
 */
#ifndef IA_MODEL_H
#define IA_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "iommu_audit.h"
#include "u64map.h"

/*
 * Who does DMA through a device, judged from its bound driver:
 *  KERNEL: a driver that lets the DMA API use the group's default domain
 *          (iommu_device_use_default_domain() at probe);
 *  USER:   a driver that hands DMA to user space (driver_managed_dma, VFIO);
 *  NONE:   no driver, or a driver_managed_dma driver that does no DMA
 *          (pci-stub, pcieport).
 */
enum ia_dma_class {
	IA_DMA_NONE = 0,
	IA_DMA_KERNEL = 1,
	IA_DMA_USER = 2,
};

/*
 * A group's viability. DMA isolation is per group: its devices are all under
 * kernel control or all under user control.
 *  VIABLE:     they agree (all kernel, all user, or idle);
 *  NOT_VIABLE: a user-space driver (VFIO) is bound next to a kernel-DMA
 *              driver: user space cannot claim the group (VFIO's "viable");
 *  VIOLATION:  a kernel-DMA driver while the group is user-owned (owner set,
 *              seen in events): what the ownership rules exist to prevent.
 */
enum ia_verdict {
	IA_VERDICT_VIABLE = 0,
	IA_VERDICT_NOT_VIABLE = 1,
	IA_VERDICT_VIOLATION = 2,
};

#define IA_TYPE_LEN 16
#define IA_RESV_TYPE_LEN 24

struct ia_resv {
	__u64 start;
	__u64 end;
	char type[IA_RESV_TYPE_LEN]; /* "msi", "direct", "direct-relaxable", "reserved" */
};

struct ia_dev {
	char name[IA_NAME_LEN];
	char driver[IA_NAME_LEN]; /* "" when no driver is bound */
	enum ia_dma_class dma;
	__u64 kptr;		  /* struct device * once an event named it, else 0 */
	__u64 domain;		  /* domain it was last attached to (events), else 0 */
	__u64 name_hash;	  /* ia_u64map_hash_str(name) when made by ia_group_dev, else 0 */
};

/* Who owns a user-owned group: the claimant's kind (from the claiming path). */
enum ia_owner_kind {
	IA_OWNER_NONE = 0,
	IA_OWNER_IOMMUFD = 1,	 /* struct iommufd_ctx *: iommufd, VFIO cdev */
	IA_OWNER_VFIO_GROUP = 2, /* struct vfio_group *: the legacy VFIO container */
	IA_OWNER_OTHER = 3,	 /* another in-kernel user of the ownership API */
};

struct ia_group {
	int id;
	char type[IA_TYPE_LEN]; /* default domain type as sysfs spells it ("DMA", "DMA-FQ", ...) */
	struct ia_dev *devs;
	size_t ndevs, devs_cap;
	struct ia_resv *resv;
	size_t nresv, resv_cap;
	/* known only from events */
	__u64 kptr;		/* struct iommu_group * */
	__u64 domain;		/* current domain */
	__u32 domain_type;	/* current domain's type, IA_NO_TYPE if unknown */
	__u64 default_domain;
	__u64 owner;		/* user owner cookie, 0 when none */
	__u32 owner_cnt;
	bool owner_known;
	enum ia_owner_kind owner_kind;
	/*
	 * PASID attachments on the group's devices (attach_pasid minus
	 * detach_pasid, as the events showed them): they leave group->domain
	 * alone, and __iommu_take_dma_ownership() refuses a claim with -EBUSY
	 * while any remains (drivers/iommu/iommu.c, group->pasid_array).
	 */
	__u32 pasids;
	/*
	 * Kernels before v5.19 have no owner count: VFIO keeps a group's
	 * viability itself. Set by a successful vfio_iommu_type1_attach_group
	 * on such a kernel, cleared by its detach: the group is user-owned.
	 */
	bool vfio_held;
	/* findings already raised for the current state (raised again once it clears) */
	bool violation_flagged;
	bool split_flagged;
	/*
	 * Records were lost (the ring buffer was full) since a record last
	 * carried the group's live owner fields: its owner, domains and
	 * drivers are not vouched for (src/resync.c).
	 */
	bool unverified;
};

#define IA_MAX_IOMMUS 8

struct ia_model {
	struct ia_group *groups;
	size_t ngroups, groups_cap;
	/* registered IOMMU instances (/sys/class/iommu: "dmar0", ...) */
	char iommus[IA_MAX_IOMMUS][IA_NAME_LEN];
	int niommus;
	/*
	 * Where to look first (src/model.c): a host with thousands of groups
	 * must not scan them all for every record. Checked on every hit,
	 * rebuilt once a group is removed or the groups sorted; never copied.
	 */
	struct ia_u64map by_id;	 /* group id -> its position in groups */
	struct ia_u64map by_dev; /* device name's hash -> its group's id */
	bool index_stale;
};

void ia_model_init(struct ia_model *m);
void ia_model_free(struct ia_model *m);
/* Deep copy; returns 0 or -ENOMEM (dst is then empty). */
int ia_model_copy(struct ia_model *dst, const struct ia_model *src);

/* Find (or, with create, add) a group; NULL if absent or out of memory. */
struct ia_group *ia_model_group(struct ia_model *m, int id, bool create);
/* Find (or, with create, add) a device of a group. */
struct ia_dev *ia_group_dev(struct ia_group *g, const char *name, bool create);
/* Find a device by name in any group; *gp gets its group. */
struct ia_dev *ia_model_find_dev(struct ia_model *m, const char *name, struct ia_group **gp);
/* Remove a device from its group (the group stays, possibly empty). */
void ia_group_remove_dev(struct ia_group *g, struct ia_dev *d);
/* Remove a group and its devices from the model (pointers into groups move). */
void ia_model_remove_group(struct ia_model *m, struct ia_group *g);
int ia_group_add_resv(struct ia_group *g, __u64 start, __u64 end, const char *type);
/* Groups by id, devices by name: a canonical order for output and comparison. */
void ia_model_sort(struct ia_model *m);
/*
 * The groups in id order without moving them (the engine's order is that of
 * arrival and removal): an array of m->ngroups pointers for the caller to
 * free; NULL when there are none or no memory (then take m->groups as it is).
 */
const struct ia_group **ia_model_by_id(const struct ia_model *m);
/* The i-th group of an output: from ia_model_by_id's array, else the model's own order. */
static inline const struct ia_group *ia_model_nth(const struct ia_model *m,
						  const struct ia_group **by_id, size_t i)
{
	return by_id ? by_id[i] : &m->groups[i];
}

enum ia_verdict ia_group_verdict(const struct ia_group *g);
/* The group's DMA class: the devices' classes combined ("mixed" on a violation). */
const char *ia_group_dma_name(const struct ia_group *g);

const char *ia_dma_class_name(enum ia_dma_class c);
const char *ia_owner_kind_name(enum ia_owner_kind k);
const char *ia_verdict_name(enum ia_verdict v);
/*
 * DMA class of a driver known only by name (snapshot, no events): see
 * src/dmaclass.c for the table and its provenance.
 */
enum ia_dma_class ia_driver_dma_class(const char *driver);
/* Name of an IOMMU_DOMAIN_* type value as sysfs prints it, "unknown" otherwise. */
const char *ia_domain_type_name(__u32 type);

/* Copy a string into a fixed buffer, always terminated. */
void ia_strlcpy(char *dst, const char *src, size_t size);

#endif /* IA_MODEL_H */
