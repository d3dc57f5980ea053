// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "event_out.h"
#include "hooks.h"
#include "model.h"

static const char *phase_name(__u8 phase)
{
	switch (phase) {
	case IA_PH_ENTER: return "enter";
	case IA_PH_EXIT: return "exit";
	default: return "fire";
	}
}

/* How the record was produced (the program type), for -v and the JSON. */
static const char *via_name(const struct ia_event *ev)
{
	if (ev->type == IA_REC_TP)
		return ev->flags & IA_F_FENTRY ? "tp_btf" : "tracepoint";
	return ev->flags & IA_F_FENTRY ? "fentry" : "kprobe";
}

/* The record that names the device, driver and domain: an exit's entry. */
static const struct ia_event *subject(const struct ia_decoded *d)
{
	return d->enter ? d->enter : d->ev;
}

static bool has_ret(const struct ia_decoded *d)
{
	const struct ia_hook_info *h = ia_hook_info(d->ev->hook);

	return d->ev->phase == IA_PH_EXIT && h && !h->void_ret;
}

/* A pointer-returning function's result that is an address, not an ERR_PTR. */
static bool ret_is_ptr(const struct ia_event *ev)
{
	return (ev->flags & IA_F_RET_PTR) && !(ev->ret < 0 && ev->ret >= -4095);
}

static void text_ret(FILE *out, long ret)
{
	const char *name = ia_errno_name(ret);

	if (!ret)
		fputs(" = 0", out);
	else if (name)
		fprintf(out, " = %ld (%s%s)", ret, ret > 0 ? "driver probe: " : "", name);
	else
		fprintf(out, " = %ld", ret);
}

/* --trace-maps records: one per iommu_map/iommu_unmap call, at its exit */
static bool is_map_hook(unsigned int hook)
{
	return hook == IA_HOOK_MAP || hook == IA_HOOK_UNMAP || hook == IA_HOOK_MAP_SG ||
	       hook == IA_HOOK_UNMAP_FAST;
}

void ia_event_print_text(FILE *out, const struct ia_decoded *d, __u64 ts_base)
{
	const struct ia_event *ev = d->ev, *s = subject(d);
	double t = ev->ts_ns >= ts_base ? (double)(ev->ts_ns - ts_base) / 1e9 : 0.0;

	fprintf(out, "%12.6f %6llu %*s%-15s %-5s", t, (unsigned long long)d->seq, 2 * d->depth, "",
		ia_hook_name(ev->hook), phase_name(ev->phase));
	if (s->flags & IA_F_HAVE_DEV)
		fprintf(out, " dev=%s", s->dev_name);
	if (s->flags & IA_F_HAVE_DRV)
		fprintf(out, " drv=%s", s->drv_name);
	if (s->group_id >= 0)
		fprintf(out, " group=%d", s->group_id);
	if (s->flags & IA_F_HAVE_DOM)
		fprintf(out, " domain=%#llx(%s)", (unsigned long long)s->domain,
			ia_domain_type_name(s->domain_type));
	if ((s->hook == IA_HOOK_GROUP_CLAIM || s->hook == IA_HOOK_DEVICE_CLAIM) && s->owner)
		fprintf(out, " owner=%#llx", (unsigned long long)s->owner);
	if (s->hook == IA_HOOK_IOMMUFD_IOCTL) {
		char buf[16];

		fprintf(out, " cmd=%s", ia_iommufd_cmd_name((unsigned int)s->arg[0], buf, sizeof(buf)));
	}
	if (s->hook == IA_HOOK_IOAS_MAP || s->hook == IA_HOOK_IOAS_UNMAP)
		fprintf(out, " iova=%#llx length=%llu ioas=%llu", (unsigned long long)s->arg[0],
			(unsigned long long)s->arg[1], (unsigned long long)s->arg[2]);
	if (is_map_hook(s->hook))
		fprintf(out, " iova=%#llx size=%llu = %lld in %llu ns", (unsigned long long)s->arg[0],
			(unsigned long long)s->arg[1], (long long)s->ret, (unsigned long long)s->arg[2]);
	if (ev->hook == IA_HOOK_RELEASE_DRIVER && ev->phase == IA_PH_ENTER &&
	    !(ev->flags & IA_F_RELEASES))
		fputs(" (no-op)", out);
	if (has_ret(d) && ret_is_ptr(ev))
		fprintf(out, " = %#llx", (unsigned long long)ev->ret);
	else if (has_ret(d))
		text_ret(out, (long)ev->ret);
	if (ev->phase == IA_PH_EXIT && (ev->flags & IA_F_HAVE_DOM))
		fprintf(out, " domain=%#llx(%s)", (unsigned long long)ev->domain,
			ia_domain_type_name(ev->domain_type));
	if ((d->enter ? d->enter : ev)->pasid != IA_NO_PASID)
		fprintf(out, " pasid=%u", (d->enter ? d->enter : ev)->pasid);
	if (ev->phase == IA_PH_EXIT && !d->enter)
		fputs(" (entry not seen)", out);
	fprintf(out, "  [%s %u]\n", ev->comm, ev->tid);
}

static void json_subject(struct ia_json *j, const struct ia_event *s)
{
	if (s->flags & IA_F_HAVE_DEV)
		ia_json_kstr(j, "dev", s->dev_name);
	if (s->flags & IA_F_HAVE_DRV)
		ia_json_kstr(j, "driver", s->drv_name);
	if (s->group_id >= 0)
		ia_json_kint(j, "group", s->group_id);
	if (s->flags & IA_F_HAVE_DOM) {
		ia_json_kptr(j, "domain", s->domain);
		ia_json_kstr(j, "domain_type", ia_domain_type_name(s->domain_type));
	}
	if (s->hook == IA_HOOK_GROUP_CLAIM || s->hook == IA_HOOK_DEVICE_CLAIM)
		ia_json_kptr(j, "owner", s->owner);
	if (s->flags & IA_F_OWNER_KNOWN)
		ia_json_kuint(j, "owner_cnt", s->owner_cnt);
}

/* The arguments that hooks of the iommufd interface carry in arg[]. */
static void json_call_args(struct ia_json *j, const struct ia_event *s)
{
	char buf[16];

	switch (s->hook) {
	case IA_HOOK_IOMMUFD_IOCTL:
		ia_json_kstr(j, "cmd", ia_iommufd_cmd_name((unsigned int)s->arg[0], buf, sizeof(buf)));
		break;
	case IA_HOOK_IOAS_MAP:
	case IA_HOOK_IOAS_UNMAP:
		ia_json_kptr(j, "iova", s->arg[0]);
		ia_json_kuint(j, "length", s->arg[1]);
		ia_json_kuint(j, "ioas_id", s->arg[2]);
		break;
	case IA_HOOK_MAP:
	case IA_HOOK_UNMAP:
	case IA_HOOK_MAP_SG:
	case IA_HOOK_UNMAP_FAST:
		ia_json_kptr(j, "iova", s->arg[0]);
		ia_json_kuint(j, "size", s->arg[1]);
		ia_json_kint(j, "result", s->ret);
		ia_json_kuint(j, "latency_ns", s->arg[2]);
		break;
	default:
		break;
	}
}

void ia_event_print_json(struct ia_json *j, const struct ia_decoded *d)
{
	const struct ia_event *ev = d->ev;

	ia_json_obj_begin(j);
	ia_json_kstr(j, "type", "event");
	ia_json_kint(j, "schema", 1);
	ia_json_kuint(j, "seq", d->seq);
	ia_json_kuint(j, "ts_ns", ev->ts_ns);
	ia_json_kstr(j, "hook", ia_hook_name(ev->hook));
	ia_json_kstr(j, "phase", phase_name(ev->phase));
	ia_json_kstr(j, "via", via_name(ev));
	ia_json_kint(j, "depth", d->depth);
	json_subject(j, d->enter ? d->enter : ev);
	if (ev->hook == IA_HOOK_RELEASE_DRIVER)
		ia_json_kbool(j, "releases", (d->enter ? d->enter : ev)->flags & IA_F_RELEASES);
	if (has_ret(d) && ret_is_ptr(ev)) {
		ia_json_kint(j, "ret", 0);
		ia_json_kptr(j, "ret_ptr", (__u64)ev->ret);
	} else if (has_ret(d)) {
		ia_json_kint(j, "ret", ev->ret);
		if (ev->ret)
			ia_json_kstr(j, "errno", ia_errno_name((long)ev->ret) ?: "");
	}
	if (ev->phase == IA_PH_EXIT && (ev->flags & IA_F_HAVE_DOM)) {
		ia_json_kptr(j, "new_domain", ev->domain);
		ia_json_kstr(j, "new_domain_type", ia_domain_type_name(ev->domain_type));
	}
	if (d->enter && d->enter->obj_id)
		ia_json_kuint(j, "idev_id", d->enter->obj_id);
	else if (ev->obj_id)
		ia_json_kuint(j, "idev_id", ev->obj_id);
	if (ev->obj_id2)
		ia_json_kuint(j, "hwpt_id", ev->obj_id2);
	json_call_args(j, d->enter ? d->enter : ev);
	if (ev->phase == IA_PH_EXIT && d->enter)
		ia_json_kuint(j, "latency_ns", ev->ts_ns - d->enter->ts_ns);
	if (ev->phase == IA_PH_EXIT)
		ia_json_kbool(j, "paired", d->enter != NULL);
	if ((d->enter ? d->enter : ev)->pasid != IA_NO_PASID)
		ia_json_kuint(j, "pasid", (d->enter ? d->enter : ev)->pasid);
	ia_json_kuint(j, "pid", ev->pid);
	ia_json_kuint(j, "tid", ev->tid);
	ia_json_kstr(j, "comm", ev->comm);
	if (ev->cgroup)
		ia_json_kuint(j, "cgroup_id", ev->cgroup);
	if (d->cgroup && d->cgroup[0])
		ia_json_kstr(j, "cgroup", d->cgroup);
	ia_json_obj_end(j);
}
