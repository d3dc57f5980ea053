// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Module states from a fixture tree: loaded, built in, installed, absent; identity across reloads. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "kmod.h"
#include "unit.h"

static void put(const char *root, const char *rel, const char *text)
{
	char path[512], *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (slash = strchr(path + strlen(root) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

UNIT_TEST(kmod_states_from_sysfs_and_module_lists)
{
	char root[] = "/tmp/ia-kmod-XXXXXX", cmd[64];
	__u64 id;

	if (!mkdtemp(root)) {
		CHECK(!"mkdtemp");
		return;
	}
	put(root, "lib/modules/6.12.0/modules.dep",
	    "kernel/drivers/vfio/vfio_iommu_type1.ko.xz: kernel/drivers/vfio/vfio.ko.xz\n"
	    "kernel/drivers/vfio/pci/vfio-pci.ko.xz: kernel/drivers/vfio/vfio.ko.xz\n"
	    "kernel/drivers/vfio/vfio.ko.xz:\n");
	put(root, "lib/modules/6.12.0/modules.builtin", "kernel/drivers/iommu/iommufd/iommufd.ko\n");
	put(root, "sys/module/vfio/initstate", "live\n");
	put(root, "sys/module/vfio_pci/initstate", "going\n");
	CHECK_INT(ia_kmod_state(root, "6.12.0", "vfio"), IA_KMOD_LOADED);
	CHECK_INT(ia_kmod_state(root, "6.12.0", "vfio_iommu_type1"), IA_KMOD_AVAILABLE);
	CHECK_INT(ia_kmod_state(root, "6.12.0", "vfio-iommu-type1"), IA_KMOD_AVAILABLE);
	CHECK_INT(ia_kmod_state(root, "6.12.0", "vfio_pci"), IA_KMOD_AVAILABLE); /* going: not loaded */
	CHECK_INT(ia_kmod_state(root, "6.12.0", "iommufd"), IA_KMOD_BUILTIN);
	CHECK_INT(ia_kmod_state(root, "6.12.0", "vfio_iommu"), IA_KMOD_ABSENT); /* a prefix is not a name */
	CHECK_INT(ia_kmod_state(root, "7.3.0", "vfio_iommu_type1"), IA_KMOD_ABSENT); /* another kernel */
	CHECK_STR(ia_kmod_state_name(IA_KMOD_AVAILABLE), "not loaded");
	CHECK_INT(ia_kmod_instance(root, "vfio_iommu_type1"), 0);
	id = ia_kmod_instance(root, "vfio");
	CHECK(id != 0);
	/* unloaded and loaded again: a new /sys/module directory, a new identity */
	snprintf(cmd, sizeof(cmd), "rm -rf %s/sys/module/vfio", root);
	CHECK_INT(system(cmd), 0);
	CHECK_INT(ia_kmod_instance(root, "vfio"), 0);
	put(root, "sys/module/x/pad", ""); /* keep the old inode from being reused at once */
	put(root, "sys/module/vfio/initstate", "live\n");
	CHECK(ia_kmod_instance(root, "vfio") != 0 && ia_kmod_instance(root, "vfio") != id);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	CHECK_INT(system(cmd), 0);
}

#include <sys/wait.h>
#include "caps.h"

/*
 * Giving up capabilities, in a child: what is asked to stay stays (where
 * held), the rest goes. Keeping CAP_BPF, CAP_PERFMON and CAP_SYSLOG (what
 * perf-event kprobes attached later need) leaves tracing allowed; keeping
 * CAP_SYSLOG alone (kprobe_multi links on a kernel that gates no bpf()
 * on fds held) or nothing leaves it refused.
 */
static int child_drops(unsigned int keep, const char *want_kept)
{
	char kept[96], missing[96];
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		bool had = !ia_caps_missing(missing, sizeof(missing)) && !missing[0];

		if (ia_caps_drop(keep, kept, sizeof(kept)) || ia_caps_missing(missing, sizeof(missing)))
			_exit(3);
		if (!had) /* nothing to keep, nothing to lose: tracing stays refused */
			_exit(missing[0] ? 0 : 4);
		if (strcmp(kept, want_kept) && strcmp(kept, "CAP_SYSLOG,CAP_SYS_ADMIN")) /* or: before 5.8 */
			_exit(5);
		_exit(!missing[0] == ((keep & IA_KEEP_BPF) && (keep & IA_KEEP_PERFMON)) ? 0 : 6);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

UNIT_TEST(caps_drop_keeps_what_late_attach_needs)
{
	CHECK_INT(child_drops(IA_KEEP_BPF | IA_KEEP_PERFMON | IA_KEEP_SYSLOG, "CAP_BPF,CAP_PERFMON,CAP_SYSLOG"), 0);
	CHECK_INT(child_drops(IA_KEEP_SYSLOG, "CAP_SYSLOG"), 0);
	CHECK_INT(child_drops(0, ""), 0);
}
