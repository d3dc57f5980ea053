// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Recordings: the writer and reader round trip, every way a file can be
 * damaged (cut anywhere, bit flips, bad zlib data, absurd lengths, other
 * versions), replay through the engine, the exit report, and diff.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>
#include "abi.h"
#include "engine.h"
#include "event_out.h"
#include "grow.h"
#include "hooks.h"
#include "ksyms.h"
#include "probes.h"
#include "replay.h"
#include "report_out.h"
#include "trace.h"
#include "unit.h"
#include "../tools/scenarios.h"

/* ---- helpers ---- */

struct events {
	struct ia_event *ev;
	size_t n, cap;
};

static void collect(void *ctx, const struct ia_event *ev)
{
	struct events *e = ctx;

	if (ia_grow((void **)&e->ev, &e->cap, e->n + 1, sizeof(*e->ev)))
		abort();
	e->ev[e->n++] = *ev;
}

/* rebind, bind-refused, soft failure, hard failure, domain allocations. */
static void mixed_events(struct events *e, int rounds)
{
	struct scn s;

	memset(e, 0, sizeof(*e));
	scn_init(&s, collect, e);
	for (int i = 0; i < rounds; i++) {
		scn_rebind(&s, 319);
		scn_bind_refused(&s, 402);
		scn_soft_failure(&s, 517, 2);
		scn_hard_failure(&s, 518);
		scn_domain_alloc(&s, 519, SCN_MOCK, 9, 0);
		scn_domain_alloc(&s, 519, SCN_MOCK, 9, -ENOMEM);
	}
}

static void test_info(struct ia_trace_info *info)
{
	memset(info, 0, sizeof(*info));
	strcpy(info->kernel, "6.12.117");
	strcpy(info->host, "testhost");
	strcpy(info->boot_id, "5e1f7a52-3f0c-4c8e-9a51-0d2b6c7e9f10");
	info->start_ns = 1763735640ull * 1000000000ull;
	info->start_mono_ns = 912345678901ull;
	info->features = IA_TRACE_FEAT_BTF | IA_TRACE_FEAT_FENTRY;
	info->ringbuf_bytes = 1 << 20;
	info->nprobes = 2;
	info->probes[0] = (struct ia_trace_probe){ .hook = IA_HOOK_REALLY_PROBE, .via = IA_VIA_FENTRY,
						   .target = "really_probe" };
	info->probes[1] = (struct ia_trace_probe){ .hook = IA_HOOK_USE_DEFAULT, .via = IA_VIA_NONE,
						   .err = -EPERM, .target = "iommu_device_use_default_domain",
						   .why = "fentry refused" };
}

static char *tmp_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "/tmp/ia-unit-%d-%s", (int)getpid(), name);
	return buf;
}

struct wopts {
	size_t flush_every; /* records per frame; 0: at close */
	bool crash;	    /* the writer dies before it writes the END frame */
	bool syms;
};

/* Write e through the writer; returns the writer's error. */
static int write_trace(const char *path, const struct events *e, const struct wopts *o)
{
	struct ia_ksym_addr sym = { .addr = SCN_OPS_VTD, .name = "intel_iommu_ops" };
	struct ia_counters c = { .events = e->n + 3, .drops = 3 };
	struct ia_trace_writer *w;
	struct ia_trace_info info;
	struct ia_model m;
	int err;

	test_info(&info);
	scn_model(&m);
	err = ia_trace_open_write(&w, path, &info, &m);
	ia_model_free(&m);
	if (err)
		return err;
	if (o && o->syms)
		err = ia_trace_write_syms(w, &sym, 1);
	for (size_t i = 0; !err && i < e->n; i++) {
		err = ia_trace_write_record(w, &e->ev[i], sizeof(e->ev[i]));
		if (!err && o && o->flush_every && (i + 1) % o->flush_every == 0)
			err = ia_trace_flush(w);
	}
	return err ?: ia_trace_close(w, &c);
}

/* As a crash leaves it: the writer's process dies after its last flush. */
static int write_trace_crash(const char *path, const struct events *e, size_t flush_every)
{
	struct ia_trace_writer *w;
	struct ia_trace_info info;
	int status = 0;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		test_info(&info);
		if (ia_trace_open_write(&w, path, &info, NULL))
			_exit(1);
		for (size_t i = 0; i < e->n; i++) {
			ia_trace_write_record(w, &e->ev[i], sizeof(e->ev[i]));
			if ((i + 1) % flush_every == 0 && ia_trace_flush(w))
				_exit(1);
		}
		_exit(ia_trace_flush(w) ? 1 : 0);
	}
	waitpid(pid, &status, 0);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

static int slurp(const char *path, struct ia_buf *b)
{
	char chunk[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	ia_buf_init(b);
	if (fd < 0)
		return -errno;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		ia_buf_put(b, chunk, (size_t)n);
	close(fd);
	return b->err;
}

/* A recording of e, in memory. */
static void trace_mem(struct ia_buf *b, const struct events *e, const struct wopts *o)
{
	char path[64];

	tmp_path(path, sizeof(path), "mem.trace");
	if (o && o->crash)
		write_trace_crash(path, e, o->flush_every);
	else
		write_trace(path, e, o);
	slurp(path, b);
	unlink(path);
}

struct readout {
	int open_err;
	char msg[256];
	struct ia_trace_info info;
	struct ia_model model;
	size_t n;
	bool same;	/* records equal to the events, in order */
	bool aligned;
	struct ia_trace_status st;
};

static void read_mem(const void *data, size_t len, const struct events *e, struct readout *o)
{
	struct ia_trace_reader *r;
	const void *rec;
	size_t rlen;

	memset(o, 0, sizeof(*o));
	o->same = o->aligned = true;
	o->open_err = ia_trace_open_mem(&r, data, len, &o->info, &o->model, o->msg, sizeof(o->msg));
	if (o->open_err)
		return;
	while (ia_trace_next(r, &rec, &rlen) > 0) {
		if (!e || o->n >= e->n || rlen != sizeof(struct ia_event) ||
		    memcmp(rec, &e->ev[o->n], rlen))
			o->same = false;
		if ((uintptr_t)rec & 7)
			o->aligned = false;
		o->n++;
	}
	ia_trace_get_status(r, &o->st);
	ia_trace_close_read(r);
	ia_model_free(&o->model);
}

/* Offsets of the frames of a well-formed recording. */
static size_t frame_offsets(const struct ia_buf *b, size_t *offs, size_t max)
{
	size_t off = IA_TRACE_PREAMBLE_LEN, n = 0;

	while (off + IA_TRACE_FRAME_HDR_LEN <= b->len && n < max) {
		offs[n++] = off;
		off += IA_TRACE_FRAME_HDR_LEN + ia_get_le32(b->data + off + 16);
	}
	return n;
}

/* Re-checksum a frame header after a test edited it. */
static void fix_hdr_crc(struct ia_buf *b, size_t off)
{
	ia_set_le32(b->data + off + 28, (__u32)crc32(0, b->data + off, 28));
}

/* A hand-built recording: preamble, a HEADER frame, then frames the test adds. */
static void hand_start(struct ia_buf *b, __u16 format, __u16 abi, __u32 flags)
{
	struct ia_trace_info info;
	struct ia_buf p;
	struct ia_model m;

	ia_buf_init(b);
	ia_buf_init(&p);
	test_info(&info);
	scn_model(&m);
	ia_trace_put_preamble(b, format, abi, flags);
	ia_trace_encode_header(&p, &info, &m);
	ia_trace_put_frame(b, IA_TF_HEADER, 0, 0, p.data, p.len);
	ia_model_free(&m);
	ia_buf_free(&p);
}

static void hand_events(struct ia_buf *b, __u32 seq, const struct ia_event *ev, size_t n)
{
	struct ia_buf p;

	ia_buf_init(&p);
	for (size_t i = 0; i < n; i++)
		ia_trace_put_entry(&p, IA_TR_RINGBUF, &ev[i], sizeof(ev[i]));
	ia_trace_put_frame(b, IA_TF_EVENTS, seq, (__u32)n, p.data, p.len);
	ia_buf_free(&p);
}

static void hand_end(struct ia_buf *b, __u32 seq, __u64 records)
{
	struct ia_buf p;

	ia_buf_init(&p);
	ia_trace_encode_end(&p, records, 0, NULL);
	ia_trace_put_frame(b, IA_TF_END, seq, 0, p.data, p.len);
	ia_buf_free(&p);
}

/* ---- round trips ---- */

UNIT_TEST(trace_round_trip)
{
	struct ia_trace_info want;
	struct events e;
	struct ia_buf b;
	struct readout o;

	mixed_events(&e, 3);
	trace_mem(&b, &e, &(struct wopts){ .flush_every = 10, .syms = true });
	read_mem(b.data, b.len, &e, &o);
	test_info(&want);
	CHECK_INT(o.open_err, 0);
	CHECK_INT(o.st.state, IA_TRACE_COMPLETE);
	CHECK_INT(o.n, e.n);
	CHECK(o.same);
	CHECK(o.aligned);
	CHECK_INT(o.info.format, IA_TRACE_FORMAT);
	CHECK_INT(o.info.abi, IA_ABI_VERSION);
	CHECK_STR(o.info.kernel, want.kernel);
	CHECK_STR(o.info.host, want.host);
	CHECK_STR(o.info.boot_id, want.boot_id);
	CHECK(o.info.start_ns == want.start_ns);
	CHECK(o.info.start_mono_ns == want.start_mono_ns);
	CHECK_INT(o.info.features, want.features);
	CHECK_INT(o.info.ringbuf_bytes, want.ringbuf_bytes);
	CHECK_INT(o.info.nprobes, 2);
	CHECK_STR(o.info.probes[1].target, "iommu_device_use_default_domain");
	CHECK_STR(o.info.probes[1].why, "fentry refused");
	CHECK_INT(o.info.probes[1].err, -EPERM);
	CHECK_INT(o.info.probes[1].via, IA_VIA_NONE);
	CHECK_INT(ia_trace_probes_attached(&o.info), 1);
	CHECK(ia_trace_probe_of(&o.info, IA_HOOK_USE_DEFAULT) == &o.info.probes[1]);
	CHECK(ia_trace_probe_of(&o.info, IA_HOOK_DOMAIN_FREE) == NULL);
	CHECK(o.st.have_end);
	CHECK_INT(o.st.end.records, e.n);
	CHECK(o.st.end.have_counters);
	CHECK_INT(o.st.end.drops, 3);
	CHECK_INT(o.st.end.submitted, e.n + 3);
	CHECK(o.st.end.stop_ns > 0);
	/* preamble, HEADER, SYMS, ceil(n / 10) EVENTS, END */
	CHECK_INT(o.st.frames, 3 + (e.n + 9) / 10);
	CHECK_INT(o.st.offset, b.len);
	free(e.ev);
	ia_buf_free(&b);
}

UNIT_TEST(trace_model_survives)
{
	struct ia_trace_reader *r;
	struct ia_trace_info info;
	struct ia_model m, want;
	struct events e = { 0 };
	struct ia_buf b;
	char msg[128];

	trace_mem(&b, &e, NULL);
	CHECK_INT(ia_trace_open_mem(&r, b.data, b.len, &info, &m, msg, sizeof(msg)), 0);
	scn_model(&want);
	CHECK_INT(m.ngroups, want.ngroups);
	CHECK_INT(m.niommus, 1);
	CHECK_STR(m.iommus[0], "dmar0");
	CHECK_STR(ia_model_find_dev(&m, SCN_A, NULL)->driver, "vfio-pci");
	CHECK_INT(ia_model_group(&m, 6, false)->nresv, 1);
	ia_trace_close_read(r);
	ia_model_free(&m);
	ia_model_free(&want);
	ia_buf_free(&b);
}

/* The writer cuts a frame by itself every IA_TRACE_FRAME_RECORDS records. */
UNIT_TEST(trace_writer_frames_by_itself)
{
	struct ia_trace_wstats ws;
	struct ia_trace_writer *w;
	struct ia_trace_info info;
	struct events e;
	char path[64];
	struct readout o;
	struct ia_buf b;

	mixed_events(&e, 1);
	test_info(&info);
	tmp_path(path, sizeof(path), "auto.trace");
	CHECK_INT(ia_trace_open_write(&w, path, &info, NULL), 0);
	for (int i = 0; i < IA_TRACE_FRAME_RECORDS + 1; i++)
		ia_trace_write_record(w, &e.ev[0], sizeof(e.ev[0]));
	ia_trace_writer_stats(w, &ws);
	CHECK_INT(ws.records, IA_TRACE_FRAME_RECORDS + 1);
	CHECK_INT(ws.frames, 2); /* HEADER + one full EVENTS frame */
	CHECK_INT(ia_trace_write_record(w, &e.ev[0], IA_TRACE_MAX_RECORD + 1), -EMSGSIZE);
	CHECK_INT(ia_trace_write_record(w, "", 0), 0); /* kept; the engine calls it malformed */
	CHECK_INT(ia_trace_close(w, NULL), 0);
	slurp(path, &b);
	read_mem(b.data, b.len, NULL, &o);
	CHECK_INT(o.st.state, IA_TRACE_COMPLETE);
	CHECK_INT(o.n, IA_TRACE_FRAME_RECORDS + 2);
	CHECK(!o.st.end.have_counters);
	CHECK_INT(o.st.frames, 4);
	unlink(path);
	ia_buf_free(&b);
	free(e.ev);
}

/* Odd record sizes are padded: every record comes back 8-byte aligned and whole. */
UNIT_TEST(trace_odd_sizes_stay_aligned)
{
	static const char *recs[] = { "a", "bcdefgh", "ijklmnop", "qrstuvwxy" };
	struct ia_trace_writer *w;
	struct ia_trace_reader *r;
	struct ia_trace_info info;
	struct ia_model m;
	struct ia_buf b;
	const void *rec;
	char path[64], msg[128];
	size_t len;
	int n = 0;

	test_info(&info);
	tmp_path(path, sizeof(path), "odd.trace");
	CHECK_INT(ia_trace_open_write(&w, path, &info, NULL), 0);
	for (int i = 0; i < 4; i++)
		ia_trace_write_record(w, recs[i], strlen(recs[i]));
	CHECK_INT(ia_trace_close(w, NULL), 0);
	slurp(path, &b);
	CHECK_INT(ia_trace_open_mem(&r, b.data, b.len, &info, &m, msg, sizeof(msg)), 0);
	while (ia_trace_next(r, &rec, &len) > 0) {
		CHECK_INT(len, strlen(recs[n]));
		CHECK(!memcmp(rec, recs[n], len));
		CHECK_INT((uintptr_t)rec & 7, 0);
		n++;
	}
	CHECK_INT(n, 4);
	ia_trace_close_read(r);
	ia_model_free(&m);
	unlink(path);
	ia_buf_free(&b);
}

/* ---- cut short ---- */

/* Cut at every byte: never a crash; whole frames replay; the state says why. */
UNIT_TEST(trace_truncated_at_every_byte)
{
	size_t offs[64] = { 0 }, nf, header_end;
	struct events e;
	struct ia_buf b;
	struct readout o;
	int bad = 0;

	mixed_events(&e, 1);
	trace_mem(&b, &e, &(struct wopts){ .flush_every = 7 });
	nf = frame_offsets(&b, offs, 64);
	header_end = offs[1];
	for (size_t cut = 0; cut < b.len; cut++) {
		size_t whole = 0; /* records in the EVENTS frames that fit */

		read_mem(b.data, cut, &e, &o);
		if (cut < header_end) {
			bad += !o.open_err;
			continue;
		}
		for (size_t f = 1; f + 1 < nf; f++)
			if (offs[f + 1] <= cut)
				whole += 7 < e.n - (f - 1) * 7 ? 7 : e.n - (f - 1) * 7;
		bad += o.open_err || o.st.state != IA_TRACE_TRUNCATED || o.n != whole || !o.same;
	}
	CHECK_INT(bad, 0);
	free(e.ev);
	ia_buf_free(&b);
}

UNIT_TEST(trace_truncated_messages)
{
	struct events e;
	struct ia_buf b;
	struct readout o;
	size_t offs[16] = { 0 };
	char msg[320];

	mixed_events(&e, 1);
	trace_mem(&b, &e, &(struct wopts){ .flush_every = 12 });
	frame_offsets(&b, offs, 16);
	read_mem(b.data, 0, NULL, &o);
	CHECK_STR(o.msg, "empty file");
	read_mem(b.data, 5, NULL, &o);
	CHECK_STR(o.msg, "truncated in its preamble (5 bytes)");
	read_mem(b.data, IA_TRACE_PREAMBLE_LEN, NULL, &o);
	CHECK_STR(o.msg, "truncated after its preamble: no HEADER frame");
	read_mem(b.data, IA_TRACE_PREAMBLE_LEN + 40, NULL, &o);
	CHECK(strstr(o.msg, "damaged before its first record: frame 0: cut short") != NULL);
	read_mem(b.data, offs[2] + 10, &e, &o); /* in the second EVENTS frame's header */
	CHECK_INT(o.st.state, IA_TRACE_TRUNCATED);
	CHECK_INT(o.n, 12);
	ia_trace_describe(&o.st, msg, sizeof(msg));
	snprintf(o.msg, sizeof(o.msg), "truncated after frame 1 (byte %zu): replayed 12 records; frame 2: header cut short",
		 offs[2]);
	CHECK_STR(msg, o.msg);
	read_mem(b.data, offs[2] + 40, &e, &o); /* in its payload */
	ia_trace_describe(&o.st, msg, sizeof(msg));
	CHECK(strstr(msg, "; frame 2: cut short (8 of ") != NULL);
	free(e.ev);
	ia_buf_free(&b);
}

/* A recording whose writer never closed: all its flushed frames, then "no END frame". */
UNIT_TEST(trace_without_end_frame)
{
	struct events e;
	struct ia_buf b;
	struct readout o;
	char msg[320];

	mixed_events(&e, 2);
	trace_mem(&b, &e, &(struct wopts){ .flush_every = 5, .crash = true });
	read_mem(b.data, b.len, &e, &o);
	CHECK_INT(o.st.state, IA_TRACE_TRUNCATED);
	CHECK_INT(o.n, e.n);
	CHECK(o.same);
	CHECK(!o.st.have_end);
	ia_trace_describe(&o.st, msg, sizeof(msg));
	CHECK(strstr(msg, "truncated after frame ") == msg);
	CHECK(strstr(msg, "; no END frame") != NULL);
	free(e.ev);
	ia_buf_free(&b);
}

/* ---- corrupt ---- */

/* A flipped bit anywhere after the HEADER frame stops replay before its frame. */
UNIT_TEST(trace_bit_flips_everywhere)
{
	size_t offs[64] = { 0 }, nf;
	struct events e;
	struct ia_buf b;
	struct readout o;
	int bad = 0;

	mixed_events(&e, 1);
	trace_mem(&b, &e, &(struct wopts){ .flush_every = 9 });
	nf = frame_offsets(&b, offs, 64);
	for (size_t pos = 0; pos < b.len; pos++) {
		size_t f = nf - 1;

		b.data[pos] ^= 0x10;
		read_mem(b.data, b.len, &e, &o);
		b.data[pos] ^= 0x10;
		if (pos < offs[1]) {
			bad += !o.open_err;
			continue;
		}
		while (offs[f] > pos)
			f--;
		/* the whole EVENTS frames before frame f (the header checksum covers the lengths) */
		bad += o.open_err || o.n != ((f - 1) * 9 < e.n ? (f - 1) * 9 : e.n) || !o.same;
		bad += o.st.state != IA_TRACE_CORRUPT;
	}
	CHECK_INT(bad, 0);
	free(e.ev);
	ia_buf_free(&b);
}

/* Failures of "replay stops, corrupt, after records records, because why". */
static int corrupt_fails(const struct ia_buf *b, const struct events *e, size_t records, const char *why)
{
	struct readout o;
	int fails = 0;

	read_mem(b->data, b->len, e, &o);
	fails += o.open_err != 0;
	fails += o.st.state != IA_TRACE_CORRUPT;
	fails += o.n != records;
	fails += !strstr(o.st.why, why);
	if (fails)
		fprintf(stderr, "  open %d \"%s\", state %d, %zu records, why \"%s\"; want %zu records, \"%s\"\n",
			o.open_err, o.msg, o.st.state, o.n, o.st.why, records, why);
	return fails;
}

#define EXPECT_CORRUPT(b, e, n, why) CHECK_INT(corrupt_fails(b, e, n, why), 0)

UNIT_TEST(trace_corrupt_frames)
{
	size_t offs[16] = { 0 }, end;
	struct events e;
	struct ia_buf b;

	mixed_events(&e, 1);
	hand_start(&b, IA_TRACE_FORMAT, IA_ABI_VERSION, 0);
	hand_events(&b, 1, e.ev, 4);
	end = b.len;
	hand_events(&b, 2, e.ev + 4, 4);
	hand_end(&b, 3, 8);
	frame_offsets(&b, offs, 16);

	b.data[offs[2] + IA_TRACE_FRAME_HDR_LEN + 3] ^= 1;
	EXPECT_CORRUPT(&b, &e, 4, "frame 2: checksum mismatch");
	b.data[offs[2] + IA_TRACE_FRAME_HDR_LEN + 3] ^= 1;

	b.data[offs[2] + 8] ^= 1; /* the sequence number */
	EXPECT_CORRUPT(&b, &e, 4, "frame 2: header checksum mismatch");
	fix_hdr_crc(&b, offs[2]);
	EXPECT_CORRUPT(&b, &e, 4, "frame 2: sequence number 3 (frames lost or reordered)");
	b.data[offs[2] + 8] ^= 1;
	fix_hdr_crc(&b, offs[2]);

	memcpy(b.data + offs[2], "XXXX", 4);
	EXPECT_CORRUPT(&b, &e, 4, "frame 2: bad magic");
	memcpy(b.data + offs[2], IA_TRACE_FRAME_MAGIC, 4);

	ia_set_le32(b.data + offs[2] + 12, IA_TRACE_MAX_RAW + 1); /* raw length */
	fix_hdr_crc(&b, offs[2]);
	EXPECT_CORRUPT(&b, &e, 4, "frame 2: length 16777217 exceeds the 16 MiB limit");

	ia_set_le32(b.data + offs[2] + 12, 10); /* stored length impossible for 10 bytes */
	fix_hdr_crc(&b, offs[2]);
	EXPECT_CORRUPT(&b, &e, 4, "impossible for 10 bytes");

	ia_set_le32(b.data + offs[2] + 12, 4 * (8 + sizeof(struct ia_event)) + 1);
	fix_hdr_crc(&b, offs[2]);
	EXPECT_CORRUPT(&b, &e, 4, "inflates to");
	ia_set_le32(b.data + offs[2] + 12, 4 * (8 + sizeof(struct ia_event)));
	fix_hdr_crc(&b, offs[2]);

	ia_set_le32(b.data + offs[2] + 20, 5); /* entry count */
	fix_hdr_crc(&b, offs[2]);
	EXPECT_CORRUPT(&b, &e, 4, "frame 2: holds 4 entries, its header says 5");
	ia_set_le32(b.data + offs[2] + 20, 4);
	fix_hdr_crc(&b, offs[2]);

	b.len = end; /* a second HEADER frame in place of frame 2 */
	ia_trace_put_frame(&b, IA_TF_HEADER, 2, 0, "", 0);
	EXPECT_CORRUPT(&b, &e, 4, "frame 2: a second HEADER frame");
	free(e.ev);
	ia_buf_free(&b);
}

/*
 * A whole recording of format `format` (preamble) whose frames are deflated
 * as format `frames` stores them: HEADER, one EVENTS of n records, END.
 */
static void hand_recording(struct ia_buf *b, __u16 format, __u16 frames, const struct ia_event *ev,
			   size_t n)
{
	struct ia_trace_info info;
	struct ia_model m;
	struct ia_buf p;

	ia_buf_init(b);
	ia_buf_init(&p);
	test_info(&info);
	scn_model(&m);
	ia_trace_put_preamble(b, format, IA_ABI_VERSION, 0);
	ia_trace_encode_header(&p, &info, &m);
	ia_trace_put_frame_format(b, frames, IA_TF_HEADER, 0, 0, p.data, p.len);
	ia_buf_reset(&p);
	for (size_t i = 0; i < n; i++)
		ia_trace_put_entry(&p, IA_TR_RINGBUF, &ev[i], sizeof(ev[i]));
	ia_trace_put_frame_format(b, frames, IA_TF_EVENTS, 1, (__u32)n, p.data, p.len);
	ia_buf_reset(&p);
	ia_trace_encode_end(&p, n, 0, NULL);
	ia_trace_put_frame_format(b, frames, IA_TF_END, 2, 0, p.data, p.len);
	ia_model_free(&m);
	ia_buf_free(&p);
}

/* Format 1 (zlib streams) is still read, record for record. */
UNIT_TEST(trace_format1_still_read)
{
	struct events e;
	struct ia_buf b;
	struct readout o;

	mixed_events(&e, 1);
	hand_recording(&b, 1, 1, e.ev, e.n);
	read_mem(b.data, b.len, &e, &o);
	CHECK_INT(o.open_err, 0);
	CHECK_INT(o.info.format, 1);
	CHECK_INT(o.st.state, IA_TRACE_COMPLETE);
	CHECK_INT(o.n, e.n);
	CHECK(o.same);
	free(e.ev);
	ia_buf_free(&b);
}

/*
 * The writer writes format 2: raw deflate, no zlib header and no Adler-32,
 * and a reader takes the payloads as their preamble's format says: zlib
 * streams under a format-2 preamble, or raw ones under format 1, are corrupt.
 */
UNIT_TEST(trace_format2_raw_deflate)
{
	struct events e;
	struct ia_buf b, out;
	struct readout o;
	z_stream zs;
	__u32 raw_len, comp_len;
	const __u8 *f;

	mixed_events(&e, 2);
	trace_mem(&b, &e, &(struct wopts){ .flush_every = 7 });
	CHECK_INT(ia_get_le16(b.data + 8), 2);
	f = b.data + IA_TRACE_PREAMBLE_LEN; /* the HEADER frame */
	raw_len = ia_get_le32(f + 12);
	comp_len = ia_get_le32(f + 16);
	ia_buf_init(&out);
	CHECK_INT(ia_buf_reserve(&out, raw_len), 0);
	memset(&zs, 0, sizeof(zs));
	CHECK_INT(inflateInit2(&zs, -MAX_WBITS), Z_OK);
	zs.next_in = (Bytef *)f + IA_TRACE_FRAME_HDR_LEN;
	zs.avail_in = comp_len;
	zs.next_out = out.data;
	zs.avail_out = raw_len;
	CHECK_INT(inflate(&zs, Z_FINISH), Z_STREAM_END);
	CHECK(zs.total_out == raw_len && !zs.avail_in);
	inflateEnd(&zs);
	memset(&zs, 0, sizeof(zs)); /* not a zlib stream */
	CHECK_INT(inflateInit(&zs), Z_OK);
	zs.next_in = (Bytef *)f + IA_TRACE_FRAME_HDR_LEN;
	zs.avail_in = comp_len;
	zs.next_out = out.data;
	zs.avail_out = raw_len;
	CHECK(inflate(&zs, Z_FINISH) != Z_STREAM_END);
	inflateEnd(&zs);
	ia_buf_free(&out);
	ia_buf_free(&b);

	hand_recording(&b, 2, 2, e.ev, e.n);
	read_mem(b.data, b.len, &e, &o);
	CHECK_INT(o.open_err, 0);
	CHECK_INT(o.st.state, IA_TRACE_COMPLETE);
	CHECK_INT(o.n, e.n);
	CHECK(o.same);
	ia_buf_free(&b);
	hand_recording(&b, 2, 1, e.ev, e.n);
	read_mem(b.data, b.len, &e, &o);
	CHECK(o.open_err || o.st.state == IA_TRACE_CORRUPT);
	CHECK_INT(o.n, 0);
	ia_buf_free(&b);
	hand_recording(&b, 1, 2, e.ev, e.n);
	read_mem(b.data, b.len, &e, &o);
	CHECK(o.open_err || o.st.state == IA_TRACE_CORRUPT);
	CHECK_INT(o.n, 0);
	free(e.ev);
	ia_buf_free(&b);
}

/* Compressed bytes that pass the checksum but are not zlib data. */
UNIT_TEST(trace_bad_zlib_data)
{
	__u8 junk[40];
	struct events e;
	struct ia_buf b;
	size_t off;

	mixed_events(&e, 1);
	hand_start(&b, IA_TRACE_FORMAT, IA_ABI_VERSION, 0);
	hand_events(&b, 1, e.ev, 2);
	off = b.len;
	memset(junk, 0xa5, sizeof(junk));
	ia_buf_reserve(&b, IA_TRACE_FRAME_HDR_LEN + sizeof(junk));
	memcpy(b.data + off, IA_TRACE_FRAME_MAGIC, 4);
	memset(b.data + off + 4, 0, 28);
	b.data[off + 4] = IA_TF_EVENTS;
	ia_set_le32(b.data + off + 8, 2);
	ia_set_le32(b.data + off + 12, 100);
	ia_set_le32(b.data + off + 16, sizeof(junk));
	ia_set_le32(b.data + off + 24, (__u32)crc32(0, junk, sizeof(junk)));
	memcpy(b.data + off + IA_TRACE_FRAME_HDR_LEN, junk, sizeof(junk));
	b.len += IA_TRACE_FRAME_HDR_LEN + sizeof(junk);
	fix_hdr_crc(&b, off);
	EXPECT_CORRUPT(&b, &e, 2, "frame 2: bad zlib data");
	free(e.ev);
	ia_buf_free(&b);
}

/* A stored length far past the end of the file: truncated, nothing allocated for it. */
UNIT_TEST(trace_absurd_stored_length)
{
	struct events e;
	struct ia_buf b;
	struct readout o;
	size_t offs[8] = { 0 };

	mixed_events(&e, 1);
	hand_start(&b, IA_TRACE_FORMAT, IA_ABI_VERSION, 0);
	hand_events(&b, 1, e.ev, 3);
	hand_end(&b, 2, 3);
	frame_offsets(&b, offs, 8);
	ia_set_le32(b.data + offs[1] + 12, IA_TRACE_MAX_RAW);
	ia_set_le32(b.data + offs[1] + 16, IA_TRACE_MAX_RAW);
	fix_hdr_crc(&b, offs[1]);
	read_mem(b.data, b.len, &e, &o);
	CHECK_INT(o.st.state, IA_TRACE_TRUNCATED);
	CHECK_INT(o.n, 0);
	CHECK(strstr(o.st.why, "frame 1: cut short") != NULL);
	free(e.ev);
	ia_buf_free(&b);
}

static void events_payload_frame(struct ia_buf *b, __u32 seq, const struct ia_buf *p, __u32 count)
{
	ia_trace_put_frame(b, IA_TF_EVENTS, seq, count, p->data, p->len);
}

UNIT_TEST(trace_bad_entries)
{
	char why[96];
	struct events e;
	struct ia_buf b, p;

	mixed_events(&e, 1);
	ia_buf_init(&p);
	/* an entry whose length runs past the frame */
	hand_start(&b, IA_TRACE_FORMAT, IA_ABI_VERSION, 0);
	hand_events(&b, 1, e.ev, 2);
	ia_trace_put_entry(&p, IA_TR_RINGBUF, e.ev, sizeof(e.ev[0]));
	ia_set_le32(p.data, sizeof(e.ev[0]) + 8);
	events_payload_frame(&b, 2, &p, 1);
	snprintf(why, sizeof(why), "frame 2: entry of %zu bytes at offset 0 runs past the frame",
		 sizeof(e.ev[0]) + 8);
	EXPECT_CORRUPT(&b, &e, 2, why);
	ia_buf_free(&b);
	/* a record longer than any record may be */
	hand_start(&b, IA_TRACE_FORMAT, IA_ABI_VERSION, 0);
	ia_set_le32(p.data, IA_TRACE_MAX_RECORD + 1);
	events_payload_frame(&b, 1, &p, 1);
	EXPECT_CORRUPT(&b, &e, 0, "runs past the frame");
	ia_buf_free(&b);
	/* an entry header cut short */
	hand_start(&b, IA_TRACE_FORMAT, IA_ABI_VERSION, 0);
	ia_buf_reset(&p);
	ia_buf_put_le32(&p, 0);
	events_payload_frame(&b, 1, &p, 1);
	EXPECT_CORRUPT(&b, &e, 0, "frame 1: entry header cut short at offset 0");
	ia_buf_free(&b);
	ia_buf_free(&p);
	free(e.ev);
}

/* Frame types and entry kinds from a newer writer are skipped; HIST is counted. */
UNIT_TEST(trace_skips_unknown_frames_and_entries)
{
	static const __u8 blob[16] = { 1, 2, 3 };
	struct events e;
	struct ia_buf b, p, h;
	struct readout o;

	mixed_events(&e, 1);
	ia_buf_init(&p);
	ia_buf_init(&h);
	ia_tlv_u64(&h, 999, 7); /* a HIST tag from a newer writer */
	hand_start(&b, IA_TRACE_FORMAT, IA_ABI_VERSION, 0);
	ia_trace_put_frame(&b, 77, 1, 0, blob, sizeof(blob));
	ia_trace_put_frame(&b, IA_TF_HIST, 2, 0, h.data, h.len);
	ia_trace_put_entry(&p, IA_TR_RINGBUF, &e.ev[0], sizeof(e.ev[0]));
	ia_trace_put_entry(&p, 9, blob, 3);
	ia_trace_put_entry(&p, IA_TR_RINGBUF, &e.ev[1], sizeof(e.ev[1]));
	events_payload_frame(&b, 3, &p, 3);
	hand_end(&b, 4, 2);
	read_mem(b.data, b.len, &e, &o);
	CHECK_INT(o.st.state, IA_TRACE_COMPLETE);
	CHECK_INT(o.n, 2);
	CHECK(o.same);
	CHECK_INT(o.st.skipped, 2);
	CHECK_INT(o.st.hist_frames, 1);
	ia_buf_free(&p);
	ia_buf_free(&h);
	ia_buf_free(&b);
	free(e.ev);
}

UNIT_TEST(trace_end_frame_checks)
{
	struct events e;
	struct ia_buf b;
	struct readout o;
	size_t end;

	mixed_events(&e, 1);
	hand_start(&b, IA_TRACE_FORMAT, IA_ABI_VERSION, 0);
	hand_events(&b, 1, e.ev, 3);
	end = b.len;
	hand_end(&b, 2, 4);
	EXPECT_CORRUPT(&b, &e, 3, "the END frame counts 4 records, the file holds 3");
	b.len = end;
	hand_end(&b, 2, 3);
	ia_buf_put(&b, "junk", 4);
	EXPECT_CORRUPT(&b, &e, 3, "4 bytes after the END frame");
	b.len = end;
	ia_trace_put_frame(&b, IA_TF_END, 2, 0, "\x01\x00\x09\x00", 4); /* a TLV cut short */
	EXPECT_CORRUPT(&b, &e, 3, "frame 2: malformed END frame");
	b.len = end;
	hand_end(&b, 2, 3);
	read_mem(b.data, b.len, &e, &o);
	CHECK_INT(o.st.state, IA_TRACE_COMPLETE);
	ia_buf_free(&b);
	free(e.ev);
}

/* ---- the preamble and the HEADER frame ---- */

/* Why opening the recording failed ("" when it opened). */
static const char *open_msg(const struct ia_buf *b, struct readout *o)
{
	read_mem(b->data, b->len, NULL, o);
	return o->open_err ? o->msg : "";
}

UNIT_TEST(trace_refuses_other_versions)
{
	struct readout o;
	struct ia_buf b;
	char want[128];

	hand_start(&b, IA_TRACE_FORMAT + 1, IA_ABI_VERSION, 0);
	snprintf(want, sizeof(want), "format version %u is newer than this iommu-audit reads (%u)",
		 IA_TRACE_FORMAT + 1, IA_TRACE_FORMAT);
	CHECK_STR(open_msg(&b, &o), want);
	ia_buf_free(&b);
	hand_start(&b, 0, IA_ABI_VERSION, 0);
	CHECK_STR(open_msg(&b, &o), "malformed preamble");
	ia_buf_free(&b);
	for (unsigned int abi = 0; abi <= IA_ABI_VERSION + 1; abi++) {
		if (abi >= IA_ABI_OLDEST && abi <= IA_ABI_VERSION)
			continue; /* readable: test_abi.c */
		hand_start(&b, IA_TRACE_FORMAT, abi, 0);
		snprintf(want, sizeof(want),
			 "recorded with event ABI %u; this iommu-audit replays ABI %u to %u", abi,
			 IA_ABI_OLDEST, IA_ABI_VERSION);
		CHECK_STR(open_msg(&b, &o), want);
		ia_buf_free(&b);
	}
	hand_start(&b, IA_TRACE_FORMAT, IA_ABI_VERSION, IA_TRACE_F_BIG_ENDIAN);
	CHECK_STR(open_msg(&b, &o), "recorded on a host of the other byte order");
	ia_buf_free(&b);
	hand_start(&b, IA_TRACE_FORMAT, IA_ABI_VERSION, 0x100);
	CHECK_STR(open_msg(&b, &o), "unknown preamble flags 0x100");
	ia_buf_free(&b);
}

UNIT_TEST(trace_refuses_bad_preambles)
{
	struct readout o;
	struct ia_buf b;

	hand_start(&b, IA_TRACE_FORMAT, IA_ABI_VERSION, 0);
	b.data[21] ^= 1;
	CHECK_STR(open_msg(&b, &o), "preamble checksum mismatch");
	b.data[21] ^= 1;
	b.data[0] = 'G';
	CHECK_STR(open_msg(&b, &o), "not an iommu-audit recording");
	ia_buf_reset(&b);
	ia_buf_put(&b, "#!/bin/sh\necho hello\n", 21);
	CHECK_STR(open_msg(&b, &o), "not an iommu-audit recording");
	ia_buf_reset(&b);
	ia_trace_put_preamble(&b, IA_TRACE_FORMAT, IA_ABI_VERSION, 0);
	ia_set_le32(b.data + 16, 8); /* preamble length below its own size */
	ia_set_le32(b.data + 20, (__u32)crc32(0, b.data, 20));
	CHECK_STR(open_msg(&b, &o), "malformed preamble");
	ia_set_le32(b.data + 16, 64); /* longer than the file */
	ia_set_le32(b.data + 20, (__u32)crc32(0, b.data, 20));
	CHECK_STR(open_msg(&b, &o), "truncated in its preamble");
	ia_buf_free(&b);
}

/* A longer preamble from a newer writer of the same format: its extra bytes are skipped. */
UNIT_TEST(trace_longer_preamble)
{
	struct ia_buf b, full;
	struct events e;
	struct readout o;

	mixed_events(&e, 1);
	ia_buf_init(&b);
	ia_trace_put_preamble(&b, IA_TRACE_FORMAT, IA_ABI_VERSION, 0);
	ia_set_le32(b.data + 16, IA_TRACE_PREAMBLE_LEN + 8);
	ia_set_le32(b.data + 20, (__u32)crc32(0, b.data, 20));
	ia_buf_put(&b, "newfield", 8);
	hand_start(&full, IA_TRACE_FORMAT, IA_ABI_VERSION, 0);
	ia_buf_put(&b, full.data + IA_TRACE_PREAMBLE_LEN, full.len - IA_TRACE_PREAMBLE_LEN);
	hand_events(&b, 1, e.ev, 2);
	hand_end(&b, 2, 2);
	read_mem(b.data, b.len, &e, &o);
	CHECK_INT(o.open_err, 0);
	CHECK_INT(o.st.state, IA_TRACE_COMPLETE);
	CHECK_INT(o.n, 2);
	ia_buf_free(&b);
	ia_buf_free(&full);
	free(e.ev);
}

UNIT_TEST(trace_refuses_bad_header_frames)
{
	struct readout o;
	struct ia_buf b, p;
	size_t pos;

	ia_buf_init(&b);
	ia_buf_init(&p);
	ia_trace_put_preamble(&b, IA_TRACE_FORMAT, IA_ABI_VERSION, 0);
	ia_trace_put_frame(&b, IA_TF_EVENTS, 0, 0, "", 0);
	CHECK_STR(open_msg(&b, &o), "the first frame is not a HEADER frame (type 2)");
	b.len = IA_TRACE_PREAMBLE_LEN;
	ia_trace_put_frame(&b, IA_TF_HEADER, 0, 0, "\x01\x00\xff\xff\xff\xff", 6);
	CHECK_STR(open_msg(&b, &o), "malformed HEADER frame");
	b.len = IA_TRACE_PREAMBLE_LEN;
	pos = ia_tlv_open(&p, 9); /* the model, with too many groups */
	for (int i = 0; i <= IA_MODEL_MAX_GROUPS; i++)
		ia_tlv_bytes(&p, 1, NULL, 0);
	ia_tlv_close(&p, pos);
	ia_trace_put_frame(&b, IA_TF_HEADER, 0, 0, p.data, p.len);
	CHECK_STR(open_msg(&b, &o), "HEADER frame: the model exceeds this iommu-audit's limits");
	b.len = IA_TRACE_PREAMBLE_LEN;
	ia_trace_put_frame(&b, IA_TF_HEADER, 0, 0, "", 0);
	ia_buf_put(&b, "x", 1);
	b.data[IA_TRACE_PREAMBLE_LEN + IA_TRACE_FRAME_HDR_LEN] ^= 0xff;
	CHECK(strstr(open_msg(&b, &o), "damaged before its first record: frame 0: checksum mismatch") != NULL);
	ia_buf_free(&p);
	ia_buf_free(&b);
}

/* An empty HEADER: every field has a default, the model is empty. */
UNIT_TEST(trace_minimal_header)
{
	struct ia_buf b;
	struct readout o;

	ia_buf_init(&b);
	ia_trace_put_preamble(&b, IA_TRACE_FORMAT, IA_ABI_VERSION, 0);
	ia_trace_put_frame(&b, IA_TF_HEADER, 0, 0, "", 0);
	hand_end(&b, 1, 0);
	read_mem(b.data, b.len, NULL, &o);
	CHECK_INT(o.open_err, 0);
	CHECK_INT(o.st.state, IA_TRACE_COMPLETE);
	CHECK_STR(o.info.kernel, "");
	CHECK_INT(o.info.nprobes, 0);
	ia_buf_free(&b);
}

UNIT_TEST(trace_open_file_errors)
{
	struct ia_trace_reader *r;
	struct ia_trace_info info;
	struct ia_model m;
	char msg[128], path[64];

	CHECK_INT(ia_trace_open_read(&r, "/nonexistent/run.trace", &info, &m, msg, sizeof(msg)), -ENOENT);
	CHECK_STR(msg, "No such file or directory");
	CHECK(r == NULL);
	CHECK_INT(ia_trace_open_read(&r, "/tmp", &info, &m, msg, sizeof(msg)), -EINVAL);
	CHECK_STR(msg, "not a regular file");
	tmp_path(path, sizeof(path), "fifo");
	CHECK_INT(mkfifo(path, 0600), 0);
	CHECK_INT(ia_trace_open_read(&r, path, &info, &m, msg, sizeof(msg)), -EINVAL); /* without blocking */
	CHECK_STR(msg, "not a regular file");
	unlink(path);
	CHECK_INT(ia_trace_open_read(&r, "/proc/self/stat", &info, &m, msg, sizeof(msg)), -EBADMSG);
	CHECK_STR(msg, "empty file"); /* procfs files have no size */
}

/* A file cut while it is read (another process truncating it) ends the replay as truncated. */
UNIT_TEST(trace_file_shrinks_while_read)
{
	struct ia_trace_reader *r;
	struct ia_trace_status st;
	struct ia_trace_info info;
	struct ia_model m;
	struct events e;
	const void *rec;
	char path[64], msg[128];
	size_t len, n = 0, offs[16] = { 0 };
	struct ia_buf b;

	mixed_events(&e, 1);
	tmp_path(path, sizeof(path), "shrink.trace");
	write_trace(path, &e, &(struct wopts){ .flush_every = 10 });
	slurp(path, &b);
	frame_offsets(&b, offs, 16);
	CHECK_INT(ia_trace_open_read(&r, path, &info, &m, msg, sizeof(msg)), 0);
	CHECK_INT(truncate(path, (off_t)offs[2] + 8), 0);
	while (ia_trace_next(r, &rec, &len) > 0)
		n++;
	ia_trace_get_status(r, &st);
	CHECK_INT(n, 10);
	CHECK_INT(st.state, IA_TRACE_TRUNCATED);
	CHECK_STR(st.why, "the file shrank while it was read");
	ia_trace_close_read(r);
	ia_model_free(&m);
	unlink(path);
	ia_buf_free(&b);
	free(e.ev);
}

/* ---- the writer's failures ---- */

UNIT_TEST(trace_writer_open_errors)
{
	struct ia_trace_writer *w;
	struct ia_trace_info info;

	test_info(&info);
	CHECK_INT(ia_trace_open_write(&w, "/nonexistent/dir/run.trace", &info, NULL), -ENOENT);
	CHECK(w == NULL);
	CHECK_INT(ia_trace_open_write(&w, "/dev/full", &info, NULL), -ENOSPC);
	CHECK(w == NULL);
	CHECK_INT(ia_trace_close(NULL, NULL), 0);
}

/*
 * The file system refuses a frame halfway (a file size limit standing in for
 * a full disk): the error sticks, and the file keeps whole frames only.
 */
UNIT_TEST(trace_writer_failure_leaves_whole_frames)
{
	struct rlimit old, lim;
	struct ia_trace_writer *w;
	struct ia_trace_info info;
	struct events e;
	struct ia_buf b;
	struct readout o;
	char path[64];
	int err = 0;
	size_t i;

	mixed_events(&e, 40);
	test_info(&info);
	tmp_path(path, sizeof(path), "full.trace");
	getrlimit(RLIMIT_FSIZE, &old);
	signal(SIGXFSZ, SIG_IGN);
	CHECK_INT(ia_trace_open_write(&w, path, &info, NULL), 0);
	lim = old;
	lim.rlim_cur = 4096;
	setrlimit(RLIMIT_FSIZE, &lim);
	for (i = 0; !err && i < e.n; i++) {
		err = ia_trace_write_record(w, &e.ev[i], sizeof(e.ev[i]));
		if (!err && i % 50 == 49)
			err = ia_trace_flush(w);
	}
	setrlimit(RLIMIT_FSIZE, &old);
	signal(SIGXFSZ, SIG_DFL);
	CHECK_INT(err, -EFBIG);
	CHECK_INT(ia_trace_write_record(w, &e.ev[0], sizeof(e.ev[0])), -EFBIG);
	CHECK_INT(ia_trace_flush(w), -EFBIG);
	CHECK_INT(ia_trace_write_hist(w, &(struct ia_kstats){ .drops = 1 }), -EFBIG);
	CHECK_INT(ia_trace_write_syms(w, NULL, 0), -EFBIG);
	CHECK_INT(ia_trace_close(w, NULL), -EFBIG);
	slurp(path, &b);
	CHECK(b.len <= 4096);
	read_mem(b.data, b.len, &e, &o);
	CHECK_INT(o.st.state, IA_TRACE_TRUNCATED);
	CHECK_STR(o.st.why, "no END frame");
	CHECK(o.n > 0 && o.n % 50 == 0);
	CHECK(o.same);
	unlink(path);
	ia_buf_free(&b);
	free(e.ev);
}

UNIT_TEST(trace_writer_limits)
{
	struct ia_trace_writer *w;
	struct ia_trace_info info;
	char path[64];
	/* more histograms than a frame holds (each encodes to over 300 bytes) */
	struct ia_kstats big = { .nhists = IA_TRACE_MAX_RAW / 300 };

	big.hists = calloc(big.nhists, sizeof(*big.hists));
	test_info(&info);
	tmp_path(path, sizeof(path), "limits.trace");
	CHECK_INT(ia_trace_open_write(&w, path, &info, NULL), 0);
	CHECK_INT(ia_trace_write_syms(w, NULL, IA_TRACE_MAX_SYMS + 1), -E2BIG);
	CHECK_INT(ia_trace_write_hist(w, &big), -E2BIG);
	big.nhists = 10;
	CHECK_INT(ia_trace_write_hist(w, &big), 0);
	CHECK_INT(ia_trace_close(w, NULL), 0);
	unlink(path);
	free(big.hists);
}

/* ---- symbols ---- */

UNIT_TEST(trace_symbols)
{
	struct ia_ksym_addr syms[3] = { { 0x3000, "c_ops" }, { 0x1000, "a_ops" }, { 0x2000, "b_ops" } };
	struct ia_trace_writer *w;
	struct ia_trace_reader *r;
	struct ia_trace_info info;
	struct ia_model m;
	struct ia_buf b;
	const void *rec;
	char path[64], msg[128];
	size_t len;

	test_info(&info);
	tmp_path(path, sizeof(path), "syms.trace");
	CHECK_INT(ia_trace_open_write(&w, path, &info, NULL), 0);
	CHECK_INT(ia_trace_write_syms(w, syms, 2), 0);
	CHECK_INT(ia_trace_write_syms(w, syms + 2, 1), 0);
	CHECK_INT(ia_trace_close(w, NULL), 0);
	slurp(path, &b);
	CHECK_INT(ia_trace_open_mem(&r, b.data, b.len, &info, &m, msg, sizeof(msg)), 0);
	CHECK(ia_trace_sym_name(r, 0x1000) == NULL); /* SYMS frames are read as replay goes */
	while (ia_trace_next(r, &rec, &len) > 0)
		;
	CHECK_STR(ia_trace_sym_name(r, 0x1000), "a_ops");
	CHECK_STR(ia_trace_sym_name(r, 0x2000), "b_ops");
	CHECK_STR(ia_trace_sym_name(r, 0x3000), "c_ops");
	CHECK(ia_trace_sym_name(r, 0x2001) == NULL);
	CHECK(ia_trace_sym_name(NULL, 0x1000) == NULL);
	ia_trace_close_read(r);
	ia_model_free(&m);
	unlink(path);
	ia_buf_free(&b);
}

UNIT_TEST(trace_bad_symbols)
{
	struct ia_buf b, p;

	ia_buf_init(&p);
	hand_start(&b, IA_TRACE_FORMAT, IA_ABI_VERSION, 0);
	ia_tlv_bytes(&p, 1, "abc", 3); /* shorter than an address */
	ia_trace_put_frame(&b, IA_TF_SYMS, 1, 0, p.data, p.len);
	EXPECT_CORRUPT(&b, NULL, 0, "frame 1: malformed symbol");
	ia_buf_free(&b);
	hand_start(&b, IA_TRACE_FORMAT, IA_ABI_VERSION, 0);
	ia_trace_put_frame(&b, IA_TF_SYMS, 1, 0, "\x01\x00\x09", 3);
	EXPECT_CORRUPT(&b, NULL, 0, "frame 1: malformed SYMS frame");
	ia_buf_free(&b);
	hand_start(&b, IA_TRACE_FORMAT, IA_ABI_VERSION, 0);
	ia_buf_reset(&p);
	for (int i = 0; i <= IA_TRACE_MAX_SYMS; i++)
		ia_tlv_bytes(&p, 1, NULL, 0);
	ia_trace_put_frame(&b, IA_TF_SYMS, 1, 0, p.data, p.len);
	EXPECT_CORRUPT(&b, NULL, 0, "frame 1: more than 65536 symbols");
	ia_buf_free(&b);
	ia_buf_free(&p);
}

/* ---- status and host info ---- */

UNIT_TEST(trace_describe_states)
{
	struct ia_trace_status st = { .frames = 13, .offset = 40960, .records = 3072 };
	char msg[320];

	st.state = IA_TRACE_COMPLETE;
	ia_trace_describe(&st, msg, sizeof(msg));
	CHECK_STR(msg, "complete: 13 frames, 3072 records");
	st.state = IA_TRACE_TRUNCATED;
	strcpy(st.why, "no END frame");
	ia_trace_describe(&st, msg, sizeof(msg));
	CHECK_STR(msg, "truncated after frame 12 (byte 40960): replayed 3072 records; no END frame");
	st.state = IA_TRACE_CORRUPT;
	strcpy(st.why, "frame 13: checksum mismatch");
	ia_trace_describe(&st, msg, sizeof(msg));
	CHECK_STR(msg, "corrupt after frame 12 (byte 40960): replayed 3072 records; frame 13: checksum mismatch");
	st.state = IA_TRACE_FAILED;
	strcpy(st.why, "out of memory");
	ia_trace_describe(&st, msg, sizeof(msg));
	CHECK_STR(msg, "failed after frame 12 (byte 40960): replayed 3072 records; out of memory");
	st.state = IA_TRACE_READING;
	ia_trace_describe(&st, msg, sizeof(msg));
	CHECK_STR(msg, "reading: 13 frames, 3072 records so far");
}

UNIT_TEST(trace_info_from_host_and_probes)
{
	struct ia_trace_info info;
	struct ia_probe_status st[IA_HOOK_MAX];
	struct ia_features feat = { .btf = true, .kprobes = true };

	memset(&info, 0, sizeof(info));
	ia_trace_info_host(&info);
	CHECK(info.kernel[0] != '\0');
	CHECK(info.host[0] != '\0');
	CHECK(info.start_ns > 1600000000ull * 1000000000ull);
	CHECK(info.start_mono_ns > 0);
	memset(st, 0, sizeof(st));
	st[IA_HOOK_REALLY_PROBE] = (struct ia_probe_status){ .target = "really_probe", .via = IA_VIA_KPROBE };
	st[IA_HOOK_USE_DEFAULT].err = -ENOENT;
	strcpy(st[IA_HOOK_USE_DEFAULT].why, "not in kallsyms");
	ia_trace_info_probes(&info, st, &feat);
	CHECK_INT(info.features, IA_TRACE_FEAT_BTF | IA_TRACE_FEAT_KPROBES);
	CHECK_INT(info.nprobes, IA_HOOK_MAX - 1);
	CHECK_INT(ia_trace_probes_attached(&info), 1);
	CHECK_STR(ia_trace_probe_of(&info, IA_HOOK_REALLY_PROBE)->target, "really_probe");
	CHECK_INT(ia_trace_probe_of(&info, IA_HOOK_REALLY_PROBE)->via, IA_VIA_KPROBE);
	CHECK_STR(ia_trace_probe_of(&info, IA_HOOK_USE_DEFAULT)->why, "not in kallsyms");
	CHECK_INT(ia_trace_probe_of(&info, IA_HOOK_USE_DEFAULT)->err, -ENOENT);
	CHECK_STR(ia_trace_probe_of(&info, IA_HOOK_DOMAIN_FREE)->target, "");
}

/* ---- size ---- */

/*
 * A less regular stream than mixed_events(): 16 devices in 8 groups, each
 * step a random one of rebind, refused bind, attach failures, domain
 * allocation, by one of 64 threads.
 */
static void varied_events(struct events *e, int steps)
{
	static const char *const drv[] = { "e1000e", "igb", "nvme", "xhci_hcd" };
	struct scn s;

	memset(e, 0, sizeof(*e));
	scn_init(&s, collect, e);
	for (int i = 0; i < steps; i++) {
		__u32 r = scn_rand(&s), tid = 300 + r % 64;
		char dev[16];
		int grp = 10 + (int)(r >> 8) % 8;

		snprintf(dev, sizeof(dev), "0000:%02x:00.%d", grp, (int)(r >> 12) % 2);
		switch ((r >> 16) % 4) {
		case 0:
			scn_unbind(&s, tid, dev, drv[grp % 4], grp, true);
			scn_bind(&s, tid, dev, "vfio-pci", grp, false, 0);
			break;
		case 1:
			scn_bind(&s, tid, dev, drv[grp % 4], grp, true, (r >> 20) % 3 ? 0 : -EBUSY);
			break;
		case 2:
			scn_attach(&s, tid, dev, grp, s.domain += 0x800, (r >> 20) % 2 ? 0 : -EINVAL);
			break;
		default:
			scn_domain_alloc(&s, tid, dev, grp, (r >> 20) % 4 ? 0 : -ENOMEM);
			break;
		}
	}
}

/* Bytes per event of a stream written in frames of flush records. */
static double bytes_per_event(const struct events *e, size_t flush, size_t *total)
{
	size_t offs[8192] = { 0 }, nf, events_bytes = 0;
	struct ia_buf b;

	trace_mem(&b, e, &(struct wopts){ .flush_every = flush });
	nf = frame_offsets(&b, offs, 8192);
	for (size_t f = 1; f + 1 < nf; f++)
		events_bytes += IA_TRACE_FRAME_HDR_LEN + ia_get_le32(b.data + offs[f] + 16);
	*total = b.len;
	ia_buf_free(&b);
	return (double)events_bytes / (double)e->n;
}

/*
 * The size a recording costs, frame headers included; printed for the
 * record. Frames of 16 records stand for a quiet host flushed every second,
 * 256 for a busy one, 4096 for a full frame.
 */
UNIT_TEST(trace_bytes_per_event)
{
	static const size_t flushes[] = { 16, 256, 4096 };
	struct events e[2];
	size_t total;
	double per;

	mixed_events(&e[0], 1000);
	varied_events(&e[1], 20000);
	for (int k = 0; k < 2; k++) {
		for (size_t i = 0; i < 3; i++) {
			per = bytes_per_event(&e[k], flushes[i], &total);
			fprintf(stderr, "  %s: %zu events of %zu bytes, frames of %zu: %.1f bytes per event (%zu bytes)\n",
				k ? "varied stream" : "repeated scenarios", e[k].n, sizeof(struct ia_event),
				flushes[i], per, total);
			CHECK(per < (flushes[i] == 16 ? 64.0 : 32.0));
		}
		free(e[k].ev);
	}
}

/* ---- replay ---- */

struct feed_log {
	__u64 seqs;
	size_t n;
};

static void on_decoded(void *ctx, const struct ia_decoded *d)
{
	struct feed_log *l = ctx;

	l->seqs += d->seq;
	l->n++;
}

/* Replaying a recording gives what the live engine had: state, findings, stats. */
UNIT_TEST(replay_matches_live_engine)
{
	struct ia_engine_opts eo = { .use_default_hooked = false };
	struct feed_log log = { 0 };
	struct ia_engine live;
	struct ia_replay rp;
	struct ia_decoded d;
	struct ia_model m;
	struct events e;
	struct ia_buf b;
	char msg[128];

	mixed_events(&e, 2);
	scn_model(&m);
	ia_engine_init(&live, &m, &eo);
	for (size_t i = 0; i < e.n; i++)
		ia_engine_feed(&live, &e.ev[i], sizeof(e.ev[i]), &d);
	ia_engine_finish(&live);
	trace_mem(&b, &e, &(struct wopts){ .flush_every = 16, .syms = true });
	CHECK_INT(ia_replay_open_mem(&rp, b.data, b.len, msg, sizeof(msg)), 0);
	/* test_info: use_default did not attach, so the engine must not rely on it */
	CHECK(!rp.engine.opts.use_default_hooked);
	CHECK_INT(ia_replay_run(&rp, on_decoded, &log), 0);
	CHECK_INT(rp.status.state, IA_TRACE_COMPLETE);
	CHECK_INT(log.n, e.n);
	CHECK(log.seqs == (__u64)e.n * (e.n + 1) / 2);
	CHECK_INT(rp.engine.stats.records, live.stats.records);
	CHECK_INT(rp.engine.nfindings, live.nfindings);
	for (size_t i = 0; i < live.nfindings && i < rp.engine.nfindings; i++) {
		CHECK_INT(rp.engine.findings[i].rule, live.findings[i].rule);
		CHECK_STR(rp.engine.findings[i].detail, live.findings[i].detail);
	}
	CHECK_INT(rp.engine.model.ngroups, live.model.ngroups);
	CHECK_STR(ia_model_find_dev(&rp.engine.model, SCN_NIC, NULL)->driver, "e1000e");
	ia_replay_close(&rp);
	ia_engine_free(&live);
	ia_model_free(&m);
	ia_buf_free(&b);
	free(e.ev);
}

/* Malformed records are the engine's to count; replay goes on. */
UNIT_TEST(replay_counts_malformed_records)
{
	struct ia_trace_writer *w;
	struct ia_trace_info info;
	struct ia_replay rp;
	struct events e;
	struct ia_event bad;
	char path[64], msg[128];

	mixed_events(&e, 1);
	bad = e.ev[0];
	bad.hook = 999;
	test_info(&info);
	tmp_path(path, sizeof(path), "malformed.trace");
	ia_trace_open_write(&w, path, &info, NULL);
	ia_trace_write_record(w, &bad, sizeof(bad));
	ia_trace_write_record(w, "short", 5);
	ia_trace_write_record(w, &e.ev[0], sizeof(e.ev[0]));
	ia_trace_close(w, NULL);
	CHECK_INT(ia_replay_open(&rp, path, msg, sizeof(msg)), 0);
	CHECK_INT(ia_replay_run(&rp, NULL, NULL), 0);
	CHECK_INT(rp.engine.stats.records, 3);
	CHECK_INT(rp.engine.stats.bad_records, 2);
	CHECK_INT(rp.status.state, IA_TRACE_COMPLETE);
	ia_replay_close(&rp);
	CHECK_INT(ia_replay_open(&rp, "/nonexistent.trace", msg, sizeof(msg)), -ENOENT);
	unlink(path);
	free(e.ev);
}

UNIT_TEST(replay_use_default_from_probes)
{
	struct ia_trace_info info;
	struct ia_buf b, p;
	struct ia_replay rp;
	char msg[128];

	test_info(&info);
	info.probes[1].via = IA_VIA_KPROBE;
	ia_buf_init(&b);
	ia_buf_init(&p);
	ia_trace_put_preamble(&b, IA_TRACE_FORMAT, IA_ABI_VERSION, 0);
	ia_trace_encode_header(&p, &info, NULL);
	ia_trace_put_frame(&b, IA_TF_HEADER, 0, 0, p.data, p.len);
	CHECK_INT(ia_replay_open_mem(&rp, b.data, b.len, msg, sizeof(msg)), 0);
	CHECK(rp.engine.opts.use_default_hooked);
	CHECK(rp.engine.opts.sym_name == ia_trace_sym_name);
	ia_replay_close(&rp);
	ia_buf_free(&p);
	ia_buf_free(&b);
}

UNIT_TEST(replay_exit_errnos)
{
	struct ia_event ev = { .type = IA_REC_CALL, .size = sizeof(ev), .phase = IA_PH_EXIT };

	ev.hook = IA_HOOK_USE_DEFAULT;
	ev.ret = -EBUSY;
	CHECK_INT(ia_exit_errno(&ev), EBUSY);
	ev.ret = 0;
	CHECK_INT(ia_exit_errno(&ev), 0);
	ev.ret = -5000; /* not an errno */
	CHECK_INT(ia_exit_errno(&ev), 0);
	ev.hook = IA_HOOK_REALLY_PROBE;
	ev.ret = ENODEV; /* a driver's probe error comes back positive */
	CHECK_INT(ia_exit_errno(&ev), ENODEV);
	ev.hook = IA_HOOK_USE_DEFAULT;
	CHECK_INT(ia_exit_errno(&ev), 0);
	ev.hook = IA_HOOK_DOMAIN_ALLOC;
	ev.flags = IA_F_RET_PTR;
	ev.ret = (__s64)0xffff888107a0c000ull; /* a domain */
	CHECK_INT(ia_exit_errno(&ev), 0);
	ev.ret = -ENOMEM; /* ERR_PTR(-ENOMEM) */
	CHECK_INT(ia_exit_errno(&ev), ENOMEM);
	ev.hook = IA_HOOK_RELEASE_DRIVER; /* void */
	ev.flags = 0;
	CHECK_INT(ia_exit_errno(&ev), 0);
	ev.hook = IA_HOOK_USE_DEFAULT;
	ev.phase = IA_PH_ENTER;
	CHECK_INT(ia_exit_errno(&ev), 0);
	ev.phase = IA_PH_EXIT;
	ev.hook = 999;
	CHECK_INT(ia_exit_errno(&ev), 0);
}

static void print_both(void *ctx, const struct ia_decoded *d)
{
	struct ia_json j;

	ia_json_init(&j, ctx);
	ia_event_print_text(ctx, d, 0);
	ia_event_print_json(&j, d);
}

/* Found by the fuzzer: a recorded return value of LONG_MIN, printed (UBSan: -LONG_MIN). */
UNIT_TEST(replay_prints_extreme_returns)
{
	static const __s64 rets[] = { INT64_MIN, INT64_MAX, -4096, -4095, 4096 };
	struct ia_replay rp;
	struct events e;
	struct ia_buf b;
	char msg[128];
	FILE *null = fopen("/dev/null", "w");

	CHECK(ia_errno_name(INT64_MIN) == NULL);
	CHECK(ia_errno_name(-4096) == NULL);
	CHECK_STR(ia_errno_name(-EBUSY), "EBUSY");
	mixed_events(&e, 1);
	for (size_t i = 0; i < e.n && i < 5 * 4; i++)
		if (e.ev[i].phase == IA_PH_EXIT)
			e.ev[i].ret = rets[i % 5];
	trace_mem(&b, &e, NULL);
	CHECK_INT(ia_replay_open_mem(&rp, b.data, b.len, msg, sizeof(msg)), 0);
	CHECK_INT(ia_replay_run(&rp, print_both, null), 0);
	CHECK_INT(rp.status.state, IA_TRACE_COMPLETE);
	ia_replay_close(&rp);
	fclose(null);
	ia_buf_free(&b);
	free(e.ev);
}

/* A damaged recording replays what it can; the status says where it stopped. */
UNIT_TEST(replay_partial)
{
	struct ia_replay rp;
	struct events e;
	struct ia_buf b;
	size_t offs[64] = { 0 };
	char msg[128];

	mixed_events(&e, 2);
	trace_mem(&b, &e, &(struct wopts){ .flush_every = 10 });
	frame_offsets(&b, offs, 64);
	CHECK_INT(ia_replay_open_mem(&rp, b.data, offs[3] + 5, msg, sizeof(msg)), 0);
	CHECK_INT(ia_replay_run(&rp, NULL, NULL), 0);
	CHECK_INT(rp.status.state, IA_TRACE_TRUNCATED);
	CHECK_INT(rp.engine.stats.records, 20);
	CHECK_INT(rp.status.frames, 3);
	ia_replay_close(&rp);
	CHECK_INT(ia_replay_open_mem(&rp, b.data, 10, msg, sizeof(msg)), -EBADMSG);
	CHECK_STR(msg, "truncated in its preamble (10 bytes)");
	ia_buf_free(&b);
	free(e.ev);
}

/* ---- the exit report ---- */

static char *report_text(const struct ia_engine *e, const struct ia_run_counts *c, bool json)
{
	static char out[8192];
	FILE *f = fmemopen(out, sizeof(out) - 1, "w");
	struct ia_json j;

	memset(out, 0, sizeof(out));
	if (json) {
		ia_json_init(&j, f);
		ia_report_print_json(&j, e, c);
	} else {
		ia_report_print_text(f, e, c);
	}
	fclose(f);
	return out;
}

UNIT_TEST(report_out_text_and_json)
{
	struct ia_fault_stat fault = { .dev = SCN_NIC, .n = 4 };
	struct ia_ioctl_stat ioctl = { .nr = 0x85, .h = { .calls = 3, .errors = 1 } };
	struct ia_kstats ks = { .faults = &fault, .nfaults = 1, .ioctls = &ioctl, .nioctls = 1,
				.have_full = true, .full = { .hists = 5, .unstarted = 2 } };
	struct ia_run_counts known = { .known = true, .submitted = 31, .drops = 2, .probes_attached = 19,
				       .kstats = &ks };
	struct ia_run_counts unknown = { .probes_attached = 3 };
	struct ia_replay rp;
	struct events e;
	struct ia_buf b;
	char msg[128], *t;
	size_t reported = 0;
	FILE *f;

	mixed_events(&e, 1);
	trace_mem(&b, &e, NULL);
	ia_replay_open_mem(&rp, b.data, b.len, msg, sizeof(msg));
	ia_replay_run(&rp, NULL, NULL);
	t = report_text(&rp.engine, &known, false);
	CHECK(strncmp(t, "\nfinal state:\ngroup 6 ", 22) == 0);
	CHECK(strstr(t, "findings: 3 (bind-refused 1, soft-failure 1, hard-failure 1)\n") != NULL);
	CHECK(strstr(t, "FINDING warning bind-refused") != NULL);
	CHECK(strstr(t, "\nmap/unmap: no calls\niommufd ioctl IOAS_MAP                 3 (1 failed)")
	      != NULL);
	CHECK(strstr(t, "\nio_page_fault 0000:01:00.0: 4\n"
			"records 28, dropped 2, malformed 0, unpaired exits 0, probes 19 attached\n"
			"kernel maps full: 0 calls not timed, 5 map/unmap calls, 0 ioctls, 0 page faults not counted\n")
	      != NULL);
	t = report_text(&rp.engine, &unknown, false);
	CHECK(strstr(t, "map/unmap") == NULL);
	CHECK(strstr(t, "io_page_fault") == NULL);
	CHECK(strstr(t, "records 28, dropped ?, malformed 0, unpaired exits 0, probes 3 attached\n") != NULL);
	t = report_text(&rp.engine, &known, true);
	CHECK(strstr(t, "{\"type\":\"group\",\"schema\":1,\"source\":\"engine\",\"id\":6,") == t);
	CHECK(strstr(t, "{\"type\":\"summary\",\"schema\":1,\"records\":28,\"submitted\":31,\"drops\":2,"
			"\"malformed\":0,\"unpaired_exits\":0,\"lost_frames\":0,\"unusable\":0,"
			"\"untracked_objects\":0,\"core_attaches\":0,\"core_attaches_unseen\":0,\"probes_attached\":19,"
			"\"findings\":3,\"iommufd_ctxs_closed\":0,\"iommufd_ctxs_open\":0,"
			"\"ioctls\":{\"IOAS_MAP\":3},\"ioctl_errors\":{\"IOAS_MAP\":1},"
			"\"page_faults\":{\"0000:01:00.0\":4},"
			"\"map_full\":{\"hist_starts\":0,\"hists\":5,\"ioctls\":0,\"faults\":0,\"unstarted\":2},"
			 "\"records_lost\":0,\"resyncs\":0}\n") != NULL);
	CHECK(strstr(t, "{\"type\":\"ioctl\",\"schema\":1,\"scope\":\"run\",\"command\":\"IOAS_MAP\","
			"\"nr\":133,\"calls\":3,\"errors\":1,") != NULL);
	t = report_text(&rp.engine, &unknown, true);
	CHECK(strstr(t, "\"submitted\":null,\"drops\":null,") != NULL);
	CHECK(strstr(t, "\"ioctls\":null,\"ioctl_errors\":null,\"page_faults\":null,\"map_full\":null,"
		     "\"records_lost\":0,\"resyncs\":0}") != NULL);
	f = fmemopen(msg, sizeof(msg), "w");
	ia_report_new_findings(&rp.engine, &reported, f, NULL);
	fclose(f);
	CHECK_INT(reported, 3);
	ia_report_new_findings(&rp.engine, &reported, stdout, NULL); /* nothing new */
	CHECK_INT(reported, 3);
	ia_replay_close(&rp);
	ia_buf_free(&b);
	free(e.ev);
}

/* ---- diff ---- */

static void replay_of(struct ia_replay *rp, void (*scenario)(struct scn *), struct ia_buf *b)
{
	struct events e = { 0 };
	struct scn s;
	char msg[128];

	scn_init(&s, collect, &e);
	scenario(&s);
	trace_mem(b, &e, NULL);
	ia_replay_open_mem(rp, b->data, b->len, msg, sizeof(msg));
	ia_replay_run(rp, NULL, NULL);
	free(e.ev);
}

static void before(struct scn *s)
{
	scn_rebind(s, 10);
	scn_soft_failure(s, 11, 1);
	scn_domain_alloc(s, 12, SCN_MOCK, 9, -ENOMEM);
}

static void after(struct scn *s)
{
	scn_rebind(s, 10);
	scn_bind_refused(s, 13);
	scn_bind_refused(s, 13);
	scn_soft_failure(s, 11, 3);
	scn_domain_alloc(s, 12, SCN_MOCK, 9, 0);
}

static const struct ia_diff_errno *diff_row(const struct ia_diff *d, __u16 hook, __u16 err)
{
	for (size_t i = 0; i < d->nerrnos; i++)
		if (d->errnos[i].hook == hook && d->errnos[i].err == err)
			return &d->errnos[i];
	return NULL;
}

UNIT_TEST(diff_before_after)
{
	struct ia_diff_opts o = { 0 };
	struct ia_replay a, b;
	struct ia_buf ba, bb;
	const struct ia_diff_errno *row;
	struct ia_diff d;

	replay_of(&a, before, &ba);
	replay_of(&b, after, &bb);
	CHECK_INT(ia_diff_compute(&d, &a, &b, &o), 0);
	CHECK_INT(d.findings[IA_RULE_BIND_REFUSED][0], 0);
	CHECK_INT(d.findings[IA_RULE_BIND_REFUSED][1], 2);
	CHECK_INT(d.findings[IA_RULE_SOFT_FAILURE][0], 1);
	CHECK_INT(d.findings[IA_RULE_SOFT_FAILURE][1], 1);
	CHECK_INT(d.soft_retries[0], 1);
	CHECK_INT(d.soft_retries[1], 3);
	CHECK_INT(d.new_findings, 2);
	CHECK(d.worse);
	row = diff_row(&d, IA_HOOK_REALLY_PROBE, EBUSY);
	CHECK(row && row->n[0] == 0 && row->n[1] == 2);
	row = diff_row(&d, IA_HOOK_USE_DEFAULT, EBUSY);
	CHECK(row && row->n[1] == 2);
	row = diff_row(&d, IA_HOOK_ATTACH_DEV_CORE, EINVAL);
	CHECK(row && row->n[0] == 1 && row->n[1] == 3);
	row = diff_row(&d, IA_HOOK_DOMAIN_ALLOC, ENOMEM);
	CHECK(row && row->n[0] == 1 && row->n[1] == 0);
	CHECK_INT(d.exits[IA_HOOK_DOMAIN_ALLOC][1], 1);
	for (size_t i = 1; i < d.nerrnos; i++)
		CHECK(d.errnos[i - 1].hook < d.errnos[i].hook ||
		      (d.errnos[i - 1].hook == d.errnos[i].hook && d.errnos[i - 1].err < d.errnos[i].err));
	ia_diff_free(&d);

	o.max_new = 2; /* tolerated */
	ia_diff_compute(&d, &a, &b, &o);
	CHECK(!d.worse);
	ia_diff_free(&d);
	o.max_new = 0;
	o.rules = 1u << IA_RULE_SOFT_FAILURE; /* bind refusals not compared */
	ia_diff_compute(&d, &a, &b, &o);
	CHECK_INT(d.new_findings, 0);
	CHECK(!d.worse);
	CHECK(ia_diff_compares(&o, IA_RULE_SOFT_FAILURE));
	CHECK(!ia_diff_compares(&o, IA_RULE_BIND_REFUSED));
	ia_diff_free(&d);
	/* b against a: fewer findings is never worse */
	o.rules = 0;
	ia_diff_compute(&d, &b, &a, &o);
	CHECK_INT(d.new_findings, 0);
	CHECK(!d.worse);
	ia_diff_free(&d);
	ia_replay_close(&a);
	ia_replay_close(&b);
	ia_buf_free(&ba);
	ia_buf_free(&bb);
}

/*
 * A recording's names are untrusted: an event whose device, driver and task
 * names fill their fields without a terminating NUL, last in its frame,
 * replays with the names cut at their field's end (found by the fuzzer:
 * the text view read past the frame).
 */
static void print_text_record(void *ctx, const struct ia_decoded *d)
{
	ia_event_print_text(ctx, d, 1);
}

UNIT_TEST(trace_unterminated_names_stay_in_their_fields)
{
	struct events e;
	struct ia_replay rp;
	struct ia_buf b;
	char msg[128], *out = NULL;
	size_t len = 0;
	FILE *f;

	struct ia_event ev = scn_bare(IA_HOOK_REALLY_PROBE, IA_PH_ENTER, 7, 1, SCN_NIC, "e1000e", 6);

	memset(ev.dev_name, 'D', sizeof(ev.dev_name));
	memset(ev.drv_name, 'R', sizeof(ev.drv_name));
	memset(ev.comm, 'C', sizeof(ev.comm));
	memset(&e, 0, sizeof(e));
	collect(&e, &ev);
	trace_mem(&b, &e, NULL);
	CHECK_INT(ia_replay_open_mem(&rp, b.data, b.len, msg, sizeof(msg)), 0);
	f = open_memstream(&out, &len);
	CHECK_INT(ia_replay_run(&rp, print_text_record, f), 0);
	CHECK_INT(rp.engine.stats.records, 1);
	fclose(f);
	CHECK(strstr(out, " dev=DDDDDDDDDDDDDDDDDDDDDDDDDDDDDDD drv=RRRRRRRRRRRRRRRRRRRRRRRRRRRRRRR ") != NULL);
	CHECK(strstr(out, "[CCCCCCCCCCCCCCC 7]\n") != NULL);
	free(out);
	ia_replay_close(&rp);
	free(b.data);
	free(e.ev);
}

/* ---- lost records and resyncs in a recording ---- */

/* sysfs after the loss: group 6's NIC on vfio-pci, 7 gone, 12 with 300 devices (three entries). */
static void resync_model(struct ia_model *m)
{
	struct ia_group *g;
	struct ia_dev *d;

	scn_model(m);
	d = ia_model_find_dev(m, SCN_NIC, NULL);
	strcpy(d->driver, "vfio-pci");
	d->dma = IA_DMA_USER;
	ia_model_remove_group(m, ia_model_group(m, 7, false));
	g = ia_model_group(m, 12, true);
	strcpy(g->type, "DMA");
	ia_group_add_resv(g, 0xfee00000, 0xfeefffff, "msi");
	for (int i = 0; i < 300; i++) {
		char name[IA_NAME_LEN];

		snprintf(name, sizeof(name), "0000:%02x:%02x.%d", 0x40 + i / 32, i % 32, i % 8);
		d = ia_group_dev(g, name, true);
		strcpy(d->driver, i % 2 ? "nvme" : "");
		d->dma = i % 2 ? IA_DMA_KERNEL : IA_DMA_NONE;
	}
}

/*
 * The first half of e, a loss of 9, the resync, the second half: written
 * (w non-NULL) and fed to en the way live does it, side by side.
 */
static int lost_and_resynced(struct ia_trace_writer *w, struct ia_engine *en, const struct events *e)
{
	struct ia_model fresh;
	struct ia_decoded d;
	int err = 0;

	resync_model(&fresh);
	for (size_t i = 0; !err && i < e->n; i++) {
		if (i == e->n / 2) {
			ia_engine_records_lost(en, 9);
			err = ia_trace_write_lost(w, 9) ?: ia_trace_write_resync(w, &fresh);
			if (!err)
				err = ia_engine_resync(en, &fresh);
		}
		if (!err)
			err = ia_trace_write_record(w, &e->ev[i], sizeof(e->ev[i]));
		ia_engine_feed(en, &e->ev[i], sizeof(e->ev[i]), &d);
	}
	ia_model_free(&fresh);
	return err;
}

static bool same_group(const struct ia_group *a, const struct ia_group *b)
{
	if (a->id != b->id || strcmp(a->type, b->type) || a->ndevs != b->ndevs || a->nresv != b->nresv ||
	    a->unverified != b->unverified || a->owner != b->owner || a->owner_cnt != b->owner_cnt)
		return false;
	for (size_t i = 0; i < a->ndevs; i++)
		if (strcmp(a->devs[i].name, b->devs[i].name) || strcmp(a->devs[i].driver, b->devs[i].driver) ||
		    a->devs[i].dma != b->devs[i].dma || a->devs[i].domain != b->devs[i].domain)
			return false;
	return true;
}

UNIT_TEST(trace_resync_replays_to_the_live_state)
{
	struct ia_counters c = { .events = 100, .drops = 9 };
	struct ia_trace_writer *w;
	struct ia_trace_info info;
	struct ia_replay rp;
	struct ia_engine live;
	struct ia_model m;
	struct events e;
	char path[64], msg[160];

	mixed_events(&e, 2);
	test_info(&info);
	scn_model(&m);
	ia_engine_init(&live, &m, NULL);
	CHECK_INT(ia_trace_open_write(&w, tmp_path(path, sizeof(path), "resync.trace"), &info, &m), 0);
	ia_model_free(&m);
	CHECK_INT(lost_and_resynced(w, &live, &e), 0);
	CHECK_INT(ia_trace_close(w, &c), 0);
	ia_engine_finish(&live);
	CHECK_INT(live.stats.resyncs, 1);
	CHECK_INT(ia_replay_open(&rp, path, msg, sizeof(msg)), 0);
	CHECK_INT(ia_replay_run(&rp, NULL, NULL), 0);
	CHECK_INT(rp.status.state, IA_TRACE_COMPLETE);
	CHECK_INT(rp.status.records, e.n);
	CHECK_INT(rp.engine.stats.records_lost, 9);
	CHECK_INT(rp.engine.stats.resyncs, 1);
	CHECK_INT(rp.engine.stats.bad_records, 0);
	CHECK_INT(rp.engine.model.ngroups, live.model.ngroups);
	for (size_t i = 0; i < live.model.ngroups && i < rp.engine.model.ngroups; i++)
		CHECK(same_group(&live.model.groups[i], &rp.engine.model.groups[i]));
	CHECK(ia_model_group(&rp.engine.model, 12, false) &&
	      ia_model_group(&rp.engine.model, 12, false)->ndevs == 300);
	CHECK(!ia_model_group(&rp.engine.model, 7, false) == !ia_model_group(&live.model, 7, false));
	CHECK_INT(rp.engine.nfindings, live.nfindings);
	for (size_t i = 0; i < live.nfindings && i < rp.engine.nfindings; i++) {
		CHECK_INT(rp.engine.findings[i].rule, live.findings[i].rule);
		CHECK_STR(rp.engine.findings[i].detail, live.findings[i].detail);
		CHECK_INT(rp.engine.findings[i].nevidence, live.findings[i].nevidence);
		CHECK_INT(rp.engine.findings[i].evidence[0], live.findings[i].evidence[0]);
	}
	CHECK(ia_engine_found(&rp.engine, 1u << IA_RULE_RECORDS_LOST));
	ia_replay_close(&rp);
	ia_engine_free(&live);
	unlink(path);
	free(e.ev);
}

/* A reader of records alone (ia_trace_next, as older versions read) skips the new entries. */
UNIT_TEST(trace_resync_entries_skipped_by_record_readers)
{
	struct ia_trace_writer *w;
	struct ia_trace_info info;
	struct ia_trace_reader *r;
	struct ia_trace_status st;
	struct ia_engine scratch;
	struct ia_model m;
	struct events e;
	const void *rec;
	size_t len, n = 0;
	char path[64], msg[160];

	mixed_events(&e, 1);
	test_info(&info);
	scn_model(&m);
	ia_engine_init(&scratch, &m, NULL);
	CHECK_INT(ia_trace_open_write(&w, tmp_path(path, sizeof(path), "resync2.trace"), &info, &m), 0);
	ia_model_free(&m);
	CHECK_INT(lost_and_resynced(w, &scratch, &e), 0);
	CHECK_INT(ia_trace_close(w, NULL), 0);
	CHECK_INT(ia_trace_open_read(&r, path, &info, &m, msg, sizeof(msg)), 0);
	while (ia_trace_next(r, &rec, &len) > 0)
		n++;
	ia_trace_get_status(r, &st);
	CHECK_INT(n, e.n);
	CHECK_INT(st.state, IA_TRACE_COMPLETE);
	/* LOST, groups 6, 9 and 12 in five entries (12's 300 devices in three), RESYNC */
	CHECK_INT(st.skipped, 7);
	ia_trace_close_read(r);
	ia_model_free(&m);
	ia_engine_free(&scratch);
	unlink(path);
	free(e.ev);
}

/* Damaged resync entries are counted as malformed and change nothing. */
UNIT_TEST(trace_resync_malformed_entries)
{
	struct ia_trace_info info;
	struct ia_replay rp;
	struct ia_buf b, p;
	struct ia_model m;
	__u8 junk[5] = { 0xff, 0xff, 0xff, 0xff, 0xff };
	char msg[160];

	test_info(&info);
	scn_model(&m);
	ia_buf_init(&b);
	ia_buf_init(&p);
	ia_trace_put_preamble(&b, IA_TRACE_FORMAT, IA_ABI_VERSION, 0);
	ia_trace_encode_header(&p, &info, &m);
	CHECK_INT(ia_trace_put_frame(&b, IA_TF_HEADER, 0, 0, p.data, p.len), 0);
	ia_buf_reset(&p);
	ia_trace_put_entry(&p, IA_TR_LOST, junk, 4);	       /* not a __u64 */
	ia_trace_put_entry(&p, IA_TR_RESYNC_GROUP, junk, 5); /* not TLVs */
	ia_trace_put_entry(&p, IA_TR_RESYNC, junk, 5);
	CHECK_INT(ia_trace_put_frame(&b, IA_TF_EVENTS, 1, 3, p.data, p.len), 0);
	ia_buf_reset(&p);
	ia_trace_encode_end(&p, 0, 1, NULL);
	CHECK_INT(ia_trace_put_frame(&b, IA_TF_END, 2, 0, p.data, p.len), 0);
	CHECK_INT(ia_replay_open_mem(&rp, b.data, b.len, msg, sizeof(msg)), 0);
	CHECK_INT(ia_replay_run(&rp, NULL, NULL), 0);
	CHECK_INT(rp.status.state, IA_TRACE_COMPLETE);
	CHECK_INT(rp.engine.stats.bad_records, 3);
	CHECK_INT(rp.engine.stats.records_lost, 0);
	CHECK_INT(rp.engine.stats.resyncs, 0);
	CHECK_INT(rp.engine.nfindings, 0);
	CHECK_INT(rp.engine.model.ngroups, m.ngroups);
	ia_replay_close(&rp);
	ia_model_free(&m);
	ia_buf_free(&b);
	ia_buf_free(&p);
}

/* A recording whose END counts drops but holds no LOST entry (older writers): no finding. */
UNIT_TEST(trace_end_drops_raise_no_records_lost)
{
	struct ia_replay rp;
	struct events e;
	char path[64], msg[160];

	mixed_events(&e, 1);
	CHECK_INT(write_trace(tmp_path(path, sizeof(path), "drops.trace"), &e, NULL), 0);
	CHECK_INT(ia_replay_open(&rp, path, msg, sizeof(msg)), 0);
	CHECK_INT(ia_replay_run(&rp, NULL, NULL), 0);
	CHECK_INT(rp.status.end.drops, 3);
	CHECK(!ia_engine_found(&rp.engine, 1u << IA_RULE_RECORDS_LOST));
	CHECK_INT(rp.engine.stats.records_lost, 0);
	ia_replay_close(&rp);
	unlink(path);
	free(e.ev);
}

/* ---- older event ABIs ---- */

/* The events of scn_bind_refused as an ABI 4 probe wrote them: 232 bytes each. */
static void abi4_events(struct ia_buf *b, struct events *e)
{
	struct ia_buf p;
	struct scn s;

	memset(e, 0, sizeof(*e));
	scn_init(&s, collect, e);
	scn_bind_refused(&s, 13);
	ia_buf_init(&p);
	for (size_t i = 0; i < e->n; i++) {
		struct ia_event v = e->ev[i];

		v.size = IA_EVENT_V4_SIZE;
		ia_trace_put_entry(&p, IA_TR_RINGBUF, &v, IA_EVENT_V4_SIZE);
	}
	hand_start(b, IA_TRACE_FORMAT, 4, 0);
	ia_trace_put_frame(b, IA_TF_EVENTS, 1, (__u32)e->n, p.data, p.len);
	hand_end(b, 2, e->n);
	ia_buf_free(&p);
}

UNIT_TEST(trace_reads_abi4_records_as_today)
{
	struct ia_trace_reader *r;
	struct ia_trace_info info;
	struct ia_model m;
	struct events e;
	struct ia_buf b;
	const void *rec;
	char msg[128];
	size_t len, n = 0;

	abi4_events(&b, &e);
	CHECK_INT(ia_trace_open_mem(&r, b.data, b.len, &info, &m, msg, sizeof(msg)), 0);
	CHECK_INT(info.abi, 4);
	while (ia_trace_next(r, &rec, &len) > 0) {
		const struct ia_event *ev = rec;
		struct ia_event want = e.ev[n < e.n ? n : 0];

		CHECK_INT(len, sizeof(struct ia_event));
		CHECK_INT(ev->size, sizeof(struct ia_event));
		CHECK_INT(ev->cgroup, 0);
		CHECK_INT(ev->pasid, IA_NO_PASID);
		CHECK(!memcmp(ev, &want, offsetof(struct ia_event, size)));
		CHECK(!memcmp((const char *)ev + 4, (const char *)&want + 4, IA_EVENT_V4_SIZE - 4));
		n++;
	}
	CHECK_INT(n, e.n);
	ia_trace_close_read(r);
	ia_model_free(&m);
	ia_buf_free(&b);
	free(e.ev);
}

/* An ABI 4 recording replays to the findings the same stream gives today. */
UNIT_TEST(trace_abi4_replays_to_the_same_findings)
{
	struct ia_replay old, now;
	struct events e;
	struct ia_buf b, c;
	char msg[128];

	abi4_events(&b, &e);
	CHECK_INT(ia_replay_open_mem(&old, b.data, b.len, msg, sizeof(msg)), 0);
	CHECK_INT(ia_replay_run(&old, NULL, NULL), 0);
	trace_mem(&c, &e, NULL);
	CHECK_INT(ia_replay_open_mem(&now, c.data, c.len, msg, sizeof(msg)), 0);
	CHECK_INT(ia_replay_run(&now, NULL, NULL), 0);
	CHECK_INT(old.engine.stats.bad_records, 0);
	CHECK_INT(old.engine.nfindings, now.engine.nfindings);
	CHECK(old.engine.nfindings > 0);
	for (size_t i = 0; i < old.engine.nfindings && i < now.engine.nfindings; i++) {
		CHECK_INT(old.engine.findings[i].rule, now.engine.findings[i].rule);
		CHECK_STR(old.engine.findings[i].detail, now.engine.findings[i].detail);
	}
	ia_replay_close(&old);
	ia_replay_close(&now);
	ia_buf_free(&b);
	ia_buf_free(&c);
	free(e.ev);
}

/* An ABI 4 record of the wrong size is handed on as it is: the engine counts it malformed. */
UNIT_TEST(abi_upgrade_refuses_what_is_not_v4)
{
	struct ia_event in, out;

	memset(&in, 0, sizeof(in));
	in.size = IA_EVENT_V4_SIZE;
	CHECK_INT(ia_event_upgrade(4, &in, IA_EVENT_V4_SIZE - 1, &out), -EINVAL);
	in.size = sizeof(in);
	CHECK_INT(ia_event_upgrade(4, &in, sizeof(in), &out), -EINVAL);
	in.size = IA_EVENT_V4_SIZE;
	CHECK_INT(ia_event_upgrade(3, &in, IA_EVENT_V4_SIZE, &out), -EINVAL);
	CHECK_INT(ia_event_upgrade(4, &in, IA_EVENT_V4_SIZE, &out), 0);
	CHECK_INT(out.size, sizeof(out));
	CHECK(!ia_abi_readable(IA_ABI_OLDEST - 1));
	CHECK(ia_abi_readable(IA_ABI_VERSION));
	CHECK(!ia_abi_readable(IA_ABI_VERSION + 1));
}

/*
 * The ring buffer's short exit becomes the event the probe would have made
 * in full, and the engine pairs it with its entry as it would the full one.
 */
UNIT_TEST(abi_short_exit_widens_to_the_full_event)
{
	struct ia_exit_rec x = { .type = IA_REC_EXIT, .size = sizeof(x), .hook = IA_HOOK_DOMAIN_FREE,
				 .phase = IA_PH_EXIT, .flags = IA_F_FENTRY, .ts_ns = 2000, .pid = 7,
				 .tid = 8, .ret = -22, .cgroup = 35, .comm = "qemu-kvm" };
	struct ia_event enter = { .type = IA_REC_CALL, .size = sizeof(enter),
				  .hook = IA_HOOK_DOMAIN_FREE, .phase = IA_PH_ENTER,
				  .flags = IA_F_FENTRY | IA_F_HAVE_DOM, .ts_ns = 1000, .pid = 7,
				  .tid = 8, .domain = 0xd0, .group_id = IA_NO_GROUP,
				  .domain_type = 1, .grp_domain_type = IA_NO_TYPE, .cgroup = 35 };
	struct ia_event out, full;
	struct ia_engine eng;
	struct ia_decoded d;
	const void *r;
	size_t len = sizeof(x);

	r = ia_event_widen(&x, &len, &out);
	CHECK(r == &out);
	CHECK_INT(len, sizeof(struct ia_event));
	memset(&full, 0, sizeof(full));
	full = (struct ia_event){ .type = IA_REC_CALL, .size = sizeof(full), .hook = x.hook,
				  .phase = IA_PH_EXIT, .flags = x.flags, .ts_ns = x.ts_ns, .pid = 7,
				  .tid = 8, .ret = -22, .group_id = IA_NO_GROUP,
				  .domain_type = IA_NO_TYPE, .grp_domain_type = IA_NO_TYPE,
				  .cgroup = 35, .comm = "qemu-kvm" };
	CHECK(!memcmp(&out, &full, sizeof(out)));

	struct ia_engine_opts o = { 0 };
	struct ia_model m = { 0 };

	CHECK_INT(ia_engine_init(&eng, &m, &o), 0);
	CHECK_INT(ia_engine_feed(&eng, &enter, sizeof(enter), &d), 0);
	CHECK_INT(ia_engine_feed(&eng, r, len, &d), 0);
	CHECK(d.enter != NULL);
	CHECK_INT(d.enter->domain, 0xd0);
	CHECK_INT(eng.stats.unpaired_exits, 0);
	ia_engine_free(&eng);
}

/* Anything but a short exit passes through; a malformed short exit is refused. */
UNIT_TEST(abi_widen_passes_others_refuses_bad_short)
{
	struct ia_exit_rec x = { .type = IA_REC_EXIT, .size = sizeof(x), .phase = IA_PH_EXIT };
	struct ia_event ev = { .type = IA_REC_CALL, .size = sizeof(ev) }, out;
	size_t len = sizeof(ev);

	CHECK(ia_event_widen(&ev, &len, &out) == &ev);
	CHECK_INT(len, sizeof(ev));
	len = 1;
	CHECK(ia_event_widen(&ev, &len, &out) == &ev); /* too short to tell: the engine refuses it */
	len = sizeof(x) - 1;
	CHECK(ia_event_widen(&x, &len, &out) == NULL);
	len = sizeof(x);
	x.size = sizeof(x) + 8;
	CHECK(ia_event_widen(&x, &len, &out) == NULL);
	x.size = sizeof(x);
	x.phase = IA_PH_ENTER;
	CHECK(ia_event_widen(&x, &len, &out) == NULL);
	x.phase = IA_PH_EXIT;
	CHECK(ia_event_widen(&x, &len, &out) == &out);
}

/* A cgroup's name travels in the recording, before the records that carry its id. */
UNIT_TEST(trace_cgroup_names_replay)
{
	struct ia_trace_writer *w;
	struct ia_trace_info info;
	struct ia_replay rp;
	struct ia_model m;
	struct events e;
	struct scn s;
	char path[256], msg[128];
	struct ia_buf b;
	const struct ia_finding *f = NULL;

	memset(&e, 0, sizeof(e));
	scn_init(&s, collect, &e);
	scn_bind_refused(&s, 13);
	for (size_t i = 0; i < e.n; i++)
		e.ev[i].cgroup = 4242;
	test_info(&info);
	scn_model(&m);
	CHECK_INT(ia_trace_open_write(&w, tmp_path(path, sizeof(path), "cgroup"), &info, &m), 0);
	CHECK_INT(ia_trace_write_cgroup(w, 4242, "/machine.slice/docker-"
				       "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.scope"), 0);
	for (size_t i = 0; i < e.n; i++)
		CHECK_INT(ia_trace_write_record(w, &e.ev[i], sizeof(e.ev[i])), 0);
	CHECK_INT(ia_trace_close(w, NULL), 0);
	CHECK_INT(slurp(path, &b), 0);
	unlink(path);
	CHECK_INT(ia_replay_open_mem(&rp, b.data, b.len, msg, sizeof(msg)), 0);
	CHECK_INT(ia_replay_run(&rp, NULL, NULL), 0);
	for (size_t i = 0; i < rp.engine.nfindings; i++)
		if (rp.engine.findings[i].rule == IA_RULE_BIND_REFUSED)
			f = &rp.engine.findings[i];
	CHECK(f != NULL);
	if (f) {
		CHECK_INT(f->actor.pid, 13);
		CHECK_INT(f->actor.cgroup, 4242);
		CHECK(strstr(f->actor.cgroup_path, "docker-0123") != NULL);
	}
	ia_replay_close(&rp);
	ia_model_free(&m);
	ia_buf_free(&b);
	free(e.ev);
}
