// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* iommu-audit: command line parsing and dispatch. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "findings.h"
#include "http.h"
#include "json.h"

#define PROG "iommu-audit"

static const char usage[] =
	"usage: " PROG " <command> [options]\n"
	"\n"
	"commands:\n"
	"  snapshot [--json]      IOMMU groups, devices, drivers and DMA ownership from sysfs\n"
	"  watch [options]        trace ownership changes live (BPF), then report the final state\n"
	"      --json             JSON Lines instead of text\n"
	"      --duration S       stop after S seconds (default: until Ctrl-C or SIGTERM)\n"
	"      -k, --kprobes      use kprobes/kretprobes even where fentry/fexit load\n"
	"      -v, --verbose      show how each probe attached, or why it could not\n"
	"      --ringbuf-kb N     ring buffer size (power of two, default 1024)\n"
	"      --interval S       every S seconds, the map/unmap and ioctl latency of that interval\n"
	"      --trace-ioctls     a record per iommufd ioctl, IOAS_MAP/UNMAP/COPY and the IOAS\n"
	"                         map/unmap calls included (default: those are counted and timed\n"
	"                         in the kernel only)\n"
	"      --trace-maps       a record per iommu_map/iommu_unmap call (default: histograms only)\n"
	"      --fail-on=RULES    exit 3 when a finding of these rules occurred (comma-separated,\n"
	"                         or 'all'): viability, bind-refused, claim-refused, soft-failure,\n"
	"                         soft-failure-unresolved, hard-failure, multi-driver-probe,\n"
	"                         multi-driver-domain, split-group, owner-imbalance\n"
	"  record -o FILE [--duration S] [-k] [-v] [--ringbuf-kb N] [--trace-ioctls] [--trace-maps]\n"
	"                         what watch traces, into a recording for report and diff;\n"
	"                         Ctrl-C or SIGTERM ends it with a valid file\n"
	"  serve [options] [watch options]\n"
	"                         what watch traces, as Prometheus metrics (text format 0.0.4)\n"
	"      --listen ADDR:PORT serve GET /metrics there (IPv4, or [IPv6]; default\n"
	"                         127.0.0.1:9464 unless only --textfile is given)\n"
	"      --textfile PATH    also write the metrics to PATH atomically (PATH.tmp, fsync,\n"
	"                         rename), for node_exporter's textfile collector\n"
	"      --textfile-interval S\n"
	"                         seconds between textfile writes (default 15; and at exit)\n"
	"      --replay FILE      a recording's final metrics instead of live tracing\n"
	"      --duration S       stop after S seconds (default: until Ctrl-C or SIGTERM)\n"
	"  probe [--json]         which probes this kernel allows, and how (loads nothing lasting)\n"
	"  report FILE [options]  replay a recording: its header, then what watch printed at exit;\n"
	"                         exit 1 (after the partial report) when it is truncated or corrupt\n"
	"      --json             JSON Lines instead of text\n"
	"      -v, --verbose      also every record, as watch printed it\n"
	"      --fail-on=RULES    as for watch\n"
	"      --prometheus       the final metrics as serve gives them, instead of the report\n"
	"  diff A B [options]     compare recording B (after a kernel change) with A (before):\n"
	"                         findings per rule, errnos per hook, soft-failure retries,\n"
	"                         map/unmap and ioctl latency percentiles with ratios\n"
	"      --json             JSON Lines instead of text\n"
	"      --rules=RULES      compare only these rules (comma-separated; default: all)\n"
	"      --max-new-findings N\n"
	"                         B may have up to N more findings than A, summed over the\n"
	"                         compared rules (default 0); exit 4 when it has more\n"
	"      --max-latency-ratio R\n"
	"                         exit 4 when a map/unmap operation or an iommufd command with\n"
	"                         at least 100 calls in both got slower by more than R times\n"
	"                         in mean or p99 (p99 comes from log2 buckets: steps of 2)\n"
	"  help                   this text\n";

void ia_error(const struct ia_opts *o, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (o && o->json) {
		struct ia_json j;

		ia_json_init(&j, stderr);
		ia_json_obj_begin(&j);
		ia_json_kstr(&j, "type", "error");
		ia_json_kint(&j, "schema", 1);
		ia_json_kstr(&j, "message", msg);
		ia_json_obj_end(&j);
		return;
	}
	fprintf(stderr, PROG ": %s\n", msg);
}

static int parse_duration(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v <= 0 || v > 31536000.0)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_count(const char *s, unsigned long long *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *s < '0' || *s > '9' || *end || v > 1000000000ull)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_ringbuf(const char *s, size_t *out)
{
	char *end;
	unsigned long kb;

	errno = 0;
	kb = strtoul(s, &end, 10);
	if (errno || end == s || *end || kb < 4 || kb > (1ul << 20) || (kb & (kb - 1)))
		return -EINVAL;
	*out = kb * 1024;
	return 0;
}

/* "bind-refused,soft-failure" or "all" -> a bit per rule. */
static int parse_rules(const char *s, unsigned int *mask)
{
	char buf[256], *tok, *save = NULL;

	if (!strcmp(s, "all")) {
		*mask = ~0u;
		return 0;
	}
	if (strlen(s) >= sizeof(buf) || !*s)
		return -EINVAL;
	strcpy(buf, s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		enum ia_rule r = ia_rule_by_name(tok);

		if (r == IA_RULE_NONE)
			return -EINVAL;
		*mask |= 1u << r;
	}
	return *mask ? 0 : -EINVAL;
}

enum {
	OPT_DURATION = 256,
	OPT_RINGBUF,
	OPT_FAIL_ON,
	OPT_RULES,
	OPT_MAX_NEW,
	OPT_MAX_RATIO,
	OPT_INTERVAL,
	OPT_TRACE_IOCTLS,
	OPT_TRACE_MAPS,
	OPT_LISTEN,
	OPT_TEXTFILE,
	OPT_TEXTFILE_INTERVAL,
	OPT_REPLAY,
	OPT_PROMETHEUS,
};

static int parse_ratio(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < 1.0 || v > 1e6)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_opts(int argc, char **argv, struct ia_opts *o, bool takes_files)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "output", required_argument, NULL, 'o' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "kprobes", no_argument, NULL, 'k' },
		{ "duration", required_argument, NULL, OPT_DURATION },
		{ "ringbuf-kb", required_argument, NULL, OPT_RINGBUF },
		{ "fail-on", required_argument, NULL, OPT_FAIL_ON },
		{ "rules", required_argument, NULL, OPT_RULES },
		{ "max-new-findings", required_argument, NULL, OPT_MAX_NEW },
		{ "max-latency-ratio", required_argument, NULL, OPT_MAX_RATIO },
		{ "interval", required_argument, NULL, OPT_INTERVAL },
		{ "trace-ioctls", no_argument, NULL, OPT_TRACE_IOCTLS },
		{ "trace-maps", no_argument, NULL, OPT_TRACE_MAPS },
		{ "listen", required_argument, NULL, OPT_LISTEN },
		{ "textfile", required_argument, NULL, OPT_TEXTFILE },
		{ "textfile-interval", required_argument, NULL, OPT_TEXTFILE_INTERVAL },
		{ "replay", required_argument, NULL, OPT_REPLAY },
		{ "prometheus", no_argument, NULL, OPT_PROMETHEUS },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jvkho:", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': o->json = true; break;
		case 'o': o->output = optarg; break;
		case 'v': o->verbose = true; break;
		case 'k': o->force_kprobes = true; break;
		case 'h': fputs(usage, stdout); return 1;
		case OPT_DURATION:
			if (parse_duration(optarg, &o->duration)) {
				ia_error(o, "--duration wants a positive number of seconds, not '%s'", optarg);
				return -EINVAL;
			}
			break;
		case OPT_RINGBUF:
			if (parse_ringbuf(optarg, &o->ringbuf_bytes)) {
				ia_error(o, "--ringbuf-kb wants a power of two from 4 to 1048576, not '%s'", optarg);
				return -EINVAL;
			}
			break;
		case OPT_FAIL_ON:
			if (parse_rules(optarg, &o->fail_on)) {
				ia_error(o, "--fail-on wants rule names separated by commas (see '" PROG " help'), not '%s'",
					 optarg);
				return -EINVAL;
			}
			break;
		case OPT_RULES:
			if (parse_rules(optarg, &o->rules)) {
				ia_error(o, "--rules wants rule names separated by commas (see '" PROG " help'), not '%s'",
					 optarg);
				return -EINVAL;
			}
			break;
		case OPT_MAX_NEW:
			if (parse_count(optarg, &o->max_new)) {
				ia_error(o, "--max-new-findings wants a count from 0 to 1000000000, not '%s'", optarg);
				return -EINVAL;
			}
			break;
		case OPT_MAX_RATIO:
			if (parse_ratio(optarg, &o->max_latency_ratio)) {
				ia_error(o, "--max-latency-ratio wants a number from 1 to 1000000, not '%s'", optarg);
				return -EINVAL;
			}
			break;
		case OPT_INTERVAL:
			if (parse_duration(optarg, &o->interval) || o->interval < 0.1) {
				ia_error(o, "--interval wants seconds, at least 0.1, not '%s'", optarg);
				return -EINVAL;
			}
			break;
		case OPT_TRACE_IOCTLS: o->trace_ioctls = true; break;
		case OPT_TRACE_MAPS: o->trace_maps = true; break;
		case OPT_LISTEN: o->listen = optarg; break;
		case OPT_TEXTFILE:
			if (!*optarg) {
				ia_error(o, "--textfile wants a file name");
				return -EINVAL;
			}
			o->textfile = optarg;
			break;
		case OPT_TEXTFILE_INTERVAL:
			if (parse_duration(optarg, &o->textfile_interval) || o->textfile_interval < 0.1) {
				ia_error(o, "--textfile-interval wants seconds, at least 0.1, not '%s'", optarg);
				return -EINVAL;
			}
			break;
		case OPT_REPLAY: o->replay = optarg; break;
		case OPT_PROMETHEUS: o->prometheus = true; break;
		case ':':
			ia_error(o, "option '%s' needs a value", argv[optind - 1]);
			return -EINVAL;
		default:
			ia_error(o, "unknown option '%s' (try '" PROG " help')", argv[optind - 1]);
			return -EINVAL;
		}
	}
	o->args = argv + optind;
	o->nargs = argc - optind;
	if (optind < argc && !takes_files) {
		ia_error(o, "unexpected argument '%s'", argv[optind]);
		return -EINVAL;
	}
	return 0;
}

/* Options of one command given to another: one line, usage error. */
static bool serve_only(const struct ia_opts *o, const char *cmd)
{
	bool serve = !strcmp(cmd, "serve");
	const char *bad = NULL;

	if (!serve && o->listen)
		bad = "--listen";
	else if (!serve && o->textfile)
		bad = "--textfile";
	else if (!serve && o->textfile_interval > 0)
		bad = "--textfile-interval";
	else if (!serve && o->replay)
		bad = "--replay";
	if (bad) {
		ia_error(o, "%s is for serve", bad);
		return true;
	}
	if (o->prometheus && (strcmp(cmd, "report") || o->json)) {
		ia_error(o, "--prometheus is for report, without --json");
		return true;
	}
	return false;
}

/* --listen's syntax is a usage error; a port in use is found when listening. */
static bool listen_addr_bad(const struct ia_opts *o)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char msg[256];

	if (!ia_http_parse_addr(o->listen, &ss, &len, msg, sizeof(msg)))
		return false;
	ia_error(o, "%s", msg);
	return true;
}

static int cmd_serve(struct ia_opts *o)
{
	if (o->json) {
		ia_error(o, "serve has no --json: its output is the metrics");
		return 2;
	}
	if (o->interval > 0) {
		ia_error(o, "--interval is for watch");
		return 2;
	}
	if (o->listen && listen_addr_bad(o))
		return 2;
	if (o->textfile_interval > 0 && !o->textfile) {
		ia_error(o, "--textfile-interval needs --textfile");
		return 2;
	}
	if (!o->textfile_interval)
		o->textfile_interval = 15.0;
	if (!o->listen && !o->textfile)
		o->listen = "127.0.0.1:9464";
	o->serve = true;
	return o->replay ? ia_cmd_serve_replay(o) : ia_cmd_watch(o);
}

int main(int argc, char **argv)
{
	struct ia_opts o = { .ringbuf_bytes = 1 << 20 };
	const char *cmd = argc > 1 ? argv[1] : NULL;
	int err;

	o.sysfs_root = getenv("IOMMU_AUDIT_SYSFS_ROOT") ?: "";
	if (!cmd) {
		fputs(usage, stderr);
		return 2;
	}
	if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		fputs(usage, stdout);
		return 0;
	}
	err = parse_opts(argc - 1, argv + 1, &o, !strcmp(cmd, "report") || !strcmp(cmd, "diff"));
	if (err)
		return err > 0 ? 0 : 2;
	if (serve_only(&o, cmd))
		return 2;
	if (!strcmp(cmd, "snapshot"))
		return ia_cmd_snapshot(&o);
	if (!strcmp(cmd, "watch") && !o.output)
		return ia_cmd_watch(&o);
	if (!strcmp(cmd, "record")) {
		if (!o.output) {
			ia_error(&o, "record needs -o FILE, the recording to write");
			return 2;
		}
		return ia_cmd_watch(&o);
	}
	if (o.output) {
		ia_error(&o, "-o/--output is for record");
		return 2;
	}
	if (!strcmp(cmd, "serve"))
		return cmd_serve(&o);
	if (!strcmp(cmd, "probe"))
		return ia_cmd_probe(&o);
	if (!strcmp(cmd, "report"))
		return ia_cmd_report(&o);
	if (!strcmp(cmd, "diff"))
		return ia_cmd_diff(&o);
	ia_error(&o, "unknown command '%s' (try '" PROG " help')", cmd);
	return 2;
}
