/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A small streaming JSON writer for JSON Lines output: one object per line,
 * with the commas, the string escaping and the line ends written here. The
 * caller balances begin/end and follows each key with a value, and flushes
 * the FILE when a line must reach the reader (nothing here flushes).
 */
#ifndef IA_JSON_H
#define IA_JSON_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>

#define IA_JSON_DEPTH 16 /* nesting tracked; deeper levels share the last one's commas */

#define IA_JSON_LINE 4096 /* a line is built here and written with one call when it ends */

struct ia_json {
	FILE *out;
	int depth;
	bool need_comma[IA_JSON_DEPTH];
	bool after_key;
	size_t len;		 /* bytes waiting in line */
	char line[IA_JSON_LINE]; /* longer lines go out in pieces */
};

void ia_json_init(struct ia_json *j, FILE *out);
void ia_json_obj_begin(struct ia_json *j);
void ia_json_obj_end(struct ia_json *j); /* at depth 0 also ends the line and writes it (no fflush) */
void ia_json_arr_begin(struct ia_json *j);
void ia_json_arr_end(struct ia_json *j); /* likewise */
void ia_json_key(struct ia_json *j, const char *key);
void ia_json_str(struct ia_json *j, const char *s);
void ia_json_int(struct ia_json *j, long long v);
void ia_json_uint(struct ia_json *j, unsigned long long v);
void ia_json_bool(struct ia_json *j, bool v);
/* A number with 6 significant digits; NaN and infinities (not JSON) as null. */
void ia_json_double(struct ia_json *j, double v);
void ia_json_null(struct ia_json *j);
/* Pointers as "0x..." strings: kernel addresses exceed JSON's safe integers. */
void ia_json_ptr(struct ia_json *j, __u64 p);

/* key + value shorthands */
void ia_json_kstr(struct ia_json *j, const char *key, const char *s);
void ia_json_kint(struct ia_json *j, const char *key, long long v);
void ia_json_kuint(struct ia_json *j, const char *key, unsigned long long v);
void ia_json_kbool(struct ia_json *j, const char *key, bool v);
void ia_json_kptr(struct ia_json *j, const char *key, __u64 p);
void ia_json_kdouble(struct ia_json *j, const char *key, double v);

#endif /* IA_JSON_H */
