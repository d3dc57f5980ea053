// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Prototypes from a kernel's BTF, checked against the programs' reads: see btfproto.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/btf.h>
#include "btfproto.h"

#define MAX_DEPTH 16 /* modifiers and typedefs in a row; more is a loop in a malformed BTF */

/* Past typedefs and qualifiers (const, volatile, restrict, type tags): the type they name. */
static const struct btf_type *resolve(const struct btf *btf, __u32 id, __u32 *out_id)
{
	for (int depth = 0; depth < MAX_DEPTH; depth++) {
		const struct btf_type *t;

		*out_id = id;
		if (!id)
			return NULL; /* void */
		t = btf__type_by_id(btf, id);
		if (!t)
			return NULL;
		switch (btf_kind(t)) {
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_CONST:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_TYPE_TAG:
			id = t->type;
			continue;
		default:
			return t;
		}
	}
	return NULL;
}

static bool valid_id(const struct btf *btf, __u32 id)
{
	return !id || btf__type_by_id(btf, id);
}

/* The C spelling of a type, for reasons: "const struct device_driver *", "u32". */
static void spell(const struct btf *btf, __u32 id, char *buf, size_t len, int depth)
{
	const struct btf_type *t = id ? btf__type_by_id(btf, id) : NULL;
	const char *name = t ? btf__name_by_offset(btf, t->name_off) : NULL;
	char inner[IA_PROTO_NAME_LEN - 16]; /* room for "volatile " or " *" around it */

	if (!id) {
		snprintf(buf, len, "void");
		return;
	}
	if (!t || depth > MAX_DEPTH) {
		snprintf(buf, len, "?");
		return;
	}
	name = name && name[0] ? name : "(anon)";
	switch (btf_kind(t)) {
	case BTF_KIND_PTR:
		if (t->type && btf_is_func_proto(btf__type_by_id(btf, t->type) ?: t)) {
			snprintf(buf, len, "function pointer");
			return;
		}
		spell(btf, t->type, inner, sizeof(inner), depth + 1);
		snprintf(buf, len, "%s *", inner);
		return;
	case BTF_KIND_CONST:
	case BTF_KIND_VOLATILE:
		spell(btf, t->type, inner, sizeof(inner), depth + 1);
		snprintf(buf, len, "%s %s", btf_is_const(t) ? "const" : "volatile", inner);
		return;
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		spell(btf, t->type, buf, len, depth + 1);
		return;
	case BTF_KIND_STRUCT: snprintf(buf, len, "struct %s", name); return;
	case BTF_KIND_UNION: snprintf(buf, len, "union %s", name); return;
	case BTF_KIND_FWD: snprintf(buf, len, "%s %s", btf_kflag(t) ? "union" : "struct", name); return;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64: snprintf(buf, len, "enum %s", name); return;
	case BTF_KIND_ARRAY: snprintf(buf, len, "array"); return;
	default: snprintf(buf, len, "%s", name); return; /* int, float, typedef */
	}
}

/* One type as the comparison sees it; false when the BTF is malformed there. */
static bool describe(const struct btf *btf, __u32 id, struct ia_type_seen *out)
{
	const struct btf_type *t, *p;
	__u32 rid, pid;

	memset(out, 0, sizeof(*out));
	if (!valid_id(btf, id))
		return false;
	spell(btf, id, out->spelling, sizeof(out->spelling), 0);
	t = resolve(btf, id, &rid);
	if (!t) {
		out->cls = IA_T_VOID;
		return rid == 0; /* void; a loop or a bad id otherwise */
	}
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		out->cls = IA_T_INT;
		out->size = t->size;
		return true;
	case BTF_KIND_PTR:
		break;
	default:
		out->cls = IA_T_OTHER;
		return true;
	}
	p = resolve(btf, t->type, &pid);
	if (!p) {
		out->cls = IA_T_OTHER_PTR; /* void * */
		return pid == 0;
	}
	switch (btf_kind(p)) {
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_FWD:
		out->cls = IA_T_STRUCT_PTR;
		snprintf(out->tag, sizeof(out->tag), "%s", btf__name_by_offset(btf, p->name_off) ?: "");
		return true;
	case BTF_KIND_INT:
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		out->cls = IA_T_INT_PTR;
		out->size = p->size;
		return true;
	default:
		out->cls = IA_T_OTHER_PTR;
		return true;
	}
}

int ia_btf_proto(const struct btf *btf, const char *fn, struct ia_proto_seen *out)
{
	const struct btf_type *f, *proto;
	const struct btf_param *params;
	int id;

	memset(out, 0, sizeof(*out));
	id = btf__find_by_name_kind(btf, fn, BTF_KIND_FUNC);
	if (id <= 0)
		return -ENOENT;
	f = btf__type_by_id(btf, (__u32)id);
	proto = f ? btf__type_by_id(btf, f->type) : NULL;
	if (!proto || !btf_is_func_proto(proto))
		return -EINVAL;
	params = btf_params(proto);
	out->nargs = btf_vlen(proto);
	/* a last parameter of type void, unnamed, is "..." */
	if (out->nargs && !params[out->nargs - 1].type && !params[out->nargs - 1].name_off) {
		out->variadic = true;
		out->nargs--;
	}
	if (!describe(btf, proto->type, &out->ret))
		return -EINVAL;
	for (unsigned int i = 0; i < out->nargs && i < IA_PROTO_MAX_ARGS; i++)
		if (!describe(btf, params[i].type, &out->args[i]))
			return -EINVAL;
	return 0;
}

enum ia_proto_verdict ia_btf_check(const struct btf *btf, const struct ia_proto_expect *table,
				   const char *fn, char *why, size_t len)
{
	const struct ia_proto_expect *e = ia_proto_find(table, fn);
	struct ia_proto_seen seen;
	int err;

	if (why && len)
		why[0] = '\0';
	if (!btf) {
		if (why && len)
			snprintf(why, len, "%s: no BTF describes it: prototype not checked", fn);
		return IA_PROTO_NO_BTF;
	}
	err = ia_btf_proto(btf, fn, &seen);
	if (err == -ENOENT) {
		if (why && len)
			snprintf(why, len, "%s: not in the BTF", fn);
		return IA_PROTO_ABSENT;
	}
	if (err) {
		if (why && len)
			snprintf(why, len, "%s: its BTF is malformed", fn);
		return IA_PROTO_BAD_BTF;
	}
	if (!e) {
		if (why && len)
			snprintf(why, len, "%s: what the program reads of it is not declared (src/protos.c)", fn);
		return IA_PROTO_UNKNOWN;
	}
	return ia_proto_compare(e, &seen, why, len);
}

enum ia_proto_verdict ia_btf_check_target(const struct btf *vmlinux, const struct btf *module_btf,
					  const char *module, const struct ia_proto_expect *table,
					  const char *fn, char *why, size_t len)
{
	enum ia_proto_verdict v = ia_btf_check(module_btf ?: vmlinux, table, fn, why, len);

	if (v == IA_PROTO_ABSENT && module && !module_btf) {
		if (why && len)
			snprintf(why, len, "%s: module %s has no BTF, nor has vmlinux: prototype not checked",
				 fn, module);
		return IA_PROTO_NO_BTF;
	}
	return v;
}

int ia_btf_member_offset(const struct btf *btf, const char *type, const char *member)
{
	int id = btf ? btf__find_by_name_kind(btf, type, BTF_KIND_STRUCT) : -ENOENT;
	const struct btf_type *t = id > 0 ? btf__type_by_id(btf, (__u32)id) : NULL;

	for (int i = 0; t && i < btf_vlen(t); i++) {
		__u32 bits = btf_member_bit_offset(t, (__u32)i);

		if (strcmp(btf__name_by_offset(btf, btf_members(t)[i].name_off) ?: "", member))
			continue;
		return bits % 8 ? -EINVAL : (int)(bits / 8);
	}
	return -ENOENT;
}

struct btf *ia_btf_module(const char *dir, const char *module, const struct btf *vmlinux, int *err)
{
	char path[512];
	struct btf *b;

	*err = 0;
	if (!module || !module[0] || strchr(module, '/')) {
		*err = -EINVAL;
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, module);
	/* libbpf 1.x: NULL and errno on failure; the base is only read */
	errno = 0;
	b = btf__parse_split(path, (struct btf *)vmlinux);
	if (!b)
		*err = errno ? -errno : -EINVAL;
	return b;
}
