// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The model's binary encoding: round trips, forward compatibility, damaged input. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "modelio.h"
#include "unit.h"
#include "../tools/scenarios.h"

/* The scenario model plus everything only events tell. */
static void full_model(struct ia_model *m)
{
	struct ia_group *g;

	scn_model(m);
	g = ia_model_group(m, 7, false);
	g->kptr = 0xffff888102f4a000ull;
	g->domain = 0xffff888105c20e00ull;
	g->domain_type = 3;
	g->default_domain = 0xffff888105c20e00ull;
	g->owner = SCN_ICTX;
	g->owner_cnt = 2;
	g->owner_known = true;
	g->owner_kind = IA_OWNER_IOMMUFD;
	g->violation_flagged = true;
	g->split_flagged = true;
	g->devs[0].kptr = 0xffff888100a3c0c8ull;
	g->devs[0].domain = 0xffff888105c20e00ull;
	g = ia_model_group(m, -1, true); /* ids are stored as 32 bits */
	ia_group_dev(g, "platform:x", true);
}

static bool dev_equal(const struct ia_dev *a, const struct ia_dev *b)
{
	return !strcmp(a->name, b->name) && !strcmp(a->driver, b->driver) && a->dma == b->dma &&
	       a->kptr == b->kptr && a->domain == b->domain;
}

static bool resv_equal(const struct ia_resv *a, const struct ia_resv *b)
{
	return a->start == b->start && a->end == b->end && !strcmp(a->type, b->type);
}

static bool group_equal(const struct ia_group *a, const struct ia_group *b)
{
	if (a->id != b->id || strcmp(a->type, b->type) || a->ndevs != b->ndevs || a->nresv != b->nresv ||
	    a->kptr != b->kptr || a->domain != b->domain || a->domain_type != b->domain_type ||
	    a->default_domain != b->default_domain || a->owner != b->owner ||
	    a->owner_cnt != b->owner_cnt || a->owner_known != b->owner_known ||
	    a->owner_kind != b->owner_kind || a->violation_flagged != b->violation_flagged ||
	    a->split_flagged != b->split_flagged)
		return false;
	for (size_t i = 0; i < a->ndevs; i++)
		if (!dev_equal(&a->devs[i], &b->devs[i]))
			return false;
	for (size_t i = 0; i < a->nresv; i++)
		if (!resv_equal(&a->resv[i], &b->resv[i]))
			return false;
	return true;
}

static bool model_equal(const struct ia_model *a, const struct ia_model *b)
{
	if (a->ngroups != b->ngroups || a->niommus != b->niommus)
		return false;
	for (int i = 0; i < a->niommus; i++)
		if (strcmp(a->iommus[i], b->iommus[i]))
			return false;
	for (size_t i = 0; i < a->ngroups; i++)
		if (!group_equal(&a->groups[i], &b->groups[i]))
			return false;
	return true;
}

UNIT_TEST(modelio_round_trip)
{
	struct ia_model m, back;
	struct ia_buf b;

	full_model(&m);
	ia_buf_init(&b);
	CHECK_INT(ia_model_encode(&b, &m), 0);
	CHECK_INT(ia_model_decode(b.data, b.len, &back), 0);
	CHECK(model_equal(&m, &back));
	CHECK_INT(ia_model_group(&back, -1, false) != NULL, 1);
	CHECK_INT(ia_model_group(&back, 9, false)->domain_type, IA_NO_TYPE);
	ia_model_free(&back);
	ia_model_free(&m);
	ia_buf_free(&b);
}

UNIT_TEST(modelio_empty_model)
{
	struct ia_model m, back;
	struct ia_buf b;

	ia_model_init(&m);
	ia_buf_init(&b);
	CHECK_INT(ia_model_encode(&b, &m), 0);
	CHECK_INT(b.len, 0);
	CHECK_INT(ia_model_decode(b.data, b.len, &back), 0);
	CHECK_INT(back.ngroups, 0);
	CHECK_INT(back.niommus, 0);
	ia_buf_free(&b);
}

/* A newer writer's tags, at every level, are skipped. */
UNIT_TEST(modelio_skips_unknown_tags)
{
	struct ia_model back;
	struct ia_buf b;
	size_t g, d;

	ia_buf_init(&b);
	ia_tlv_str(&b, 200, "future", 16);
	g = ia_tlv_open(&b, 1);
	ia_tlv_u32(&b, 1, 12);
	ia_tlv_u64(&b, 99, 7);
	d = ia_tlv_open(&b, 3);
	ia_tlv_str(&b, 1, "0000:00:1f.0", 32);
	ia_tlv_bytes(&b, 77, "xyz", 3);
	ia_tlv_close(&b, d);
	ia_tlv_close(&b, g);
	CHECK_INT(ia_model_decode(b.data, b.len, &back), 0);
	CHECK_INT(back.ngroups, 1);
	CHECK_INT(back.groups[0].id, 12);
	CHECK_INT(back.groups[0].ndevs, 1);
	CHECK_STR(back.groups[0].devs[0].name, "0000:00:1f.0");
	ia_model_free(&back);
	ia_buf_free(&b);
}

/* Integers may be widened later: any of 1, 2, 4, 8 bytes reads; other widths do not. */
UNIT_TEST(modelio_integer_widths)
{
	static const __u8 widths[] = { 1, 2, 4, 8, 3 };
	struct ia_model back;
	struct ia_buf b;

	ia_buf_init(&b);
	for (size_t i = 0; i < sizeof(widths); i++) {
		__u8 v[8] = { 5 };
		size_t g;

		ia_buf_reset(&b);
		g = ia_tlv_open(&b, 1);
		ia_tlv_bytes(&b, 1, v, widths[i]);
		ia_tlv_close(&b, g);
		if (widths[i] == 3) {
			CHECK_INT(ia_model_decode(b.data, b.len, &back), -EBADMSG);
		} else {
			CHECK_INT(ia_model_decode(b.data, b.len, &back), 0);
			CHECK_INT(back.groups[0].id, 5);
		}
		CHECK_INT(back.ngroups, widths[i] == 3 ? 0 : 1);
		ia_model_free(&back);
	}
	ia_buf_free(&b);
}

/* Every proper prefix fails cleanly or decodes a prefix of the groups. */
UNIT_TEST(modelio_truncated_everywhere)
{
	struct ia_model m, back;
	struct ia_buf b;
	int bad = 0;

	full_model(&m);
	ia_buf_init(&b);
	ia_model_encode(&b, &m);
	for (size_t n = 0; n < b.len; n++) {
		int err = ia_model_decode(b.data, n, &back);

		if (err)
			bad++;
		CHECK(err == 0 || err == -EBADMSG);
		CHECK(err || back.ngroups <= m.ngroups);
		if (err)
			CHECK_INT(back.ngroups, 0);
		ia_model_free(&back);
	}
	CHECK(bad > (int)b.len / 2);
	ia_model_free(&m);
	ia_buf_free(&b);
}

static int decode_one_field(__u16 group_tag, __u16 tag, __u8 v)
{
	struct ia_model back;
	struct ia_buf b;
	size_t g, d = 0;
	int err;

	ia_buf_init(&b);
	g = ia_tlv_open(&b, 1);
	if (group_tag)
		d = ia_tlv_open(&b, group_tag);
	ia_tlv_u8(&b, tag, v);
	if (group_tag)
		ia_tlv_close(&b, d);
	ia_tlv_close(&b, g);
	err = ia_model_decode(b.data, b.len, &back);
	ia_model_free(&back);
	ia_buf_free(&b);
	return err;
}

UNIT_TEST(modelio_rejects_out_of_range_values)
{
	CHECK_INT(decode_one_field(3, 3, IA_DMA_USER), 0);	   /* dev dma */
	CHECK_INT(decode_one_field(3, 3, IA_DMA_USER + 1), -EBADMSG);
	CHECK_INT(decode_one_field(0, 12, IA_OWNER_OTHER), 0); /* owner kind */
	CHECK_INT(decode_one_field(0, 12, IA_OWNER_OTHER + 1), -EBADMSG);
	CHECK_INT(decode_one_field(0, 11, 2), -EBADMSG);	   /* a bool */
	CHECK_INT(decode_one_field(0, 13, 2), -EBADMSG);
	CHECK_INT(decode_one_field(0, 14, 2), -EBADMSG);
}

/* A nested TLV whose length runs past its parent. */
UNIT_TEST(modelio_rejects_overlong_nested)
{
	struct ia_model back;
	struct ia_buf b;
	size_t g, d;

	ia_buf_init(&b);
	g = ia_tlv_open(&b, 1);
	d = ia_tlv_open(&b, 3);
	ia_tlv_str(&b, 1, "dev", 8);
	ia_tlv_close(&b, d);
	ia_tlv_close(&b, g);
	ia_set_le32(b.data + d - 4, 1000);
	CHECK_INT(ia_model_decode(b.data, b.len, &back), -EBADMSG);
	ia_buf_free(&b);
}

static int decode_many(__u16 group_tag, __u16 tag, size_t n)
{
	struct ia_model back;
	struct ia_buf b;
	size_t g = 0;
	int err;

	ia_buf_init(&b);
	if (group_tag)
		g = ia_tlv_open(&b, group_tag);
	for (size_t i = 0; i < n; i++)
		ia_tlv_bytes(&b, tag, NULL, 0);
	if (group_tag)
		ia_tlv_close(&b, g);
	err = ia_model_decode(b.data, b.len, &back);
	ia_model_free(&back);
	ia_buf_free(&b);
	return err;
}

/* Counts are checked before anything is allocated for them. */
UNIT_TEST(modelio_caps)
{
	CHECK_INT(decode_many(0, 1, IA_MODEL_MAX_GROUPS), 0);
	CHECK_INT(decode_many(0, 1, IA_MODEL_MAX_GROUPS + 1), -E2BIG);
	CHECK_INT(decode_many(1, 3, IA_MODEL_MAX_DEVS), 0);
	CHECK_INT(decode_many(1, 3, IA_MODEL_MAX_DEVS + 1), -E2BIG);
	CHECK_INT(decode_many(1, 4, IA_MODEL_MAX_RESV), 0);
	CHECK_INT(decode_many(1, 4, IA_MODEL_MAX_RESV + 1), -E2BIG);
	/* more IOMMU names than the model holds: the first ones are kept */
	CHECK_INT(decode_many(0, 2, IA_MAX_IOMMUS + 3), 0);
}

UNIT_TEST(modelio_strings_are_bounded_and_printable)
{
	struct ia_model back;
	struct ia_buf b;
	char longname[100];
	size_t g, d;

	memset(longname, 'x', sizeof(longname));
	ia_buf_init(&b);
	g = ia_tlv_open(&b, 1);
	ia_tlv_bytes(&b, 2, "DMA\x1b[2J", 7); /* type, with an escape sequence */
	d = ia_tlv_open(&b, 3);
	ia_tlv_bytes(&b, 1, longname, sizeof(longname));
	ia_tlv_bytes(&b, 2, "vfio\0pci", 8);
	ia_tlv_close(&b, d);
	ia_tlv_close(&b, g);
	CHECK_INT(ia_model_decode(b.data, b.len, &back), 0);
	CHECK_STR(back.groups[0].type, "DMA?[2J");
	CHECK_INT(strlen(back.groups[0].devs[0].name), IA_NAME_LEN - 1);
	CHECK_STR(back.groups[0].devs[0].driver, "vfio");
	ia_model_free(&back);
	ia_buf_free(&b);
}
