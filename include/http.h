/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A minimal HTTP/1.0-style server for /metrics: one non-blocking listening
 * socket and a few connections, serviced from the caller's poll loop (no
 * threads). Each connection gets one response and is closed. GET and HEAD
 * of /metrics are answered; other paths get 404, other methods 405.
 *
 * The request parsing, routing and the listen-address syntax are pure
 * (src/httpreq.c, unit-tested); the sockets are in src/http.c.
 */
#ifndef IA_HTTP_H
#define IA_HTTP_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <linux/types.h>

/* ---- pure ---- */

#define IA_HTTP_MAX_REQUEST 8192 /* a request head longer than this gets 431 */

/*
 * "127.0.0.1:9464" or "[::1]:9464" (numeric addresses only; port 0 lets
 * the kernel choose). 0, or -EINVAL with msg saying what is wrong.
 */
int ia_http_parse_addr(const char *s, struct sockaddr_storage *ss, socklen_t *sslen, char *msg,
		       size_t msglen);

/*
 * The response to the request head in buf[0..len): 0 while the head is not
 * complete (no blank line yet), else the status: 200 (GET or HEAD of
 * /metrics, *head_only for HEAD), 400 malformed, 404 another path, 405
 * another method, 431 too long.
 */
int ia_http_route(const char *buf, size_t len, bool *head_only);

/* "HTTP/1.0 200 OK\r\nContent-Type: ...\r\nContent-Length: N\r\n...\r\n\r\n"; its length. */
int ia_http_head(char *buf, size_t len, int status, const char *ctype, size_t body_len);
const char *ia_http_reason(int status);

/* ---- sockets ---- */

#define IA_HTTP_MAX_CONNS 16
#define IA_HTTP_TIMEOUT_MS 5000 /* a connection that sends no complete request in this time is closed */

struct ia_http_conn {
	int fd;
	__u64 since_ms;
	size_t len;
	char buf[IA_HTTP_MAX_REQUEST];
};

struct ia_http {
	int fd; /* listening; -1 when closed */
	struct ia_http_conn conns[IA_HTTP_MAX_CONNS];
	int nconns;
	char bound[64]; /* "127.0.0.1:9464": the address really bound (port 0 resolved) */
	__u64 served;	/* responses sent */
};

/* The metrics at the moment of a request: a malloc'd body (*body, *len) or a negative errno (500). */
typedef int (*ia_http_body_fn)(void *ctx, char **body, size_t *len);

/* Listen on addr (see ia_http_parse_addr). 0, or a negative errno with msg. */
int ia_http_listen(struct ia_http *h, const char *addr, char *msg, size_t msglen);
/* The descriptors to poll for input (listener, then connections); their count. */
int ia_http_pollfds(const struct ia_http *h, struct pollfd *fds, int max);
/* Accept, read, answer whatever is ready; close idle connections. A response blocks at most 2 s. */
void ia_http_service(struct ia_http *h, __u64 now_ms, ia_http_body_fn fn, void *ctx);
void ia_http_close(struct ia_http *h);

#endif /* IA_HTTP_H */
