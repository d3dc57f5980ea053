// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The prototype table (src/protos.c) against the BTF of the kernels we
 * support (trimmed fixtures in tests/fixtures/btf/, README there), the
 * comparison's reasons, and the checker's error paths.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "btfproto.h"
#include "hooks.h"
#include "json.h"
#include "probe_out.h"
#include "probes.h"
#include "protos.h"
#include "trace.h"
#include "unit.h"

/* the fixtures, wherever the tests run from (the Makefile names the tree) */
#ifndef IA_SRCDIR
#define IA_SRCDIR "."
#endif
#define FIXTURES IA_SRCDIR "/tests/fixtures/btf"

/* Every target of every call hook has its entry, naming that hook; no entry is stale. */
UNIT_TEST(protos_table_covers_every_call_hook)
{
	char pos[64];

	for (unsigned int id = 1; id < IA_HOOK_MAX; id++) {
		const struct ia_hook_info *h = ia_hook_info(id);

		if (!h || h->kind != IA_KIND_CALL)
			continue;
		for (int i = 0; i < IA_MAX_TARGETS && h->targets[i]; i++) {
			const struct ia_proto_expect *e = ia_proto_find(ia_protos, h->targets[i]);

			if (!e)
				fprintf(stderr, "  no entry for %s (hook %s)\n", h->targets[i], h->name);
			CHECK(e != NULL);
			if (e)
				CHECK_STR(e->hook, h->name);
		}
	}
	for (int t = 0; t < 2; t++)
		for (const struct ia_proto_expect *e = t ? ia_protos_planned : ia_protos; e->symbol; e++) {
			bool listed = false;

			/* a read position every accepted count has, counts in range */
			CHECK(e->min_args <= e->max_args && e->max_args <= IA_PROTO_MAX_ARGS);
			for (unsigned int i = e->min_args; i < IA_PROTO_MAX_ARGS; i++)
				CHECK_INT(e->args[i].kind, IA_ARG_UNREAD);
			CHECK(e->source && e->source[0]);
			CHECK(strcmp(ia_proto_read_positions(e, pos, sizeof(pos)), "none") ||
			      !strcmp(e->symbol, "iommu_domain_alloc"));
			if (t)
				continue;
			for (unsigned int id = 1; id < IA_HOOK_MAX; id++) {
				const struct ia_hook_info *h = ia_hook_info(id);

				for (int i = 0; h && i < IA_MAX_TARGETS && h->targets[i]; i++)
					listed |= !strcmp(h->targets[i], e->symbol) && !strcmp(h->name, e->hook);
			}
			if (!listed)
				fprintf(stderr, "  stale entry %s (hook %s)\n", e->symbol, e->hook);
			CHECK(listed);
		}
}

/* Is name a line of the file at path (a fixture's no-btf)? */
static bool listed_in(const char *path, const char *name)
{
	FILE *f = fopen(path, "r");
	char line[128];
	bool found = false;

	while (f && !found && fgets(line, sizeof(line), f))
		found = !strcmp(strtok(line, "\n") ?: "", name);
	if (f)
		fclose(f);
	return found;
}

/* A fixture kernel: its trimmed vmlinux BTF and, per module, its own or none. */
struct kernel {
	const char *dir;
	struct btf *vmlinux;
	struct btf *type1;	/* vfio_iommu_type1.btf, when the module has BTF */
	bool type1_no_btf;	/* listed in no-btf: a module, described by no BTF */
};

static void kernel_open(struct kernel *k, const char *dir, int *failed)
{
	char path[512];

	k->dir = dir;
	snprintf(path, sizeof(path), FIXTURES "/%s/vmlinux.btf", dir);
	k->vmlinux = btf__parse(path, NULL);
	CHECK(k->vmlinux != NULL);
	snprintf(path, sizeof(path), FIXTURES "/%s", dir);
	k->type1 = ia_btf_module(path, "vfio_iommu_type1.btf", k->vmlinux, &(int){ 0 });
	snprintf(path, sizeof(path), FIXTURES "/%s/no-btf", dir);
	k->type1_no_btf = listed_in(path, "vfio_iommu_type1");
}

static void kernel_close(struct kernel *k)
{
	btf__free(k->type1);
	btf__free(k->vmlinux);
}

/* The module a target lives in when it is one (src/hooks.c), for the planned ones by name. */
static const char *module_of(const struct ia_proto_expect *e)
{
	for (unsigned int id = 1; id < IA_HOOK_MAX; id++) {
		const struct ia_hook_info *h = ia_hook_info(id);

		if (h && !strcmp(h->name, e->hook))
			return h->module;
	}
	return !strncmp(e->symbol, "iommufd_", 8) ? "iommufd" : NULL;
}

/*
 * As the loader checks a target it found: in its module's BTF when that
 * exists, else in vmlinux's; a module whose functions no BTF describes is
 * named. iommufd is built in or absent in these kernels; vfio_iommu_type1
 * is a module but in the test kernels.
 */
static enum ia_proto_verdict check_on(const struct kernel *k, const struct ia_proto_expect *table,
				      const struct ia_proto_expect *e, char *why, size_t len)
{
	const char *mod = module_of(e);
	bool type1 = mod && !strcmp(mod, "vfio_iommu_type1");

	return ia_btf_check_target(k->vmlinux, type1 ? k->type1 : NULL,
				   type1 && k->type1_no_btf ? mod : NULL, table, e->symbol, why, len);
}

/* What a kernel should say: absent targets, targets without BTF, mismatches with their reason. */
struct expect_kernel {
	const char *dir;
	const char *absent;	/* space-separated; every other target of the table is ok... */
	const char *no_btf;	/* ...but these */
	struct { const char *symbol, *why; } mismatch[4];
};

/* the hwpt functions' names on 6.2-6.6, renamed in 6.7 */
#define HWPT_OLD "iommufd_hw_pagetable_alloc iommufd_hw_pagetable_destroy"
#define IOMMUFD_ALL "iommufd_device_bind iommufd_device_unbind iommufd_device_attach " \
	"iommufd_device_replace iommufd_device_detach iommufd_hwpt_paging_alloc " \
	"iommufd_hw_pagetable_attach iommufd_fops_release iommufd_fops_ioctl iommufd_ioas_map " \
	"iommufd_ioas_unmap iommufd_hwpt_paging_destroy iommufd_object_finalize iommufd_object_remove " \
	HWPT_OLD
/* the core's PASID calls (6.2+; 6.11 for the handle; replace 6.15+) */
#define PASID_CORE "iommu_detach_group_handle iommu_attach_device_pasid iommu_replace_device_pasid " \
	"iommu_detach_device_pasid"
/* the PCI reset's blocking (7.0+) */
#define RESET "pci_dev_reset_iommu_prepare pci_dev_reset_iommu_done"
/* static, and inlined everywhere but Debian's 5.10 */
#define RELEASE_INNER "__device_release_driver"

static const struct expect_kernel current[] = {
	{ "5.10-debian",
	  "__iommu_group_set_domain_internal __iommu_group_set_domain iommu_attach_group_handle "
	  "iommu_replace_group_handle iommu_group_replace_domain iommu_group_claim_dma_owner "
	  "iommu_group_release_dma_owner iommu_device_claim_dma_owner iommu_device_release_dma_owner "
	  "iommu_device_use_default_domain iommu_device_unuse_default_domain "
	  "iommu_paging_domain_alloc_flags iommu_paging_domain_alloc " IOMMUFD_ALL " " PASID_CORE " " RESET,
	  "vfio_iommu_type1_attach_group vfio_iommu_type1_detach_group", { { NULL, NULL } } },
	{ "6.1-debian",
	  "__iommu_group_set_domain_internal iommu_attach_group_handle iommu_replace_group_handle "
	  "iommu_group_replace_domain iommu_device_claim_dma_owner iommu_device_release_dma_owner "
	  "iommu_paging_domain_alloc_flags iommu_paging_domain_alloc " IOMMUFD_ALL " " PASID_CORE " " RESET
	  " " RELEASE_INNER, "", { { NULL, NULL } } },
	{ "6.12-debian", "__iommu_group_set_domain iommu_paging_domain_alloc_flags iommu_replace_device_pasid "
	  IOMMUFD_ALL " " RESET " " RELEASE_INNER, "", { { NULL, NULL } } },
	{ "6.12-test", "__iommu_group_set_domain iommu_paging_domain_alloc_flags iommu_replace_device_pasid "
	  RESET " " RELEASE_INNER " " HWPT_OLD, "", { { NULL, NULL } } },
	{ "7.3-debian",
	  "__iommu_group_set_domain iommu_group_replace_domain iommu_paging_domain_alloc "
	  "iommu_domain_alloc " IOMMUFD_ALL " " RELEASE_INNER, "", { { NULL, NULL } } },
	{ "7.3-test",
	  "__iommu_group_set_domain iommu_group_replace_domain iommu_paging_domain_alloc "
	  "iommu_domain_alloc " RELEASE_INNER " " HWPT_OLD, "", { { NULL, NULL } } },
};

static const struct expect_kernel planned[] = {
	{ "5.10-debian", "iommufd_device_attach iommufd_device_replace iommufd_device_detach", "",
	  { { NULL, NULL } } },
	{ "6.1-debian", "iommufd_device_attach iommufd_device_replace iommufd_device_detach", "",
	  { { NULL, NULL } } },
	{ "6.12-debian", "iommufd_device_attach iommufd_device_replace iommufd_device_detach", "",
	  { { NULL, NULL } } },
	/* before 6.15 the iommufd calls had no pasid: the pasid is not read there */
	{ "6.12-test", "", "",
	  { { "iommufd_device_attach",
	      "iommufd_device_attach: 2 arguments, the program expects 3 (it reads 1, 2, 3)" },
	    { "iommufd_device_replace",
	      "iommufd_device_replace: 2 arguments, the program expects 3 (it reads 1, 2, 3)" },
	    { "iommufd_device_detach",
	      "iommufd_device_detach: 1 arguments, the program expects 2 (it reads 1, 2)" } } },
	{ "7.3-debian", "iommufd_device_attach iommufd_device_replace iommufd_device_detach", "",
	  { { NULL, NULL } } },
	{ "7.3-test", "", "", { { NULL, NULL } } },
};

static bool listed(const char *list, const char *symbol)
{
	size_t n = strlen(symbol);

	for (const char *p = list; (p = strstr(p, symbol)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return true;
	return false;
}

/* Every name in a list is a target of the table: the lists cannot rot. */
static void check_list(const struct ia_proto_expect *table, const char *list, int *failed)
{
	char buf[2048], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", list);
	for (char *s = strtok_r(buf, " ", &save); s; s = strtok_r(NULL, " ", &save)) {
		if (!ia_proto_find(table, s))
			fprintf(stderr, "  %s: not in the table\n", s);
		CHECK(ia_proto_find(table, s) != NULL);
	}
}

static void check_kernels(const struct ia_proto_expect *table, const struct expect_kernel *x, size_t n,
			  int *failed)
{
	for (size_t k = 0; k < n; k++) {
		struct kernel kern;

		kernel_open(&kern, x[k].dir, failed);
		check_list(table, x[k].absent, failed);
		check_list(table, x[k].no_btf, failed);
		for (const struct ia_proto_expect *e = table; kern.vmlinux && e->symbol; e++) {
			enum ia_proto_verdict want = IA_PROTO_OK, got;
			const char *want_why = "";
			char why[256];

			if (listed(x[k].absent, e->symbol))
				want = IA_PROTO_ABSENT;
			else if (listed(x[k].no_btf, e->symbol))
				want = IA_PROTO_NO_BTF;
			for (int m = 0; m < 4 && x[k].mismatch[m].symbol; m++)
				if (!strcmp(x[k].mismatch[m].symbol, e->symbol)) {
					want = IA_PROTO_MISMATCH;
					want_why = x[k].mismatch[m].why;
				}
			got = check_on(&kern, table, e, why, sizeof(why));
			if (got != want)
				fprintf(stderr, "  %s %s: %s (%s), want %s\n", x[k].dir, e->symbol,
					ia_proto_verdict_name(got), why, ia_proto_verdict_name(want));
			CHECK_INT(got, want);
			if (want == IA_PROTO_MISMATCH)
				CHECK_STR(why, want_why);
			if (want == IA_PROTO_OK)
				CHECK_STR(why, "");
		}
		kernel_close(&kern);
	}
}

UNIT_TEST(protos_verdicts_on_each_kernel)
{
	check_kernels(ia_protos, current, sizeof(current) / sizeof(current[0]), failed);
}

UNIT_TEST(protos_planned_verdicts_on_each_kernel)
{
	check_kernels(ia_protos_planned, planned, sizeof(planned) / sizeof(planned[0]), failed);
}

/* The changes the table allows for, seen in the BTF itself. */
UNIT_TEST(protos_known_changes_are_in_the_fixtures)
{
	struct kernel k612, k73;
	struct ia_proto_seen s;

	kernel_open(&k612, "6.12-test", failed);
	kernel_open(&k73, "7.3-test", failed);
	if (!k612.vmlinux || !k73.vmlinux)
		goto out;
	/* __iommu_attach_device(domain, dev) -> (domain, dev, old) in 6.19 */
	CHECK_INT(ia_btf_proto(k612.vmlinux, "__iommu_attach_device", &s), 0);
	CHECK_INT(s.nargs, 2);
	CHECK_INT(ia_btf_proto(k73.vmlinux, "__iommu_attach_device", &s), 0);
	CHECK_INT(s.nargs, 3);
	CHECK_STR(s.args[2].spelling, "struct iommu_domain *");
	/* iommufd_device_attach(idev, pt_id) -> (idev, pasid, pt_id) in 6.15 */
	CHECK_INT(ia_btf_proto(k612.vmlinux, "iommufd_device_attach", &s), 0);
	CHECK_INT(s.nargs, 2);
	CHECK_STR(s.args[1].spelling, "u32 *");
	CHECK_INT(ia_btf_proto(k73.vmlinux, "iommufd_device_attach", &s), 0);
	CHECK_INT(s.nargs, 3);
	CHECK_STR(s.args[1].spelling, "ioasid_t");
	CHECK_INT(s.args[1].cls, IA_T_INT);
	CHECK_INT(s.args[2].cls, IA_T_INT_PTR);
	/* really_probe's driver became const in 6.12 */
	CHECK_INT(ia_btf_proto(k612.vmlinux, "really_probe", &s), 0);
	CHECK_STR(s.args[1].spelling, "const struct device_driver *");
	CHECK_STR(s.args[1].tag, "device_driver");
	CHECK_STR(s.ret.spelling, "int");
out:
	kernel_close(&k612);
	kernel_close(&k73);
}

/*
 * The hwpt functions' names of 6.2-6.6, held against BTF written from the
 * source at v6.2 and v6.6 (tests/fixtures/btf/6.*-synthetic, README there):
 * no kernel at hand has them.
 */
UNIT_TEST(protos_old_hwpt_names_on_6_2_and_6_6_source)
{
	static const char *const known[] = {
		"iommufd_hw_pagetable_alloc", "iommufd_hw_pagetable_destroy", "iommufd_hw_pagetable_attach",
	};
	/* the 6.7+ exit program's reading put on the old name: what the loader must not do */
	static const struct ia_proto_expect wrong[] = {
		{ "iommufd_hw_pagetable_alloc", "hwpt_alloc", 4, 4,
		  { .kind = IA_ARG_STRUCT_PTR, .tag = "iommufd_hwpt_paging", .spelling = "struct iommufd_hwpt_paging *" },
		  { { .kind = IA_ARG_UNREAD }, { .kind = IA_ARG_UNREAD },
		    { .kind = IA_ARG_STRUCT_PTR, .tag = "iommufd_device", .spelling = "struct iommufd_device *" } }, "test" },
		{ .symbol = NULL },
	};
	struct kernel k62, k66;
	struct ia_proto_seen seen;
	char why[256];

	kernel_open(&k62, "6.2-synthetic", failed);
	kernel_open(&k66, "6.6-synthetic", failed);
	if (!k62.vmlinux || !k66.vmlinux)
		goto out;
	/* v6.6: (ictx, ioas, idev, immediate_attach), the struct iommufd_hw_pagetable returned */
	CHECK_INT(ia_btf_check(k66.vmlinux, ia_protos, "iommufd_hw_pagetable_alloc", why, sizeof(why)), IA_PROTO_OK);
	CHECK_STR(why, "");
	CHECK_INT(ia_btf_check(k66.vmlinux, ia_protos, "iommufd_hw_pagetable_destroy", why, sizeof(why)), IA_PROTO_OK);
	CHECK_INT(ia_btf_check(k66.vmlinux, ia_protos, "iommufd_hw_pagetable_attach", why, sizeof(why)), IA_PROTO_OK);
	CHECK_INT(ia_btf_proto(k66.vmlinux, "iommufd_hw_pagetable_alloc", &seen), 0);
	CHECK_INT(seen.nargs, 4);
	CHECK_STR(seen.args[2].spelling, "struct iommufd_device *");
	CHECK_STR(seen.args[3].spelling, "bool");
	CHECK_STR(seen.ret.spelling, "struct iommufd_hw_pagetable *");
	/* the newer exit programs' reading is refused there */
	CHECK_INT(ia_btf_check(k66.vmlinux, wrong, "iommufd_hw_pagetable_alloc", why, sizeof(why)), IA_PROTO_MISMATCH);
	CHECK_STR(why, "iommufd_hw_pagetable_alloc: returns struct iommufd_hw_pagetable *, "
		       "the program reads struct iommufd_hwpt_paging *");
	/* v6.2: (ictx, ioas, dev): the hook stays missing, with this reason; destroy is as on 6.6 */
	CHECK_INT(ia_btf_check(k62.vmlinux, ia_protos, "iommufd_hw_pagetable_alloc", why, sizeof(why)),
		  IA_PROTO_MISMATCH);
	CHECK_STR(why, "iommufd_hw_pagetable_alloc: 3 arguments, the program expects 4 (it reads 3)");
	CHECK_INT(ia_btf_proto(k62.vmlinux, "iommufd_hw_pagetable_alloc", &seen), 0);
	CHECK_STR(seen.args[2].spelling, "struct device *");
	CHECK_INT(ia_btf_check(k62.vmlinux, ia_protos, "iommufd_hw_pagetable_destroy", why, sizeof(why)), IA_PROTO_OK);
	/* the attach became a function of its own in 6.4 */
	CHECK_INT(ia_btf_check(k62.vmlinux, ia_protos, "iommufd_hw_pagetable_attach", why, sizeof(why)),
		  IA_PROTO_ABSENT);
	/* every other target is absent from these fixtures: the 6.7+ names among them */
	for (const struct ia_proto_expect *e = ia_protos; e->symbol; e++) {
		bool described = false;

		for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			described |= !strcmp(known[i], e->symbol);
		if (described)
			continue;
		CHECK_INT(ia_btf_check(k66.vmlinux, ia_protos, e->symbol, why, sizeof(why)), IA_PROTO_ABSENT);
		CHECK_INT(ia_btf_check(k62.vmlinux, ia_protos, e->symbol, why, sizeof(why)), IA_PROTO_ABSENT);
	}
	/*
	 * What the old exit program reads by name (bpf/watch.bpf.c:
	 * on_exit_hwpt): the domain after obj and ioas, the id in obj; and the
	 * struct the newer exit program reads is not there.
	 */
	for (int v = 0; v < 2; v++) {
		const struct btf *b = v ? k66.vmlinux : k62.vmlinux;

		CHECK_INT(ia_btf_member_offset(b, "iommufd_hw_pagetable", "obj"), 0);
		CHECK_INT(ia_btf_member_offset(b, "iommufd_hw_pagetable", "ioas"), 56);
		CHECK_INT(ia_btf_member_offset(b, "iommufd_hw_pagetable", "domain"), 64);
		CHECK_INT(ia_btf_member_offset(b, "iommufd_object", "id"), 48);
		CHECK_INT(ia_btf_member_offset(b, "iommufd_hwpt_paging", "common"), -ENOENT);
	}
	CHECK_INT(ia_btf_member_offset(k62.vmlinux, "iommufd_hw_pagetable", "devices"), 128);
	CHECK_INT(ia_btf_member_offset(k66.vmlinux, "iommufd_hw_pagetable", "devices"), -ENOENT);
	CHECK_INT(ia_btf_member_offset(k66.vmlinux, "iommufd_hw_pagetable", "msi_cookie"), -EINVAL);
	CHECK_INT(ia_btf_member_offset(NULL, "iommufd_hw_pagetable", "domain"), -ENOENT);
out:
	kernel_close(&k62);
	kernel_close(&k66);
}

/* Deliberately wrong entries: each must be caught, with the reason said. */
UNIT_TEST(protos_wrong_entries_are_caught)
{
	static const struct ia_proto_expect wrong[] = {
		/* the group first, as in iommu_replace_group_handle: wrong for attach */
		{ "iommu_attach_group_handle", "attach_handle", 3, 3, { .kind = IA_ARG_INT, .size = 4, .spelling = "int" },
		  { { .kind = IA_ARG_STRUCT_PTR, .tag = "iommu_group", .spelling = "struct iommu_group *" },
		    { .kind = IA_ARG_STRUCT_PTR, .tag = "iommu_domain", .spelling = "struct iommu_domain *" } }, "test" },
		/* a program reading dev at the third place */
		{ "__iommu_attach_device", "attach_dev_core", 2, 3, { .kind = IA_ARG_UNREAD },
		  { { .kind = IA_ARG_UNREAD }, { .kind = IA_ARG_UNREAD },
		    { .kind = IA_ARG_STRUCT_PTR, .tag = "device", .spelling = "struct device *" } }, "test" },
		/* accepting only the old count */
		{ "iommufd_device_detach", "iommufd_detach", 1, 1, { .kind = IA_ARG_UNREAD },
		  { { .kind = IA_ARG_STRUCT_PTR, .tag = "iommufd_device", .spelling = "struct iommufd_device *" } }, "test" },
		/* pasid read as 64 bits */
		{ "iommu_detach_device_pasid", "detach_pasid", 3, 3, { .kind = IA_ARG_UNREAD },
		  { { .kind = IA_ARG_UNREAD }, { .kind = IA_ARG_UNREAD },
		    { .kind = IA_ARG_INT, .size = 8, .spelling = "u64" } }, "test" },
		/* the old hwpt type as the return value */
		{ "iommufd_hwpt_paging_alloc", "hwpt_alloc", 6, 7,
		  { .kind = IA_ARG_STRUCT_PTR, .tag = "iommufd_hw_pagetable", .spelling = "struct iommufd_hw_pagetable *" },
		  { { .kind = IA_ARG_UNREAD } }, "test" },
		/* a pointer where the kernel passes an integer */
		{ "iommufd_fops_ioctl", "iommufd_ioctl", 3, 3, { .kind = IA_ARG_UNREAD },
		  { { .kind = IA_ARG_UNREAD }, { .kind = IA_ARG_ANY_PTR, .spelling = "void *" } }, "test" },
		{ .symbol = NULL },
	};
	static const char *const reasons[] = {
		"iommu_attach_group_handle: argument 1 is struct iommu_domain *, the program reads struct iommu_group *",
		"__iommu_attach_device: argument 3 is struct iommu_domain *, the program reads struct device *",
		"iommufd_device_detach: 2 arguments, the program expects 1 (it reads 1)",
		"iommu_detach_device_pasid: argument 3 is ioasid_t, the program reads u64",
		"iommufd_hwpt_paging_alloc: returns struct iommufd_hwpt_paging *, the program reads struct iommufd_hw_pagetable *",
		"iommufd_fops_ioctl: argument 2 is unsigned int, the program reads void *",
	};
	struct kernel k;

	kernel_open(&k, "7.3-test", failed);
	for (int i = 0; k.vmlinux && wrong[i].symbol; i++) {
		char why[256];

		CHECK_INT(ia_btf_check(k.vmlinux, wrong, wrong[i].symbol, why, sizeof(why)), IA_PROTO_MISMATCH);
		CHECK_STR(why, reasons[i]);
		/* and the real table passes the same function */
		CHECK_INT(ia_btf_check(k.vmlinux, ia_protos, wrong[i].symbol, why, sizeof(why)), IA_PROTO_OK);
	}
	kernel_close(&k);
}

/* The comparison alone, on prototypes made by hand. */
UNIT_TEST(protos_compare_reasons)
{
	const struct ia_proto_expect *e = ia_proto_find(ia_protos, "__iommu_attach_device");
	struct ia_proto_seen s = { .nargs = 2 };
	char why[200];

	CHECK(e != NULL);
	if (!e)
		return;
	s.ret = (struct ia_type_seen){ .cls = IA_T_INT, .size = 4, .spelling = "int" };
	s.args[0] = (struct ia_type_seen){ .cls = IA_T_STRUCT_PTR, .tag = "iommu_domain",
					   .spelling = "struct iommu_domain *" };
	s.args[1] = s.args[0];
	CHECK_INT(ia_proto_compare(e, &s, why, sizeof(why)), IA_PROTO_MISMATCH);
	CHECK_STR(why, "__iommu_attach_device: argument 2 is struct iommu_domain *, the program reads struct device *");
	s.args[1] = (struct ia_type_seen){ .cls = IA_T_STRUCT_PTR, .tag = "device", .spelling = "struct device *" };
	CHECK_INT(ia_proto_compare(e, &s, why, sizeof(why)), IA_PROTO_OK);
	CHECK_STR(why, "");
	CHECK_INT(ia_proto_compare(e, &s, NULL, 0), IA_PROTO_OK);
	s.nargs = 4;
	CHECK_INT(ia_proto_compare(e, &s, why, sizeof(why)), IA_PROTO_MISMATCH);
	CHECK_STR(why, "__iommu_attach_device: 4 arguments, the program expects 2 to 3 (it reads 1, 2)");
	s.nargs = 2;
	s.variadic = true;
	CHECK_INT(ia_proto_compare(e, &s, why, sizeof(why)), IA_PROTO_MISMATCH);
	CHECK_STR(why, "__iommu_attach_device: 2+ arguments, the program expects 2 to 3 (it reads 1, 2)");
	s.variadic = false;
	s.ret = (struct ia_type_seen){ .cls = IA_T_INT, .size = 8, .spelling = "long" };
	CHECK_INT(ia_proto_compare(e, &s, why, sizeof(why)), IA_PROTO_MISMATCH);
	CHECK_STR(why, "__iommu_attach_device: returns long, the program reads int");
	/* a short reason buffer is cut, not overrun */
	CHECK_INT(ia_proto_compare(e, &s, why, 8), IA_PROTO_MISMATCH);
	CHECK_STR(why, "__iommu");
	CHECK_STR(ia_proto_verdict_name(IA_PROTO_NO_BTF), "no BTF");
	CHECK(ia_proto_find(ia_protos, NULL) == NULL);
	CHECK(ia_proto_find(ia_protos, "no_such_function") == NULL);
}

static char *write_tmp(const void *data, size_t n, char *path)
{
	int fd;

	strcpy(path, "/tmp/ia-btf-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	if (write(fd, data, n) != (ssize_t)n) {
		close(fd);
		return NULL;
	}
	close(fd);
	return path;
}

/* Every way the checker can fail, and what it says. */
UNIT_TEST(protos_error_paths)
{
	struct kernel k;
	struct btf *b, *m;
	char why[256], path[64], dir[64], *slash;
	int err, proto, i32, ptr;

	libbpf_set_print(NULL); /* libbpf's complaints about the bad files below */
	kernel_open(&k, "7.3-test", failed);
	/* no BTF at all */
	CHECK_INT(ia_btf_check(NULL, ia_protos, "really_probe", why, sizeof(why)), IA_PROTO_NO_BTF);
	CHECK_STR(why, "really_probe: no BTF describes it: prototype not checked");
	CHECK_INT(ia_btf_check_target(NULL, NULL, "vfio_iommu_type1", ia_protos, "vfio_iommu_type1_attach_group",
				      why, sizeof(why)), IA_PROTO_NO_BTF);
	/* a module's function in neither BTF */
	CHECK_INT(ia_btf_check_target(k.vmlinux, NULL, "iommufd", ia_protos, "iommufd_no_such", why, sizeof(why)),
		  IA_PROTO_NO_BTF);
	CHECK_STR(why, "iommufd_no_such: module iommufd has no BTF, nor has vmlinux: prototype not checked");
	/* a missing function, and one the table does not know */
	CHECK_INT(ia_btf_check(k.vmlinux, ia_protos, "no_such_function", why, sizeof(why)), IA_PROTO_ABSENT);
	CHECK_STR(why, "no_such_function: not in the BTF");
	CHECK_INT(ia_btf_check(k.vmlinux, ia_protos_planned, "really_probe", why, sizeof(why)),
		  IA_PROTO_UNKNOWN);
	CHECK_STR(why, "really_probe: what the program reads of it is not declared (src/protos.c)");
	CHECK_INT(ia_btf_proto(k.vmlinux, "no_such_function", &(struct ia_proto_seen){ 0 }), -ENOENT);
	/* a missing type: a FUNC whose type is no FUNC_PROTO */
	b = btf__new_empty();
	CHECK(b != NULL);
	if (b) {
		i32 = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
		CHECK(btf__add_func(b, "really_probe", BTF_FUNC_GLOBAL, i32) > 0);
		CHECK_INT(ia_btf_check(b, ia_protos, "really_probe", why, sizeof(why)), IA_PROTO_BAD_BTF);
		CHECK_STR(why, "really_probe: its BTF is malformed");
		/* a pointer to void where a struct is read */
		ptr = btf__add_ptr(b, 0);
		proto = btf__add_func_proto(b, i32);
		CHECK(btf__add_func_param(b, "dev", ptr) == 0);
		CHECK(btf__add_func(b, "iommu_probe_device", BTF_FUNC_GLOBAL, proto) > 0);
		CHECK_INT(ia_btf_check(b, ia_protos, "iommu_probe_device", why, sizeof(why)), IA_PROTO_MISMATCH);
		CHECK_STR(why, "iommu_probe_device: argument 1 is void *, the program reads struct device *");
		btf__free(b);
	}
	/* a module's BTF: missing, not BTF at all, a bad name */
	m = ia_btf_module(FIXTURES "/7.3-test", "no_such_module", k.vmlinux, &err);
	CHECK(m == NULL);
	CHECK_INT(err, -ENOENT);
	m = ia_btf_module(FIXTURES, "../x", k.vmlinux, &err);
	CHECK(m == NULL);
	CHECK_INT(err, -EINVAL);
	m = ia_btf_module(FIXTURES, "", k.vmlinux, &err);
	CHECK(m == NULL);
	CHECK_INT(err, -EINVAL);
	if (write_tmp("this is not BTF\n", 16, path)) {
		snprintf(dir, sizeof(dir), "%s", path);
		slash = strrchr(dir, '/');
		*slash = '\0';
		m = ia_btf_module(dir, slash + 1, k.vmlinux, &err);
		CHECK(m == NULL);
		CHECK(err < 0 && err != -ENOENT);
		unlink(path);
	} else {
		CHECK(!"mkstemp");
	}
	/* a raw BTF cut short */
	{
		__u32 size = 0;
		const void *raw = k.vmlinux ? btf__raw_data(k.vmlinux, &size) : NULL;

		if (raw && write_tmp(raw, size / 2, path)) {
			snprintf(dir, sizeof(dir), "%s", path);
			slash = strrchr(dir, '/');
			*slash = '\0';
			m = ia_btf_module(dir, slash + 1, NULL, &err);
			CHECK(m == NULL);
			CHECK(err < 0 && err != -ENOENT);
			unlink(path);
		} else {
			CHECK(!"raw BTF");
		}
	}
	kernel_close(&k);
}

/* -v and the probe JSON object: a mismatch is a missing hook's reason; an unchecked target is a note. */
UNIT_TEST(protos_probe_output_says_why)
{
	static struct ia_trace_info info; /* large: not on the stack */
	struct ia_json j;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	CHECK(f != NULL);
	if (!f)
		return;
	memset(&info, 0, sizeof(info));
	info.nprobes = 2;
	info.probes[0] = (struct ia_trace_probe){ .hook = IA_HOOK_IOMMUFD_ATTACH, .via = IA_VIA_NONE,
						  .err = -EPROTO, .target = "iommufd_device_attach",
						  .why = "iommufd_device_attach: 2 arguments, the program expects 3 (it reads 1, 2, 3)" };
	info.probes[1] = (struct ia_trace_probe){ .hook = IA_HOOK_TYPE1_ATTACH, .via = IA_VIA_KPROBE,
						  .target = "vfio_iommu_type1_attach_group",
						  .why = "vfio_iommu_type1_attach_group: module vfio_iommu_type1 has no BTF, nor has vmlinux: prototype not checked" };
	ia_probes_print_text(f, &info);
	ia_json_init(&j, f);
	ia_probes_print_json(&j, &info);
	fclose(f);
	CHECK_STR(buf,
		  "features: btf=0 fentry=0 kprobes=0 tracefs=0\n"
		  "  iommufd_attach   MISSING    iommufd_device_attach: 2 arguments, the program expects 3 (it reads 1, 2, 3)\n"
		  "  type1_attach     kprobe     vfio_iommu_type1_attach_group (vfio_iommu_type1_attach_group: module vfio_iommu_type1 has no BTF, nor has vmlinux: prototype not checked)\n"
		  "{\"type\":\"probe\",\"schema\":1,\"hook\":\"iommufd_attach\",\"target\":\"iommufd_device_attach\",\"via\":\"none\",\"attached\":false,\"errno\":\"EPROTO\",\"why\":\"iommufd_device_attach: 2 arguments, the program expects 3 (it reads 1, 2, 3)\"}\n"
		  "{\"type\":\"probe\",\"schema\":1,\"hook\":\"type1_attach\",\"target\":\"vfio_iommu_type1_attach_group\",\"via\":\"kprobe\",\"attached\":true,\"note\":\"vfio_iommu_type1_attach_group: module vfio_iommu_type1 has no BTF, nor has vmlinux: prototype not checked\"}\n");
	free(buf);
}
