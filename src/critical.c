// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Host-critical devices (see critical.h): what the host's mounts, swap,
 * network and console run on, traced back to a PCI function through the
 * sysfs device path of the block device, interface or framebuffer.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <ifaddrs.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "critical.h"
#include "grow.h"
#include "sysfs.h"

#define SLAVE_DEPTH 4

void ia_criticals_init(struct ia_criticals *c)
{
	memset(c, 0, sizeof(*c));
}

void ia_criticals_free(struct ia_criticals *c)
{
	free(c->v);
	ia_criticals_init(c);
}

const char *ia_critical_why(const struct ia_criticals *c, const char *dev)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->v[i].dev, dev))
			return c->v[i].why;
	return NULL;
}

int ia_criticals_add(struct ia_criticals *c, const char *dev, const char *why)
{
	int err;

	if (ia_critical_why(c, dev))
		return 0;
	err = ia_grow((void **)&c->v, &c->cap, c->n + 1, sizeof(*c->v));
	if (err)
		return err;
	ia_strlcpy(c->v[c->n].dev, dev, sizeof(c->v[c->n].dev));
	ia_strlcpy(c->v[c->n].why, why, sizeof(c->v[c->n].why));
	c->n++;
	return 0;
}

/* "DDDD:BB:DD.F": 4 or more hex digits of domain, then the fixed part. */
static bool is_pci_name(const char *s, size_t len)
{
	size_t d = 0;

	while (d < len && isxdigit((unsigned char)s[d]))
		d++;
	if (d < 4 || d > 8 || len != d + 8 || s[d] != ':' || s[d + 3] != ':' || s[d + 6] != '.')
		return false;
	return isxdigit((unsigned char)s[d + 1]) && isxdigit((unsigned char)s[d + 2]) &&
	       isxdigit((unsigned char)s[d + 4]) && isxdigit((unsigned char)s[d + 5]) &&
	       s[d + 7] >= '0' && s[d + 7] <= '7';
}

bool ia_last_pci_component(const char *path, char *out, size_t size)
{
	const char *p = path, *end;
	bool found = false;

	while (*p) {
		while (*p == '/')
			p++;
		end = strchr(p, '/');
		end = end ? end : p + strlen(p);
		if (is_pci_name(p, (size_t)(end - p)) && (size_t)(end - p) < size) {
			memcpy(out, p, (size_t)(end - p));
			out[end - p] = '\0';
			found = true;
		}
		p = end;
	}
	return found;
}

/* The PCI function behind <root>/<rel> (a sysfs link), added with why. */
static int add_behind(const char *root, const char *rel, const char *why, struct ia_criticals *c)
{
	char path[PATH_MAX], real[PATH_MAX], dev[IA_NAME_LEN];
	int err = ia_root_path(path, sizeof(path), root, rel);

	if (err)
		return err;
	if (!realpath(path, real))
		return 0;
	if (!ia_last_pci_component(real, dev, sizeof(dev)))
		return 0;
	return ia_criticals_add(c, dev, why);
}

/*
 * A block device by its sysfs directory (relative to root): its own PCI
 * function, and those of the devices under a dm or md device ("slaves").
 */
static int add_block(const char *root, const char *rel, const char *why, int depth,
		     struct ia_criticals *c)
{
	char path[PATH_MAX], slave[PATH_MAX];
	struct dirent *e;
	int err;
	DIR *dir;

	err = add_behind(root, rel, why, c);
	if (err || depth >= SLAVE_DEPTH)
		return err;
	snprintf(slave, sizeof(slave), "%s/slaves", rel);
	if (ia_root_path(path, sizeof(path), root, slave))
		return 0;
	dir = opendir(path);
	if (!dir)
		return 0;
	while (!err && (e = readdir(dir))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(slave, sizeof(slave), "sys/class/block/%s", e->d_name);
		err = add_block(root, slave, why, depth + 1, c);
	}
	closedir(dir);
	return err;
}

static int add_block_devnum(const char *root, unsigned int maj, unsigned int min, const char *why,
			    struct ia_criticals *c)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "sys/dev/block/%u:%u", maj, min);
	return add_block(root, rel, why, 0, c);
}

/* A 9p mount's tag -> the virtio device that carries it. */
static int add_9p(const char *root, const char *tag, const char *why, struct ia_criticals *c)
{
	char path[PATH_MAX], rel[PATH_MAX], line[256];
	struct dirent *e;
	int err = 0;
	DIR *dir;
	FILE *f;

	if (ia_root_path(path, sizeof(path), root, "sys/bus/virtio/devices"))
		return 0;
	dir = opendir(path);
	if (!dir)
		return 0;
	while (!err && (e = readdir(dir))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(rel, sizeof(rel), "sys/bus/virtio/devices/%s/mount_tag", e->d_name);
		if (ia_root_path(path, sizeof(path), root, rel))
			continue;
		f = fopen(path, "re");
		if (!f)
			continue;
		/* the tag and a NUL, no newline (net/9p/trans_virtio.c: p9_mount_tag_show()) */
		if (fgets(line, sizeof(line), f) && !strncmp(line, tag, strlen(tag)) &&
		    (!line[strlen(tag)] || line[strlen(tag)] == '\n')) {
			snprintf(rel, sizeof(rel), "sys/bus/virtio/devices/%s", e->d_name);
			err = add_behind(root, rel, why, c);
		}
		fclose(f);
	}
	closedir(dir);
	return err;
}

/* Undo mountinfo's octal escapes (\040 for a space) in place. */
static void unescape(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

/* One mountinfo line: "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [TAGS] - FSTYPE SOURCE SUPER" */
static int mount_line(const char *root, char *line, struct ia_criticals *c)
{
	char why[IA_CRITICAL_WHY_LEN], mnt[PATH_MAX], fstype[64], source[PATH_MAX];
	unsigned int maj, min;
	char *sep = strstr(line, " - ");

	if (!sep || sscanf(line, "%*u %*u %u:%u %*s %4095s", &maj, &min, mnt) != 3 ||
	    sscanf(sep + 3, "%63s %4095s", fstype, source) != 2)
		return 0;
	unescape(mnt);
	unescape(source);
	snprintf(why, sizeof(why), "%s%.100s (%.24s)", strcmp(mnt, "/") ? "mounted filesystem " :
		 "the root filesystem ", mnt, fstype);
	if (!strcmp(fstype, "9p"))
		return add_9p(root, source, why, c);
	if (!maj)
		return 0; /* no block device: proc, tmpfs, overlay, network filesystems */
	return add_block_devnum(root, maj, min, why, c);
}

static int scan_mounts(const char *root, struct ia_criticals *c)
{
	char path[PATH_MAX], *line = NULL;
	size_t cap = 0;
	int err = ia_root_path(path, sizeof(path), root, "proc/self/mountinfo");
	FILE *f;

	if (err)
		return err;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (!err && getline(&line, &cap, f) > 0) {
		line[strcspn(line, "\n")] = '\0';
		err = mount_line(root, line, c);
	}
	free(line);
	fclose(f);
	return err;
}

/* /proc/swaps: "Filename Type Size Used Priority" */
static int swap_line(const char *root, const char *line, struct ia_criticals *c)
{
	char name[PATH_MAX], type[32], why[IA_CRITICAL_WHY_LEN], path[PATH_MAX], rel[PATH_MAX];
	char real[PATH_MAX];
	const char *base;
	struct stat st;

	if (sscanf(line, "%4095s %31s", name, type) != 2 || name[0] != '/')
		return 0;
	unescape(name);
	snprintf(why, sizeof(why), "active swap %.120s", name);
	if (ia_root_path(path, sizeof(path), root, name + 1))
		return 0;
	if (!strcmp(type, "file"))
		return stat(path, &st) ? 0 :
		       add_block_devnum(root, major(st.st_dev), minor(st.st_dev), why, c);
	/* a partition or a dm device, by its name (/dev/mapper/x is a link to ../dm-N) */
	base = realpath(path, real) ? strrchr(real, '/') : strrchr(name, '/');
	snprintf(rel, sizeof(rel), "sys/class/block/%s", base + 1);
	return add_block(root, rel, why, 0, c);
}

static int scan_swaps(const char *root, struct ia_criticals *c)
{
	char path[PATH_MAX], line[PATH_MAX + 128];
	int err = ia_root_path(path, sizeof(path), root, "proc/swaps");
	FILE *f;

	if (err)
		return err;
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (!fgets(line, sizeof(line), f)) /* the header */
		line[0] = '\0';
	while (!err && fgets(line, sizeof(line), f))
		err = swap_line(root, line, c);
	fclose(f);
	return err;
}

/* Whether a whitespace-separated column file has a line matching the predicate for ifname. */
static bool proc_net_has(const char *root, const char *rel, const char *ifname,
			 bool (*match)(const char *line, const char *ifname))
{
	char path[PATH_MAX], line[512];
	bool found = false;
	FILE *f;

	if (ia_root_path(path, sizeof(path), root, rel))
		return false;
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = match(line, ifname);
	fclose(f);
	return found;
}

/* /proc/net/route: "Iface Destination Gateway Flags ..."; default: destination 0 */
static bool route4_default(const char *line, const char *ifname)
{
	char iface[IFNAMSIZ + 1], dest[16];

	return sscanf(line, "%16s %15s", iface, dest) == 2 && !strcmp(iface, ifname) &&
	       !strcmp(dest, "00000000");
}

/* /proc/net/ipv6_route: "DEST PLEN SRC SPLEN NEXTHOP METRIC REF USE FLAGS IFACE" */
static bool route6_default(const char *line, const char *ifname)
{
	char dest[40], plen[4], iface[IFNAMSIZ + 1];

	return sscanf(line, "%39s %3s %*s %*s %*s %*s %*s %*s %*s %16s", dest, plen, iface) == 3 &&
	       !strcmp(iface, ifname) && !strcmp(plen, "00") &&
	       !strcmp(dest, "00000000000000000000000000000000");
}

/* /proc/net/if_inet6: "ADDR IFINDEX PLEN SCOPE FLAGS IFNAME"; global scope is 00 */
static bool inet6_global(const char *line, const char *ifname)
{
	char scope[4], iface[IFNAMSIZ + 1];

	return sscanf(line, "%*s %*s %*s %3s %*s %16s", scope, iface) == 2 &&
	       !strcmp(iface, ifname) && !strcmp(scope, "00");
}

/* IPv4 addresses are not in a /proc file per interface: the live system only. */
static bool inet4_addr(const char *root, const char *ifname)
{
	struct ifaddrs *ifa, *i;
	bool found = false;

	if ((root && root[0] && strcmp(root, "/")) || getifaddrs(&ifa))
		return false;
	for (i = ifa; i && !found; i = i->ifa_next)
		found = i->ifa_addr && i->ifa_addr->sa_family == AF_INET &&
			!strcmp(i->ifa_name, ifname);
	freeifaddrs(ifa);
	return found;
}

static bool iface_up(const char *root, const char *ifname)
{
	char rel[PATH_MAX], path[PATH_MAX], line[32];
	unsigned long flags = 0;
	FILE *f;

	snprintf(rel, sizeof(rel), "sys/class/net/%s/flags", ifname);
	if (ia_root_path(path, sizeof(path), root, rel))
		return false;
	f = fopen(path, "re");
	if (!f)
		return false;
	if (!fgets(line, sizeof(line), f) || sscanf(line, "%lx", &flags) != 1)
		flags = 0;
	fclose(f);
	return flags & IFF_UP;
}

static int net_iface(const char *root, const char *ifname, struct ia_criticals *c)
{
	char why[IA_CRITICAL_WHY_LEN], rel[PATH_MAX];
	const char *what = NULL;

	if (!iface_up(root, ifname))
		return 0;
	if (proc_net_has(root, "proc/net/route", ifname, route4_default) ||
	    proc_net_has(root, "proc/net/ipv6_route", ifname, route6_default))
		what = "the default route";
	else if (inet4_addr(root, ifname) ||
		 proc_net_has(root, "proc/net/if_inet6", ifname, inet6_global))
		what = "an address";
	if (!what)
		return 0;
	snprintf(why, sizeof(why), "network interface %s is up with %s", ifname, what);
	snprintf(rel, sizeof(rel), "sys/class/net/%s", ifname);
	return add_behind(root, rel, why, c);
}

static int scan_class(const char *root, const char *rel, struct ia_criticals *c,
		      int (*each)(const char *root, const char *name, struct ia_criticals *c))
{
	char path[PATH_MAX];
	struct dirent *e;
	int err = ia_root_path(path, sizeof(path), root, rel);
	DIR *dir;

	if (err)
		return err;
	dir = opendir(path);
	if (!dir)
		return 0;
	while (!err && (e = readdir(dir)))
		if (e->d_name[0] != '.')
			err = each(root, e->d_name, c);
	closedir(dir);
	return err;
}

/* fbcon bound: a vtconsole named "... frame buffer device" with bind 1 (drivers/tty/vt/vt.c). */
static bool fbcon_bound(const char *root)
{
	char path[PATH_MAX], rel[PATH_MAX], name[128], bind[8];
	struct dirent *e;
	bool bound = false;
	FILE *f;
	DIR *dir;

	if (ia_root_path(path, sizeof(path), root, "sys/class/vtconsole"))
		return false;
	dir = opendir(path);
	if (!dir)
		return false;
	while (!bound && (e = readdir(dir))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(rel, sizeof(rel), "sys/class/vtconsole/%s/name", e->d_name);
		ia_root_path(path, sizeof(path), root, rel);
		f = fopen(path, "re");
		name[0] = '\0';
		if (f && !fgets(name, sizeof(name), f))
			name[0] = '\0';
		if (f)
			fclose(f);
		snprintf(rel, sizeof(rel), "sys/class/vtconsole/%s/bind", e->d_name);
		ia_root_path(path, sizeof(path), root, rel);
		f = fopen(path, "re");
		bind[0] = '\0';
		if (f && !fgets(bind, sizeof(bind), f))
			bind[0] = '\0';
		if (f)
			fclose(f);
		bound = strstr(name, "frame buffer") && bind[0] == '1';
	}
	closedir(dir);
	return bound;
}

static int framebuffer(const char *root, const char *name, struct ia_criticals *c)
{
	char why[IA_CRITICAL_WHY_LEN], rel[PATH_MAX];

	if (strncmp(name, "fb", 2))
		return 0;
	snprintf(why, sizeof(why), "console framebuffer %s (fbcon bound)", name);
	snprintf(rel, sizeof(rel), "sys/class/graphics/%s", name);
	return add_behind(root, rel, why, c);
}

int ia_critical_scan(const char *root, struct ia_criticals *c)
{
	int err;

	ia_criticals_free(c);
	err = scan_mounts(root, c);
	if (!err)
		err = scan_swaps(root, c);
	if (!err)
		err = scan_class(root, "sys/class/net", c, net_iface);
	if (!err && fbcon_bound(root))
		err = scan_class(root, "sys/class/graphics", c, framebuffer);
	if (err)
		ia_criticals_free(c);
	return err;
}
