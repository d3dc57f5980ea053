// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * JSON Lines writer. It prints every record watch streams, so it writes with
 * the unlocked stdio calls and formats integers itself: the consumer must
 * keep up with the ring buffer (a stream is only ever written by one thread).
 */
#define _GNU_SOURCE /* fputs_unlocked */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "json.h"

/* Hand what waits in the line to the stream. */
static void drain(struct ia_json *j)
{
	if (j->len)
		fwrite_unlocked(j->line, 1, j->len, j->out);
	j->len = 0;
}

static void put_n(struct ia_json *j, const void *p, size_t n)
{
	if (j->len + n > sizeof(j->line)) {
		drain(j);
		if (n > sizeof(j->line)) {
			fwrite_unlocked(p, 1, n, j->out);
			return;
		}
	}
	memcpy(j->line + j->len, p, n);
	j->len += n;
}

static void put_c(struct ia_json *j, char c)
{
	if (j->len == sizeof(j->line))
		drain(j);
	j->line[j->len++] = c;
}

static void put_uint(struct ia_json *j, unsigned long long v)
{
	char buf[24], *p = buf + sizeof(buf);

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put_n(j, p, (size_t)(buf + sizeof(buf) - p));
}

void ia_json_init(struct ia_json *j, FILE *out)
{
	j->out = out;
	j->depth = 0;
	j->after_key = false;
	j->len = 0;
	for (int i = 0; i < IA_JSON_DEPTH; i++)
		j->need_comma[i] = false;
}

/* Separator before a value (or a key) at the current depth. */
static void sep(struct ia_json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->depth > 0 && j->need_comma[j->depth])
		put_c(j, ',');
	j->need_comma[j->depth] = true;
}

/* A value outside any object or array is a line of its own already. */
static void top_done(struct ia_json *j)
{
	if (j->depth == 0)
		drain(j);
}

static void json_open(struct ia_json *j, char c)
{
	sep(j);
	put_c(j, c);
	if (j->depth < IA_JSON_DEPTH - 1)
		j->depth++;
	j->need_comma[j->depth] = false;
}

static void json_close(struct ia_json *j, char c)
{
	put_c(j, c);
	if (j->depth > 0)
		j->depth--;
	if (j->depth == 0) {
		put_c(j, '\n');
		j->need_comma[0] = false;
		drain(j);
	}
}

void ia_json_obj_begin(struct ia_json *j) { json_open(j, '{'); }
void ia_json_obj_end(struct ia_json *j) { json_close(j, '}'); }
void ia_json_arr_begin(struct ia_json *j) { json_open(j, '['); }
void ia_json_arr_end(struct ia_json *j) { json_close(j, ']'); }

/* The bytes a JSON string cannot carry as they are (and NUL, which ends it). */
static const unsigned char escaped[256] = {
	[0x00 ... 0x1f] = 1, ['"'] = 1, ['\\'] = 1, [0x7f ... 0xff] = 1,
};

static void put_escaped(struct ia_json *j, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	char u[8];

	put_c(j, '"');
	for (;;) {
		const unsigned char *run = p;

		while (!escaped[*p])
			p++;
		put_n(j, run, (size_t)(p - run));
		if (!*p)
			break;
		switch (*p) {
		case '"': put_n(j, "\\\"", 2); break;
		case '\\': put_n(j, "\\\\", 2); break;
		case '\n': put_n(j, "\\n", 2); break;
		case '\t': put_n(j, "\\t", 2); break;
		case '\r': put_n(j, "\\r", 2); break;
		default:
			snprintf(u, sizeof(u), "\\u%04x", *p);
			put_n(j, u, 6);
			break;
		}
		p++;
	}
	put_c(j, '"');
}

void ia_json_key(struct ia_json *j, const char *key)
{
	sep(j);
	put_escaped(j, key);
	put_c(j, ':');
	j->after_key = true;
}

void ia_json_str(struct ia_json *j, const char *s)
{
	sep(j);
	put_escaped(j, s);
	top_done(j);
}

void ia_json_int(struct ia_json *j, long long v)
{
	sep(j);
	if (v < 0) {
		put_c(j, '-');
		put_uint(j, 0ull - (unsigned long long)v);
	} else {
		put_uint(j, (unsigned long long)v);
	}
	top_done(j);
}

void ia_json_uint(struct ia_json *j, unsigned long long v)
{
	sep(j);
	put_uint(j, v);
	top_done(j);
}

void ia_json_double(struct ia_json *j, double v)
{
	char buf[40];
	int n;

	sep(j);
	if (isfinite(v)) {
		n = snprintf(buf, sizeof(buf), "%.6g", v);
		put_n(j, buf, n > 0 && (size_t)n < sizeof(buf) ? (size_t)n : 0);
	} else {
		put_n(j, "null", 4);
	}
	top_done(j);
}

void ia_json_bool(struct ia_json *j, bool v)
{
	sep(j);
	if (v)
		put_n(j, "true", 4);
	else
		put_n(j, "false", 5);
	top_done(j);
}

void ia_json_null(struct ia_json *j)
{
	sep(j);
	put_n(j, "null", 4);
	top_done(j);
}

void ia_json_ptr(struct ia_json *j, __u64 p)
{
	char buf[24], *c = buf + sizeof(buf);

	*--c = '"';
	do {
		*--c = "0123456789abcdef"[p & 0xf];
		p >>= 4;
	} while (p);
	*--c = 'x';
	*--c = '0';
	*--c = '"';
	sep(j);
	put_n(j, c, (size_t)(buf + sizeof(buf) - c));
	top_done(j);
}

void ia_json_kstr(struct ia_json *j, const char *key, const char *s) { ia_json_key(j, key); ia_json_str(j, s); }
void ia_json_kint(struct ia_json *j, const char *key, long long v) { ia_json_key(j, key); ia_json_int(j, v); }
void ia_json_kuint(struct ia_json *j, const char *key, unsigned long long v) { ia_json_key(j, key); ia_json_uint(j, v); }
void ia_json_kbool(struct ia_json *j, const char *key, bool v) { ia_json_key(j, key); ia_json_bool(j, v); }
void ia_json_kptr(struct ia_json *j, const char *key, __u64 p) { ia_json_key(j, key); ia_json_ptr(j, p); }
void ia_json_kdouble(struct ia_json *j, const char *key, double v) { ia_json_key(j, key); ia_json_double(j, v); }
