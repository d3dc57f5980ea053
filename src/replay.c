// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Replaying recordings and comparing them; see include/replay.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "grow.h"
#include "hooks.h"
#include "probes.h"
#include "replay.h"
#include "tlv.h"

/*
 * The engine as the live run had it: really_probe's DMA class comes from
 * iommu_device_use_default_domain only when that hook was attached, and
 * iommu_ops addresses are named from the recording's SYMS frames.
 */
static void engine_opts(const struct ia_replay *rp, struct ia_engine_opts *eo)
{
	const struct ia_trace_probe *p = ia_trace_probe_of(&rp->info, IA_HOOK_USE_DEFAULT);
	const struct ia_trace_probe *core = ia_trace_probe_of(&rp->info, IA_HOOK_ATTACH_DEV_CORE);
	const struct ia_trace_probe *tp = ia_trace_probe_of(&rp->info, IA_HOOK_TP_ATTACH);

	memset(eo, 0, sizeof(*eo));
	eo->use_default_hooked = p && p->via != IA_VIA_NONE;
	eo->probe_ret_bound = ia_release_before(rp->info.kernel, 5, 14);
	eo->core_attach_checked = core && core->via != IA_VIA_NONE && tp && tp->via != IA_VIA_NONE;
	eo->sym_name = ia_trace_sym_name;
	eo->sym_ctx = rp->reader;
}

static int start(struct ia_replay *rp, int err, char *msg, size_t msglen)
{
	struct ia_engine_opts eo;

	if (err)
		return err;
	engine_opts(rp, &eo);
	err = ia_engine_init(&rp->engine, &rp->start, &eo);
	if (err) {
		snprintf(msg, msglen, "out of memory");
		ia_replay_close(rp);
	}
	return err;
}

int ia_replay_open(struct ia_replay *rp, const char *path, char *msg, size_t msglen)
{
	memset(rp, 0, sizeof(*rp));
	return start(rp, ia_trace_open_read(&rp->reader, path, &rp->info, &rp->start, msg, msglen),
		     msg, msglen);
}

int ia_replay_open_mem(struct ia_replay *rp, const void *data, size_t len, char *msg, size_t msglen)
{
	memset(rp, 0, sizeof(*rp));
	return start(rp, ia_trace_open_mem(&rp->reader, data, len, &rp->info, &rp->start, msg, msglen),
		     msg, msglen);
}

/* A part of what sysfs showed: its groups' devices and regions added to rp->resync. */
static int gather_groups(struct ia_model *acc, const struct ia_model *part)
{
	for (size_t i = 0; i < part->ngroups; i++) {
		const struct ia_group *src = &part->groups[i];
		struct ia_group *g = ia_model_group(acc, src->id, true);

		if (!g)
			return -ENOMEM;
		memcpy(g->type, src->type, sizeof(g->type));
		for (size_t k = 0; k < src->ndevs; k++) {
			struct ia_dev *d = ia_group_dev(g, src->devs[k].name, true);

			if (!d)
				return -ENOMEM;
			*d = src->devs[k];
		}
		for (size_t k = 0; k < src->nresv; k++)
			if (ia_group_add_resv(g, src->resv[k].start, src->resv[k].end, src->resv[k].type))
				return -ENOMEM;
	}
	return 0;
}

/*
 * A resync entry (include/trace.h) handed to the engine where the live run
 * handed it. A malformed one is counted with the malformed records and
 * changes nothing; 0 or -ENOMEM.
 */
static int resync_entry(struct ia_replay *rp, __u16 kind, const void *data, size_t len)
{
	struct ia_model part;
	int err;

	if (kind == IA_TR_LOST) {
		if (len != 8) {
			rp->engine.stats.bad_records++;
			return 0;
		}
		ia_engine_records_lost(&rp->engine, ia_get_le64(data));
		return 0;
	}
	err = ia_model_decode(data, len, &part);
	if (err == -ENOMEM)
		return err;
	if (err) {
		rp->engine.stats.bad_records++;
		return 0;
	}
	if (kind == IA_TR_RESYNC_GROUP) {
		err = gather_groups(&rp->resync, &part);
	} else {
		memcpy(rp->resync.iommus, part.iommus, sizeof(part.iommus));
		rp->resync.niommus = part.niommus;
		err = ia_engine_resync(&rp->engine, &rp->resync);
		ia_model_free(&rp->resync);
	}
	ia_model_free(&part);
	return err;
}

/* One ring-buffer record into the engine, the call counts and fn. */
static int feed_record(struct ia_replay *rp, const void *rec, size_t len, ia_replay_fn fn, void *ctx)
{
	struct ia_decoded d;
	int err = ia_engine_feed(&rp->engine, rec, len, &d);

	if (err == -EINVAL)
		return 0; /* malformed: counted by the engine */
	if (!err)
		err = ia_calls_count(&rp->calls, d.ev);
	if (!err && fn)
		fn(ctx, &d);
	return err;
}

/* A cgroup's path (IA_TR_CGROUP): __u64 id, the path without its NUL. */
static int cgroup_entry(struct ia_replay *rp, const void *data, size_t len)
{
	char path[IA_CGROUP_LEN];
	const __u8 *p = data;
	__u64 id;

	if (len < 8)
		return 0; /* malformed: the records show the id alone */
	id = ia_get_le64(p);
	len -= 8;
	if (len >= sizeof(path))
		len = sizeof(path) - 1;
	memcpy(path, p + 8, len);
	path[len] = '\0';
	return ia_engine_name_cgroup(&rp->engine, id, path);
}

int ia_replay_run(struct ia_replay *rp, ia_replay_fn fn, void *ctx)
{
	const void *data;
	size_t len;
	__u16 kind;
	int err = 0;

	while (!err && ia_trace_next_entry(rp->reader, &kind, &data, &len) > 0) {
		switch (kind) {
		case IA_TR_RINGBUF:
			err = feed_record(rp, data, len, fn, ctx);
			break;
		case IA_TR_LOST:
		case IA_TR_RESYNC_GROUP:
		case IA_TR_RESYNC:
			err = resync_entry(rp, kind, data, len);
			break;
		case IA_TR_CGROUP:
			err = cgroup_entry(rp, data, len);
			break;
		default:
			break; /* a kind of a later version */
		}
	}
	ia_engine_finish(&rp->engine);
	ia_trace_get_status(rp->reader, &rp->status);
	if (err) {
		rp->status.state = IA_TRACE_FAILED;
		snprintf(rp->status.why, sizeof(rp->status.why), "out of memory");
	}
	return err;
}

void ia_replay_close(struct ia_replay *rp)
{
	ia_engine_free(&rp->engine);
	ia_model_free(&rp->start);
	ia_trace_close_read(rp->reader);
	ia_calls_free(&rp->calls);
	ia_model_free(&rp->resync);
	memset(rp, 0, sizeof(*rp));
}

void ia_replay_counts(const struct ia_replay *rp, struct ia_run_counts *rc)
{
	const struct ia_trace_end *e = &rp->status.end;

	memset(rc, 0, sizeof(*rc));
	rc->kstats = ia_trace_kstats(rp->reader);
	rc->known = rp->status.have_end && e->have_counters;
	rc->submitted = e->submitted;
	rc->drops = e->drops;
	rc->probes_attached = ia_trace_probes_attached(&rp->info);
}

void ia_replay_prom_src(const struct ia_replay *rp, struct ia_run_counts *rc, struct ia_prom_src *s)
{
	ia_replay_counts(rp, rc);
	*s = (struct ia_prom_src){ .engine = &rp->engine, .calls = &rp->calls, .counts = rc,
				   .probes = rp->info.probes, .nprobes = rp->info.nprobes };
}

/* ---- diff ---- */

bool ia_diff_compares(const struct ia_diff_opts *o, enum ia_rule r)
{
	return !o->rules || (o->rules & (1u << r));
}

static void count_findings(struct ia_diff *d, int side, const struct ia_engine *e)
{
	for (size_t i = 0; i < e->nfindings; i++) {
		const struct ia_finding *f = &e->findings[i];

		if (f->rule <= IA_RULE_NONE || f->rule >= IA_RULE_MAX)
			continue;
		d->findings[f->rule][side]++;
		if (f->rule == IA_RULE_SOFT_FAILURE)
			d->soft_retries[side] += f->retries;
		else if (f->rule == IA_RULE_SOFT_UNRESOLVED)
			d->unresolved_retries[side] += f->retries;
	}
}

static int errno_cmp(const struct ia_errno_count *x, const struct ia_errno_count *y)
{
	if (x->hook != y->hook)
		return x->hook < y->hook ? -1 : 1;
	return x->err < y->err ? -1 : x->err > y->err;
}

/* Merge the two sorted errno tables. */
static int merge_errnos(struct ia_diff *d, const struct ia_replay *a, const struct ia_replay *b)
{
	const struct ia_calls *ca = &a->calls, *cb = &b->calls;
	size_t i = 0, j = 0, n = ca->nerrnos + cb->nerrnos;

	d->errnos = n ? calloc(n, sizeof(*d->errnos)) : NULL;
	if (n && !d->errnos)
		return -ENOMEM;
	while (i < ca->nerrnos || j < cb->nerrnos) {
		const struct ia_errno_count *x = i < ca->nerrnos ? &ca->errnos[i] : NULL;
		const struct ia_errno_count *y = j < cb->nerrnos ? &cb->errnos[j] : NULL;
		int c = !x ? 1 : !y ? -1 : errno_cmp(x, y);
		struct ia_diff_errno *o = &d->errnos[d->nerrnos++];

		o->hook = c <= 0 ? x->hook : y->hook;
		o->err = c <= 0 ? x->err : y->err;
		o->n[0] = c <= 0 ? x->n : 0;
		o->n[1] = c >= 0 ? y->n : 0;
		i += c <= 0;
		j += c >= 0;
	}
	return 0;
}

/* The row for (ioctl, id), added when missing; NULL without memory. */
static struct ia_diff_latency *lat_row(struct ia_diff *d, bool ioctl, __u32 id)
{
	for (size_t i = 0; i < d->nlat; i++)
		if (d->lat[i].ioctl == ioctl && d->lat[i].id == id)
			return &d->lat[i];
	if (ia_grow((void **)&d->lat, &d->lat_cap, d->nlat + 1, sizeof(*d->lat)))
		return NULL;
	memset(&d->lat[d->nlat], 0, sizeof(d->lat[0]));
	d->lat[d->nlat].ioctl = ioctl;
	d->lat[d->nlat].id = id;
	return &d->lat[d->nlat++];
}

static int add_side(struct ia_diff *d, int side, const struct ia_kstats *k)
{
	struct ia_diff_latency *row;

	d->have_latency[side] = k != NULL;
	for (size_t i = 0; k && i < k->nhists; i++) {
		row = lat_row(d, false, k->hists[i].key.op);
		if (!row)
			return -ENOMEM;
		ia_hist_add(&row->h[side], &k->hists[i].h);
	}
	for (size_t i = 0; k && i < k->nioctls; i++) {
		row = lat_row(d, true, k->ioctls[i].nr);
		if (!row)
			return -ENOMEM;
		ia_hist_add(&row->h[side], &k->ioctls[i].h);
	}
	return 0;
}

static double ratio(double b, double a)
{
	return a > 0 ? b / a : 0;
}

static void judge(struct ia_diff_latency *r, double max_ratio)
{
	const struct ia_hist *a = &r->h[0], *b = &r->h[1];

	if (a->calls && b->calls) {
		r->mean_ratio = ratio((double)b->sum_ns / (double)b->calls,
				      (double)a->sum_ns / (double)a->calls);
		r->p99_ratio = ratio((double)ia_hist_quantile(b, 0.99), (double)ia_hist_quantile(a, 0.99));
	}
	r->judged = a->calls >= IA_DIFF_MIN_CALLS && b->calls >= IA_DIFF_MIN_CALLS;
	r->worse = r->judged && max_ratio > 0 &&
		   (r->mean_ratio > max_ratio || r->p99_ratio > max_ratio);
}

static int cmp_lat(const void *x, const void *y)
{
	const struct ia_diff_latency *a = x, *b = y;

	if (a->ioctl != b->ioctl)
		return a->ioctl ? 1 : -1;
	return (a->id > b->id) - (a->id < b->id);
}

/* Latency per operation and per command from the last HIST frame of each side. */
static int diff_latency(struct ia_diff *d, const struct ia_replay *a, const struct ia_replay *b,
			const struct ia_diff_opts *o)
{
	int err = add_side(d, 0, ia_trace_kstats(a->reader));

	if (!err)
		err = add_side(d, 1, ia_trace_kstats(b->reader));
	if (err)
		return err;
	if (d->nlat > 1)
		qsort(d->lat, d->nlat, sizeof(*d->lat), cmp_lat);
	for (size_t i = 0; i < d->nlat; i++) {
		judge(&d->lat[i], o->max_ratio);
		d->slower += d->lat[i].worse;
	}
	return 0;
}

int ia_diff_compute(struct ia_diff *d, const struct ia_replay *a, const struct ia_replay *b,
		    const struct ia_diff_opts *o)
{
	int err;

	memset(d, 0, sizeof(*d));
	count_findings(d, 0, &a->engine);
	count_findings(d, 1, &b->engine);
	for (int h = 0; h < IA_HOOK_MAX; h++) {
		d->exits[h][0] = a->calls.exits[h];
		d->exits[h][1] = b->calls.exits[h];
	}
	for (int r = IA_RULE_NONE + 1; r < IA_RULE_MAX; r++)
		if (ia_diff_compares(o, (enum ia_rule)r) && d->findings[r][1] > d->findings[r][0])
			d->new_findings += d->findings[r][1] - d->findings[r][0];
	err = diff_latency(d, a, b, o);
	if (!err)
		err = merge_errnos(d, a, b);
	d->worse = d->new_findings > o->max_new || d->slower;
	return err;
}

void ia_diff_free(struct ia_diff *d)
{
	free(d->errnos);
	free(d->lat);
	memset(d, 0, sizeof(*d));
}
