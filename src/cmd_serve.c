// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `serve`: the metrics exporter (the /metrics listener and the textfile),
 * and `serve --replay`: a recording's final metrics, served until a signal
 * or --duration. Live serving runs in cmd_watch.c's loop.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>
#include "prom_out.h"
#include "replay.h"
#include "serve.h"
#include "textfile.h"

int ia_signals_fd(void)
{
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

bool ia_signalled(int sigfd)
{
	struct signalfd_siginfo si;

	return read(sigfd, &si, sizeof(si)) == sizeof(si);
}

__u64 ia_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000ull + (__u64)ts.tv_nsec / 1000000ull;
}

/* Render and write the textfile; a change between success and failure is reported. */
static int write_textfile(struct ia_exporter *x)
{
	char *buf = NULL;
	size_t len = 0;
	int err = x->render(x->ctx, &buf, &len);

	if (!err)
		err = ia_textfile_write(x->o->textfile, buf, len);
	free(buf);
	if (err && err != x->textfile_err)
		ia_error(x->o, "writing the textfile %s failed: %s", x->o->textfile, strerror(-err));
	else if (!err && x->textfile_err)
		fprintf(stderr, "iommu-audit: textfile %s written again\n", x->o->textfile);
	x->textfile_err = err;
	return err;
}

int ia_exporter_open(struct ia_exporter *x, const struct ia_opts *o, ia_http_body_fn render, void *ctx,
		     __u64 now_ms)
{
	char msg[256];
	int err;

	memset(x, 0, sizeof(*x));
	x->o = o;
	x->render = render;
	x->ctx = ctx;
	x->http.fd = -1;
	if (o->listen) {
		err = ia_http_listen(&x->http, o->listen, msg, sizeof(msg));
		if (err) {
			ia_error(o, "%s", msg);
			return err;
		}
	}
	if (o->textfile) {
		err = write_textfile(x);
		if (err) {
			ia_http_close(&x->http);
			return err;
		}
		x->textfile_at_ms = now_ms + (__u64)(o->textfile_interval * 1000.0);
	}
	return 0;
}

void ia_exporter_describe(const struct ia_exporter *x, char *buf, size_t len)
{
	int n = 0;

	if (x->http.fd >= 0)
		n = snprintf(buf, len, "serving http://%s/metrics", x->http.bound);
	if (x->o->textfile && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, "%swriting %s every %g s", n ? ", " : "", x->o->textfile,
			 x->o->textfile_interval);
}

int ia_exporter_pollfds(const struct ia_exporter *x, struct pollfd *fds, int max)
{
	return ia_http_pollfds(&x->http, fds, max);
}

void ia_exporter_service(struct ia_exporter *x, __u64 now_ms)
{
	ia_http_service(&x->http, now_ms, x->render, x->ctx);
	if (x->o->textfile && now_ms >= x->textfile_at_ms) {
		write_textfile(x);
		x->textfile_at_ms = now_ms + (__u64)(x->o->textfile_interval * 1000.0);
	}
}

int ia_exporter_close(struct ia_exporter *x)
{
	int err = 0;

	if (x->o && x->o->textfile) {
		x->textfile_err = 0; /* the final write reports any failure */
		err = write_textfile(x);
	}
	ia_http_close(&x->http);
	return err;
}

/* ---- serve --replay ---- */

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

/* Until a signal or --duration: answer scrapes, write the textfile. */
static int serve_loop(struct ia_exporter *x, int sigfd, double duration)
{
	__u64 end = duration > 0 ? ia_mono_ms() + (__u64)(duration * 1000.0) : 0;
	struct pollfd fds[1 + 1 + IA_HTTP_MAX_CONNS];

	for (;;) {
		int n = 1;

		fds[0] = (struct pollfd){ .fd = sigfd, .events = POLLIN };
		n += ia_exporter_pollfds(x, fds + 1, (int)(sizeof(fds) / sizeof(fds[0])) - 1);
		if (poll(fds, (nfds_t)n, 100) < 0 && errno != EINTR)
			return -errno;
		if (ia_signalled(sigfd) || (end && ia_mono_ms() >= end))
			return 0;
		ia_exporter_service(x, ia_mono_ms());
	}
}

/* A damaged recording still serves what replayed: one line on stderr, exit 1 at the end. */
static bool damaged(const struct ia_opts *o, const struct ia_trace_status *st)
{
	char msg[320];

	if (st->state == IA_TRACE_COMPLETE)
		return false;
	ia_trace_describe(st, msg, sizeof(msg));
	ia_error(o, "%s: %s; serving what replayed", o->replay, msg);
	return true;
}

int ia_cmd_serve_replay(const struct ia_opts *o)
{
	struct replay_serve s;
	struct ia_exporter x = { 0 };
	char msg[256];
	int sigfd, err;
	bool bad;

	sigfd = ia_signals_fd();
	if (sigfd < 0) {
		ia_error(o, "signalfd: %s", strerror(-sigfd));
		return 1;
	}
	if (ia_replay_open(&s.rp, o->replay, msg, sizeof(msg))) {
		ia_error(o, "%s: %s", o->replay, msg);
		close(sigfd);
		return 1;
	}
	ia_replay_run(&s.rp, NULL, NULL); /* a failure shows in the status */
	bad = damaged(o, &s.rp.status);
	ia_replay_prom_src(&s.rp, &s.rc, &s.src);
	err = ia_exporter_open(&x, o, render_replay, &s, ia_mono_ms());
	if (!err) {
		ia_exporter_describe(&x, msg, sizeof(msg));
		fprintf(stderr, "%s: the final metrics of %s (%llu records, %zu findings); Ctrl-C to stop\n",
			msg, o->replay, (unsigned long long)s.rp.engine.stats.records, s.rp.engine.nfindings);
		err = serve_loop(&x, sigfd, o->duration);
		if (err)
			ia_error(o, "poll: %s", strerror(-err));
		err = ia_exporter_close(&x) ?: err;
	}
	ia_replay_close(&s.rp);
	close(sigfd);
	return err || bad ? 1 : 0;
}
