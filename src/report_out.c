// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The exit report shared by `watch` and `report`; see include/report_out.h. */
#include "finding_out.h"
#include "hooks.h"
#include "iommufd_out.h"
#include "report_out.h"
#include "state_out.h"

void ia_report_new_findings(const struct ia_engine *e, size_t *reported, FILE *out,
			    struct ia_json *j)
{
	for (; *reported < e->nfindings; (*reported)++) {
		const struct ia_finding *f = &e->findings[*reported];

		if (j)
			ia_finding_print_json(j, f);
		else
			ia_finding_print_text(out, f);
	}
}

void ia_report_print_text(FILE *out, const struct ia_engine *e, const struct ia_run_counts *c)
{
	const struct ia_engine_stats *s = &e->stats;
	char drops[24] = "?";

	if (c->known)
		snprintf(drops, sizeof(drops), "%llu", (unsigned long long)c->drops);
	fprintf(out, "\nfinal state:\n");
	ia_state_print_text(out, &e->model);
	ia_findings_print_summary(out, e->findings, e->nfindings);
	for (size_t i = 0; i < e->nfindings; i++)
		ia_finding_print_text(out, &e->findings[i]);
	ia_ctxs_print_text(out, e->ctxs, e->nctxs);
	if (c->kstats) {
		ia_hist_print_text(out, c->kstats->hists, c->kstats->nhists, &e->model);
		ia_kstats_print_ioctls_text(out, c->kstats);
		for (size_t i = 0; i < c->kstats->nfaults; i++)
			fprintf(out, "io_page_fault %s: %llu\n", c->kstats->faults[i].dev,
				(unsigned long long)c->kstats->faults[i].n);
	}
	fprintf(out, "records %llu, dropped %s, malformed %llu, unpaired exits %llu, probes %d attached\n",
		(unsigned long long)s->records, drops, (unsigned long long)s->bad_records,
		(unsigned long long)s->unpaired_exits, c->probes_attached);
	if (c->kstats && c->kstats->have_full) {
		const struct ia_map_full *f = &c->kstats->full;

		if (f->hist_starts || f->hists || f->ioctls || f->faults)
			fprintf(out, "kernel maps full: %llu calls not timed, %llu map/unmap calls, %llu ioctls, "
				     "%llu page faults not counted\n",
				(unsigned long long)f->hist_starts, (unsigned long long)f->hists,
				(unsigned long long)f->ioctls, (unsigned long long)f->faults);
	}
	if (s->records_lost) /* told by the caller: the ring buffer was full */
		fprintf(out, "records lost: %llu; groups re-read from sysfs %llu times\n",
			(unsigned long long)s->records_lost, (unsigned long long)s->resyncs);
	if (s->core_attaches_unseen)
		fprintf(out, "attach_dev_core DEGRADED: %llu of %llu attaches the attach_device_to_domain "
			     "tracepoint reported were not seen (__iommu_attach_device is partly inlined)\n",
			(unsigned long long)s->core_attaches_unseen, (unsigned long long)s->core_attaches);
	if (s->unusable || s->untracked) /* out of memory, or a context's table full */
		fprintf(out, "not applied: %llu records (out of memory), %llu iommufd objects untracked\n",
			(unsigned long long)s->unusable, (unsigned long long)s->untracked);
}

static void kcount(struct ia_json *j, const char *key, bool known, __u64 v)
{
	ia_json_key(j, key);
	if (known)
		ia_json_uint(j, v);
	else
		ia_json_null(j);
}

/* {"IOAS_MAP":64,...}: calls, or errors, per command; null when not known */
static void json_ioctls(struct ia_json *j, const struct ia_kstats *k, bool errors)
{
	char buf[16];

	ia_json_key(j, errors ? "ioctl_errors" : "ioctls");
	if (!k) {
		ia_json_null(j);
		return;
	}
	ia_json_obj_begin(j);
	for (size_t i = 0; i < k->nioctls; i++) {
		__u64 v = errors ? k->ioctls[i].h.errors : k->ioctls[i].h.calls;

		if (v)
			ia_json_kuint(j, ia_ioctl_nr_name(k->ioctls[i].nr, buf, sizeof(buf)), v);
	}
	ia_json_obj_end(j);
}

static void json_faults(struct ia_json *j, const struct ia_kstats *k)
{
	ia_json_key(j, "page_faults");
	if (!k) {
		ia_json_null(j);
		return;
	}
	ia_json_obj_begin(j);
	for (size_t i = 0; i < k->nfaults; i++)
		ia_json_kuint(j, k->faults[i].dev, k->faults[i].n);
	ia_json_obj_end(j);
}

/* What the kernel's maps could not take; null when not known. */
static void json_map_full(struct ia_json *j, const struct ia_kstats *k)
{
	ia_json_key(j, "map_full");
	if (!k || !k->have_full) {
		ia_json_null(j);
		return;
	}
	ia_json_obj_begin(j);
	ia_json_kuint(j, "hist_starts", k->full.hist_starts);
	ia_json_kuint(j, "hists", k->full.hists);
	ia_json_kuint(j, "ioctls", k->full.ioctls);
	ia_json_kuint(j, "faults", k->full.faults);
	ia_json_kuint(j, "unstarted", k->full.unstarted);
	ia_json_obj_end(j);
}

void ia_report_print_json(struct ia_json *j, const struct ia_engine *e, const struct ia_run_counts *c)
{
	const struct ia_engine_stats *s = &e->stats;

	ia_state_print_json(j, &e->model, "engine");
	ia_ctxs_print_json(j, e->ctxs, e->nctxs);
	if (c->kstats) {
		ia_hist_print_json(j, c->kstats->hists, c->kstats->nhists, &e->model, "run");
		ia_kstats_print_ioctls_json(j, c->kstats, "run");
	}
	ia_json_obj_begin(j);
	ia_json_kstr(j, "type", "summary");
	ia_json_kint(j, "schema", 1);
	ia_json_kuint(j, "records", s->records);
	kcount(j, "submitted", c->known, c->submitted);
	kcount(j, "drops", c->known, c->drops);
	ia_json_kuint(j, "malformed", s->bad_records);
	ia_json_kuint(j, "unpaired_exits", s->unpaired_exits);
	ia_json_kuint(j, "lost_frames", s->lost_frames);
	ia_json_kuint(j, "unusable", s->unusable);
	ia_json_kuint(j, "untracked_objects", s->untracked);
	ia_json_kuint(j, "core_attaches", s->core_attaches);
	ia_json_kuint(j, "core_attaches_unseen", s->core_attaches_unseen);
	ia_json_kint(j, "probes_attached", c->probes_attached);
	ia_json_kuint(j, "findings", e->nfindings);
	ia_json_kuint(j, "iommufd_ctxs_closed", e->ctxs_closed);
	ia_json_kuint(j, "iommufd_ctxs_open", e->nctxs);
	json_ioctls(j, c->kstats, false);
	json_ioctls(j, c->kstats, true);
	json_faults(j, c->kstats);
	json_map_full(j, c->kstats);
	ia_json_kuint(j, "records_lost", s->records_lost);
	ia_json_kuint(j, "resyncs", s->resyncs);
	ia_json_obj_end(j);
}
