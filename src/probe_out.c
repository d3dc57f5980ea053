// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* How the probes attached, as text and JSON: see probe_out.h. */
#include "hooks.h"
#include "probe_out.h"
#include "probes.h"

const char *ia_via_name(enum ia_via v)
{
	switch (v) {
	case IA_VIA_FENTRY: return "fentry";
	case IA_VIA_KPROBE: return "kprobe";
	case IA_VIA_TP_BTF: return "tp_btf";
	case IA_VIA_TRACEPOINT: return "tracepoint";
	default: return "none";
	}
}

void ia_probes_print_text(FILE *out, const struct ia_trace_info *info)
{
	__u32 f = info->features;

	fprintf(out, "features: btf=%d fentry=%d kprobes=%d tracefs=%d\n", !!(f & IA_TRACE_FEAT_BTF),
		!!(f & IA_TRACE_FEAT_FENTRY), !!(f & IA_TRACE_FEAT_KPROBES), !!(f & IA_TRACE_FEAT_TRACEFS));
	for (int i = 0; i < info->nprobes; i++) {
		const struct ia_trace_probe *p = &info->probes[i];

		if (p->via != IA_VIA_NONE) /* why, when attached: a caveat (prototype not checked) */
			fprintf(out, "  %-16s %-10s %s%s%s%s\n", ia_hook_name(p->hook), ia_via_name(p->via),
				p->target, p->why[0] ? " (" : "", p->why, p->why[0] ? ")" : "");
		else /* no error: not requested (an opt-in hook) */
			fprintf(out, "  %-16s %-10s %s\n", ia_hook_name(p->hook), p->err ? "MISSING" : "OFF",
				p->why);
	}
}

void ia_probe_print_json(struct ia_json *j, const struct ia_trace_probe *p, bool standalone)
{
	ia_json_obj_begin(j);
	if (standalone) {
		ia_json_kstr(j, "type", "probe");
		ia_json_kint(j, "schema", 1);
	}
	ia_json_kstr(j, "hook", ia_hook_name(p->hook));
	ia_json_kstr(j, "target", p->target);
	ia_json_kstr(j, "via", ia_via_name(p->via));
	ia_json_kbool(j, "attached", p->via != IA_VIA_NONE);
	if (p->via == IA_VIA_NONE) {
		ia_json_kstr(j, "errno", ia_errno_name(p->err) ?: "");
		ia_json_kstr(j, "why", p->why);
	} else if (p->why[0]) {
		ia_json_kstr(j, "note", p->why);
	}
	ia_json_obj_end(j);
}

void ia_probes_print_json(struct ia_json *j, const struct ia_trace_info *info)
{
	for (int i = 0; i < info->nprobes; i++)
		ia_probe_print_json(j, &info->probes[i], true);
}
