// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `snapshot`: the ownership view from sysfs alone (no BPF), and who holds
 * the groups handed to user space (/proc/<pid>/fd, holders.c).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "holders.h"
#include "commands.h"
#include "json.h"
#include "model.h"
#include "state_out.h"
#include "sysfs.h"

struct snapshot_opts {
	struct ia_cli cli;
};

static const struct ia_opt snapshot_opts[] = {
	IA_OPT_JSON(struct snapshot_opts),
	{ 0 },
};

static int read_snapshot(bool json, struct ia_model *m)
{
	int err = ia_sysfs_read(ia_sysfs_root_env(), m);

	if (err == -ENOENT) {
		ia_error(json, "no IOMMU groups in sysfs: the kernel has no IOMMU enabled");
		return err;
	}
	if (err)
		ia_error(json, "reading /sys/kernel/iommu_groups failed: %s", strerror(-err));
	return err;
}

static int run_snapshot(const struct ia_invocation *inv)
{
	struct snapshot_opts o = { 0 };
	enum ia_parse p = ia_cli_parse(inv, &o, &o.cli);
	struct ia_holders h;
	struct ia_model m;
	struct ia_json j;
	int err;

	if (p != IA_PARSE_RUN)
		return ia_cli_exit(p);
	ia_model_init(&m);
	ia_holders_init(&h);
	err = read_snapshot(o.cli.json, &m);
	/* /proc unreadable: holders unknown, said so per group, not an error */
	if (!err && ia_holders_scan(ia_sysfs_root_env(), &h))
		h.known = false;
	if (!err) {
		if (o.cli.json) {
			ia_json_init(&j, stdout);
			ia_state_print_json(&j, &m, "snapshot");
			ia_holders_print_json(&j, &h, &m);
		} else {
			ia_state_print_text(stdout, &m);
			ia_holders_print_groups(stdout, &h, &m);
		}
	}
	ia_holders_free(&h);
	ia_model_free(&m);
	return err ? IA_EXIT_FAILURE : 0;
}

const struct ia_command ia_cmd_snapshot = {
	.name = "snapshot",
	.synopsis = "[--json]",
	.summary = "IOMMU groups, devices, drivers and DMA ownership from sysfs (no BPF)",
	.opts = snapshot_opts,
	.run = run_snapshot,
};
