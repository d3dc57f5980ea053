// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Exit records per hook and errno; see include/calls.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "calls.h"
#include "grow.h"
#include "hooks.h"

#define MAX_ERRNO 4095

int ia_exit_errno(const struct ia_event *ev)
{
	const struct ia_hook_info *h = ia_hook_info(ev->hook);

	if (ev->phase != IA_PH_EXIT || !h || h->void_ret)
		return 0;
	if (ev->ret < 0 && ev->ret >= -MAX_ERRNO)
		return (int)-ev->ret;
	if (ev->hook == IA_HOOK_REALLY_PROBE && ev->ret > 0 && ev->ret <= MAX_ERRNO)
		return (int)ev->ret;
	return 0;
}

/* The count for (hook, err), inserted in order if new; NULL when out of memory. */
static struct ia_errno_count *errno_slot(struct ia_calls *cs, __u16 hook, __u16 err)
{
	struct ia_errno_count *c;
	size_t i;

	for (i = 0; i < cs->nerrnos; i++) {
		c = &cs->errnos[i];
		if (c->hook == hook && c->err == err)
			return c;
		if (c->hook > hook || (c->hook == hook && c->err > err))
			break;
	}
	if (ia_grow((void **)&cs->errnos, &cs->errnos_cap, cs->nerrnos + 1, sizeof(*cs->errnos)))
		return NULL;
	c = cs->errnos;
	memmove(&c[i + 1], &c[i], (cs->nerrnos - i) * sizeof(*c));
	cs->nerrnos++;
	c[i] = (struct ia_errno_count){ .hook = hook, .err = err };
	return &c[i];
}

/*
 * The slot of a domain through the index, which is checked: a slot since
 * given to another domain is not this one's; NULL.
 */
static struct ia_domain_group *domain_slot(const struct ia_calls *cs, __u64 domain)
{
	__u64 k;

	if (ia_u64map_get(&cs->slot_of, domain, &k) && k < cs->ndomains &&
	    cs->domains[k].domain == domain)
		return &cs->domains[k];
	return NULL;
}

/*
 * Index slot k's domain. Entries of replaced domains stay until the index
 * holds twice the slots, then it is made again from the slots. A failed
 * put leaves the domain out: not found later, as if forgotten.
 */
static void index_slot(struct ia_calls *cs, size_t k)
{
	if (cs->slot_of.n >= 2 * IA_CALLS_DOMAINS) {
		ia_u64map_clear(&cs->slot_of);
		for (size_t i = 0; i < cs->ndomains; i++)
			if (i != k)
				ia_u64map_put(&cs->slot_of, cs->domains[i].domain, i);
	}
	ia_u64map_put(&cs->slot_of, cs->domains[k].domain, k);
}

/* domain served group: updated in place, else in the next slot (the oldest once full). */
static int remember(struct ia_calls *cs, __u64 domain, int group)
{
	struct ia_domain_group *d;

	if (!domain)
		return 0;
	d = domain_slot(cs, domain);
	if (d) {
		d->group = group;
		return 0;
	}
	if (!cs->domains) {
		cs->domains = calloc(IA_CALLS_DOMAINS, sizeof(*cs->domains));
		if (!cs->domains)
			return -ENOMEM;
	}
	cs->domains[cs->next] = (struct ia_domain_group){ .domain = domain, .group = group };
	if (cs->ndomains < IA_CALLS_DOMAINS)
		cs->ndomains++;
	index_slot(cs, cs->next);
	cs->next = (cs->next + 1) % IA_CALLS_DOMAINS;
	return 0;
}

int ia_calls_domain_group(const struct ia_calls *cs, __u64 domain)
{
	const struct ia_domain_group *d = domain ? domain_slot(cs, domain) : NULL;

	return d ? d->group : -1;
}

int ia_calls_count(struct ia_calls *cs, const struct ia_event *ev)
{
	struct ia_errno_count *c;
	int err;

	if ((ev->flags & IA_F_HAVE_GRP) && ev->group_id >= 0) {
		err = remember(cs, ev->grp_domain, ev->group_id);
		if (!err)
			err = remember(cs, ev->grp_default_domain, ev->group_id);
		if (err)
			return err;
	}
	if (ev->phase != IA_PH_EXIT || ev->hook >= IA_HOOK_MAX)
		return 0;
	cs->exits[ev->hook]++;
	err = ia_exit_errno(ev);
	if (!err)
		return 0;
	c = errno_slot(cs, ev->hook, (__u16)err);
	if (!c)
		return -ENOMEM;
	c->n++;
	return 0;
}

__u64 ia_calls_errno(const struct ia_calls *cs, unsigned int hook, unsigned int err)
{
	for (size_t i = 0; i < cs->nerrnos; i++)
		if (cs->errnos[i].hook == hook && cs->errnos[i].err == err)
			return cs->errnos[i].n;
	return 0;
}

void ia_calls_free(struct ia_calls *cs)
{
	free(cs->errnos);
	free(cs->domains);
	ia_u64map_free(&cs->slot_of);
	memset(cs, 0, sizeof(*cs));
}
