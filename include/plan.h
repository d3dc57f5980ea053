/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What handing devices to a driver takes, by the running kernel's rules:
 * for each group touched, every device's verdict, the kernel's predicted
 * answer to each bind and to a user claim of the group, and the ordered
 * steps. Pure: it reads a model (sysfs.c), what sysfs says of each device
 * (pcidev.c), the host-critical devices (critical.c), the holders
 * (holders.c) and the records of earlier moves; no /sys, no /proc here.
 *
 * The rules (kernel-notes §1; drivers/pci/pci-driver.c, drivers/iommu/iommu.c):
 *  - really_probe() -> pci_dma_configure(): a driver without
 *    driver_managed_dma calls iommu_device_use_default_domain(), which adds
 *    to the group's owner_cnt, and fails -EBUSY while the group is
 *    user-owned (owner set, or domain not the default);
 *  - a user claim, iommu_group_claim_dma_owner() (legacy VFIO group, at
 *    VFIO_GROUP_SET_CONTAINER) or iommu_device_claim_dma_owner() (VFIO
 *    cdev, at VFIO_DEVICE_BIND_IOMMUFD), fails -EPERM while owner_cnt is
 *    not 0 with another owner: any kernel-DMA driver bound in the group;
 *  - vfio-pci sets driver_managed_dma, so its bind succeeds next to kernel
 *    drivers (and the claim then fails): the classic half-moved group;
 *  - vfio_pci_core_register_device() refuses a device whose header type is
 *    not normal (-EINVAL): bridges never go to vfio-pci; vfio_pci_probe()
 *    refuses the devices of its denylist (-EINVAL) unless disable_denylist;
 *  - drivers that set driver_managed_dma take no DMA ownership (dmaclass.c):
 *    unbound devices, pcieport and pci-stub never stand in the way.
 */
#ifndef IA_PLAN_H
#define IA_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include "critical.h"
#include "holders.h"
#include "model.h"

/* Exit statuses of `plan` beyond cli.h's. */
#define IA_EXIT_PLAN_REFUSED 1	/* the kernel will refuse what was asked */
#define IA_EXIT_PLAN_PEERS 5	/* more devices must move */
#define IA_EXIT_PLAN_CRITICAL 6 /* a host-critical device is in the way */

#define IA_PLAN_WHY_LEN 224

/* What sysfs says of a device beyond the model (pcidev.c). */
struct ia_devinfo {
	char name[IA_NAME_LEN];
	bool pci;			/* on the PCI bus */
	int hdr_type;			/* config byte 0x0e & 0x7f; -1 unknown */
	unsigned int class_code;	/* the class file, 24 bits */
	unsigned int vendor, device;
	char override[IA_NAME_LEN];	/* driver_override; "" when none */
};

/* A device's previous binding, kept by --apply for --release. */
struct ia_plan_record {
	char dev[IA_NAME_LEN];
	char driver[IA_NAME_LEN];
	char override[IA_NAME_LEN];
};

enum ia_plan_verdict {
	IA_PV_MOVE = 0,	       /* named: goes to the target */
	IA_PV_MUST_MOVE = 1,   /* a peer on a kernel-DMA driver: the claim fails while it stays */
	IA_PV_EXEMPT = 2,      /* takes no DMA ownership: unbound, or driver_managed_dma */
	IA_PV_ALREADY = 3,     /* already on the target */
	IA_PV_UNBIND_ONLY = 4, /* must give up its kernel driver, cannot go to the target */
	IA_PV_REFUSED = 5,     /* named, but the kernel will not give it to the target */
	IA_PV_RETURN = 6,      /* --release: goes back */
	IA_PV_STAYS = 7,       /* --release: not moved by a plan, left as it is */
};

struct ia_plan_dev {
	char name[IA_NAME_LEN];
	char driver[IA_NAME_LEN]; /* now; "" when unbound */
	char override[IA_NAME_LEN];
	enum ia_dma_class dma;
	enum ia_plan_verdict verdict;
	bool named;
	bool moves;		  /* the steps change its binding */
	bool bridge;
	bool pci;
	char to[IA_NAME_LEN];	  /* the driver it ends on; "" none (or the kernel's pick, see to_known) */
	bool to_known;		  /* false: --release without a record, the kernel picks */
	char to_override[IA_NAME_LEN];
	int bind_err;		  /* predicted errno of its bind, positive; 0 success */
	char why[IA_PLAN_WHY_LEN];
	char critical[IA_CRITICAL_WHY_LEN]; /* "" when not host-critical */
};

struct ia_plan_group {
	int id;
	size_t first, ndevs;	/* its devices: devs[first .. first + ndevs) */
	bool claims;		/* the target is a VFIO driver: a user claim follows */
	int claim_err;		/* predicted errno of that claim after the steps; 0 success */
	char claim_why[IA_PLAN_WHY_LEN];
	bool held;		/* a process holds it (holders.c) */
};

enum ia_step_op {
	IA_STEP_UNBIND = 0,   /* DEV > /sys/bus/pci/drivers/DRIVER/unbind */
	IA_STEP_OVERRIDE = 1, /* DRIVER > /sys/bus/pci/devices/DEV/driver_override ("" clears) */
	IA_STEP_BIND = 2,     /* DEV > /sys/bus/pci/drivers/DRIVER/bind */
	IA_STEP_PROBE = 3,    /* DEV > /sys/bus/pci/drivers_probe (the kernel picks) */
};

struct ia_plan_step {
	enum ia_step_op op;
	char dev[IA_NAME_LEN];
	char driver[IA_NAME_LEN];
};

struct ia_plan_input {
	const struct ia_model *m;
	const struct ia_devinfo *info; /* for every device of the model */
	size_t ninfo;
	const struct ia_criticals *critical;
	const struct ia_holders *holders;
	const struct ia_plan_record *records;
	size_t nrecords;
	char (*devs)[IA_NAME_LEN];     /* the devices named, full PCI addresses */
	int ndevs;
	const char *target;	       /* "vfio-pci" */
	bool target_loaded;	       /* /sys/bus/pci/drivers/<target> exists */
	bool denylist_disabled;	       /* vfio-pci's disable_denylist */
	bool release, with_peers, allow_critical;
	/*
	 * The running kernel's generation: before v5.19 there is no DMA
	 * ownership API (VFIO alone judges viability, and refuses a device fd
	 * of a non-viable group with EINVAL); before v5.14 a driver's probe
	 * error does not reach a sysfs bind, which fails ENODEV.
	 */
	bool no_owner_api;
	bool probe_errno_dropped;
};

struct ia_plan {
	struct ia_plan_group *groups;
	size_t ngroups, groups_cap;
	struct ia_plan_dev *devs;
	size_t ndevs, devs_cap;
	struct ia_plan_step *steps;
	size_t nsteps, steps_cap;
	int status;			/* 0, IA_EXIT_PLAN_PEERS, IA_EXIT_PLAN_CRITICAL, or 1: refused */
	char message[IA_PLAN_WHY_LEN];	/* the verdict in one line */
};

void ia_plan_init(struct ia_plan *p);
void ia_plan_free(struct ia_plan *p);

/*
 * Build the plan. 0; -ENODEV when a named device is in no group of the
 * model (the caller says why: no such device, or no IOMMU); -ENOMEM.
 */
int ia_plan_build(const struct ia_plan_input *in, struct ia_plan *p);

/*
 * A PCI address as given ("03:01.0", "0000:03:01.0", any case) in full,
 * lower case: 0, or -EINVAL when it is not one.
 */
int ia_pci_name_normalize(const char *in, char *out, size_t size);

const char *ia_plan_verdict_name(enum ia_plan_verdict v);
const char *ia_step_op_name(enum ia_step_op op);
/* "EPERM" for 1, ... : the names the plan predicts; "OK" for 0. */
const char *ia_plan_errno_name(int err);
/* Whether a device is a bridge by its header type (else its class code). */
bool ia_devinfo_bridge(const struct ia_devinfo *d);

#endif /* IA_PLAN_H */
