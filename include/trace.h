/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Recordings: a versioned, self-describing file that `record` writes and
 * `report`/`diff` replay through the engine.
 *
 *   preamble  24 bytes: magic "\x89IATRC\r\n", __u16 format version,
 *             __u16 event ABI (IA_ABI_VERSION; older ones: abi.h), __u32 flags, __u32 preamble
 *             length, __u32 CRC32 of the 20 bytes before it
 *   frames    each a 32-byte header (below) and a deflated payload:
 *             HEADER (first, sequence 0), then EVENTS, SYMS, HIST in any
 *             order, then END
 *
 * Format 2 stores each payload as raw deflate (RFC 1951); format 1 stored a
 * zlib stream (RFC 1950), whose Adler-32 of the inflated bytes checked again
 * what the frame's CRC32 of the stored bytes already covers (inflating is
 * deterministic, and the inflated length is checked against raw_len), at
 * more than a third of the reader's instructions. Readers read both.
 *
 * Every integer in the preamble, frame headers and payload framing is
 * little-endian; the records inside EVENTS are the ring buffer's bytes as
 * delivered (host order: the preamble says which). Each frame is written
 * with one write(2), so a crash leaves a prefix of whole frames plus at most
 * one partial frame: the reader replays the whole ones and reports where
 * the file stops ("truncated") or stops making sense ("corrupt").
 */
#ifndef IA_TRACE_H
#define IA_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "iommu_audit.h"
#include "kstats.h"
#include "modelio.h"

#define IA_TRACE_FORMAT 2 /* written; 1 and 2 are read */
#define IA_TRACE_MAGIC "\x89IATRC\r\n"
#define IA_TRACE_MAGIC_LEN 8
#define IA_TRACE_PREAMBLE_LEN 24
#define IA_TRACE_F_BIG_ENDIAN 0x1 /* preamble flags: records in big-endian order */

/*
 * Frame header, 32 bytes:
 *   __u32 magic     "IAFR"
 *   __u8  type      enum ia_trace_frame
 *   __u8  flags     0
 *   __u16 reserved  0
 *   __u32 seq       0 for HEADER, then +1 per frame: a gap means lost frames
 *   __u32 raw_len   payload length inflated (<= IA_TRACE_MAX_RAW)
 *   __u32 comp_len  payload length as stored (<= compressBound(raw_len))
 *   __u32 count     EVENTS: record entries in the payload; else 0
 *   __u32 crc       zlib crc32 of the stored payload
 *   __u32 hdr_crc   crc32 of the 28 header bytes before it
 */
#define IA_TRACE_FRAME_MAGIC "IAFR"
#define IA_TRACE_FRAME_HDR_LEN 32
#define IA_TRACE_MAX_RAW (16u << 20)	 /* a frame's payload, inflated */
#define IA_TRACE_MAX_RECORD (64u << 10) /* one record */
#define IA_TRACE_MAX_SYMS 65536		 /* symbol names per recording */

/* Frame types; a reader skips types it does not know. */
enum ia_trace_frame {
	IA_TF_HEADER = 1, /* TLVs: who, where, when, probes, the starting model */
	IA_TF_EVENTS = 2, /* record entries (below) */
	IA_TF_HIST = 3,	  /* TLVs: the kernel's aggregates (struct ia_kstats), a full copy each */
	IA_TF_END = 4,	  /* TLVs: counters; the last frame of a complete recording */
	IA_TF_SYMS = 5,	  /* TLVs: kernel addresses and their names (iommu_ops) */
};

/*
 * An EVENTS payload is a sequence of entries: __u32 length, __u16 kind,
 * __u16 flags (0), then length bytes, zero-padded to a multiple of 8 (so
 * records stay aligned). A reader skips kinds it does not know.
 */
#define IA_TRACE_REC_HDR 8
enum ia_trace_rec_kind {
	IA_TR_RINGBUF = 1, /* a ring-buffer record, verbatim (struct ia_event today) */
	/*
	 * Records lost here (the ring buffer was full): __u64 how many. The
	 * engine is told at this point of the stream (ia_engine_records_lost).
	 */
	IA_TR_LOST = 2,
	/*
	 * What sysfs showed after a loss: a model's TLVs (modelio) holding one
	 * group, or a part of its devices (entries of one id add up), so that
	 * each entry stays far below IA_TRACE_MAX_RECORD.
	 */
	IA_TR_RESYNC_GROUP = 3,
	/*
	 * Ends a resync: a model's TLVs holding the IOMMUs alone. The groups of
	 * the RESYNC_GROUP entries since the last RESYNC are the fresh model
	 * handed to ia_engine_resync here.
	 */
	IA_TR_RESYNC = 4,
	/*
	 * A cgroup's path, before the first record that carries its id
	 * (ia_event.cgroup): __u64 id, then the path without a NUL ("" when
	 * it could not be found). Readers before event ABI 5 skip it.
	 */
	IA_TR_CGROUP = 5,
};
/* Devices per RESYNC_GROUP entry: 128 names and drivers, some 12 KiB. */
#define IA_TRACE_RESYNC_DEVS 128

/* The loader's view of the kernel (struct ia_features) as bits. */
#define IA_TRACE_FEAT_BTF 0x01
#define IA_TRACE_FEAT_FENTRY 0x02
#define IA_TRACE_FEAT_KPROBES 0x04
#define IA_TRACE_FEAT_TRACEFS 0x08
#define IA_TRACE_FEAT_GET_FUNC_RET 0x10

#define IA_TRACE_MAX_PROBES 64

/* How one hook attached (struct ia_probe_status). */
struct ia_trace_probe {
	__u16 hook; /* enum ia_hook */
	__u8 via;   /* enum ia_via: IA_VIA_NONE when it did not attach */
	__s32 err;  /* negative errno when it did not */
	char target[64];
	char why[160];
};

/* The HEADER frame. */
struct ia_trace_info {
	__u16 format;		/* reader: the file's format version */
	__u16 abi;		/* reader: the file's event ABI */
	char kernel[65];	/* uname -r */
	char host[65];		/* uname -n */
	char boot_id[40];	/* /proc/sys/kernel/random/boot_id */
	__u64 start_ns;		/* CLOCK_REALTIME when recording started */
	__u64 start_mono_ns;	/* CLOCK_MONOTONIC then: the clock of ia_event.ts_ns */
	__u32 features;		/* IA_TRACE_FEAT_* */
	__u32 ringbuf_bytes;
	struct ia_trace_probe probes[IA_TRACE_MAX_PROBES];
	int nprobes;
};

/* The END frame. */
struct ia_trace_end {
	__u64 records;		/* ring-buffer records written */
	__u64 stop_ns;		/* CLOCK_REALTIME at close */
	bool have_counters;	/* the BPF side's counters below were given */
	__u64 submitted;	/* records the probes submitted */
	__u64 drops;		/* failed ring-buffer reservations */
};

struct ia_probe_status;
struct ia_features;
struct ia_ksym_addr;

/* Kernel release, host name, boot id and both clocks of the running system. */
void ia_trace_info_host(struct ia_trace_info *info);
/* The probe choices (indexed by enum ia_hook) and features a loader found. */
void ia_trace_info_probes(struct ia_trace_info *info, const struct ia_probe_status *st,
			  const struct ia_features *feat);
/* The hook's entry in info->probes, or NULL. */
const struct ia_trace_probe *ia_trace_probe_of(const struct ia_trace_info *info, unsigned int hook);
int ia_trace_probes_attached(const struct ia_trace_info *info);

/* ---- writing ---- */

/* An EVENTS frame is written once this many records or bytes are buffered. */
#define IA_TRACE_FRAME_RECORDS 4096
#define IA_TRACE_FRAME_BYTES (1u << 20)

struct ia_trace_writer;

/*
 * Create path (truncating it) and write the preamble and the HEADER frame:
 * info (format and abi are ignored) and the starting model. 0 or a negative
 * errno; *wp is NULL on error.
 */
int ia_trace_open_write(struct ia_trace_writer **wp, const char *path,
			const struct ia_trace_info *info, const struct ia_model *model);
/* The same in an older format (1 or IA_TRACE_FORMAT), for tests and benchmarks. */
int ia_trace_open_write_format(struct ia_trace_writer **wp, const char *path,
			       const struct ia_trace_info *info, const struct ia_model *model,
			       __u16 format);
/* Name kernel addresses for replay (the *_ops symbols); before the first record. */
int ia_trace_write_syms(struct ia_trace_writer *w, const struct ia_ksym_addr *syms, size_t n);
/*
 * Buffer one ring-buffer record (at most IA_TRACE_MAX_RECORD bytes); writes an
 * EVENTS frame when the buffer is full. 0 or a negative errno; errors are
 * sticky (every later call returns the first one).
 */
int ia_trace_write_record(struct ia_trace_writer *w, const void *data, size_t len);
/* Records lost at this point of the stream (an IA_TR_LOST entry); n > 0. */
int ia_trace_write_lost(struct ia_trace_writer *w, __u64 n);
/* The path of a cgroup id (an IA_TR_CGROUP entry), before the records that carry the id. */
int ia_trace_write_cgroup(struct ia_trace_writer *w, __u64 id, const char *path);
/* What sysfs shows after a loss (RESYNC_GROUP entries, then RESYNC), in order with the records. */
int ia_trace_write_resync(struct ia_trace_writer *w, const struct ia_model *fresh);
/* The kernel's aggregates now, in a HIST frame (buffered records go first). */
int ia_trace_write_hist(struct ia_trace_writer *w, const struct ia_kstats *k);
/* Write buffered records as an EVENTS frame now (the live loop: every second). */
int ia_trace_flush(struct ia_trace_writer *w);
/*
 * Flush, write the END frame (c: the BPF counters, NULL if unknown), sync and
 * close. Frees w in every case; 0 or the first error of the recording.
 */
int ia_trace_close(struct ia_trace_writer *w, const struct ia_counters *c);

struct ia_trace_wstats {
	__u64 records;
	__u32 frames;
	__u64 bytes; /* file size so far */
};
void ia_trace_writer_stats(const struct ia_trace_writer *w, struct ia_trace_wstats *st);

/* ---- reading ---- */

enum ia_trace_state {
	IA_TRACE_READING = 0,
	IA_TRACE_COMPLETE,  /* the END frame, and nothing after it */
	IA_TRACE_TRUNCATED, /* the file ends before its END frame */
	IA_TRACE_CORRUPT,   /* a frame fails its checks: replay stopped before it */
	IA_TRACE_FAILED,    /* a read error or out of memory */
};

struct ia_trace_status {
	enum ia_trace_state state;
	__u32 frames;	   /* whole frames read, the HEADER included */
	__u64 offset;	   /* file offset after the last whole frame */
	__u64 records;	   /* ring-buffer records returned */
	__u64 skipped;	   /* frames and entries of unknown types, skipped */
	__u32 hist_frames;
	bool have_end;
	struct ia_trace_end end;
	char why[160];	   /* what stopped the reader, when not COMPLETE */
};

struct ia_trace_reader;

/*
 * Open a recording, check its preamble and read its HEADER frame into *info
 * and *model (initialised here; the caller frees the model). 0, or a
 * negative errno with msg saying why (not a recording, newer format, other
 * event ABI, damaged before the first event, ...).
 */
int ia_trace_open_read(struct ia_trace_reader **rp, const char *path, struct ia_trace_info *info,
		       struct ia_model *model, char *msg, size_t msglen);
/* The same over a buffer that outlives the reader (tests, fuzzing). */
int ia_trace_open_mem(struct ia_trace_reader **rp, const void *data, size_t len,
		      struct ia_trace_info *info, struct ia_model *model, char *msg, size_t msglen);
/*
 * The next ring-buffer record: 1 with *rec (8-byte aligned, valid until the
 * next call) and *len; 0 when there is none left, and ia_trace_status()
 * tells whether the recording was complete. A frame is checked whole before
 * its first record is returned.
 */
int ia_trace_next(struct ia_trace_reader *r, const void **rec, size_t *len);
/*
 * The next entry of any kind, in the order written: 1 with *kind, *data
 * and *len as ia_trace_next gives them (ring-buffer records are counted
 * the same); 0 at the end. Callers skip kinds they do not know.
 */
int ia_trace_next_entry(struct ia_trace_reader *r, __u16 *kind, const void **data, size_t *len);
void ia_trace_get_status(const struct ia_trace_reader *r, struct ia_trace_status *st);
/* "truncated after frame 12 (byte 40960): replayed 3072 records" and the like. */
void ia_trace_describe(const struct ia_trace_status *st, char *buf, size_t len);
/* The last HIST frame read so far, or NULL when there was none. */
const struct ia_kstats *ia_trace_kstats(const struct ia_trace_reader *r);
/* The name a SYMS frame gave addr, or NULL; fits struct ia_engine_opts.sym_name. */
const char *ia_trace_sym_name(void *reader, __u64 addr);
void ia_trace_close_read(struct ia_trace_reader *r);

/* ---- building blocks, for tests and fuzzing ---- */

void ia_trace_put_preamble(struct ia_buf *out, __u16 format, __u16 abi, __u32 flags);
/* Deflate raw into a frame appended to out. 0 or a negative errno. */
int ia_trace_put_frame(struct ia_buf *out, unsigned int type, __u32 seq, __u32 count,
		       const void *raw, size_t len);
/* The same, deflated as recordings of that format store it (1: zlib, 2: raw). */
int ia_trace_put_frame_format(struct ia_buf *out, __u16 format, unsigned int type, __u32 seq,
			      __u32 count, const void *raw, size_t len);
/* One EVENTS entry (header, data, padding) appended to out. */
void ia_trace_put_entry(struct ia_buf *out, __u16 kind, const void *data, size_t len);
/* The TLVs of a HEADER and of an END frame; return out->err. */
int ia_trace_encode_header(struct ia_buf *out, const struct ia_trace_info *info,
			   const struct ia_model *model);
int ia_trace_encode_end(struct ia_buf *out, __u64 records, __u64 stop_ns, const struct ia_counters *c);

#endif /* IA_TRACE_H */
