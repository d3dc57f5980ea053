// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Growing arrays; see include/grow.h. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include "grow.h"

int ia_grow_max(void **p, size_t *cap, size_t need, size_t max, size_t elem_size)
{
	size_t ncap;
	void *np;

	if (need <= *cap)
		return 0;
	if (elem_size && max > SIZE_MAX / elem_size)
		max = SIZE_MAX / elem_size; /* no byte count past SIZE_MAX */
	if (!elem_size || need > max)
		return -ENOMEM;
	ncap = !*cap ? IA_GROW_MIN : *cap > max / 2 ? max : *cap * 2;
	if (ncap < need)
		ncap = need;
	if (ncap > max)
		ncap = max;
	np = realloc(*p, ncap * elem_size);
	if (!np)
		return -ENOMEM;
	*p = np;
	*cap = ncap;
	return 0;
}

int ia_grow(void **p, size_t *cap, size_t need, size_t elem_size)
{
	return ia_grow_max(p, cap, need, SIZE_MAX, elem_size);
}
