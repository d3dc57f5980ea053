/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A map from 64-bit keys to 64-bit values (open addressing, linear probing),
 * for the lookup indexes of the analysis side: groups by id, devices by the
 * hash of their name, domains, iommufd contexts. The tables it indexes stay
 * the truth: an index only says where to look first, its users check what
 * they find there and rebuild it (clear, then put) when it has gone stale;
 * so it has no delete, and a put of an existing key overwrites.
 */
#ifndef IA_U64MAP_H
#define IA_U64MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

struct ia_u64map_slot {
	__u64 key;
	__u64 val;
	bool used;
};

struct ia_u64map {
	struct ia_u64map_slot *slots;
	size_t cap; /* a power of two, or 0 */
	size_t n;   /* keys held */
};

/* Set key's value; the table doubles past half full. 0, or -ENOMEM (the map unchanged). */
int ia_u64map_put(struct ia_u64map *m, __u64 key, __u64 val);
/* Whether key is held; *val gets its value. */
bool ia_u64map_get(const struct ia_u64map *m, __u64 key, __u64 *val);
/* Forget every key, keeping the memory. */
void ia_u64map_clear(struct ia_u64map *m);
void ia_u64map_free(struct ia_u64map *m);
/* FNV-1a of a NUL-terminated string, for string keys. */
__u64 ia_u64map_hash_str(const char *s);

#endif /* IA_U64MAP_H */
