// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `report` and `diff`: replay recordings through the engine. `report` prints
 * what `watch` printed at exit; `diff` compares a recording made before a
 * kernel change with one made after it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "cli.h"
#include "event_out.h"
#include "hooks.h"
#include "loader.h"
#include "prom_out.h"
#include "replay.h"
#include "report_out.h"

struct report_ctx {
	const struct ia_opts *o;
	struct ia_replay rp;
	struct ia_json json;
	size_t reported; /* findings printed so far */
	__u64 ts_base;
};

/* "2025-11-21 14:34:00 UTC", or "-" when unknown. */
static void fmt_time(__u64 ns, char *buf, size_t len)
{
	time_t t = (time_t)(ns / 1000000000ull);
	struct tm tm;

	if (!ns || !gmtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(buf, len, "-");
}

static const char *state_name(enum ia_trace_state s)
{
	switch (s) {
	case IA_TRACE_COMPLETE: return "complete";
	case IA_TRACE_TRUNCATED: return "truncated";
	case IA_TRACE_CORRUPT: return "corrupt";
	case IA_TRACE_FAILED: return "failed";
	default: return "reading";
	}
}

static void print_probes_text(const struct ia_trace_info *info)
{
	__u32 f = info->features;

	printf("  probes: %d of %d attached (features: btf=%d fentry=%d kprobes=%d tracefs=%d)\n",
	       ia_trace_probes_attached(info), info->nprobes, !!(f & IA_TRACE_FEAT_BTF),
	       !!(f & IA_TRACE_FEAT_FENTRY), !!(f & IA_TRACE_FEAT_KPROBES), !!(f & IA_TRACE_FEAT_TRACEFS));
	for (int i = 0; i < info->nprobes; i++) {
		const struct ia_trace_probe *p = &info->probes[i];

		if (p->via != IA_VIA_NONE)
			printf("    %-16s %-10s %s\n", ia_hook_name(p->hook), ia_via_name(p->via), p->target);
		else
			printf("    %-16s %-10s %s\n", ia_hook_name(p->hook), "MISSING", p->why);
	}
}

static void print_header_text(const char *path, const struct ia_replay *rp)
{
	const struct ia_trace_info *info = &rp->info;
	char start[40];

	fmt_time(info->start_ns, start, sizeof(start));
	printf("recording %s (format %u, event ABI %u)\n", path, info->format, info->abi);
	printf("  kernel %s, host %s, boot id %s\n", info->kernel[0] ? info->kernel : "-",
	       info->host[0] ? info->host : "-", info->boot_id[0] ? info->boot_id : "-");
	printf("  started %s\n", start);
	print_probes_text(info);
}

static void print_probe_json(struct ia_json *j, const struct ia_trace_probe *p)
{
	ia_json_obj_begin(j);
	ia_json_kstr(j, "hook", ia_hook_name(p->hook));
	ia_json_kstr(j, "target", p->target);
	ia_json_kstr(j, "via", ia_via_name(p->via));
	ia_json_kbool(j, "attached", p->via != IA_VIA_NONE);
	if (p->via == IA_VIA_NONE) {
		ia_json_kstr(j, "errno", ia_errno_name(p->err) ?: "");
		ia_json_kstr(j, "why", p->why);
	}
	ia_json_obj_end(j);
}

static void print_header_json(struct ia_json *j, const char *path, const struct ia_replay *rp)
{
	const struct ia_trace_info *info = &rp->info;

	ia_json_obj_begin(j);
	ia_json_kstr(j, "type", "recording");
	ia_json_kint(j, "schema", 1);
	ia_json_kstr(j, "file", path);
	ia_json_kuint(j, "format", info->format);
	ia_json_kuint(j, "abi", info->abi);
	ia_json_kstr(j, "kernel", info->kernel);
	ia_json_kstr(j, "host", info->host);
	ia_json_kstr(j, "boot_id", info->boot_id);
	ia_json_kuint(j, "start_ns", info->start_ns);
	ia_json_kuint(j, "ringbuf_bytes", info->ringbuf_bytes);
	ia_json_kint(j, "probes_attached", ia_trace_probes_attached(info));
	ia_json_key(j, "probes");
	ia_json_arr_begin(j);
	for (int i = 0; i < info->nprobes; i++)
		print_probe_json(j, &info->probes[i]);
	ia_json_arr_end(j);
	ia_json_obj_end(j);
}

static void print_status_json(struct ia_json *j, const char *path, const struct ia_trace_status *st)
{
	char msg[320];

	ia_trace_describe(st, msg, sizeof(msg));
	ia_json_obj_begin(j);
	ia_json_kstr(j, "type", "replay");
	ia_json_kint(j, "schema", 1);
	ia_json_kstr(j, "file", path);
	ia_json_kstr(j, "status", state_name(st->state));
	ia_json_kuint(j, "frames", st->frames);
	ia_json_kuint(j, "offset", st->offset);
	ia_json_kuint(j, "records", st->records);
	ia_json_kuint(j, "stop_ns", st->have_end ? st->end.stop_ns : 0);
	ia_json_kstr(j, "message", msg);
	ia_json_obj_end(j);
}

/* -v: every record as `watch` printed it; findings as they are raised (always in JSON). */
static void on_record(void *arg, const struct ia_decoded *d)
{
	struct report_ctx *c = arg;

	if (c->o->verbose) {
		if (!c->ts_base)
			c->ts_base = d->ev->ts_ns;
		if (c->o->json)
			ia_event_print_json(&c->json, d);
		else
			ia_event_print_text(stdout, d, c->ts_base);
	}
	if (c->o->json || c->o->verbose)
		ia_report_new_findings(&c->rp.engine, &c->reported, stdout, c->o->json ? &c->json : NULL);
}

/* --fail-on, as for watch. */
static int exit_for_findings(const struct ia_opts *o, const struct ia_engine *e)
{
	for (size_t i = 0; i < e->nfindings; i++)
		if (o->fail_on & (1u << e->findings[i].rule))
			return IA_EXIT_FINDINGS;
	return 0;
}

/* One line on stderr unless the recording was complete; 1 then, else 0. */
static int complain(const struct ia_opts *o, const char *path, const struct ia_trace_status *st)
{
	char msg[320];

	if (st->state == IA_TRACE_COMPLETE)
		return 0;
	ia_trace_describe(st, msg, sizeof(msg));
	ia_error(o, "%s: %s", path, msg);
	return 1;
}

static void print_report(struct report_ctx *c, const char *path)
{
	struct ia_run_counts rc;

	ia_replay_counts(&c->rp, &rc);
	if (c->o->json) {
		ia_report_new_findings(&c->rp.engine, &c->reported, stdout, &c->json);
		ia_report_print_json(&c->json, &c->rp.engine, &rc);
		print_status_json(&c->json, path, &c->rp.status);
		return;
	}
	if (c->o->verbose)
		ia_report_new_findings(&c->rp.engine, &c->reported, stdout, NULL);
	ia_report_print_text(stdout, &c->rp.engine, &rc);
}

/* --prometheus: the final metrics once, as serve --replay gives them. */
static int report_prometheus(struct report_ctx *c, const char *path)
{
	struct ia_run_counts rc;
	struct ia_prom_src src;
	int err, rc_exit;

	ia_replay_run(&c->rp, NULL, NULL); /* a failure shows in the status: complain() */
	ia_replay_prom_src(&c->rp, &rc, &src);
	err = ia_prom_write(stdout, &src);
	if (fflush(stdout) && !err)
		err = -errno;
	if (err)
		ia_error(c->o, "writing the metrics failed: %s", strerror(-err));
	rc_exit = complain(c->o, path, &c->rp.status) || err ? 1 : exit_for_findings(c->o, &c->rp.engine);
	ia_replay_close(&c->rp);
	return rc_exit;
}

int ia_cmd_report(const struct ia_opts *o)
{
	struct report_ctx c = { .o = o };
	const char *path;
	char msg[256];
	int rc;

	if (o->nargs != 1) {
		ia_error(o, "report wants one recording (try 'iommu-audit help')");
		return 2;
	}
	path = o->args[0];
	ia_json_init(&c.json, stdout);
	if (ia_replay_open(&c.rp, path, msg, sizeof(msg))) {
		ia_error(o, "%s: %s", path, msg);
		return 1;
	}
	if (o->prometheus)
		return report_prometheus(&c, path);
	if (o->json)
		print_header_json(&c.json, path, &c.rp);
	else
		print_header_text(path, &c.rp);
	ia_replay_run(&c.rp, on_record, &c);
	print_report(&c, path);
	fflush(stdout);
	rc = complain(o, path, &c.rp.status) ?: exit_for_findings(o, &c.rp.engine);
	ia_replay_close(&c.rp);
	return rc;
}

/* ---- diff ---- */

static void diff_side_text(char side, const char *path, const struct ia_replay *rp)
{
	char start[40];

	fmt_time(rp->info.start_ns, start, sizeof(start));
	printf("%c: %s: kernel %s, host %s, started %s, %llu records, %s\n", side, path,
	       rp->info.kernel[0] ? rp->info.kernel : "-", rp->info.host[0] ? rp->info.host : "-",
	       start, (unsigned long long)rp->engine.stats.records, state_name(rp->status.state));
}

static void diff_rules_text(const struct ia_diff *d, const struct ia_diff_opts *o)
{
	bool any = false;

	printf("\n%-30s %6s   %6s   %6s\n", "findings per rule", "a", "b", "delta");
	for (int r = IA_RULE_NONE + 1; r < IA_RULE_MAX; r++) {
		__u64 a = d->findings[r][0], b = d->findings[r][1];

		if (!a && !b)
			continue;
		any = true;
		printf("  %-28s %6llu   %6llu   %+6lld%s\n", ia_rule_name((enum ia_rule)r),
		       (unsigned long long)a, (unsigned long long)b, (long long)(b - a),
		       ia_diff_compares(o, (enum ia_rule)r) ? "" : "  (not compared)");
	}
	if (!any)
		printf("  none\n");
}

static void diff_errnos_text(const struct ia_diff *d)
{
	printf("\n%-30s %6s   %6s   %6s\n", "errnos per hook", "a", "b", "delta");
	for (size_t i = 0; i < d->nerrnos; i++) {
		const struct ia_diff_errno *e = &d->errnos[i];
		const char *name = ia_errno_name(e->err);
		char key[64];

		if (name)
			snprintf(key, sizeof(key), "%s %s", ia_hook_name(e->hook), name);
		else
			snprintf(key, sizeof(key), "%s E%u", ia_hook_name(e->hook), e->err);
		printf("  %-28s %6llu   %6llu   %+6lld\n", key, (unsigned long long)e->n[0],
		       (unsigned long long)e->n[1], (long long)(e->n[1] - e->n[0]));
	}
	if (!d->nerrnos)
		printf("  none\n");
}

static void diff_verdict_text(const struct ia_diff *d, const struct ia_diff_opts *o)
{
	printf("\n%-30s %6llu   %6llu\n", "soft-failure retries", (unsigned long long)d->soft_retries[0],
	       (unsigned long long)d->soft_retries[1]);
	printf("%-30s %6llu   %6llu\n", "unresolved retries", (unsigned long long)d->unresolved_retries[0],
	       (unsigned long long)d->unresolved_retries[1]);
	printf("\n%s: %llu new finding%s in b (tolerated: %llu)", d->worse ? "WORSE" : "not worse",
	       (unsigned long long)d->new_findings, d->new_findings == 1 ? "" : "s",
	       (unsigned long long)o->max_new);
	if (o->max_ratio > 0)
		printf(", %zu slower latenc%s (tolerated ratio: %.2f)", d->slower,
		       d->slower == 1 ? "y" : "ies", o->max_ratio);
	printf("\n");
}

static const char *lat_name(const struct ia_diff_latency *r, char *buf, size_t len)
{
	char cmd[16];

	if (!r->ioctl)
		return ia_hist_op_name(r->id);
	snprintf(buf, len, "ioctl %s", ia_ioctl_nr_name(r->id, cmd, sizeof(cmd)));
	return buf;
}

static double mean_ns(const struct ia_hist *h)
{
	return h->calls ? (double)h->sum_ns / (double)h->calls : 0;
}

static void diff_latency_text(const struct ia_diff *d)
{
	char name[40];

	printf("\n%-30s %9s %9s %9s   %9s %9s %9s   %6s %6s\n", "latency (ns)", "a calls", "a mean",
	       "a p99", "b calls", "b mean", "b p99", "mean x", "p99 x");
	if (!d->have_latency[0] || !d->have_latency[1])
		printf("  not compared: %s has no histogram frame\n",
		       !d->have_latency[0] ? "a" : "b");
	for (size_t i = 0; i < d->nlat; i++) {
		const struct ia_diff_latency *r = &d->lat[i];

		printf("  %-28s %9llu %9.0f %9llu   %9llu %9.0f %9llu   %6.2f %6.2f%s\n",
		       lat_name(r, name, sizeof(name)), (unsigned long long)r->h[0].calls,
		       mean_ns(&r->h[0]), (unsigned long long)ia_hist_quantile(&r->h[0], 0.99),
		       (unsigned long long)r->h[1].calls, mean_ns(&r->h[1]),
		       (unsigned long long)ia_hist_quantile(&r->h[1], 0.99), r->mean_ratio, r->p99_ratio,
		       r->worse ? "  SLOWER" : r->judged ? "" : "  (too few calls to judge)");
	}
}

static void lat_side_json(struct ia_json *j, const char *key, const struct ia_hist *h)
{
	ia_json_key(j, key);
	ia_json_obj_begin(j);
	ia_hist_json_fields(j, h, false);
	ia_json_obj_end(j);
}

static void diff_latency_json(struct ia_json *j, const struct ia_diff *d)
{
	char cmd[16];

	for (size_t i = 0; i < d->nlat; i++) {
		const struct ia_diff_latency *r = &d->lat[i];

		ia_json_obj_begin(j);
		ia_json_kstr(j, "type", "diff_latency");
		ia_json_kint(j, "schema", 1);
		ia_json_kstr(j, "kind", r->ioctl ? "ioctl" : "map");
		ia_json_kstr(j, "name", r->ioctl ? ia_ioctl_nr_name(r->id, cmd, sizeof(cmd)) :
						  ia_hist_op_name(r->id));
		lat_side_json(j, "a", &r->h[0]);
		lat_side_json(j, "b", &r->h[1]);
		ia_json_kdouble(j, "mean_ratio", r->mean_ratio);
		ia_json_kdouble(j, "p99_ratio", r->p99_ratio);
		ia_json_kbool(j, "judged", r->judged);
		ia_json_kbool(j, "slower", r->worse);
		ia_json_obj_end(j);
	}
}

static void diff_side_json(struct ia_json *j, const char *side, const char *path,
			   const struct ia_replay *rp)
{
	ia_json_obj_begin(j);
	ia_json_kstr(j, "type", "diff_recording");
	ia_json_kint(j, "schema", 1);
	ia_json_kstr(j, "side", side);
	ia_json_kstr(j, "file", path);
	ia_json_kstr(j, "kernel", rp->info.kernel);
	ia_json_kstr(j, "host", rp->info.host);
	ia_json_kuint(j, "start_ns", rp->info.start_ns);
	ia_json_kuint(j, "records", rp->engine.stats.records);
	ia_json_kstr(j, "status", state_name(rp->status.state));
	ia_json_obj_end(j);
}

static void pair_json(struct ia_json *j, __u64 a, __u64 b)
{
	ia_json_kuint(j, "a", a);
	ia_json_kuint(j, "b", b);
	ia_json_kint(j, "delta", (long long)(b - a));
}

static void diff_rows_json(struct ia_json *j, const struct ia_diff *d, const struct ia_diff_opts *o)
{
	for (int r = IA_RULE_NONE + 1; r < IA_RULE_MAX; r++) {
		ia_json_obj_begin(j);
		ia_json_kstr(j, "type", "diff_findings");
		ia_json_kint(j, "schema", 1);
		ia_json_kstr(j, "rule", ia_rule_name((enum ia_rule)r));
		pair_json(j, d->findings[r][0], d->findings[r][1]);
		ia_json_kbool(j, "compared", ia_diff_compares(o, (enum ia_rule)r));
		ia_json_obj_end(j);
	}
	for (size_t i = 0; i < d->nerrnos; i++) {
		const struct ia_diff_errno *e = &d->errnos[i];

		ia_json_obj_begin(j);
		ia_json_kstr(j, "type", "diff_errno");
		ia_json_kint(j, "schema", 1);
		ia_json_kstr(j, "hook", ia_hook_name(e->hook));
		ia_json_kstr(j, "errno", ia_errno_name(e->err) ?: "");
		ia_json_kint(j, "err", -(long long)e->err);
		pair_json(j, e->n[0], e->n[1]);
		ia_json_kuint(j, "exits_a", d->exits[e->hook][0]);
		ia_json_kuint(j, "exits_b", d->exits[e->hook][1]);
		ia_json_obj_end(j);
	}
}

static void diff_summary_json(struct ia_json *j, const struct ia_diff *d, const struct ia_diff_opts *o)
{
	ia_json_obj_begin(j);
	ia_json_kstr(j, "type", "diff_summary");
	ia_json_kint(j, "schema", 1);
	ia_json_kstr(j, "verdict", d->worse ? "worse" : "not-worse");
	ia_json_kuint(j, "new_findings", d->new_findings);
	ia_json_kuint(j, "max_new_findings", o->max_new);
	ia_json_key(j, "soft_failure_retries");
	ia_json_obj_begin(j);
	pair_json(j, d->soft_retries[0], d->soft_retries[1]);
	ia_json_obj_end(j);
	ia_json_key(j, "unresolved_retries");
	ia_json_obj_begin(j);
	pair_json(j, d->unresolved_retries[0], d->unresolved_retries[1]);
	ia_json_obj_end(j);
	ia_json_kbool(j, "latency_compared", d->have_latency[0] && d->have_latency[1]);
	ia_json_kuint(j, "slower", d->slower);
	ia_json_kdouble(j, "max_latency_ratio", o->max_ratio);
	ia_json_obj_end(j);
}

static void print_diff(const struct ia_opts *o, struct ia_replay rp[2], const struct ia_diff *d,
		       const struct ia_diff_opts *dopts)
{
	struct ia_json j;

	if (!o->json) {
		diff_side_text('a', o->args[0], &rp[0]);
		diff_side_text('b', o->args[1], &rp[1]);
		diff_rules_text(d, dopts);
		diff_errnos_text(d);
		diff_latency_text(d);
		diff_verdict_text(d, dopts);
		return;
	}
	ia_json_init(&j, stdout);
	diff_side_json(&j, "a", o->args[0], &rp[0]);
	diff_side_json(&j, "b", o->args[1], &rp[1]);
	diff_rows_json(&j, d, dopts);
	diff_latency_json(&j, d);
	diff_summary_json(&j, d, dopts);
}

static int open_both(const struct ia_opts *o, struct ia_replay rp[2])
{
	char msg[256];

	for (int i = 0; i < 2; i++) {
		if (ia_replay_open(&rp[i], o->args[i], msg, sizeof(msg))) {
			ia_error(o, "%s: %s", o->args[i], msg);
			if (i)
				ia_replay_close(&rp[0]);
			return -1;
		}
	}
	return 0;
}

int ia_cmd_diff(const struct ia_opts *o)
{
	struct ia_diff_opts dopts = { .rules = o->rules, .max_new = o->max_new,
				      .max_ratio = o->max_latency_ratio };
	struct ia_replay rp[2];
	struct ia_diff d;
	int rc = 0;

	if (o->nargs != 2) {
		ia_error(o, "diff wants two recordings, before and after (try 'iommu-audit help')");
		return 2;
	}
	if (open_both(o, rp))
		return 1;
	for (int i = 0; i < 2; i++)
		ia_replay_run(&rp[i], NULL, NULL);
	if (ia_diff_compute(&d, &rp[0], &rp[1], &dopts)) {
		ia_error(o, "out of memory");
		rc = 1;
	} else {
		print_diff(o, rp, &d, &dopts);
		fflush(stdout);
		rc = d.worse ? IA_EXIT_WORSE : 0;
	}
	/* a damaged recording proves nothing either way */
	for (int i = 0; i < 2; i++)
		if (complain(o, o->args[i], &rp[i].status))
			rc = 1;
	ia_diff_free(&d);
	ia_replay_close(&rp[0]);
	ia_replay_close(&rp[1]);
	return rc;
}
