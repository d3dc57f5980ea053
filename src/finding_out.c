// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "finding_out.h"
#include "hooks.h"

/* "qemu-system-x86[812] cgroup /machine.slice/x.scope (container 1a2b..)" */
static void print_actor(FILE *out, const struct ia_actor *a)
{
	char container[IA_CONTAINER_LEN], pod[IA_POD_LEN];

	fprintf(out, "        by %s[%u]", a->comm[0] ? a->comm : "?", a->pid);
	if (a->cgroup_path[0])
		fprintf(out, " cgroup %s", a->cgroup_path);
	else if (a->cgroup)
		fprintf(out, " cgroup id %llu", (unsigned long long)a->cgroup);
	ia_cgroup_ids(a->cgroup_path, container, pod);
	if (container[0])
		fprintf(out, " container %.12s", container);
	if (pod[0])
		fprintf(out, " pod %s", pod);
	fputc('\n', out);
}

static void json_actor(struct ia_json *j, const struct ia_actor *a)
{
	char container[IA_CONTAINER_LEN], pod[IA_POD_LEN];

	ia_json_key(j, "actor");
	ia_json_obj_begin(j);
	ia_json_kuint(j, "pid", a->pid);
	ia_json_kuint(j, "tid", a->tid);
	ia_json_kstr(j, "comm", a->comm);
	if (a->cgroup)
		ia_json_kuint(j, "cgroup_id", a->cgroup);
	if (a->cgroup_path[0])
		ia_json_kstr(j, "cgroup", a->cgroup_path);
	ia_cgroup_ids(a->cgroup_path, container, pod);
	if (container[0])
		ia_json_kstr(j, "container", container);
	if (pod[0])
		ia_json_kstr(j, "pod", pod);
	ia_json_obj_end(j);
}

void ia_finding_print_text(FILE *out, const struct ia_finding *f)
{
	fprintf(out, "FINDING %-7s %-23s", ia_severity_name(f->sev), ia_rule_name(f->rule));
	if (f->group_id >= 0)
		fprintf(out, " group %d", f->group_id);
	for (int i = 0; i < f->ndevs; i++)
		fprintf(out, "%s%s", i ? "," : " ", f->devs[i]);
	if (f->err)
		fprintf(out, " %s", ia_errno_name(f->err) ?: "?");
	fprintf(out, ": %s", f->detail);
	if (f->nevidence) {
		fputs("  [evidence", out);
		for (int i = 0; i < f->nevidence; i++)
			fprintf(out, " #%llu", (unsigned long long)f->evidence[i]);
		fputc(']', out);
	}
	fputc('\n', out);
	if (f->actor.pid)
		print_actor(out, &f->actor);
}

void ia_finding_print_json(struct ia_json *j, const struct ia_finding *f)
{
	ia_json_obj_begin(j);
	ia_json_kstr(j, "type", "finding");
	ia_json_kint(j, "schema", 1);
	ia_json_kstr(j, "rule", ia_rule_name(f->rule));
	ia_json_kstr(j, "severity", ia_severity_name(f->sev));
	ia_json_kint(j, "group", f->group_id);
	ia_json_key(j, "devices");
	ia_json_arr_begin(j);
	for (int i = 0; i < f->ndevs; i++)
		ia_json_str(j, f->devs[i]);
	ia_json_arr_end(j);
	ia_json_kint(j, "err", f->err);
	ia_json_kstr(j, "errno", f->err ? ia_errno_name(f->err) ?: "" : "");
	ia_json_kuint(j, "ts_ns", f->ts_ns);
	ia_json_key(j, "evidence");
	ia_json_arr_begin(j);
	for (int i = 0; i < f->nevidence; i++)
		ia_json_uint(j, f->evidence[i]);
	ia_json_arr_end(j);
	if (f->rule == IA_RULE_SOFT_FAILURE || f->rule == IA_RULE_SOFT_UNRESOLVED)
		ia_json_kuint(j, "retries", f->retries);
	if (f->rule == IA_RULE_SOFT_FAILURE)
		ia_json_kuint(j, "resolve_ns", f->resolve_ns);
	if (f->drivers[0])
		ia_json_kstr(j, "drivers", f->drivers);
	ia_json_kstr(j, "detail", f->detail);
	if (f->actor.pid)
		json_actor(j, &f->actor);
	ia_json_obj_end(j);
}

void ia_findings_print_summary(FILE *out, const struct ia_finding *f, size_t n)
{
	size_t count[IA_RULE_MAX] = { 0 };
	bool first = true;

	if (!n) {
		fputs("findings: none\n", out);
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (f[i].rule > IA_RULE_NONE && f[i].rule < IA_RULE_MAX)
			count[f[i].rule]++;
	fprintf(out, "findings: %zu (", n);
	for (int r = IA_RULE_NONE + 1; r < IA_RULE_MAX; r++) {
		if (!count[r])
			continue;
		fprintf(out, "%s%s %zu", first ? "" : ", ", ia_rule_name((enum ia_rule)r), count[r]);
		first = false;
	}
	fputs(")\n", out);
}
