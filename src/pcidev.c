// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* PCI device facts from sysfs for a plan (see pcidev.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "pcidev.h"
#include "sysfs.h"

#define PCI_HEADER_TYPE_OFF 0x0e /* include/uapi/linux/pci_regs.h: PCI_HEADER_TYPE */
#define PCI_HEADER_TYPE_MASK 0x7f /* bit 7: multi-function */

/* <root>/sys/bus/pci/devices/<name>/<file> */
static int dev_path(char *buf, size_t size, const char *root, const char *name, const char *file)
{
	char rel[PATH_MAX];

	if (snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s%s%s", name, file ? "/" : "",
		     file ? file : "") >= (int)sizeof(rel))
		return -ENAMETOOLONG;
	return ia_root_path(buf, size, root, rel);
}

/* A whole small file, trimmed of the trailing newline: 0, or a negative errno. */
static int read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static unsigned int read_hex(const char *root, const char *name, const char *file)
{
	char path[PATH_MAX], buf[32];

	if (dev_path(path, sizeof(path), root, name, file) || read_small(path, buf, sizeof(buf)))
		return 0;
	return (unsigned int)strtoul(buf, NULL, 16);
}

/* The header type from config space; -1 when it cannot be read. */
static int read_hdr_type(const char *root, const char *name)
{
	char path[PATH_MAX];
	unsigned char b;
	int fd;
	ssize_t n;

	if (dev_path(path, sizeof(path), root, name, "config"))
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = pread(fd, &b, 1, PCI_HEADER_TYPE_OFF);
	close(fd);
	return n == 1 ? b & PCI_HEADER_TYPE_MASK : -1;
}

bool ia_pci_device_exists(const char *root, const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	return !dev_path(path, sizeof(path), root, name, NULL) && !stat(path, &st);
}

int ia_devinfo_read(const char *root, const char *name, struct ia_devinfo *d)
{
	char path[PATH_MAX];
	int err;

	memset(d, 0, sizeof(*d));
	ia_strlcpy(d->name, name, sizeof(d->name));
	d->hdr_type = -1;
	d->pci = ia_pci_device_exists(root, name);
	if (!d->pci)
		return 0;
	d->hdr_type = read_hdr_type(root, name);
	d->class_code = read_hex(root, name, "class");
	d->vendor = read_hex(root, name, "vendor");
	d->device = read_hex(root, name, "device");
	err = dev_path(path, sizeof(path), root, name, "driver_override");
	if (!err)
		err = read_small(path, d->override, sizeof(d->override));
	if (err == -ENOENT)
		err = 0; /* before 3.16 there is no driver_override */
	/* driver_override_show() prints "(null)" when none is set (4.x-6.x) */
	if (!strcmp(d->override, "(null)"))
		d->override[0] = '\0';
	return err;
}

int ia_devinfo_read_model(const char *root, const struct ia_model *m, struct ia_devinfo **out,
			  size_t *n)
{
	struct ia_devinfo *v;
	size_t total = 0, k = 0;
	int err = 0;

	for (size_t i = 0; i < m->ngroups; i++)
		total += m->groups[i].ndevs;
	v = calloc(total ? total : 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < m->ngroups && !err; i++)
		for (size_t j = 0; j < m->groups[i].ndevs && !err; j++)
			err = ia_devinfo_read(root, m->groups[i].devs[j].name, &v[k++]);
	if (err) {
		free(v);
		return err;
	}
	*out = v;
	*n = k;
	return 0;
}

bool ia_pci_driver_loaded(const char *root, const char *driver)
{
	char rel[PATH_MAX], path[PATH_MAX];
	struct stat st;

	if (snprintf(rel, sizeof(rel), "sys/bus/pci/drivers/%s", driver) >= (int)sizeof(rel) ||
	    ia_root_path(path, sizeof(path), root, rel))
		return false;
	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

bool ia_vfio_denylist_disabled(const char *root)
{
	char path[PATH_MAX], buf[8];

	if (ia_root_path(path, sizeof(path), root, "sys/module/vfio_pci/parameters/disable_denylist") ||
	    read_small(path, buf, sizeof(buf)))
		return false;
	return buf[0] == 'Y' || buf[0] == '1';
}
