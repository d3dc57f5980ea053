// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Fill the ownership model from /sys/kernel/iommu_groups (see sysfs.h for
 * the kernel functions that publish each file). Everything below a group
 * directory is opened relative to a directory fd, so a group that vanishes
 * mid-read (hot unplug: iommu_group_remove_device() drops the last device
 * and the group kobject) shows up as ENOENT and is skipped, not mixed up.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "sysfs.h"

#define GROUPS_REL "sys/kernel/iommu_groups"
#define IOMMUS_REL "sys/class/iommu"
#define HEX_MAX_DIGITS 16

int ia_root_path(char *buf, size_t size, const char *root, const char *rel)
{
	size_t len = root ? strlen(root) : 0;
	int n;

	while (len && root[len - 1] == '/')
		len--;
	n = snprintf(buf, size, "%.*s/%s", (int)len, len ? root : "", rel);
	if (n < 0)
		return -EINVAL;
	return (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int ia_path_fmt(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static bool is_dot(const char *name)
{
	return !strcmp(name, ".") || !strcmp(name, "..");
}

/* Group directories are named by the group id (iommu_group_alloc(): "%d"). */
static bool parse_group_id(const char *name, int *id)
{
	long v = 0;

	if (!name[0] || (name[0] == '0' && name[1]))
		return false;
	for (const char *p = name; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		v = v * 10 + (*p - '0');
		if (v > INT_MAX)
			return false;
	}
	*id = (int)v;
	return true;
}

/* Errno of a failed readdir(), or 0 at the end of the directory. */
static struct dirent *next_entry(DIR *dir, int *err)
{
	struct dirent *e;

	errno = 0;
	e = readdir(dir);
	*err = e || !errno ? 0 : -errno;
	return e;
}

static DIR *open_dir_at(int dfd, const char *name, int *err)
{
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *dir;

	if (fd < 0) {
		*err = -errno;
		return NULL;
	}
	dir = fdopendir(fd);
	if (!dir) {
		*err = -errno;
		close(fd);
		return NULL;
	}
	*err = 0;
	return dir;
}

static void trim(char *s)
{
	size_t len = strlen(s), start = 0;

	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	while (start < len && isspace((unsigned char)s[start]))
		start++;
	memmove(s, s + start, len - start);
	s[len - start] = '\0';
}

/* The default domain type; "" when the file is absent (before 4.20) or unreadable. */
static void read_type(int gfd, char *type, size_t size)
{
	int fd = openat(gfd, "type", O_RDONLY | O_CLOEXEC);
	size_t len = 0;
	ssize_t n;

	type[0] = '\0';
	if (fd < 0)
		return;
	while (len < size - 1) {
		n = read(fd, type + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			len = 0;
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	type[len] = '\0';
	trim(type);
}

/* "0x" and 1 to 16 hex digits; the position after them, or NULL. */
static const char *parse_hex(const char *p, __u64 *v)
{
	int digits = 0;

	if (p[0] != '0' || p[1] != 'x')
		return NULL;
	p += 2;
	*v = 0;
	for (; isxdigit((unsigned char)*p); p++, digits++) {
		if (digits == HEX_MAX_DIGITS)
			return NULL;
		*v = *v << 4 | (__u64)(isdigit((unsigned char)*p) ? *p - '0' :
				       tolower((unsigned char)*p) - 'a' + 10);
	}
	return digits ? p : NULL;
}

/*
 * One reserved_regions line, "0x%016llx 0x%016llx %s" (start, inclusive end,
 * type): 0 when well-formed, -EINVAL otherwise (the caller skips it).
 */
static int parse_resv_line(char *line, __u64 *start, __u64 *end, char *type, size_t size)
{
	const char *p;
	size_t len;

	trim(line);
	p = parse_hex(line, start);
	if (!p || *p++ != ' ')
		return -EINVAL;
	p = parse_hex(p, end);
	if (!p || *p++ != ' ')
		return -EINVAL;
	len = strlen(p);
	if (!len || len >= size || *start > *end)
		return -EINVAL;
	for (size_t i = 0; i < len; i++)
		if (isspace((unsigned char)p[i]))
			return -EINVAL;
	memcpy(type, p, len + 1);
	return 0;
}

static int read_resv_lines(FILE *f, struct ia_group *g)
{
	char *line = NULL, type[IA_RESV_TYPE_LEN];
	size_t cap = 0;
	__u64 start, end;
	int err = 0;

	errno = 0;
	while (!err && getline(&line, &cap, f) >= 0) {
		if (!parse_resv_line(line, &start, &end, type, sizeof(type)))
			err = ia_group_add_resv(g, start, end, type);
		errno = 0;
	}
	if (!err && ferror(f))
		err = errno ? -errno : -EIO;
	free(line);
	return err;
}

/* Reserved regions; a missing file means none. */
static int read_resv(int gfd, struct ia_group *g)
{
	int fd = openat(gfd, "reserved_regions", O_RDONLY | O_CLOEXEC);
	FILE *f;
	int err;

	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	f = fdopen(fd, "r");
	if (!f) {
		err = -errno;
		close(fd);
		return err;
	}
	err = read_resv_lines(f, g);
	fclose(f);
	return err;
}

/* Last component of a link target ("../../../bus/pci/drivers/e1000e"). */
static const char *link_basename(char *target)
{
	size_t len = strlen(target);
	char *slash;

	while (len > 1 && target[len - 1] == '/')
		target[--len] = '\0';
	slash = strrchr(target, '/');
	return slash ? slash + 1 : target;
}

int ia_link_name(const char *root, const char *rel, char *out, size_t size)
{
	char path[PATH_MAX], target[PATH_MAX];
	int err = ia_root_path(path, sizeof(path), root, rel);
	ssize_t n;

	out[0] = '\0';
	if (err)
		return err;
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	ia_strlcpy(out, link_basename(target), size);
	return 0;
}

/*
 * The driver bound to devices/<name>: the basename of its "driver" link,
 * "" when there is none (unbound, device gone, not a link).
 */
static int read_driver(int devs_fd, const char *name, struct ia_dev *d)
{
	char path[NAME_MAX + sizeof("/driver")], target[PATH_MAX];
	const char *drv;
	ssize_t n;

	if (snprintf(path, sizeof(path), "%s/driver", name) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	n = readlinkat(devs_fd, path, target, sizeof(target));
	if (n < 0) {
		if (errno == ENOENT || errno == EINVAL || errno == ENOTDIR)
			n = 0;
		else
			return -errno;
	}
	if ((size_t)n >= sizeof(target))
		return -ENAMETOOLONG;
	target[n] = '\0';
	drv = link_basename(target);
	/* Classify by the full name, before the model's buffer truncates it. */
	d->dma = ia_driver_dma_class(drv);
	ia_strlcpy(d->driver, drv, sizeof(d->driver));
	return 0;
}

static int read_devices(int gfd, struct ia_group *g)
{
	struct dirent *e;
	struct ia_dev *d;
	int err;
	DIR *dir = open_dir_at(gfd, "devices", &err);

	if (!dir)
		return err == -ENOENT ? 0 : err;
	while ((e = next_entry(dir, &err))) {
		if (is_dot(e->d_name))
			continue;
		d = ia_group_dev(g, e->d_name, true);
		if (!d) {
			err = -ENOMEM;
			break;
		}
		err = read_driver(dirfd(dir), e->d_name, d);
		if (err)
			break;
	}
	closedir(dir);
	return err;
}

static int read_group(int groups_fd, const char *name, int id, struct ia_model *m)
{
	int gfd = openat(groups_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct ia_group *g;
	int err;

	if (gfd < 0)
		return errno == ENOENT ? 0 : -errno;	/* vanished: skip */
	g = ia_model_group(m, id, true);
	if (!g) {
		close(gfd);
		return -ENOMEM;
	}
	read_type(gfd, g->type, sizeof(g->type));
	err = read_resv(gfd, g);
	if (!err)
		err = read_devices(gfd, g);
	close(gfd);
	return err;
}

static int read_groups(DIR *dir, struct ia_model *m)
{
	struct dirent *e;
	int err, id;

	while ((e = next_entry(dir, &err))) {
		if (!parse_group_id(e->d_name, &id))
			continue;
		err = read_group(dirfd(dir), e->d_name, id, m);
		if (err)
			return err;
	}
	return err;
}

int ia_sysfs_read(const char *root, struct ia_model *m)
{
	struct ia_model tmp;
	char path[PATH_MAX];
	DIR *dir;
	int err;

	err = ia_root_path(path, sizeof(path), root, GROUPS_REL);
	if (err)
		return err;
	dir = open_dir_at(AT_FDCWD, path, &err);
	if (!dir)
		return err;
	ia_model_init(&tmp);
	err = read_groups(dir, &tmp);
	closedir(dir);
	if (err) {
		ia_model_free(&tmp);
		return err;
	}
	ia_model_sort(&tmp);
	ia_model_free(m);
	*m = tmp;
	return 0;
}

/* Insert name into the sorted names[0..n), keeping at most max; the new n. */
static int insert_sorted(char names[][IA_NAME_LEN], int n, int max, const char *name)
{
	char tmp[IA_NAME_LEN];
	int pos = 0;

	ia_strlcpy(tmp, name, sizeof(tmp));
	while (pos < n && strcmp(names[pos], tmp) <= 0)
		pos++;
	if (pos >= max)
		return n;
	if (n == max)
		n--;	/* drop the last one */
	memmove(names[pos + 1], names[pos], (size_t)(n - pos) * IA_NAME_LEN);
	memcpy(names[pos], tmp, IA_NAME_LEN);
	return n + 1;
}

int ia_sysfs_iommus(const char *root, char names[][IA_NAME_LEN], int max)
{
	char path[PATH_MAX];
	struct dirent *e;
	int err, n = 0;
	DIR *dir;

	if (max < 0 || (max && !names))
		return -EINVAL;
	err = ia_root_path(path, sizeof(path), root, IOMMUS_REL);
	if (err)
		return err;
	dir = open_dir_at(AT_FDCWD, path, &err);
	if (!dir)
		return err == -ENOENT ? 0 : err;
	while ((e = next_entry(dir, &err)))
		if (!is_dot(e->d_name))
			n = insert_sorted(names, n, max, e->d_name);
	closedir(dir);
	return err ? err : n;
}
