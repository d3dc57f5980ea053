// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What each hook's programs read from their targets (bpf/watch.bpf.c), and
 * the comparison with a prototype found in a kernel's BTF; see protos.h.
 *
 * Adding a hook: one entry per target symbol below, saying for each
 * argument position the program reads what it takes it for, the argument
 * counts that leave those positions alone, and what its exit program reads
 * of the return value. The unit tests fail when a call hook's target has no
 * entry, and check every entry against the BTF of 5.10, 6.1, 6.12 and 7.3
 * (tests/fixtures/btf/).
 */
#include <stdio.h>
#include <string.h>
#include "protos.h"

/* Shorthands for the kinds, spelt as the program declares them. */
#define SPTR(t) { .kind = IA_ARG_STRUCT_PTR, .tag = #t, .spelling = "struct " #t " *" }
#define VPTR(s) { .kind = IA_ARG_ANY_PTR, .spelling = s }
#define IPTR(s, n) { .kind = IA_ARG_INT_PTR, .size = n, .spelling = s }
#define INT(s, n) { .kind = IA_ARG_INT, .size = n, .spelling = s }
#define UNREAD { .kind = IA_ARG_UNREAD }
/* on_exit() keeps the low 32 bits: an int return */
#define RET_INT INT("int", 4)

const struct ia_proto_expect ia_protos[] = {
	/* drivers/base/dd.c; drv became const in 6.12 (the pointer is the same) */
	{ "really_probe", "really_probe", 2, 2, RET_INT,
	  { SPTR(device), SPTR(device_driver) }, "drivers/base/dd.c" },
	/* (dev, parent), static: out of line on Debian's 5.10; every call releases */
	{ "__device_release_driver", "release_driver", 2, 2, UNREAD,
	  { SPTR(device) }, "drivers/base/dd.c" },
	/* (dev, drv, parent) since 5.x: drv compared with dev->driver */
	{ "device_release_driver_internal", "release_driver", 3, 3, UNREAD,
	  { SPTR(device), SPTR(device_driver) }, "drivers/base/dd.c" },
	/* drivers/iommu/iommu.c: the global attach family, (domain, dev|group) everywhere */
	{ "iommu_attach_device", "attach_device", 2, 2, RET_INT,
	  { SPTR(iommu_domain), SPTR(device) }, "drivers/iommu/iommu.c" },
	{ "iommu_detach_device", "detach_device", 2, 2, UNREAD,
	  { SPTR(iommu_domain), SPTR(device) }, "drivers/iommu/iommu.c" },
	{ "iommu_attach_group", "attach_group", 2, 2, RET_INT,
	  { SPTR(iommu_domain), SPTR(iommu_group) }, "drivers/iommu/iommu.c" },
	{ "iommu_detach_group", "detach_group", 2, 2, UNREAD,
	  { SPTR(iommu_domain), SPTR(iommu_group) }, "drivers/iommu/iommu.c" },
	/* 6.19 adds a third argument, the old domain: the first two keep their meaning */
	{ "__iommu_attach_device", "attach_dev_core", 2, 3, RET_INT,
	  { SPTR(iommu_domain), SPTR(device) }, "drivers/iommu/iommu.c; (domain, dev, old) since 6.19" },
	/* 6.6+: (group, new_domain, flags) */
	{ "__iommu_group_set_domain_internal", "set_domain", 3, 3, RET_INT,
	  { SPTR(iommu_group), SPTR(iommu_domain) }, "drivers/iommu/iommu.c, 6.6+" },
	/* 6.1-6.5: (group, new_domain) */
	{ "__iommu_group_set_domain", "set_domain", 2, 2, RET_INT,
	  { SPTR(iommu_group), SPTR(iommu_domain) }, "drivers/iommu/iommu.c, 6.1-6.5" },
	/* 6.11+: (domain, group, handle) */
	{ "iommu_attach_group_handle", "attach_handle", 3, 3, RET_INT,
	  { SPTR(iommu_domain), SPTR(iommu_group) }, "drivers/iommu/iommu.c, 6.11+" },
	/* 6.11+: (group, new_domain, handle); the group comes first here */
	{ "iommu_replace_group_handle", "replace_handle", 3, 3, RET_INT,
	  { SPTR(iommu_group), SPTR(iommu_domain) }, "drivers/iommu/iommu.c, 6.11+" },
	/* 6.6-6.10: (group, new_domain) */
	{ "iommu_group_replace_domain", "replace_handle", 2, 2, RET_INT,
	  { SPTR(iommu_group), SPTR(iommu_domain) }, "drivers/iommu/iommu.c, 6.6-6.10" },
	/* DMA ownership (v5.19, "iommu: Add DMA ownership management interfaces"): owner is void * */
	{ "iommu_group_claim_dma_owner", "group_claim", 2, 2, RET_INT,
	  { SPTR(iommu_group), VPTR("void *") }, "drivers/iommu/iommu.c, 5.19+" },
	{ "iommu_group_release_dma_owner", "group_release", 1, 1, UNREAD,
	  { SPTR(iommu_group) }, "drivers/iommu/iommu.c, 5.19+" },
	{ "iommu_device_claim_dma_owner", "device_claim", 2, 2, RET_INT,
	  { SPTR(device), VPTR("void *") }, "drivers/iommu/iommu.c, 6.2+" },
	{ "iommu_device_release_dma_owner", "device_release", 1, 1, UNREAD,
	  { SPTR(device) }, "drivers/iommu/iommu.c, 6.2+" },
	{ "iommu_device_use_default_domain", "use_default", 1, 1, RET_INT,
	  { SPTR(device) }, "drivers/iommu/iommu.c, 5.19+" },
	{ "iommu_device_unuse_default_domain", "unuse_default", 1, 1, UNREAD,
	  { SPTR(device) }, "drivers/iommu/iommu.c, 5.19+" },
	{ "iommu_probe_device", "probe_device", 1, 1, RET_INT,
	  { SPTR(device) }, "drivers/iommu/iommu.c" },
	/* (dev, flags) since 6.13; the exit reads the domain made */
	{ "iommu_paging_domain_alloc_flags", "domain_alloc", 2, 2, SPTR(iommu_domain),
	  { SPTR(device) }, "drivers/iommu/iommu.c, 6.13+" },
	{ "iommu_paging_domain_alloc", "domain_alloc", 1, 1, SPTR(iommu_domain),
	  { SPTR(device) }, "drivers/iommu/iommu.c, 6.11-6.12 (inline from 6.13)" },
	/* (bus): nothing read at entry; removed in 6.13 */
	{ "iommu_domain_alloc", "domain_alloc_bus", 1, 1, SPTR(iommu_domain),
	  { UNREAD }, "drivers/iommu/iommu.c, up to 6.12" },
	{ "iommu_domain_free", "domain_free", 1, 1, UNREAD,
	  { SPTR(iommu_domain) }, "drivers/iommu/iommu.c" },
	/* drivers/iommu/iommufd/device.c: (ictx, dev, id); ictx becomes the owner */
	{ "iommufd_device_bind", "iommufd_bind", 3, 3, SPTR(iommufd_device),
	  { SPTR(iommufd_ctx), SPTR(device) }, "drivers/iommu/iommufd/device.c" },
	{ "iommufd_device_unbind", "iommufd_unbind", 1, 1, UNREAD,
	  { SPTR(iommufd_device) }, "drivers/iommu/iommufd/device.c" },
	/*
	 * (idev, pt_id) up to 6.14, (idev, pasid, pt_id) since 6.15: today's
	 * program reads idev alone, which keeps its place.
	 */
	{ "iommufd_device_attach", "iommufd_attach", 2, 3, RET_INT,
	  { SPTR(iommufd_device) }, "drivers/iommu/iommufd/device.c; pasid inserted in 6.15" },
	{ "iommufd_device_replace", "iommufd_replace", 2, 3, RET_INT,
	  { SPTR(iommufd_device) }, "drivers/iommu/iommufd/device.c; pasid inserted in 6.15" },
	/* (idev) up to 6.14, (idev, pasid) since 6.15 */
	{ "iommufd_device_detach", "iommufd_detach", 1, 2, UNREAD,
	  { SPTR(iommufd_device) }, "drivers/iommu/iommufd/device.c; pasid added in 6.15" },
	/*
	 * (ictx, ioas, idev, flags, immediate_attach, user_data) when it came;
	 * a pasid after idev with the PASID plumbing (already in Debian's
	 * 6.12.117, and 7.3): the program reads idev, the third, and the hwpt
	 * it returns.
	 */
	{ "iommufd_hwpt_paging_alloc", "hwpt_alloc", 6, 7, SPTR(iommufd_hwpt_paging),
	  { UNREAD, UNREAD, SPTR(iommufd_device) },
	  "drivers/iommu/iommufd/hw_pagetable.c; 7 arguments in 6.12.117 and 7.3" },
	/*
	 * Its name on 6.2-6.6 (drivers/iommu/iommufd/hw_pagetable.c), before
	 * commit 89db31635c87 ("iommufd: Derive iommufd_hwpt_paging from
	 * iommufd_hw_pagetable", v6.7). (ictx, ioas, dev) when it came (commit
	 * ea4acfac57b9, "iommufd: Add a HW pagetable object", v6.2), (ictx,
	 * ioas, idev, immediate_attach) since commit 339fbf3ae144 (v6.4); flags
	 * and user_data came in 6.7 development, with the rename. The program
	 * reads idev, the third; the exit reads the struct iommufd_hw_pagetable
	 * returned (its own programs: bpf/watch.bpf.c, on_exit_hwpt). Checked
	 * against BTF written from the v6.2 and v6.6 source
	 * (tests/fixtures/btf/6.*-synthetic): no kernel at hand has it.
	 */
	{ "iommufd_hw_pagetable_alloc", "hwpt_alloc", 4, 4, SPTR(iommufd_hw_pagetable),
	  { UNREAD, UNREAD, SPTR(iommufd_device) },
	  "drivers/iommu/iommufd/hw_pagetable.c, 6.4-6.6 (a struct device * third on 6.2/6.3)" },
	/* (hwpt, idev), then (hwpt, idev, pasid) with the PASID plumbing (6.12.117 already) */
	{ "iommufd_hw_pagetable_attach", "hwpt_attach", 2, 3, RET_INT,
	  { SPTR(iommufd_hw_pagetable), SPTR(iommufd_device) },
	  "drivers/iommu/iommufd/device.c; a pasid third in 6.12.117 and 7.3" },
	{ "iommufd_fops_release", "iommufd_release", 2, 2, RET_INT,
	  { UNREAD, SPTR(file) }, "drivers/iommu/iommufd/main.c" },
	/* drivers/vfio/vfio_iommu_type1.c: (iommu_data, group), a third (enum vfio_group_type) by 6.1 */
	{ "vfio_iommu_type1_attach_group", "type1_attach", 2, 3, RET_INT,
	  { UNREAD, SPTR(iommu_group) }, "drivers/vfio/vfio_iommu_type1.c" },
	/* (filp, cmd, arg): the context from filp, the command; returns long */
	{ "iommufd_fops_ioctl", "iommufd_ioctl", 3, 3, INT("long", 8),
	  { SPTR(file), INT("unsigned int", 4) }, "drivers/iommu/iommufd/main.c" },
	{ "iommufd_ioas_map", "ioas_map", 1, 1, RET_INT,
	  { SPTR(iommufd_ucmd) }, "drivers/iommu/iommufd/ioas.c" },
	{ "iommufd_ioas_unmap", "ioas_unmap", 1, 1, RET_INT,
	  { SPTR(iommufd_ucmd) }, "drivers/iommu/iommufd/ioas.c" },
	{ "iommufd_hwpt_paging_destroy", "hwpt_destroy", 1, 1, UNREAD,
	  { SPTR(iommufd_object) }, "drivers/iommu/iommufd/hw_pagetable.c" },
	/* (obj) on 6.2-6.6, renamed to the above by commit 89db31635c87 (v6.7) */
	{ "iommufd_hw_pagetable_destroy", "hwpt_destroy", 1, 1, UNREAD,
	  { SPTR(iommufd_object) }, "drivers/iommu/iommufd/hw_pagetable.c, 6.2-6.6" },
	/* (domain, iova, paddr, size, prot), gfp added in 6.3: size is the fourth */
	{ "iommu_map", "map", 5, 6, RET_INT,
	  { SPTR(iommu_domain), INT("unsigned long", 8), UNREAD, INT("size_t", 8) },
	  "drivers/iommu/iommu.c; gfp added in 6.3" },
	/* (domain, iova, size): returns the bytes unmapped */
	{ "iommu_unmap", "unmap", 3, 3, INT("size_t", 8),
	  { SPTR(iommu_domain), INT("unsigned long", 8), INT("size_t", 8) }, "drivers/iommu/iommu.c" },
	/* (domain, iova, sg, nents, prot), gfp added in 6.3; returns size_t in 5.10, ssize_t by 6.1 */
	{ "iommu_map_sg", "map_sg", 5, 6, INT("ssize_t", 8),
	  { SPTR(iommu_domain), INT("unsigned long", 8) }, "drivers/iommu/iommu.c; gfp added in 6.3" },
	/* (domain, iova, size, gather) */
	{ "iommu_unmap_fast", "unmap_fast", 4, 4, INT("size_t", 8),
	  { SPTR(iommu_domain), INT("unsigned long", 8), INT("size_t", 8) }, "drivers/iommu/iommu.c" },
	{ "iommu_detach_group_handle", "detach_handle", 2, 2, UNREAD,
	  { SPTR(iommu_domain), SPTR(iommu_group) }, "drivers/iommu/iommu.c, 6.11+" },
	/* (domain, dev, pasid) from 6.2, a handle fourth since 6.11 */
	{ "iommu_attach_device_pasid", "attach_pasid", 3, 4, RET_INT,
	  { SPTR(iommu_domain), SPTR(device), INT("ioasid_t", 4) }, "drivers/iommu/iommu.c, 6.2+" },
	{ "iommu_replace_device_pasid", "replace_pasid", 4, 4, RET_INT,
	  { SPTR(iommu_domain), SPTR(device), INT("ioasid_t", 4) }, "drivers/iommu/iommu.c, 6.15+" },
	{ "iommu_detach_device_pasid", "detach_pasid", 3, 3, UNREAD,
	  { SPTR(iommu_domain), SPTR(device), INT("ioasid_t", 4) }, "drivers/iommu/iommu.c, 6.2+" },
	/* drivers/vfio/vfio_iommu_type1.c: (iommu_data, group) */
	{ "vfio_iommu_type1_detach_group", "type1_detach", 2, 2, UNREAD,
	  { UNREAD, SPTR(iommu_group) }, "drivers/vfio/vfio_iommu_type1.c" },
	/* 7.0+: the PCI reset's blocking of the device's DMA */
	{ "pci_dev_reset_iommu_prepare", "reset_prepare", 1, 1, RET_INT,
	  { SPTR(pci_dev) }, "drivers/iommu/iommu.c, 7.0+" },
	{ "pci_dev_reset_iommu_done", "reset_done", 1, 1, UNREAD,
	  { SPTR(pci_dev) }, "drivers/iommu/iommu.c, 7.0+" },
	/* drivers/iommu/iommufd/main.c: the context kept as the owner's identity */
	{ "iommufd_object_finalize", "obj_finalize", 2, 2, UNREAD,
	  { VPTR("struct iommufd_ctx *"), SPTR(iommufd_object) }, "drivers/iommu/iommufd/main.c" },
	{ "iommufd_object_remove", "obj_remove", 4, 4, RET_INT,
	  { VPTR("struct iommufd_ctx *"), SPTR(iommufd_object), INT("u32", 4) },
	  "drivers/iommu/iommufd/main.c" },
	{ .symbol = NULL },
};

/*
 * The iommufd device calls as their programs read them where the kernel
 * passes a PASID (6.15+, drivers/iommu/iommufd/device.c): the loader reads
 * the second argument only when the running kernel's BTF shows it there
 * (iommufd_takes_pasid() in src/loader.c), so ia_protos holds what is read
 * on every kernel and this table what is read on those. Checked by the
 * unit tests on every kernel; the loader checks ia_protos.
 */
const struct ia_proto_expect ia_protos_planned[] = {
	/* (idev, pasid, pt_id) since 6.15: pt_id is in/out, the id attached */
	{ "iommufd_device_attach", "iommufd_attach", 3, 3, RET_INT,
	  { SPTR(iommufd_device), INT("ioasid_t", 4), IPTR("u32 *", 4) },
	  "drivers/iommu/iommufd/device.c, 6.15+" },
	{ "iommufd_device_replace", "iommufd_replace", 3, 3, RET_INT,
	  { SPTR(iommufd_device), INT("ioasid_t", 4), IPTR("u32 *", 4) },
	  "drivers/iommu/iommufd/device.c, 6.15+" },
	{ "iommufd_device_detach", "iommufd_detach", 2, 2, UNREAD,
	  { SPTR(iommufd_device), INT("ioasid_t", 4) }, "drivers/iommu/iommufd/device.c, 6.15+" },
	{ .symbol = NULL },
};

const struct ia_proto_expect *ia_proto_find(const struct ia_proto_expect *table, const char *symbol)
{
	for (const struct ia_proto_expect *e = table; symbol && e->symbol; e++)
		if (!strcmp(e->symbol, symbol))
			return e;
	return NULL;
}

const char *ia_proto_verdict_name(enum ia_proto_verdict v)
{
	switch (v) {
	case IA_PROTO_OK: return "ok";
	case IA_PROTO_MISMATCH: return "mismatch";
	case IA_PROTO_ABSENT: return "absent";
	case IA_PROTO_NO_BTF: return "no BTF";
	case IA_PROTO_UNKNOWN: return "no table entry";
	case IA_PROTO_BAD_BTF: return "bad BTF";
	}
	return "?";
}

const char *ia_proto_read_positions(const struct ia_proto_expect *e, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0; i < IA_PROTO_MAX_ARGS && n < len; i++)
		if (e->args[i].kind != IA_ARG_UNREAD)
			n += (size_t)snprintf(buf + n, len - n, "%s%d", n ? ", " : "", i + 1);
	if (!buf[0])
		snprintf(buf, len, "none");
	return buf;
}

static bool matches(const struct ia_arg_expect *x, const struct ia_type_seen *t)
{
	switch (x->kind) {
	case IA_ARG_UNREAD:
		return true;
	case IA_ARG_STRUCT_PTR:
		return t->cls == IA_T_STRUCT_PTR && !strcmp(t->tag, x->tag);
	case IA_ARG_ANY_PTR:
		return t->cls == IA_T_STRUCT_PTR || t->cls == IA_T_INT_PTR || t->cls == IA_T_OTHER_PTR;
	case IA_ARG_INT_PTR:
		return t->cls == IA_T_INT_PTR && t->size == x->size;
	case IA_ARG_INT:
		return t->cls == IA_T_INT && t->size == x->size;
	}
	return false;
}

static void say(char *why, size_t len, const char *fmt, const char *a, const char *b, const char *c,
		const char *d)
{
	if (why && len)
		snprintf(why, len, fmt, a, b, c, d);
}

enum ia_proto_verdict ia_proto_compare(const struct ia_proto_expect *e, const struct ia_proto_seen *seen,
				       char *why, size_t len)
{
	char pos[64], cnt[32], got[16];

	if (why && len)
		why[0] = '\0';
	if (seen->variadic || seen->nargs < e->min_args || seen->nargs > e->max_args) {
		if (e->min_args == e->max_args)
			snprintf(cnt, sizeof(cnt), "%u", e->min_args);
		else
			snprintf(cnt, sizeof(cnt), "%u to %u", e->min_args, e->max_args);
		snprintf(got, sizeof(got), "%u%s", seen->nargs, seen->variadic ? "+" : "");
		say(why, len, "%s: %s arguments, the program expects %s (it reads %s)", e->symbol, got, cnt,
		    ia_proto_read_positions(e, pos, sizeof(pos)));
		return IA_PROTO_MISMATCH;
	}
	for (unsigned int i = 0; i < IA_PROTO_MAX_ARGS; i++) {
		const struct ia_arg_expect *x = &e->args[i];

		if (x->kind == IA_ARG_UNREAD)
			continue;
		if (i >= seen->nargs) { /* a table entry reading beyond its own min_args */
			snprintf(pos, sizeof(pos), "%u", i + 1);
			say(why, len, "%s: argument %s is absent, the program reads %s%s", e->symbol, pos,
			    x->spelling, "");
			return IA_PROTO_MISMATCH;
		}
		if (!matches(x, &seen->args[i])) {
			snprintf(pos, sizeof(pos), "%u", i + 1);
			say(why, len, "%s: argument %s is %s, the program reads %s", e->symbol, pos,
			    seen->args[i].spelling, x->spelling);
			return IA_PROTO_MISMATCH;
		}
	}
	if (!matches(&e->ret, &seen->ret)) {
		say(why, len, "%s: returns %s, the program reads %s%s", e->symbol, seen->ret.spelling,
		    e->ret.spelling, "");
		return IA_PROTO_MISMATCH;
	}
	return IA_PROTO_OK;
}
