// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <math.h>
#include "json.h"

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
		fputc(',', j->out);
	j->need_comma[j->depth] = true;
}

static void json_open(struct ia_json *j, char c)
{
	sep(j);
	fputc(c, j->out);
	if (j->depth < IA_JSON_DEPTH - 1)
		j->depth++;
	j->need_comma[j->depth] = false;
}

static void json_close(struct ia_json *j, char c)
{
	fputc(c, j->out);
	if (j->depth > 0)
		j->depth--;
	if (j->depth == 0) {
		fputc('\n', j->out);
		j->need_comma[0] = false;
	}
}

void ia_json_obj_begin(struct ia_json *j) { json_open(j, '{'); }
void ia_json_obj_end(struct ia_json *j) { json_close(j, '}'); }
void ia_json_arr_begin(struct ia_json *j) { json_open(j, '['); }
void ia_json_arr_end(struct ia_json *j) { json_close(j, ']'); }

static void put_escaped(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\t': fputs("\\t", out); break;
		case '\r': fputs("\\r", out); break;
		default:
			if (*p < 0x20 || *p >= 0x7f)
				fprintf(out, "\\u%04x", *p);
			else
				fputc(*p, out);
		}
	}
	fputc('"', out);
}

void ia_json_key(struct ia_json *j, const char *key)
{
	sep(j);
	put_escaped(j->out, key);
	fputc(':', j->out);
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
	fprintf(j->out, "%lld", v);
}

void ia_json_uint(struct ia_json *j, unsigned long long v)
{
	sep(j);
	fprintf(j->out, "%llu", v);
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
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)p);
	ia_json_str(j, buf);
}

void ia_json_kstr(struct ia_json *j, const char *key, const char *s) { ia_json_key(j, key); ia_json_str(j, s); }
void ia_json_kint(struct ia_json *j, const char *key, long long v) { ia_json_key(j, key); ia_json_int(j, v); }
void ia_json_kuint(struct ia_json *j, const char *key, unsigned long long v) { ia_json_key(j, key); ia_json_uint(j, v); }
void ia_json_kbool(struct ia_json *j, const char *key, bool v) { ia_json_key(j, key); ia_json_bool(j, v); }
void ia_json_kptr(struct ia_json *j, const char *key, __u64 p) { ia_json_key(j, key); ia_json_ptr(j, p); }
void ia_json_kdouble(struct ia_json *j, const char *key, double v) { ia_json_key(j, key); ia_json_double(j, v); }
