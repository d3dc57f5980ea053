// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* HTTP request routing and the listen-address syntax; see include/http.h. Pure. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "http.h"

/* "9464" -> 9464; -1 unless a decimal number from 0 to 65535. */
static int parse_port(const char *s)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v > 65535)
		return -1;
	return (int)v;
}

static int addr_err(char *msg, size_t msglen, const char *s, const char *why)
{
	snprintf(msg, msglen, "--listen wants ADDR:PORT (an IPv4 address, or [IPv6]), not '%s': %s", s, why);
	return -EINVAL;
}

static int parse_v6(const char *s, struct sockaddr_storage *ss, socklen_t *sslen, char *msg, size_t msglen)
{
	struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
	const char *close = strchr(s, ']');
	char host[INET6_ADDRSTRLEN];
	int port;

	if (!close || close[1] != ':')
		return addr_err(msg, msglen, s, "an IPv6 address is written [ADDR]:PORT");
	if ((size_t)(close - s - 1) >= sizeof(host))
		return addr_err(msg, msglen, s, "not an IPv6 address");
	memcpy(host, s + 1, (size_t)(close - s - 1));
	host[close - s - 1] = '\0';
	if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
		return addr_err(msg, msglen, s, "not an IPv6 address");
	port = parse_port(close + 2);
	if (port < 0)
		return addr_err(msg, msglen, s, "the port is not a number from 0 to 65535");
	a->sin6_family = AF_INET6;
	a->sin6_port = htons((unsigned short)port);
	*sslen = sizeof(*a);
	return 0;
}

static int parse_v4(const char *s, struct sockaddr_storage *ss, socklen_t *sslen, char *msg, size_t msglen)
{
	struct sockaddr_in *a = (struct sockaddr_in *)ss;
	const char *colon = strrchr(s, ':');
	char host[INET_ADDRSTRLEN];
	int port;

	if (!colon)
		return addr_err(msg, msglen, s, "no port");
	if ((size_t)(colon - s) >= sizeof(host))
		return addr_err(msg, msglen, s, "not an IPv4 address");
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
		return addr_err(msg, msglen, s, "not an IPv4 address");
	port = parse_port(colon + 1);
	if (port < 0)
		return addr_err(msg, msglen, s, "the port is not a number from 0 to 65535");
	a->sin_family = AF_INET;
	a->sin_port = htons((unsigned short)port);
	*sslen = sizeof(*a);
	return 0;
}

int ia_http_parse_addr(const char *s, struct sockaddr_storage *ss, socklen_t *sslen, char *msg,
		       size_t msglen)
{
	memset(ss, 0, sizeof(*ss));
	if (s[0] == '[')
		return parse_v6(s, ss, sslen, msg, msglen);
	return parse_v4(s, ss, sslen, msg, msglen);
}

/* The end of the head (after its blank line), or NULL. */
static const char *head_end(const char *buf, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++) {
		if (buf[i] == '\n' && buf[i + 1] == '\n')
			return buf + i + 2;
		if (i + 3 < len && !memcmp(buf + i, "\r\n\r\n", 4))
			return buf + i + 4;
	}
	return NULL;
}

/* "GET /metrics?x=1 HTTP/1.1" -> method, path (query cut); -1 when malformed. */
static int request_line(const char *buf, size_t len, char *method, size_t mlen, char *path, size_t plen)
{
	const char *eol = memchr(buf, '\n', len), *sp1, *sp2;
	size_t n;

	if (!eol)
		return -1;
	sp1 = memchr(buf, ' ', (size_t)(eol - buf));
	if (!sp1 || sp1 == buf || (size_t)(sp1 - buf) >= mlen)
		return -1;
	sp2 = memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1));
	if (!sp2 || sp2 == sp1 + 1 || strncmp(sp2 + 1, "HTTP/", 5))
		return -1;
	memcpy(method, buf, (size_t)(sp1 - buf));
	method[sp1 - buf] = '\0';
	n = (size_t)(sp2 - sp1 - 1);
	if (n >= plen)
		n = plen - 1; /* a long path is not /metrics either */
	memcpy(path, sp1 + 1, n);
	path[n] = '\0';
	path[strcspn(path, "?#")] = '\0';
	return 0;
}

int ia_http_route(const char *buf, size_t len, bool *head_only)
{
	char method[16], path[64];

	*head_only = false;
	if (!head_end(buf, len))
		return len >= IA_HTTP_MAX_REQUEST ? 431 : 0;
	if (request_line(buf, len, method, sizeof(method), path, sizeof(path)))
		return 400;
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return 405;
	*head_only = !strcmp(method, "HEAD");
	return strcmp(path, "/metrics") ? 404 : 200;
}

const char *ia_http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 431: return "Request Header Fields Too Large";
	case 503: return "Service Unavailable";
	default: return "Internal Server Error";
	}
}

int ia_http_head(char *buf, size_t len, int status, const char *ctype, size_t body_len)
{
	int n = snprintf(buf, len,
			 "HTTP/1.0 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%sConnection: close\r\n\r\n",
			 status, ia_http_reason(status), ctype, body_len,
			 status == 405 ? "Allow: GET, HEAD\r\n" : "");

	return n < 0 || (size_t)n >= len ? -1 : n;
}
