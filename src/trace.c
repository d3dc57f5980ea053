// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Recordings: the writer `record` uses and the reader `report`/`diff` use; see include/trace.h. */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#include "grow.h"
#include "abi.h"
#include "cgroups.h"
#include "ksyms.h"
#include "clock.h"
#include "probes.h"
#include "trace.h"

/* HEADER, END and SYMS tags: part of the format, append only. */
enum {
	HT_KERNEL = 1, HT_HOST = 2, HT_BOOT_ID = 3, HT_START_NS = 4, HT_START_MONO_NS = 5,
	HT_FEATURES = 6, HT_RINGBUF = 7, HT_PROBE = 8, HT_MODEL = 9,
};
enum { PT_HOOK = 1, PT_VIA = 2, PT_ERR = 3, PT_TARGET = 4, PT_WHY = 5 };
enum { ET_RECORDS = 1, ET_STOP_NS = 2, ET_SUBMITTED = 3, ET_DROPS = 4 };
enum { ST_SYM = 1 }; /* __u64 address, then the name */

_Static_assert(IA_HOOK_MAX - 1 <= IA_TRACE_MAX_PROBES, "raise IA_TRACE_MAX_PROBES: every hook gets a probe entry");

#define ZLEVEL 3
#define SYMS_PER_FRAME 16384
#define MAX_PREAMBLE 4096

#if __BYTE_ORDER == __BIG_ENDIAN
#define HOST_FLAGS IA_TRACE_F_BIG_ENDIAN
#else
#define HOST_FLAGS 0
#endif

static void read_boot_id(char *buf, size_t size)
{
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");

	buf[0] = '\0';
	if (!f)
		return;
	if (fgets(buf, (int)size, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

void ia_trace_info_host(struct ia_trace_info *info)
{
	struct utsname u;

	if (!uname(&u)) {
		ia_strlcpy(info->kernel, u.release, sizeof(info->kernel));
		ia_strlcpy(info->host, u.nodename, sizeof(info->host));
	}
	read_boot_id(info->boot_id, sizeof(info->boot_id));
	info->start_ns = ia_realtime_ns();
	info->start_mono_ns = ia_mono_ns();
}

static __u32 feature_bits(const struct ia_features *f)
{
	return (f->btf ? IA_TRACE_FEAT_BTF : 0) | (f->fentry ? IA_TRACE_FEAT_FENTRY : 0) |
	       (f->kprobes ? IA_TRACE_FEAT_KPROBES : 0) | (f->tracefs ? IA_TRACE_FEAT_TRACEFS : 0) |
	       (f->get_func_ret ? IA_TRACE_FEAT_GET_FUNC_RET : 0);
}

void ia_trace_info_probes(struct ia_trace_info *info, const struct ia_probe_status *st_of,
			  const struct ia_features *feat)
{
	info->features = feature_bits(feat);
	info->nprobes = 0;
	for (unsigned int id = 1; id < IA_HOOK_MAX && info->nprobes < IA_TRACE_MAX_PROBES; id++) {
		const struct ia_probe_status *st = &st_of[id];
		struct ia_trace_probe *p = &info->probes[info->nprobes++];

		memset(p, 0, sizeof(*p));
		p->hook = (__u16)id;
		p->via = (__u8)st->via;
		p->err = st->err;
		ia_strlcpy(p->target, st->target, sizeof(p->target));
		ia_strlcpy(p->why, st->why, sizeof(p->why));
	}
}

const struct ia_trace_probe *ia_trace_probe_of(const struct ia_trace_info *info, unsigned int hook)
{
	for (int i = 0; i < info->nprobes; i++)
		if (info->probes[i].hook == hook)
			return &info->probes[i];
	return NULL;
}

int ia_trace_probes_attached(const struct ia_trace_info *info)
{
	int n = 0;

	for (int i = 0; i < info->nprobes; i++)
		n += info->probes[i].via != IA_VIA_NONE;
	return n;
}

/* ---- building blocks ---- */

void ia_trace_put_preamble(struct ia_buf *out, __u16 format, __u16 abi, __u32 flags)
{
	size_t start = out->len;

	ia_buf_put(out, IA_TRACE_MAGIC, IA_TRACE_MAGIC_LEN);
	ia_buf_put_le16(out, format);
	ia_buf_put_le16(out, abi);
	ia_buf_put_le32(out, flags);
	ia_buf_put_le32(out, IA_TRACE_PREAMBLE_LEN);
	if (out->err)
		return;
	ia_buf_put_le32(out, (__u32)crc32(0, out->data + start, IA_TRACE_PREAMBLE_LEN - 4));
}

static void put_frame_hdr(__u8 *h, unsigned int type, __u32 seq, __u32 raw_len, __u32 comp_len,
			  __u32 count, __u32 crc)
{
	memcpy(h, IA_TRACE_FRAME_MAGIC, 4);
	h[4] = (__u8)type;
	h[5] = 0;
	h[6] = h[7] = 0;
	ia_set_le32(h + 8, seq);
	ia_set_le32(h + 12, raw_len);
	ia_set_le32(h + 16, comp_len);
	ia_set_le32(h + 20, count);
	ia_set_le32(h + 24, crc);
	ia_set_le32(h + 28, (__u32)crc32(0, h, 28));
}

/* Deflate raw into a frame appended to out, with a stream the caller keeps. */
static int put_frame_z(z_stream *zs, struct ia_buf *out, unsigned int type, __u32 seq, __u32 count,
		       const void *raw, size_t len)
{
	static const __u8 empty[1];
	uLong bound;
	__u8 *h;
	int err;

	if (len > IA_TRACE_MAX_RAW)
		return -E2BIG;
	bound = compressBound((uLong)len);
	err = ia_buf_reserve(out, IA_TRACE_FRAME_HDR_LEN + bound);
	if (err)
		return err;
	h = out->data + out->len;
	if (deflateReset(zs) != Z_OK)
		return -EINVAL;
	zs->next_in = (Bytef *)(len ? raw : empty);
	zs->avail_in = (uInt)len;
	zs->next_out = h + IA_TRACE_FRAME_HDR_LEN;
	zs->avail_out = (uInt)bound;
	if (deflate(zs, Z_FINISH) != Z_STREAM_END)
		return -ENOMEM;
	put_frame_hdr(h, type, seq, (__u32)len, (__u32)zs->total_out, count,
		      (__u32)crc32(0, h + IA_TRACE_FRAME_HDR_LEN, (uInt)zs->total_out));
	out->len += IA_TRACE_FRAME_HDR_LEN + zs->total_out;
	return 0;
}

/*
 * The window bits of a format's payloads: negative, raw deflate with no
 * zlib header and no Adler-32 (format 2); positive, a zlib stream (1).
 */
static int wbits(__u16 format)
{
	return format >= 2 ? -MAX_WBITS : MAX_WBITS;
}

static int deflate_init(z_stream *zs, __u16 format)
{
	return deflateInit2(zs, ZLEVEL, Z_DEFLATED, wbits(format), 8, Z_DEFAULT_STRATEGY);
}

int ia_trace_put_frame_format(struct ia_buf *out, __u16 format, unsigned int type, __u32 seq,
			      __u32 count, const void *raw, size_t len)
{
	z_stream zs;
	int err;

	memset(&zs, 0, sizeof(zs));
	if (deflate_init(&zs, format) != Z_OK)
		return -ENOMEM;
	err = put_frame_z(&zs, out, type, seq, count, raw, len);
	deflateEnd(&zs);
	return err;
}

int ia_trace_put_frame(struct ia_buf *out, unsigned int type, __u32 seq, __u32 count,
		       const void *raw, size_t len)
{
	return ia_trace_put_frame_format(out, IA_TRACE_FORMAT, type, seq, count, raw, len);
}

void ia_trace_put_entry(struct ia_buf *out, __u16 kind, const void *data, size_t len)
{
	static const __u8 pad[8];

	ia_buf_put_le32(out, (__u32)len);
	ia_buf_put_le16(out, kind);
	ia_buf_put_le16(out, 0);
	ia_buf_put(out, data, len);
	ia_buf_put(out, pad, (8 - (len & 7)) & 7);
}

/* ---- writer ---- */

struct ia_trace_writer {
	int fd;
	struct ia_buf recs;  /* the EVENTS payload being collected */
	__u32 nrecs;	     /* its entries */
	struct ia_buf frame; /* the frame being written */
	z_stream zs;	     /* deflate state, kept across frames */
	__u16 format;	     /* the recording's format version */
	__u32 seq;	     /* the next frame's */
	__u64 records;
	__u64 off;	     /* end of the last whole frame */
	int err;	     /* sticky: the first failure */
};

static int write_all(int fd, const void *p, size_t n)
{
	const __u8 *b = p;

	while (n) {
		ssize_t w = write(fd, b, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		if (w == 0)
			return -EIO;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * Append b (the preamble, or a whole frame) to the recording with one
 * write(2): a failure leaves (after the truncate) whole frames only.
 */
static int append_to_recording(struct ia_trace_writer *w, const struct ia_buf *b)
{
	int err = write_all(w->fd, b->data, b->len);

	if (err) {
		if (ftruncate(w->fd, (off_t)w->off) == 0)
			lseek(w->fd, (off_t)w->off, SEEK_SET);
		w->err = err;
		return err;
	}
	w->off += b->len;
	return 0;
}

static int write_frame(struct ia_trace_writer *w, unsigned int type, __u32 count, const struct ia_buf *raw)
{
	int err;

	if (w->err)
		return w->err;
	if (raw->err) {
		w->err = raw->err;
		return w->err;
	}
	ia_buf_reset(&w->frame);
	err = put_frame_z(&w->zs, &w->frame, type, w->seq, count, raw->data, raw->len);
	if (err) {
		w->err = err;
		return err;
	}
	err = append_to_recording(w, &w->frame);
	if (!err)
		w->seq++;
	return err;
}

static void encode_probe(struct ia_buf *b, const struct ia_trace_probe *p)
{
	size_t pos = ia_tlv_open(b, HT_PROBE);

	ia_tlv_u16(b, PT_HOOK, p->hook);
	ia_tlv_u8(b, PT_VIA, p->via);
	ia_tlv_u32(b, PT_ERR, (__u32)p->err);
	ia_tlv_str(b, PT_TARGET, p->target, sizeof(p->target));
	if (p->why[0])
		ia_tlv_str(b, PT_WHY, p->why, sizeof(p->why));
	ia_tlv_close(b, pos);
}

int ia_trace_encode_header(struct ia_buf *b, const struct ia_trace_info *info,
			   const struct ia_model *m)
{
	size_t pos;

	ia_tlv_str(b, HT_KERNEL, info->kernel, sizeof(info->kernel));
	ia_tlv_str(b, HT_HOST, info->host, sizeof(info->host));
	ia_tlv_str(b, HT_BOOT_ID, info->boot_id, sizeof(info->boot_id));
	ia_tlv_u64(b, HT_START_NS, info->start_ns);
	ia_tlv_u64(b, HT_START_MONO_NS, info->start_mono_ns);
	ia_tlv_u32(b, HT_FEATURES, info->features);
	ia_tlv_u32(b, HT_RINGBUF, info->ringbuf_bytes);
	for (int i = 0; i < info->nprobes && i < IA_TRACE_MAX_PROBES; i++)
		encode_probe(b, &info->probes[i]);
	pos = ia_tlv_open(b, HT_MODEL);
	if (m)
		ia_model_encode(b, m);
	ia_tlv_close(b, pos);
	return b->err;
}

static int write_start(struct ia_trace_writer *w, const struct ia_trace_info *info,
		       const struct ia_model *m)
{
	struct ia_buf b;
	int err;

	ia_buf_init(&b);
	ia_trace_put_preamble(&b, w->format, IA_ABI_VERSION, HOST_FLAGS);
	err = b.err ?: append_to_recording(w, &b);
	ia_buf_reset(&b);
	ia_trace_encode_header(&b, info, m);
	if (!err)
		err = write_frame(w, IA_TF_HEADER, 0, &b);
	ia_buf_free(&b);
	return err;
}

static void writer_free(struct ia_trace_writer *w)
{
	deflateEnd(&w->zs);
	ia_buf_free(&w->recs);
	ia_buf_free(&w->frame);
	free(w);
}

int ia_trace_open_write(struct ia_trace_writer **wp, const char *path,
			const struct ia_trace_info *info, const struct ia_model *model)
{
	return ia_trace_open_write_format(wp, path, info, model, IA_TRACE_FORMAT);
}

int ia_trace_open_write_format(struct ia_trace_writer **wp, const char *path,
			       const struct ia_trace_info *info, const struct ia_model *model,
			       __u16 format)
{
	struct ia_trace_writer *w;
	int err;

	*wp = NULL;
	if (format < 1 || format > IA_TRACE_FORMAT)
		return -EINVAL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->format = format;
	if (deflate_init(&w->zs, format) != Z_OK) {
		free(w);
		return -ENOMEM;
	}
	w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (w->fd < 0) {
		err = -errno;
		writer_free(w);
		return err;
	}
	err = write_start(w, info, model);
	if (err) {
		close(w->fd);
		writer_free(w);
		return err;
	}
	*wp = w;
	return 0;
}

static int write_syms_chunk(struct ia_trace_writer *w, const struct ia_ksym_addr *syms, size_t n)
{
	struct ia_buf b;
	int err;

	ia_buf_init(&b);
	for (size_t i = 0; i < n; i++) {
		size_t len = strnlen(syms[i].name, sizeof(syms[i].name));

		ia_buf_put_le16(&b, ST_SYM);
		ia_buf_put_le32(&b, (__u32)(8 + len));
		ia_buf_put_le64(&b, syms[i].addr);
		ia_buf_put(&b, syms[i].name, len);
	}
	err = write_frame(w, IA_TF_SYMS, 0, &b);
	ia_buf_free(&b);
	return err;
}

int ia_trace_write_syms(struct ia_trace_writer *w, const struct ia_ksym_addr *syms, size_t n)
{
	int err = ia_trace_flush(w);

	if (n > IA_TRACE_MAX_SYMS)
		return -E2BIG;
	for (size_t i = 0; !err && i < n; i += SYMS_PER_FRAME)
		err = write_syms_chunk(w, syms + i, n - i < SYMS_PER_FRAME ? n - i : SYMS_PER_FRAME);
	return err;
}

int ia_trace_flush(struct ia_trace_writer *w)
{
	int err;

	if (w->err || !w->nrecs)
		return w->err;
	err = write_frame(w, IA_TF_EVENTS, w->nrecs, &w->recs);
	ia_buf_reset(&w->recs);
	w->nrecs = 0;
	return err;
}

/* One entry into the EVENTS payload being collected; END counts ring-buffer records only. */
static int write_entry(struct ia_trace_writer *w, __u16 kind, const void *data, size_t len)
{
	if (w->err)
		return w->err;
	if (len > IA_TRACE_MAX_RECORD)
		return -EMSGSIZE;
	ia_trace_put_entry(&w->recs, kind, data, len);
	if (w->recs.err) {
		w->err = w->recs.err;
		return w->err;
	}
	w->nrecs++;
	if (kind == IA_TR_RINGBUF)
		w->records++;
	if (w->nrecs >= IA_TRACE_FRAME_RECORDS || w->recs.len >= IA_TRACE_FRAME_BYTES)
		return ia_trace_flush(w);
	return 0;
}

int ia_trace_write_record(struct ia_trace_writer *w, const void *data, size_t len)
{
	return write_entry(w, IA_TR_RINGBUF, data, len);
}

int ia_trace_write_lost(struct ia_trace_writer *w, __u64 n)
{
	__u8 le[8];

	ia_set_le32(le, (__u32)n);
	ia_set_le32(le + 4, (__u32)(n >> 32));
	return write_entry(w, IA_TR_LOST, le, sizeof(le));
}

int ia_trace_write_cgroup(struct ia_trace_writer *w, __u64 id, const char *path)
{
	size_t len = strnlen(path, IA_CGROUP_LEN - 1);
	__u8 buf[8 + IA_CGROUP_LEN];

	ia_set_le32(buf, (__u32)id);
	ia_set_le32(buf + 4, (__u32)(id >> 32));
	memcpy(buf + 8, path, len);
	return write_entry(w, IA_TR_CGROUP, buf, 8 + len);
}

/* A model's TLVs as one entry; -EMSGSIZE past IA_TRACE_MAX_RECORD. */
static int write_model_entry(struct ia_trace_writer *w, __u16 kind, const struct ia_model *m,
			     struct ia_buf *b)
{
	ia_buf_reset(b);
	if (ia_model_encode(b, m))
		return b->err;
	return write_entry(w, kind, b->data, b->len);
}

/* One group, IA_TRACE_RESYNC_DEVS devices per entry (its regions in the first). */
static int write_resync_group(struct ia_trace_writer *w, const struct ia_group *g, struct ia_buf *b)
{
	size_t off = 0;
	int err;

	do {
		struct ia_group part = *g;
		struct ia_model m = { .groups = &part, .ngroups = 1 };

		part.devs = g->devs + off;
		part.ndevs = g->ndevs - off < IA_TRACE_RESYNC_DEVS ? g->ndevs - off : IA_TRACE_RESYNC_DEVS;
		part.nresv = off ? 0 : g->nresv;
		off += part.ndevs;
		err = write_model_entry(w, IA_TR_RESYNC_GROUP, &m, b);
	} while (!err && off < g->ndevs);
	return err;
}

int ia_trace_write_resync(struct ia_trace_writer *w, const struct ia_model *fresh)
{
	struct ia_model iommus = { 0 };
	struct ia_buf b;
	int err = 0;

	ia_buf_init(&b);
	for (size_t i = 0; !err && i < fresh->ngroups; i++)
		err = write_resync_group(w, &fresh->groups[i], &b);
	memcpy(iommus.iommus, fresh->iommus, sizeof(iommus.iommus));
	iommus.niommus = fresh->niommus;
	if (!err)
		err = write_model_entry(w, IA_TR_RESYNC, &iommus, &b);
	ia_buf_free(&b);
	return err;
}

int ia_trace_write_hist(struct ia_trace_writer *w, const struct ia_kstats *k)
{
	struct ia_buf b;
	int err = ia_trace_flush(w);

	if (err)
		return err;
	ia_buf_init(&b);
	err = ia_kstats_encode(&b, k);
	if (!err && b.len > IA_TRACE_MAX_RAW)
		err = -E2BIG;
	if (!err)
		err = write_frame(w, IA_TF_HIST, 0, &b);
	ia_buf_free(&b);
	return err;
}

int ia_trace_encode_end(struct ia_buf *b, __u64 records, __u64 stop_ns, const struct ia_counters *c)
{
	ia_tlv_u64(b, ET_RECORDS, records);
	ia_tlv_u64(b, ET_STOP_NS, stop_ns);
	if (c) {
		ia_tlv_u64(b, ET_SUBMITTED, c->events);
		ia_tlv_u64(b, ET_DROPS, c->drops);
	}
	return b->err;
}

static int write_end(struct ia_trace_writer *w, const struct ia_counters *c)
{
	struct ia_buf b;
	int err;

	ia_buf_init(&b);
	ia_trace_encode_end(&b, w->records, ia_realtime_ns(), c);
	err = write_frame(w, IA_TF_END, 0, &b);
	ia_buf_free(&b);
	return err;
}

int ia_trace_close(struct ia_trace_writer *w, const struct ia_counters *c)
{
	int err;

	if (!w)
		return 0;
	err = ia_trace_flush(w);
	if (!err)
		err = write_end(w, c);
	if (!err && fdatasync(w->fd) && errno != EINVAL && errno != EROFS)
		err = -errno;
	if (close(w->fd) && !err)
		err = -errno;
	writer_free(w);
	return err;
}

void ia_trace_writer_stats(const struct ia_trace_writer *w, struct ia_trace_wstats *st)
{
	st->records = w->records;
	st->frames = w->seq;
	st->bytes = w->off;
}

/* ---- reader ---- */

struct ia_trace_reader {
	int fd;		    /* -1 when reading memory */
	const __u8 *mem;
	__u64 size;
	__u64 off;	    /* the next frame */
	struct ia_buf comp; /* a frame as stored */
	struct ia_buf raw;  /* the current frame, inflated */
	z_stream zs;	    /* inflate state, kept across frames */
	size_t pos;	    /* next entry of an EVENTS frame in raw */
	bool in_events;
	struct ia_ksym_addr *syms; /* sorted by address */
	size_t nsyms, syms_cap;
	struct ia_kstats kstats;   /* the last HIST frame's */
	struct ia_trace_status st;
	__u16 abi;		   /* the file's event ABI */
	struct ia_event upgraded;  /* the last record of an older ABI, converted */
};

struct frame {
	unsigned int type;
	__u32 seq;
	__u32 raw_len;
	__u32 comp_len;
	__u32 count;
	__u32 crc;
};

/* Stop reading: the state and why; returns -1 for the callers' convenience. */
__attribute__((format(printf, 3, 4)))
static int stop(struct ia_trace_reader *r, enum ia_trace_state state, const char *fmt, ...)
{
	va_list ap;

	r->st.state = state;
	va_start(ap, fmt);
	vsnprintf(r->st.why, sizeof(r->st.why), fmt, ap);
	va_end(ap);
	return -1;
}

/* n bytes at off, which the caller has checked lie within the size seen at open. */
static int src_read(struct ia_trace_reader *r, __u64 off, void *buf, size_t n)
{
	__u8 *p = buf;

	if (r->mem) {
		memcpy(buf, r->mem + off, n);
		return 0;
	}
	while (n) {
		ssize_t got = pread(r->fd, p, n, (off_t)off);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return stop(r, IA_TRACE_FAILED, "read error at byte %llu: %s",
				    (unsigned long long)off, strerror(errno));
		if (got == 0)
			return stop(r, IA_TRACE_TRUNCATED, "the file shrank while it was read");
		p += got;
		off += (__u64)got;
		n -= (size_t)got;
	}
	return 0;
}

static int parse_frame_hdr(struct ia_trace_reader *r, const __u8 *h, struct frame *f)
{
	__u32 seq = r->st.frames;

	if (memcmp(h, IA_TRACE_FRAME_MAGIC, 4))
		return stop(r, IA_TRACE_CORRUPT, "frame %u: bad magic at byte %llu", seq,
			    (unsigned long long)r->off);
	if (ia_get_le32(h + 28) != (__u32)crc32(0, h, 28))
		return stop(r, IA_TRACE_CORRUPT, "frame %u: header checksum mismatch", seq);
	f->type = h[4];
	f->seq = ia_get_le32(h + 8);
	f->raw_len = ia_get_le32(h + 12);
	f->comp_len = ia_get_le32(h + 16);
	f->count = ia_get_le32(h + 20);
	f->crc = ia_get_le32(h + 24);
	if (f->seq != seq)
		return stop(r, IA_TRACE_CORRUPT, "frame %u: sequence number %u (frames lost or reordered)",
			    seq, f->seq);
	if (f->raw_len > IA_TRACE_MAX_RAW)
		return stop(r, IA_TRACE_CORRUPT, "frame %u: length %u exceeds the %u MiB limit", seq,
			    f->raw_len, IA_TRACE_MAX_RAW >> 20);
	if (!f->comp_len || f->comp_len > compressBound(f->raw_len))
		return stop(r, IA_TRACE_CORRUPT, "frame %u: stored length %u impossible for %u bytes",
			    seq, f->comp_len, f->raw_len);
	return 0;
}

static int inflate_frame(struct ia_trace_reader *r, const struct frame *f)
{
	z_stream *zs = &r->zs;
	int zerr;

	ia_buf_reset(&r->raw);
	if (ia_buf_reserve(&r->raw, f->raw_len ? f->raw_len : 1))
		return stop(r, IA_TRACE_FAILED, "out of memory");
	if (inflateReset(zs) != Z_OK)
		return stop(r, IA_TRACE_FAILED, "zlib: inflateReset failed");
	zs->next_in = r->comp.data;
	zs->avail_in = f->comp_len;
	zs->next_out = r->raw.data;
	zs->avail_out = f->raw_len;
	zerr = inflate(zs, Z_FINISH);
	if (zerr == Z_MEM_ERROR)
		return stop(r, IA_TRACE_FAILED, "out of memory");
	if (zerr == Z_STREAM_END && zs->total_out == f->raw_len && !zs->avail_in) {
		r->raw.len = f->raw_len;
		return 0;
	}
	if (zerr == Z_STREAM_END)
		return stop(r, IA_TRACE_CORRUPT, "frame %u: inflates to %lu bytes from %lu, header says %u from %u",
			    f->seq, zs->total_out, zs->total_in, f->raw_len, f->comp_len);
	if (zerr == Z_OK || zerr == Z_BUF_ERROR)
		return stop(r, IA_TRACE_CORRUPT, zs->avail_out ? "frame %u: zlib data ends early" :
			    "frame %u: inflates to more than its header's %u bytes", f->seq, f->raw_len);
	return stop(r, IA_TRACE_CORRUPT, "frame %u: bad zlib data (%s)", f->seq, zs->msg ?: zError(zerr));
}

/* Read, check and inflate the frame at r->off into r->raw. */
static int read_frame(struct ia_trace_reader *r, struct frame *f)
{
	__u64 left = r->size - r->off;
	__u8 h[IA_TRACE_FRAME_HDR_LEN];

	if (!left)
		return stop(r, IA_TRACE_TRUNCATED, "no END frame");
	if (left < sizeof(h))
		return stop(r, IA_TRACE_TRUNCATED, "frame %u: header cut short", r->st.frames);
	if (src_read(r, r->off, h, sizeof(h)) || parse_frame_hdr(r, h, f))
		return -1;
	if (left - sizeof(h) < f->comp_len)
		return stop(r, IA_TRACE_TRUNCATED, "frame %u: cut short (%llu of %u bytes)", f->seq,
			    (unsigned long long)(left - sizeof(h)), f->comp_len);
	ia_buf_reset(&r->comp);
	if (ia_buf_reserve(&r->comp, f->comp_len))
		return stop(r, IA_TRACE_FAILED, "out of memory");
	if (src_read(r, r->off + sizeof(h), r->comp.data, f->comp_len))
		return -1;
	r->comp.len = f->comp_len;
	if ((__u32)crc32(0, r->comp.data, f->comp_len) != f->crc)
		return stop(r, IA_TRACE_CORRUPT, "frame %u: checksum mismatch", f->seq);
	return inflate_frame(r, f);
}

/* The frame was read whole: count it. */
static void accept_frame(struct ia_trace_reader *r, const struct frame *f)
{
	r->off += IA_TRACE_FRAME_HDR_LEN + f->comp_len;
	r->st.frames++;
	r->st.offset = r->off;
}

/* Every entry of an EVENTS frame lies within it, and there are as many as announced. */
static int check_events(struct ia_trace_reader *r, const struct frame *f)
{
	size_t pos = 0, len = r->raw.len;
	__u32 n = 0;

	while (pos < len) {
		__u32 rlen;

		if (len - pos < IA_TRACE_REC_HDR)
			return stop(r, IA_TRACE_CORRUPT, "frame %u: entry header cut short at offset %zu",
				    f->seq, pos);
		rlen = ia_get_le32(r->raw.data + pos);
		if (rlen > IA_TRACE_MAX_RECORD || ((rlen + 7ul) & ~7ul) > len - pos - IA_TRACE_REC_HDR)
			return stop(r, IA_TRACE_CORRUPT, "frame %u: entry of %u bytes at offset %zu runs past the frame",
				    f->seq, rlen, pos);
		pos += IA_TRACE_REC_HDR + ((rlen + 7ul) & ~7ul);
		n++;
	}
	if (n != f->count)
		return stop(r, IA_TRACE_CORRUPT, "frame %u: holds %u entries, its header says %u",
			    f->seq, n, f->count);
	return 0;
}

static int cmp_sym(const void *a, const void *b)
{
	const struct ia_ksym_addr *x = a, *y = b;

	return (x->addr > y->addr) - (x->addr < y->addr);
}

/* An ST_SYM entry appended to r's symbols (sized beforehand); -EBADMSG when too short. */
static int sym_field(const struct ia_tlv *t, void *ctx)
{
	struct ia_trace_reader *r = ctx;
	struct ia_ksym_addr *s;
	struct ia_tlv name;

	if (t->tag != ST_SYM)
		return 0;
	if (t->len < 8)
		return -EBADMSG;
	s = &r->syms[r->nsyms++];
	s->addr = ia_get_le64(t->val);
	name = *t;
	name.val += 8;
	name.len -= 8;
	ia_tlv_strcpy(&name, s->name, sizeof(s->name));
	return 0;
}

static int add_syms(struct ia_trace_reader *r, const struct frame *f)
{
	size_t n;

	if (ia_tlv_count(r->raw.data, r->raw.len, ST_SYM, &n))
		return stop(r, IA_TRACE_CORRUPT, "frame %u: malformed SYMS frame", f->seq);
	if (n > IA_TRACE_MAX_SYMS - r->nsyms)
		return stop(r, IA_TRACE_CORRUPT, "frame %u: more than %u symbols", f->seq, IA_TRACE_MAX_SYMS);
	if (!n)
		return 0;
	if (ia_grow((void **)&r->syms, &r->syms_cap, r->nsyms + n, sizeof(*r->syms)))
		return stop(r, IA_TRACE_FAILED, "out of memory");
	if (ia_tlv_decode(r->raw.data, r->raw.len, sym_field, r))
		return stop(r, IA_TRACE_CORRUPT, "frame %u: malformed symbol", f->seq);
	qsort(r->syms, r->nsyms, sizeof(*r->syms), cmp_sym);
	return 0;
}

static int end_field(const struct ia_tlv *t, void *ctx)
{
	struct ia_trace_end *e = ctx;

	switch (t->tag) {
	case ET_RECORDS: return ia_tlv_uint(t, &e->records);
	case ET_STOP_NS: return ia_tlv_uint(t, &e->stop_ns);
	case ET_SUBMITTED: e->have_counters = true; return ia_tlv_uint(t, &e->submitted);
	case ET_DROPS: e->have_counters = true; return ia_tlv_uint(t, &e->drops);
	default: return 0;
	}
}

static int decode_end(const void *p, size_t len, struct ia_trace_end *e)
{
	memset(e, 0, sizeof(*e));
	return ia_tlv_decode(p, len, end_field, e);
}

static int read_end(struct ia_trace_reader *r, const struct frame *f)
{
	struct ia_trace_end e;

	if (decode_end(r->raw.data, r->raw.len, &e))
		return stop(r, IA_TRACE_CORRUPT, "frame %u: malformed END frame", f->seq);
	accept_frame(r, f);
	r->st.have_end = true;
	r->st.end = e;
	if (e.records != r->st.records)
		return stop(r, IA_TRACE_CORRUPT, "the END frame counts %llu records, the file holds %llu",
			    (unsigned long long)e.records, (unsigned long long)r->st.records);
	if (r->off != r->size)
		return stop(r, IA_TRACE_CORRUPT, "%llu bytes after the END frame",
			    (unsigned long long)(r->size - r->off));
	r->st.state = IA_TRACE_COMPLETE;
	return 0;
}

/* A HIST frame replaces the kernel aggregates of the one before. */
static int read_hist(struct ia_trace_reader *r, const struct frame *f)
{
	struct ia_kstats k;
	int err = ia_kstats_decode(r->raw.data, r->raw.len, &k);

	if (err) {
		ia_kstats_free(&k);
		if (err == -ENOMEM)
			return stop(r, IA_TRACE_FAILED, "frame %u: out of memory", f->seq);
		return stop(r, IA_TRACE_CORRUPT, "frame %u: malformed HIST frame", f->seq);
	}
	ia_kstats_free(&r->kstats);
	r->kstats = k;
	r->st.hist_frames++;
	return 0;
}

const struct ia_kstats *ia_trace_kstats(const struct ia_trace_reader *r)
{
	return r->st.hist_frames ? &r->kstats : NULL;
}

/* Read frames until an EVENTS frame is loaded (0) or the reader stops (-1). */
static int load_events(struct ia_trace_reader *r)
{
	struct frame f;

	while (r->st.state == IA_TRACE_READING) {
		if (read_frame(r, &f))
			return -1;
		switch (f.type) {
		case IA_TF_EVENTS:
			if (check_events(r, &f))
				return -1;
			accept_frame(r, &f);
			r->pos = 0;
			r->in_events = true;
			return 0;
		case IA_TF_HEADER:
			return stop(r, IA_TRACE_CORRUPT, "frame %u: a second HEADER frame", f.seq);
		case IA_TF_END:
			read_end(r, &f);
			return -1;
		case IA_TF_SYMS:
			if (add_syms(r, &f))
				return -1;
			break;
		case IA_TF_HIST:
			if (read_hist(r, &f))
				return -1;
			break;
		default:
			r->st.skipped++;
			break;
		}
		accept_frame(r, &f);
	}
	return -1;
}

/*
 * A recording is untrusted input: its events' names end within their
 * fields whatever the file says (the probes always terminate them), so
 * that no output reads past a record.
 */
static void terminate_strings(__u8 *rec, __u32 len)
{
	struct ia_event *ev = (struct ia_event *)rec;

	if (len < sizeof(*ev))
		return; /* the engine refuses it as malformed */
	ev->dev_name[sizeof(ev->dev_name) - 1] = '\0';
	ev->drv_name[sizeof(ev->drv_name) - 1] = '\0';
	ev->comm[sizeof(ev->comm) - 1] = '\0';
}

int ia_trace_next_entry(struct ia_trace_reader *r, __u16 *kind, const void **data, size_t *len)
{
	__u8 *e;
	__u32 rlen;

	while (!r->in_events || r->pos >= r->raw.len) {
		r->in_events = false;
		if (load_events(r))
			return 0;
	}
	e = r->raw.data + r->pos;
	rlen = ia_get_le32(e); /* check_events: the entry lies in the frame */
	r->pos += IA_TRACE_REC_HDR + ((rlen + 7ul) & ~7ul);
	*kind = ia_get_le16(e + 4);
	*data = e + IA_TRACE_REC_HDR;
	*len = rlen;
	if (*kind == IA_TR_RINGBUF) {
		terminate_strings(e + IA_TRACE_REC_HDR, rlen);
		r->st.records++;
		if (r->abi < IA_ABI_VERSION &&
		    !ia_event_upgrade(r->abi, e + IA_TRACE_REC_HDR, rlen, &r->upgraded)) {
			*data = &r->upgraded;
			*len = sizeof(r->upgraded);
			terminate_strings((__u8 *)&r->upgraded, sizeof(r->upgraded));
		}
	} else if (*kind < IA_TR_RINGBUF || *kind > IA_TR_CGROUP) {
		r->st.skipped++; /* a later version's: every caller skips it */
	}
	return 1;
}

int ia_trace_next(struct ia_trace_reader *r, const void **rec, size_t *len)
{
	__u16 kind;

	while (ia_trace_next_entry(r, &kind, rec, len) > 0) {
		if (kind == IA_TR_RINGBUF)
			return 1;
		if (kind <= IA_TR_CGROUP)
			r->st.skipped++; /* known, but not a record: skipped here */
	}
	return 0;
}

void ia_trace_get_status(const struct ia_trace_reader *r, struct ia_trace_status *st)
{
	*st = r->st;
}

void ia_trace_describe(const struct ia_trace_status *st, char *buf, size_t len)
{
	unsigned long long recs = (unsigned long long)st->records, off = (unsigned long long)st->offset;
	unsigned int last = st->frames ? st->frames - 1 : 0;

	switch (st->state) {
	case IA_TRACE_COMPLETE:
		snprintf(buf, len, "complete: %u frames, %llu records", st->frames, recs);
		break;
	case IA_TRACE_TRUNCATED:
		snprintf(buf, len, "truncated after frame %u (byte %llu): replayed %llu records; %s",
			 last, off, recs, st->why);
		break;
	case IA_TRACE_CORRUPT:
		snprintf(buf, len, "corrupt after frame %u (byte %llu): replayed %llu records; %s",
			 last, off, recs, st->why);
		break;
	case IA_TRACE_FAILED:
		snprintf(buf, len, "failed after frame %u (byte %llu): replayed %llu records; %s",
			 last, off, recs, st->why);
		break;
	default:
		snprintf(buf, len, "reading: %u frames, %llu records so far", st->frames, recs);
		break;
	}
}

const char *ia_trace_sym_name(void *reader, __u64 addr)
{
	const struct ia_trace_reader *r = reader;
	struct ia_ksym_addr key = { .addr = addr }, *s;

	if (!r || !r->nsyms)
		return NULL;
	s = bsearch(&key, r->syms, r->nsyms, sizeof(*r->syms), cmp_sym);
	return s ? s->name : NULL;
}

void ia_trace_close_read(struct ia_trace_reader *r)
{
	if (!r)
		return;
	if (r->fd >= 0)
		close(r->fd);
	inflateEnd(&r->zs);
	ia_buf_free(&r->comp);
	ia_buf_free(&r->raw);
	free(r->syms);
	ia_kstats_free(&r->kstats);
	free(r);
}

/* ---- opening: the preamble and the HEADER frame ---- */

__attribute__((format(printf, 3, 4)))
static int fail(char *msg, size_t msglen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, msglen, fmt, ap);
	va_end(ap);
	return -EBADMSG;
}

static int check_preamble(const __u8 *p, size_t have, struct ia_trace_info *info, __u32 *plen,
			  char *msg, size_t msglen)
{
	__u32 flags;

	if (!have)
		return fail(msg, msglen, "empty file");
	if (memcmp(p, IA_TRACE_MAGIC, have < IA_TRACE_MAGIC_LEN ? have : IA_TRACE_MAGIC_LEN))
		return fail(msg, msglen, "not an iommu-audit recording");
	if (have < IA_TRACE_PREAMBLE_LEN)
		return fail(msg, msglen, "truncated in its preamble (%zu bytes)", have);
	info->format = ia_get_le16(p + 8);
	info->abi = ia_get_le16(p + 10);
	flags = ia_get_le32(p + 12);
	*plen = ia_get_le32(p + 16);
	if (info->format > IA_TRACE_FORMAT)
		return fail(msg, msglen, "format version %u is newer than this iommu-audit reads (%u)",
			    info->format, IA_TRACE_FORMAT);
	if (ia_get_le32(p + 20) != (__u32)crc32(0, p, 20))
		return fail(msg, msglen, "preamble checksum mismatch");
	if (!info->format || *plen < IA_TRACE_PREAMBLE_LEN || *plen > MAX_PREAMBLE)
		return fail(msg, msglen, "malformed preamble");
	if ((flags & IA_TRACE_F_BIG_ENDIAN) != HOST_FLAGS)
		return fail(msg, msglen, "recorded on a host of the other byte order");
	if (flags & ~IA_TRACE_F_BIG_ENDIAN)
		return fail(msg, msglen, "unknown preamble flags %#x", flags);
	if (!ia_abi_readable(info->abi))
		return fail(msg, msglen, "recorded with event ABI %u; this iommu-audit replays ABI %u to %u",
			    info->abi, IA_ABI_OLDEST, IA_ABI_VERSION);
	return 0;
}

static int probe_field(const struct ia_tlv *t, void *ctx)
{
	struct ia_trace_probe *p = ctx;
	__u64 v = 0;
	int err = 0;

	switch (t->tag) {
	case PT_HOOK: err = ia_tlv_uint(t, &v); p->hook = (__u16)v; break;
	case PT_VIA: err = ia_tlv_uint(t, &v); p->via = (__u8)v; break;
	case PT_ERR: err = ia_tlv_uint(t, &v); p->err = (__s32)(__u32)v; break;
	case PT_TARGET: ia_tlv_strcpy(t, p->target, sizeof(p->target)); break;
	case PT_WHY: ia_tlv_strcpy(t, p->why, sizeof(p->why)); break;
	}
	return err;
}

static int decode_probe(const struct ia_tlv *in, struct ia_trace_probe *p)
{
	memset(p, 0, sizeof(*p));
	return ia_tlv_decode(in->val, in->len, probe_field, p);
}

/* What the HEADER frame decodes into. */
struct header {
	struct ia_trace_info *info;
	struct ia_model *m;
};

static int header_field(const struct ia_tlv *t, void *ctx)
{
	const struct header *h = ctx;
	struct ia_trace_info *info = h->info;
	__u64 v = 0;
	int err = 0;

	switch (t->tag) {
	case HT_KERNEL: ia_tlv_strcpy(t, info->kernel, sizeof(info->kernel)); break;
	case HT_HOST: ia_tlv_strcpy(t, info->host, sizeof(info->host)); break;
	case HT_BOOT_ID: ia_tlv_strcpy(t, info->boot_id, sizeof(info->boot_id)); break;
	case HT_START_NS: err = ia_tlv_uint(t, &info->start_ns); break;
	case HT_START_MONO_NS: err = ia_tlv_uint(t, &info->start_mono_ns); break;
	case HT_FEATURES: err = ia_tlv_uint(t, &v); info->features = (__u32)v; break;
	case HT_RINGBUF: err = ia_tlv_uint(t, &v); info->ringbuf_bytes = (__u32)v; break;
	case HT_PROBE:
		if (info->nprobes < IA_TRACE_MAX_PROBES)
			err = decode_probe(t, &info->probes[info->nprobes++]);
		break;
	case HT_MODEL:
		ia_model_free(h->m);
		err = ia_model_decode(t->val, t->len, h->m);
		break;
	}
	return err;
}

static int decode_header(const void *p, size_t len, struct ia_trace_info *info, struct ia_model *m)
{
	struct header h = { info, m };

	return ia_tlv_decode(p, len, header_field, &h);
}

static int read_header(struct ia_trace_reader *r, struct ia_trace_info *info, struct ia_model *m,
		       char *msg, size_t msglen)
{
	struct frame f;
	int err;

	if (r->off == r->size)
		return fail(msg, msglen, "truncated after its preamble: no HEADER frame");
	if (read_frame(r, &f)) {
		if (r->st.state == IA_TRACE_FAILED)
			return fail(msg, msglen, "%s", r->st.why);
		return fail(msg, msglen, "damaged before its first record: %s", r->st.why);
	}
	if (f.type != IA_TF_HEADER)
		return fail(msg, msglen, "the first frame is not a HEADER frame (type %u)", f.type);
	err = decode_header(r->raw.data, r->raw.len, info, m);
	if (err == -ENOMEM)
		return fail(msg, msglen, "out of memory");
	if (err == -E2BIG)
		return fail(msg, msglen, "HEADER frame: the model exceeds this iommu-audit's limits");
	if (err)
		return fail(msg, msglen, "malformed HEADER frame");
	accept_frame(r, &f);
	return 0;
}

static int open_common(struct ia_trace_reader *r, struct ia_trace_info *info, struct ia_model *m,
		       char *msg, size_t msglen)
{
	__u8 pre[IA_TRACE_PREAMBLE_LEN];
	size_t have = r->size < sizeof(pre) ? (size_t)r->size : sizeof(pre);
	__u32 plen = 0;
	int err;

	memset(info, 0, sizeof(*info));
	if (have && src_read(r, 0, pre, have))
		return fail(msg, msglen, "%s", r->st.why);
	err = check_preamble(pre, have, info, &plen, msg, msglen);
	if (err)
		return err;
	if (inflateReset2(&r->zs, wbits(info->format)) != Z_OK) /* the format's payloads */
		return fail(msg, msglen, "zlib: inflateReset2 failed");
	if (r->size < plen)
		return fail(msg, msglen, "truncated in its preamble");
	r->off = plen;
	r->st.offset = plen;
	r->abi = info->abi;
	return read_header(r, info, m, msg, msglen);
}

static struct ia_trace_reader *reader_new(void)
{
	struct ia_trace_reader *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->fd = -1;
	if (inflateInit(&r->zs) != Z_OK) {
		free(r);
		return NULL;
	}
	return r;
}

static int finish_open(struct ia_trace_reader **rp, struct ia_trace_reader *r,
		       struct ia_trace_info *info, struct ia_model *model, char *msg, size_t msglen)
{
	int err = open_common(r, info, model, msg, msglen);

	if (err) {
		ia_model_free(model);
		ia_trace_close_read(r);
		return err;
	}
	*rp = r;
	return 0;
}

int ia_trace_open_mem(struct ia_trace_reader **rp, const void *data, size_t len,
		      struct ia_trace_info *info, struct ia_model *model, char *msg, size_t msglen)
{
	struct ia_trace_reader *r;

	*rp = NULL;
	ia_model_init(model);
	r = reader_new();
	if (!r) {
		fail(msg, msglen, "out of memory");
		return -ENOMEM;
	}
	r->mem = data;
	r->size = len;
	return finish_open(rp, r, info, model, msg, msglen);
}

int ia_trace_open_read(struct ia_trace_reader **rp, const char *path, struct ia_trace_info *info,
		       struct ia_model *model, char *msg, size_t msglen)
{
	struct ia_trace_reader *r;
	struct stat sb;
	int err;

	*rp = NULL;
	ia_model_init(model);
	r = reader_new();
	if (!r) {
		fail(msg, msglen, "out of memory");
		return -ENOMEM;
	}
	r->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK); /* a FIFO must not block us */
	if (r->fd < 0 || fstat(r->fd, &sb)) {
		err = -errno;
		snprintf(msg, msglen, "%s", strerror(-err));
		ia_trace_close_read(r);
		return err;
	}
	if (!S_ISREG(sb.st_mode)) {
		fail(msg, msglen, "not a regular file");
		ia_trace_close_read(r);
		return -EINVAL;
	}
	r->size = (__u64)sb.st_size;
	return finish_open(rp, r, info, model, msg, msglen);
}
