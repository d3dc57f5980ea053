/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Tag-length-value encoding, the building block of recordings (the model in
 * src/modelio.c, the HIST frame in src/kstats.c, HEADER/END/SYMS frames in
 * src/trace.c), and the growable byte buffer it is written into.
 *
 * Every value is a TLV: a __u16 tag, a __u32 length, then the value; all
 * integers little-endian. A struct is a sequence of TLVs, a nested struct a
 * TLV whose value is again a sequence. Readers skip tags they do not know
 * and take integers of width 1, 2, 4 or 8, so fields can be added or widened
 * without a format version bump. Decoding validates every length before it
 * reads or allocates.
 */
#ifndef IA_TLV_H
#define IA_TLV_H

#include <stddef.h>
#include <linux/types.h>

/* A growable byte buffer. Errors are sticky: check err once at the end. */
struct ia_buf {
	__u8 *data;
	size_t len;
	size_t cap;
	int err; /* 0, -ENOMEM, or -E2BIG past IA_BUF_MAX */
};

#define IA_BUF_MAX (64u << 20)

void ia_buf_init(struct ia_buf *b);
void ia_buf_free(struct ia_buf *b);
/* Empty it (keeping the memory) and clear the error. */
void ia_buf_reset(struct ia_buf *b);
/* Room for n more bytes; 0 or the (sticky) error. */
int ia_buf_reserve(struct ia_buf *b, size_t n);
void ia_buf_put(struct ia_buf *b, const void *p, size_t n);
void ia_buf_put_le16(struct ia_buf *b, __u16 v);
void ia_buf_put_le32(struct ia_buf *b, __u32 v);
void ia_buf_put_le64(struct ia_buf *b, __u64 v);

static inline __u16 ia_get_le16(const void *p)
{
	const __u8 *b = p;

	return (__u16)(b[0] | b[1] << 8);
}

static inline __u32 ia_get_le32(const void *p)
{
	const __u8 *b = p;

	return (__u32)b[0] | (__u32)b[1] << 8 | (__u32)b[2] << 16 | (__u32)b[3] << 24;
}

static inline __u64 ia_get_le64(const void *p)
{
	const __u8 *b = p;

	return (__u64)ia_get_le32(b) | (__u64)ia_get_le32(b + 4) << 32;
}

static inline void ia_set_le32(void *p, __u32 v)
{
	__u8 *b = p;

	b[0] = (__u8)v;
	b[1] = (__u8)(v >> 8);
	b[2] = (__u8)(v >> 16);
	b[3] = (__u8)(v >> 24);
}

#define IA_TLV_HDR 6 /* tag (2) + length (4) */

void ia_tlv_u8(struct ia_buf *b, __u16 tag, __u8 v);
void ia_tlv_u16(struct ia_buf *b, __u16 tag, __u16 v);
void ia_tlv_u32(struct ia_buf *b, __u16 tag, __u32 v);
void ia_tlv_u64(struct ia_buf *b, __u16 tag, __u64 v);
/* A string without its terminator; at most max bytes of it. */
void ia_tlv_str(struct ia_buf *b, __u16 tag, const char *s, size_t max);
void ia_tlv_bytes(struct ia_buf *b, __u16 tag, const void *p, size_t n);
/* A nested TLV: open returns the position that close patches with the length. */
size_t ia_tlv_open(struct ia_buf *b, __u16 tag);
void ia_tlv_close(struct ia_buf *b, size_t pos);

struct ia_tlv {
	__u16 tag;
	__u32 len;
	const __u8 *val;
};

/* What a decoder does with one TLV: 0 to go on, non-zero (an error) to stop. */
typedef int ia_tlv_field_fn(const struct ia_tlv *t, void *ctx);

/*
 * Decode the sequence p[0..len): field(t, ctx) for each TLV in order, until
 * field returns non-zero. 0 at the end; field's non-zero return; -EBADMSG
 * where a TLV runs past the end (field has seen the ones before it). Every
 * reader of TLVs goes through here; a nested sequence is t->val, t->len.
 */
int ia_tlv_decode(const void *p, size_t len, ia_tlv_field_fn *field, void *ctx);
/* How many TLVs of a sequence have this tag; -EBADMSG when it is malformed. */
int ia_tlv_count(const void *p, size_t len, __u16 tag, size_t *n);
/* An unsigned integer of width 1, 2, 4 or 8; -EBADMSG for another width. */
int ia_tlv_uint(const struct ia_tlv *t, __u64 *v);
/*
 * Copy a string value into dst (always terminated, truncated to fit, cut at
 * an embedded NUL); control characters become '?' so that a damaged file
 * cannot drive the terminal.
 */
void ia_tlv_strcpy(const struct ia_tlv *t, char *dst, size_t size);

#endif /* IA_TLV_H */
