// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A live tracing session, what `watch`, `record` and live `serve` run: load
 * the probes, feed the engine, and stream decoded records (watch), write
 * them to a recording (record), or answer /metrics and write the textfile
 * (serve); then report the engine's final state.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "abi.h"
#include "calls.h"
#include "caps.h"
#include "cgroups.h"
#include "cli.h"
#include "clock.h"
#include "engine.h"
#include "event_out.h"
#include "holders.h"
#include "hooks.h"
#include "ksyms.h"
#include "json.h"
#include "kstats.h"
#include "live.h"
#include "loader.h"
#include "probe_out.h"
#include "prom_out.h"
#include "report_out.h"
#include "retire.h"
#include "exporter.h"
#include "signals.h"
#include "sysfs.h"
#include "trace.h"

struct watch_ctx {
	const struct ia_live_opts *o;
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
	struct ia_loader *loader;
	/* --interval: the aggregates at the last view, and how many views so far */
	struct ia_kstats last;
	unsigned int intervals;
	/* exits per hook and errno (serve's metrics), and which group each domain served */
	struct ia_calls calls;
	/* freed domains' histograms, taken out of the kernel's map, per group served */
	struct ia_kstats freed;
	/* freed domains not yet taken out in both epochs; when the next step is due */
	struct ia_retire retiring;
	double retire_at;
	int retire_err; /* the last step's failure, said once */
	struct ia_exporter x;
	/* lost records: the BPF drop counter last seen, when it last grew (0: no resync due) */
	__u64 drops_seen;
	double lost_at;
};

/* A recording gets a copy of the kernel's aggregates this often, and at its end. */
#define HIST_PERIOD_S 10.0
/*
 * Freed domains' histograms are taken out of the kernel's map this often
 * (two steps each), and at once when this many wait (a burst of frees while
 * one consume of the ring lasts seconds): about 1 MiB waiting at most.
 */
#define RETIRE_PERIOD_S 1.0
#define RETIRE_BATCH 512

/* Findings as they happen, after the record that proved them. */
static void print_new_findings(struct watch_ctx *w)
{
	ia_report_new_findings(&w->engine, &w->reported, stdout, w->o->json ? &w->json : NULL);
}

static int cmp_group_id(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* Freed domains of groups that are gone count under -1 (see retire_domain). */
static int forget_gone_groups(struct watch_ctx *w)
{
	const struct ia_model *m = &w->engine.model;
	int *ids = m->ngroups ? malloc(m->ngroups * sizeof(*ids)) : NULL;
	int err;

	if (m->ngroups && !ids)
		return -ENOMEM;
	for (size_t i = 0; i < m->ngroups; i++)
		ids[i] = m->groups[i].id;
	qsort(ids, m->ngroups, sizeof(*ids), cmp_group_id);
	err = ia_kstats_forget_groups(&w->freed, ids, m->ngroups);
	free(ids);
	return err;
}

static void retire_steps(struct watch_ctx *w, int steps);

/*
 * iommu_domain_free() returned: its histograms are taken out of the
 * kernel's map by the next two retire steps (include/retire.h) and kept
 * under the group it served (under -1 once that group is gone), so that
 * the map holds live domains alone however many come and go, and the folded
 * entries are as many as the host's groups. Out of memory: left in the map,
 * still counted there as the domain's.
 */
static void retire_domain(struct watch_ctx *w, __u64 domain)
{
	const struct ia_group *g = ia_hist_domain_group(&w->engine.model, domain);
	int group = g ? g->id : ia_calls_domain_group(&w->calls, domain);

	if (domain && !ia_retire_add(&w->retiring, domain, group) && w->retiring.n >= RETIRE_BATCH)
		retire_steps(w, 1);
}

static int retire_flip(void *ctx, __u64 *quiet)
{
	return ia_loader_hist_flip(ctx, quiet);
}

static int retire_take(void *ctx, __u64 domain, __u64 epoch, struct ia_hist h[IA_OP_MAX],
		       bool have[IA_OP_MAX])
{
	return ia_loader_take_domain(ctx, domain, epoch, h, have);
}

/*
 * Up to steps retire steps while freed domains wait (each step waits out
 * an RCU grace period, some milliseconds): one when due, two when the run
 * ends. A failure is said once and retried: what waits stays counted.
 */
static void retire_steps(struct watch_ctx *w, int steps)
{
	const struct ia_retire_ops ops = { .ctx = w->loader, .flip = retire_flip, .take = retire_take };

	for (int i = 0; ia_retire_waiting(&w->retiring) && i < steps; i++) {
		int err;

		w->retire_at = ia_mono_s() + RETIRE_PERIOD_S;
		err = ia_retire_step(&w->retiring, &ops, &w->freed, w->intervals ? &w->last : NULL);
		if (err && err != w->retire_err)
			ia_error(w->o->json, "taking freed domains' histograms out of the kernel's map "
				 "failed: %s (they stay counted as live domains)", strerror(-err));
		w->retire_err = err;
	}
}

static int note_drops(struct watch_ctx *w);

/*
 * A cgroup id seen for the first time is named now, while its task most
 * likely still runs (include/cgroups.h), and the name goes into the
 * recording before the record that carries the id.
 */
static void name_cgroup(struct watch_ctx *w, const void *data, size_t len)
{
	const struct ia_event *ev = data;
	char path[IA_CGROUP_LEN];

	if (len < sizeof(*ev) || !ev->cgroup || ia_engine_cgroup_named(&w->engine, ev->cgroup))
		return;
	ia_cgroup_find("", ev->cgroup, ev->pid, path, sizeof(path)); /* "" when not found */
	if (ia_engine_name_cgroup(&w->engine, ev->cgroup, path))
		return; /* out of memory: shown by id, named again at its next record */
	if (w->trace && !w->trace_err)
		w->trace_err = ia_trace_write_cgroup(w->trace, ev->cgroup, path);
}

static int handle_record(void *arg, void *rec, size_t len)
{
	struct watch_ctx *w = arg;
	struct ia_event wide;
	struct ia_decoded d;
	const void *data;

	if (note_drops(w)) /* a record submitted after a drop comes after the engine knows */
		return w->trace_err;
	data = ia_event_widen(rec, &len, &wide); /* short exits: full events from here on */
	if (!data) {
		ia_engine_feed(&w->engine, rec, 0, &d); /* counted as malformed */
		return 0;
	}
	name_cgroup(w, data, len);
	if (w->trace_err)
		return w->trace_err;
	if (w->trace) {
		w->trace_err = ia_trace_write_record(w->trace, data, len);
		if (w->trace_err)
			return w->trace_err; /* stops the poll: the run ends with what was written */
	}
	if (ia_engine_feed(&w->engine, data, len, &d))
		return 0; /* counted by the engine, reported in the summary */
	if (ia_calls_count(&w->calls, d.ev))
		return -ENOMEM; /* stops the poll: the run ends with what was collected */
	if (d.ev->hook == IA_HOOK_DOMAIN_FREE && d.ev->phase == IA_PH_EXIT && d.enter)
		retire_domain(w, d.enter->domain);
	if (w->trace || w->o->serve)
		return 0; /* record and serve are quiet until their summary */
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

static int read_kstats(struct watch_ctx *w, struct ia_kstats *k)
{
	int err = ia_loader_kstats(w->loader, ia_mono_ns(), k);

	if (!err)
		err = ia_retire_merge(&w->retiring, k);
	if (!err)
		err = forget_gone_groups(w);
	if (!err)
		err = ia_kstats_merge_hists(k, &w->freed);

	if (err)
		ia_error(w->o->json, "reading the kernel's histograms and counters failed: %s", strerror(-err));
	return err;
}

/* record: a copy of the kernel's aggregates in the recording. */
static int record_kstats(struct watch_ctx *w)
{
	struct ia_kstats k;
	int err = read_kstats(w, &k);

	if (!err)
		err = ia_trace_write_hist(w->trace, &k);
	ia_kstats_free(&k);
	return err;
}

/* --interval: what map/unmap and the ioctls did since the last view. */
static void print_interval(struct watch_ctx *w)
{
	struct ia_kstats cur, d;

	if (read_kstats(w, &cur))
		return;
	if (ia_kstats_delta(&cur, w->intervals ? &w->last : NULL, &d)) {
		ia_kstats_free(&cur);
		return;
	}
	w->intervals++;
	if (w->o->json) {
		ia_json_obj_begin(&w->json);
		ia_json_kstr(&w->json, "type", "interval");
		ia_json_kint(&w->json, "schema", 1);
		ia_json_kuint(&w->json, "n", w->intervals);
		ia_json_kuint(&w->json, "submitted", d.submitted);
		ia_json_kuint(&w->json, "drops", d.drops);
		ia_json_obj_end(&w->json);
		ia_hist_print_json(&w->json, d.hists, d.nhists, &w->engine.model, "interval");
		ia_kstats_print_ioctls_json(&w->json, &d, "interval");
	} else {
		printf("\ninterval %u: %llu records, %llu dropped\n", w->intervals,
		       (unsigned long long)d.submitted, (unsigned long long)d.drops);
		ia_hist_print_text(stdout, d.hists, d.nhists, &w->engine.model);
		ia_kstats_print_ioctls_text(stdout, &d);
	}
	ia_kstats_free(&w->last);
	w->last = cur;
	ia_kstats_free(&d);
}

/* What the engine does not know, now: the BPF counters and aggregates (free k after). */
static void live_counts(struct watch_ctx *w, struct ia_run_counts *c, struct ia_kstats *k)
{
	memset(c, 0, sizeof(*c));
	c->known = true;
	c->probes_attached = ia_loader_attached(w->loader);
	ia_loader_counters(w->loader, &c->submitted, &c->drops);
	if (!read_kstats(w, k)) /* on failure said, and k left empty */
		c->kstats = k;
}

/* serve: the metrics now, from the engine and the kernel's aggregates read at this moment. */
static int render_live(void *arg, char **buf, size_t *len)
{
	struct watch_ctx *w = arg;
	struct ia_run_counts c;
	struct ia_prom_src src = { .engine = &w->engine, .calls = &w->calls, .counts = &c };
	struct ia_holders h;
	struct ia_kstats k;
	int err;

	live_counts(w, &c, &k);
	ia_trace_info_probes(&w->info, w->loader->st, &w->loader->feat);
	src.probes = w->info.probes;
	src.nprobes = w->info.nprobes;
	/* who holds the groups, read at scrape time (unknown where /proc is not readable) */
	ia_holders_init(&h);
	if (!ia_holders_scan(w->o->sysfs_root, &h))
		src.holders = &h;
	err = ia_prom_render(&src, buf, len);
	ia_holders_free(&h);
	ia_kstats_free(&k);
	return err;
}

/*
 * Wait up to 100 ms for records and consume them. serve also waits for
 * scrapes, answers them and writes the textfile when due.
 *
 * The probes wake the consumer only once wakeup_bytes are waiting
 * (ev_submit: BPF_RB_NO_WAKEUP below that), and ring_buffer__poll()
 * consumes only the rings epoll reported (libbpf ringbuf.c), so after the
 * wait the ring is consumed whatever epoll said: records below the mark
 * reach the output within one poll, not when 8 MiB have piled up or at exit.
 */
static int wait_records(struct watch_ctx *w, struct ring_buffer *rb)
{
	struct pollfd fds[1 + 1 + IA_HTTP_MAX_CONNS];
	int n = 1, err;

	if (!w->o->serve) {
		err = ring_buffer__poll(rb, 100);
		if (err < 0)
			return err;
		n = ring_buffer__consume(rb);
		return n < 0 ? n : err + n;
	}
	fds[0] = (struct pollfd){ .fd = ring_buffer__epoll_fd(rb), .events = POLLIN };
	n += ia_exporter_pollfds(&w->x, fds + 1, (int)(sizeof(fds) / sizeof(fds[0])) - 1);
	if (poll(fds, (nfds_t)n, 100) < 0 && errno != EINTR)
		return -errno;
	err = ring_buffer__consume(rb);
	ia_exporter_service(&w->x, ia_mono_ms());
	return err;
}

/*
 * Modules that came or went (vfio_iommu_type1, iommufd): their hooks
 * attached or detached by the loader, each change said as the start-up
 * probes were (a probe object in JSON, a line on stderr in text); serve's
 * probe_attached follows by itself. The symbols are read again, for the
 * module's iommu_ops names.
 */
static void refresh_modules(struct watch_ctx *w)
{
	unsigned int changed[IA_HOOK_MAX];
	int n = ia_loader_refresh(w->loader, changed, IA_HOOK_MAX);
	struct ia_ksyms ks;

	if (n <= 0)
		return;
	ia_trace_info_probes(&w->info, w->loader->st, &w->loader->feat);
	for (int i = 0; i < n; i++) {
		const struct ia_trace_probe *p = ia_trace_probe_of(&w->info, changed[i]);

		if (!p)
			continue;
		if (w->o->json && !w->trace && !w->o->serve)
			ia_probe_print_json(&w->json, p, true);
		else if (p->via != IA_VIA_NONE)
			fprintf(stderr, "probe %s: attached (%s) %s%s%s%s\n", ia_hook_name(p->hook),
				ia_via_name(p->via), p->target, p->why[0] ? " (" : "", p->why,
				p->why[0] ? ")" : ""); /* why: prototype not checked */
		else
			fprintf(stderr, "probe %s: %s\n", ia_hook_name(p->hook), p->why);
	}
	if (!ia_ksyms_load(&ks, "/proc/kallsyms")) { /* else the old names stay */
		ia_ksyms_free(&w->ksyms);
		w->ksyms = ks;
	}
}

/* Once the drop counter stopped growing for this long, sysfs is re-read. */
#define RESYNC_QUIET_S 1.0

static void read_iommus(const struct ia_live_opts *o, struct ia_model *m);

/*
 * The probes count a drop when bpf_ringbuf_reserve() finds the ring full
 * (kernel/bpf/ringbuf.c: __bpf_ringbuf_reserve returns NULL): those
 * records never reach the engine. It is told, here in the stream, and so
 * is the recording. Checked before each record (a read of .bss, no
 * syscall): a record submitted after a drop is fed after the engine knows
 * of it, so a close whose release was lost finds its group unverified.
 */
static int note_drops(struct watch_ctx *w)
{
	__u64 submitted, drops;

	ia_loader_counters(w->loader, &submitted, &drops);
	if (drops <= w->drops_seen)
		return 0;
	ia_engine_records_lost(&w->engine, drops - w->drops_seen);
	w->lost_at = ia_mono_s();
	if (w->trace)
		w->trace_err = ia_trace_write_lost(w->trace, drops - w->drops_seen);
	w->drops_seen = drops;
	return w->trace_err;
}

/*
 * What sysfs shows now replaces the groups, drivers and default domains
 * the lost records may have changed (in the recording too, in order). A
 * sysfs or memory failure is said and leaves the loss pending (its finding
 * then says sysfs was not re-read); a recording's write error ends the run.
 */
static int resync(struct watch_ctx *w, struct ring_buffer *rb)
{
	struct ia_model fresh;
	int err;

	ring_buffer__consume(rb); /* records older than the sysfs read go first */
	ia_model_init(&fresh);
	err = ia_sysfs_read(w->o->sysfs_root, &fresh);
	if (err && err != -ENOENT) {
		ia_error(w->o->json, "re-reading /sys/kernel/iommu_groups after lost records failed: %s",
			 strerror(-err));
		ia_model_free(&fresh);
		return 0;
	}
	read_iommus(w->o, &fresh);
	if (w->trace)
		w->trace_err = ia_trace_write_resync(w->trace, &fresh);
	err = w->trace_err ? 0 : ia_engine_resync(&w->engine, &fresh);
	if (err)
		ia_error(w->o->json, "applying sysfs after lost records failed: %s", strerror(-err));
	ia_model_free(&fresh);
	if (!w->trace && !w->o->serve)
		print_new_findings(w);
	return w->trace_err;
}

/* Each poll: losses noted; sysfs re-read once they stop (at once when the run ends). */
static int heal_drops(struct watch_ctx *w, struct ring_buffer *rb, bool ending)
{
	int err = note_drops(w);

	if (err || !w->lost_at || (!ending && ia_mono_s() - w->lost_at < RESYNC_QUIET_S))
		return err;
	w->lost_at = 0;
	return resync(w, rb);
}

static int run_loop(struct watch_ctx *w, struct ring_buffer *rb)
{
	double start = ia_mono_s(), end = w->o->duration > 0 ? start + w->o->duration : 0;
	double flushed = start, hist_at = start + HIST_PERIOD_S, view_at = start + w->o->interval;
	double modules_at = start + 1.0;
	int err = 0;

	while (!ia_signalled(w->sigfd)) {
		if (end && ia_mono_s() >= end)
			break;
		err = wait_records(w, rb);
		if (err == -EINTR)
			err = 0;
		if (err < 0)
			break;
		err = heal_drops(w, rb, false);
		if (err)
			break;
		if (ia_mono_s() >= w->retire_at)
			retire_steps(w, 1);
		if (w->o->interval > 0 && ia_mono_s() >= view_at) {
			print_interval(w);
			view_at += w->o->interval;
		}
		if (!w->o->no_late_attach && ia_mono_s() >= modules_at) {
			refresh_modules(w);
			modules_at = ia_mono_s() + 1.0;
		}
		fflush(stdout);
		if (w->trace && ia_mono_s() - flushed >= 1.0) { /* a crash loses at most a second */
			err = ia_trace_flush(w->trace);
			flushed = ia_mono_s();
			if (!err && ia_mono_s() >= hist_at) {
				err = record_kstats(w);
				hist_at += HIST_PERIOD_S;
			}
			if (err)
				break;
		}
	}
	ring_buffer__consume(rb); /* what was submitted before the stop */
	if (!err)
		err = heal_drops(w, rb, true);
	retire_steps(w, 2);
	return err;
}

/* What watch prints at exit; the kernel's aggregates are read now. */
static void print_summary(struct watch_ctx *w)
{
	struct ia_run_counts c;
	struct ia_kstats k;

	live_counts(w, &c, &k);
	if (w->o->json)
		ia_report_print_json(&w->json, &w->engine, &c);
	else
		ia_report_print_text(stdout, &w->engine, &c);
	ia_kstats_free(&k);
}

static void announce(struct watch_ctx *w, const struct ia_loader *l)
{
	char what[256] = "watching";

	if (w->o->verbose) {
		ia_trace_info_probes(&w->info, l->st, &l->feat);
		if (w->o->json)
			ia_probes_print_json(&w->json, &w->info);
		else
			ia_probes_print_text(stderr, &w->info);
	}
	if (w->o->serve)
		ia_exporter_describe(&w->x, what, sizeof(what));
	fprintf(stderr, "%s: %d of %d probes attached%s\n", what, ia_loader_attached(l),
		IA_HOOK_MAX - 1, w->o->duration > 0 ? "" : "; Ctrl-C to stop");
}

/*
 * Everything is attached and open: give up every capability but what the
 * rest of the run needs (--no-late-attach: attaching nothing later).
 * Failing to is fatal: the service must not run with more than it says.
 */
static int drop_capabilities(struct watch_ctx *w)
{
	const struct ia_loader *l = w->loader;
	unsigned int keep = 0;
	bool late = false;
	char kept[96];
	int err;

	for (unsigned int id = 1; id < IA_HOOK_MAX && !w->o->no_late_attach; id++)
		late |= l->st[id].late;
	/* reading the maps (histograms, counts) is a bpf() command on kernels that gate them all */
	if (l->feat.bpf_gated)
		keep |= IA_KEEP_BPF;
	if (late) {
		/*
		 * A module's hooks attached later. Through a kprobe_multi link
		 * (BPF_LINK_CREATE on the programs already loaded) nothing is
		 * asked beyond the gate above: kernel/bpf/syscall.c link_create
		 * and kernel/trace/bpf_trace.c bpf_kprobe_multi_link_attach check
		 * no capability. Through a perf-event kprobe,
		 * perf_kprobe_event_init asks CAP_PERFMON, and perf_event_open
		 * CAP_SYS_ADMIN under perf_event_paranoid > 2 (Debian's patch;
		 * the loader chose kprobe_multi where that was not held).
		 * CAP_SYSLOG: the new module's addresses in /proc/kallsyms, which
		 * name its iommu_ops.
		 */
		bool perf = !l->kprobe_multi, paranoid = ia_perf_paranoid() > 2;

		/* perf events refused to it anyway: they stay missing, saying why */
		if (!perf || !paranoid || ia_caps_admin())
			keep |= IA_KEEP_SYSLOG | (perf ? paranoid ? IA_KEEP_ADMIN : IA_KEEP_PERFMON : 0);
	}
	/* serve names the holders of each group at every scrape: other users' fd tables */
	if (w->o->serve && !w->o->no_late_attach)
		keep |= IA_KEEP_PTRACE;
	err = ia_caps_drop(keep, kept, sizeof(kept));
	if (err)
		ia_error(w->o->json, "giving up capabilities failed: %s", strerror(-err));
	else if (w->o->verbose)
		fprintf(stderr, "capabilities kept: %s\n", kept[0] ? kept : "none");
	return err;
}

/* serve: the final textfile, and one line on what was served. */
static int close_serve(struct watch_ctx *w)
{
	int err = ia_exporter_close(&w->x);

	fprintf(stderr, "served %llu responses; %llu records, %zu findings\n",
		(unsigned long long)w->x.http.served, (unsigned long long)w->engine.stats.records,
		w->engine.nfindings);
	return err;
}

/* The registered IOMMU instances: the multiple-driver rule needs them. */
static void read_iommus(const struct ia_live_opts *o, struct ia_model *m)
{
	int n = ia_sysfs_iommus(o->sysfs_root, m->iommus, IA_MAX_IOMMUS);

	m->niommus = n > 0 ? n : 0;
}

/* record: the header (host, probes, the starting model) and the symbols, before any record. */
static int open_recording(struct watch_ctx *w, const struct ia_loader *l, const struct ia_model *snap)
{
	int err;

	ia_trace_info_probes(&w->info, l->st, &l->feat);
	w->info.ringbuf_bytes = w->o->ringbuf_bytes;
	err = ia_trace_open_write(&w->trace, w->o->output, &w->info, snap);
	if (!err)
		err = ia_trace_write_syms(w->trace, w->ksyms.ops, w->ksyms.nops);
	if (err)
		ia_error(w->o->json, "cannot write the recording %s: %s", w->o->output, strerror(-err));
	return err;
}

/* record: END with the BPF side's counters, and one line on what was kept. */
static int close_recording(struct watch_ctx *w, const struct ia_loader *l)
{
	struct ia_counters c = { 0 };
	int err = w->trace_err ? 0 : record_kstats(w);

	if (err && !w->trace_err)
		w->trace_err = err;
	ia_loader_counters(l, &c.events, &c.drops);
	err = ia_trace_close(w->trace, &c);
	w->trace = NULL;
	if (w->trace_err || err) {
		ia_error(w->o->json, "writing the recording %s failed: %s", w->o->output,
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
				     .ringbuf_bytes = w->o->ringbuf_bytes, .verbose = w->o->verbose,
				     .trace_ioctls = w->o->trace_ioctls, .trace_maps = w->o->trace_maps,
				     .module_fentry = w->o->module_fentry,
				     .no_late_attach = w->o->no_late_attach };
	struct ia_engine_opts eo;
	char msg[256];
	int err;

	err = ia_caps_missing(msg, sizeof(msg));
	if (!err && msg[0]) {
		ia_error(w->o->json, "no permission to trace: missing %s (run as root, or grant %s)", msg,
			 strchr(msg, ',') ? "them" : "it");
		return -EPERM;
	}
	if (w->o->module_fentry && !ia_caps_admin()) {
		ia_error(w->o->json, "--module-fentry: missing CAP_SYS_ADMIN (module BTF is read through "
				     "BPF_BTF_GET_FD_BY_ID); without the option, modules are traced through kprobes");
		return -EPERM;
	}
	err = ia_sysfs_read(w->o->sysfs_root, snap);
	if (err && err != -ENOENT) {
		ia_error(w->o->json, "reading /sys/kernel/iommu_groups failed: %s", strerror(-err));
		return err;
	}
	if (err == -ENOENT)
		fprintf(stderr, "note: no IOMMU groups in sysfs; starting from an empty model\n");
	read_iommus(w->o, snap);
	err = ia_ksyms_load(&w->ksyms, "/proc/kallsyms");
	if (err) {
		ia_error(w->o->json, "cannot read /proc/kallsyms: %s", strerror(-err));
		return err;
	}
	if (w->o->output)
		ia_trace_info_host(&w->info);
	err = ia_loader_start(l, &lo, msg, sizeof(msg));
	if (err) {
		if (w->o->verbose) {
			ia_trace_info_probes(&w->info, l->st, &l->feat);
			ia_probes_print_text(stderr, &w->info);
		}
		ia_error(w->o->json, "%s", msg);
		return err;
	}
	eo.use_default_hooked = l->st[IA_HOOK_USE_DEFAULT].via != IA_VIA_NONE;
	eo.probe_ret_bound = ia_release_before(l->release, 5, 14);
	eo.core_attach_checked = l->st[IA_HOOK_ATTACH_DEV_CORE].via != IA_VIA_NONE &&
				 l->st[IA_HOOK_TP_ATTACH].via != IA_VIA_NONE;
	eo.sym_name = ops_name;
	eo.sym_ctx = &w->ksyms;
	err = ia_engine_init(&w->engine, snap, &eo);
	if (err || !w->o->output)
		return err;
	return open_recording(w, l, snap);
}

int ia_live_run(const struct ia_live_opts *o)
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
	w.sigfd = ia_signals_fd();
	if (w.sigfd < 0) {
		ia_error(o->json, "signalfd: %s", strerror(-w.sigfd));
		return 1;
	}
	w.loader = &l;
	err = start(&w, &l, &snap);
	if (err)
		goto cleanup;
	rb = ring_buffer__new(ia_loader_ringbuf_fd(&l), handle_record, &w, NULL);
	if (!rb) {
		err = -errno;
		ia_error(o->json, "ring buffer: %s", strerror(errno));
		goto cleanup;
	}
	if (o->serve) {
		err = ia_exporter_open(&w.x, o->serve, render_live, &w, ia_mono_ms());
		if (err)
			goto cleanup;
	}
	err = drop_capabilities(&w);
	if (err)
		goto cleanup;
	announce(&w, &l);
	err = run_loop(&w, rb);
	if (err && !w.trace_err)
		ia_error(o->json, "polling the ring buffer failed: %s", strerror(-err));
	ia_engine_finish(&w.engine);
	if (w.trace) {
		int cerr = close_recording(&w, &l); /* a failed poll still leaves a valid file */

		err = err ? err : cerr;
		goto cleanup;
	}
	if (o->serve) {
		int serr = close_serve(&w); /* the final metrics, from the finished engine */

		err = err ? err : serr;
		goto cleanup;
	}
	print_new_findings(&w);
	print_summary(&w); /* what was collected survives a failed poll */
cleanup:
	ring_buffer__free(rb);
	ia_loader_stop(&l);
	rc = err ? IA_EXIT_FAILURE : ia_engine_found(&w.engine, o->fail_on) ? IA_EXIT_FINDINGS : 0;
	ia_engine_free(&w.engine);
	ia_calls_free(&w.calls);
	ia_kstats_free(&w.freed);
	ia_retire_free(&w.retiring);
	ia_kstats_free(&w.last);
	ia_ksyms_free(&w.ksyms);
	ia_model_free(&snap);
	close(w.sigfd);
	return rc;
}
