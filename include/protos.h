/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What each hook's BPF program reads from its target's arguments, and the
 * comparison of that with a prototype as a kernel's BTF describes it.
 *
 * The table (src/protos.c) is keyed by target symbol: per argument position
 * the kind and type the program relies on (or "not read"), the argument
 * counts the kernels have had that leave those positions alone, and what the
 * exit program reads of the return value. Pure data and a pure comparison:
 * walking a BTF into a struct ia_proto_seen is the live side's job
 * (include/btfproto.h), so the core never sees libbpf.
 */
#ifndef IA_PROTOS_H
#define IA_PROTOS_H

#include <stdbool.h>
#include <stddef.h>

#define IA_PROTO_MAX_ARGS 12	/* BTF allows more; no target has more than 7 */
#define IA_PROTO_NAME_LEN 96

/* What a program does with one argument (or the return value). */
enum ia_arg_kind {
	IA_ARG_UNREAD = 0,	/* not read: any type */
	IA_ARG_STRUCT_PTR,	/* dereferenced as a pointer to struct/union <tag> */
	IA_ARG_ANY_PTR,		/* kept as a pointer value, never dereferenced: any pointer */
	IA_ARG_INT_PTR,		/* dereferenced as a pointer to an integer of <size> bytes */
	IA_ARG_INT,		/* an integer (or enum) of <size> bytes */
};

struct ia_arg_expect {
	enum ia_arg_kind kind;
	const char *tag;	/* IA_ARG_STRUCT_PTR: the struct's tag ("device") */
	unsigned int size;	/* IA_ARG_INT, IA_ARG_INT_PTR: bytes */
	const char *spelling;	/* as the program spells it, for reasons: "struct device *", "u32" */
};

/* One target: the program that reads it, and what it reads. */
struct ia_proto_expect {
	const char *symbol;	/* the kernel function */
	const char *hook;	/* the hook whose programs attach to it (src/hooks.c name) */
	unsigned int min_args;	/* argument counts accepted, across kernels */
	unsigned int max_args;
	struct ia_arg_expect ret;
	struct ia_arg_expect args[IA_PROTO_MAX_ARGS]; /* by position; unlisted ones: not read */
	const char *source;	/* the kernel source and commits the entry relies on */
};

/* A type as a BTF shows it, reduced to what the comparison needs. */
enum ia_type_class {
	IA_T_VOID = 0,
	IA_T_INT,		/* int, enum, bool, through typedefs and qualifiers */
	IA_T_STRUCT_PTR,	/* pointer to a struct, union or forward declaration */
	IA_T_INT_PTR,		/* pointer to an integer */
	IA_T_OTHER_PTR,		/* any other pointer (void *, function pointer, pointer to pointer) */
	IA_T_OTHER,		/* anything else by value: struct, array, float */
};

struct ia_type_seen {
	enum ia_type_class cls;
	unsigned int size;		/* IA_T_INT: bytes; IA_T_INT_PTR: the pointee's */
	char tag[IA_PROTO_NAME_LEN];	/* IA_T_STRUCT_PTR: the struct's tag */
	char spelling[IA_PROTO_NAME_LEN]; /* C spelling: "const struct device_driver *", "u32" */
};

/* A function's prototype as found. */
struct ia_proto_seen {
	unsigned int nargs;	/* may exceed IA_PROTO_MAX_ARGS: only the first are described */
	bool variadic;
	struct ia_type_seen ret;
	struct ia_type_seen args[IA_PROTO_MAX_ARGS];
};

enum ia_proto_verdict {
	IA_PROTO_OK = 0,	/* every read position has the type the program reads */
	IA_PROTO_MISMATCH,	/* a count, position or type the program cannot read right */
	IA_PROTO_ABSENT,	/* the BTF has no such function (absent, inlined, or left out) */
	IA_PROTO_NO_BTF,	/* no BTF describes the target: not checked */
	IA_PROTO_UNKNOWN,	/* the table has no entry for the target: what is read is not declared */
	IA_PROTO_BAD_BTF,	/* the BTF is malformed where the function is */
};

/* The table: every target of every call hook (src/hooks.c). NULL-terminated by symbol. */
extern const struct ia_proto_expect ia_protos[];
/*
 * Entries for programs being written (PASID-aware attach and detach): not
 * used by the loader; tested against the kernels' BTF so that an entry can
 * move to ia_protos when its program lands.
 */
extern const struct ia_proto_expect ia_protos_planned[];

/* The entry for symbol in table (ia_protos or ia_protos_planned), or NULL. */
const struct ia_proto_expect *ia_proto_find(const struct ia_proto_expect *table, const char *symbol);

/*
 * Does seen give the program of e what it reads? IA_PROTO_OK, or
 * IA_PROTO_MISMATCH with the first disagreement in why
 * ("__iommu_attach_device: argument 2 is struct iommu_domain *, the program
 * reads struct device *"). why may be NULL.
 */
enum ia_proto_verdict ia_proto_compare(const struct ia_proto_expect *e, const struct ia_proto_seen *seen,
				       char *why, size_t len);

/* "ok", "mismatch", "absent", "no BTF", "no table entry", "bad BTF". */
const char *ia_proto_verdict_name(enum ia_proto_verdict v);

/* The positions e reads, as "1, 2" (1-based; "none" when it reads none). */
const char *ia_proto_read_positions(const struct ia_proto_expect *e, char *buf, size_t len);

#endif /* IA_PROTOS_H */
