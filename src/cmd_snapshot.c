// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `snapshot`: the ownership view from sysfs alone (no BPF). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "json.h"
#include "model.h"
#include "state_out.h"
#include "sysfs.h"

static int read_snapshot(const struct ia_opts *o, struct ia_model *m)
{
	int err = ia_sysfs_read(o->sysfs_root, m);

	if (err == -ENOENT) {
		ia_error(o, "no IOMMU groups in sysfs: the kernel has no IOMMU enabled");
		return err;
	}
	if (err)
		ia_error(o, "reading /sys/kernel/iommu_groups failed: %s", strerror(-err));
	return err;
}

int ia_cmd_snapshot(const struct ia_opts *o)
{
	struct ia_model m;
	struct ia_json j;
	int err;

	ia_model_init(&m);
	err = read_snapshot(o, &m);
	if (!err) {
		if (o->json) {
			ia_json_init(&j, stdout);
			ia_state_print_json(&j, &m, "snapshot");
		} else {
			ia_state_print_text(stdout, &m);
		}
	}
	ia_model_free(&m);
	return err ? 1 : 0;
}
