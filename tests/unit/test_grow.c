// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Growing arrays (src/grow.c): geometric growth, the ceiling, overflow. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include "grow.h"
#include "unit.h"

UNIT_TEST(grow_geometric)
{
	int *a = NULL, *before;
	size_t cap = 0;

	CHECK_INT(ia_grow((void **)&a, &cap, 0, sizeof(*a)), 0);
	CHECK(a == NULL);
	CHECK_INT(cap, 0);
	CHECK_INT(ia_grow((void **)&a, &cap, 1, sizeof(*a)), 0);
	CHECK(a != NULL);
	CHECK_INT(cap, IA_GROW_MIN);
	for (int i = 0; i < IA_GROW_MIN; i++)
		a[i] = i;
	before = a;
	CHECK_INT(ia_grow((void **)&a, &cap, IA_GROW_MIN, sizeof(*a)), 0); /* room enough */
	CHECK(a == before);
	CHECK_INT(cap, IA_GROW_MIN);
	CHECK_INT(ia_grow((void **)&a, &cap, IA_GROW_MIN + 1, sizeof(*a)), 0); /* doubles */
	CHECK_INT(cap, 2 * IA_GROW_MIN);
	CHECK_INT(a[IA_GROW_MIN - 1], IA_GROW_MIN - 1); /* contents kept */
	CHECK_INT(ia_grow((void **)&a, &cap, 100, sizeof(*a)), 0); /* more than double: need */
	CHECK_INT(cap, 100);
	a[99] = 99;
	free(a);
}

UNIT_TEST(grow_ceiling)
{
	char *b = NULL;
	size_t cap = 0;

	CHECK_INT(ia_grow_max((void **)&b, &cap, 5, 12, 1), 0);
	CHECK_INT(cap, IA_GROW_MIN);
	CHECK_INT(ia_grow_max((void **)&b, &cap, 9, 12, 1), 0); /* doubling would pass the ceiling */
	CHECK_INT(cap, 12);
	CHECK_INT(ia_grow_max((void **)&b, &cap, 13, 12, 1), -ENOMEM);
	CHECK_INT(cap, 12);
	CHECK(b != NULL);
	b[11] = 'x';
	free(b);
}

UNIT_TEST(grow_overflow)
{
	struct big {
		char c[64];
	} *a = NULL, *before;
	size_t cap = 0;

	/* need * elem_size past SIZE_MAX: refused before realloc, nothing changed */
	CHECK_INT(ia_grow((void **)&a, &cap, SIZE_MAX / sizeof(*a) + 1, sizeof(*a)), -ENOMEM);
	CHECK(a == NULL);
	CHECK_INT(cap, 0);
	CHECK_INT(ia_grow((void **)&a, &cap, SIZE_MAX, sizeof(*a)), -ENOMEM);
	CHECK_INT(ia_grow((void **)&a, &cap, 3, sizeof(*a)), 0);
	before = a;
	CHECK_INT(ia_grow((void **)&a, &cap, SIZE_MAX / 2, sizeof(*a)), -ENOMEM);
	CHECK(a == before);
	CHECK_INT(cap, IA_GROW_MIN);
	/* elements of no size are a caller's mistake, not an allocation of 0 bytes */
	CHECK_INT(ia_grow((void **)&a, &cap, cap + 1, 0), -ENOMEM);
	CHECK(a == before);
	free(a);
}
