// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer harness for the recording reader (make fuzz). Two input forms:
 *  - a recording as stored (the seeds: mktrace's files): the preamble,
 *    frame header, length and checksum checks, zlib;
 *  - 'C', then frames as (__u8 type, __u32 length, raw payload): wrapped
 *    here into a recording with valid checksums and entry counts, so that
 *    the fuzzer reaches the HEADER, model, SYMS, EVENTS and END decoders
 *    and the engine behind them, which checksums would otherwise guard.
 * Each input is replayed through the engine, and what `report` and `diff`
 * print is printed to /dev/null.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "event_out.h"
#include "replay.h"
#include "report_out.h"
#include "trace.h"

#define MAX_FRAMES 64

/* Entries of an EVENTS payload as the reader will walk them. */
static __u32 count_entries(const __u8 *p, size_t len)
{
	size_t pos = 0;
	__u32 n = 0;

	while (len - pos >= IA_TRACE_REC_HDR) {
		pos += IA_TRACE_REC_HDR + ((ia_get_le32(p + pos) + 7ul) & ~7ul);
		n++;
		if (pos > len)
			break;
	}
	return n;
}

static void build_recording(const __u8 *data, size_t size, struct ia_buf *out)
{
	size_t off = 1;
	__u32 seq = 0;

	ia_trace_put_preamble(out, IA_TRACE_FORMAT, IA_ABI_VERSION, 0);
	while (size - off >= 5 && seq < MAX_FRAMES) {
		unsigned int type = data[off];
		size_t len = ia_get_le32(data + off + 1);

		off += 5;
		if (len > size - off)
			len = size - off;
		ia_trace_put_frame(out, type, seq++,
				   type == IA_TF_EVENTS ? count_entries(data + off, len) : 0,
				   data + off, len);
		off += len;
	}
}

struct sink {
	FILE *out;
	struct ia_json json;
	__u64 base;
};

static void on_record(void *ctx, const struct ia_decoded *d)
{
	struct sink *s = ctx;

	if (!s->base)
		s->base = d->ev->ts_ns;
	ia_event_print_text(s->out, d, s->base);
	ia_event_print_json(&s->json, d);
}

static void report(struct sink *s, struct ia_replay *rp)
{
	struct ia_run_counts rc = { .known = rp->status.have_end, .submitted = rp->status.end.submitted,
				    .drops = rp->status.end.drops };
	struct ia_diff_opts o = { 0 };
	struct ia_diff d;
	size_t reported = 0;
	char msg[320];

	ia_report_new_findings(&rp->engine, &reported, s->out, &s->json);
	ia_report_print_text(s->out, &rp->engine, &rc);
	ia_report_print_json(&s->json, &rp->engine, &rc);
	ia_trace_describe(&rp->status, msg, sizeof(msg));
	fputs(msg, s->out);
	if (!ia_diff_compute(&d, rp, rp, &o))
		ia_diff_free(&d);
}

int LLVMFuzzerTestOneInput(const __u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const __u8 *data, size_t size)
{
	struct ia_replay rp;
	struct ia_buf built;
	struct sink s = { 0 };
	const void *rec = data;
	char msg[256];

	ia_buf_init(&built);
	if (size && data[0] == 'C') {
		build_recording(data, size, &built);
		rec = built.data;
		size = built.len;
	}
	s.out = fopen("/dev/null", "w");
	if (!s.out)
		return 0;
	ia_json_init(&s.json, s.out);
	if (!ia_replay_open_mem(&rp, rec, size, msg, sizeof(msg))) {
		ia_replay_run(&rp, on_record, &s);
		report(&s, &rp);
		ia_replay_close(&rp);
	}
	fclose(s.out);
	ia_buf_free(&built);
	return 0;
}
