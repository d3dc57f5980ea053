// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The plan's pure logic on models built here (the shared group behind a
 * bridge, a held group, a host-critical device, --release with and without
 * records), PCI address parsing, the container and pod ids of cgroup paths,
 * and the holders and host-critical scans on fixture /proc and /sys trees.
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
#include "critical.h"
#include "holders.h"
#include "plan.h"
#include "unit.h"

/* ---- models ---- */

static void add_dev(struct ia_group *g, const char *name, const char *driver)
{
	struct ia_dev *d = ia_group_dev(g, name, true);

	ia_strlcpy(d->driver, driver, sizeof(d->driver));
	d->dma = ia_driver_dma_class(driver);
}

/* Group 7: a PCIe-to-PCI bridge on bridge_drv and two e1000 behind it; group 6: an e1000e. */
static void shared_model(struct ia_model *m, const char *bridge_drv, struct ia_devinfo info[4])
{
	struct ia_group *g;
	static const char *const names[] = { "0000:02:00.0", "0000:03:01.0", "0000:03:02.0",
					     "0000:01:00.0" };

	ia_model_init(m);
	g = ia_model_group(m, 7, true);
	add_dev(g, names[0], bridge_drv);
	add_dev(g, names[1], "e1000");
	add_dev(g, names[2], "e1000");
	add_dev(ia_model_group(m, 6, true), names[3], "e1000e");
	ia_model_sort(m);
	for (int i = 0; i < 4; i++) {
		memset(&info[i], 0, sizeof(info[i]));
		ia_strlcpy(info[i].name, names[i], sizeof(info[i].name));
		info[i].pci = true;
		info[i].hdr_type = i == 0 ? 1 : 0;
		info[i].vendor = 0x8086;
		info[i].device = 0x100e;
	}
}

static void input(struct ia_plan_input *in, const struct ia_model *m, const struct ia_devinfo *info,
		  char (*devs)[IA_NAME_LEN], int ndevs)
{
	memset(in, 0, sizeof(*in));
	in->m = m;
	in->info = info;
	in->ninfo = 4;
	in->devs = devs;
	in->ndevs = ndevs;
	in->target = "vfio-pci";
	in->target_loaded = true;
}

/* The plan's device by name; an empty one (verdict -1, name "") when it is not there. */
static const struct ia_plan_dev *pdev(const struct ia_plan *p, const char *name)
{
	static const struct ia_plan_dev none = { .verdict = (enum ia_plan_verdict)-1 };

	for (size_t i = 0; i < p->ndevs; i++)
		if (!strcmp(p->devs[i].name, name))
			return &p->devs[i];
	return &none;
}

UNIT_TEST(plan_shared_group_peer_must_move)
{
	char devs[1][IA_NAME_LEN] = { "0000:03:01.0" };
	struct ia_devinfo info[4];
	struct ia_plan_input in;
	struct ia_model m;
	struct ia_plan p;

	shared_model(&m, "shpchp", info);
	input(&in, &m, info, devs, 1);
	ia_plan_init(&p);
	CHECK_INT(ia_plan_build(&in, &p), 0);
	CHECK_INT(p.status, IA_EXIT_PLAN_PEERS);
	CHECK_INT(p.ngroups, 1);
	CHECK_INT(p.ndevs, 3);
	if (p.ndevs == 3 && p.ngroups == 1) {
		CHECK_INT(pdev(&p, "0000:02:00.0")->verdict, IA_PV_UNBIND_ONLY);
		CHECK_INT(pdev(&p, "0000:03:01.0")->verdict, IA_PV_MOVE);
		CHECK_INT(pdev(&p, "0000:03:02.0")->verdict, IA_PV_MUST_MOVE);
		CHECK(!pdev(&p, "0000:03:02.0")->moves);
		CHECK(p.groups[0].claims);
		CHECK_INT(p.groups[0].claim_err, EPERM);
		/* unbinds first (bridge, then the named e1000), then override and bind */
		CHECK_INT(p.nsteps, 4);
		CHECK_INT(p.steps[0].op, IA_STEP_UNBIND);
		CHECK_STR(p.steps[0].driver, "shpchp");
		CHECK_INT(p.steps[1].op, IA_STEP_UNBIND);
		CHECK_INT(p.steps[2].op, IA_STEP_OVERRIDE);
		CHECK_STR(p.steps[2].driver, "vfio-pci");
		CHECK_INT(p.steps[3].op, IA_STEP_BIND);
		CHECK(strstr(p.message, "0000:03:02.0") != NULL);
	}
	in.with_peers = true;
	CHECK_INT(ia_plan_build(&in, &p), 0);
	CHECK_INT(p.status, 0);
	CHECK_INT(p.groups[0].claim_err, 0);
	CHECK_INT(p.nsteps, 7);
	if (p.nsteps == 7) {
		CHECK_INT(p.steps[2].op, IA_STEP_UNBIND);
		CHECK_INT(p.steps[3].op, IA_STEP_OVERRIDE);
		CHECK_STR(p.steps[6].dev, "0000:03:02.0");
	}
	ia_plan_free(&p);
	ia_model_free(&m);
}

UNIT_TEST(plan_exempt_already_and_refused)
{
	char devs[2][IA_NAME_LEN] = { "0000:03:01.0", "0000:02:00.0" };
	struct ia_devinfo info[4];
	struct ia_plan_input in;
	struct ia_model m;
	struct ia_plan p;
	struct ia_group *g;

	shared_model(&m, "pcieport", info);
	g = ia_model_group(&m, 7, false);
	ia_strlcpy(g->devs[2].driver, "vfio-pci", sizeof(g->devs[2].driver));
	g->devs[2].dma = IA_DMA_USER;
	input(&in, &m, info, devs, 1);
	ia_plan_init(&p);
	CHECK_INT(ia_plan_build(&in, &p), 0);
	CHECK_INT(p.status, 0);
	CHECK_INT(pdev(&p, "0000:02:00.0")->verdict, IA_PV_EXEMPT);
	CHECK_INT(pdev(&p, "0000:03:02.0")->verdict, IA_PV_ALREADY);
	CHECK_INT(p.nsteps, 3);
	/* the bridge named: vfio-pci refuses it, and pcieport takes no ownership: refused */
	in.ndevs = 2;
	CHECK_INT(ia_plan_build(&in, &p), 0);
	CHECK_INT(p.status, IA_EXIT_PLAN_REFUSED);
	CHECK_INT(pdev(&p, "0000:02:00.0")->verdict, IA_PV_REFUSED);
	CHECK_INT(pdev(&p, "0000:02:00.0")->bind_err, EINVAL);
	/* a denylisted device (QAT C62x) is refused too */
	info[1].device = 0x37c8;
	in.ndevs = 1;
	CHECK_INT(ia_plan_build(&in, &p), 0);
	CHECK_INT(pdev(&p, "0000:03:01.0")->verdict, IA_PV_REFUSED);
	in.denylist_disabled = true;
	CHECK_INT(ia_plan_build(&in, &p), 0);
	CHECK_INT(pdev(&p, "0000:03:01.0")->verdict, IA_PV_MOVE);
	/* a device in no group */
	strcpy(devs[0], "0000:09:00.0");
	CHECK_INT(ia_plan_build(&in, &p), -ENODEV);
	ia_plan_free(&p);
	ia_model_free(&m);
}

UNIT_TEST(plan_critical_and_held)
{
	char devs[1][IA_NAME_LEN] = { "0000:01:00.0" };
	struct ia_holder o = { .pid = 99, .group = 6, .comm = "qemu", .path = "/dev/vfio/6" };
	struct ia_devinfo info[4];
	struct ia_criticals crit;
	struct ia_plan_input in;
	struct ia_holders h;
	struct ia_model m;
	struct ia_plan p;

	shared_model(&m, "shpchp", info);
	input(&in, &m, info, devs, 1);
	ia_criticals_init(&crit);
	CHECK_INT(ia_criticals_add(&crit, "0000:01:00.0", "network interface eth0 is up"), 0);
	CHECK_INT(ia_criticals_add(&crit, "0000:01:00.0", "second reason"), 0);
	CHECK_STR(ia_critical_why(&crit, "0000:01:00.0"), "network interface eth0 is up");
	in.critical = &crit;
	ia_plan_init(&p);
	CHECK_INT(ia_plan_build(&in, &p), 0);
	CHECK_INT(p.status, IA_EXIT_PLAN_CRITICAL);
	CHECK_STR(pdev(&p, "0000:01:00.0")->critical, "network interface eth0 is up");
	in.allow_critical = true;
	CHECK_INT(ia_plan_build(&in, &p), 0);
	CHECK_INT(p.status, 0);
	/* held: a claim by anyone else fails, and --release refuses */
	ia_holders_init(&h);
	h.v = &o;
	h.n = 1;
	in.holders = &h;
	CHECK_INT(ia_plan_build(&in, &p), 0);
	CHECK_INT(p.groups[0].claim_err, EBUSY);
	CHECK(strstr(p.groups[0].claim_why, "pid 99 (qemu)") != NULL);
	in.release = true;
	CHECK_INT(ia_plan_build(&in, &p), 0);
	CHECK_INT(pdev(&p, "0000:01:00.0")->verdict, IA_PV_STAYS); /* e1000e: nothing to return */
	ia_plan_free(&p);
	ia_criticals_free(&crit);
	ia_model_free(&m);
}

UNIT_TEST(plan_release_records_or_kernel_pick)
{
	char devs[1][IA_NAME_LEN] = { "0000:03:01.0" };
	struct ia_plan_record rec[2] = {
		{ "0000:03:02.0", "e1000", "" },
		{ "0000:02:00.0", "shpchp", "" },
	};
	struct ia_devinfo info[4];
	struct ia_plan_input in;
	struct ia_model m;
	struct ia_plan p;
	struct ia_group *g;

	shared_model(&m, "", info);
	g = ia_model_group(&m, 7, false);
	for (int i = 1; i < 3; i++) {
		ia_strlcpy(g->devs[i].driver, "vfio-pci", sizeof(g->devs[i].driver));
		g->devs[i].dma = IA_DMA_USER;
		ia_strlcpy(info[i].override, "vfio-pci", sizeof(info[i].override));
	}
	input(&in, &m, info, devs, 1);
	in.release = true;
	in.records = rec;
	in.nrecords = 2;
	ia_plan_init(&p);
	CHECK_INT(ia_plan_build(&in, &p), 0);
	CHECK_INT(p.status, 0);
	CHECK_INT(pdev(&p, "0000:03:01.0")->verdict, IA_PV_RETURN);
	CHECK(!pdev(&p, "0000:03:01.0")->to_known);
	CHECK_STR(pdev(&p, "0000:03:02.0")->to, "e1000");
	CHECK_STR(pdev(&p, "0000:02:00.0")->to, "shpchp");
	/* unbind 03:01.0 and 03:02.0; clear, probe; bind the bridge; clear, bind e1000 */
	CHECK_INT(p.nsteps, 7);
	if (p.nsteps == 7) {
		CHECK_INT(p.steps[0].op, IA_STEP_UNBIND);
		CHECK_INT(p.steps[1].op, IA_STEP_UNBIND);
		CHECK_INT(p.steps[2].op, IA_STEP_BIND);
		CHECK_STR(p.steps[2].driver, "shpchp");
		CHECK_INT(p.steps[3].op, IA_STEP_OVERRIDE);
		CHECK_STR(p.steps[3].driver, "");
		CHECK_INT(p.steps[4].op, IA_STEP_PROBE);
		CHECK_INT(p.steps[6].op, IA_STEP_BIND);
		CHECK_STR(p.steps[6].driver, "e1000");
	}
	ia_plan_free(&p);
	ia_model_free(&m);
}

UNIT_TEST(plan_pci_names)
{
	char out[IA_NAME_LEN];

	CHECK_INT(ia_pci_name_normalize("03:01.0", out, sizeof(out)), 0);
	CHECK_STR(out, "0000:03:01.0");
	CHECK_INT(ia_pci_name_normalize("0000:0A:1F.7", out, sizeof(out)), 0);
	CHECK_STR(out, "0000:0a:1f.7");
	CHECK_INT(ia_pci_name_normalize("10000:00:02.0", out, sizeof(out)), 0);
	CHECK_STR(out, "10000:00:02.0");
	CHECK_INT(ia_pci_name_normalize("03:01.8", out, sizeof(out)), -EINVAL);
	CHECK_INT(ia_pci_name_normalize("3:01.0", out, sizeof(out)), -EINVAL);
	CHECK_INT(ia_pci_name_normalize("000:03:01.0", out, sizeof(out)), -EINVAL);
	CHECK_INT(ia_pci_name_normalize("03:01.0x", out, sizeof(out)), -EINVAL);
	CHECK_INT(ia_pci_name_normalize("", out, sizeof(out)), -EINVAL);
	CHECK(ia_last_pci_component("/sys/devices/pci0000:00/0000:00:1e.0/0000:04:00.0/virtio0",
				    out, sizeof(out)));
	CHECK_STR(out, "0000:04:00.0");
	CHECK(!ia_last_pci_component("/sys/devices/virtual/block/dm-0", out, sizeof(out)));
}

UNIT_TEST(holders_cgroup_ids)
{
	char c[IA_CONTAINER_LEN], pod[IA_POD_LEN];
	char id[65], path[256];

	memset(id, 'a', 64);
	id[64] = '\0';
	snprintf(path, sizeof(path), "/system.slice/docker-%s.scope", id);
	ia_cgroup_ids(path, c, pod);
	CHECK_STR(c, id);
	CHECK_STR(pod, "");
	snprintf(path, sizeof(path), "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-"
		 "pod1b2c3d4e_5f60_4a7b_8c9d_0e1f2a3b4c5d.slice/cri-containerd-%s.scope", id);
	ia_cgroup_ids(path, c, pod);
	CHECK_STR(c, id);
	CHECK_STR(pod, "1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d");
	snprintf(path, sizeof(path), "/kubepods/burstable/pod1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d/%s", id);
	ia_cgroup_ids(path, c, pod);
	CHECK_STR(c, id);
	CHECK_STR(pod, "1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d");
	ia_cgroup_ids("/user.slice/user-1000.slice/session-2.scope", c, pod);
	CHECK_STR(c, "");
	CHECK_STR(pod, "");
}

/* ---- fixture trees ---- */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* mkdir -p of the parent of <root>/<rel>, then a file with text, or a link to target */
static int put(const char *root, const char *rel, const char *text, const char *target)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (char *p = path + strlen(root) + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (target)
		return symlink(target, path) ? -errno : 0;
	f = fopen(path, "w");
	if (!f)
		return -errno;
	fputs(text, f);
	return fclose(f) ? -errno : 0;
}

UNIT_TEST(holders_scan_fixture)
{
	char root[] = "/tmp/ia-holders-XXXXXX";
	struct ia_holders h;
	int err = 0;

	CHECK(mkdtemp(root) != NULL);
	err |= put(root, "proc/10/fd/3", NULL, "/dev/vfio/7");
	err |= put(root, "proc/10/fd/4", NULL, "/dev/vfio/vfio"); /* the container: no group */
	err |= put(root, "proc/10/comm", "qemu-system-x86\n", NULL);
	err |= put(root, "proc/10/cgroup", "12:cpu:/legacy\n0::/machine.slice/vm.scope\n", NULL);
	err |= put(root, "proc/20/fd/0", NULL, "/dev/null");
	err |= put(root, "proc/30/fd/5", NULL, "/dev/iommu");
	err |= put(root, "proc/30/fd/6", NULL, "/dev/vfio/devices/vfio0");
	err |= put(root, "proc/30/comm", "iommu-drive\n", NULL);
	err |= put(root, "proc/30/cgroup", "0::/\n", NULL);
	err |= put(root, "sys/class/vfio-dev/vfio0/device", NULL,
		   "../../../devices/pci0000:00/0000:01:00.0");
	err |= put(root, "sys/devices/pci0000:00/0000:01:00.0/iommu_group", NULL,
		   "../../../kernel/iommu_groups/6");
	err |= put(root, "proc/self", NULL, "10");
	CHECK_INT(err, 0);
	ia_holders_init(&h);
	CHECK_INT(ia_holders_scan(root, &h), 0);
	CHECK(h.known);
	CHECK_INT(h.n, 3);
	if (h.n == 3) {
		/* sorted by group: the cdev and its iommufd in group 6, then the group file */
		CHECK_INT(h.v[0].group, 6);
		CHECK_INT(h.v[0].pid, 30);
		CHECK_STR(h.v[0].path, "/dev/iommu");
		CHECK_STR(h.v[1].path, "/dev/vfio/devices/vfio0");
		CHECK_STR(h.v[1].dev, "0000:01:00.0");
		CHECK_INT(h.v[2].group, 7);
		CHECK_STR(h.v[2].comm, "qemu-system-x86");
		CHECK_STR(h.v[2].cgroup, "/machine.slice/vm.scope");
	}
	CHECK(ia_holders_group_held(&h, 7));
	CHECK(!ia_holders_group_held(&h, 5));
	ia_holders_free(&h);
	nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	CHECK_INT(ia_holders_scan(root, &h), -ENOENT);
}

UNIT_TEST(critical_scan_fixture)
{
	char root[] = "/tmp/ia-critical-XXXXXX";
	struct ia_criticals c;
	int err = 0;

	CHECK(mkdtemp(root) != NULL);
	err |= put(root, "proc/self/mountinfo",
		   "20 1 253:0 / / rw - ext4 /dev/mapper/root rw\n"
		   "21 20 8:1 / /boot rw - ext4 /dev/sda1 rw\n"
		   "22 20 0:30 / /mnt/my\\040share rw - 9p share rw\n"
		   "23 20 0:5 / /proc rw - proc proc rw\n", NULL);
	err |= put(root, "sys/dev/block/253:0", NULL, "../../devices/virtual/block/dm-0");
	err |= put(root, "sys/devices/virtual/block/dm-0/slaves/nvme0n1p2", NULL,
		   "../../../../pci0000:00/0000:00:1d.0/0000:3d:00.0/nvme/nvme0/nvme0n1/nvme0n1p2");
	err |= put(root, "sys/devices/pci0000:00/0000:00:1d.0/0000:3d:00.0/nvme/nvme0/nvme0n1/nvme0n1p2/dev",
		   "259:2\n", NULL);
	err |= put(root, "sys/class/block/nvme0n1p2", NULL,
		   "../../devices/pci0000:00/0000:00:1d.0/0000:3d:00.0/nvme/nvme0/nvme0n1/nvme0n1p2");
	err |= put(root, "sys/dev/block/8:1", NULL,
		   "../../devices/pci0000:00/0000:00:1f.2/ata1/host0/block/sda/sda1");
	err |= put(root, "sys/devices/pci0000:00/0000:00:1f.2/ata1/host0/block/sda/sda1/dev", "8:1\n", NULL);
	err |= put(root, "sys/bus/virtio/devices/virtio3", NULL, "../../../devices/pci0000:00/0000:04:00.0/virtio3");
	err |= put(root, "sys/devices/pci0000:00/0000:04:00.0/virtio3/mount_tag", "share", NULL);
	err |= put(root, "proc/swaps", "Filename\tType\tSize\tUsed\tPriority\n"
		   "/dev/sdb2 partition 1000 0 -2\n", NULL);
	err |= put(root, "sys/class/block/sdb2", NULL,
		   "../../devices/pci0000:00/0000:00:17.0/ata2/host1/block/sdb/sdb2");
	err |= put(root, "sys/devices/pci0000:00/0000:00:17.0/ata2/host1/block/sdb/sdb2/dev", "8:18\n", NULL);
	err |= put(root, "sys/class/net/eth0", NULL, "../../devices/pci0000:00/0000:01:00.0/net/eth0");
	err |= put(root, "sys/devices/pci0000:00/0000:01:00.0/net/eth0/flags", "0x1003\n", NULL);
	err |= put(root, "sys/class/net/eth1", NULL, "../../devices/pci0000:00/0000:02:00.0/net/eth1");
	err |= put(root, "sys/devices/pci0000:00/0000:02:00.0/net/eth1/flags", "0x1002\n", NULL);
	err |= put(root, "proc/net/route", "Iface\tDestination\tGateway\n"
		   "eth0\t00000000\t010200C0\n eth1\t00000000\t010200C0\n", NULL);
	err |= put(root, "sys/class/graphics/fb0", NULL, "../../devices/pci0000:00/0000:00:02.0/graphics/fb0");
	err |= put(root, "sys/devices/pci0000:00/0000:00:02.0/graphics/fb0/dev", "29:0\n", NULL);
	err |= put(root, "sys/class/vtconsole/vtcon1/name", "(M) frame buffer device\n", NULL);
	err |= put(root, "sys/class/vtconsole/vtcon1/bind", "1\n", NULL);
	CHECK_INT(err, 0);
	ia_criticals_init(&c);
	CHECK_INT(ia_critical_scan(root, &c), 0);
	CHECK_STR(ia_critical_why(&c, "0000:3d:00.0"), "the root filesystem / (ext4)");
	CHECK_STR(ia_critical_why(&c, "0000:00:1f.2"), "mounted filesystem /boot (ext4)");
	CHECK_STR(ia_critical_why(&c, "0000:04:00.0"), "mounted filesystem /mnt/my share (9p)");
	CHECK_STR(ia_critical_why(&c, "0000:00:17.0"), "active swap /dev/sdb2");
	CHECK_STR(ia_critical_why(&c, "0000:01:00.0"), "network interface eth0 is up with the default route");
	CHECK(ia_critical_why(&c, "0000:02:00.0") == NULL); /* eth1 is down */
	CHECK_STR(ia_critical_why(&c, "0000:00:02.0"), "console framebuffer fb0 (fbcon bound)");
	CHECK(ia_critical_why(&c, "0000:00:1d.0") == NULL); /* the bridge above the disk */
	CHECK_INT(c.n, 6);
	ia_criticals_free(&c);
	nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	CHECK_INT(ia_critical_scan(root, &c), -ENOENT);
}

/*
 * The kernel's generation: before 5.19 the claim is VFIO's (a non-viable
 * group's device fds fail EINVAL), before 5.14 a probe's refusal reads
 * ENODEV through the sysfs bind.
 */
UNIT_TEST(plan_before_the_ownership_api)
{
	char devs[2][IA_NAME_LEN] = { "0000:03:01.0", "0000:02:00.0" };
	struct ia_devinfo info[4];
	struct ia_plan_input in;
	struct ia_model m;
	struct ia_plan p;

	shared_model(&m, "shpchp", info);
	input(&in, &m, info, devs, 2);
	in.no_owner_api = true;
	in.probe_errno_dropped = true;
	ia_plan_init(&p);
	CHECK_INT(ia_plan_build(&in, &p), 0);
	CHECK_INT(p.ngroups, 1);
	if (p.ngroups == 1) {
		CHECK_INT(p.groups[0].claim_err, EINVAL);
		CHECK(strstr(p.groups[0].claim_why, "VFIO_GROUP_GET_DEVICE_FD") != NULL);
	}
	CHECK_INT(pdev(&p, "0000:02:00.0")->bind_err, ENODEV);
	in.no_owner_api = in.probe_errno_dropped = false;
	CHECK_INT(ia_plan_build(&in, &p), 0);
	CHECK_INT(p.groups[0].claim_err, EPERM);
	CHECK_INT(pdev(&p, "0000:02:00.0")->bind_err, EINVAL);
	ia_plan_free(&p);
	ia_model_free(&m);
}
