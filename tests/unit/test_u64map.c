// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The lookup indexes (src/u64map.c) and their users: the model's groups by
 * id and devices by name, the domains' slots (src/calls.c), the iommufd
 * contexts: each must answer as the scan it replaces did, also after the
 * tables it indexes moved under it.
 */
#include <stdio.h>
#include <string.h>
#include "calls.h"
#include "model.h"
#include "u64map.h"
#include "unit.h"

UNIT_TEST(u64map_put_get_grow_clear)
{
	struct ia_u64map m = { 0 };
	__u64 v = 0;

	CHECK(!ia_u64map_get(&m, 0, &v)); /* empty, never allocated */
	for (__u64 k = 0; k < 5000; k++) /* keys alike but for high or low bits */
		CHECK_INT(ia_u64map_put(&m, k << (k % 2 ? 48 : 3), k), 0);
	CHECK_INT(m.n, 5000);
	CHECK(m.cap >= 2 * m.n);
	for (__u64 k = 0; k < 5000; k++) {
		CHECK(ia_u64map_get(&m, k << (k % 2 ? 48 : 3), &v));
		CHECK_INT(v, k);
	}
	CHECK(!ia_u64map_get(&m, 3, &v));
	CHECK_INT(ia_u64map_put(&m, 16, 77), 0); /* overwrites k = 2: 2 << 3 */
	CHECK_INT(m.n, 5000);
	CHECK(ia_u64map_get(&m, 16, &v));
	CHECK_INT(v, 77);
	ia_u64map_clear(&m);
	CHECK_INT(m.n, 0);
	CHECK(!ia_u64map_get(&m, 16, &v));
	CHECK(m.slots != NULL); /* memory kept */
	ia_u64map_free(&m);
	CHECK(m.slots == NULL);
	CHECK(ia_u64map_hash_str("0000:01:00.0") != ia_u64map_hash_str("0000:01:00.1"));
}

static void add_groups(struct ia_model *m, int first, int n)
{
	char name[IA_NAME_LEN];

	for (int id = first; id < first + n; id++) {
		struct ia_group *g = ia_model_group(m, id, true);

		snprintf(name, sizeof(name), "dev%d", id);
		ia_group_dev(g, name, true);
	}
}

/* Groups and devices found through the index after removals shifted, and a sort reordered, them. */
UNIT_TEST(model_index_follows_removal_and_sort)
{
	struct ia_model m, copy;
	struct ia_group *g;

	ia_model_init(&m);
	add_groups(&m, 0, 3000);
	for (int id = 0; id < 3000; id += 3) /* every third, from the front: the last ones move in */
		ia_model_remove_group(&m, ia_model_group(&m, id, false));
	CHECK_INT(m.ngroups, 2000);
	for (int id = 0; id < 3000; id++) {
		char name[IA_NAME_LEN];
		struct ia_dev *d;

		snprintf(name, sizeof(name), "dev%d", id);
		g = NULL;
		d = ia_model_find_dev(&m, name, &g);
		if (id % 3 == 0) {
			CHECK(ia_model_group(&m, id, false) == NULL);
			CHECK(d == NULL);
		} else {
			CHECK(ia_model_group(&m, id, false) != NULL);
			CHECK_INT(ia_model_group(&m, id, false)->id, id);
			CHECK(d != NULL && g != NULL);
			CHECK_STR(d->name, name);
			CHECK_INT(g->id, id);
		}
	}
	/* a device moved to another group behind the index's back is still found */
	g = ia_model_group(&m, 1, false);
	ia_group_remove_dev(g, &g->devs[0]);
	ia_group_dev(ia_model_group(&m, 2, false), "dev1", true);
	g = NULL;
	CHECK(ia_model_find_dev(&m, "dev1", &g) != NULL);
	CHECK_INT(g->id, 2);
	/* sorted from last to first: the index follows */
	add_groups(&m, -5, 1);
	ia_model_sort(&m);
	CHECK_INT(m.groups[0].id, -5);
	CHECK_INT(ia_model_group(&m, -5, false)->id, -5);
	CHECK_INT(ia_model_group(&m, 2999, false)->id, 2999);
	/* a copy has its own index */
	CHECK_INT(ia_model_copy(&copy, &m), 0);
	ia_model_free(&m);
	CHECK_INT(ia_model_group(&copy, 1000, false)->id, 1000);
	g = NULL;
	CHECK(ia_model_find_dev(&copy, "dev1000", &g) != NULL);
	CHECK_INT(g->id, 1000);
	ia_model_free(&copy);
}

/* More domains than the slots: the oldest are forgotten, the newest found, the index bounded. */
UNIT_TEST(calls_domains_indexed_and_bounded)
{
	struct ia_calls c = { 0 };
	struct ia_event ev = { .flags = IA_F_HAVE_GRP, .phase = IA_PH_ENTER };

	for (int i = 0; i < 3 * IA_CALLS_DOMAINS; i++) {
		ev.group_id = i;
		ev.grp_domain = 0x1000 + 0x40 * (__u64)i;
		ev.grp_default_domain = 0;
		CHECK_INT(ia_calls_count(&c, &ev), 0);
	}
	CHECK_INT(ia_calls_domain_group(&c, 0x1000), -1); /* forgotten */
	CHECK_INT(ia_calls_domain_group(&c, 0x1000 + 0x40 * (__u64)(2 * IA_CALLS_DOMAINS - 1)), -1);
	for (int i = 2 * IA_CALLS_DOMAINS; i < 3 * IA_CALLS_DOMAINS; i++)
		CHECK_INT(ia_calls_domain_group(&c, 0x1000 + 0x40 * (__u64)i), i);
	CHECK(c.slot_of.n <= 2 * IA_CALLS_DOMAINS);
	ev.group_id = 7; /* a domain that serves another group now */
	ev.grp_domain = 0x1000 + 0x40 * (__u64)(3 * IA_CALLS_DOMAINS - 1);
	CHECK_INT(ia_calls_count(&c, &ev), 0);
	CHECK_INT(ia_calls_domain_group(&c, ev.grp_domain), 7);
	ia_calls_free(&c);
}
