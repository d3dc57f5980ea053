// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The TLV primitives and the byte buffer (src/tlv.c). */
#include <errno.h>
#include "tlv.h"
#include "unit.h"

UNIT_TEST(tlv_buf_limits_are_sticky)
{
	struct ia_buf b;

	ia_buf_init(&b);
	ia_buf_put_le32(&b, 1);
	CHECK_INT(ia_buf_reserve(&b, IA_BUF_MAX), -E2BIG);
	ia_buf_put_le32(&b, 2);
	CHECK_INT(b.len, 4);
	CHECK_INT(b.err, -E2BIG);
	ia_tlv_bytes(&b, 1, NULL, (size_t)IA_BUF_MAX + 1);
	CHECK_INT(b.err, -E2BIG);
	ia_buf_reset(&b);
	CHECK_INT(b.err, 0);
	CHECK_INT(ia_buf_reserve(&b, 1000), 0);
	ia_buf_free(&b);
	CHECK(b.data == NULL);
}

UNIT_TEST(tlv_cursor)
{
	static const __u8 bad_uint[] = { 1, 0, 3, 0, 0, 0, 1, 2, 3 };
	struct ia_tlv_cur c;
	struct ia_tlv t;
	struct ia_buf b;
	__u64 v;
	size_t n;

	ia_buf_init(&b);
	ia_tlv_u16(&b, 4, 0xbeef);
	ia_tlv_u64(&b, 4, 1ull << 40);
	ia_tlv_u8(&b, 5, 1);
	CHECK_INT(ia_tlv_count(b.data, b.len, 4, &n), 0);
	CHECK_INT(n, 2);
	CHECK_INT(ia_tlv_count(b.data, b.len - 1, 4, &n), -EBADMSG);
	CHECK_INT(ia_tlv_count(b.data, 3, 4, &n), -EBADMSG);
	ia_tlv_cur_init(&c, b.data, b.len);
	CHECK_INT(ia_tlv_next(&c, &t), 1);
	CHECK_INT(ia_tlv_uint(&t, &v), 0);
	CHECK_INT(v, 0xbeef);
	CHECK_INT(ia_tlv_next(&c, &t), 1);
	CHECK_INT(ia_tlv_uint(&t, &v), 0);
	CHECK(v == 1ull << 40);
	CHECK_INT(ia_tlv_next(&c, &t), 1);
	CHECK_INT(ia_tlv_next(&c, &t), 0);
	ia_tlv_cur_init(&c, bad_uint, sizeof(bad_uint));
	CHECK_INT(ia_tlv_next(&c, &t), 1);
	CHECK_INT(ia_tlv_uint(&t, &v), -EBADMSG);
	/* closing a position that is not an open TLV changes nothing */
	n = b.len;
	ia_tlv_close(&b, 2);
	ia_tlv_close(&b, b.len + 10);
	CHECK_INT(b.len, n);
	CHECK_INT(ia_get_le16(b.data + 2), 2); /* the first TLV's length, untouched */
	ia_buf_free(&b);
}
