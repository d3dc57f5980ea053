// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A recording's header and replay status, as text and JSON (recording_out.h). */
#include <stdio.h>
#include <time.h>
#include "cli.h"
#include "hooks.h"
#include "probe_out.h"
#include "probes.h"
#include "recording_out.h"

/* "2025-11-21 14:34:00 UTC", or "-" when unknown. */
void ia_fmt_utc(__u64 ns, char *buf, size_t len)
{
	time_t t = (time_t)(ns / 1000000000ull);
	struct tm tm;

	if (!ns || !gmtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(buf, len, "-");
}

const char *ia_trace_state_name(enum ia_trace_state s)
{
	switch (s) {
	case IA_TRACE_COMPLETE: return "complete";
	case IA_TRACE_TRUNCATED: return "truncated";
	case IA_TRACE_CORRUPT: return "corrupt";
	case IA_TRACE_FAILED: return "failed";
	default: return "reading";
	}
}

static void print_probes_text(FILE *out, const struct ia_trace_info *info)
{
	__u32 f = info->features;

	fprintf(out, "  probes: %d of %d attached (features: btf=%d fentry=%d kprobes=%d tracefs=%d)\n",
	       ia_trace_probes_attached(info), info->nprobes, !!(f & IA_TRACE_FEAT_BTF),
	       !!(f & IA_TRACE_FEAT_FENTRY), !!(f & IA_TRACE_FEAT_KPROBES), !!(f & IA_TRACE_FEAT_TRACEFS));
	for (int i = 0; i < info->nprobes; i++) {
		const struct ia_trace_probe *p = &info->probes[i];

		if (p->via != IA_VIA_NONE) /* why, when attached: prototype not checked */
			fprintf(out, "    %-16s %-10s %s%s%s%s\n", ia_hook_name(p->hook), ia_via_name(p->via),
				p->target, p->why[0] ? " (" : "", p->why, p->why[0] ? ")" : "");
		else
			fprintf(out, "    %-16s %-10s %s\n", ia_hook_name(p->hook), "MISSING", p->why);
	}
}

void ia_recording_print_header_text(FILE *out, const char *path, const struct ia_trace_info *info)
{
	char start[40];

	ia_fmt_utc(info->start_ns, start, sizeof(start));
	fprintf(out, "recording %s (format %u, event ABI %u)\n", path, info->format, info->abi);
	fprintf(out, "  kernel %s, host %s, boot id %s\n", info->kernel[0] ? info->kernel : "-",
	       info->host[0] ? info->host : "-", info->boot_id[0] ? info->boot_id : "-");
	fprintf(out, "  started %s\n", start);
	print_probes_text(out, info);
}

void ia_recording_print_header_json(struct ia_json *j, const char *path, const struct ia_trace_info *info)
{
	ia_json_obj_begin(j);
	ia_json_kstr(j, "type", "recording");
	ia_json_kint(j, "schema", 1);
	ia_json_kstr(j, "file", path);
	ia_json_kuint(j, "format", info->format);
	ia_json_kuint(j, "abi", info->abi);
	ia_json_kstr(j, "kernel", info->kernel);
	ia_json_kstr(j, "host", info->host);
	ia_json_kstr(j, "boot_id", info->boot_id);
	ia_json_kuint(j, "start_ns", info->start_ns);
	ia_json_kuint(j, "ringbuf_bytes", info->ringbuf_bytes);
	ia_json_kint(j, "probes_attached", ia_trace_probes_attached(info));
	ia_json_key(j, "probes");
	ia_json_arr_begin(j);
	for (int i = 0; i < info->nprobes; i++)
		ia_probe_print_json(j, &info->probes[i], false);
	ia_json_arr_end(j);
	ia_json_obj_end(j);
}

void ia_recording_print_status_json(struct ia_json *j, const char *path, const struct ia_trace_status *st)
{
	char msg[320];

	ia_trace_describe(st, msg, sizeof(msg));
	ia_json_obj_begin(j);
	ia_json_kstr(j, "type", "replay");
	ia_json_kint(j, "schema", 1);
	ia_json_kstr(j, "file", path);
	ia_json_kstr(j, "status", ia_trace_state_name(st->state));
	ia_json_kuint(j, "frames", st->frames);
	ia_json_kuint(j, "offset", st->offset);
	ia_json_kuint(j, "records", st->records);
	ia_json_kuint(j, "stop_ns", st->have_end ? st->end.stop_ns : 0);
	ia_json_kstr(j, "message", msg);
	ia_json_obj_end(j);
}

bool ia_recording_damaged(bool json, const char *path, const struct ia_trace_status *st, const char *then)
{
	char msg[320];

	if (st->state == IA_TRACE_COMPLETE)
		return false;
	ia_trace_describe(st, msg, sizeof(msg));
	ia_error(json, "%s: %s%s", path, msg, then);
	return true;
}
