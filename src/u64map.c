// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* 64-bit keyed lookup indexes; see include/u64map.h. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "u64map.h"

#define MIN_CAP 64

/* Spreads keys that differ only in high or low bits (pointers, small ids) over the table. */
static size_t slot_of(__u64 key, size_t cap)
{
	key ^= key >> 33;
	key *= 0xff51afd7ed558ccdull;
	key ^= key >> 33;
	return (size_t)key & (cap - 1);
}

static struct ia_u64map_slot *find(const struct ia_u64map *m, __u64 key)
{
	size_t i = slot_of(key, m->cap);

	while (m->slots[i].used && m->slots[i].key != key)
		i = (i + 1) & (m->cap - 1);
	return &m->slots[i];
}

static int grow(struct ia_u64map *m)
{
	size_t cap = m->cap ? m->cap * 2 : MIN_CAP;
	struct ia_u64map old = *m;

	if (cap > SIZE_MAX / sizeof(*m->slots))
		return -ENOMEM;
	m->slots = calloc(cap, sizeof(*m->slots));
	if (!m->slots) {
		m->slots = old.slots;
		return -ENOMEM;
	}
	m->cap = cap;
	for (size_t i = 0; i < old.cap; i++)
		if (old.slots[i].used)
			*find(m, old.slots[i].key) = old.slots[i];
	free(old.slots);
	return 0;
}

int ia_u64map_put(struct ia_u64map *m, __u64 key, __u64 val)
{
	struct ia_u64map_slot *s;

	if ((m->n + 1) * 2 > m->cap) {
		int err = grow(m);

		if (err)
			return err;
	}
	s = find(m, key);
	if (!s->used) {
		s->used = true;
		s->key = key;
		m->n++;
	}
	s->val = val;
	return 0;
}

bool ia_u64map_get(const struct ia_u64map *m, __u64 key, __u64 *val)
{
	const struct ia_u64map_slot *s;

	if (!m->n)
		return false;
	s = find(m, key);
	if (s->used)
		*val = s->val;
	return s->used;
}

void ia_u64map_clear(struct ia_u64map *m)
{
	if (m->slots)
		memset(m->slots, 0, m->cap * sizeof(*m->slots));
	m->n = 0;
}

void ia_u64map_free(struct ia_u64map *m)
{
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

__u64 ia_u64map_hash_str(const char *s)
{
	__u64 h = 0xcbf29ce484222325ull;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ull;
	}
	return h;
}
