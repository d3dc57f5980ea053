// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "iommufd_out.h"

static const char *obj_kind_name(__u32 kind)
{
	switch (kind) {
	case IA_OBJ_FAULT: return "fault";
	case IA_OBJ_VIOMMU: return "viommu";
	case IA_OBJ_VDEVICE: return "vdevice";
	case IA_OBJ_VEVENTQ: return "veventq";
	case IA_OBJ_HW_QUEUE: return "hw_queue";
	default: return "unknown";
	}
}

/* What a vIOMMU-family object hangs on: its parent hwpt (vIOMMU) or vIOMMU. */
static const char *parent_key(__u32 kind)
{
	return kind == IA_OBJ_VIOMMU ? "hwpt" : "viommu";
}

static void print_vobj(FILE *out, const struct ia_vobj *o)
{
	fprintf(out, "  %s %u", obj_kind_name(o->kind), o->id);
	if (o->kind != IA_OBJ_FAULT)
		fprintf(out, ", %s %u", parent_key(o->kind), o->parent);
	if (o->kind == IA_OBJ_VDEVICE)
		fprintf(out, ", device %u %s", o->idev, o->dev);
	fputc('\n', out);
}

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
		for (int k = 0; k < c[i].nvobjs; k++)
			print_vobj(out, &c[i].vobjs[k]);
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
	if (!c->nvobjs)
		return;
	ia_json_key(j, "objects");
	ia_json_arr_begin(j);
	for (int k = 0; k < c->nvobjs; k++) {
		const struct ia_vobj *o = &c->vobjs[k];

		ia_json_obj_begin(j);
		ia_json_kstr(j, "kind", obj_kind_name(o->kind));
		ia_json_kuint(j, "id", o->id);
		if (o->kind != IA_OBJ_FAULT)
			ia_json_kuint(j, parent_key(o->kind), o->parent);
		if (o->kind == IA_OBJ_VDEVICE) {
			ia_json_kuint(j, "idev", o->idev);
			ia_json_kstr(j, "dev", o->dev);
		}
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
