/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The metrics exporter of `serve`: the /metrics listener and the periodic
 * textfile, driven from the caller's poll loop (live: live.c's loop; a
 * recording: cmd_serve.c's). The metrics are rendered on demand by the
 * caller's function, at scrape or write time.
 */
#ifndef IA_EXPORTER_H
#define IA_EXPORTER_H

#include <stdbool.h>
#include "http.h"

struct ia_exporter_opts {
	const char *listen;	  /* ADDR:PORT for GET /metrics; NULL: no listener */
	const char *textfile;	  /* the metrics written here atomically; NULL: none */
	double textfile_interval; /* seconds between textfile writes */
};

struct ia_exporter {
	struct ia_exporter_opts o;
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
int ia_exporter_open(struct ia_exporter *x, const struct ia_exporter_opts *o, ia_http_body_fn render,
		     void *ctx, __u64 now_ms);
/* "serving http://127.0.0.1:9464/metrics, writing PATH every 15 s" for the start-up line. */
void ia_exporter_describe(const struct ia_exporter *x, char *buf, size_t len);
int ia_exporter_pollfds(const struct ia_exporter *x, struct pollfd *fds, int max);
/* Answer scrapes; write the textfile when due (a failure is reported, the run goes on). */
void ia_exporter_service(struct ia_exporter *x, __u64 now_ms);
/* The last textfile write (the final metrics) and the listener closed. 0 or the write's error. */
int ia_exporter_close(struct ia_exporter *x);

/*
 * Nothing but the exporter until a signal on sigfd or duration seconds (0:
 * no limit): answer scrapes, write the textfile. 0 or poll's -errno.
 */
int ia_exporter_run(struct ia_exporter *x, int sigfd, double duration);

#endif /* IA_EXPORTER_H */
