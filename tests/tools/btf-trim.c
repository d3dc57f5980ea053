// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * btf-trim: a kernel's BTF cut down to the functions of the prototype table
 * (src/protos.c, current and planned entries), for the unit tests' fixtures.
 *
 *   btf-trim [-b BASE -s OUTBASE] IN OUT
 *
 * IN is a vmlinux (ELF) or raw BTF; with -b BASE, IN is a module (.ko, not
 * compressed) or a raw split BTF on top of BASE (its full vmlinux BTF). OUT
 * is a raw BTF holding each table function IN itself has (for a module, not
 * those of its base), its FUNC_PROTO and what that refers to: ints,
 * typedefs, qualifiers, pointers and enums (without values) as they are,
 * structs and unions as forward declarations. With -s OUTBASE (a trimmed
 * vmlinux), OUT is split BTF on top of OUTBASE, as /sys/kernel/btf/<module>
 * is on top of vmlinux, though every type it needs is its own. Prints the
 * functions kept. Exit 0, or 1 with a line on stderr.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/btf.h>
#include "protos.h"

struct trim {
	const struct btf *in;
	struct btf *out;
	__u32 *map;	/* in id -> out id + 1 (0: not copied yet) */
	__u32 n;
};

static int copy(struct trim *t, __u32 id, int depth);

/* Copy a FUNC_PROTO: its types first, since params must follow the proto directly. */
static int copy_proto(struct trim *t, const struct btf_type *p, int depth)
{
	const struct btf_param *params = btf_params(p);
	__u16 n = btf_vlen(p);
	int ret = copy(t, p->type, depth + 1), id;
	int ids[64];

	if (ret < 0 || n > 64)
		return ret < 0 ? ret : -E2BIG;
	for (__u16 i = 0; i < n; i++) {
		ids[i] = copy(t, params[i].type, depth + 1);
		if (ids[i] < 0)
			return ids[i];
	}
	id = btf__add_func_proto(t->out, ret);
	for (__u16 i = 0; id > 0 && i < n; i++) {
		const char *name = btf__name_by_offset(t->in, params[i].name_off);
		int err = btf__add_func_param(t->out, name && name[0] ? name : NULL, ids[i]);

		if (err)
			return err;
	}
	return id;
}

static int copy(struct trim *t, __u32 id, int depth)
{
	const struct btf_type *ty;
	const char *name;
	int ref, out;

	if (!id)
		return 0;
	if (id >= t->n || depth > 32)
		return -EINVAL;
	if (t->map[id])
		return (int)t->map[id] - 1;
	ty = btf__type_by_id(t->in, id);
	if (!ty)
		return -EINVAL;
	name = btf__name_by_offset(t->in, ty->name_off);
	switch (btf_kind(ty)) {
	case BTF_KIND_INT:
		out = btf__add_int(t->out, name, (size_t)ty->size, btf_int_encoding(ty));
		break;
	case BTF_KIND_FLOAT:
		out = btf__add_float(t->out, name, (size_t)ty->size);
		break;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64: /* the size, not the values */
		out = btf__add_enum(t->out, name, ty->size);
		break;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_FWD: {
		bool is_union = btf_is_union(ty) || (btf_is_fwd(ty) && btf_kflag(ty));

		if (name && name[0])
			out = btf__add_fwd(t->out, name, is_union ? BTF_FWD_UNION : BTF_FWD_STRUCT);
		else /* an anonymous one cannot be declared ahead: empty, with its size */
			out = is_union ? btf__add_union(t->out, NULL, ty->size) :
					 btf__add_struct(t->out, NULL, ty->size);
		break;
	}
	case BTF_KIND_FUNC_PROTO:
		out = copy_proto(t, ty, depth);
		break;
	case BTF_KIND_FUNC:
		ref = copy(t, ty->type, depth + 1);
		out = ref < 0 ? ref : btf__add_func(t->out, name, (enum btf_func_linkage)btf_vlen(ty), ref);
		break;
	case BTF_KIND_ARRAY: {
		const struct btf_array *a = btf_array(ty);
		int elem = copy(t, a->type, depth + 1), idx = elem < 0 ? elem : copy(t, a->index_type, depth + 1);

		out = idx < 0 ? idx : btf__add_array(t->out, idx, elem, a->nelems);
		break;
	}
	case BTF_KIND_PTR:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_CONST:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		ref = copy(t, ty->type, depth + 1);
		if (ref < 0)
			return ref;
		switch (btf_kind(ty)) {
		case BTF_KIND_PTR: out = btf__add_ptr(t->out, ref); break;
		case BTF_KIND_TYPEDEF: out = btf__add_typedef(t->out, name, ref); break;
		case BTF_KIND_CONST: out = btf__add_const(t->out, ref); break;
		case BTF_KIND_VOLATILE: out = btf__add_volatile(t->out, ref); break;
		case BTF_KIND_RESTRICT: out = btf__add_restrict(t->out, ref); break;
		default: out = btf__add_type_tag(t->out, name, ref); break;
		}
		break;
	default:
		return -EOPNOTSUPP;
	}
	if (out > 0)
		t->map[id] = (__u32)out + 1;
	return out;
}

/* Add symbol's FUNC when IN itself has it (a module's own, not its base's); 1 when added. */
static int keep(struct trim *t, const struct btf *base, const char *symbol)
{
	int id = btf__find_by_name_kind(t->in, symbol, BTF_KIND_FUNC), out;

	if (id <= 0 || (base && (__u32)id < btf__type_cnt(base)))
		return 0;
	if (t->map[id])
		return 0; /* listed in both tables */
	out = copy(t, (__u32)id, 0);
	if (out < 0) {
		fprintf(stderr, "btf-trim: %s: cannot copy its types: %s\n", symbol, strerror(-out));
		return out;
	}
	printf("%s\n", symbol);
	return 1;
}

static int write_raw(const struct btf *b, const char *path)
{
	__u32 size;
	const void *raw = btf__raw_data(b, &size);
	FILE *f = raw ? fopen(path, "wb") : NULL;
	int err = 0;

	if (!f)
		return raw ? -errno : -ENOMEM;
	if (fwrite(raw, 1, size, f) != size)
		err = -EIO;
	if (fclose(f) && !err)
		err = -errno;
	return err;
}

int main(int argc, char **argv)
{
	const struct ia_proto_expect *tables[] = { ia_protos, ia_protos_planned };
	struct btf *base = NULL, *in = NULL, *outbase = NULL;
	struct trim t = { 0 };
	const char *base_path = NULL, *outbase_path = NULL;
	int opt, err = 0, kept = 0;

	while ((opt = getopt(argc, argv, "b:s:")) != -1) {
		if (opt == 'b')
			base_path = optarg;
		else if (opt == 's')
			outbase_path = optarg;
		else
			goto usage;
	}
	if (argc - optind != 2 || (outbase_path && !base_path))
		goto usage;
	if (outbase_path && !(outbase = btf__parse(outbase_path, NULL))) {
		fprintf(stderr, "btf-trim: %s: %s\n", outbase_path, strerror(errno));
		return 1;
	}
	if (base_path && !(base = btf__parse(base_path, NULL))) {
		fprintf(stderr, "btf-trim: %s: %s\n", base_path, strerror(errno));
		btf__free(outbase);
		return 1;
	}
	in = base ? btf__parse_split(argv[optind], base) : btf__parse(argv[optind], NULL);
	if (!in) {
		fprintf(stderr, "btf-trim: %s: %s\n", argv[optind], strerror(errno));
		err = -1;
		goto out;
	}
	t.in = in;
	t.n = btf__type_cnt(in);
	t.map = calloc(t.n, sizeof(*t.map));
	t.out = outbase ? btf__new_empty_split(outbase) : btf__new_empty();
	if (!t.map || !t.out) {
		err = -ENOMEM;
		goto out;
	}
	for (size_t k = 0; k < 2; k++)
		for (const struct ia_proto_expect *e = tables[k]; e->symbol && err >= 0; e++) {
			err = keep(&t, base, e->symbol);
			kept += err > 0;
		}
	if (err >= 0)
		err = write_raw(t.out, argv[optind + 1]);
	if (err < 0)
		fprintf(stderr, "btf-trim: %s: %s\n", argv[optind + 1], strerror(-err));
	else
		fprintf(stderr, "btf-trim: %d functions, %u types, into %s\n", kept,
			btf__type_cnt(t.out) - (outbase ? btf__type_cnt(outbase) : 1), argv[optind + 1]);
out:
	free(t.map);
	btf__free(t.out);
	btf__free(in);
	btf__free(base);
	btf__free(outbase);
	return err < 0 ? 1 : 0;
usage:
	fprintf(stderr, "usage: btf-trim [-b BASE [-s OUTBASE]] IN OUT\n");
	return 2;
}
