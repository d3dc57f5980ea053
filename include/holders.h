/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Who holds a user-owned group: the processes with a VFIO or iommufd file
 * open, found in /proc/<pid>/fd.
 *
 * A group becomes user-owned when user space opens one of
 *   /dev/vfio/<group>            the legacy group file (drivers/vfio/group.c:
 *                                vfio_group_fops_open(), the claim follows at
 *                                VFIO_GROUP_SET_CONTAINER)
 *   /dev/vfio/devices/vfio<N>    a VFIO cdev (drivers/vfio/device_cdev.c,
 *                                6.6+; the claim at VFIO_DEVICE_BIND_IOMMUFD)
 * and, with a cdev, /dev/iommu (the iommufd context that owns the group).
 * The kernel keeps the owner as a pointer nobody can read from user space;
 * the open files are what user space can see. A cdev names its device in
 * /sys/class/vfio-dev/vfio<N>/device, which names the group.
 *
 * Reading another process's fd links needs ptrace access (root or
 * CAP_SYS_PTRACE; proc_fd_access_allowed() in fs/proc/base.c): when any
 * process's fd table could not be read, the holders are unknown, never "none".
 *
 * root is "" for the live system, or a directory with a proc/ and sys/
 * copy for tests.
 */
#ifndef IA_HOLDERS_H
#define IA_HOLDERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "cgroups.h"
#include "model.h"

#define IA_COMM_LEN 16
#define IA_HOLD_PATH_LEN 48

/* One open file of one process on a VFIO or iommufd node. */
struct ia_holder {
	int pid;
	int group;			  /* -1: /dev/iommu, or a cdev whose group is unknown */
	char comm[IA_COMM_LEN];		  /* /proc/<pid>/comm */
	char cgroup[IA_CGROUP_LEN];	  /* the cgroup v2 path ("0::" line), else the first line's */
	char container[IA_CONTAINER_LEN]; /* container id from the cgroup path, "" if none */
	char pod[IA_POD_LEN];		  /* Kubernetes pod uid from the cgroup path, "" if none */
	char path[IA_HOLD_PATH_LEN];	  /* "/dev/vfio/7", "/dev/vfio/devices/vfio0", "/dev/iommu" */
	char dev[IA_NAME_LEN];		  /* a cdev's device, else "" */
};

struct ia_holders {
	struct ia_holder *v; /* sorted by group, pid, path */
	size_t n, cap;
	bool known;	     /* every process's fd table was read */
	int denied;	     /* processes whose fd table was refused */
	int denied_pid;	     /* the first of them */
};

void ia_holders_init(struct ia_holders *h);
void ia_holders_free(struct ia_holders *h);

/*
 * Scan <root>/proc/[0-9]*\/fd. Processes that exit while being read are
 * skipped. A /dev/iommu open by a process that also holds a cdev is
 * reported under each of that process's cdev groups; one without a cdev
 * is kept with group -1. Returns 0 (h->known false when some fd table was
 * refused), or a negative errno when <root>/proc itself cannot be read.
 */
int ia_holders_scan(const char *root, struct ia_holders *h);

/* Whether group g is held by some process (false when unknown, too). */
bool ia_holders_group_held(const struct ia_holders *h, int group);


/*
 * One line per holder of group g into text (ia_holders_print_text) or a
 * "holders" JSON array; see holders.c.
 */
struct ia_json;
void ia_holders_print_text(FILE *out, const struct ia_holders *h, int group, const char *indent);
void ia_holders_json_array(struct ia_json *j, const struct ia_holders *h, int group);
/* {"type":"holders",...} for every group with a user-class device or a holder. */
void ia_holders_print_json(struct ia_json *j, const struct ia_holders *h, const struct ia_model *m);
/* Text lines for the same groups as ia_holders_print_json. */
void ia_holders_print_groups(FILE *out, const struct ia_holders *h, const struct ia_model *m);

#endif /* IA_HOLDERS_H */
