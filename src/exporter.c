// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The metrics exporter: the /metrics listener and the textfile (exporter.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "clock.h"
#include "exporter.h"
#include "signals.h"
#include "textfile.h"

/* Render and write the textfile; a change between success and failure is reported. */
static int write_textfile(struct ia_exporter *x)
{
	char *buf = NULL;
	size_t len = 0;
	int err = x->render(x->ctx, &buf, &len);

	if (!err)
		err = ia_textfile_write(x->o.textfile, buf, len);
	free(buf);
	if (err && err != x->textfile_err)
		ia_error(false, "writing the textfile %s failed: %s", x->o.textfile, strerror(-err));
	else if (!err && x->textfile_err)
		fprintf(stderr, "iommu-audit: textfile %s written again\n", x->o.textfile);
	x->textfile_err = err;
	return err;
}

int ia_exporter_open(struct ia_exporter *x, const struct ia_exporter_opts *o, ia_http_body_fn render,
		     void *ctx, __u64 now_ms)
{
	char msg[256];
	int err;

	memset(x, 0, sizeof(*x));
	x->o = *o;
	x->render = render;
	x->ctx = ctx;
	x->http.fd = -1;
	if (o->listen) {
		err = ia_http_listen(&x->http, o->listen, msg, sizeof(msg));
		if (err) {
			ia_error(false, "%s", msg);
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
	if (x->o.textfile && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, "%swriting %s every %g s", n ? ", " : "", x->o.textfile,
			 x->o.textfile_interval);
}

int ia_exporter_pollfds(const struct ia_exporter *x, struct pollfd *fds, int max)
{
	return ia_http_pollfds(&x->http, fds, max);
}

void ia_exporter_service(struct ia_exporter *x, __u64 now_ms)
{
	ia_http_service(&x->http, now_ms, x->render, x->ctx);
	if (x->o.textfile && now_ms >= x->textfile_at_ms) {
		write_textfile(x);
		x->textfile_at_ms = now_ms + (__u64)(x->o.textfile_interval * 1000.0);
	}
}

int ia_exporter_close(struct ia_exporter *x)
{
	int err = 0;

	if (x->o.textfile) {
		x->textfile_err = 0; /* the final write reports any failure */
		err = write_textfile(x);
	}
	ia_http_close(&x->http);
	return err;
}

/* Until a signal or --duration: answer scrapes, write the textfile. */
int ia_exporter_run(struct ia_exporter *x, int sigfd, double duration)
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
