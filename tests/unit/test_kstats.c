// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The kernel's aggregates: HIST frame encoding, damaged frames, intervals, ioctl views. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "grow.h"
#include "hooks.h"
#include "kstats.h"
#include "unit.h"

static void sample(struct ia_kstats *k, struct ia_hist_entry h[2], struct ia_ioctl_stat io[2],
		   struct ia_fault_stat *f)
{
	memset(h, 0, 2 * sizeof(*h));
	memset(io, 0, 2 * sizeof(*io));
	memset(f, 0, sizeof(*f));
	h[0].key.domain = 0xffff888107a0c000ull;
	h[0].key.op = IA_OP_UNMAP;
	h[0].h.buckets[12] = 3;
	h[0].h.buckets[31] = 1;
	h[0].h.calls = 4;
	h[0].h.sum_ns = 3 * 5000 + (1ull << 40);
	h[0].h.max_ns = 1ull << 40;
	h[0].h.bytes = 16384;
	h[0].h.errors = 1;
	h[1].key.domain = 0xffff888107a0c000ull;
	h[1].key.op = IA_OP_MAP;
	h[1].h.buckets[11] = 2;
	h[1].h.calls = 2;
	io[0].nr = 0x86;
	io[0].h.calls = 5;
	io[0].h.buckets[14] = 5;
	io[1].nr = 0x85;
	io[1].h.calls = 7;
	io[1].h.errors = 2;
	io[1].h.buckets[13] = 7;
	strcpy(f->dev, "0000:01:00.0");
	f->n = 9;
	*k = (struct ia_kstats){ .mono_ns = 123456789, .submitted = 77, .drops = 3, .hists = h,
				 .nhists = 2, .ioctls = io, .nioctls = 2, .faults = f, .nfaults = 1 };
}

UNIT_TEST(kstats_round_trip)
{
	struct ia_hist_entry h[2];
	struct ia_ioctl_stat io[2];
	struct ia_fault_stat f;
	struct ia_kstats k, d;
	struct ia_buf b;

	sample(&k, h, io, &f);
	ia_buf_init(&b);
	CHECK_INT(ia_kstats_encode(&b, &k), 0);
	CHECK_INT(ia_kstats_decode(b.data, b.len, &d), 0);
	CHECK(d.mono_ns == 123456789 && d.submitted == 77 && d.drops == 3);
	CHECK_INT(d.nhists, 2);
	CHECK_INT(d.hists[0].key.op, IA_OP_MAP); /* sorted */
	CHECK(!memcmp(&d.hists[1], &h[0], sizeof(h[0])));
	CHECK_INT(d.nioctls, 2);
	CHECK_INT(d.ioctls[0].nr, 0x85);
	CHECK(!memcmp(&d.ioctls[1], &io[0], sizeof(io[0])));
	CHECK_INT(d.nfaults, 1);
	CHECK(!strcmp(d.faults[0].dev, "0000:01:00.0") && d.faults[0].n == 9);
	CHECK(ia_kstats_ioctl(&d, 0x85) == &d.ioctls[0]);
	CHECK(ia_kstats_ioctl(&d, 0x80) == NULL);
	ia_kstats_free(&d);
	CHECK(d.hists == NULL && d.nhists == 0);
	/* empty */
	ia_buf_reset(&b);
	CHECK_INT(ia_kstats_decode(b.data, 0, &d), 0);
	CHECK(d.nhists == 0 && d.nioctls == 0 && d.nfaults == 0);
	ia_kstats_free(&d);
	ia_buf_free(&b);
}

/* Every cut of a valid frame either decodes or says EBADMSG; values out of range say EBADMSG. */
UNIT_TEST(kstats_damaged)
{
	struct ia_hist_entry h[2];
	struct ia_ioctl_stat io[2];
	struct ia_fault_stat f;
	struct ia_kstats k, d;
	struct ia_buf b, bad;
	size_t pos;

	sample(&k, h, io, &f);
	ia_buf_init(&b);
	ia_kstats_encode(&b, &k);
	for (size_t cut = 0; cut < b.len; cut++) {
		int err = ia_kstats_decode(b.data, cut, &d);

		CHECK(err == 0 || err == -EBADMSG);
		ia_kstats_free(&d);
	}
	/* an op past the enum */
	ia_buf_init(&bad);
	pos = ia_tlv_open(&bad, 4);
	ia_tlv_u32(&bad, 2, IA_OP_MAX);
	ia_tlv_close(&bad, pos);
	CHECK_INT(ia_kstats_decode(bad.data, bad.len, &d), -EBADMSG);
	ia_kstats_free(&d);
	/* a command number past 255 */
	ia_buf_reset(&bad);
	pos = ia_tlv_open(&bad, 5);
	ia_tlv_u32(&bad, 1, 256);
	ia_tlv_close(&bad, pos);
	CHECK_INT(ia_kstats_decode(bad.data, bad.len, &d), -EBADMSG);
	ia_kstats_free(&d);
	/* more buckets than there are, and a ragged bucket array */
	ia_buf_reset(&bad);
	pos = ia_tlv_open(&bad, 5);
	ia_tlv_bytes(&bad, 17, b.data, 8 * (IA_HIST_BUCKETS + 1));
	ia_tlv_close(&bad, pos);
	CHECK_INT(ia_kstats_decode(bad.data, bad.len, &d), -EBADMSG);
	ia_kstats_free(&d);
	ia_buf_reset(&bad);
	pos = ia_tlv_open(&bad, 4);
	ia_tlv_bytes(&bad, 17, b.data, 12);
	ia_tlv_close(&bad, pos);
	CHECK_INT(ia_kstats_decode(bad.data, bad.len, &d), -EBADMSG);
	ia_kstats_free(&d);
	/* an integer of width 3 */
	ia_buf_reset(&bad);
	ia_tlv_bytes(&bad, 3, "abc", 3);
	CHECK_INT(ia_kstats_decode(bad.data, bad.len, &d), -EBADMSG);
	ia_kstats_free(&d);
	/* more commands than there are */
	ia_buf_reset(&bad);
	for (int i = 0; i < IA_IOCTL_NRS + 1; i++) {
		pos = ia_tlv_open(&bad, 5);
		ia_tlv_close(&bad, pos);
	}
	CHECK_INT(ia_kstats_decode(bad.data, bad.len, &d), -E2BIG);
	ia_kstats_free(&d);
	/* unknown tags are skipped */
	ia_buf_reset(&bad);
	ia_tlv_u64(&bad, 99, 1);
	ia_tlv_u64(&bad, 3, 5);
	CHECK_INT(ia_kstats_decode(bad.data, bad.len, &d), 0);
	CHECK(d.drops == 5);
	ia_kstats_free(&d);
	ia_buf_free(&bad);
	ia_buf_free(&b);
}

UNIT_TEST(kstats_interval_delta)
{
	struct ia_hist_entry h[2], h2[2];
	struct ia_ioctl_stat io[2], io2[2];
	struct ia_fault_stat f, f2;
	struct ia_kstats prev, cur, d;

	sample(&prev, h, io, &f);
	sample(&cur, h2, io2, &f2);
	/* since prev: 2 more unmaps (one slower than ever), IOAS_MAP unchanged, 1 more IOAS_UNMAP */
	h2[0].h.buckets[12] += 1;
	h2[0].h.buckets[31] += 1;
	h2[0].h.calls += 2;
	h2[0].h.sum_ns += 5000 + (1ull << 41);
	h2[0].h.max_ns = 1ull << 41;
	h2[0].h.bytes += 8192;
	io2[0].h.calls += 1;
	io2[0].h.buckets[14] += 1;
	cur.submitted += 10;
	CHECK_INT(ia_kstats_delta(&cur, &prev, &d), 0);
	CHECK_INT(d.nhists, 1);
	CHECK_INT(d.hists[0].key.op, IA_OP_UNMAP);
	CHECK(d.hists[0].h.calls == 2 && d.hists[0].h.bytes == 8192 && d.hists[0].h.errors == 0);
	CHECK(d.hists[0].h.buckets[12] == 1 && d.hists[0].h.buckets[31] == 1);
	CHECK(d.hists[0].h.max_ns == 1ull << 41);
	CHECK_INT(d.nioctls, 1);
	CHECK_INT(d.ioctls[0].nr, 0x86);
	CHECK(d.ioctls[0].h.calls == 1 && d.ioctls[0].h.max_ns == 0);
	CHECK(d.submitted == 10 && d.drops == 0 && d.nfaults == 0);
	ia_kstats_free(&d);
	/* the first interval: everything since the start */
	CHECK_INT(ia_kstats_delta(&cur, NULL, &d), 0);
	CHECK_INT(d.nhists, 2);
	CHECK_INT(d.nioctls, 2);
	CHECK(d.hists[0].h.calls == 6 && d.hists[0].h.max_ns == 1ull << 41);
	ia_kstats_free(&d);
}

UNIT_TEST(kstats_ioctl_views)
{
	struct ia_hist_entry h[2];
	struct ia_ioctl_stat io[2];
	struct ia_fault_stat f;
	struct ia_kstats k;
	struct ia_json j;
	char *buf = NULL, name[16];
	size_t len = 0;
	FILE *out;

	sample(&k, h, io, &f);
	ia_kstats_sort(&k);
	out = open_memstream(&buf, &len);
	ia_kstats_print_ioctls_text(out, &k);
	ia_json_init(&j, out);
	ia_kstats_print_ioctls_json(&j, &k, "interval");
	fclose(out);
	CHECK(strstr(buf, "iommufd ioctl IOAS_MAP                 7 (2 failed); p50 16383 p99 16383 max 0 ns\n"
			  "iommufd ioctl IOAS_UNMAP               5 (0 failed);") != NULL);
	CHECK(strstr(buf, "{\"type\":\"ioctl\",\"schema\":1,\"scope\":\"interval\",\"command\":\"IOAS_MAP\","
			  "\"nr\":133,\"calls\":7,\"errors\":2,\"sum_ns\":0,\"max_ns\":0,\"p50_ns\":16383,") != NULL);
	CHECK(!strcmp(ia_ioctl_nr_name(0xf0, name, sizeof(name)), "0x3bf0"));
	free(buf);
}

UNIT_TEST(kstats_full_counters_and_freed_entries_round_trip)
{
	struct ia_hist_entry h[2];
	struct ia_ioctl_stat io[2];
	struct ia_fault_stat f;
	struct ia_kstats k, d, old;
	struct ia_buf b;

	sample(&k, h, io, &f);
	ia_buf_init(&b);
	CHECK_INT(ia_kstats_encode(&b, &k), 0);
	CHECK_INT(ia_kstats_decode(b.data, b.len, &old), 0);
	CHECK(!old.have_full); /* a frame without KT_FULL: not known, rather than zero */
	ia_kstats_free(&old);
	free(b.data);

	h[1].key = (struct ia_hist_key){ .domain = 7, .op = IA_OP_MAP, .flags = IA_HK_FREED };
	k.have_full = true;
	k.full = (struct ia_map_full){ .hist_starts = 1, .hists = 2, .ioctls = 3, .faults = 4, .unstarted = 5 };
	ia_buf_init(&b);
	CHECK_INT(ia_kstats_encode(&b, &k), 0);
	CHECK_INT(ia_kstats_decode(b.data, b.len, &d), 0);
	CHECK(d.have_full && !memcmp(&d.full, &k.full, sizeof(k.full)));
	CHECK_INT(d.nhists, 2);
	CHECK(!memcmp(&d.hists[0], &h[0], sizeof(h[0]))); /* live domains first */
	CHECK(!memcmp(&d.hists[1], &h[1], sizeof(h[1])));
	ia_kstats_free(&d);
	free(b.data);
}

UNIT_TEST(kstats_freed_domains_fold_per_group)
{
	struct ia_kstats k = { 0 }, live = { 0 };
	struct ia_hist one = { .calls = 1, .bytes = 4096, .sum_ns = 100 }, two = { .calls = 2, .errors = 1 };

	/* two domains of group 6 freed, one of an unknown group */
	CHECK_INT(ia_kstats_add_freed(&k, 6, IA_OP_MAP, &one), 0);
	CHECK_INT(ia_kstats_add_freed(&k, 6, IA_OP_MAP, &two), 0);
	CHECK_INT(ia_kstats_add_freed(&k, -1, IA_OP_UNMAP, &one), 0);
	CHECK_INT(k.nhists, 2);
	CHECK(k.hists[0].key.flags == IA_HK_FREED && k.hists[0].key.domain == 6);
	CHECK_INT(k.hists[0].h.calls, 3);
	CHECK_INT(k.hists[0].h.errors, 1);
	CHECK_INT(k.hists[0].h.bytes, 4096);
	CHECK_INT((__s64)k.hists[1].key.domain, -1);

	/* a live read merged with the freed ones: same keys summed, others added */
	CHECK_INT(ia_kstats_add_freed(&live, 6, IA_OP_MAP, &one), 0);
	CHECK_INT(ia_grow((void **)&live.hists, &live.hists_cap, 2, sizeof(*live.hists)), 0);
	live.hists[live.nhists++] = (struct ia_hist_entry){ .key = { .domain = 0xffff8881, .op = IA_OP_MAP },
							    .h = one };
	CHECK_INT(ia_kstats_merge_hists(&live, &k), 0);
	CHECK_INT(live.nhists, 3);
	CHECK(live.hists[0].key.flags == 0); /* the live domain first */
	CHECK_INT(live.hists[1].h.calls, 4); /* group 6: 1 + 3 */

	/* folding a domain of an earlier view moves its entries under its group */
	CHECK_INT(ia_kstats_fold_domain(&live, 0xffff8881, 6), 0);
	CHECK_INT(live.nhists, 2);
	CHECK(live.hists[0].key.flags == IA_HK_FREED && live.hists[0].key.domain == 6);
	CHECK_INT(live.hists[0].h.calls, 5);
	CHECK_INT(ia_kstats_fold_domain(&live, 0xdead, 6), 0); /* not there: nothing moves */
	CHECK_INT(live.nhists, 2);
	ia_kstats_free(&live);
	ia_kstats_free(&k);
}

UNIT_TEST(kstats_interval_of_full_counters_and_freed_entries)
{
	struct ia_hist a = { .calls = 2 }, b = { .calls = 5 };
	struct ia_kstats prev = { .have_full = true, .full = { .hists = 1, .unstarted = 4 } };
	struct ia_kstats cur = { .have_full = true, .full = { .hists = 3, .unstarted = 4 } }, d;

	CHECK_INT(ia_kstats_add_freed(&prev, 6, IA_OP_MAP, &a), 0);
	CHECK_INT(ia_kstats_add_freed(&cur, 6, IA_OP_MAP, &b), 0);
	CHECK_INT(ia_kstats_delta(&cur, &prev, &d), 0);
	CHECK(d.have_full);
	CHECK_INT(d.full.hists, 2);
	CHECK_INT(d.full.unstarted, 0);
	CHECK_INT(d.nhists, 1);
	CHECK(d.hists[0].key.flags == IA_HK_FREED);
	CHECK_INT(d.hists[0].h.calls, 3);
	ia_kstats_free(&d);
	ia_kstats_free(&prev);
	ia_kstats_free(&cur);
}

/* Freed entries of groups that are gone move to -1: as many entries as the host has groups. */
UNIT_TEST(kstats_freed_entries_of_gone_groups)
{
	struct ia_kstats k = { 0 };
	struct ia_hist one = { .calls = 1 };
	const int alive[] = { 3, 6 };

	for (int g = 1; g <= 8; g++)
		CHECK_INT(ia_kstats_add_freed(&k, g, IA_OP_MAP, &one), 0);
	CHECK_INT(ia_kstats_forget_groups(&k, alive, 2), 0);
	CHECK_INT(k.nhists, 3);
	CHECK_INT(k.hists[0].key.domain, 3);
	CHECK_INT(k.hists[1].key.domain, 6);
	CHECK_INT((__s64)k.hists[2].key.domain, -1); /* sorted as the largest */
	CHECK_INT(k.hists[2].h.calls, 6);
	CHECK_INT(ia_kstats_forget_groups(&k, NULL, 0), 0); /* no group left */
	CHECK_INT(k.nhists, 1);
	CHECK_INT(k.hists[0].h.calls, 8);
	ia_kstats_free(&k);
}

/* Command names: known ones by name, any other as hex with its 0x, zero included (JSON schema). */
UNIT_TEST(kstats_command_names)
{
	char buf[16];

	CHECK_STR(ia_iommufd_cmd_name((';' << 8) | 0x85, buf, sizeof(buf)), "IOAS_MAP");
	CHECK_STR(ia_iommufd_cmd_name(0, buf, sizeof(buf)), "0x0"); /* an exit whose entry was lost */
	CHECK_STR(ia_iommufd_cmd_name(0x1234, buf, sizeof(buf)), "0x1234");
	CHECK_STR(ia_ioctl_nr_name(0x7f, buf, sizeof(buf)), "0x3b7f");
}
