// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "iommufd_out.h"

void ia_ctxs_print_text(FILE *out, const struct ia_ctx *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		fprintf(out, "iommufd context %#llx: %llu ioctls\n", (unsigned long long)c[i].ptr,
			(unsigned long long)c[i].ioctls);
		for (int k = 0; k < c[i].nidevs; k++)
			fprintf(out, "  device %u %s, hwpt %u\n", c[i].idevs[k].id, c[i].idevs[k].dev,
				c[i].idevs[k].hwpt);
		for (int k = 0; k < c[i].nhwpts; k++)
			fprintf(out, "  hwpt %u domain %#llx (for %s)\n", c[i].hwpts[k].id,
				(unsigned long long)c[i].hwpts[k].domain, c[i].hwpts[k].dev);
		for (int k = 0; k < c[i].nioas; k++)
			fprintf(out, "  ioas %u: %llu maps (%llu bytes), %llu unmaps (%llu bytes)\n",
				c[i].ioas[k].id, (unsigned long long)c[i].ioas[k].maps,
				(unsigned long long)c[i].ioas[k].mapped_bytes,
				(unsigned long long)c[i].ioas[k].unmaps,
				(unsigned long long)c[i].ioas[k].unmapped_bytes);
	}
}

static void json_objs(struct ia_json *j, const struct ia_ctx *c)
{
	ia_json_key(j, "devices");
	ia_json_arr_begin(j);
	for (int k = 0; k < c->nidevs; k++) {
		ia_json_obj_begin(j);
		ia_json_kuint(j, "id", c->idevs[k].id);
		ia_json_kstr(j, "dev", c->idevs[k].dev);
		ia_json_kuint(j, "hwpt", c->idevs[k].hwpt);
		ia_json_obj_end(j);
	}
	ia_json_arr_end(j);
	ia_json_key(j, "hwpts");
	ia_json_arr_begin(j);
	for (int k = 0; k < c->nhwpts; k++) {
		ia_json_obj_begin(j);
		ia_json_kuint(j, "id", c->hwpts[k].id);
		ia_json_kptr(j, "domain", c->hwpts[k].domain);
		ia_json_kstr(j, "dev", c->hwpts[k].dev);
		ia_json_obj_end(j);
	}
	ia_json_arr_end(j);
	ia_json_key(j, "ioas");
	ia_json_arr_begin(j);
	for (int k = 0; k < c->nioas; k++) {
		ia_json_obj_begin(j);
		ia_json_kuint(j, "id", c->ioas[k].id);
		ia_json_kuint(j, "maps", c->ioas[k].maps);
		ia_json_kuint(j, "mapped_bytes", c->ioas[k].mapped_bytes);
		ia_json_kuint(j, "unmaps", c->ioas[k].unmaps);
		ia_json_kuint(j, "unmapped_bytes", c->ioas[k].unmapped_bytes);
		ia_json_obj_end(j);
	}
	ia_json_arr_end(j);
}

void ia_ctxs_print_json(struct ia_json *j, const struct ia_ctx *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		ia_json_obj_begin(j);
		ia_json_kstr(j, "type", "iommufd_ctx");
		ia_json_kint(j, "schema", 1);
		ia_json_kptr(j, "ctx", c[i].ptr);
		ia_json_kuint(j, "ioctls", c[i].ioctls);
		json_objs(j, &c[i]);
		ia_json_obj_end(j);
	}
}
