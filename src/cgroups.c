// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Cgroup names and the ids cgroup paths carry; see include/cgroups.h. */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include "cgroups.h"
#include "grow.h"
#include "model.h"
#include "sysfs.h"

#define ID_HEX_LEN 64
#define CGROUP2_SUPER_MAGIC 0x63677270 /* include/uapi/linux/magic.h */
#define MAX_WALK_DEPTH 32

void ia_cgroups_init(struct ia_cgroups *t)
{
	memset(t, 0, sizeof(*t));
}

void ia_cgroups_free(struct ia_cgroups *t)
{
	free(t->v);
	ia_cgroups_init(t);
}

/* The index of id, or where it would go. */
static size_t slot(const struct ia_cgroups *t, __u64 id)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->v[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void forget_least_used(struct ia_cgroups *t)
{
	size_t old = 0;

	for (size_t i = 1; i < t->n; i++)
		if (t->v[i].used < t->v[old].used)
			old = i;
	memmove(&t->v[old], &t->v[old + 1], (t->n - old - 1) * sizeof(*t->v));
	t->n--;
}

int ia_cgroups_set(struct ia_cgroups *t, __u64 id, const char *path)
{
	size_t i = slot(t, id);

	if (i == t->n || t->v[i].id != id) {
		if (t->n >= IA_CGROUPS_MAX) {
			forget_least_used(t);
			i = slot(t, id);
		}
		if (ia_grow((void **)&t->v, &t->cap, t->n + 1, sizeof(*t->v)))
			return -ENOMEM;
		memmove(&t->v[i + 1], &t->v[i], (t->n - i) * sizeof(*t->v));
		t->n++;
		t->v[i].id = id;
	}
	ia_strlcpy(t->v[i].path, path, sizeof(t->v[i].path));
	t->v[i].used = ++t->clock;
	return 0;
}

const char *ia_cgroups_path(struct ia_cgroups *t, __u64 id)
{
	size_t i = slot(t, id);

	if (i == t->n || t->v[i].id != id)
		return NULL;
	t->v[i].used = ++t->clock;
	return t->v[i].path;
}

void ia_cgroup_of_task(const char *path, char *out, size_t size)
{
	char line[IA_CGROUP_LEN + 64];
	FILE *f = fopen(path, "re");
	char *p;

	out[0] = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		p = strchr(line, ':');
		p = p ? strchr(p + 1, ':') : NULL;
		if (!p)
			continue;
		if (!out[0] || !strncmp(line, "0::", 3))
			ia_strlcpy(out, p + 1, size);
		if (!strncmp(line, "0::", 3))
			break;
	}
	fclose(f);
}

/* The cgroup2 mount: /sys/fs/cgroup (unified) or /sys/fs/cgroup/unified (hybrid). */
static int cgroup2_mount(const char *root, char *mnt, size_t size)
{
	static const char *const where[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/unified" };
	struct statfs sf;

	for (size_t i = 0; i < sizeof(where) / sizeof(where[0]); i++) {
		if (ia_path_fmt(mnt, size, "%s%s", root, where[i]))
			continue;
		/* a test root is a plain directory tree: accept it as it is */
		if (!statfs(mnt, &sf) && (root[0] || sf.f_type == CGROUP2_SUPER_MAGIC))
			return 0;
	}
	return -ENOENT;
}

static bool dir_is(const char *path, __u64 id)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode) && (__u64)st.st_ino == id;
}

/* Depth-first search under dir (a path of size bytes, extended in place) for inode id. */
static bool walk(char *dir, size_t size, __u64 id, int depth)
{
	size_t len = strlen(dir);
	struct dirent *de;
	bool found = false;
	DIR *d;

	if (depth > MAX_WALK_DEPTH || !(d = opendir(dir)))
		return false;
	while (!found && (de = readdir(d))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if (len + 1 + strlen(de->d_name) + 1 > size)
			continue;
		snprintf(dir + len, size - len, "/%s", de->d_name);
		if (de->d_ino == id && dir_is(dir, id))
			found = true;
		else
			found = walk(dir, size, id, depth + 1);
		if (!found)
			dir[len] = '\0';
	}
	closedir(d);
	return found;
}

int ia_cgroup_find(const char *root, __u64 id, __u32 pid, char *path, size_t size)
{
	char mnt[IA_CGROUP_LEN], dir[2 * IA_CGROUP_LEN + 64], file[64 + IA_CGROUP_LEN], cg[IA_CGROUP_LEN];
	size_t mlen;

	path[0] = '\0';
	if (!id || cgroup2_mount(root, mnt, sizeof(mnt)))
		return -ENOENT;
	mlen = strlen(mnt);
	if (dir_is(mnt, id)) {
		ia_strlcpy(path, "/", size);
		return 0;
	}
	/* the task's own cgroup, as /proc says it, when that is the one */
	if (pid && !ia_path_fmt(file, sizeof(file), "%s/proc/%u/cgroup", root, pid)) {
		ia_cgroup_of_task(file, cg, sizeof(cg));
		if (cg[0] == '/' && !ia_path_fmt(dir, sizeof(dir), "%s%s", mnt, cg) && dir_is(dir, id)) {
			ia_strlcpy(path, cg, size);
			return 0;
		}
	}
	ia_strlcpy(dir, mnt, sizeof(dir));
	if (!walk(dir, sizeof(dir), id, 0))
		return -ENOENT;
	ia_strlcpy(path, dir + mlen, size);
	return 0;
}

static bool hex_run(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* The last 64-hex-digit run that is a whole id (not part of a longer one). */
static void find_container(const char *cg, char *out, size_t size)
{
	size_t len = strlen(cg);

	out[0] = '\0';
	for (size_t i = 0; i + ID_HEX_LEN <= len; i++) {
		bool left = !i || !isxdigit((unsigned char)cg[i - 1]);
		bool right = i + ID_HEX_LEN == len || !isxdigit((unsigned char)cg[i + ID_HEX_LEN]);

		if (left && right && hex_run(cg + i, ID_HEX_LEN) && size > ID_HEX_LEN) {
			memcpy(out, cg + i, ID_HEX_LEN);
			out[ID_HEX_LEN] = '\0';
		}
	}
}

/* "pod<uid>" after '/' or '-': the uid, with '_' (systemd slices) turned back into '-'. */
static void find_pod(const char *cg, char *out, size_t size)
{
	const char *p = cg;
	size_t n = 0;

	out[0] = '\0';
	while ((p = strstr(p, "pod"))) {
		if (p > cg && (p[-1] == '/' || p[-1] == '-')) {
			p += 3;
			for (n = 0; n + 1 < size && (isxdigit((unsigned char)p[n]) || p[n] == '-' ||
						     p[n] == '_'); n++)
				out[n] = p[n] == '_' ? '-' : p[n];
			out[n] = '\0';
			if (n >= 32)
				return;
			out[0] = '\0';
			continue;
		}
		p += 3;
	}
}

void ia_cgroup_ids(const char *cgroup, char container[IA_CONTAINER_LEN], char pod[IA_POD_LEN])
{
	find_container(cgroup, container, IA_CONTAINER_LEN);
	find_pod(cgroup, pod, IA_POD_LEN);
}
