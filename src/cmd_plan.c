// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `plan`: what handing devices to a driver takes (every device of each
 * group touched, its verdict, the kernel's predicted answers, the ordered
 * steps), who holds the groups, and with --apply the steps carried out,
 * verified and rolled back on failure. Exit: 0 nothing beyond the devices
 * named, 5 more devices must move, 6 a host-critical device is in the way,
 * 1 run-time failure (or the kernel will refuse), 2 usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include "commands.h"
#include "critical.h"
#include "holders.h"
#include "pcidev.h"
#include "kmod.h"
#include "plan.h"
#include "plan_apply.h"
#include "plan_out.h"
#include "sysfs.h"

#define MAX_DEVS 64

struct plan_opts {
	struct ia_cli cli;
	const char *to;
	bool release, apply, allow_critical, with_peers;
};

static const struct ia_opt plan_opts[] = {
	IA_OPT_JSON(struct plan_opts),
	{ .name = "to", .kind = IA_OPT_STRING, .offset = IA_OPT_AT(const char *, struct plan_opts, to),
	  .arg = "DRIVER", .help = "the driver to hand the devices to (default vfio-pci)" },
	{ .name = "release", .kind = IA_OPT_FLAG,
	  .offset = IA_OPT_AT(bool, struct plan_opts, release),
	  .help = "the way back: the drivers the devices had (recorded by --apply),\n"
	  "else the kernel's pick once driver_override is cleared" },
	{ .name = "apply", .kind = IA_OPT_FLAG, .offset = IA_OPT_AT(bool, struct plan_opts, apply),
	  .help = "carry out a plan that exits 0, each step verified; on failure\n"
	  "restore every device touched and exit 1" },
	{ .name = "with-peers", .kind = IA_OPT_FLAG,
	  .offset = IA_OPT_AT(bool, struct plan_opts, with_peers),
	  .help = "add the peers that must move to the devices named" },
	{ .name = "allow-critical", .kind = IA_OPT_FLAG,
	  .offset = IA_OPT_AT(bool, struct plan_opts, allow_critical),
	  .help = "go on although a host-critical device is in the way" },
	{ 0 },
};

/* Everything a plan is built from, read from the system. */
struct plan_ctx {
	const char *root;
	bool json;
	struct ia_model m;
	struct ia_devinfo *info;
	size_t ninfo;
	struct ia_criticals crit;
	struct ia_holders holders;
	bool holders_scanned;
	struct ia_plan_record *records;
	size_t nrecords;
	char devs[MAX_DEVS][IA_NAME_LEN];
	int ndevs;
	struct ia_plan plan;
	struct ia_apply apply;
};

static int parse_devs(const struct plan_opts *o, struct plan_ctx *c)
{
	for (int i = 0; i < o->cli.nargs; i++) {
		if (ia_pci_name_normalize(o->cli.args[i], c->devs[i], sizeof(c->devs[i]))) {
			ia_usage_error(o->cli.json, "plan", "'%s' is not a PCI address "
				       "(DDDD:BB:DD.F or BB:DD.F)", o->cli.args[i]);
			return -EINVAL;
		}
	}
	c->ndevs = o->cli.nargs;
	return 0;
}

static int check_opts(const struct plan_opts *o)
{
	if (o->release && o->to) {
		ia_usage_error(o->cli.json, "plan", "--to and --release exclude each other: "
			       "--release returns devices to the drivers they had");
		return -EINVAL;
	}
	if (o->with_peers && o->release) {
		ia_usage_error(o->cli.json, "plan", "--with-peers is for handing devices over, "
			       "not --release (which returns every recorded device of the group)");
		return -EINVAL;
	}
	return 0;
}

/* Each named device exists and has a group; else one line saying which is missing. */
static int check_devs(struct plan_ctx *c)
{
	struct ia_group *g;

	for (int i = 0; i < c->ndevs; i++) {
		if (!ia_pci_device_exists(c->root, c->devs[i])) {
			ia_error(c->json, "plan: no PCI device %s", c->devs[i]);
			return -ENODEV;
		}
		if (!ia_model_find_dev(&c->m, c->devs[i], &g)) {
			ia_error(c->json, "plan: %s has no IOMMU group: no IOMMU translates its DMA, so "
				 "VFIO cannot isolate it (only vfio's unsafe noiommu mode takes it)",
				 c->devs[i]);
			return -ENODEV;
		}
	}
	return 0;
}

static int read_system(struct plan_ctx *c)
{
	int err = ia_sysfs_read(c->root, &c->m);

	if (err == -ENOENT) {
		ia_error(c->json, "plan: no IOMMU groups in sysfs: the kernel has no IOMMU enabled, "
			 "so no device can be handed to user space safely");
		return err;
	}
	if (err) {
		ia_error(c->json, "plan: reading /sys/kernel/iommu_groups failed: %s", strerror(-err));
		return err;
	}
	err = check_devs(c);
	if (!err && (err = ia_devinfo_read_model(c->root, &c->m, &c->info, &c->ninfo)))
		ia_error(c->json, "plan: reading the devices' sysfs files failed: %s", strerror(-err));
	if (!err && (err = ia_critical_scan(c->root, &c->crit)))
		ia_error(c->json, "plan: finding host-critical devices failed (mounts, swap, network, "
			 "console): %s", strerror(-err));
	if (!err && (err = ia_plan_records_load(ia_plan_state_dir(), &c->records, &c->nrecords)))
		ia_error(c->json, "plan: reading the records in %s failed: %s", ia_plan_state_dir(),
			 strerror(-err));
	/* holders: /proc unreadable leaves them unscanned, reported as unknown */
	c->holders_scanned = !err && !ia_holders_scan(c->root, &c->holders);
	if (!c->holders_scanned)
		c->holders.known = false;
	return err;
}

static int build(const struct plan_opts *o, struct plan_ctx *c)
{
	const char *target = o->to ? o->to : "vfio-pci";
	struct ia_plan_input in = {
		.m = &c->m, .info = c->info, .ninfo = c->ninfo, .critical = &c->crit,
		.holders = &c->holders, .records = c->records, .nrecords = c->nrecords,
		.devs = c->devs, .ndevs = c->ndevs, .target = target,
		.target_loaded = ia_pci_driver_loaded(c->root, target),
		.denylist_disabled = ia_vfio_denylist_disabled(c->root),
		.release = o->release, .with_peers = o->with_peers,
		.allow_critical = o->allow_critical,
	};
	struct utsname u;
	int err;

	/* the running kernel's rules; a fixture tree (--sysfs-root) gets today's */
	if (!c->root[0] && !uname(&u)) {
		in.no_owner_api = ia_release_before(u.release, 5, 19);
		in.probe_errno_dropped = ia_release_before(u.release, 5, 14);
	}
	err = ia_plan_build(&in, &c->plan);

	if (err)
		ia_error(c->json, "plan: %s", strerror(-err));
	return err;
}

static void print_plan(const struct plan_opts *o, struct plan_ctx *c)
{
	struct ia_plan_view v = { .plan = &c->plan, .holders = &c->holders,
				  .target = o->to ? o->to : "vfio-pci", .release = o->release };
	struct ia_json j;

	if (!c->json) {
		ia_plan_print_text(stdout, &v);
		return;
	}
	ia_json_init(&j, stdout);
	ia_plan_print_json(&j, &v);
}

/* --apply: carry the plan out; keep or drop the records. The exit status. */
static int apply(const struct plan_opts *o, struct plan_ctx *c)
{
	const char *dir = ia_plan_state_dir();
	struct ia_json j;
	int err;

	if (c->plan.status) {
		ia_error(c->json, "plan: not applied: %s", c->plan.message);
		return c->plan.status;
	}
	err = ia_plan_apply(c->root, &c->plan, &c->apply);
	if (c->json) {
		ia_json_init(&j, stdout);
		ia_apply_print_json(&j, &c->apply, o->release);
	} else {
		ia_apply_print_text(stdout, &c->apply);
	}
	fflush(stdout);
	if (err) {
		ia_error(c->json, "plan: --apply failed at %s; %s", c->apply.nsteps ?
			 c->apply.steps[c->apply.nsteps - 1].detail : strerror(-err),
			 c->apply.restored ? "every device touched was restored" :
			 "some devices could not be restored");
		return IA_EXIT_FAILURE;
	}
	err = o->release ? ia_plan_records_drop(dir, &c->plan) : ia_plan_records_save(dir, &c->plan);
	if (err) {
		ia_error(c->json, "plan: applied, but the records in %s could not be %s: %s", dir,
			 o->release ? "removed" : "written", strerror(-err));
		return IA_EXIT_FAILURE;
	}
	return 0;
}

static void ctx_free(struct plan_ctx *c)
{
	ia_model_free(&c->m);
	free(c->info);
	ia_criticals_free(&c->crit);
	ia_holders_free(&c->holders);
	free(c->records);
	ia_plan_free(&c->plan);
	ia_apply_free(&c->apply);
}

static int run_plan(const struct ia_invocation *inv)
{
	struct plan_opts o = { 0 };
	enum ia_parse p = ia_cli_parse(inv, &o, &o.cli);
	struct plan_ctx *c;
	int status = IA_EXIT_FAILURE;

	if (p != IA_PARSE_RUN)
		return ia_cli_exit(p);
	c = calloc(1, sizeof(*c));
	if (!c) {
		ia_error(o.cli.json, "plan: out of memory");
		return IA_EXIT_FAILURE;
	}
	c->root = ia_sysfs_root_env();
	c->json = o.cli.json;
	ia_model_init(&c->m);
	ia_criticals_init(&c->crit);
	ia_holders_init(&c->holders);
	ia_plan_init(&c->plan);
	ia_apply_init(&c->apply);
	if (check_opts(&o) || parse_devs(&o, c)) {
		status = IA_EXIT_USAGE;
		goto cleanup;
	}
	if (read_system(c) || build(&o, c))
		goto cleanup;
	print_plan(&o, c);
	fflush(stdout);
	status = o.apply ? apply(&o, c) : c->plan.status;
cleanup:
	ctx_free(c);
	free(c);
	return status;
}

const struct ia_command ia_cmd_plan = {
	.name = "plan",
	.synopsis = "DEV... [--to DRIVER] [--release] [--apply] [--with-peers] [--allow-critical] [--json]",
	.summary = "what handing PCI devices to a driver (vfio-pci) takes, by the kernel's rules",
	.details = "DEV: a PCI address, 0000:03:01.0 or 03:01.0. Verdicts: move, must-move,\n"
		   "exempt, already-there, unbind-only, refused (return, stays with --release).\n"
		   "Exit: 0 nothing beyond the devices named; 5 more devices must move;\n"
		   "6 a host-critical device is in the way; 1 failure or the kernel will refuse;\n"
		   "2 usage. Records of --apply: $IOMMU_AUDIT_STATE_DIR, else " IA_PLAN_STATE_DIR ".\n",
	.opts = plan_opts,
	.min_args = 1,
	.max_args = MAX_DEVS,
	.args_what = "one to 64 PCI addresses",
	.run = run_plan,
};
