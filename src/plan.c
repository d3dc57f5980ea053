// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The plan (see plan.h for the kernel rules it applies): verdicts per
 * device of each group touched, the predicted answers, the steps, and the
 * exit status. Pure logic over its inputs.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "grow.h"
#include "hooks.h"
#include "plan.h"

/* PCI class codes (include/linux/pci_ids.h): PCI_CLASS_BRIDGE_PCI, _CARDBUS. */
#define CLASS_BRIDGE_PCI 0x0604
#define CLASS_BRIDGE_CARDBUS 0x0607
/* PCI_HEADER_TYPE_NORMAL is 0: vfio_pci_core_register_device() refuses the rest */
#define HEADER_TYPE_NORMAL 0

void ia_plan_init(struct ia_plan *p)
{
	memset(p, 0, sizeof(*p));
}

void ia_plan_free(struct ia_plan *p)
{
	free(p->groups);
	free(p->devs);
	free(p->steps);
	ia_plan_init(p);
}

const char *ia_plan_verdict_name(enum ia_plan_verdict v)
{
	static const char *const names[] = {
		[IA_PV_MOVE] = "move",		 [IA_PV_MUST_MOVE] = "must-move",
		[IA_PV_EXEMPT] = "exempt",	 [IA_PV_ALREADY] = "already-there",
		[IA_PV_UNBIND_ONLY] = "unbind-only", [IA_PV_REFUSED] = "refused",
		[IA_PV_RETURN] = "return",	 [IA_PV_STAYS] = "stays",
	};

	return (unsigned int)v < sizeof(names) / sizeof(names[0]) ? names[v] : "unknown";
}

const char *ia_step_op_name(enum ia_step_op op)
{
	static const char *const names[] = {
		[IA_STEP_UNBIND] = "unbind", [IA_STEP_OVERRIDE] = "driver_override",
		[IA_STEP_BIND] = "bind",     [IA_STEP_PROBE] = "drivers_probe",
	};

	return (unsigned int)op < sizeof(names) / sizeof(names[0]) ? names[op] : "unknown";
}

int ia_pci_name_normalize(const char *in, char *out, size_t size)
{
	static const int widths[] = { 2, 2, 1 }; /* bus, device, function after the domain */
	static const char seps[] = { ':', '.', '\0' };
	const char *p = in;
	char buf[IA_NAME_LEN];
	size_t n = 0, dom = 0;

	while (isxdigit((unsigned char)p[dom]))
		dom++;
	if (p[dom] == ':' && isxdigit((unsigned char)p[dom + 1]) &&
	    isxdigit((unsigned char)p[dom + 2]) && p[dom + 3] == ':') {
		if (dom < 4 || dom > 8)
			return -EINVAL;
		n = (size_t)snprintf(buf, sizeof(buf), "%.*s:", (int)dom, p);
		p += dom + 1;
	} else {
		n = (size_t)snprintf(buf, sizeof(buf), "0000:");
	}
	for (int f = 0; f < 3; f++) {
		for (int i = 0; i < widths[f]; i++, p++) {
			if (!isxdigit((unsigned char)*p))
				return -EINVAL;
			buf[n++] = (char)tolower((unsigned char)*p);
		}
		if (*p != seps[f])
			return -EINVAL;
		if (seps[f])
			buf[n++] = *p++;
	}
	if (buf[n - 1] > '7' || n >= size)
		return -EINVAL;
	buf[n] = '\0';
	memcpy(out, buf, n + 1);
	return 0;
}

bool ia_devinfo_bridge(const struct ia_devinfo *d)
{
	if (d->hdr_type >= 0)
		return d->hdr_type != HEADER_TYPE_NORMAL;
	return d->class_code >> 8 == CLASS_BRIDGE_PCI || d->class_code >> 8 == CLASS_BRIDGE_CARDBUS;
}

/*
 * vfio_pci_dev_in_denylist() (drivers/vfio/pci/vfio_pci.c, 5.10+): devices
 * with errata that vfio-pci refuses to probe unless disable_denylist.
 */
static bool vfio_denylisted(const struct ia_devinfo *d)
{
	static const unsigned int intel[] = {
		0x19e2, 0x19e3, /* QAT C3XXX, VF */
		0x37c8, 0x37c9, /* QAT C62X, VF */
		0x0435, 0x0443, /* QAT DH895XCC, VF */
		0x0b25, 0x0cfe, /* DSA SPR0, IAX SPR0 */
	};

	if (d->vendor != 0x8086)
		return false;
	for (size_t i = 0; i < sizeof(intel) / sizeof(intel[0]); i++)
		if (d->device == intel[i])
			return true;
	return false;
}

static const struct ia_devinfo *info_of(const struct ia_plan_input *in, const char *dev)
{
	for (size_t i = 0; i < in->ninfo; i++)
		if (!strcmp(in->info[i].name, dev))
			return &in->info[i];
	return NULL;
}

static const struct ia_plan_record *record_of(const struct ia_plan_input *in, const char *dev)
{
	for (size_t i = 0; i < in->nrecords; i++)
		if (!strcmp(in->records[i].dev, dev))
			return &in->records[i];
	return NULL;
}

static bool is_named(const struct ia_plan_input *in, const char *dev)
{
	for (int i = 0; i < in->ndevs; i++)
		if (!strcmp(in->devs[i], dev))
			return true;
	return false;
}

static int add_step(struct ia_plan *p, enum ia_step_op op, const char *dev, const char *driver)
{
	int err = ia_grow((void **)&p->steps, &p->steps_cap, p->nsteps + 1, sizeof(*p->steps));
	struct ia_plan_step *s;

	if (err)
		return err;
	s = &p->steps[p->nsteps++];
	s->op = op;
	ia_strlcpy(s->dev, dev, sizeof(s->dev));
	ia_strlcpy(s->driver, driver ? driver : "", sizeof(s->driver));
	return 0;
}

/* ---- verdicts: towards the target ---- */

/*
 * What a sysfs bind reads when the driver's probe refuses with err: the
 * error itself since v5.14; before, really_probe() dropped it and
 * bind_store() failed ENODEV (drivers/base/bus.c of v5.10).
 */
static int probe_err(const struct ia_plan_input *in, int err)
{
	return in->probe_errno_dropped ? ENODEV : err;
}

/* A named device. */
static void verdict_named(const struct ia_plan_input *in, bool user_target, struct ia_plan_dev *d,
			  const struct ia_devinfo *info, const struct ia_plan_group *g)
{
	d->verdict = IA_PV_MOVE;
	d->moves = true;
	ia_strlcpy(d->to, in->target, sizeof(d->to));
	ia_strlcpy(d->to_override, in->target, sizeof(d->to_override));
	if (!d->pci) {
		d->verdict = IA_PV_REFUSED;
		d->moves = false;
		snprintf(d->why, sizeof(d->why), "not a PCI device: plan moves PCI devices only");
	} else if (user_target && d->bridge) {
		d->verdict = d->dma == IA_DMA_KERNEL ? IA_PV_UNBIND_ONLY : IA_PV_REFUSED;
		d->moves = d->verdict == IA_PV_UNBIND_ONLY;
		d->bind_err = probe_err(in, EINVAL);
		snprintf(d->why, sizeof(d->why), "a bridge: %s refuses it (vfio_pci_core_register_device: "
			 "header type not normal, EINVAL%s)%s", in->target,
			 in->probe_errno_dropped ? "; a sysfs bind reads ENODEV before 5.14" : "",
			 d->moves ? "; its kernel driver must go, it is left without one" :
			 "; its driver takes no DMA ownership, nothing to do");
	} else if (user_target && vfio_denylisted(info) && !in->denylist_disabled) {
		d->verdict = IA_PV_REFUSED;
		d->moves = false;
		d->bind_err = probe_err(in, EINVAL);
		snprintf(d->why, sizeof(d->why), "%04x:%04x is in vfio-pci's denylist (vfio_pci_is_denylisted: "
			 "EINVAL) and disable_denylist is off", info->vendor, info->device);
	} else if (!in->target_loaded) {
		d->bind_err = ENODEV;
		snprintf(d->why, sizeof(d->why), "driver %s is not loaded (no /sys/bus/pci/drivers/%s): "
			 "modprobe it first", in->target, in->target);
	} else if (!user_target && ia_driver_dma_class(in->target) == IA_DMA_KERNEL && g->held) {
		d->bind_err = EBUSY;
		snprintf(d->why, sizeof(d->why), "the group is user-owned: %s's bind takes kernel DMA and "
			 "iommu_device_use_default_domain() refuses it (EBUSY)", in->target);
	} else {
		snprintf(d->why, sizeof(d->why), user_target ?
			 "named; %s sets driver_managed_dma, so its bind takes no kernel DMA ownership" :
			 "named; the DMA rules allow the bind (whether %s's probe accepts the device is "
			 "the driver's)", in->target);
	}
}

/* A peer, towards a VFIO target (a user claim follows). */
static void verdict_peer(const struct ia_plan_input *in, struct ia_plan_dev *d)
{
	if (d->dma == IA_DMA_USER) {
		d->verdict = IA_PV_EXEMPT;
		snprintf(d->why, sizeof(d->why), "a VFIO driver (driver_managed_dma): no kernel DMA");
	} else if (d->dma == IA_DMA_NONE) {
		d->verdict = IA_PV_EXEMPT;
		snprintf(d->why, sizeof(d->why), d->driver[0] ?
			 "%s sets driver_managed_dma: it takes no DMA ownership" :
			 "no driver: it takes no DMA ownership", d->driver);
	} else if (d->bridge && d->pci) {
		d->verdict = IA_PV_UNBIND_ONLY;
		d->moves = true;
		snprintf(d->why, sizeof(d->why), "a bridge on kernel-DMA driver %s: it must be unbound "
			 "(%s refuses bridges), and is left without a driver", d->driver, in->target);
	} else {
		d->verdict = IA_PV_MUST_MOVE;
		d->moves = in->with_peers && d->pci;
		if (d->moves) {
			ia_strlcpy(d->to, in->target, sizeof(d->to));
			ia_strlcpy(d->to_override, in->target, sizeof(d->to_override));
		}
		snprintf(d->why, sizeof(d->why), "kernel-DMA driver %s holds the group (owner_cnt): the claim "
			 "fails while it is bound%s", d->driver,
			 d->pci ? "" : "; not a PCI device, plan cannot move it");
	}
}

static bool target_is_user(const struct ia_plan_input *in)
{
	return ia_driver_dma_class(in->target) == IA_DMA_USER;
}

static void verdict_forward(const struct ia_plan_input *in, struct ia_plan_dev *d,
			    const struct ia_devinfo *info, const struct ia_plan_group *g)
{
	bool user = target_is_user(in);

	if (!strcmp(d->driver, in->target)) {
		d->verdict = IA_PV_ALREADY;
		ia_strlcpy(d->to, d->driver, sizeof(d->to));
		ia_strlcpy(d->to_override, d->override, sizeof(d->to_override));
		snprintf(d->why, sizeof(d->why), "already on %s", in->target);
	} else if (d->named) {
		verdict_named(in, user, d, info, g);
	} else if (!user) {
		d->verdict = IA_PV_EXEMPT;
		snprintf(d->why, sizeof(d->why), "%s is not a VFIO driver: no claim of the group follows",
			 in->target);
	} else {
		verdict_peer(in, d);
	}
	if (!d->moves) {
		ia_strlcpy(d->to, d->driver, sizeof(d->to));
		ia_strlcpy(d->to_override, d->override, sizeof(d->to_override));
	} else if (d->verdict == IA_PV_UNBIND_ONLY) {
		d->to[0] = '\0';
		ia_strlcpy(d->to_override, d->override, sizeof(d->to_override));
	}
	d->to_known = true;
}

/* ---- verdicts: --release ---- */

static void verdict_release(const struct ia_plan_input *in, struct ia_plan_dev *d,
			    const struct ia_plan_group *g)
{
	const struct ia_plan_record *r = record_of(in, d->name);

	d->to_known = true;
	if (!r && !(d->named && d->dma == IA_DMA_USER)) {
		d->verdict = IA_PV_STAYS;
		ia_strlcpy(d->to, d->driver, sizeof(d->to));
		ia_strlcpy(d->to_override, d->override, sizeof(d->to_override));
		snprintf(d->why, sizeof(d->why), d->named ? "not on a VFIO driver and no record: nothing to "
			 "return" : "no record of a move by plan: left as it is");
		return;
	}
	d->verdict = IA_PV_RETURN;
	d->moves = true;
	if (r) {
		ia_strlcpy(d->to, r->driver, sizeof(d->to));
		ia_strlcpy(d->to_override, r->override, sizeof(d->to_override));
		snprintf(d->why, sizeof(d->why), "back to %s, as recorded by plan --apply",
			 r->driver[0] ? r->driver : "no driver");
	} else {
		d->to_known = false;
		snprintf(d->why, sizeof(d->why), "no record: driver_override cleared, the kernel picks "
			 "its driver");
	}
	if (g->held) {
		d->bind_err = EBUSY;
		snprintf(d->why, sizeof(d->why), "the group is held: vfio-pci's remove waits for the "
			 "holder to close the device, and a kernel driver's bind fails (EBUSY) while the "
			 "group is user-owned");
	}
}

/* ---- groups ---- */

/*
 * The claim after the steps: EPERM while a kernel-DMA driver stays bound;
 * before v5.19 VFIO's own check, which refuses the group's device fds with
 * EINVAL while it is not viable (drivers/vfio/vfio.c of v5.10:
 * vfio_group_get_device_fd()).
 */
static void predict_claim(const struct ia_plan *p, const struct ia_plan_input *in,
			  struct ia_plan_group *g, const char *holder)
{
	g->claim_err = 0;
	snprintf(g->claim_why, sizeof(g->claim_why), "no kernel-DMA driver left: the claim succeeds");
	for (size_t i = g->first; i < g->first + g->ndevs; i++) {
		const struct ia_plan_dev *d = &p->devs[i];

		if (d->moves || ia_driver_dma_class(d->driver) != IA_DMA_KERNEL)
			continue;
		if (in->no_owner_api) {
			g->claim_err = EINVAL;
			snprintf(g->claim_why, sizeof(g->claim_why), "%s stays on kernel-DMA driver %s: "
				 "the group is not viable, VFIO_GROUP_GET_DEVICE_FD fails EINVAL (no "
				 "ownership API before 5.19)", d->name, d->driver);
			return;
		}
		g->claim_err = EPERM;
		snprintf(g->claim_why, sizeof(g->claim_why), "%s stays on kernel-DMA driver %s: owner_cnt "
			 "is not 0, iommu_group_claim_dma_owner / iommu_device_claim_dma_owner return "
			 "EPERM", d->name, d->driver);
		return;
	}
	if (g->held) {
		g->claim_err = EBUSY;
		snprintf(g->claim_why, sizeof(g->claim_why), "already claimed by %s: a second open of "
			 "the group file fails EBUSY (vfio_group_fops_open), a cdev bind to another "
			 "iommufd EPERM", holder);
	}
}

static const char *first_holder(const struct ia_holders *h, int group, char *buf, size_t size)
{
	for (size_t i = 0; h && i < h->n; i++) {
		if (h->v[i].group != group)
			continue;
		snprintf(buf, size, "pid %d (%s)", h->v[i].pid, h->v[i].comm);
		return buf;
	}
	snprintf(buf, size, "a process");
	return buf;
}

static int add_dev(struct ia_plan *p, const struct ia_plan_input *in, const struct ia_dev *md,
		   const struct ia_plan_group *g)
{
	const struct ia_devinfo *info = info_of(in, md->name);
	static const struct ia_devinfo none = { .hdr_type = -1 };
	const char *why;
	struct ia_plan_dev *d;
	int err = ia_grow((void **)&p->devs, &p->devs_cap, p->ndevs + 1, sizeof(*p->devs));

	if (err)
		return err;
	d = &p->devs[p->ndevs++];
	memset(d, 0, sizeof(*d));
	info = info ? info : &none;
	ia_strlcpy(d->name, md->name, sizeof(d->name));
	ia_strlcpy(d->driver, md->driver, sizeof(d->driver));
	ia_strlcpy(d->override, info->override, sizeof(d->override));
	d->dma = md->dma;
	d->named = is_named(in, md->name);
	d->pci = info->pci;
	d->bridge = ia_devinfo_bridge(info);
	if (in->release)
		verdict_release(in, d, g);
	else
		verdict_forward(in, d, info, g);
	why = in->critical ? ia_critical_why(in->critical, d->name) : NULL;
	if (why && (d->moves || d->verdict == IA_PV_MUST_MOVE))
		ia_strlcpy(d->critical, why, sizeof(d->critical));
	return 0;
}

static int add_group(struct ia_plan *p, const struct ia_plan_input *in, const struct ia_group *mg)
{
	struct ia_plan_group *g;
	char holder[64];
	int err = ia_grow((void **)&p->groups, &p->groups_cap, p->ngroups + 1, sizeof(*p->groups));

	if (err)
		return err;
	g = &p->groups[p->ngroups++];
	memset(g, 0, sizeof(*g));
	g->id = mg->id;
	g->first = p->ndevs;
	g->held = in->holders && ia_holders_group_held(in->holders, mg->id);
	for (size_t i = 0; i < mg->ndevs && !err; i++)
		err = add_dev(p, in, &mg->devs[i], g);
	g->ndevs = p->ndevs - g->first;
	/* a claim follows when some device of the group ends on the (VFIO) target */
	g->claims = false;
	for (size_t i = g->first; i < p->ndevs && !in->release && target_is_user(in); i++)
		g->claims |= !strcmp(p->devs[i].to, in->target);
	if (g->claims)
		predict_claim(p, in, g, first_holder(in->holders, g->id, holder, sizeof(holder)));
	return err;
}

/* ---- steps ---- */

/*
 * Every device that moves is unbound first, then each gets its
 * driver_override and its bind: a kernel-DMA peer still bound while its
 * group's devices go to vfio-pci one by one is how groups end half-moved.
 * The bind is a write to the driver's bind file rather than to
 * drivers_probe: both probe the driver driver_override names, but
 * drivers_probe returns success when the probe fails
 * (bus_rescan_devices_helper() in drivers/base/bus.c), while bind returns
 * the probe's errno (device_driver_attach(), "also return probe errors as
 * normal negative errnos", drivers/base/dd.c, 5.13+).
 */
static int build_steps(struct ia_plan *p)
{
	int err = 0;

	for (size_t i = 0; i < p->ndevs && !err; i++)
		if (p->devs[i].moves && p->devs[i].driver[0])
			err = add_step(p, IA_STEP_UNBIND, p->devs[i].name, p->devs[i].driver);
	for (size_t i = 0; i < p->ndevs && !err; i++) {
		const struct ia_plan_dev *d = &p->devs[i];

		if (!d->moves || (!d->to[0] && d->to_known && !strcmp(d->override, d->to_override)))
			continue;
		if (strcmp(d->override, d->to_override))
			err = add_step(p, IA_STEP_OVERRIDE, d->name, d->to_override);
		if (!err && d->to[0])
			err = add_step(p, IA_STEP_BIND, d->name, d->to);
		else if (!err && !d->to_known)
			err = add_step(p, IA_STEP_PROBE, d->name, NULL);
	}
	return err;
}

/* ---- the verdict ---- */

static void set_status(struct ia_plan *p, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_status(struct ia_plan *p, int status, const char *fmt, ...)
{
	va_list ap;

	if (p->status)
		return;
	p->status = status;
	va_start(ap, fmt);
	vsnprintf(p->message, sizeof(p->message), fmt, ap);
	va_end(ap);
}

static void decide(struct ia_plan *p, const struct ia_plan_input *in)
{
	const struct ia_plan_dev *d;

	for (size_t i = 0; i < p->ndevs && !in->allow_critical; i++)
		if (p->devs[i].critical[0])
			set_status(p, IA_EXIT_PLAN_CRITICAL, "refused: %s is host-critical: %s "
				   "(--allow-critical to go on)", p->devs[i].name, p->devs[i].critical);
	for (size_t i = 0; i < p->ndevs; i++) {
		d = &p->devs[i];
		if ((d->named && d->verdict == IA_PV_REFUSED) ||
		    (d->moves && d->bind_err && d->verdict != IA_PV_UNBIND_ONLY))
			set_status(p, IA_EXIT_PLAN_REFUSED, "the kernel will refuse %s: %s", d->name,
				   d->why);
	}
	for (size_t i = 0; i < p->ndevs; i++) {
		d = &p->devs[i];
		if (d->verdict == IA_PV_MUST_MOVE && !d->moves)
			set_status(p, d->pci ? IA_EXIT_PLAN_PEERS : IA_EXIT_PLAN_REFUSED,
				   d->pci ? "more devices must move: %s (on %s); name them, or --with-peers" :
				   "%s (on %s) must move and is not a PCI device: plan cannot move it",
				   d->name, d->driver);
	}
	for (size_t i = 0; i < p->ngroups; i++)
		if (p->groups[i].claims && p->groups[i].claim_err)
			set_status(p, IA_EXIT_PLAN_REFUSED, "the claim of group %d will fail: %s",
				   p->groups[i].id, p->groups[i].claim_why);
	if (!p->status)
		snprintf(p->message, sizeof(p->message), "%s", p->nsteps ? "the plan needs nothing beyond "
			 "the devices named" : "nothing to do");
}

static bool group_listed(const struct ia_plan *p, int id)
{
	for (size_t i = 0; i < p->ngroups; i++)
		if (p->groups[i].id == id)
			return true;
	return false;
}

int ia_plan_build(const struct ia_plan_input *in, struct ia_plan *p)
{
	struct ia_model *m = (struct ia_model *)in->m;
	struct ia_group *mg;
	int err = 0;

	ia_plan_free(p);
	for (int i = 0; i < in->ndevs && !err; i++) {
		if (!ia_model_find_dev(m, in->devs[i], &mg)) {
			err = -ENODEV;
			break;
		}
		if (!group_listed(p, mg->id))
			err = add_group(p, in, mg);
	}
	if (!err)
		err = build_steps(p);
	if (err) {
		ia_plan_free(p);
		return err;
	}
	decide(p, in);
	return 0;
}

const char *ia_plan_errno_name(int err)
{
	const char *n = ia_errno_name(-(long)err);

	return err ? (n ? n : "unknown") : "OK";
}
