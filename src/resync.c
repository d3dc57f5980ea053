// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Drops that heal: when the ring buffer was full (bpf_ringbuf_reserve
 * failed and the probes counted a drop), records the engine needed never
 * came. Every group's state becomes unverified; once the losses stop, the
 * caller re-reads sysfs and the groups, devices, drivers and default-domain
 * types are replaced by what the kernel shows. Owners, domains and kernel
 * pointers exist only in events (sysfs shows no DMA owner: the owner and
 * owner_cnt of struct iommu_group, drivers/iommu/iommu.c, have no
 * attribute), so they are kept and stay unverified until a record carries
 * the group's live owner fields again. Pure, like the engine.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "engine.h"

void ia_engine_records_lost(struct ia_engine *e, __u64 n)
{
	if (!n)
		return;
	if (!e->lost_pending)
		e->lost_after = e->seq;
	e->lost_pending += n;
	e->stats.records_lost += n;
	for (size_t i = 0; i < e->model.ngroups; i++)
		e->model.groups[i].unverified = true;
}

/* The events' view of a group, kept across a resync. */
static void keep_events(struct ia_group *g, const struct ia_group *old)
{
	g->kptr = old->kptr;
	g->domain = old->domain;
	g->domain_type = old->domain_type;
	g->default_domain = old->default_domain;
	g->owner = old->owner;
	g->owner_cnt = old->owner_cnt;
	g->owner_known = old->owner_known;
	g->owner_kind = old->owner_kind;
	g->violation_flagged = old->violation_flagged;
	g->split_flagged = old->split_flagged;
}

/*
 * A device sysfs still shows keeps what events told of it. Its DMA class
 * too when the driver is the same: the engine knew it from the bind
 * (iommu_device_use_default_domain), the table only guesses.
 */
static void keep_dev(struct ia_dev *d, const struct ia_dev *old)
{
	d->kptr = old->kptr;
	d->domain = old->domain;
	if (!strcmp(d->driver, old->driver))
		d->dma = old->dma;
}

static void merge_events(struct ia_model *next, struct ia_model *cur)
{
	for (size_t i = 0; i < next->ngroups; i++) {
		struct ia_group *g = &next->groups[i];
		const struct ia_group *old = ia_model_group(cur, g->id, false);

		if (old)
			keep_events(g, old);
		g->unverified = true;
		for (size_t k = 0; k < g->ndevs; k++) {
			const struct ia_dev *od = ia_model_find_dev(cur, g->devs[k].name, NULL);

			if (od)
				keep_dev(&g->devs[k], od);
		}
	}
	if (!next->niommus) { /* sysfs showed none: keep what the start saw */
		memcpy(next->iommus, cur->iommus, sizeof(next->iommus));
		next->niommus = cur->niommus;
	}
}

/* ", 1, 6, 7" into buf; ", ... (N in all)" when they do not fit. */
static void group_list(const struct ia_model *m, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < m->ngroups; i++) {
		char id[16];

		if (!m->groups[i].unverified)
			continue;
		snprintf(id, sizeof(id), "%s%d", n++ ? ", " : "", m->groups[i].id);
		if (strlen(buf) + strlen(id) + 24 < len)
			strcat(buf, id);
		else if (!strstr(buf, "..."))
			strcat(buf, ", ...");
	}
	if (strstr(buf, "..."))
		snprintf(buf + strlen(buf), len - strlen(buf), " (%zu in all)", n);
	if (!n)
		snprintf(buf, len, "none");
}

/* The records-lost finding for the pending losses; they are no longer pending. */
static void lost_finding(struct ia_engine *e, bool reread)
{
	struct ia_finding *f = ia_engine_raise(e, IA_RULE_RECORDS_LOST, IA_SEV_WARNING, -1, e->last_ts);
	char after[40] = "before the first record", groups[80];

	if (f) {
		ia_finding_add_evidence(f, e->lost_after);
		if (e->lost_after)
			snprintf(after, sizeof(after), "after record %llu",
				 (unsigned long long)e->lost_after);
		group_list(&e->model, groups, sizeof(groups));
		snprintf(f->detail, sizeof(f->detail), "%llu records lost %s; %s; unverified groups: %s",
			 (unsigned long long)e->lost_pending, after,
			 reread ? "groups re-read from sysfs" : "groups not re-read (the run ended first)",
			 groups);
	}
	e->lost_pending = 0;
	e->lost_after = 0;
}

int ia_engine_resync(struct ia_engine *e, const struct ia_model *fresh)
{
	struct ia_model next;
	int err;

	if (!e->lost_pending)
		return 0;
	err = ia_model_copy(&next, fresh);
	if (err)
		return err;
	merge_events(&next, &e->model);
	ia_model_free(&e->model);
	e->model = next;
	e->stats.resyncs++;
	lost_finding(e, true);
	return 0;
}

void ia_resync_finish(struct ia_engine *e)
{
	if (e->lost_pending)
		lost_finding(e, false);
}

#define NOTE " [records were lost before this: evidence may be incomplete]"

/*
 * Findings other than the owner-based ones (not raised at all from an
 * unverified group, see src/rules.c) rest on the errno of the records
 * that prove them, which no loss changes; what they say of the group
 * around them (its owner, its other drivers) may be stale: they say so.
 */
void ia_resync_note_findings(struct ia_engine *e, size_t from)
{
	for (size_t i = from; i < e->nfindings; i++) {
		struct ia_finding *f = &e->findings[i];
		const struct ia_group *g = f->group_id >= 0 ? ia_model_group(&e->model, f->group_id, false) : NULL;
		size_t keep = sizeof(f->detail) - sizeof(NOTE);

		if (f->rule == IA_RULE_RECORDS_LOST || !(g ? g->unverified : e->lost_pending))
			continue;
		if (strlen(f->detail) > keep)
			f->detail[keep] = '\0';
		strcat(f->detail, NOTE);
	}
}
