// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "grow.h"
#include "ksyms.h"

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_addr(const void *a, const void *b)
{
	const struct ia_ksym_addr *x = a, *y = b;

	return (x->addr > y->addr) - (x->addr < y->addr);
}

/* Data symbols named *_ops: candidates for an iommu_ops pointer's name. */
static int add_ops(struct ia_ksyms *ks, unsigned long long addr, const char *name)
{
	size_t n = strlen(name);
	struct ia_ksym_addr *o;

	if (!addr || n < 5 || n >= sizeof(o->name) || strcmp(name + n - 4, "_ops"))
		return 0;
	if (ia_grow((void **)&ks->ops, &ks->ops_cap, ks->nops + 1, sizeof(*ks->ops)))
		return -ENOMEM;
	o = &ks->ops[ks->nops++];
	o->addr = addr;
	memcpy(o->name, name, n + 1);
	return 0;
}

/* Text symbols ('t' or 'T') go to the name buffer, *_ops data symbols to ops. */
static int add_line(struct ia_ksyms *ks, const char *line, size_t *len, size_t *cap)
{
	unsigned long long addr;
	char type, name[256];
	size_t n;

	if (sscanf(line, "%llx %c %255s", &addr, &type, name) != 3)
		return 0;
	if (strchr("dDrR", type))
		return add_ops(ks, addr, name);
	if (type != 't' && type != 'T')
		return 0;
	n = strlen(name) + 1;
	if (ia_grow((void **)&ks->buf, cap, *len + n, 1))
		return -ENOMEM;
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
	if (!err && ks->nops > 1)
		qsort(ks->ops, ks->nops, sizeof(*ks->ops), cmp_addr);
	if (err)
		ia_ksyms_free(ks);
	return err;
}

bool ia_ksyms_has(const struct ia_ksyms *ks, const char *name)
{
	return ks->n && bsearch(&name, ks->names, ks->n, sizeof(*ks->names), cmp_name);
}

const char *ia_ksyms_ops_name(const struct ia_ksyms *ks, unsigned long long addr)
{
	struct ia_ksym_addr key = { .addr = addr }, *o;

	if (!ks->nops || !addr)
		return NULL;
	o = bsearch(&key, ks->ops, ks->nops, sizeof(*ks->ops), cmp_addr);
	return o ? o->name : NULL;
}

void ia_ksyms_free(struct ia_ksyms *ks)
{
	free(ks->ops);
	free(ks->names);
	free(ks->buf);
	memset(ks, 0, sizeof(*ks));
}
