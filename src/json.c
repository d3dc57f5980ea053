// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * JSON Lines writer. It prints every record watch streams, so it writes with
 * the unlocked stdio calls and formats integers itself: the consumer must
 * keep up with the ring buffer (a stream is only ever written by one thread).
 */
#define _GNU_SOURCE /* fputs_unlocked */
#include <math.h>
#include <string.h>
#include "json.h"

static void put_uint(FILE *out, unsigned long long v)
{
	char buf[24], *p = buf + sizeof(buf);

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	fwrite_unlocked(p, 1, (size_t)(buf + sizeof(buf) - p), out);
}

void ia_json_init(struct ia_json *j, FILE *out)
{
	j->out = out;
	j->depth = 0;
	j->after_key = false;
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
		putc_unlocked(',', j->out);
	j->need_comma[j->depth] = true;
}

static void json_open(struct ia_json *j, char c)
{
	sep(j);
	putc_unlocked(c, j->out);
	if (j->depth < IA_JSON_DEPTH - 1)
		j->depth++;
	j->need_comma[j->depth] = false;
}

static void json_close(struct ia_json *j, char c)
{
	putc_unlocked(c, j->out);
	if (j->depth > 0)
		j->depth--;
	if (j->depth == 0) {
		putc_unlocked('\n', j->out);
		j->need_comma[0] = false;
	}
}

void ia_json_obj_begin(struct ia_json *j) { json_open(j, '{'); }
void ia_json_obj_end(struct ia_json *j) { json_close(j, '}'); }
void ia_json_arr_begin(struct ia_json *j) { json_open(j, '['); }
void ia_json_arr_end(struct ia_json *j) { json_close(j, ']'); }

/* The bytes a JSON string may carry as they are. */
static bool plain(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

static void put_escaped(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	putc_unlocked('"', out);
	while (*p) {
		const unsigned char *run = p;

		while (plain(*p))
			p++;
		fwrite_unlocked(run, 1, (size_t)(p - run), out);
		if (!*p)
			break;
		switch (*p) {
		case '"': fputs_unlocked("\\\"", out); break;
		case '\\': fputs_unlocked("\\\\", out); break;
		case '\n': fputs_unlocked("\\n", out); break;
		case '\t': fputs_unlocked("\\t", out); break;
		case '\r': fputs_unlocked("\\r", out); break;
		default: fprintf(out, "\\u%04x", *p); break;
		}
		p++;
	}
	putc_unlocked('"', out);
}

void ia_json_key(struct ia_json *j, const char *key)
{
	sep(j);
	put_escaped(j->out, key);
	putc_unlocked(':', j->out);
	j->after_key = true;
}

void ia_json_str(struct ia_json *j, const char *s)
{
	sep(j);
	put_escaped(j->out, s);
}

void ia_json_int(struct ia_json *j, long long v)
{
	sep(j);
	if (v < 0) {
		putc_unlocked('-', j->out);
		put_uint(j->out, 0ull - (unsigned long long)v);
	} else {
		put_uint(j->out, (unsigned long long)v);
	}
}

void ia_json_uint(struct ia_json *j, unsigned long long v)
{
	sep(j);
	put_uint(j->out, v);
}

void ia_json_double(struct ia_json *j, double v)
{
	sep(j);
	if (isfinite(v))
		fprintf(j->out, "%.6g", v);
	else
		fputs("null", j->out);
}

void ia_json_bool(struct ia_json *j, bool v)
{
	sep(j);
	fputs(v ? "true" : "false", j->out);
}

void ia_json_null(struct ia_json *j)
{
	sep(j);
	fputs("null", j->out);
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
	fwrite_unlocked(c, 1, (size_t)(buf + sizeof(buf) - c), j->out);
}

void ia_json_kstr(struct ia_json *j, const char *key, const char *s) { ia_json_key(j, key); ia_json_str(j, s); }
void ia_json_kint(struct ia_json *j, const char *key, long long v) { ia_json_key(j, key); ia_json_int(j, v); }
void ia_json_kuint(struct ia_json *j, const char *key, unsigned long long v) { ia_json_key(j, key); ia_json_uint(j, v); }
void ia_json_kbool(struct ia_json *j, const char *key, bool v) { ia_json_key(j, key); ia_json_bool(j, v); }
void ia_json_kptr(struct ia_json *j, const char *key, __u64 p) { ia_json_key(j, key); ia_json_ptr(j, p); }
void ia_json_kdouble(struct ia_json *j, const char *key, double v) { ia_json_key(j, key); ia_json_double(j, v); }
