/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Arrays that grow as they are appended to: every table of the analysis
 * side (groups, devices, findings, threads, ...) keeps a count and a
 * capacity and asks here for room before it appends. The capacity grows
 * geometrically, so n appends cost O(n) copying, and every size is checked
 * for overflow before it reaches realloc.
 */
#ifndef IA_GROW_H
#define IA_GROW_H

#include <stddef.h>

/* The first capacity of an empty array, in elements. */
#define IA_GROW_MIN 8

/*
 * Make *p, an array of *cap elements of elem_size bytes (NULL when *cap is
 * 0), hold at least need elements: the capacity becomes need or, if more,
 * twice the old one (IA_GROW_MIN at first). 0 (also when *cap already
 * suffices); -ENOMEM when memory or size_t runs out, with *p (still valid)
 * and *cap unchanged.
 */
int ia_grow(void **p, size_t *cap, size_t need, size_t elem_size);
/* The same with the capacity never above max elements: need > max is -ENOMEM. */
int ia_grow_max(void **p, size_t *cap, size_t need, size_t max, size_t elem_size);

#endif /* IA_GROW_H */
