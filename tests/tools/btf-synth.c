// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * btf-synth: BTF written from a kernel's source, for the prototype checks of
 * functions no kernel at hand has (tests/fixtures/btf/README.md).
 *
 *   btf-synth 6.2|6.6 OUT
 *
 * Writes to OUT a raw BTF holding the iommufd hardware page table functions
 * that kernel had under their pre-6.7 names, iommufd_hw_pagetable_alloc,
 * iommufd_hw_pagetable_destroy and, from 6.4, iommufd_hw_pagetable_attach,
 * with the types their prototypes name, as drivers/iommu/iommufd/
 * iommufd_private.h and hw_pagetable.c show them at the tag v6.2 or v6.6 of
 * torvalds/linux. struct iommufd_hw_pagetable and struct iommufd_object are
 * described with their members (names, order, types); the structs those
 * embed are opaque with their x86_64 size without lock debugging (struct
 * rw_semaphore 40 bytes, struct mutex 32, refcount_t 4); the others are
 * forward declarations, as btf-trim leaves them. IOMMUFD built in
 * (CONFIG_IOMMUFD=y), IOMMUFD_TEST off. Exit 0, or 1 with a line on stderr.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/btf.h>

struct synth {
	struct btf *b;
	int err;
	/* type ids */
	int t_int, t_uint, t_bool, t_list_head, t_obj, t_hwpt, t_ioas_ptr;
};

/* Remember the first failure; ids below 0 propagate as 0 (void) afterwards. */
static int ok(struct synth *s, int id)
{
	if (id < 0 && !s->err)
		s->err = id;
	return id < 0 ? 0 : id;
}

static int ptr_to_fwd(struct synth *s, const char *tag)
{
	return ok(s, btf__add_ptr(s->b, ok(s, btf__add_fwd(s->b, tag, BTF_FWD_STRUCT))));
}

static int opaque(struct synth *s, const char *name, size_t size)
{
	return ok(s, btf__add_struct(s->b, name, (__u32)size));
}

/*
 * The base types, then struct iommufd_object (iommufd_private.h, the same
 * from v6.2 to v6.6): destroy_rwsem, users, type, id.
 */
static void add_common(struct synth *s, bool v66)
{
	struct btf *b = s->b;
	int rwsem, refcount_struct, refcount, otype, lh, lhp;

	s->t_int = ok(s, btf__add_int(b, "int", 4, BTF_INT_SIGNED));
	s->t_uint = ok(s, btf__add_int(b, "unsigned int", 4, 0));
	s->t_bool = ok(s, btf__add_typedef(b, "bool", ok(s, btf__add_int(b, "_Bool", 1, BTF_INT_BOOL))));
	/* include/linux/types.h: struct list_head { next, prev } */
	/* the pointer first, to the struct's id to come: fields must follow their struct */
	lhp = ok(s, btf__add_ptr(b, (int)btf__type_cnt(b) + 1));
	lh = ok(s, btf__add_struct(b, "list_head", 16));
	if (lh && lh != (int)btf__type_by_id(b, (__u32)lhp)->type)
		s->err = -EINVAL;
	ok(s, btf__add_field(b, "next", lhp, 0, 0));
	ok(s, btf__add_field(b, "prev", lhp, 64, 0));
	s->t_list_head = lh;
	rwsem = opaque(s, "rw_semaphore", 40);
	refcount_struct = opaque(s, "refcount_struct", 4);
	refcount = ok(s, btf__add_typedef(b, "refcount_t", refcount_struct));
	/* enum iommufd_object_type, IOMMUFD_TEST off; IOMMUFD_OBJ_MAX since 6.6 */
	otype = ok(s, btf__add_enum(b, "iommufd_object_type", 4));
	ok(s, btf__add_enum_value(b, "IOMMUFD_OBJ_NONE", 0));
	ok(s, btf__add_enum_value(b, "IOMMUFD_OBJ_ANY", 0));
	ok(s, btf__add_enum_value(b, "IOMMUFD_OBJ_DEVICE", 1));
	ok(s, btf__add_enum_value(b, "IOMMUFD_OBJ_HW_PAGETABLE", 2));
	ok(s, btf__add_enum_value(b, "IOMMUFD_OBJ_IOAS", 3));
	ok(s, btf__add_enum_value(b, "IOMMUFD_OBJ_ACCESS", 4));
	if (v66)
		ok(s, btf__add_enum_value(b, "IOMMUFD_OBJ_MAX", 5));
	/* 40 + 4 + 4 + 4, aligned to the semaphore's 8 */
	s->t_obj = ok(s, btf__add_struct(b, "iommufd_object", 56));
	ok(s, btf__add_field(b, "destroy_rwsem", rwsem, 0, 0));
	ok(s, btf__add_field(b, "users", refcount, 320, 0));
	ok(s, btf__add_field(b, "type", otype, 352, 0));
	ok(s, btf__add_field(b, "id", s->t_uint, 384, 0));
}

/*
 * struct iommufd_hw_pagetable: obj, ioas, domain, three one-bit flags and
 * hwpt_item in both; v6.2 adds devices_lock and devices, which commit
 * "iommufd: Replace the hwpt->devices list with iommufd_group" (v6.6)
 * removed.
 */
static void add_hwpt(struct synth *s, bool v66)
{
	struct btf *b = s->b;
	int domain = ptr_to_fwd(s, "iommu_domain"), mutex = v66 ? 0 : opaque(s, "mutex", 32);

	s->t_ioas_ptr = ptr_to_fwd(s, "iommufd_ioas");
	s->t_hwpt = ok(s, btf__add_struct(b, "iommufd_hw_pagetable", v66 ? 96 : 144));
	ok(s, btf__add_field(b, "obj", s->t_obj, 0, 0));
	ok(s, btf__add_field(b, "ioas", s->t_ioas_ptr, 448, 0));
	ok(s, btf__add_field(b, "domain", domain, 512, 0));
	ok(s, btf__add_field(b, "auto_domain", s->t_bool, 576, 1));
	ok(s, btf__add_field(b, "enforce_cache_coherency", s->t_bool, 577, 1));
	ok(s, btf__add_field(b, "msi_cookie", s->t_bool, 578, 1));
	ok(s, btf__add_field(b, "hwpt_item", s->t_list_head, 640, 0));
	if (!v66) {
		ok(s, btf__add_field(b, "devices_lock", mutex, 768, 0));
		ok(s, btf__add_field(b, "devices", s->t_list_head, 1024, 0));
	}
}

static void add_func(struct synth *s, const char *name, int proto)
{
	ok(s, btf__add_func(s->b, name, BTF_FUNC_STATIC, proto));
}

static void param(struct synth *s, const char *name, int type)
{
	ok(s, btf__add_func_param(s->b, name, type));
}

/*
 * hw_pagetable.c: the allocation took (ictx, ioas, dev) at v6.2 (commit
 * ea4acfac57b9 "iommufd: Add a HW pagetable object") and (ictx, ioas, idev,
 * immediate_attach) from v6.4 (commit 339fbf3ae144 "iommufd: Make
 * iommufd_hw_pagetable_alloc() do iopt_table_add_domain()"), which also
 * made the attach a function of its own, (hwpt, idev) in device.c. The
 * destruction takes the object (the object type's destroy op).
 */
static void add_funcs(struct synth *s, bool v66)
{
	/* every type first: a prototype's parameters must follow it */
	int hwpt_ptr = ok(s, btf__add_ptr(s->b, s->t_hwpt)), obj_ptr = ok(s, btf__add_ptr(s->b, s->t_obj));
	int ictx = ptr_to_fwd(s, "iommufd_ctx");
	int idev = v66 ? ptr_to_fwd(s, "iommufd_device") : 0, dev = v66 ? 0 : ptr_to_fwd(s, "device");
	int proto;

	proto = ok(s, btf__add_func_proto(s->b, hwpt_ptr));
	param(s, "ictx", ictx);
	param(s, "ioas", s->t_ioas_ptr);
	if (v66) {
		param(s, "idev", idev);
		param(s, "immediate_attach", s->t_bool);
	} else {
		param(s, "dev", dev);
	}
	add_func(s, "iommufd_hw_pagetable_alloc", proto);

	proto = ok(s, btf__add_func_proto(s->b, 0));
	param(s, "obj", obj_ptr);
	add_func(s, "iommufd_hw_pagetable_destroy", proto);

	if (v66) {
		proto = ok(s, btf__add_func_proto(s->b, s->t_int));
		param(s, "hwpt", hwpt_ptr);
		param(s, "idev", idev);
		add_func(s, "iommufd_hw_pagetable_attach", proto);
	}
}

int main(int argc, char **argv)
{
	struct synth s = { 0 };
	const void *raw;
	__u32 size = 0;
	bool v66;
	FILE *f;

	if (argc != 3 || (strcmp(argv[1], "6.2") && strcmp(argv[1], "6.6"))) {
		fprintf(stderr, "usage: btf-synth 6.2|6.6 OUT\n");
		return 1;
	}
	v66 = !strcmp(argv[1], "6.6");
	s.b = btf__new_empty();
	if (!s.b) {
		fprintf(stderr, "btf-synth: %s\n", strerror(errno));
		return 1;
	}
	add_common(&s, v66);
	add_hwpt(&s, v66);
	add_funcs(&s, v66);
	raw = s.err ? NULL : btf__raw_data(s.b, &size);
	f = raw ? fopen(argv[2], "wb") : NULL;
	if (f && fwrite(raw, 1, size, f) != size)
		s.err = -EIO;
	if (f && fclose(f) && !s.err)
		s.err = -errno;
	if (!f || s.err) {
		fprintf(stderr, "btf-synth: %s: %s\n", argv[2], strerror(s.err ? -s.err : errno));
		btf__free(s.b);
		return 1;
	}
	btf__free(s.b);
	return 0;
}
