// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Text and JSON views of a plan and of its --apply (see plan_out.h). */
#include <string.h>
#include "plan_out.h"

static const char *or_dash(const char *s)
{
	return s && s[0] ? s : "-";
}

/* The file a step writes and the value it writes there. */
static void step_path(const struct ia_plan_step *s, char *path, size_t size, const char **value)
{
	switch (s->op) {
	case IA_STEP_UNBIND:
	case IA_STEP_BIND:
		snprintf(path, size, "/sys/bus/pci/drivers/%s/%s", s->driver, ia_step_op_name(s->op));
		*value = s->dev;
		break;
	case IA_STEP_OVERRIDE:
		snprintf(path, size, "/sys/bus/pci/devices/%s/driver_override", s->dev);
		*value = s->driver;
		break;
	default:
		snprintf(path, size, "/sys/bus/pci/drivers_probe");
		*value = s->dev;
	}
}

/* Where a device ends: "vfio-pci", "no driver", "the kernel's pick". */
static const char *to_text(const struct ia_plan_dev *d)
{
	if (!d->to_known)
		return "the kernel's pick";
	return d->to[0] ? d->to : "no driver";
}

static const char *to_source(const struct ia_plan_dev *d, bool release)
{
	if (!d->moves)
		return "unchanged";
	if (!release)
		return "plan";
	return d->to_known ? "record" : "kernel";
}

static void dev_text(FILE *out, const struct ia_plan_dev *d)
{
	const char *verdict = ia_plan_verdict_name(d->verdict);

	fprintf(out, "  %s%s  %-10s %-6s  %s", d->name, d->named ? "*" : " ", or_dash(d->driver),
		ia_dma_class_name(d->dma), verdict);
	if (d->moves)
		fprintf(out, "%*s -> %s", (int)(13 - strlen(verdict)), "", to_text(d));
	if (d->moves && d->to[0])
		fprintf(out, " (bind: %s)", ia_plan_errno_name(d->bind_err));
	fprintf(out, "\n      %s\n", d->why);
	if (d->critical[0])
		fprintf(out, "      HOST-CRITICAL: %s\n", d->critical);
}

static void group_text(FILE *out, const struct ia_plan_view *v, const struct ia_plan_group *g)
{
	fprintf(out, "group %d\n", g->id);
	for (size_t i = g->first; i < g->first + g->ndevs; i++)
		dev_text(out, &v->plan->devs[i]);
	if (v->holders)
		ia_holders_print_text(out, v->holders, g->id, "  ");
	if (g->claims)
		fprintf(out, "  claim: %s: %s\n", ia_plan_errno_name(g->claim_err), g->claim_why);
}

void ia_plan_print_text(FILE *out, const struct ia_plan_view *v)
{
	const struct ia_plan *p = v->plan;
	char path[128];
	const char *value;

	fprintf(out, "plan: %s (* named)\n", v->release ? "return to the previous drivers" :
		v->target);
	for (size_t i = 0; i < p->ngroups; i++)
		group_text(out, v, &p->groups[i]);
	fprintf(out, "steps:%s\n", p->nsteps ? "" : " none");
	for (size_t i = 0; i < p->nsteps; i++) {
		step_path(&p->steps[i], path, sizeof(path), &value);
		fprintf(out, "  %2zu. echo '%s' > %s\n", i + 1, value, path);
	}
	fprintf(out, "verdict: %s (exit %d)\n", p->message, p->status);
}

static void dev_json(struct ia_json *j, const struct ia_plan_dev *d, bool release)
{
	ia_json_obj_begin(j);
	ia_json_kstr(j, "name", d->name);
	ia_json_kstr(j, "driver", d->driver);
	ia_json_kstr(j, "override", d->override);
	ia_json_kstr(j, "dma", ia_dma_class_name(d->dma));
	ia_json_kstr(j, "verdict", ia_plan_verdict_name(d->verdict));
	ia_json_kbool(j, "named", d->named);
	ia_json_kbool(j, "bridge", d->bridge);
	ia_json_kbool(j, "moves", d->moves);
	ia_json_kstr(j, "to", d->to);
	ia_json_kstr(j, "to_source", to_source(d, release));
	ia_json_kstr(j, "bind", d->moves && d->to[0] ? ia_plan_errno_name(d->bind_err) : "");
	ia_json_kstr(j, "why", d->why);
	ia_json_kstr(j, "critical", d->critical);
	ia_json_obj_end(j);
}

static void group_json(struct ia_json *j, const struct ia_plan_view *v, const struct ia_plan_group *g)
{
	ia_json_obj_begin(j);
	ia_json_kint(j, "id", g->id);
	ia_json_key(j, "devices");
	ia_json_arr_begin(j);
	for (size_t i = g->first; i < g->first + g->ndevs; i++)
		dev_json(j, &v->plan->devs[i], v->release);
	ia_json_arr_end(j);
	ia_json_key(j, "claim");
	if (g->claims) {
		ia_json_obj_begin(j);
		ia_json_kstr(j, "result", ia_plan_errno_name(g->claim_err));
		ia_json_kstr(j, "why", g->claim_why);
		ia_json_obj_end(j);
	} else {
		ia_json_null(j);
	}
	ia_json_key(j, "holders");
	if (v->holders) {
		ia_json_obj_begin(j);
		ia_json_kbool(j, "known", v->holders->known);
		ia_holders_json_array(j, v->holders, g->id);
		ia_json_obj_end(j);
	} else {
		ia_json_null(j);
	}
	ia_json_obj_end(j);
}

void ia_plan_print_json(struct ia_json *j, const struct ia_plan_view *v)
{
	const struct ia_plan *p = v->plan;
	char path[128];
	const char *value;

	ia_json_obj_begin(j);
	ia_json_kstr(j, "type", "plan");
	ia_json_kint(j, "schema", IA_PLAN_SCHEMA);
	ia_json_kstr(j, "target", v->release ? "" : v->target);
	ia_json_kbool(j, "release", v->release);
	ia_json_key(j, "groups");
	ia_json_arr_begin(j);
	for (size_t i = 0; i < p->ngroups; i++)
		group_json(j, v, &p->groups[i]);
	ia_json_arr_end(j);
	ia_json_key(j, "steps");
	ia_json_arr_begin(j);
	for (size_t i = 0; i < p->nsteps; i++) {
		step_path(&p->steps[i], path, sizeof(path), &value);
		ia_json_obj_begin(j);
		ia_json_kstr(j, "op", ia_step_op_name(p->steps[i].op));
		ia_json_kstr(j, "dev", p->steps[i].dev);
		ia_json_kstr(j, "driver", p->steps[i].driver);
		ia_json_kstr(j, "path", path);
		ia_json_kstr(j, "value", value);
		ia_json_obj_end(j);
	}
	ia_json_arr_end(j);
	ia_json_kint(j, "status", p->status);
	ia_json_kstr(j, "message", p->message);
	ia_json_obj_end(j);
}

static void entry_text(FILE *out, const struct ia_apply_entry *e)
{
	fprintf(out, "  %-15s %s%s%s: ", ia_step_op_name(e->op), e->dev, e->driver[0] ? " " : "",
		e->driver);
	if (e->err)
		fprintf(out, "FAILED (%s): %s\n", ia_plan_errno_name(e->err), e->detail);
	else
		fprintf(out, "ok: %s\n", e->detail);
}

void ia_apply_print_text(FILE *out, const struct ia_apply *a)
{
	fputs("apply:\n", out);
	for (size_t i = 0; i < a->nsteps; i++)
		entry_text(out, &a->steps[i]);
	if (a->ok) {
		fputs("applied: every step verified against sysfs\n", out);
		return;
	}
	fputs("rollback:\n", out);
	for (size_t i = 0; i < a->nrestores; i++)
		fprintf(out, "  %s: %s%s\n", a->restores[i].dev, a->restores[i].err ? "FAILED: " : "",
			a->restores[i].detail);
	fprintf(out, "not applied: %s\n", a->restored ? "every device touched is back as it was" :
		"SOME DEVICES COULD NOT BE RESTORED (see above)");
}

static void entries_json(struct ia_json *j, const char *key, const struct ia_apply_entry *v, size_t n)
{
	ia_json_key(j, key);
	ia_json_arr_begin(j);
	for (size_t i = 0; i < n; i++) {
		ia_json_obj_begin(j);
		ia_json_kstr(j, "op", ia_step_op_name(v[i].op));
		ia_json_kstr(j, "dev", v[i].dev);
		ia_json_kstr(j, "driver", v[i].driver);
		ia_json_kstr(j, "now", v[i].now);
		ia_json_kstr(j, "result", ia_plan_errno_name(v[i].err));
		ia_json_kstr(j, "detail", v[i].detail);
		ia_json_obj_end(j);
	}
	ia_json_arr_end(j);
}

void ia_apply_print_json(struct ia_json *j, const struct ia_apply *a, bool release)
{
	ia_json_obj_begin(j);
	ia_json_kstr(j, "type", "plan_apply");
	ia_json_kint(j, "schema", IA_PLAN_SCHEMA);
	ia_json_kbool(j, "release", release);
	ia_json_kbool(j, "ok", a->ok);
	entries_json(j, "steps", a->steps, a->nsteps);
	entries_json(j, "restores", a->restores, a->nrestores);
	ia_json_key(j, "restored");
	if (a->ok)
		ia_json_null(j);
	else
		ia_json_bool(j, a->restored);
	ia_json_obj_end(j);
}
