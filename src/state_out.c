// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Text and JSON views of an ownership model (see state_out.h). */
#include <stdlib.h>
#include <string.h>
#include "state_out.h"

static const char *or_dash(const char *s)
{
	return s && s[0] ? s : "-";
}

static void print_group_header(FILE *out, const struct ia_group *g)
{
	fprintf(out, "group %d  type %s  dma %s  ", g->id, or_dash(g->type),
		ia_group_dma_name(g));
	switch (ia_group_verdict(g)) {
	case IA_VERDICT_VIOLATION:
		fputs("VIOLATION: kernel DMA in a user-owned group", out);
		break;
	case IA_VERDICT_NOT_VIABLE:
		fputs("not-viable: a user-space driver shares the group with kernel DMA", out);
		break;
	default:
		fputs("viable", out);
	}
	fputs(g->unverified ? "  UNVERIFIED: records were lost, owner not vouched for\n" : "\n", out);
}

/* Column widths so that a group's device lines line up. */
static void dev_widths(const struct ia_group *g, int *name_w, int *drv_w)
{
	*name_w = 0;
	*drv_w = 0;
	for (size_t i = 0; i < g->ndevs; i++) {
		int n = (int)strlen(g->devs[i].name);
		int d = (int)strlen(or_dash(g->devs[i].driver));

		*name_w = n > *name_w ? n : *name_w;
		*drv_w = d > *drv_w ? d : *drv_w;
	}
}

static void print_devices(FILE *out, const struct ia_group *g)
{
	int name_w, drv_w;

	if (!g->ndevs) {
		fputs("  (no devices)\n", out);
		return;
	}
	dev_widths(g, &name_w, &drv_w);
	for (size_t i = 0; i < g->ndevs; i++) {
		const struct ia_dev *d = &g->devs[i];

		fprintf(out, "  %-*s  %-*s  %s\n", name_w, d->name, drv_w,
			or_dash(d->driver), ia_dma_class_name(d->dma));
	}
}

static void print_resv(FILE *out, const struct ia_group *g)
{
	if (!g->nresv)
		return;
	fputs("  reserved:", out);
	for (size_t i = 0; i < g->nresv; i++) {
		const struct ia_resv *r = &g->resv[i];

		fprintf(out, "%s 0x%llx-0x%llx %s", i ? "," : "",
			(unsigned long long)r->start, (unsigned long long)r->end,
			or_dash(r->type));
	}
	fputc('\n', out);
}

static void print_events_view(FILE *out, const struct ia_group *g)
{
	if (g->domain)
		fprintf(out, "  domain: %#llx (%s)\n", (unsigned long long)g->domain,
			ia_domain_type_name(g->domain_type));
	if (g->owner_known && g->owner)
		fprintf(out, "  owner: %s %#llx (owner_cnt %u)\n", ia_owner_kind_name(g->owner_kind),
			(unsigned long long)g->owner, g->owner_cnt);
	else if (g->owner_known)
		fprintf(out, "  owner: none (owner_cnt %u)\n", g->owner_cnt);
	if (g->pasids)
		fprintf(out, "  PASID attachments: %u\n", g->pasids);
}

void ia_state_print_text(FILE *out, const struct ia_model *m)
{
	const struct ia_group **by_id;

	if (!m->ngroups) {
		fputs("no IOMMU groups\n", out);
		return;
	}
	by_id = ia_model_by_id(m);
	for (size_t i = 0; i < m->ngroups; i++) {
		const struct ia_group *g = ia_model_nth(m, by_id, i);

		print_group_header(out, g);
		print_devices(out, g);
		print_resv(out, g);
		print_events_view(out, g);
	}
	free(by_id);
}

static void json_devices(struct ia_json *j, const struct ia_group *g)
{
	ia_json_key(j, "devices");
	ia_json_arr_begin(j);
	for (size_t i = 0; i < g->ndevs; i++) {
		const struct ia_dev *d = &g->devs[i];

		ia_json_obj_begin(j);
		ia_json_kstr(j, "name", d->name);
		ia_json_kstr(j, "driver", d->driver);
		ia_json_kstr(j, "dma", ia_dma_class_name(d->dma));
		ia_json_obj_end(j);
	}
	ia_json_arr_end(j);
}

static void json_resv(struct ia_json *j, const struct ia_group *g)
{
	ia_json_key(j, "reserved_regions");
	ia_json_arr_begin(j);
	for (size_t i = 0; i < g->nresv; i++) {
		const struct ia_resv *r = &g->resv[i];

		ia_json_obj_begin(j);
		ia_json_kptr(j, "start", r->start);
		ia_json_kptr(j, "end", r->end);
		ia_json_kstr(j, "type", r->type);
		ia_json_obj_end(j);
	}
	ia_json_arr_end(j);
}

/* What only events tell: the current domain and the user owner. */
static void json_events_view(struct ia_json *j, const struct ia_group *g)
{
	if (g->domain) {
		ia_json_kptr(j, "domain", g->domain);
		ia_json_kstr(j, "current_domain_type", ia_domain_type_name(g->domain_type));
	}
	if (g->pasids)
		ia_json_kuint(j, "pasid_attachments", g->pasids);
	if (!g->owner_known)
		return;
	ia_json_kstr(j, "owner_kind", ia_owner_kind_name(g->owner_kind));
	ia_json_kptr(j, "owner", g->owner);
	ia_json_kuint(j, "owner_cnt", g->owner_cnt);
}

static void json_group(struct ia_json *j, const struct ia_group *g, const char *source)
{
	ia_json_obj_begin(j);
	ia_json_kstr(j, "type", "group");
	ia_json_kint(j, "schema", IA_STATE_SCHEMA);
	ia_json_kstr(j, "source", source ? source : "");
	ia_json_kint(j, "id", g->id);
	ia_json_kstr(j, "domain_type", g->type);
	ia_json_kstr(j, "dma", ia_group_dma_name(g));
	ia_json_kstr(j, "verdict", ia_verdict_name(ia_group_verdict(g)));
	json_devices(j, g);
	json_resv(j, g);
	json_events_view(j, g);
	if (source && !strcmp(source, "engine"))
		ia_json_kbool(j, "unverified", g->unverified);
	ia_json_obj_end(j);
}

void ia_state_print_json(struct ia_json *j, const struct ia_model *m, const char *source)
{
	const struct ia_group **by_id = ia_model_by_id(m);

	for (size_t i = 0; i < m->ngroups; i++)
		json_group(j, ia_model_nth(m, by_id, i), source);
	free(by_id);
}
