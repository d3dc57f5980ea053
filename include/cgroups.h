/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Cgroups: the names of the cgroup ids the probes record, and the
 * container and pod a cgroup path carries.
 *
 * A probe reads the acting task's cgroup v2 id (bpf_get_current_cgroup_id(),
 * kernel/bpf/helpers.c: cgroup_id(task_dfl_cgroup(current))), the id of
 * the cgroup's kernfs node. On 64-bit kernels since v5.5 ("kernfs: convert
 * kernfs_node->id from union kernfs_node_id to u64"; fs/kernfs/inode.c:
 * kernfs_init_inode() sets i_ino = kernfs_ino(kn)) that id is the inode
 * number of the cgroup's directory in the cgroup2 mount, which is how user
 * space can name it.
 */
#ifndef IA_CGROUPS_H
#define IA_CGROUPS_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#define IA_CGROUP_LEN 256
#define IA_CONTAINER_LEN 72
#define IA_POD_LEN 48
/* Names kept; past it the least recently named one is forgotten (it may be named again). */
#define IA_CGROUPS_MAX 4096

struct ia_cgroup_name {
	__u64 id;
	__u64 used;		    /* the table's clock when last named or looked up */
	char path[IA_CGROUP_LEN];   /* "" when the id could not be found */
};

struct ia_cgroups {
	struct ia_cgroup_name *v;   /* sorted by id */
	size_t n, cap;
	__u64 clock;
};

void ia_cgroups_init(struct ia_cgroups *t);
void ia_cgroups_free(struct ia_cgroups *t);
/* Names id ("" for a cgroup that could not be found). 0 or -ENOMEM. */
int ia_cgroups_set(struct ia_cgroups *t, __u64 id, const char *path);
/* The path of id, "" when it was not found, NULL when never named. */
const char *ia_cgroups_path(struct ia_cgroups *t, __u64 id);

/*
 * Finds the path of cgroup id, relative to the cgroup2 mount ("/system.slice/x.service"):
 * first the cgroup of task pid (<root>/proc/<pid>/cgroup, checked against
 * the directory's inode), then a walk of the cgroup2 mount. root is "" for
 * the live system. 0, or -ENOENT when no cgroup has that id.
 */
int ia_cgroup_find(const char *root, __u64 id, __u32 pid, char *path, size_t size);

/* The cgroup v2 path ("0::" line) of /proc/<pid>/cgroup file path, else the first line's; "" if none. */
void ia_cgroup_of_task(const char *path, char *out, size_t size);

/*
 * The container and pod ids a cgroup path carries, "" when none. The
 * container: the last 64-hex-digit component or scope name of docker,
 * containerd, cri-o and podman ("docker-<id>.scope",
 * "cri-containerd-<id>.scope", "crio-<id>.scope", "libpod-<id>.scope",
 * ".../docker/<id>"). The pod: the Kubernetes uid after "pod" in
 * "kubepods-...-pod<uid>.slice" (systemd driver, '_' for '-') or
 * ".../pod<uid>/..." (cgroupfs driver), with '-' as Kubernetes writes it.
 */
void ia_cgroup_ids(const char *cgroup, char container[IA_CONTAINER_LEN], char pod[IA_POD_LEN]);

#endif /* IA_CGROUPS_H */
