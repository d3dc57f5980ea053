// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * mktrace: write a recording of fixture scenarios with the real writer, for
 * the host tests (tests/host/trace) and the fuzzer's seed corpus.
 *
 *   mktrace OUT [options] SCENARIO[xN]...
 *     --kernel K    kernel release in the header (default 6.12.117)
 *     --flush N     write an EVENTS frame every N records (default: at the end)
 *     --hist NS     write a HIST frame after the first scenario: 200 iommu_map
 *                   calls on the NIC's domain and 200 IOAS_MAP ioctls, each
 *                   taking NS nanoseconds
 *     --drops N     the END frame's drop counter
 *     --no-end      stop without the END frame, as a crash would
 *     --format N    write recording format N (default: the current one; 1
 *                   for zlib-framed payloads, as make bench compares)
 *     --chunks      write the fuzzer's frame-list input instead of a recording
 *   scenarios: rebind, bind-refused, soft, hard, alloc, alloc-fail, iommufd
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hooks.h"
#include "ksyms.h"
#include "probes.h"
#include "trace.h"
#include "scenarios.h"

struct args {
	const char *out;
	const char *kernel;
	unsigned long flush;
	unsigned long long drops;
	unsigned long long hist_ns; /* 0: no HIST frame */
	bool no_end, chunks;
	unsigned int format;
	char **scenarios;
	int nscenarios;
};

struct sink {
	struct ia_trace_writer *w; /* a recording */
	struct ia_buf events;	   /* --chunks: the EVENTS payload */
	unsigned long since_flush;
	unsigned long flush;
	__u64 records;
	int err;
};

static void emit(void *ctx, const struct ia_event *ev)
{
	struct sink *s = ctx;

	s->records++;
	if (!s->w) {
		ia_trace_put_entry(&s->events, IA_TR_RINGBUF, ev, sizeof(*ev));
		return;
	}
	if (!s->err)
		s->err = ia_trace_write_record(s->w, ev, sizeof(*ev));
	if (!s->err && s->flush && ++s->since_flush >= s->flush) {
		s->err = ia_trace_flush(s->w);
		s->since_flush = 0;
	}
}

static int run_one(struct scn *s, const char *name)
{
	if (!strcmp(name, "rebind"))
		scn_rebind(s, 319);
	else if (!strcmp(name, "bind-refused"))
		scn_bind_refused(s, 402);
	else if (!strcmp(name, "soft"))
		scn_soft_failure(s, 517, 2);
	else if (!strcmp(name, "hard"))
		scn_hard_failure(s, 518);
	else if (!strcmp(name, "alloc"))
		scn_domain_alloc(s, 519, SCN_MOCK, 9, 0);
	else if (!strcmp(name, "alloc-fail"))
		scn_domain_alloc(s, 519, SCN_MOCK, 9, -ENOMEM);
	else if (!strcmp(name, "iommufd"))
		scn_iommufd(s, 520);
	else if (!strcmp(name, "burst"))
		scn_burst(s, 521);
	else
		return -EINVAL;
	return 0;
}

/* "rebind" or "rebindx100". */
static int run_scenario(struct scn *s, const char *spec)
{
	char name[64];
	const char *x = strrchr(spec, 'x');
	long n = 1;
	int err = 0;

	snprintf(name, sizeof(name), "%s", spec);
	if (x && x[1] >= '0' && x[1] <= '9') {
		n = strtol(x + 1, NULL, 10);
		name[x - spec] = '\0';
	}
	for (long i = 0; !err && i < n; i++)
		err = run_one(s, name);
	return err;
}

static void fill_info(struct ia_trace_info *info, const char *kernel)
{
	memset(info, 0, sizeof(*info));
	snprintf(info->kernel, sizeof(info->kernel), "%s", kernel);
	strcpy(info->host, "testhost");
	strcpy(info->boot_id, "5e1f7a52-3f0c-4c8e-9a51-0d2b6c7e9f10");
	info->start_ns = 1763735640ull * 1000000000ull; /* 2025-11-21 14:34:00 UTC */
	info->start_mono_ns = 912345678901ull;
	info->features = IA_TRACE_FEAT_BTF | IA_TRACE_FEAT_FENTRY | IA_TRACE_FEAT_KPROBES |
			 IA_TRACE_FEAT_TRACEFS | IA_TRACE_FEAT_GET_FUNC_RET;
	info->ringbuf_bytes = 1 << 20;
	for (unsigned int id = 1; id < IA_HOOK_MAX; id++) {
		struct ia_trace_probe *p = &info->probes[info->nprobes++];
		const struct ia_hook_info *h = ia_hook_info(id);

		p->hook = (__u16)id;
		p->via = h->kind == IA_KIND_TRACEPOINT ? IA_VIA_TP_BTF : IA_VIA_FENTRY;
		snprintf(p->target, sizeof(p->target), "%s", h->targets[0]);
	}
}

static int parse(int argc, char **argv, struct args *a)
{
	int i;

	memset(a, 0, sizeof(*a));
	a->kernel = "6.12.117";
	if (argc < 2)
		return -EINVAL;
	a->out = argv[1];
	for (i = 2; i < argc && !strncmp(argv[i], "--", 2); i++) {
		if (!strcmp(argv[i], "--kernel") && i + 1 < argc)
			a->kernel = argv[++i];
		else if (!strcmp(argv[i], "--flush") && i + 1 < argc)
			a->flush = strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--drops") && i + 1 < argc)
			a->drops = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--hist") && i + 1 < argc)
			a->hist_ns = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--format") && i + 1 < argc)
			a->format = (unsigned int)strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--no-end"))
			a->no_end = true;
		else if (!strcmp(argv[i], "--chunks"))
			a->chunks = true;
		else
			return -EINVAL;
	}
	a->scenarios = argv + i;
	a->nscenarios = argc - i;
	return 0;
}

/* calls of ns each, into h */
static void fill_hist(struct ia_hist *h, __u64 calls, __u64 ns, __u64 bytes)
{
	int b = 0;

	while (b < IA_HIST_BUCKETS - 1 && ns >> (b + 1))
		b++;
	h->buckets[b] = calls;
	h->sum_ns = calls * ns;
	h->max_ns = ns;
	h->calls = calls;
	h->bytes = bytes;
}

static int write_hist(struct ia_trace_writer *w, __u64 ns)
{
	struct ia_hist_entry map = { .key = { .domain = 0xffff888105c20000ull + 6 * 0x200, .op = IA_OP_MAP } };
	struct ia_ioctl_stat ioctl = { .nr = 0x85 };
	struct ia_fault_stat fault = { .dev = SCN_NIC, .n = 2 };
	struct ia_kstats k = { .mono_ns = 1, .submitted = 1, .hists = &map, .nhists = 1,
			       .ioctls = &ioctl, .nioctls = 1, .faults = &fault, .nfaults = 1 };

	fill_hist(&map.h, 200, ns, 200 * 4096);
	fill_hist(&ioctl.h, 200, 2 * ns, 0);
	return ia_trace_write_hist(w, &k);
}

static int run_all(const struct args *a, struct sink *k)
{
	struct scn s;
	int err = 0;

	scn_init(&s, emit, k);
	for (int i = 0; !err && i < a->nscenarios; i++) {
		err = run_scenario(&s, a->scenarios[i]);
		if (err)
			fprintf(stderr, "mktrace: unknown scenario '%s'\n", a->scenarios[i]);
		if (!err && i == 0 && a->hist_ns && k->w)
			err = write_hist(k->w, a->hist_ns);
	}
	return err ?: k->err;
}

static void put_chunk(struct ia_buf *b, unsigned int type, const struct ia_buf *payload)
{
	__u8 t = (__u8)type;

	ia_buf_put(b, &t, 1);
	ia_buf_put_le32(b, (__u32)payload->len);
	ia_buf_put(b, payload->data, payload->len);
}

/* The fuzzer's second input form: 'C', then (type, length, raw payload) per frame. */
static int write_chunks(const struct args *a, const struct ia_trace_info *info,
			const struct ia_model *m)
{
	struct sink k = { 0 };
	struct ia_buf out, p;
	int err;
	FILE *f;

	ia_buf_init(&out);
	ia_buf_init(&p);
	ia_buf_put(&out, "C", 1);
	ia_trace_encode_header(&p, info, m);
	put_chunk(&out, IA_TF_HEADER, &p);
	err = run_all(a, &k);
	put_chunk(&out, IA_TF_EVENTS, &k.events);
	ia_buf_reset(&p);
	ia_trace_encode_end(&p, k.records, info->start_ns + 1000000000ull, NULL);
	put_chunk(&out, IA_TF_END, &p);
	f = fopen(a->out, "we");
	if (!err && (!f || out.err || fwrite(out.data, 1, out.len, f) != out.len))
		err = -EIO;
	if (f && fclose(f))
		err = -EIO;
	ia_buf_free(&k.events);
	ia_buf_free(&p);
	ia_buf_free(&out);
	return err;
}

static int write_recording(const struct args *a, const struct ia_trace_info *info,
			   const struct ia_model *m)
{
	struct ia_ksym_addr sym = { .addr = SCN_OPS_VTD, .name = "intel_iommu_ops" };
	struct sink k = { .flush = a->flush };
	struct ia_counters c = { .drops = a->drops };
	int err;

	err = ia_trace_open_write_format(&k.w, a->out, info, m, a->format ? a->format : IA_TRACE_FORMAT);
	if (!err)
		err = ia_trace_write_syms(k.w, &sym, 1);
	if (!err)
		err = run_all(a, &k);
	if (err || a->no_end) {
		if (!err)
			err = ia_trace_flush(k.w);
		exit(err ? 1 : 0); /* no END frame: as a crash leaves it */
	}
	c.events = k.records + a->drops;
	return ia_trace_close(k.w, &c);
}

int main(int argc, char **argv)
{
	struct ia_trace_info info;
	struct ia_model m;
	struct args a;
	int err;

	if (parse(argc, argv, &a)) {
		fprintf(stderr, "usage: mktrace OUT [--kernel K] [--flush N] [--hist] [--drops N] [--no-end] [--chunks] [--format N] SCENARIO[xN]...\n");
		return 2;
	}
	fill_info(&info, a.kernel);
	scn_model(&m);
	err = a.chunks ? write_chunks(&a, &info, &m) : write_recording(&a, &info, &m);
	ia_model_free(&m);
	if (err)
		fprintf(stderr, "mktrace: %s: %s\n", a.out, strerror(-err));
	return err ? 1 : 0;
}
