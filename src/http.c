// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The /metrics server's sockets; see include/http.h. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include "http.h"
#include "prom_out.h"

#define SEND_TIMEOUT_S 2 /* a client that does not read its response in this time loses it */

static void describe_bound(struct ia_http *h)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char host[INET6_ADDRSTRLEN] = "?";

	if (getsockname(h->fd, (struct sockaddr *)&ss, &len))
		return;
	if (ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
		snprintf(h->bound, sizeof(h->bound), "[%s]:%u", host, ntohs(a->sin6_port));
	} else {
		const struct sockaddr_in *a = (const struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
		snprintf(h->bound, sizeof(h->bound), "%s:%u", host, ntohs(a->sin_port));
	}
}

int ia_http_listen(struct ia_http *h, const char *addr, char *msg, size_t msglen)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	int one = 1, err;

	memset(h, 0, sizeof(*h));
	h->fd = -1;
	err = ia_http_parse_addr(addr, &ss, &sslen, msg, msglen);
	if (err)
		return err;
	h->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (h->fd < 0) {
		err = -errno;
		snprintf(msg, msglen, "cannot listen on %s: socket: %s", addr, strerror(-err));
		return err;
	}
	/* a restart binds again at once; a port another socket listens on still fails */
	setsockopt(h->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(h->fd, (struct sockaddr *)&ss, sslen) || listen(h->fd, SOMAXCONN)) {
		err = -errno;
		snprintf(msg, msglen, "cannot listen on %s: %s", addr, strerror(-err));
		ia_http_close(h);
		return err;
	}
	describe_bound(h);
	return 0;
}

int ia_http_pollfds(const struct ia_http *h, struct pollfd *fds, int max)
{
	int n = 0;

	if (h->fd < 0 || max < 1)
		return 0;
	fds[n++] = (struct pollfd){ .fd = h->fd, .events = POLLIN };
	for (int i = 0; i < h->nconns && n < max; i++)
		fds[n++] = (struct pollfd){ .fd = h->conns[i].fd, .events = POLLIN };
	return n;
}

static void drop_conn(struct ia_http *h, int i)
{
	close(h->conns[i].fd);
	h->conns[i] = h->conns[--h->nconns];
}

static void send_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return; /* the client went away or stopped reading */
		p += n;
		len -= (size_t)n;
	}
}

/* One response, sent with a bounded blocking write, then the connection closes. */
static void respond(struct ia_http *h, int fd, int status, bool head_only, ia_http_body_fn fn, void *ctx)
{
	struct timeval tv = { .tv_sec = SEND_TIMEOUT_S };
	const char *ctype = "text/plain; charset=utf-8";
	char head[256], *body = NULL, msg[64];
	size_t len = 0;
	int n;

	if (status == 200 && fn(ctx, &body, &len))
		status = 500;
	if (status == 200) {
		ctype = IA_PROM_CONTENT_TYPE;
	} else {
		free(body);
		len = (size_t)snprintf(msg, sizeof(msg), "%d %s\n", status, ia_http_reason(status));
		body = msg;
	}
	n = ia_http_head(head, sizeof(head), status, ctype, len);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (n > 0)
		send_all(fd, head, (size_t)n);
	if (!head_only)
		send_all(fd, body, len);
	shutdown(fd, SHUT_WR);
	if (body != msg)
		free(body);
	h->served++;
}

static void accept_all(struct ia_http *h, __u64 now_ms)
{
	for (;;) {
		int fd = accept4(h->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0)
			return; /* EAGAIN: none left; anything else: try again on the next poll */
		if (h->nconns == IA_HTTP_MAX_CONNS) {
			respond(h, fd, 503, false, NULL, NULL);
			close(fd);
			continue;
		}
		h->conns[h->nconns++] = (struct ia_http_conn){ .fd = fd, .since_ms = now_ms };
	}
}

/* Read what is there; true when the connection is done with (answered, gone or idle too long). */
static bool service_conn(struct ia_http *h, struct ia_http_conn *c, __u64 now_ms, ia_http_body_fn fn,
			 void *ctx)
{
	bool head_only;
	int status;

	for (;;) {
		ssize_t n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0)
			return true;
		c->len += (size_t)n;
		if (c->len == sizeof(c->buf))
			break;
	}
	status = ia_http_route(c->buf, c->len, &head_only);
	if (status) {
		respond(h, c->fd, status, head_only, fn, ctx);
		return true;
	}
	return now_ms - c->since_ms > IA_HTTP_TIMEOUT_MS;
}

void ia_http_service(struct ia_http *h, __u64 now_ms, ia_http_body_fn fn, void *ctx)
{
	if (h->fd < 0)
		return;
	accept_all(h, now_ms);
	for (int i = 0; i < h->nconns;) {
		if (service_conn(h, &h->conns[i], now_ms, fn, ctx))
			drop_conn(h, i);
		else
			i++;
	}
}

void ia_http_close(struct ia_http *h)
{
	while (h->nconns)
		drop_conn(h, 0);
	if (h->fd >= 0)
		close(h->fd);
	h->fd = -1;
}
