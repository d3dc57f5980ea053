/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The metrics exporter of `serve`: the /metrics listener and the periodic
 * textfile, driven from the caller's poll loop (live: cmd_watch.c's loop;
 * a recording: cmd_serve.c's). The metrics are rendered on demand by the
 * caller's function, at scrape or write time.
 */
#ifndef IA_SERVE_H
#define IA_SERVE_H

#include <stdbool.h>
#include "cli.h"
#include "http.h"

struct ia_exporter {
	const struct ia_opts *o;
	struct ia_http http;	 /* fd -1 without --listen */
	ia_http_body_fn render;
	void *ctx;
	__u64 textfile_at_ms;	 /* the next textfile write */
	int textfile_err;	 /* the last write's error: reported when it changes */
};

/*
 * Listen (--listen) and write the textfile once (--textfile): a failure of
 * either is one error line and a negative errno, before anything was
 * collected. now_ms: CLOCK_MONOTONIC.
 */
int ia_exporter_open(struct ia_exporter *x, const struct ia_opts *o, ia_http_body_fn render, void *ctx,
		     __u64 now_ms);
/* "serving http://127.0.0.1:9464/metrics, writing PATH every 15 s" for the start-up line. */
void ia_exporter_describe(const struct ia_exporter *x, char *buf, size_t len);
int ia_exporter_pollfds(const struct ia_exporter *x, struct pollfd *fds, int max);
/* Answer scrapes; write the textfile when due (a failure is reported, the run goes on). */
void ia_exporter_service(struct ia_exporter *x, __u64 now_ms);
/* The last textfile write (the final metrics) and the listener closed. 0 or the write's error. */
int ia_exporter_close(struct ia_exporter *x);

/* SIGINT and SIGTERM blocked and delivered through a non-blocking signalfd; -errno. */
int ia_signals_fd(void);
/* A signal arrived on it. */
bool ia_signalled(int sigfd);
__u64 ia_mono_ms(void);

#endif /* IA_SERVE_H */
