// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Percentiles and views of the in-kernel map/unmap histograms. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hist.h"
#include "unit.h"

UNIT_TEST(hist_quantiles_from_log2_buckets)
{
	struct ia_hist h;

	memset(&h, 0, sizeof(h));
	CHECK_INT(ia_hist_quantile(&h, 0.5), 0);
	h.buckets[10] = 90; /* [1024, 2047] ns */
	h.buckets[14] = 9;  /* [16384, 32767] */
	h.buckets[20] = 1;  /* [1 Mi, 2 Mi) */
	h.max_ns = 1500000;
	h.calls = 100;
	CHECK_INT(ia_hist_quantile(&h, 0.5), 2047);
	CHECK_INT(ia_hist_quantile(&h, 0.9), 2047);
	CHECK_INT(ia_hist_quantile(&h, 0.95), 32767);
	CHECK_INT(ia_hist_quantile(&h, 0.99), 32767);
	CHECK_INT(ia_hist_quantile(&h, 1.0), 1500000); /* capped at the true max */
}

UNIT_TEST(hist_add_sums_cpus)
{
	struct ia_hist a, b;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.buckets[3] = 2;
	a.max_ns = 10;
	a.calls = 2;
	a.bytes = 8192;
	b.buckets[3] = 1;
	b.buckets[5] = 1;
	b.max_ns = 40;
	b.calls = 2;
	b.errors = 1;
	b.bytes = 4096;
	ia_hist_add(&a, &b);
	CHECK_INT(a.buckets[3], 3);
	CHECK_INT(a.buckets[5], 1);
	CHECK_INT(a.max_ns, 40);
	CHECK_INT(a.calls, 4);
	CHECK_INT(a.errors, 1);
	CHECK_INT(a.bytes, 12288);
}

UNIT_TEST(hist_views_name_the_domain_group)
{
	struct ia_hist_entry e[2];
	struct ia_model m;
	struct ia_group *g;
	struct ia_json j;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	memset(e, 0, sizeof(e));
	e[0].key.domain = 0xd2;
	e[0].key.op = IA_OP_UNMAP;
	e[1].key.domain = 0xd2;
	e[1].key.op = IA_OP_MAP;
	e[1].h.buckets[12] = 4;
	e[1].h.calls = 4;
	e[1].h.bytes = 16384;
	ia_hist_sort(e, 2);
	CHECK_INT(e[0].key.op, IA_OP_MAP);
	ia_model_init(&m);
	g = ia_model_group(&m, 6, true);
	ia_group_dev(g, "0000:01:00.0", true)->domain = 0xd2;
	f = open_memstream(&buf, &len);
	ia_json_init(&j, f);
	ia_hist_print_json(&j, e, 1, &m, "run");
	ia_hist_print_text(f, e, 1, &m);
	fclose(f);
	CHECK(strstr(buf, "\"type\":\"histogram\",\"schema\":1,\"scope\":\"run\",\"domain\":\"0xd2\",\"op\":\"map\",\"group\":6,"
			  "\"devices\":[\"0000:01:00.0\"],\"bytes\":16384,\"calls\":4,\"errors\":0,") != NULL);
	CHECK(strstr(buf, "domain 0xd2 (group 6 0000:01:00.0) map: 4 calls, 16384 bytes") != NULL);
	CHECK(strstr(buf, "4096 -> 8191") != NULL);
	free(buf);
	ia_model_free(&m);
}

/* Freed domains, folded per group: named as such, after the live ones, with no address. */
UNIT_TEST(hist_views_of_freed_domains)
{
	struct ia_hist_entry e[2];
	struct ia_model m;
	struct ia_json j;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	memset(e, 0, sizeof(e));
	e[0].key = (struct ia_hist_key){ .domain = 6, .op = IA_OP_MAP, .flags = IA_HK_FREED };
	e[0].h.calls = 2;
	e[1].key = (struct ia_hist_key){ .domain = 0xd2, .op = IA_OP_MAP };
	e[1].h.calls = 1;
	ia_hist_sort(e, 2);
	CHECK(!e[0].key.flags && e[1].key.flags == IA_HK_FREED);
	ia_model_init(&m);
	ia_group_dev(ia_model_group(&m, 6, true), "0000:01:00.0", true);
	CHECK_INT(ia_hist_entry_group(&m, &e[1]), 6);
	CHECK_INT(ia_hist_entry_group(&m, &e[0]), -1);
	f = open_memstream(&buf, &len);
	ia_json_init(&j, f);
	ia_hist_print_json(&j, &e[1], 1, &m, "run");
	ia_hist_print_text(f, &e[1], 1, &m);
	fclose(f);
	CHECK(strstr(buf, "\"scope\":\"run\",\"domain\":null,\"op\":\"map\",\"group\":6,"
			  "\"devices\":[\"0000:01:00.0\"],") != NULL);
	CHECK(strstr(buf, "\nfreed domains (group 6 0000:01:00.0) map: 2 calls") != NULL);
	free(buf);
	ia_model_free(&m);
}
