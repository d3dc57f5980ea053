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

/* The TLVs a decode saw, up to 4; stops with -EINTR at a tag 9. */
struct seen {
	struct ia_tlv t[4];
	int n;
};

static int see(const struct ia_tlv *t, void *ctx)
{
	struct seen *s = ctx;

	if (t->tag == 9)
		return -EINTR;
	if (s->n < 4)
		s->t[s->n] = *t;
	s->n++;
	return 0;
}

UNIT_TEST(tlv_decode)
{
	static const __u8 bad_uint[] = { 1, 0, 3, 0, 0, 0, 1, 2, 3 };
	struct seen s = { .n = 0 };
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
	CHECK_INT(ia_tlv_decode(b.data, b.len, see, &s), 0);
	CHECK_INT(s.n, 3);
	CHECK_INT(ia_tlv_uint(&s.t[0], &v), 0);
	CHECK_INT(v, 0xbeef);
	CHECK_INT(ia_tlv_uint(&s.t[1], &v), 0);
	CHECK(v == 1ull << 40);
	CHECK_INT(s.t[2].tag, 5);
	/* a TLV past the end: the ones before it were seen */
	s.n = 0;
	CHECK_INT(ia_tlv_decode(b.data, b.len - 1, see, &s), -EBADMSG);
	CHECK_INT(s.n, 2);
	/* the field function's error stops the decode */
	ia_tlv_u8(&b, 9, 0);
	ia_tlv_u8(&b, 5, 2);
	s.n = 0;
	CHECK_INT(ia_tlv_decode(b.data, b.len, see, &s), -EINTR);
	CHECK_INT(s.n, 3);
	s.n = 0;
	CHECK_INT(ia_tlv_decode(bad_uint, sizeof(bad_uint), see, &s), 0);
	CHECK_INT(s.n, 1);
	CHECK_INT(ia_tlv_uint(&s.t[0], &v), -EBADMSG);
	/* closing a position that is not an open TLV changes nothing */
	n = b.len;
	ia_tlv_close(&b, 2);
	ia_tlv_close(&b, b.len + 10);
	CHECK_INT(b.len, n);
	CHECK_INT(ia_get_le16(b.data + 2), 2); /* the first TLV's length, untouched */
	ia_buf_free(&b);
}
