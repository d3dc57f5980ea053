/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A function's prototype read from a kernel's BTF (libbpf's btf.h), and the
 * check of it against the table of what the programs read (protos.h).
 * Not core: it needs libbpf. The loader calls it where it chooses a hook's
 * target; the unit tests call it on trimmed BTF of several kernels
 * (tests/fixtures/btf/). No global state.
 */
#ifndef IA_BTFPROTO_H
#define IA_BTFPROTO_H

#include <stddef.h>
#include "protos.h"

struct btf;

/*
 * fn's prototype in btf (vmlinux, or a module's split BTF on top of it):
 * 0, -ENOENT when btf has no function of that name, -EINVAL when the BTF
 * is malformed there (the FUNC's type no FUNC_PROTO, an id out of range).
 */
int ia_btf_proto(const struct btf *btf, const char *fn, struct ia_proto_seen *out);

/*
 * The check of fn against table (ia_protos): IA_PROTO_NO_BTF when btf is
 * NULL, IA_PROTO_ABSENT, IA_PROTO_BAD_BTF, IA_PROTO_UNKNOWN when the table
 * has no entry for fn, else ia_proto_compare()'s verdict. why says it in
 * words for every verdict but IA_PROTO_OK (may be NULL).
 */
enum ia_proto_verdict ia_btf_check(const struct btf *btf, const struct ia_proto_expect *table,
				   const char *fn, char *why, size_t len);

/*
 * The check of a hook's target where the loader finds it: in module_btf
 * when the hook's module has BTF of its own (loaded, on a kernel with
 * module BTF), else in vmlinux. A function of a module found in neither
 * is IA_PROTO_NO_BTF (Debian's 5.10 has no module BTF: its vfio functions
 * are described nowhere); one of the core kernel missing from a present
 * vmlinux BTF is IA_PROTO_ABSENT. module: NULL for the core kernel.
 */
enum ia_proto_verdict ia_btf_check_target(const struct btf *vmlinux, const struct btf *module_btf,
					  const char *module, const struct ia_proto_expect *table,
					  const char *fn, char *why, size_t len);

/*
 * The byte offset of member in struct type as btf describes it (what a
 * program reads without CO-RE, or by name through CO-RE): >= 0; -ENOENT
 * when btf has no struct of that name, or the struct no such member;
 * -EINVAL for a bit field that does not start on a byte.
 */
int ia_btf_member_offset(const struct btf *btf, const char *type, const char *member);

/*
 * A module's BTF, split on vmlinux's: <dir>/<module> (dir is
 * /sys/kernel/btf on a live system; world-readable, so no capability is
 * needed). NULL with *err set: -ENOENT when the module has no BTF there
 * (not loaded, or a kernel without module BTF), another negative errno
 * when the file does not parse. Free with btf__free().
 */
struct btf *ia_btf_module(const char *dir, const char *module, const struct btf *vmlinux, int *err);

#endif /* IA_BTFPROTO_H */
