// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ksyms.h"

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Append one name to the buffer; text symbols only ('t' or 'T'). */
static int add_line(struct ia_ksyms *ks, const char *line, size_t *len, size_t *cap)
{
	char type, name[256];
	size_t n;
	char *p;

	if (sscanf(line, "%*s %c %255s", &type, name) != 2 || (type != 't' && type != 'T'))
		return 0;
	n = strlen(name) + 1;
	if (*len + n > *cap) {
		size_t ncap = *cap ? *cap * 2 : 1 << 20;

		p = realloc(ks->buf, ncap);
		if (!p)
			return -ENOMEM;
		ks->buf = p;
		*cap = ncap;
	}
	memcpy(ks->buf + *len, name, n);
	*len += n;
	ks->n++;
	return 0;
}

static int index_names(struct ia_ksyms *ks, size_t len)
{
	size_t i = 0;

	ks->names = calloc(ks->n ? ks->n : 1, sizeof(*ks->names));
	if (!ks->names)
		return -ENOMEM;
	for (size_t off = 0; off < len; off += strlen(ks->buf + off) + 1)
		ks->names[i++] = ks->buf + off;
	qsort(ks->names, ks->n, sizeof(*ks->names), cmp_name);
	return 0;
}

int ia_ksyms_load(struct ia_ksyms *ks, const char *path)
{
	size_t len = 0, cap = 0;
	char line[512];
	int err = 0;
	FILE *f;

	memset(ks, 0, sizeof(*ks));
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (!err && fgets(line, sizeof(line), f))
		err = add_line(ks, line, &len, &cap);
	fclose(f);
	if (!err)
		err = index_names(ks, len);
	if (err)
		ia_ksyms_free(ks);
	return err;
}

bool ia_ksyms_has(const struct ia_ksyms *ks, const char *name)
{
	return ks->n && bsearch(&name, ks->names, ks->n, sizeof(*ks->names), cmp_name);
}

void ia_ksyms_free(struct ia_ksyms *ks)
{
	free(ks->names);
	free(ks->buf);
	memset(ks, 0, sizeof(*ks));
}
