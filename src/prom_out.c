// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Metrics in the Prometheus text exposition format; see include/prom_out.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "hist.h"
#include "hooks.h"
#include "kstats.h"
#include "probes.h"
#include "prom_out.h"

struct lbl {
	const char *k, *v;
};

/* Hooks whose exits are exported by result: the attach, claim, bind and probe families. */
static const unsigned int result_hooks[] = {
	IA_HOOK_REALLY_PROBE,	 IA_HOOK_ATTACH_DEVICE,	  IA_HOOK_ATTACH_GROUP,	  IA_HOOK_ATTACH_DEV_CORE,
	IA_HOOK_SET_DOMAIN,	 IA_HOOK_ATTACH_HANDLE,	  IA_HOOK_REPLACE_HANDLE, IA_HOOK_GROUP_CLAIM,
	IA_HOOK_DEVICE_CLAIM,	 IA_HOOK_USE_DEFAULT,	  IA_HOOK_PROBE_DEVICE,	  IA_HOOK_DOMAIN_ALLOC,
	IA_HOOK_DOMAIN_ALLOC_BUS, IA_HOOK_IOMMUFD_BIND,	  IA_HOOK_IOMMUFD_ATTACH, IA_HOOK_IOMMUFD_REPLACE,
	IA_HOOK_HWPT_ALLOC,	 IA_HOOK_HWPT_ATTACH,	  IA_HOOK_TYPE1_ATTACH,
};

void ia_prom_escape(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", out);
		else if (*s == '"')
			fputs("\\\"", out);
		else if (*s == '\n')
			fputs("\\n", out);
		else
			fputc(*s, out);
	}
}

void ia_prom_seconds(char *buf, size_t len, __u64 ns)
{
	size_t n;

	snprintf(buf, len, "%llu.%09llu", (unsigned long long)(ns / 1000000000ull),
		 (unsigned long long)(ns % 1000000000ull));
	n = strlen(buf);
	while (n > 0 && buf[n - 1] == '0')
		buf[--n] = '\0';
	if (n > 0 && buf[n - 1] == '.')
		buf[--n] = '\0';
}

static void emit_family(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP iommu_audit_%s %s\n# TYPE iommu_audit_%s %s\n", name, help, name, type);
}

/* name{k="v",...,le="..."} value */
static void emit_sample_str(FILE *out, const char *name, const struct lbl *l, int n, const char *le,
			    const char *value)
{
	fprintf(out, "iommu_audit_%s", name);
	if (n || le) {
		fputc('{', out);
		for (int i = 0; i < n; i++) {
			fprintf(out, "%s%s=\"", i ? "," : "", l[i].k);
			ia_prom_escape(out, l[i].v);
			fputc('"', out);
		}
		if (le)
			fprintf(out, "%sle=\"%s\"", n ? "," : "", le);
		fputc('}', out);
	}
	fprintf(out, " %s\n", value);
}

static void emit_sample(FILE *out, const char *name, const struct lbl *l, int n, unsigned long long v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%llu", v);
	emit_sample_str(out, name, l, n, NULL, buf);
}

/* ---- ownership ---- */

static const char *group_domain_type(const struct ia_group *g)
{
	return g->domain_type == IA_NO_TYPE ? "unknown" : ia_domain_type_name(g->domain_type);
}

static __u64 owner_cnt(const struct ia_group *g)
{
	return g->owner_cnt;
}

static __u64 unverified(const struct ia_group *g)
{
	return g->unverified;
}

/* A gauge family with a sample per group, labelled by its id. */
static void emit_per_group(FILE *out, const struct ia_model *m, const char *name, const char *help,
			   __u64 (*value)(const struct ia_group *g))
{
	const struct ia_group **by_id = ia_model_by_id(m);
	char id[16];

	emit_family(out, name, "gauge", help);
	for (size_t i = 0; i < m->ngroups; i++) {
		const struct ia_group *g = ia_model_nth(m, by_id, i);
		struct lbl l[] = { { "group", id } };

		snprintf(id, sizeof(id), "%d", g->id);
		emit_sample(out, name, l, 1, value(g));
	}
	free(by_id);
}

static void emit_groups(FILE *out, const struct ia_model *m)
{
	const struct ia_group **by_id = ia_model_by_id(m);
	char id[16];

	emit_family(out, "group_info", "gauge",
		    "An IOMMU group: default domain type, current domain type, owner kind, DMA class, verdict.");
	for (size_t i = 0; i < m->ngroups; i++) {
		const struct ia_group *g = ia_model_nth(m, by_id, i);
		struct lbl l[] = { { "group", id },
				   { "type", g->type[0] ? g->type : "unknown" },
				   { "domain_type", group_domain_type(g) },
				   { "owner_kind", ia_owner_kind_name(g->owner_kind) },
				   { "dma", ia_group_dma_name(g) },
				   { "verdict", ia_verdict_name(ia_group_verdict(g)) } };

		snprintf(id, sizeof(id), "%d", g->id);
		emit_sample(out, "group_info", l, 6, 1);
	}
	free(by_id);
	emit_per_group(out, m, "group_owners", "The group's DMA owner count (owner_cnt) as events showed it.",
		       owner_cnt);
}

/* 1 for a group whose state records lost since leave unvouched for; a sample per group. */
static void emit_unverified(FILE *out, const struct ia_model *m)
{
	emit_per_group(out, m, "group_unverified",
		       "1 when records were lost and the group's owner is not vouched for since; else 0.", unverified);
}

static void emit_devices(FILE *out, const struct ia_model *m)
{
	const struct ia_group **by_id = ia_model_by_id(m);
	char id[16];

	emit_family(out, "device_info", "gauge", "A device in an IOMMU group: its bound driver and DMA class.");
	for (size_t i = 0; i < m->ngroups; i++) {
		const struct ia_group *g = ia_model_nth(m, by_id, i);

		snprintf(id, sizeof(id), "%d", g->id);
		for (size_t k = 0; k < g->ndevs; k++) {
			const struct ia_dev *d = &g->devs[k];
			struct lbl l[] = { { "group", id },
					   { "device", d->name },
					   { "driver", d->driver[0] ? d->driver : "none" },
					   { "dma", ia_dma_class_name(d->dma) } };

			emit_sample(out, "device_info", l, 4, 1);
		}
	}
	free(by_id);
}

/*
 * Holders by group and command name: how many processes of that name hold a
 * VFIO or iommufd file of the group. Not by pid: pids come and go with every
 * VM start, so they would grow the series without bound; command names are
 * few (qemu-system-x86, cloud-hypervisor, dpdk apps) and groups are the
 * host's. When some process's fd table could not be read the holders are
 * unknown: holders_known is 0 and no group_holders sample is claimed.
 */
static bool same_pair(const struct ia_holder *a, const struct ia_holder *b)
{
	return a->group == b->group && !strcmp(a->comm, b->comm);
}

/* Processes (not files) with v[i]'s group and command name; v is sorted by group, pid. */
static unsigned long long pair_pids(const struct ia_holders *h, size_t i)
{
	unsigned long long n = 0;

	for (size_t k = 0; k < h->n; k++)
		n += same_pair(&h->v[k], &h->v[i]) &&
		     (!k || h->v[k - 1].pid != h->v[k].pid || h->v[k - 1].group != h->v[k].group);
	return n;
}

static bool pair_seen_before(const struct ia_holders *h, size_t i)
{
	for (size_t k = 0; k < i; k++)
		if (same_pair(&h->v[k], &h->v[i]))
			return true;
	return false;
}

static void emit_holders(FILE *out, const struct ia_holders *h)
{
	char id[16];

	if (!h)
		return;
	emit_family(out, "holders_known", "gauge",
		    "1 when every process's fd table was read (root or CAP_SYS_PTRACE); 0: holders unknown.");
	emit_sample(out, "holders_known", NULL, 0, h->known);
	if (!h->known)
		return;
	emit_family(out, "group_holders", "gauge",
		    "Processes holding a VFIO or iommufd file of the group, by command name.");
	for (size_t i = 0; i < h->n; i++) {
		struct lbl l[] = { { "group", id }, { "comm", h->v[i].comm } };

		if (h->v[i].group < 0 || pair_seen_before(h, i))
			continue;
		snprintf(id, sizeof(id), "%d", h->v[i].group);
		emit_sample(out, "group_holders", l, 2, pair_pids(h, i));
	}
}

/* ---- calls by result ---- */

static void emit_hook_results(FILE *out, const struct ia_calls *c, unsigned int hook)
{
	const char *hname = ia_hook_name(hook);
	__u64 failed = 0, other = 0;

	for (size_t i = 0; i < c->nerrnos; i++) {
		const struct ia_errno_count *e = &c->errnos[i];
		const char *name;

		if (e->hook != hook)
			continue;
		failed += e->n;
		name = ia_errno_name(e->err);
		if (!name) {
			other += e->n;
			continue;
		}
		emit_sample(out, "calls_total", (struct lbl[]){ { "hook", hname }, { "result", name } }, 2, e->n);
	}
	if (other)
		emit_sample(out, "calls_total", (struct lbl[]){ { "hook", hname }, { "result", "other" } }, 2, other);
	emit_sample(out, "calls_total", (struct lbl[]){ { "hook", hname }, { "result", "ok" } }, 2,
		    c->exits[hook] - failed);
}

static void emit_calls(FILE *out, const struct ia_calls *c)
{
	if (!c)
		return;
	emit_family(out, "calls_total", "counter",
		    "Returns of attach, claim, bind and probe calls, by hook and result (ok or the errno name).");
	for (size_t i = 0; i < sizeof(result_hooks) / sizeof(result_hooks[0]); i++)
		emit_hook_results(out, c, result_hooks[i]);
}

/* ---- findings ---- */

static void emit_findings(FILE *out, const struct ia_engine *e)
{
	__u64 n[IA_RULE_MAX] = { 0 }, retries[IA_RULE_MAX] = { 0 };

	for (size_t i = 0; i < e->nfindings; i++) {
		const struct ia_finding *f = &e->findings[i];

		if (f->rule <= IA_RULE_NONE || f->rule >= IA_RULE_MAX)
			continue;
		n[f->rule]++;
		retries[f->rule] += f->retries;
	}
	emit_family(out, "findings_total", "counter", "Findings raised, by rule.");
	for (int r = IA_RULE_NONE + 1; r < IA_RULE_MAX; r++)
		emit_sample(out, "findings_total", (struct lbl[]){ { "rule", ia_rule_name((enum ia_rule)r) } }, 1, n[r]);
	emit_family(out, "soft_failure_retries_total", "counter",
		    "Failed attaches of an incompatible domain before another domain attached (soft-failure) or never did (soft-failure-unresolved).");
	emit_sample(out, "soft_failure_retries_total", (struct lbl[]){ { "rule", "soft-failure" } }, 1,
		    retries[IA_RULE_SOFT_FAILURE]);
	emit_sample(out, "soft_failure_retries_total", (struct lbl[]){ { "rule", "soft-failure-unresolved" } }, 1,
		    retries[IA_RULE_SOFT_UNRESOLVED]);
}

/* ---- histograms ---- */

/*
 * Cumulative le buckets from log2 ns buckets: bucket b counts [2^b, 2^(b+1))
 * ns, so le is 2^(b+1) ns; the last bucket holds everything above and goes to
 * +Inf only. _count is the +Inf bucket, _sum the summed latency in seconds.
 */
static void emit_hist_rows(FILE *out, const char *name, const struct lbl *l, int n, const struct ia_hist *h)
{
	char bname[96], le[32], v[32];
	__u64 cum = 0;

	snprintf(bname, sizeof(bname), "%s_bucket", name);
	for (int b = 0; b < IA_HIST_BUCKETS - 1; b++) {
		cum += h->buckets[b];
		ia_prom_seconds(le, sizeof(le), 1ull << (b + 1));
		snprintf(v, sizeof(v), "%llu", (unsigned long long)cum);
		emit_sample_str(out, bname, l, n, le, v);
	}
	cum += h->buckets[IA_HIST_BUCKETS - 1];
	snprintf(v, sizeof(v), "%llu", (unsigned long long)cum);
	emit_sample_str(out, bname, l, n, "+Inf", v);
	ia_prom_seconds(v, sizeof(v), h->sum_ns);
	snprintf(bname, sizeof(bname), "%s_sum", name);
	emit_sample_str(out, bname, l, n, NULL, v);
	snprintf(bname, sizeof(bname), "%s_count", name);
	emit_sample(out, bname, l, n, cum);
}

/* One map/unmap row: an operation on a group, its domains summed. */
struct op_group {
	__u32 op;
	int group; /* -1: a domain no known group is on */
	struct ia_hist h;
};

static int cmp_op_group(const void *a, const void *b)
{
	const struct op_group *x = a, *y = b;

	if (x->op != y->op)
		return x->op < y->op ? -1 : 1;
	return (x->group > y->group) - (x->group < y->group);
}

/* The group a domain is on now, else the one it last served; -1 when none is known. */
static int domain_group(const struct ia_model *m, const struct ia_calls *c, __u64 domain)
{
	const struct ia_group *g = ia_hist_domain_group(m, domain);

	if (g)
		return g->id;
	return c ? ia_calls_domain_group(c, domain) : -1;
}

/* Sum the per-domain histograms by (operation, group); sorted. -ENOMEM. */
static int by_op_group(const struct ia_kstats *k, const struct ia_model *m, const struct ia_calls *c,
		       struct op_group **out, size_t *nout)
{
	struct op_group *rows = k->nhists ? calloc(k->nhists, sizeof(*rows)) : NULL;
	size_t n = 0;

	if (k->nhists && !rows)
		return -ENOMEM;
	for (size_t i = 0; i < k->nhists; i++) {
		const struct ia_hist_key *key = &k->hists[i].key;
		int gid = key->flags & IA_HK_FREED ? (int)(__s64)key->domain : domain_group(m, c, key->domain);
		size_t j;

		for (j = 0; j < n; j++)
			if (rows[j].op == k->hists[i].key.op && rows[j].group == gid)
				break;
		if (j == n) {
			rows[n].op = k->hists[i].key.op;
			rows[n++].group = gid;
		}
		ia_hist_add(&rows[j].h, &k->hists[i].h);
	}
	if (n > 1)
		qsort(rows, n, sizeof(*rows), cmp_op_group);
	*out = rows;
	*nout = n;
	return 0;
}

static void op_group_labels(const struct op_group *r, char *id, size_t len, struct lbl l[2])
{
	if (r->group < 0)
		snprintf(id, len, "unknown");
	else
		snprintf(id, len, "%d", r->group);
	l[0] = (struct lbl){ "op", ia_hist_op_name(r->op) };
	l[1] = (struct lbl){ "group", id };
}

static int emit_maps(FILE *out, const struct ia_kstats *k, const struct ia_model *m, const struct ia_calls *c)
{
	struct op_group *rows;
	struct lbl l[2];
	char id[16];
	size_t n;
	int err = by_op_group(k, m, c, &rows, &n);

	if (err || !n)
		return err;
	emit_family(out, "map_latency_seconds", "histogram",
		    "Latency of iommu_map/iommu_unmap/iommu_map_sg/iommu_unmap_fast, by operation and IOMMU group (domains summed).");
	for (size_t i = 0; i < n; i++) {
		op_group_labels(&rows[i], id, sizeof(id), l);
		emit_hist_rows(out, "map_latency_seconds", l, 2, &rows[i].h);
	}
	emit_family(out, "map_errors_total", "counter", "Failed map/unmap calls, by operation and IOMMU group.");
	for (size_t i = 0; i < n; i++) {
		op_group_labels(&rows[i], id, sizeof(id), l);
		emit_sample(out, "map_errors_total", l, 2, rows[i].h.errors);
	}
	emit_family(out, "map_bytes_total", "counter", "Bytes mapped or unmapped as the calls reported, by operation and IOMMU group.");
	for (size_t i = 0; i < n; i++) {
		op_group_labels(&rows[i], id, sizeof(id), l);
		emit_sample(out, "map_bytes_total", l, 2, rows[i].h.bytes);
	}
	free(rows);
	return 0;
}

static void emit_ioctls(FILE *out, const struct ia_kstats *k)
{
	char name[16];

	if (!k->nioctls)
		return;
	emit_family(out, "ioctl_calls_total", "counter", "iommufd ioctls, by command.");
	for (size_t i = 0; i < k->nioctls; i++)
		emit_sample(out, "ioctl_calls_total",
			    (struct lbl[]){ { "cmd", ia_ioctl_nr_name(k->ioctls[i].nr, name, sizeof(name)) } }, 1,
			    k->ioctls[i].h.calls);
	emit_family(out, "ioctl_errors_total", "counter", "iommufd ioctls that returned an error, by command.");
	for (size_t i = 0; i < k->nioctls; i++)
		emit_sample(out, "ioctl_errors_total",
			    (struct lbl[]){ { "cmd", ia_ioctl_nr_name(k->ioctls[i].nr, name, sizeof(name)) } }, 1,
			    k->ioctls[i].h.errors);
	emit_family(out, "ioctl_latency_seconds", "histogram", "Latency of iommufd ioctls, by command.");
	for (size_t i = 0; i < k->nioctls; i++)
		emit_hist_rows(out, "ioctl_latency_seconds",
			       (struct lbl[]){ { "cmd", ia_ioctl_nr_name(k->ioctls[i].nr, name, sizeof(name)) } }, 1,
			       &k->ioctls[i].h);
}

static void emit_faults(FILE *out, const struct ia_kstats *k)
{
	if (!k->nfaults)
		return;
	emit_family(out, "page_faults_total", "counter", "iommu:io_page_fault events, by device.");
	for (size_t i = 0; i < k->nfaults; i++)
		emit_sample(out, "page_faults_total", (struct lbl[]){ { "device", k->faults[i].dev } }, 1,
			    k->faults[i].n);
}

/* ---- the run ---- */

static void emit_ring_buffer(FILE *out, const struct ia_run_counts *c)
{
	__u64 submitted, drops;

	if (c && c->known) {
		submitted = c->submitted;
		drops = c->drops;
	} else if (c && c->kstats) {
		submitted = c->kstats->submitted;
		drops = c->kstats->drops;
	} else {
		return; /* not known: no sample rather than a wrong zero */
	}
	emit_family(out, "ring_buffer_submitted_total", "counter", "Records the probes submitted to the ring buffer.");
	emit_sample(out, "ring_buffer_submitted_total", NULL, 0, submitted);
	emit_family(out, "ring_buffer_drops_total", "counter", "Records lost: failed ring-buffer reservations.");
	emit_sample(out, "ring_buffer_drops_total", NULL, 0, drops);
}

static void emit_records(FILE *out, const struct ia_engine *e)
{
	const struct ia_engine_stats *st = &e->stats;
	const struct { const char *name, *type, *help; __u64 v; } rows[] = {
		{ "records_total", "counter", "Records the engine consumed.", st->records },
		{ "records_malformed_total", "counter", "Records of a wrong size, type or hook.", st->bad_records },
		{ "unpaired_exits_total", "counter", "Exit records without their entry.", st->unpaired_exits },
		{ "records_unusable_total", "counter", "Valid records the engine could not apply (out of memory).",
		  st->unusable },
		{ "records_lost_total", "counter",
		  "Records lost before the engine (ring buffer full), as the engine was told.", st->records_lost },
		{ "resyncs_total", "counter", "Times the groups were re-read from sysfs after lost records.",
		  st->resyncs },
		{ "iommufd_objects_untracked_total", "counter",
		  "iommufd objects not tracked: their context's table was full.", st->untracked },
		{ "core_attaches_total", "counter",
		  "Attaches the attach_device_to_domain tracepoint reported, with attach_dev_core attached.",
		  st->core_attaches },
		{ "core_attaches_unseen_total", "counter",
		  "Of those, attaches attach_dev_core did not see (__iommu_attach_device partly inlined).",
		  st->core_attaches_unseen },
		{ "iommufd_contexts_open", "gauge", "iommufd contexts open.", e->nctxs },
		{ "iommufd_contexts_closed_total", "counter", "iommufd contexts closed.", e->ctxs_closed },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		emit_family(out, rows[i].name, rows[i].type, rows[i].help);
		emit_sample(out, rows[i].name, NULL, 0, rows[i].v);
	}
}

/* What the kernel's maps could not take: a sample per map, or none when not known. */
static void emit_map_full(FILE *out, const struct ia_kstats *k)
{
	const struct { const char *map; __u64 n; } rows[] = {
		{ "hist_starts", k->full.hist_starts }, { "hists", k->full.hists },
		{ "ioctls", k->full.ioctls },		 { "faults", k->full.faults },
	};

	if (!k->have_full)
		return;
	emit_family(out, "map_full_total", "counter",
		    "What a full kernel map could not take (hist_starts: calls not timed; hists, ioctls, faults: not counted).");
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct lbl l[] = { { "map", rows[i].map } };

		emit_sample(out, "map_full_total", l, 1, rows[i].n);
	}
	emit_family(out, "map_exits_unstarted_total", "counter",
		    "Map/unmap/ioctl exits with no start stamp (begun before attach, or not stamped).");
	emit_sample(out, "map_exits_unstarted_total", NULL, 0, k->full.unstarted);
}

static void emit_probes(FILE *out, const struct ia_trace_probe *p, int n)
{
	if (!p || n <= 0)
		return;
	emit_family(out, "probe_attached", "gauge", "1 when the hook's probe attached (via: how), 0 when not (via=\"none\").");
	for (int i = 0; i < n; i++) {
		struct lbl l[] = { { "hook", ia_hook_name(p[i].hook) },
				   { "via", ia_via_name((enum ia_via)p[i].via) } };

		emit_sample(out, "probe_attached", l, 2, p[i].via != IA_VIA_NONE);
	}
}

int ia_prom_write(FILE *out, const struct ia_prom_src *s)
{
	const struct ia_kstats *k = s->counts ? s->counts->kstats : NULL;
	int err = 0;

	emit_groups(out, &s->engine->model);
	emit_unverified(out, &s->engine->model);
	emit_devices(out, &s->engine->model);
	emit_calls(out, s->calls);
	emit_findings(out, s->engine);
	if (k) {
		err = emit_maps(out, k, &s->engine->model, s->calls);
		emit_ioctls(out, k);
		emit_faults(out, k);
		emit_map_full(out, k);
	}
	emit_ring_buffer(out, s->counts);
	emit_records(out, s->engine);
	emit_probes(out, s->probes, s->nprobes);
	emit_holders(out, s->holders);
	if (!err && ferror(out))
		err = -EIO;
	return err;
}

int ia_prom_render(const struct ia_prom_src *s, char **buf, size_t *len)
{
	FILE *out = open_memstream(buf, len);
	int err;

	if (!out)
		return -ENOMEM;
	err = ia_prom_write(out, s);
	if (fclose(out) && !err)
		err = -ENOMEM;
	if (err) {
		free(*buf);
		*buf = NULL;
		*len = 0;
	}
	return err;
}
