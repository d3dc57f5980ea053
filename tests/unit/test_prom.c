// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The metrics (src/prom_out.c), the exit counts behind calls_total
 * (src/calls.c), the HTTP request routing and listen addresses
 * (src/httpreq.c) and atomic textfile writes (src/textfile.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "calls.h"
#include "engine.h"
#include "http.h"
#include "kstats.h"
#include "probes.h"
#include "prom_out.h"
#include "textfile.h"
#include "unit.h"

#define DOM_A 0xffff888100001000ull /* group 3's domain */
#define DOM_B 0xffff888100002000ull /* also group 3's: a device's last domain */
#define DOM_X 0xffff888100003000ull /* on no known group */

/* One group, one device whose driver name needs escaping; no events. */
static void fixture_engine(struct ia_engine *e)
{
	struct ia_engine_opts eo = { 0 };
	struct ia_model m;
	struct ia_group *g;
	struct ia_dev *d;

	ia_model_init(&m);
	g = ia_model_group(&m, 3, true);
	strcpy(g->type, "DMA-FQ");
	g->domain = DOM_A;
	g->domain_type = 11;
	d = ia_group_dev(g, "0000:00:03.0", true);
	strcpy(d->driver, "we\"ird\\drv\n");
	d->dma = IA_DMA_KERNEL;
	d->domain = DOM_B;
	ia_engine_init(e, &m, &eo);
	ia_model_free(&m);
}

static struct ia_event exit_ev(__u16 hook, long ret)
{
	struct ia_event ev = { .type = IA_REC_CALL, .size = sizeof(ev), .hook = hook, .phase = IA_PH_EXIT };

	ev.ret = ret;
	return ev;
}

static char *render(const struct ia_prom_src *s)
{
	char *buf = NULL;
	size_t len = 0;

	if (ia_prom_render(s, &buf, &len))
		return NULL;
	return buf;
}

/* The line occurs whole in text. */
static int has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; p && (p = strstr(p, line)); p += n)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return 1;
	return 0;
}

UNIT_TEST(prom_seconds_exact)
{
	char b[32];

	ia_prom_seconds(b, sizeof(b), 0);
	CHECK_STR(b, "0");
	ia_prom_seconds(b, sizeof(b), 2);
	CHECK_STR(b, "0.000000002");
	ia_prom_seconds(b, sizeof(b), 512);
	CHECK_STR(b, "0.000000512");
	ia_prom_seconds(b, sizeof(b), 1ull << 30);
	CHECK_STR(b, "1.073741824");
	ia_prom_seconds(b, sizeof(b), 1500000000ull);
	CHECK_STR(b, "1.5");
	ia_prom_seconds(b, sizeof(b), 2000000000ull);
	CHECK_STR(b, "2");
}

UNIT_TEST(prom_escape_label_values)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ia_prom_escape(f, "a\\b\"c\nd");
	fclose(f);
	CHECK_STR(buf, "a\\\\b\\\"c\\nd");
	free(buf);
}

/* Without events, kstats or probes: exactly these families, zeros included. */
UNIT_TEST(prom_exact_text_without_kernel_side)
{
	static const char want[] =
		"# HELP iommu_audit_group_info An IOMMU group: default domain type, current domain type, owner kind, DMA class, verdict.\n"
		"# TYPE iommu_audit_group_info gauge\n"
		"iommu_audit_group_info{group=\"3\",type=\"DMA-FQ\",domain_type=\"DMA-FQ\",owner_kind=\"none\",dma=\"kernel\",verdict=\"viable\"} 1\n"
		"# HELP iommu_audit_group_owners The group's DMA owner count (owner_cnt) as events showed it.\n"
		"# TYPE iommu_audit_group_owners gauge\n"
		"iommu_audit_group_owners{group=\"3\"} 0\n"
		"# HELP iommu_audit_group_unverified 1 when records were lost and the group's owner is not vouched for since; else 0.\n"
		"# TYPE iommu_audit_group_unverified gauge\n"
		"iommu_audit_group_unverified{group=\"3\"} 0\n"
		"# HELP iommu_audit_device_info A device in an IOMMU group: its bound driver and DMA class.\n"
		"# TYPE iommu_audit_device_info gauge\n"
		"iommu_audit_device_info{group=\"3\",device=\"0000:00:03.0\",driver=\"we\\\"ird\\\\drv\\n\",dma=\"kernel\"} 1\n"
		"# HELP iommu_audit_findings_total Findings raised, by rule.\n"
		"# TYPE iommu_audit_findings_total counter\n"
		"iommu_audit_findings_total{rule=\"viability\"} 0\n"
		"iommu_audit_findings_total{rule=\"bind-refused\"} 0\n"
		"iommu_audit_findings_total{rule=\"claim-refused\"} 0\n"
		"iommu_audit_findings_total{rule=\"soft-failure\"} 0\n"
		"iommu_audit_findings_total{rule=\"soft-failure-unresolved\"} 0\n"
		"iommu_audit_findings_total{rule=\"hard-failure\"} 0\n"
		"iommu_audit_findings_total{rule=\"multi-driver-probe\"} 0\n"
		"iommu_audit_findings_total{rule=\"multi-driver-domain\"} 0\n"
		"iommu_audit_findings_total{rule=\"split-group\"} 0\n"
		"iommu_audit_findings_total{rule=\"owner-imbalance\"} 0\n"
		"iommu_audit_findings_total{rule=\"records-lost\"} 0\n"
		"# HELP iommu_audit_soft_failure_retries_total Failed attaches of an incompatible domain before another domain attached (soft-failure) or never did (soft-failure-unresolved).\n"
		"# TYPE iommu_audit_soft_failure_retries_total counter\n"
		"iommu_audit_soft_failure_retries_total{rule=\"soft-failure\"} 0\n"
		"iommu_audit_soft_failure_retries_total{rule=\"soft-failure-unresolved\"} 0\n"
		"# HELP iommu_audit_records_total Records the engine consumed.\n"
		"# TYPE iommu_audit_records_total counter\n"
		"iommu_audit_records_total 0\n"
		"# HELP iommu_audit_records_malformed_total Records of a wrong size, type or hook.\n"
		"# TYPE iommu_audit_records_malformed_total counter\n"
		"iommu_audit_records_malformed_total 0\n"
		"# HELP iommu_audit_unpaired_exits_total Exit records without their entry.\n"
		"# TYPE iommu_audit_unpaired_exits_total counter\n"
		"iommu_audit_unpaired_exits_total 0\n"
		"# HELP iommu_audit_records_unusable_total Valid records the engine could not apply (out of memory).\n"
		"# TYPE iommu_audit_records_unusable_total counter\n"
		"iommu_audit_records_unusable_total 0\n"
		"# HELP iommu_audit_records_lost_total Records lost before the engine (ring buffer full), as the engine was told.\n"
		"# TYPE iommu_audit_records_lost_total counter\n"
		"iommu_audit_records_lost_total 0\n"
		"# HELP iommu_audit_resyncs_total Times the groups were re-read from sysfs after lost records.\n"
		"# TYPE iommu_audit_resyncs_total counter\n"
		"iommu_audit_resyncs_total 0\n"
		"# HELP iommu_audit_iommufd_objects_untracked_total iommufd objects not tracked: their context's table was full.\n"
		"# TYPE iommu_audit_iommufd_objects_untracked_total counter\n"
		"iommu_audit_iommufd_objects_untracked_total 0\n"
		"# HELP iommu_audit_core_attaches_total Attaches the attach_device_to_domain tracepoint reported, with attach_dev_core attached.\n"
		"# TYPE iommu_audit_core_attaches_total counter\n"
		"iommu_audit_core_attaches_total 0\n"
		"# HELP iommu_audit_core_attaches_unseen_total Of those, attaches attach_dev_core did not see (__iommu_attach_device partly inlined).\n"
		"# TYPE iommu_audit_core_attaches_unseen_total counter\n"
		"iommu_audit_core_attaches_unseen_total 0\n"
		"# HELP iommu_audit_iommufd_contexts_open iommufd contexts open.\n"
		"# TYPE iommu_audit_iommufd_contexts_open gauge\n"
		"iommu_audit_iommufd_contexts_open 0\n"
		"# HELP iommu_audit_iommufd_contexts_closed_total iommufd contexts closed.\n"
		"# TYPE iommu_audit_iommufd_contexts_closed_total counter\n"
		"iommu_audit_iommufd_contexts_closed_total 0\n";
	struct ia_run_counts rc = { 0 }; /* not known: no ring-buffer samples */
	struct ia_engine e;
	struct ia_prom_src s = { .engine = &e, .counts = &rc };
	char *text;

	fixture_engine(&e);
	text = render(&s);
	CHECK_STR(text, want);
	free(text);
	ia_engine_free(&e);
}

UNIT_TEST(prom_calls_by_result)
{
	struct ia_calls c = { 0 };
	struct ia_event ev;
	struct ia_engine e;
	struct ia_prom_src s = { .engine = &e, .calls = &c };
	char *text;

	fixture_engine(&e);
	ev = exit_ev(IA_HOOK_REALLY_PROBE, 0);
	ev.phase = IA_PH_ENTER; /* entries are not counted */
	CHECK_INT(ia_calls_count(&c, &ev), 0);
	CHECK_INT(c.exits[IA_HOOK_REALLY_PROBE], 0);
	for (int i = 0; i < 3; i++) {
		ev = exit_ev(IA_HOOK_REALLY_PROBE, 0);
		ia_calls_count(&c, &ev);
	}
	ev = exit_ev(IA_HOOK_REALLY_PROBE, -EBUSY);
	ia_calls_count(&c, &ev);
	ev = exit_ev(IA_HOOK_REALLY_PROBE, -4000); /* no name: "other" */
	ia_calls_count(&c, &ev);
	ev = exit_ev(IA_HOOK_GROUP_CLAIM, -EPERM);
	ia_calls_count(&c, &ev);
	ev = exit_ev(IA_HOOK_ATTACH_DEV_CORE, -EINVAL);
	ia_calls_count(&c, &ev);
	ia_calls_count(&c, &ev);
	CHECK_INT(c.exits[IA_HOOK_REALLY_PROBE], 5);
	CHECK_INT(ia_calls_errno(&c, IA_HOOK_ATTACH_DEV_CORE, EINVAL), 2);
	CHECK_INT(ia_calls_errno(&c, IA_HOOK_ATTACH_DEV_CORE, EBUSY), 0);
	CHECK_INT(c.nerrnos, 4);
	for (size_t i = 1; i < c.nerrnos; i++)
		CHECK(c.errnos[i - 1].hook < c.errnos[i].hook ||
		      (c.errnos[i - 1].hook == c.errnos[i].hook && c.errnos[i - 1].err < c.errnos[i].err));
	text = render(&s);
	CHECK(text && strstr(text, "# TYPE iommu_audit_calls_total counter\n"
				   "iommu_audit_calls_total{hook=\"really_probe\",result=\"EBUSY\"} 1\n"
				   "iommu_audit_calls_total{hook=\"really_probe\",result=\"other\"} 1\n"
				   "iommu_audit_calls_total{hook=\"really_probe\",result=\"ok\"} 3\n"));
	CHECK(text && has_line(text, "iommu_audit_calls_total{hook=\"group_claim\",result=\"EPERM\"} 1"));
	CHECK(text && has_line(text, "iommu_audit_calls_total{hook=\"group_claim\",result=\"ok\"} 0"));
	CHECK(text && has_line(text, "iommu_audit_calls_total{hook=\"attach_dev_core\",result=\"EINVAL\"} 2"));
	/* a hook nobody called still has its ok row, so rate() and == 0 work */
	CHECK(text && has_line(text, "iommu_audit_calls_total{hook=\"type1_attach\",result=\"ok\"} 0"));
	/* release hooks return nothing worth counting */
	CHECK(text && !strstr(text, "hook=\"group_release\""));
	free(text);
	ia_calls_free(&c);
	ia_engine_free(&e);
}

static void fill(struct ia_hist *h, int b, __u64 n, __u64 ns)
{
	h->buckets[b] += n;
	h->calls += n;
	h->sum_ns += n * ns;
}

/* log2 ns buckets become cumulative le buckets in seconds; domains sum per (op, group). */
UNIT_TEST(prom_histograms_cumulative)
{
	struct ia_hist_entry he[3] = {
		{ .key = { .domain = DOM_A, .op = IA_OP_MAP } },
		{ .key = { .domain = DOM_B, .op = IA_OP_MAP } },
		{ .key = { .domain = DOM_X, .op = IA_OP_UNMAP } },
	};
	struct ia_ioctl_stat io = { .nr = 0x85 };
	struct ia_fault_stat fault = { .dev = "0000:00:03.0", .n = 7 };
	struct ia_kstats k = { .hists = he, .nhists = 3, .ioctls = &io, .nioctls = 1, .faults = &fault,
			       .nfaults = 1, .submitted = 40, .drops = 2 };
	struct ia_run_counts rc = { .kstats = &k }; /* counters not known: taken from kstats */
	struct ia_engine e;
	struct ia_prom_src s = { .engine = &e, .counts = &rc };
	char *text;

	fill(&he[0].h, 0, 1, 1);		  /* [1, 2) ns */
	fill(&he[1].h, 1, 2, 3);		  /* [2, 4) ns, another domain of group 3 */
	fill(&he[1].h, IA_HIST_BUCKETS - 1, 1, 3000000000ull); /* the open-ended last bucket */
	he[0].h.errors = 1;
	he[0].h.bytes = 4096;
	he[1].h.bytes = 8192;
	fill(&he[2].h, 10, 5, 1500);
	fill(&io.h, 12, 200, 5000);
	io.h.errors = 3;
	fixture_engine(&e);
	text = render(&s);
	CHECK(text && has_line(text, "# TYPE iommu_audit_map_latency_seconds histogram"));
	CHECK(text && strstr(text, "iommu_audit_map_latency_seconds_bucket{op=\"map\",group=\"3\",le=\"0.000000002\"} 1\n"
				   "iommu_audit_map_latency_seconds_bucket{op=\"map\",group=\"3\",le=\"0.000000004\"} 3\n"
				   "iommu_audit_map_latency_seconds_bucket{op=\"map\",group=\"3\",le=\"0.000000008\"} 3\n"));
	CHECK(text && strstr(text, "iommu_audit_map_latency_seconds_bucket{op=\"map\",group=\"3\",le=\"2.147483648\"} 3\n"
				   "iommu_audit_map_latency_seconds_bucket{op=\"map\",group=\"3\",le=\"+Inf\"} 4\n"
				   "iommu_audit_map_latency_seconds_sum{op=\"map\",group=\"3\"} 3.000000007\n"
				   "iommu_audit_map_latency_seconds_count{op=\"map\",group=\"3\"} 4\n"));
	/* a domain on no known group */
	CHECK(text && has_line(text, "iommu_audit_map_latency_seconds_bucket{op=\"unmap\",group=\"unknown\",le=\"0.000001024\"} 0"));
	CHECK(text && has_line(text, "iommu_audit_map_latency_seconds_bucket{op=\"unmap\",group=\"unknown\",le=\"0.000002048\"} 5"));
	CHECK(text && has_line(text, "iommu_audit_map_latency_seconds_sum{op=\"unmap\",group=\"unknown\"} 0.0000075"));
	CHECK(text && has_line(text, "iommu_audit_map_errors_total{op=\"map\",group=\"3\"} 1"));
	CHECK(text && has_line(text, "iommu_audit_map_bytes_total{op=\"map\",group=\"3\"} 12288"));
	CHECK(text && has_line(text, "iommu_audit_ioctl_calls_total{cmd=\"IOAS_MAP\"} 200"));
	CHECK(text && has_line(text, "iommu_audit_ioctl_errors_total{cmd=\"IOAS_MAP\"} 3"));
	CHECK(text && has_line(text, "iommu_audit_ioctl_latency_seconds_bucket{cmd=\"IOAS_MAP\",le=\"0.000004096\"} 0"));
	CHECK(text && has_line(text, "iommu_audit_ioctl_latency_seconds_bucket{cmd=\"IOAS_MAP\",le=\"0.000008192\"} 200"));
	CHECK(text && has_line(text, "iommu_audit_ioctl_latency_seconds_sum{cmd=\"IOAS_MAP\"} 0.001"));
	CHECK(text && has_line(text, "iommu_audit_ioctl_latency_seconds_count{cmd=\"IOAS_MAP\"} 200"));
	CHECK(text && has_line(text, "iommu_audit_page_faults_total{device=\"0000:00:03.0\"} 7"));
	CHECK(text && has_line(text, "iommu_audit_ring_buffer_submitted_total 40"));
	CHECK(text && has_line(text, "iommu_audit_ring_buffer_drops_total 2"));
	/* one series per (op, group): 31 finite bounds and +Inf each, 2 series */
	{
		int n = 0;

		for (const char *p = text; p && (p = strstr(p, "iommu_audit_map_latency_seconds_bucket{")); p++)
			n++;
		CHECK_INT(n, 2 * IA_HIST_BUCKETS);
	}
	free(text);
	ia_engine_free(&e);
}

/* A domain the model no longer shows still counts for the group it served. */
UNIT_TEST(prom_domain_remembered)
{
	struct ia_hist_entry he = { .key = { .domain = DOM_X, .op = IA_OP_MAP } };
	struct ia_kstats k = { .hists = &he, .nhists = 1 };
	struct ia_run_counts rc = { .kstats = &k };
	struct ia_calls c = { 0 };
	struct ia_event ev = exit_ev(IA_HOOK_HWPT_ATTACH, 0);
	struct ia_engine e;
	struct ia_prom_src s = { .engine = &e, .calls = &c, .counts = &rc };
	char *text;

	fill(&he.h, 10, 1, 1500);
	ev.phase = IA_PH_ENTER;
	ev.flags = IA_F_HAVE_GRP;
	ev.group_id = 5;
	ev.grp_domain = DOM_X;
	ev.grp_default_domain = DOM_B;
	CHECK_INT(ia_calls_count(&c, &ev), 0);
	CHECK_INT(ia_calls_domain_group(&c, DOM_X), 5);
	CHECK_INT(ia_calls_domain_group(&c, DOM_B), 5);
	CHECK_INT(ia_calls_domain_group(&c, DOM_A), -1);
	CHECK_INT(ia_calls_domain_group(&c, 0), -1);
	fixture_engine(&e);
	text = render(&s);
	CHECK(text && has_line(text, "iommu_audit_map_latency_seconds_count{op=\"map\",group=\"5\"} 1"));
	free(text);
	/* the model's current view wins: DOM_B is group 3's device's domain */
	ev.grp_domain = DOM_B;
	ia_calls_count(&c, &ev);
	he.key.domain = DOM_B;
	text = render(&s);
	CHECK(text && has_line(text, "iommu_audit_map_latency_seconds_count{op=\"map\",group=\"3\"} 1"));
	free(text);
	/* bounded: the oldest domains are forgotten */
	for (__u64 i = 1; i <= IA_CALLS_DOMAINS; i++) {
		ev.grp_domain = 0xffff888200000000ull + i * 0x1000;
		ev.grp_default_domain = 0;
		ia_calls_count(&c, &ev);
	}
	CHECK_INT(c.ndomains, IA_CALLS_DOMAINS);
	CHECK_INT(ia_calls_domain_group(&c, DOM_X), -1);
	CHECK_INT(ia_calls_domain_group(&c, 0xffff888200000000ull + IA_CALLS_DOMAINS * 0x1000), 5);
	/* a freed domain's histograms count for the group recorded when it was freed */
	he.key = (struct ia_hist_key){ .domain = 7, .op = IA_OP_UNMAP, .flags = IA_HK_FREED };
	text = render(&s);
	CHECK(text && has_line(text, "iommu_audit_map_latency_seconds_count{op=\"unmap\",group=\"7\"} 1"));
	free(text);
	he.key.domain = (__u64)-1;
	text = render(&s);
	CHECK(text && has_line(text, "iommu_audit_map_latency_seconds_count{op=\"unmap\",group=\"unknown\"} 1"));
	free(text);
	ia_calls_free(&c);
	ia_engine_free(&e);
}

UNIT_TEST(prom_counters_and_probes)
{
	struct ia_trace_probe p[2] = { { .hook = IA_HOOK_REALLY_PROBE, .via = IA_VIA_FENTRY },
				       { .hook = IA_HOOK_TYPE1_ATTACH, .via = IA_VIA_NONE, .err = -ENOENT } };
	struct ia_kstats k = { .submitted = 99, .drops = 99 };
	struct ia_run_counts rc = { .known = true, .submitted = 12, .drops = 0, .kstats = &k };
	struct ia_engine e;
	struct ia_prom_src s = { .engine = &e, .counts = &rc, .probes = p, .nprobes = 2 };
	char *text;

	fixture_engine(&e);
	text = render(&s);
	/* the run's counters win over a HIST frame's older copy */
	CHECK(text && has_line(text, "iommu_audit_ring_buffer_submitted_total 12"));
	CHECK(text && has_line(text, "iommu_audit_ring_buffer_drops_total 0"));
	CHECK(text && has_line(text, "iommu_audit_probe_attached{hook=\"really_probe\",via=\"fentry\"} 1"));
	CHECK(text && has_line(text, "iommu_audit_probe_attached{hook=\"type1_attach\",via=\"none\"} 0"));
	CHECK(text && !strstr(text, "map_latency_seconds")); /* no histograms: no family */
	free(text);
	ia_engine_free(&e);
}

UNIT_TEST(prom_write_error)
{
	FILE *ro = fopen("/dev/null", "r"); /* every write fails */
	struct ia_engine e;
	struct ia_prom_src s = { .engine = &e };

	fixture_engine(&e);
	CHECK(ro != NULL);
	if (ro) {
		CHECK_INT(ia_prom_write(ro, &s), -EIO);
		fclose(ro);
	}
	ia_engine_free(&e);
}

/* ---- HTTP ---- */

static int route(const char *req, bool *head)
{
	return ia_http_route(req, strlen(req), head);
}

UNIT_TEST(http_route_requests)
{
	char big[IA_HTTP_MAX_REQUEST];
	bool head;

	CHECK_INT(route("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", &head), 200);
	CHECK(!head);
	CHECK_INT(route("HEAD /metrics HTTP/1.0\r\n\r\n", &head), 200);
	CHECK(head);
	CHECK_INT(route("GET /metrics?name[]=x HTTP/1.1\n\n", &head), 200);
	CHECK_INT(route("GET / HTTP/1.1\r\n\r\n", &head), 404);
	CHECK_INT(route("GET /metricsx HTTP/1.1\r\n\r\n", &head), 404);
	CHECK_INT(route("POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n", &head), 405);
	CHECK_INT(route("DELETE / HTTP/1.1\r\n\r\n", &head), 405);
	CHECK_INT(route("hello\r\n\r\n", &head), 400);
	CHECK_INT(route("GET /metrics\r\n\r\n", &head), 400);	  /* no version */
	CHECK_INT(route("GET  HTTP/1.1\r\n\r\n", &head), 400);	  /* no path */
	CHECK_INT(route("GET /metrics FTP/1.0\r\n\r\n", &head), 400);
	CHECK_INT(route("GET /metrics HTTP/1.1\r\nHost: x\r\n", &head), 0); /* not complete yet */
	CHECK_INT(route("", &head), 0);
	memset(big, 'a', sizeof(big));
	CHECK_INT(ia_http_route(big, sizeof(big), &head), 431);
}

UNIT_TEST(http_response_head)
{
	char b[256];
	int n = ia_http_head(b, sizeof(b), 200, IA_PROM_CONTENT_TYPE, 1234);

	CHECK_INT(n, (int)strlen(b));
	CHECK_STR(b, "HTTP/1.0 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
		     "Content-Length: 1234\r\nConnection: close\r\n\r\n");
	ia_http_head(b, sizeof(b), 405, "text/plain", 0);
	CHECK(strstr(b, "HTTP/1.0 405 Method Not Allowed\r\n") == b);
	CHECK(strstr(b, "\r\nAllow: GET, HEAD\r\n") != NULL);
	CHECK_INT(ia_http_head(b, 10, 200, "text/plain", 0), -1); /* does not fit */
}

UNIT_TEST(http_listen_addresses)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;
	char msg[256];
	static const char *const bad[] = { "", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1",
					   "127.0.0.1:80x", "localhost:9464", ":9464", "::1:9464", "[::1]",
					   "[::1]9464", "[::1:9464", "[zz]:1", "1.2.3.4.5:1" };

	CHECK_INT(ia_http_parse_addr("127.0.0.1:9464", &ss, &len, msg, sizeof(msg)), 0);
	CHECK_INT(ss.ss_family, AF_INET);
	CHECK_INT(ntohs(v4->sin_port), 9464);
	CHECK_INT(ntohl(v4->sin_addr.s_addr), 0x7f000001);
	CHECK_INT(len, sizeof(struct sockaddr_in));
	CHECK_INT(ia_http_parse_addr("0.0.0.0:0", &ss, &len, msg, sizeof(msg)), 0);
	CHECK_INT(ia_http_parse_addr("[::1]:9464", &ss, &len, msg, sizeof(msg)), 0);
	CHECK_INT(ss.ss_family, AF_INET6);
	CHECK_INT(ntohs(v6->sin6_port), 9464);
	CHECK(IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr));
	CHECK_INT(len, sizeof(struct sockaddr_in6));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		msg[0] = '\0';
		CHECK_INT(ia_http_parse_addr(bad[i], &ss, &len, msg, sizeof(msg)), -EINVAL);
		CHECK(strstr(msg, "--listen wants ADDR:PORT") == msg);
	}
}

/* ---- textfile ---- */

static char *slurp(const char *path)
{
	static char buf[256];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

UNIT_TEST(textfile_atomic_write)
{
	char dir[] = "/tmp/ia-textfile-XXXXXX", path[128], tmp[140], sub[128], longp[5000];
	struct stat st;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/m.prom", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	CHECK_INT(ia_textfile_write(path, "a 1\n", 4), 0);
	CHECK_STR(slurp(path), "a 1\n");
	CHECK_INT(ia_textfile_write(path, "a 2\n", 4), 0); /* replaced whole */
	CHECK_STR(slurp(path), "a 2\n");
	CHECK(stat(tmp, &st) && errno == ENOENT);
	/* a directory in the way of the rename: the error, the old name untouched, no tmp left */
	snprintf(sub, sizeof(sub), "%s/d.prom", dir);
	CHECK_INT(mkdir(sub, 0755), 0);
	CHECK_INT(ia_textfile_write(sub, "x\n", 2), -EISDIR);
	snprintf(tmp, sizeof(tmp), "%s.tmp", sub);
	CHECK(stat(tmp, &st) && errno == ENOENT);
	/* a missing directory */
	snprintf(sub, sizeof(sub), "%s/none/m.prom", dir);
	CHECK_INT(ia_textfile_write(sub, "x\n", 2), -ENOENT);
	memset(longp, 'a', sizeof(longp) - 1);
	longp[sizeof(longp) - 1] = '\0';
	CHECK_INT(ia_textfile_write(longp, "x\n", 2), -ENAMETOOLONG);
	unlink(path);
	snprintf(sub, sizeof(sub), "%s/d.prom", dir);
	rmdir(sub);
	CHECK_INT(rmdir(dir), 0);
}

UNIT_TEST(prom_group_holders_by_comm)
{
	struct ia_holder v[] = {
		{ .pid = 10, .group = 6, .comm = "qemu", .path = "/dev/iommu" },
		{ .pid = 10, .group = 6, .comm = "qemu", .path = "/dev/vfio/devices/vfio0" },
		{ .pid = 11, .group = 6, .comm = "qemu", .path = "/dev/vfio/6" },
		{ .pid = 12, .group = 7, .comm = "dpdk-testpmd", .path = "/dev/vfio/7" },
		{ .pid = 13, .group = -1, .comm = "iommufd-user", .path = "/dev/iommu" },
	};
	struct ia_holders h = { .v = v, .n = 5, .known = true };
	struct ia_engine e;
	struct ia_prom_src s = { .engine = &e, .holders = &h };
	char *text;

	fixture_engine(&e);
	text = render(&s);
	CHECK(text != NULL);
	CHECK(has_line(text, "iommu_audit_holders_known 1"));
	CHECK(has_line(text, "iommu_audit_group_holders{group=\"6\",comm=\"qemu\"} 2"));
	CHECK(has_line(text, "iommu_audit_group_holders{group=\"7\",comm=\"dpdk-testpmd\"} 1"));
	CHECK(!strstr(text, "iommufd-user"));
	free(text);
	h.known = false;
	text = render(&s);
	CHECK(text && has_line(text, "iommu_audit_holders_known 0"));
	CHECK(text && !strstr(text, "group_holders"));
	free(text);
	s.holders = NULL;
	text = render(&s);
	CHECK(text && !strstr(text, "holders_known"));
	free(text);
	ia_engine_free(&e);
}
