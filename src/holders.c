// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The processes holding VFIO and iommufd files (see holders.h): a walk of
 * /proc/<pid>/fd, each link read with readlinkat(). The link of an open
 * character device is its path ("/dev/vfio/7"), as proc_fd_link() gives it.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "grow.h"
#include "holders.h"
#include "json.h"
#include "sysfs.h"

#define VFIO_GROUP_PREFIX "/dev/vfio/"
#define VFIO_CDEV_PREFIX "/dev/vfio/devices/"
#define IOMMUFD_PATH "/dev/iommu"

void ia_holders_init(struct ia_holders *h)
{
	memset(h, 0, sizeof(*h));
	h->known = true;
}

void ia_holders_free(struct ia_holders *h)
{
	free(h->v);
	ia_holders_init(h);
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* The first line of a small file, trimmed; "" when it cannot be read. */
static void read_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "re");
	size_t len;

	buf[0] = '\0';
	if (!f)
		return;
	if (!fgets(buf, (int)size, f))
		buf[0] = '\0';
	fclose(f);
	len = strlen(buf);
	while (len && isspace((unsigned char)buf[len - 1]))
		buf[--len] = '\0';
}

/* The group of a cdev: /sys/class/vfio-dev/<node>/device -> <dev>/iommu_group. */
static void cdev_group(const char *root, const char *node, struct ia_holder *o)
{
	char rel[PATH_MAX], group[16];

	o->group = -1;
	if (ia_path_fmt(rel, sizeof(rel), "sys/class/vfio-dev/%s/device", node) ||
	    ia_link_name(root, rel, o->dev, sizeof(o->dev)) ||
	    ia_path_fmt(rel, sizeof(rel), "sys/class/vfio-dev/%s/device/iommu_group", node) ||
	    ia_link_name(root, rel, group, sizeof(group)))
		return;
	if (all_digits(group))
		o->group = atoi(group);
}

/* Classify a link target; false when it is not a VFIO or iommufd node. */
static bool classify(const char *root, const char *target, struct ia_holder *o)
{
	const char *rest;

	if (!strcmp(target, IOMMUFD_PATH)) {
		o->group = -1;
	} else if (!strncmp(target, VFIO_CDEV_PREFIX, strlen(VFIO_CDEV_PREFIX))) {
		rest = target + strlen(VFIO_CDEV_PREFIX);
		if (strncmp(rest, "vfio", 4) || !all_digits(rest + 4))
			return false;
		cdev_group(root, rest, o);
	} else if (!strncmp(target, VFIO_GROUP_PREFIX, strlen(VFIO_GROUP_PREFIX))) {
		rest = target + strlen(VFIO_GROUP_PREFIX);
		if (!all_digits(rest) || strlen(rest) > 9)
			return false; /* "/dev/vfio/vfio" is the container, not a group */
		o->group = atoi(rest);
	} else {
		return false;
	}
	ia_strlcpy(o->path, target, sizeof(o->path));
	return true;
}

static int add(struct ia_holders *h, const struct ia_holder *o)
{
	int err = ia_grow((void **)&h->v, &h->cap, h->n + 1, sizeof(*h->v));

	if (err)
		return err;
	h->v[h->n++] = *o;
	return 0;
}

/* The identity of a process, read once it holds something. */
static void identify(const char *pdir, int pid, struct ia_holder *o)
{
	char path[PATH_MAX];

	memset(o, 0, sizeof(*o));
	o->pid = pid;
	if (!ia_path_fmt(path, sizeof(path), "%s/comm", pdir))
		read_line(path, o->comm, sizeof(o->comm));
	if (!ia_path_fmt(path, sizeof(path), "%s/cgroup", pdir))
		ia_cgroup_of_task(path, o->cgroup, sizeof(o->cgroup));
	ia_cgroup_ids(o->cgroup, o->container, o->pod);
}

static void with_identity(struct ia_holder *o, const struct ia_holder *who)
{
	o->pid = who->pid;
	memcpy(o->comm, who->comm, sizeof(o->comm));
	memcpy(o->cgroup, who->cgroup, sizeof(o->cgroup));
	memcpy(o->container, who->container, sizeof(o->container));
	memcpy(o->pod, who->pod, sizeof(o->pod));
}

/*
 * A /dev/iommu of a process with cdevs belongs to their groups (the
 * context that owns them); the holder at first, which has group -1,
 * becomes one entry per cdev group.
 */
static int spread_iommufd(struct ia_holders *h, size_t first)
{
	size_t end = h->n;
	int err = 0;

	for (size_t i = first; i < end && !err; i++) {
		struct ia_holder fd = h->v[i];
		bool spread = false;

		if (strcmp(fd.path, IOMMUFD_PATH))
			continue;
		for (size_t k = first; k < end && !err; k++) {
			if (h->v[k].group < 0 || strncmp(h->v[k].path, VFIO_CDEV_PREFIX,
							 strlen(VFIO_CDEV_PREFIX)))
				continue;
			fd.group = h->v[k].group;
			if (!spread)
				h->v[i] = fd;
			else
				err = add(h, &fd);
			spread = true;
		}
	}
	return err;
}

/* One process: 0, -EACCES when its fd table is refused, another negative errno. */
static int scan_pid(const char *root, const char *proc, const char *name, struct ia_holders *h)
{
	char pdir[PATH_MAX], link[PATH_MAX], target[PATH_MAX];
	struct ia_holder who, o;
	size_t first = h->n;
	bool identified = false;
	struct dirent *e;
	int dfd, err = 0;
	DIR *dir;
	ssize_t n;

	if (ia_path_fmt(pdir, sizeof(pdir), "%s/%s", proc, name) ||
	    ia_path_fmt(link, sizeof(link), "%s/fd", pdir))
		return -ENAMETOOLONG;
	dfd = open(link, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return errno == ENOENT || errno == ESRCH ? 0 : -errno; /* exited */
	dir = fdopendir(dfd);
	if (!dir) {
		close(dfd);
		return -errno;
	}
	while (!err && (e = readdir(dir))) {
		if (!all_digits(e->d_name))
			continue;
		n = readlinkat(dfd, e->d_name, target, sizeof(target) - 1);
		if (n < 0) {
			err = errno == ENOENT ? 0 : -errno; /* closed meanwhile */
			continue;
		}
		target[n] = '\0';
		memset(&o, 0, sizeof(o));
		if (!classify(root, target, &o))
			continue;
		if (!identified) {
			identify(pdir, atoi(name), &who);
			identified = true;
		}
		with_identity(&o, &who);
		err = add(h, &o);
	}
	closedir(dir);
	return err ? err : spread_iommufd(h, first);
}

static int cmp_holder(const void *a, const void *b)
{
	const struct ia_holder *x = a, *y = b;

	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return strcmp(x->path, y->path);
}

int ia_holders_scan(const char *root, struct ia_holders *h)
{
	char proc[PATH_MAX];
	struct dirent *e;
	int err;
	DIR *dir;

	ia_holders_free(h);
	err = ia_root_path(proc, sizeof(proc), root, "proc");
	if (err)
		return err;
	dir = opendir(proc);
	if (!dir)
		return -errno;
	while ((e = readdir(dir))) {
		if (!all_digits(e->d_name))
			continue;
		err = scan_pid(root, proc, e->d_name, h);
		if (err == -EACCES || err == -EPERM) {
			if (!h->denied++)
				h->denied_pid = atoi(e->d_name);
			h->known = false;
			err = 0;
		}
		if (err)
			break;
	}
	closedir(dir);
	if (err) {
		ia_holders_free(h);
		return err;
	}
	qsort(h->v, h->n, sizeof(*h->v), cmp_holder);
	return 0;
}

bool ia_holders_group_held(const struct ia_holders *h, int group)
{
	for (size_t i = 0; i < h->n; i++)
		if (h->v[i].group == group)
			return true;
	return false;
}

/* ---- output ---- */

static void holder_text(FILE *out, const struct ia_holder *o, const char *indent)
{
	fprintf(out, "%sheld by pid %d (%s) cgroup %s", indent, o->pid, o->comm[0] ? o->comm : "?",
		o->cgroup[0] ? o->cgroup : "?");
	if (o->container[0])
		fprintf(out, " container %.12s", o->container);
	if (o->pod[0])
		fprintf(out, " pod %s", o->pod);
	fprintf(out, " via %s%s%s\n", o->path, o->dev[0] ? " " : "", o->dev);
}

void ia_holders_print_text(FILE *out, const struct ia_holders *h, int group, const char *indent)
{
	bool any = false;

	for (size_t i = 0; i < h->n; i++) {
		if (h->v[i].group != group)
			continue;
		holder_text(out, &h->v[i], indent);
		any = true;
	}
	if (!h->known)
		fprintf(out, "%sholders unknown: %d processes' file descriptors could not be read "
			"(pid %d first; needs root or CAP_SYS_PTRACE)\n", indent, h->denied,
			h->denied_pid);
	else if (!any)
		fprintf(out, "%sheld by no process\n", indent);
}

void ia_holders_json_array(struct ia_json *j, const struct ia_holders *h, int group)
{
	ia_json_key(j, "processes");
	ia_json_arr_begin(j);
	for (size_t i = 0; i < h->n; i++) {
		const struct ia_holder *o = &h->v[i];

		if (o->group != group)
			continue;
		ia_json_obj_begin(j);
		ia_json_kint(j, "pid", o->pid);
		ia_json_kstr(j, "comm", o->comm);
		ia_json_kstr(j, "cgroup", o->cgroup);
		ia_json_kstr(j, "container", o->container);
		ia_json_kstr(j, "pod", o->pod);
		ia_json_kstr(j, "file", o->path);
		ia_json_kstr(j, "device", o->dev);
		ia_json_obj_end(j);
	}
	ia_json_arr_end(j);
}

static bool group_has_user_dev(const struct ia_group *g)
{
	for (size_t i = 0; i < g->ndevs; i++)
		if (g->devs[i].dma == IA_DMA_USER)
			return true;
	return false;
}

/* Groups worth a holders line: a user-class device (VFIO) or a holder seen. */
static bool shown(const struct ia_holders *h, const struct ia_group *g)
{
	return group_has_user_dev(g) || ia_holders_group_held(h, g->id);
}

void ia_holders_print_json(struct ia_json *j, const struct ia_holders *h, const struct ia_model *m)
{
	for (size_t i = 0; i < m->ngroups; i++) {
		const struct ia_group *g = &m->groups[i];

		if (!shown(h, g))
			continue;
		ia_json_obj_begin(j);
		ia_json_kstr(j, "type", "holders");
		ia_json_kint(j, "schema", 1);
		ia_json_kint(j, "group", g->id);
		ia_json_kbool(j, "known", h->known);
		ia_json_kint(j, "denied", h->denied);
		ia_holders_json_array(j, h, g->id);
		ia_json_obj_end(j);
	}
}

void ia_holders_print_groups(FILE *out, const struct ia_holders *h, const struct ia_model *m)
{
	for (size_t i = 0; i < m->ngroups; i++) {
		const struct ia_group *g = &m->groups[i];

		if (!shown(h, g))
			continue;
		fprintf(out, "group %d:\n", g->id);
		ia_holders_print_text(out, h, g->id, "  ");
	}
}
