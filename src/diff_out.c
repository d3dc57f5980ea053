// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `diff`'s comparison of two recordings, as text and JSON (diff_out.h). */
#include <stdio.h>
#include "findings.h"
#include "hist.h"
#include "hooks.h"
#include "diff_out.h"
#include "kstats.h"
#include "recording_out.h"

static void diff_side_text(FILE *out, char side, const char *path, const struct ia_replay *rp)
{
	char start[40];

	ia_fmt_utc(rp->info.start_ns, start, sizeof(start));
	fprintf(out, "%c: %s: kernel %s, host %s, started %s, %llu records, %s\n", side, path,
	       rp->info.kernel[0] ? rp->info.kernel : "-", rp->info.host[0] ? rp->info.host : "-",
	       start, (unsigned long long)rp->engine.stats.records, ia_trace_state_name(rp->status.state));
}

static void diff_rules_text(FILE *out, const struct ia_diff *d, const struct ia_diff_opts *o)
{
	bool any = false;

	fprintf(out, "\n%-30s %6s   %6s   %6s\n", "findings per rule", "a", "b", "delta");
	for (int r = IA_RULE_NONE + 1; r < IA_RULE_MAX; r++) {
		__u64 a = d->findings[r][0], b = d->findings[r][1];

		if (!a && !b)
			continue;
		any = true;
		fprintf(out, "  %-28s %6llu   %6llu   %+6lld%s\n", ia_rule_name((enum ia_rule)r),
		       (unsigned long long)a, (unsigned long long)b, (long long)(b - a),
		       ia_diff_compares(o, (enum ia_rule)r) ? "" : "  (not compared)");
	}
	if (!any)
		fprintf(out, "  none\n");
}

static void diff_errnos_text(FILE *out, const struct ia_diff *d)
{
	fprintf(out, "\n%-30s %6s   %6s   %6s\n", "errnos per hook", "a", "b", "delta");
	for (size_t i = 0; i < d->nerrnos; i++) {
		const struct ia_diff_errno *e = &d->errnos[i];
		const char *name = ia_errno_name(e->err);
		char key[64];

		if (name)
			snprintf(key, sizeof(key), "%s %s", ia_hook_name(e->hook), name);
		else
			snprintf(key, sizeof(key), "%s E%u", ia_hook_name(e->hook), e->err);
		fprintf(out, "  %-28s %6llu   %6llu   %+6lld\n", key, (unsigned long long)e->n[0],
		       (unsigned long long)e->n[1], (long long)(e->n[1] - e->n[0]));
	}
	if (!d->nerrnos)
		fprintf(out, "  none\n");
}

static void diff_verdict_text(FILE *out, const struct ia_diff *d, const struct ia_diff_opts *o)
{
	fprintf(out, "\n%-30s %6llu   %6llu\n", "soft-failure retries", (unsigned long long)d->soft_retries[0],
	       (unsigned long long)d->soft_retries[1]);
	fprintf(out, "%-30s %6llu   %6llu\n", "unresolved retries", (unsigned long long)d->unresolved_retries[0],
	       (unsigned long long)d->unresolved_retries[1]);
	fprintf(out, "\n%s: %llu new finding%s in b (tolerated: %llu)", d->worse ? "WORSE" : "not worse",
	       (unsigned long long)d->new_findings, d->new_findings == 1 ? "" : "s",
	       (unsigned long long)o->max_new);
	if (o->max_ratio > 0)
		fprintf(out, ", %zu slower latenc%s (tolerated ratio: %.2f)", d->slower,
		       d->slower == 1 ? "y" : "ies", o->max_ratio);
	fprintf(out, "\n");
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

static void diff_latency_text(FILE *out, const struct ia_diff *d)
{
	char name[40];

	fprintf(out, "\n%-30s %9s %9s %9s   %9s %9s %9s   %6s %6s\n", "latency (ns)", "a calls", "a mean",
	       "a p99", "b calls", "b mean", "b p99", "mean x", "p99 x");
	if (!d->have_latency[0] || !d->have_latency[1])
		fprintf(out, "  not compared: %s has no histogram frame\n",
		       !d->have_latency[0] ? "a" : "b");
	for (size_t i = 0; i < d->nlat; i++) {
		const struct ia_diff_latency *r = &d->lat[i];

		fprintf(out, "  %-28s %9llu %9.0f %9llu   %9llu %9.0f %9llu   %6.2f %6.2f%s\n",
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
	ia_json_kstr(j, "status", ia_trace_state_name(rp->status.state));
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
		/*
		 * A row per rule of the first ten, always; a later rule's row only
		 * when a side raised it, so that the diff of two older recordings
		 * prints the lines it printed then.
		 */
		if (r >= IA_RULE_RECORDS_LOST && !d->findings[r][0] && !d->findings[r][1])
			continue;
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

void ia_diff_print_text(FILE *out, char *const path[2], const struct ia_replay rp[2], const struct ia_diff *d,
			const struct ia_diff_opts *dopts)
{
	diff_side_text(out, 'a', path[0], &rp[0]);
	diff_side_text(out, 'b', path[1], &rp[1]);
	diff_rules_text(out, d, dopts);
	diff_errnos_text(out, d);
	diff_latency_text(out, d);
	diff_verdict_text(out, d, dopts);
}

void ia_diff_print_json(struct ia_json *j, char *const path[2], const struct ia_replay rp[2],
			const struct ia_diff *d, const struct ia_diff_opts *dopts)
{
	diff_side_json(j, "a", path[0], &rp[0]);
	diff_side_json(j, "b", path[1], &rp[1]);
	diff_rows_json(j, d, dopts);
	diff_latency_json(j, d);
	diff_summary_json(j, d, dopts);
}
