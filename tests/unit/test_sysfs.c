// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ia_sysfs_read() and ia_sysfs_iommus() against fixture trees built in a
 * mkdtemp() directory, laid out like sysfs: group device entries are links
 * to sys/devices/..., whose "driver" links point into sys/bus/pci/drivers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "json.h"
#include "state_out.h"
#include "sysfs.h"
#include "unit.h"

struct fixture {
	char root[64];
};

static int fx_init(struct fixture *fx)
{
	snprintf(fx->root, sizeof(fx->root), "/tmp/ia-sysfs-XXXXXX");
	return mkdtemp(fx->root) ? 0 : -errno;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void fx_cleanup(struct fixture *fx)
{
	nftw(fx->root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* <root>/<rel>, checked for truncation */
static int fx_path(const struct fixture *fx, const char *rel, char *path, size_t size)
{
	int n = snprintf(path, size, "%s/%s", fx->root, rel);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* mkdir -p <root>/<rel> */
static int fx_mkdirs(const struct fixture *fx, const char *rel)
{
	char path[PATH_MAX];

	if (fx_path(fx, rel, path, sizeof(path)))
		return -ENAMETOOLONG;
	for (char *p = path + strlen(fx->root) + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(path, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

static int fx_write(const struct fixture *fx, const char *rel, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	if (fx_path(fx, rel, path, sizeof(path)))
		return -ENAMETOOLONG;
	f = fopen(path, "w");
	if (!f)
		return -errno;
	fputs(text, f);
	return fclose(f) ? -errno : 0;
}

static int fx_symlink(const struct fixture *fx, const char *rel, const char *target)
{
	char path[PATH_MAX];

	if (fx_path(fx, rel, path, sizeof(path)))
		return -ENAMETOOLONG;
	return symlink(target, path) ? -errno : 0;
}

/* sys/kernel/iommu_groups/<id>/ with devices/, and type / reserved_regions unless NULL. */
static int fx_group(const struct fixture *fx, int id, const char *type, const char *resv)
{
	char rel[PATH_MAX];
	int err;

	snprintf(rel, sizeof(rel), "sys/kernel/iommu_groups/%d/devices", id);
	err = fx_mkdirs(fx, rel);
	if (!err && type) {
		snprintf(rel, sizeof(rel), "sys/kernel/iommu_groups/%d/type", id);
		err = fx_write(fx, rel, type);
	}
	if (!err && resv) {
		snprintf(rel, sizeof(rel), "sys/kernel/iommu_groups/%d/reserved_regions", id);
		err = fx_write(fx, rel, resv);
	}
	return err;
}

/* A PCI device in group id, bound to driver (NULL: unbound). */
static int fx_dev(const struct fixture *fx, int id, const char *dev, const char *driver)
{
	char rel[PATH_MAX], target[PATH_MAX];
	int err;

	snprintf(rel, sizeof(rel), "sys/devices/pci0000:00/%s", dev);
	err = fx_mkdirs(fx, rel);
	if (!err && driver) {
		snprintf(rel, sizeof(rel), "sys/bus/pci/drivers/%s", driver);
		err = fx_mkdirs(fx, rel);
		snprintf(rel, sizeof(rel), "sys/devices/pci0000:00/%s/driver", dev);
		snprintf(target, sizeof(target), "../../../bus/pci/drivers/%s", driver);
		if (!err)
			err = fx_symlink(fx, rel, target);
	}
	snprintf(rel, sizeof(rel), "sys/kernel/iommu_groups/%d/devices/%s", id, dev);
	snprintf(target, sizeof(target), "../../../../devices/pci0000:00/%s", dev);
	return err ? err : fx_symlink(fx, rel, target);
}

static const char resv_x86[] =
	"0x00000000000a0000 0x00000000000bffff direct\n"
	"0x00000000fee00000 0x00000000feefffff msi\n";

UNIT_TEST(sysfs_shared_group)
{
	struct fixture fx;
	struct ia_model m;
	struct ia_group *g;

	ia_model_init(&m);
	CHECK_INT(fx_init(&fx), 0);
	CHECK_INT(fx_group(&fx, 7, "DMA\n", resv_x86), 0);
	CHECK_INT(fx_dev(&fx, 7, "0000:01:00.1", NULL), 0);
	CHECK_INT(fx_dev(&fx, 7, "0000:01:00.0", "e1000e"), 0);
	CHECK_INT(fx_dev(&fx, 7, "0000:00:1c.0", "pcieport"), 0);
	CHECK_INT(ia_sysfs_read(fx.root, &m), 0);
	CHECK_INT(m.ngroups, 1);
	g = ia_model_group(&m, 7, false);
	CHECK(g != NULL);
	if (g && g->ndevs == 3 && g->nresv == 2) {
		CHECK_STR(g->type, "DMA");
		CHECK_STR(g->devs[0].name, "0000:00:1c.0");
		CHECK_STR(g->devs[0].driver, "pcieport");
		CHECK_INT(g->devs[0].dma, IA_DMA_NONE);
		CHECK_STR(g->devs[1].name, "0000:01:00.0");
		CHECK_STR(g->devs[1].driver, "e1000e");
		CHECK_INT(g->devs[1].dma, IA_DMA_KERNEL);
		CHECK_STR(g->devs[2].name, "0000:01:00.1");
		CHECK_STR(g->devs[2].driver, "");
		CHECK_INT(g->devs[2].dma, IA_DMA_NONE);
		CHECK(g->resv[0].start == 0xa0000 && g->resv[0].end == 0xbffff);
		CHECK_STR(g->resv[0].type, "direct");
		CHECK(g->resv[1].start == 0xfee00000 && g->resv[1].end == 0xfeefffff);
		CHECK_STR(g->resv[1].type, "msi");
		CHECK_INT(ia_group_verdict(g), IA_VERDICT_VIABLE);
		CHECK_STR(ia_group_dma_name(g), "kernel");
	} else {
		CHECK(0);
	}
	ia_model_free(&m);
	fx_cleanup(&fx);
}

UNIT_TEST(sysfs_user_kernel_mix_is_not_viable)
{
	struct fixture fx;
	struct ia_model m;
	struct ia_group *g;

	ia_model_init(&m);
	CHECK_INT(fx_init(&fx), 0);
	CHECK_INT(fx_group(&fx, 3, "DMA-FQ\n", ""), 0);
	CHECK_INT(fx_dev(&fx, 3, "0000:02:00.0", "vfio-pci"), 0);
	CHECK_INT(fx_dev(&fx, 3, "0000:02:00.1", "e1000e"), 0);
	CHECK_INT(fx_group(&fx, 4, "DMA\n", ""), 0);
	CHECK_INT(fx_dev(&fx, 4, "0000:03:00.0", "vfio-pci"), 0);
	CHECK_INT(fx_dev(&fx, 4, "0000:03:00.1", "pci-stub"), 0);
	CHECK_INT(ia_sysfs_read(fx.root, &m), 0);
	CHECK_INT(m.ngroups, 2);
	g = ia_model_group(&m, 3, false);
	CHECK(g && g->ndevs == 2 && g->nresv == 0);
	if (g && g->ndevs == 2) {
		CHECK_INT(g->devs[0].dma, IA_DMA_USER);
		CHECK_INT(g->devs[1].dma, IA_DMA_KERNEL);
		CHECK_INT(ia_group_verdict(g), IA_VERDICT_NOT_VIABLE);
		CHECK_STR(ia_group_dma_name(g), "mixed");
	}
	g = ia_model_group(&m, 4, false);
	CHECK(g && g->ndevs == 2);
	if (g) {
		CHECK_INT(ia_group_verdict(g), IA_VERDICT_VIABLE);
		CHECK_STR(ia_group_dma_name(g), "user");
	}
	ia_model_free(&m);
	fx_cleanup(&fx);
}

UNIT_TEST(sysfs_type_missing_or_padded)
{
	struct fixture fx;
	struct ia_model m;

	ia_model_init(&m);
	CHECK_INT(fx_init(&fx), 0);
	CHECK_INT(fx_group(&fx, 1, NULL, NULL), 0);		/* no type, no reserved_regions */
	CHECK_INT(fx_group(&fx, 2, "  identity \n\n", NULL), 0);
	CHECK_INT(fx_group(&fx, 3, "a-type-name-longer-than-the-buffer\n", NULL), 0);
	CHECK_INT(fx_mkdirs(&fx, "sys/kernel/iommu_groups/4/type"), 0); /* unreadable */
	CHECK_INT(ia_sysfs_read(fx.root, &m), 0);
	CHECK_INT(m.ngroups, 4);
	if (m.ngroups == 4) {
		CHECK_STR(m.groups[0].type, "");
		CHECK_INT(m.groups[0].ndevs, 0);
		CHECK_INT(m.groups[0].nresv, 0);
		CHECK_STR(m.groups[1].type, "identity");
		CHECK_INT(strlen(m.groups[2].type), IA_TYPE_LEN - 1);
		CHECK_STR(m.groups[3].type, "");
		CHECK_INT(m.groups[3].ndevs, 0);
	}
	ia_model_free(&m);
	fx_cleanup(&fx);
}

UNIT_TEST(sysfs_malformed_reserved_lines_skipped)
{
	static const char resv[] =
		"0x0000000000001000 0x0000000000001fff reserved\n"
		"garbage\n"
		"\n"
		"0x1000 0x1fff\n"				/* no type */
		"0x2000 0x1fff msi\n"				/* start > end */
		"0x1000 0x1fff msi extra\n"			/* trailing field */
		"0x1000 0x1fff  msi\n"				/* two spaces */
		"0X1000 0x1fff msi\n"				/* 0X */
		"0x 0x1fff msi\n"				/* no digits */
		"0xg000 0x1fff msi\n"				/* not hex */
		"0x10000000000000000 0x10000000000000001 msi\n"	/* 17 digits */
		"0x1000 0x1fff a-region-type-far-too-long-for-it\n"
		"1000 1fff msi\n"				/* no 0x */
		"0x00000000FEE00000 0x00000000FEEFFFFF msi\n"	/* upper-case digits: fine */
		"0xffffffffffffffff 0xffffffffffffffff direct-relaxable";	/* no newline */
	struct fixture fx;
	struct ia_model m;
	const struct ia_group *g;
	char longline[20000];

	ia_model_init(&m);
	CHECK_INT(fx_init(&fx), 0);
	CHECK_INT(fx_group(&fx, 5, "DMA\n", resv), 0);
	memset(longline, 'x', sizeof(longline) - 2);
	longline[sizeof(longline) - 2] = '\n';
	longline[sizeof(longline) - 1] = '\0';
	CHECK_INT(fx_group(&fx, 6, "DMA\n", longline), 0);
	CHECK_INT(ia_sysfs_read(fx.root, &m), 0);
	CHECK_INT(m.ngroups, 2);
	g = m.ngroups == 2 ? &m.groups[0] : NULL;
	CHECK(g && g->nresv == 3);
	if (g && g->nresv == 3) {
		CHECK(g->resv[0].start == 0x1000 && g->resv[0].end == 0x1fff);
		CHECK_STR(g->resv[0].type, "reserved");
		CHECK(g->resv[1].start == 0xfee00000 && g->resv[1].end == 0xfeefffff);
		CHECK_STR(g->resv[1].type, "msi");
		CHECK(g->resv[2].start == ~0ULL && g->resv[2].end == ~0ULL);
		CHECK_STR(g->resv[2].type, "direct-relaxable");
	}
	if (m.ngroups == 2)
		CHECK_INT(m.groups[1].nresv, 0);
	ia_model_free(&m);
	fx_cleanup(&fx);
}

UNIT_TEST(sysfs_missing_groups_dir_is_enoent)
{
	struct fixture fx;
	struct ia_model m;

	ia_model_init(&m);
	CHECK(ia_model_group(&m, 42, true) != NULL);
	CHECK_INT(fx_init(&fx), 0);
	CHECK_INT(ia_sysfs_read(fx.root, &m), -ENOENT);
	CHECK_INT(fx_mkdirs(&fx, "sys/kernel"), 0);
	CHECK_INT(ia_sysfs_read(fx.root, &m), -ENOENT);
	/* the model is left as it was on error */
	CHECK_INT(m.ngroups, 1);
	ia_model_free(&m);
	fx_cleanup(&fx);
}

UNIT_TEST(sysfs_empty_groups_dir_is_zero_groups)
{
	struct fixture fx;
	struct ia_model m;
	char root[sizeof(fx.root) + 2];

	ia_model_init(&m);
	CHECK(ia_model_group(&m, 42, true) != NULL);
	CHECK_INT(fx_init(&fx), 0);
	CHECK_INT(fx_mkdirs(&fx, "sys/kernel/iommu_groups"), 0);
	snprintf(root, sizeof(root), "%s//", fx.root);	/* trailing slashes are fine */
	CHECK_INT(ia_sysfs_read(root, &m), 0);
	/* replaced, not appended to */
	CHECK_INT(m.ngroups, 0);
	ia_model_free(&m);
	fx_cleanup(&fx);
}

UNIT_TEST(sysfs_non_numeric_entries_skipped)
{
	static const char * const junk[] = {
		"foo", "-1", "+3", "01", "3a", "99999999999", ".hidden", " 3",
	};
	char rel[PATH_MAX];
	struct fixture fx;
	struct ia_model m;

	ia_model_init(&m);
	CHECK_INT(fx_init(&fx), 0);
	for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		snprintf(rel, sizeof(rel), "sys/kernel/iommu_groups/%s/devices", junk[i]);
		CHECK_INT(fx_mkdirs(&fx, rel), 0);
	}
	CHECK_INT(fx_write(&fx, "sys/kernel/iommu_groups/README", "x\n"), 0);
	CHECK_INT(fx_group(&fx, 10, "DMA\n", NULL), 0);
	CHECK_INT(fx_group(&fx, 0, "DMA\n", NULL), 0);
	CHECK_INT(fx_group(&fx, 2, "DMA\n", NULL), 0);
	CHECK_INT(fx_dev(&fx, 2, "0000:00:02.0", "i915"), 0);
	CHECK_INT(ia_sysfs_read(fx.root, &m), 0);
	CHECK_INT(m.ngroups, 3);
	if (m.ngroups == 3) {
		/* sorted by id */
		CHECK_INT(m.groups[0].id, 0);
		CHECK_INT(m.groups[1].id, 2);
		CHECK_INT(m.groups[2].id, 10);
		CHECK_INT(m.groups[1].ndevs, 1);
	}
	ia_model_free(&m);
	fx_cleanup(&fx);
}

UNIT_TEST(sysfs_long_names_truncated)
{
	static const char dev[] = "platform-device-with-a-rather-long-name.0";
	static const char drv[] = "vendor-with-a-long-name-vfio-pci";
	struct fixture fx;
	struct ia_model m;

	ia_model_init(&m);
	CHECK_INT(fx_init(&fx), 0);
	CHECK_INT(fx_group(&fx, 1, "DMA\n", NULL), 0);
	CHECK_INT(fx_dev(&fx, 1, dev, drv), 0);
	CHECK_INT(ia_sysfs_read(fx.root, &m), 0);
	CHECK(m.ngroups == 1 && m.groups[0].ndevs == 1);
	if (m.ngroups == 1 && m.groups[0].ndevs == 1) {
		const struct ia_dev *d = &m.groups[0].devs[0];

		CHECK_INT(strlen(d->name), IA_NAME_LEN - 1);
		CHECK(!strncmp(d->name, dev, IA_NAME_LEN - 1));
		CHECK_INT(strlen(d->driver), IA_NAME_LEN - 1);
		/* classified by the full name: the "-vfio-pci" suffix was cut off */
		CHECK_INT(d->dma, IA_DMA_USER);
	}
	ia_model_free(&m);
	fx_cleanup(&fx);
}

UNIT_TEST(sysfs_odd_driver_entries)
{
	struct fixture fx;
	struct ia_model m;

	ia_model_init(&m);
	CHECK_INT(fx_init(&fx), 0);
	CHECK_INT(fx_group(&fx, 1, "DMA\n", NULL), 0);
	/* "driver" a directory, not a link: no driver */
	CHECK_INT(fx_dev(&fx, 1, "0000:00:03.0", NULL), 0);
	CHECK_INT(fx_mkdirs(&fx, "sys/devices/pci0000:00/0000:00:03.0/driver"), 0);
	/* device link pointing nowhere (device going away): listed, unbound */
	CHECK_INT(fx_symlink(&fx, "sys/kernel/iommu_groups/1/devices/0000:00:04.0",
			     "../../../../devices/pci0000:00/gone"), 0);
	/* dangling driver link: the name is still what the link says */
	CHECK_INT(fx_symlink(&fx, "sys/kernel/iommu_groups/1/devices/0000:00:05.0",
			     "../../../../devices/pci0000:00/0000:00:05.0"), 0);
	CHECK_INT(fx_mkdirs(&fx, "sys/devices/pci0000:00/0000:00:05.0"), 0);
	CHECK_INT(fx_symlink(&fx, "sys/devices/pci0000:00/0000:00:05.0/driver",
			     "../../../bus/pci/drivers/nvme"), 0);
	/* a group without devices/ */
	CHECK_INT(fx_mkdirs(&fx, "sys/kernel/iommu_groups/2"), 0);
	CHECK_INT(ia_sysfs_read(fx.root, &m), 0);
	CHECK_INT(m.ngroups, 2);
	if (m.ngroups == 2 && m.groups[0].ndevs == 3) {
		CHECK_STR(m.groups[0].devs[0].driver, "");
		CHECK_STR(m.groups[0].devs[1].name, "0000:00:04.0");
		CHECK_STR(m.groups[0].devs[1].driver, "");
		CHECK_STR(m.groups[0].devs[2].driver, "nvme");
		CHECK_INT(m.groups[0].devs[2].dma, IA_DMA_KERNEL);
		CHECK_INT(m.groups[1].ndevs, 0);
	} else {
		CHECK(0);
	}
	ia_model_free(&m);
	fx_cleanup(&fx);
}

/* Every error path leaves the model as it was. */
static void check_error(int *failed, const char *root, int want)
{
	struct ia_model m;

	ia_model_init(&m);
	CHECK(ia_model_group(&m, 99, true) != NULL);
	CHECK_INT(ia_sysfs_read(root, &m), want);
	CHECK(m.ngroups == 1 && m.groups[0].id == 99);
	ia_model_free(&m);
}

UNIT_TEST(sysfs_errors)
{
	char root[PATH_MAX + 16];
	struct fixture fx;

	/* iommu_groups not a directory */
	CHECK_INT(fx_init(&fx), 0);
	CHECK_INT(fx_mkdirs(&fx, "sys/kernel"), 0);
	CHECK_INT(fx_write(&fx, "sys/kernel/iommu_groups", ""), 0);
	check_error(failed, fx.root, -ENOTDIR);
	fx_cleanup(&fx);

	/* a group id that is not a directory */
	CHECK_INT(fx_init(&fx), 0);
	CHECK_INT(fx_group(&fx, 1, "DMA\n", NULL), 0);
	CHECK_INT(fx_write(&fx, "sys/kernel/iommu_groups/2", "x\n"), 0);
	check_error(failed, fx.root, -ENOTDIR);
	fx_cleanup(&fx);

	/* reserved_regions that cannot be read */
	CHECK_INT(fx_init(&fx), 0);
	CHECK_INT(fx_group(&fx, 1, "DMA\n", NULL), 0);
	CHECK_INT(fx_mkdirs(&fx, "sys/kernel/iommu_groups/1/reserved_regions"), 0);
	check_error(failed, fx.root, -EISDIR);
	fx_cleanup(&fx);

	/* devices/ not a directory */
	CHECK_INT(fx_init(&fx), 0);
	CHECK_INT(fx_mkdirs(&fx, "sys/kernel/iommu_groups/1"), 0);
	CHECK_INT(fx_write(&fx, "sys/kernel/iommu_groups/1/devices", ""), 0);
	check_error(failed, fx.root, -ENOTDIR);
	fx_cleanup(&fx);

	/* a device link loop */
	CHECK_INT(fx_init(&fx), 0);
	CHECK_INT(fx_group(&fx, 1, "DMA\n", NULL), 0);
	CHECK_INT(fx_symlink(&fx, "sys/kernel/iommu_groups/1/devices/0000:00:01.0",
			     "0000:00:01.0"), 0);
	check_error(failed, fx.root, -ELOOP);
	fx_cleanup(&fx);

	/* a root longer than PATH_MAX */
	memset(root, 'a', sizeof(root) - 1);
	root[0] = '/';
	root[sizeof(root) - 1] = '\0';
	check_error(failed, root, -ENAMETOOLONG);
}

UNIT_TEST(sysfs_iommus)
{
	char names[3][IA_NAME_LEN];
	struct fixture fx;

	CHECK_INT(fx_init(&fx), 0);
	/* no sys/class/iommu: no IOMMU drivers registered */
	CHECK_INT(ia_sysfs_iommus(fx.root, names, 3), 0);
	CHECK_INT(fx_mkdirs(&fx, "sys/class/iommu"), 0);
	CHECK_INT(ia_sysfs_iommus(fx.root, names, 3), 0);
	CHECK_INT(fx_symlink(&fx, "sys/class/iommu/dmar1", "../../devices/virtual/iommu/dmar1"), 0);
	CHECK_INT(fx_symlink(&fx, "sys/class/iommu/dmar0", "../../devices/virtual/iommu/dmar0"), 0);
	CHECK_INT(ia_sysfs_iommus(fx.root, names, 3), 2);
	CHECK_STR(names[0], "dmar0");
	CHECK_STR(names[1], "dmar1");
	CHECK_INT(fx_symlink(&fx, "sys/class/iommu/iommufd_selftest_iommu.0-and-a-long-tail",
			     "x"), 0);
	CHECK_INT(fx_symlink(&fx, "sys/class/iommu/amd-iommu", "x"), 0);
	CHECK_INT(ia_sysfs_iommus(fx.root, names, 3), 3);
	CHECK_STR(names[0], "amd-iommu");
	CHECK_STR(names[1], "dmar0");
	CHECK_STR(names[2], "dmar1");
	CHECK_INT(ia_sysfs_iommus(fx.root, names, 2), 2);
	CHECK_STR(names[0], "amd-iommu");
	CHECK_STR(names[1], "dmar0");
	CHECK_INT(ia_sysfs_iommus(fx.root, NULL, 0), 0);
	CHECK_INT(ia_sysfs_iommus(fx.root, names, -1), -EINVAL);
	CHECK_INT(ia_sysfs_iommus(fx.root, NULL, 1), -EINVAL);
	CHECK_INT(ia_sysfs_iommus("/", NULL, -1), -EINVAL);
	{
		char four[4][IA_NAME_LEN];

		CHECK_INT(ia_sysfs_iommus(fx.root, four, 4), 4);
		CHECK_INT(strlen(four[3]), IA_NAME_LEN - 1);
		CHECK(!strncmp(four[3], "iommufd_selftest_iommu.0", 24));
	}
	fx_cleanup(&fx);

	CHECK_INT(fx_init(&fx), 0);
	CHECK_INT(fx_mkdirs(&fx, "sys/class"), 0);
	CHECK_INT(fx_write(&fx, "sys/class/iommu", ""), 0);
	CHECK_INT(ia_sysfs_iommus(fx.root, names, 3), -ENOTDIR);
	fx_cleanup(&fx);
}

/* sysfs fixture in, JSON Lines out: the path `iommu-audit snapshot --json` takes. */
UNIT_TEST(sysfs_to_json)
{
	static const char want[] =
		"{\"type\":\"group\",\"schema\":1,\"source\":\"snapshot\",\"id\":1,"
		"\"domain_type\":\"\",\"dma\":\"none\",\"verdict\":\"viable\","
		"\"devices\":[{\"name\":\"0000:00:1f.0\",\"driver\":\"\",\"dma\":\"none\"}],"
		"\"reserved_regions\":[]}\n"
		"{\"type\":\"group\",\"schema\":1,\"source\":\"snapshot\",\"id\":7,"
		"\"domain_type\":\"DMA\",\"dma\":\"mixed\",\"verdict\":\"not-viable\","
		"\"devices\":[{\"name\":\"0000:01:00.0\",\"driver\":\"e1000e\",\"dma\":\"kernel\"},"
		"{\"name\":\"0000:01:00.1\",\"driver\":\"vfio-pci\",\"dma\":\"user\"}],"
		"\"reserved_regions\":[{\"start\":\"0xa0000\",\"end\":\"0xbffff\",\"type\":\"direct\"},"
		"{\"start\":\"0xfee00000\",\"end\":\"0xfeefffff\",\"type\":\"msi\"}]}\n";
	struct fixture fx;
	struct ia_model m;
	struct ia_json j;
	char *buf = NULL;
	size_t len = 0;
	FILE *out;

	ia_model_init(&m);
	CHECK_INT(fx_init(&fx), 0);
	CHECK_INT(fx_group(&fx, 7, "DMA\n", resv_x86), 0);
	CHECK_INT(fx_dev(&fx, 7, "0000:01:00.1", "vfio-pci"), 0);
	CHECK_INT(fx_dev(&fx, 7, "0000:01:00.0", "e1000e"), 0);
	CHECK_INT(fx_group(&fx, 1, NULL, NULL), 0);
	CHECK_INT(fx_dev(&fx, 1, "0000:00:1f.0", NULL), 0);
	CHECK_INT(ia_sysfs_read(fx.root, &m), 0);
	out = open_memstream(&buf, &len);
	CHECK(out != NULL);
	if (out) {
		ia_json_init(&j, out);
		ia_state_print_json(&j, &m, "snapshot");
		fclose(out);
		CHECK_STR(buf, want);
	}
	free(buf);
	ia_model_free(&m);
	fx_cleanup(&fx);
}
