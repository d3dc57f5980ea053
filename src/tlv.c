// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* TLV encoding and decoding, and the byte buffer; see include/tlv.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "grow.h"
#include "tlv.h"

void ia_buf_init(struct ia_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void ia_buf_free(struct ia_buf *b)
{
	free(b->data);
	ia_buf_init(b);
}

void ia_buf_reset(struct ia_buf *b)
{
	b->len = 0;
	b->err = 0;
}

int ia_buf_reserve(struct ia_buf *b, size_t n)
{
	if (b->err)
		return b->err;
	if (n > IA_BUF_MAX - b->len)
		b->err = -E2BIG;
	else
		b->err = ia_grow_max((void **)&b->data, &b->cap, b->len + n, IA_BUF_MAX, 1);
	return b->err;
}

void ia_buf_put(struct ia_buf *b, const void *p, size_t n)
{
	if (!n || ia_buf_reserve(b, n))
		return;
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

void ia_buf_put_le16(struct ia_buf *b, __u16 v)
{
	__u8 le[2] = { (__u8)v, (__u8)(v >> 8) };

	ia_buf_put(b, le, sizeof(le));
}

void ia_buf_put_le32(struct ia_buf *b, __u32 v)
{
	__u8 le[4];

	ia_set_le32(le, v);
	ia_buf_put(b, le, sizeof(le));
}

void ia_buf_put_le64(struct ia_buf *b, __u64 v)
{
	ia_buf_put_le32(b, (__u32)v);
	ia_buf_put_le32(b, (__u32)(v >> 32));
}

static void tlv_hdr(struct ia_buf *b, __u16 tag, __u32 len)
{
	ia_buf_put_le16(b, tag);
	ia_buf_put_le32(b, len);
}

void ia_tlv_u8(struct ia_buf *b, __u16 tag, __u8 v)
{
	tlv_hdr(b, tag, 1);
	ia_buf_put(b, &v, 1);
}

void ia_tlv_u16(struct ia_buf *b, __u16 tag, __u16 v)
{
	tlv_hdr(b, tag, 2);
	ia_buf_put_le16(b, v);
}

void ia_tlv_u32(struct ia_buf *b, __u16 tag, __u32 v)
{
	tlv_hdr(b, tag, 4);
	ia_buf_put_le32(b, v);
}

void ia_tlv_u64(struct ia_buf *b, __u16 tag, __u64 v)
{
	tlv_hdr(b, tag, 8);
	ia_buf_put_le64(b, v);
}

void ia_tlv_str(struct ia_buf *b, __u16 tag, const char *s, size_t max)
{
	size_t n = s ? strnlen(s, max) : 0;

	tlv_hdr(b, tag, (__u32)n);
	ia_buf_put(b, s, n);
}

void ia_tlv_bytes(struct ia_buf *b, __u16 tag, const void *p, size_t n)
{
	if (n > IA_BUF_MAX) {
		b->err = b->err ?: -E2BIG;
		return;
	}
	tlv_hdr(b, tag, (__u32)n);
	ia_buf_put(b, p, n);
}

size_t ia_tlv_open(struct ia_buf *b, __u16 tag)
{
	tlv_hdr(b, tag, 0);
	return b->len;
}

void ia_tlv_close(struct ia_buf *b, size_t pos)
{
	if (b->err || pos < 4 || pos > b->len)
		return;
	ia_set_le32(b->data + pos - 4, (__u32)(b->len - pos));
}

/* The next TLV at *off: 1 with *t filled, 0 at the end, -EBADMSG past the end. */
static int tlv_next(const __u8 *p, size_t len, size_t *off, struct ia_tlv *t)
{
	size_t left = len - *off;

	if (!left)
		return 0;
	if (left < IA_TLV_HDR)
		return -EBADMSG;
	t->tag = ia_get_le16(p + *off);
	t->len = ia_get_le32(p + *off + 2);
	if (t->len > left - IA_TLV_HDR)
		return -EBADMSG;
	t->val = p + *off + IA_TLV_HDR;
	*off += IA_TLV_HDR + t->len;
	return 1;
}

int ia_tlv_decode(const void *p, size_t len, ia_tlv_field_fn *field, void *ctx)
{
	struct ia_tlv t;
	size_t off = 0;
	int err;

	while ((err = tlv_next(p, len, &off, &t)) > 0) {
		err = field(&t, ctx);
		if (err)
			return err;
	}
	return err;
}

struct tag_count {
	__u16 tag;
	size_t n;
};

static int count_field(const struct ia_tlv *t, void *ctx)
{
	struct tag_count *c = ctx;

	c->n += t->tag == c->tag;
	return 0;
}

int ia_tlv_count(const void *p, size_t len, __u16 tag, size_t *n)
{
	struct tag_count c = { .tag = tag };
	int err = ia_tlv_decode(p, len, count_field, &c);

	*n = c.n;
	return err;
}

int ia_tlv_uint(const struct ia_tlv *t, __u64 *v)
{
	switch (t->len) {
	case 1: *v = t->val[0]; return 0;
	case 2: *v = ia_get_le16(t->val); return 0;
	case 4: *v = ia_get_le32(t->val); return 0;
	case 8: *v = ia_get_le64(t->val); return 0;
	default: return -EBADMSG;
	}
}

void ia_tlv_strcpy(const struct ia_tlv *t, char *dst, size_t size)
{
	size_t n = t->len < size - 1 ? t->len : size - 1;
	size_t i;

	for (i = 0; i < n && t->val[i]; i++)
		dst[i] = t->val[i] < 0x20 || t->val[i] == 0x7f ? '?' : (char)t->val[i];
	dst[i] = '\0';
}
