// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `serve`: what watch traces, as Prometheus metrics on a /metrics listener
 * and/or in a textfile; with --replay, a recording's final metrics instead.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "clock.h"
#include "commands.h"
#include "http.h"
#include "live_opts.h"
#include "prom_out.h"
#include "recording_out.h"
#include "replay.h"
#include "signals.h"

#define DEFAULT_LISTEN "127.0.0.1:9464"

struct serve_opts {
	struct ia_cli cli;
	struct ia_live_opts live;
	struct ia_exporter_opts x;
	const char *replay;
};

static const struct ia_opt serve_opts[] = {
	{ .name = "listen", .kind = IA_OPT_STRING,
	  .offset = IA_OPT_AT(const char *, struct serve_opts, x.listen),
	  .arg = "ADDR:PORT", .help = "serve GET /metrics there (IPv4, or [IPv6]; default\n"
	  DEFAULT_LISTEN " unless only --textfile is given)" },
	{ .name = "textfile", .kind = IA_OPT_STRING,
	  .offset = IA_OPT_AT(const char *, struct serve_opts, x.textfile),
	  .arg = "PATH", .help = "also write the metrics to PATH atomically (PATH.tmp, fsync,\n"
	  "rename), for node_exporter's textfile collector" },
	{ .name = "textfile-interval", .kind = IA_OPT_SECONDS,
	  .offset = IA_OPT_AT(double, struct serve_opts, x.textfile_interval),
	  .arg = "S", .help = "seconds between textfile writes (default 15; and at exit)", .min = 0.1 },
	{ .name = "replay", .kind = IA_OPT_STRING,
	  .offset = IA_OPT_AT(const char *, struct serve_opts, replay),
	  .arg = "FILE", .help = "a recording's final metrics instead of live tracing" },
	IA_OPT_VERBOSE(struct serve_opts, "show how each probe attached, or why it could not"),
	IA_LIVE_OPT_DURATION(struct serve_opts),
	IA_LIVE_OPT_KPROBES(struct serve_opts),
	IA_LIVE_OPT_RINGBUF(struct serve_opts),
	IA_LIVE_OPT_TRACE_IOCTLS(struct serve_opts),
	IA_LIVE_OPT_TRACE_MAPS(struct serve_opts),
	IA_LIVE_OPT_FAIL_ON(struct serve_opts),
	IA_LIVE_OPT_NO_LATE_ATTACH(struct serve_opts),
	IA_LIVE_OPT_MODULE_FENTRY(struct serve_opts),
	{ 0 },
};

/* The options that only live tracing reads, given with --replay. */
static const char *live_only(const struct serve_opts *o)
{
	if (o->live.force_kprobes)
		return "--kprobes";
	if (o->live.ringbuf_bytes != IA_LIVE_RINGBUF_DEFAULT)
		return "--ringbuf-kb";
	if (o->live.trace_ioctls)
		return "--trace-ioctls";
	if (o->live.trace_maps)
		return "--trace-maps";
	if (o->live.fail_on)
		return "--fail-on";
	if (o->live.no_late_attach)
		return "--no-late-attach";
	return NULL;
}

/* Usage errors that no single option shows; then the defaults. */
static bool serve_usage_bad(struct serve_opts *o)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char msg[256];
	const char *bad = o->replay ? live_only(o) : NULL;

	if (bad) {
		ia_usage_error(false, "serve", "%s is for live tracing, not --replay", bad);
		return true;
	}
	if (o->x.listen && ia_http_parse_addr(o->x.listen, &ss, &len, msg, sizeof(msg))) {
		ia_usage_error(false, "serve", "%s", msg);
		return true;
	}
	if (o->x.textfile_interval > 0 && !o->x.textfile) {
		ia_usage_error(false, "serve", "--textfile-interval needs --textfile");
		return true;
	}
	if (!o->x.textfile_interval)
		o->x.textfile_interval = 15.0;
	if (!o->x.listen && !o->x.textfile)
		o->x.listen = DEFAULT_LISTEN;
	return false;
}

/* ---- --replay ---- */

struct replay_serve {
	struct ia_replay rp;
	struct ia_run_counts rc;
	struct ia_prom_src src;
};

static int render_replay(void *ctx, char **buf, size_t *len)
{
	const struct replay_serve *s = ctx;

	return ia_prom_render(&s->src, buf, len);
}

static int serve_replay(const struct serve_opts *o)
{
	struct replay_serve s;
	struct ia_exporter x = { 0 };
	char msg[256];
	int sigfd, err;
	bool bad;

	sigfd = ia_signals_fd();
	if (sigfd < 0) {
		ia_error(false, "signalfd: %s", strerror(-sigfd));
		return IA_EXIT_FAILURE;
	}
	if (ia_replay_open(&s.rp, o->replay, msg, sizeof(msg))) {
		ia_error(false, "%s: %s", o->replay, msg);
		close(sigfd);
		return IA_EXIT_FAILURE;
	}
	ia_replay_run(&s.rp, NULL, NULL); /* a failure shows in the status */
	bad = ia_recording_damaged(false, o->replay, &s.rp.status, "; serving what replayed");
	ia_replay_prom_src(&s.rp, &s.rc, &s.src);
	err = ia_exporter_open(&x, &o->x, render_replay, &s, ia_mono_ms());
	if (!err) {
		ia_exporter_describe(&x, msg, sizeof(msg));
		fprintf(stderr, "%s: the final metrics of %s (%llu records, %zu findings); Ctrl-C to stop\n",
			msg, o->replay, (unsigned long long)s.rp.engine.stats.records, s.rp.engine.nfindings);
		err = ia_exporter_run(&x, sigfd, o->live.duration);
		if (err)
			ia_error(false, "poll: %s", strerror(-err));
		err = ia_exporter_close(&x) ?: err;
	}
	ia_replay_close(&s.rp);
	close(sigfd);
	return err || bad ? IA_EXIT_FAILURE : 0;
}

static int run_serve(const struct ia_invocation *inv)
{
	struct serve_opts o = { .live = { .ringbuf_bytes = IA_LIVE_RINGBUF_DEFAULT } };
	enum ia_parse p = ia_cli_parse(inv, &o, &o.cli);

	if (p != IA_PARSE_RUN)
		return ia_cli_exit(p);
	if (serve_usage_bad(&o))
		return IA_EXIT_USAGE;
	if (o.replay)
		return serve_replay(&o);
	ia_live_from_cli(&o.live, &o.cli);
	o.live.serve = &o.x;
	return ia_live_run(&o.live);
}

const struct ia_command ia_cmd_serve = {
	.name = "serve",
	.synopsis = "[options]",
	.summary = "what watch traces, as Prometheus metrics (text format 0.0.4)",
	.details = "Runs until Ctrl-C or SIGTERM (or --duration); the textfile is written once more at exit.\n",
	.opts = serve_opts,
	.run = run_serve,
};
