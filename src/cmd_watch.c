// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `watch` and `probe`: load the probes, stream decoded records, and report
 * the engine's final state.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "cli.h"
#include "engine.h"
#include "event_out.h"
#include "finding_out.h"
#include "hist.h"
#include "hooks.h"
#include "iommufd_out.h"
#include "ksyms.h"
#include "json.h"
#include "loader.h"
#include "state_out.h"
#include "sysfs.h"
#include "trace.h"

struct watch_ctx {
	const struct ia_opts *o;
	struct ia_engine engine;
	struct ia_json json;
	struct ia_ksyms ksyms;
	__u64 ts_base;
	size_t reported; /* findings printed so far */
	int sigfd;
	/* record: the recording, and its first write error (which ends the run) */
	struct ia_trace_writer *trace;
	struct ia_trace_info info;
	int trace_err;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void print_probes_text(FILE *out, const struct ia_loader *l)
{
	fprintf(out, "features: btf=%d fentry=%d kprobes=%d tracefs=%d\n", l->feat.btf,
		l->feat.fentry, l->feat.kprobes, l->feat.tracefs);
	for (unsigned int id = 1; id < IA_HOOK_MAX; id++) {
		const struct ia_probe_status *st = &l->st[id];

		if (st->via != IA_VIA_NONE)
			fprintf(out, "  %-16s %-10s %s\n", ia_hook_name(id), ia_via_name(st->via), st->target);
		else
			fprintf(out, "  %-16s %-10s %s\n", ia_hook_name(id), "MISSING", st->why);
	}
}

static void print_probes_json(struct ia_json *j, const struct ia_loader *l)
{
	for (unsigned int id = 1; id < IA_HOOK_MAX; id++) {
		const struct ia_probe_status *st = &l->st[id];

		ia_json_obj_begin(j);
		ia_json_kstr(j, "type", "probe");
		ia_json_kint(j, "schema", 1);
		ia_json_kstr(j, "hook", ia_hook_name(id));
		ia_json_kstr(j, "target", st->target ? st->target : "");
		ia_json_kstr(j, "via", ia_via_name(st->via));
		ia_json_kbool(j, "attached", st->via != IA_VIA_NONE);
		if (st->via == IA_VIA_NONE) {
			ia_json_kstr(j, "errno", ia_errno_name(st->err) ?: "");
			ia_json_kstr(j, "why", st->why);
		}
		ia_json_obj_end(j);
	}
}

/* Findings as they happen, after the record that proved them. */
static void print_new_findings(struct watch_ctx *w)
{
	for (; w->reported < w->engine.nfindings; w->reported++) {
		const struct ia_finding *f = &w->engine.findings[w->reported];

		if (w->o->json)
			ia_finding_print_json(&w->json, f);
		else
			ia_finding_print_text(stdout, f);
	}
}

static int handle_record(void *arg, void *data, size_t len)
{
	struct watch_ctx *w = arg;
	struct ia_decoded d;

	if (w->trace) {
		w->trace_err = ia_trace_write_record(w->trace, data, len);
		if (w->trace_err)
			return w->trace_err; /* stops the poll: the run ends with what was written */
	}
	if (ia_engine_feed(&w->engine, data, len, &d))
		return 0; /* counted by the engine, reported in the summary */
	if (w->trace)
		return 0; /* record is quiet until its summary */
	if (!w->ts_base)
		w->ts_base = d.ev->ts_ns;
	if (w->o->json)
		ia_event_print_json(&w->json, &d);
	else
		ia_event_print_text(stdout, &d, w->ts_base);
	print_new_findings(w);
	return 0;
}

static const char *ops_name(void *ctx, __u64 addr)
{
	return ia_ksyms_ops_name(ctx, addr);
}

static int block_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

static bool signalled(int sigfd)
{
	struct signalfd_siginfo si;

	return read(sigfd, &si, sizeof(si)) == sizeof(si);
}

static int run_loop(struct watch_ctx *w, struct ring_buffer *rb)
{
	double end = w->o->duration > 0 ? now_s() + w->o->duration : 0, flushed = now_s();
	int err = 0;

	while (!signalled(w->sigfd)) {
		if (end && now_s() >= end)
			break;
		err = ring_buffer__poll(rb, 100);
		if (err == -EINTR)
			err = 0;
		if (err < 0)
			break;
		err = 0;
		fflush(stdout);
		if (w->trace && now_s() - flushed >= 1.0) { /* a crash loses at most a second */
			err = ia_trace_flush(w->trace);
			flushed = now_s();
			if (err)
				break;
		}
	}
	ring_buffer__consume(rb); /* what was submitted before the stop */
	return err;
}

/* The map/unmap histograms, read from the kernel now. */
static void print_hists(struct watch_ctx *w, const struct ia_loader *l)
{
	struct ia_hist_entry *e;
	size_t n;
	int err = ia_loader_hists(l, &e, &n);

	if (err) {
		ia_error(w->o, "reading the map/unmap histograms failed: %s", strerror(-err));
		return;
	}
	if (w->o->json)
		ia_hist_print_json(&w->json, e, n, &w->engine.model);
	else
		ia_hist_print_text(stdout, e, n, &w->engine.model);
	free(e);
}

static void json_fault(void *ctx, const char *dev, __u64 n)
{
	ia_json_kuint(ctx, dev, n);
}

static void text_fault(void *ctx, const char *dev, __u64 n)
{
	(void)ctx;
	printf("io_page_fault %s: %llu\n", dev, (unsigned long long)n);
}

static void json_ioctls(struct ia_json *j, const struct ia_engine_stats *s, bool errors)
{
	char buf[16];

	ia_json_key(j, errors ? "ioctl_errors" : "ioctls");
	ia_json_obj_begin(j);
	for (unsigned int nr = 0; nr < IA_IOCTL_NRS; nr++) {
		__u64 v = errors ? s->ioctl_errors[nr] : s->ioctls[nr];

		if (v)
			ia_json_kuint(j, ia_iommufd_cmd_name(((unsigned int)';' << 8) | nr, buf, sizeof(buf)), v);
	}
	ia_json_obj_end(j);
}

static void text_ioctls(const struct ia_engine_stats *s)
{
	char buf[16];

	for (unsigned int nr = 0; nr < IA_IOCTL_NRS; nr++)
		if (s->ioctls[nr])
			printf("iommufd ioctl %-24s %llu (%llu failed)\n",
			       ia_iommufd_cmd_name(((unsigned int)';' << 8) | nr, buf, sizeof(buf)),
			       (unsigned long long)s->ioctls[nr], (unsigned long long)s->ioctl_errors[nr]);
}

static void print_summary(struct watch_ctx *w, const struct ia_loader *l)
{
	const struct ia_engine_stats *s = &w->engine.stats;
	__u64 events, drops;

	ia_loader_counters(l, &events, &drops);
	if (!w->o->json) {
		printf("\nfinal state:\n");
		ia_state_print_text(stdout, &w->engine.model);
		ia_findings_print_summary(stdout, w->engine.findings, w->engine.nfindings);
		for (size_t i = 0; i < w->engine.nfindings; i++)
			ia_finding_print_text(stdout, &w->engine.findings[i]);
		ia_ctxs_print_text(stdout, w->engine.ctxs, w->engine.nctxs);
		print_hists(w, l);
		text_ioctls(s);
		ia_loader_faults(l, text_fault, NULL);
		printf("records %llu, dropped %llu, malformed %llu, unpaired exits %llu, probes %d attached\n",
		       (unsigned long long)s->records, (unsigned long long)drops,
		       (unsigned long long)s->bad_records, (unsigned long long)s->unpaired_exits,
		       ia_loader_attached(l));
		return;
	}
	ia_state_print_json(&w->json, &w->engine.model, "engine");
	ia_ctxs_print_json(&w->json, w->engine.ctxs, w->engine.nctxs);
	print_hists(w, l);
	ia_json_obj_begin(&w->json);
	ia_json_kstr(&w->json, "type", "summary");
	ia_json_kint(&w->json, "schema", 1);
	ia_json_kuint(&w->json, "records", s->records);
	ia_json_kuint(&w->json, "submitted", events);
	ia_json_kuint(&w->json, "drops", drops);
	ia_json_kuint(&w->json, "malformed", s->bad_records);
	ia_json_kuint(&w->json, "unpaired_exits", s->unpaired_exits);
	ia_json_kuint(&w->json, "lost_frames", s->lost_frames);
	ia_json_kint(&w->json, "probes_attached", ia_loader_attached(l));
	ia_json_kuint(&w->json, "findings", w->engine.nfindings);
	ia_json_kuint(&w->json, "iommufd_ctxs_closed", w->engine.ctxs_closed);
	ia_json_kuint(&w->json, "iommufd_ctxs_open", w->engine.nctxs);
	json_ioctls(&w->json, s, false);
	json_ioctls(&w->json, s, true);
	ia_json_key(&w->json, "page_faults");
	ia_json_obj_begin(&w->json);
	ia_loader_faults(l, json_fault, &w->json);
	ia_json_obj_end(&w->json);
	ia_json_obj_end(&w->json);
}

static void announce(struct watch_ctx *w, const struct ia_loader *l)
{
	if (w->o->verbose) {
		if (w->o->json)
			print_probes_json(&w->json, l);
		else
			print_probes_text(stderr, l);
	}
	fprintf(stderr, "watching: %d of %d probes attached%s\n", ia_loader_attached(l),
		IA_HOOK_MAX - 1, w->o->duration > 0 ? "" : "; Ctrl-C to stop");
}

/* The registered IOMMU instances: the multiple-driver rule needs them. */
static void read_iommus(const struct ia_opts *o, struct ia_model *m)
{
	int n = ia_sysfs_iommus(o->sysfs_root, m->iommus, IA_MAX_IOMMUS);

	m->niommus = n > 0 ? n : 0;
}

/* record: the header (host, probes, the starting model) and the symbols, before any record. */
static int open_recording(struct watch_ctx *w, const struct ia_loader *l, const struct ia_model *snap)
{
	int err;

	ia_trace_info_loader(&w->info, l);
	w->info.ringbuf_bytes = w->o->ringbuf_bytes;
	err = ia_trace_open_write(&w->trace, w->o->output, &w->info, snap);
	if (!err)
		err = ia_trace_write_syms(w->trace, w->ksyms.ops, w->ksyms.nops);
	if (err)
		ia_error(w->o, "cannot write the recording %s: %s", w->o->output, strerror(-err));
	return err;
}

/* record: END with the BPF side's counters, and one line on what was kept. */
static int close_recording(struct watch_ctx *w, const struct ia_loader *l)
{
	struct ia_counters c = { 0 };
	int err;

	ia_loader_counters(l, &c.events, &c.drops);
	err = ia_trace_close(w->trace, &c);
	w->trace = NULL;
	if (w->trace_err || err) {
		ia_error(w->o, "writing the recording %s failed: %s", w->o->output,
			 strerror(-(w->trace_err ? w->trace_err : err)));
		return w->trace_err ? w->trace_err : err;
	}
	fprintf(stderr, "recorded %llu records (%llu dropped), %zu findings, to %s\n",
		(unsigned long long)w->engine.stats.records, (unsigned long long)c.drops,
		w->engine.nfindings, w->o->output);
	return 0;
}

static int start(struct watch_ctx *w, struct ia_loader *l, struct ia_model *snap)
{
	struct ia_loader_opts lo = { .ksyms = &w->ksyms, .force_kprobes = w->o->force_kprobes,
				     .ringbuf_bytes = w->o->ringbuf_bytes,
				     .verbose = w->o->verbose };
	struct ia_engine_opts eo;
	char msg[256];
	int err;

	err = ia_sysfs_read(w->o->sysfs_root, snap);
	if (err && err != -ENOENT) {
		ia_error(w->o, "reading /sys/kernel/iommu_groups failed: %s", strerror(-err));
		return err;
	}
	if (err == -ENOENT)
		fprintf(stderr, "note: no IOMMU groups in sysfs; starting from an empty model\n");
	read_iommus(w->o, snap);
	err = ia_ksyms_load(&w->ksyms, "/proc/kallsyms");
	if (err) {
		ia_error(w->o, "cannot read /proc/kallsyms: %s", strerror(-err));
		return err;
	}
	if (w->o->output)
		ia_trace_info_host(&w->info);
	err = ia_loader_start(l, &lo, msg, sizeof(msg));
	if (err) {
		if (w->o->verbose)
			print_probes_text(stderr, l);
		ia_error(w->o, "%s", msg);
		return err;
	}
	eo.use_default_hooked = l->st[IA_HOOK_USE_DEFAULT].via != IA_VIA_NONE;
	eo.sym_name = ops_name;
	eo.sym_ctx = &w->ksyms;
	err = ia_engine_init(&w->engine, snap, &eo);
	if (err || !w->o->output)
		return err;
	return open_recording(w, l, snap);
}

/* --fail-on: a finding of a chosen rule turns a clean run into exit 3. */
static int exit_for_findings(const struct ia_opts *o, const struct ia_engine *e)
{
	for (size_t i = 0; i < e->nfindings; i++)
		if (o->fail_on & (1u << e->findings[i].rule))
			return IA_EXIT_FINDINGS;
	return 0;
}

int ia_cmd_watch(const struct ia_opts *o)
{
	struct watch_ctx w = { .o = o, .sigfd = -1 };
	struct ring_buffer *rb = NULL;
	struct ia_loader l = { 0 };
	struct ia_model snap;
	int err, rc;

	ia_model_init(&snap);
	ia_json_init(&w.json, stdout);
	/* a terminal sees lines as they come; a pipe or file gets a flush per poll */
	setvbuf(stdout, NULL, isatty(STDOUT_FILENO) ? _IOLBF : _IOFBF, 1 << 16);
	w.sigfd = block_signals();
	if (w.sigfd < 0) {
		ia_error(o, "signalfd: %s", strerror(errno));
		return 1;
	}
	err = start(&w, &l, &snap);
	if (err)
		goto cleanup;
	rb = ring_buffer__new(ia_loader_ringbuf_fd(&l), handle_record, &w, NULL);
	if (!rb) {
		err = -errno;
		ia_error(o, "ring buffer: %s", strerror(errno));
		goto cleanup;
	}
	announce(&w, &l);
	err = run_loop(&w, rb);
	if (err && !w.trace_err)
		ia_error(o, "polling the ring buffer failed: %s", strerror(-err));
	ia_engine_finish(&w.engine);
	if (w.trace) {
		int cerr = close_recording(&w, &l); /* a failed poll still leaves a valid file */

		err = err ? err : cerr;
		goto cleanup;
	}
	print_new_findings(&w);
	print_summary(&w, &l); /* what was collected survives a failed poll */
cleanup:
	ring_buffer__free(rb);
	ia_loader_stop(&l);
	rc = err ? 1 : exit_for_findings(o, &w.engine);
	ia_engine_free(&w.engine);
	ia_ksyms_free(&w.ksyms);
	ia_model_free(&snap);
	close(w.sigfd);
	return rc;
}

int ia_cmd_probe(const struct ia_opts *o)
{
	struct ia_loader_opts lo = { .force_kprobes = o->force_kprobes, .ringbuf_bytes = 4096,
				     .verbose = o->verbose };
	struct ia_ksyms ks;
	struct ia_loader l;
	struct ia_json j;
	char msg[256];
	int err;

	err = ia_ksyms_load(&ks, "/proc/kallsyms");
	if (err) {
		ia_error(o, "cannot read /proc/kallsyms: %s", strerror(-err));
		return 1;
	}
	lo.ksyms = &ks;
	err = ia_loader_start(&l, &lo, msg, sizeof(msg));
	if (o->json) {
		ia_json_init(&j, stdout);
		print_probes_json(&j, &l);
	} else {
		print_probes_text(stdout, &l);
	}
	if (err)
		ia_error(o, "%s", msg);
	ia_loader_stop(&l);
	ia_ksyms_free(&ks);
	return err ? 1 : 0;
}
