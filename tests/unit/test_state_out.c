// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Text and JSON views of a model, compared byte for byte. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include "json.h"
#include "model.h"
#include "state_out.h"
#include "unit.h"

static struct ia_group *add_group(struct ia_model *m, int id, const char *type)
{
	struct ia_group *g = ia_model_group(m, id, true);

	if (g)
		ia_strlcpy(g->type, type, sizeof(g->type));
	return g;
}

static void add_dev(struct ia_group *g, const char *name, const char *driver)
{
	struct ia_dev *d = g ? ia_group_dev(g, name, true) : NULL;

	if (!d)
		return;
	ia_strlcpy(d->driver, driver, sizeof(d->driver));
	d->dma = ia_driver_dma_class(driver);
}

/* A viable kernel group, a not-viable mix, an empty group. */
static int build_model(struct ia_model *m)
{
	struct ia_group *g;

	ia_model_init(m);
	g = add_group(m, 7, "DMA");
	add_dev(g, "0000:01:00.0", "e1000e");
	add_dev(g, "0000:00:1c.0", "pcieport");
	add_dev(g, "0000:01:00.1", "");
	if (!g || ia_group_add_resv(g, 0xa0000, 0xbffff, "direct") ||
	    ia_group_add_resv(g, 0xfee00000, 0xfeefffff, "msi"))
		return -1;
	g = add_group(m, 3, "DMA-FQ");
	add_dev(g, "0000:02:00.0", "vfio-pci");
	add_dev(g, "0000:02:00.1", "nvme");
	if (!g || !add_group(m, 12, ""))
		return -1;
	ia_model_sort(m);
	return 0;
}

/* Run a printer into a string; the caller frees it. */
static char *capture_text(const struct ia_model *m)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	if (!out)
		return NULL;
	ia_state_print_text(out, m);
	fclose(out);
	return buf;
}

static char *capture_json(const struct ia_model *m, const char *source)
{
	struct ia_json j;
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	if (!out)
		return NULL;
	ia_json_init(&j, out);
	ia_state_print_json(&j, m, source);
	fclose(out);
	return buf;
}

UNIT_TEST(state_text)
{
	static const char want[] =
		"group 3  type DMA-FQ  dma mixed  not-viable: a user-space driver shares the group with kernel DMA\n"
		"  0000:02:00.0  vfio-pci  user\n"
		"  0000:02:00.1  nvme      kernel\n"
		"group 7  type DMA  dma kernel  viable\n"
		"  0000:00:1c.0  pcieport  none\n"
		"  0000:01:00.0  e1000e    kernel\n"
		"  0000:01:00.1  -         none\n"
		"  reserved: 0xa0000-0xbffff direct, 0xfee00000-0xfeefffff msi\n"
		"group 12  type -  dma none  viable\n"
		"  (no devices)\n";
	struct ia_model m;
	char *text;

	CHECK_INT(build_model(&m), 0);
	text = capture_text(&m);
	CHECK_STR(text, want);
	free(text);
	ia_model_free(&m);
}

UNIT_TEST(state_text_no_groups)
{
	struct ia_model m;
	char *text;

	ia_model_init(&m);
	text = capture_text(&m);
	CHECK_STR(text, "no IOMMU groups\n");
	free(text);
}

UNIT_TEST(state_json)
{
	static const char want[] =
		"{\"type\":\"group\",\"schema\":1,\"source\":\"engine\",\"id\":3,"
		"\"domain_type\":\"DMA-FQ\",\"dma\":\"mixed\",\"verdict\":\"not-viable\","
		"\"devices\":[{\"name\":\"0000:02:00.0\",\"driver\":\"vfio-pci\",\"dma\":\"user\"},"
		"{\"name\":\"0000:02:00.1\",\"driver\":\"nvme\",\"dma\":\"kernel\"}],"
		"\"reserved_regions\":[],\"unverified\":false}\n"
		"{\"type\":\"group\",\"schema\":1,\"source\":\"engine\",\"id\":7,"
		"\"domain_type\":\"DMA\",\"dma\":\"kernel\",\"verdict\":\"viable\","
		"\"devices\":[{\"name\":\"0000:00:1c.0\",\"driver\":\"pcieport\",\"dma\":\"none\"},"
		"{\"name\":\"0000:01:00.0\",\"driver\":\"e1000e\",\"dma\":\"kernel\"},"
		"{\"name\":\"0000:01:00.1\",\"driver\":\"\",\"dma\":\"none\"}],"
		"\"reserved_regions\":[{\"start\":\"0xa0000\",\"end\":\"0xbffff\",\"type\":\"direct\"},"
		"{\"start\":\"0xfee00000\",\"end\":\"0xfeefffff\",\"type\":\"msi\"}],\"unverified\":false}\n"
		"{\"type\":\"group\",\"schema\":1,\"source\":\"engine\",\"id\":12,"
		"\"domain_type\":\"\",\"dma\":\"none\",\"verdict\":\"viable\","
		"\"devices\":[],\"reserved_regions\":[],\"unverified\":false}\n";
	struct ia_model m;
	char *json;

	CHECK_INT(build_model(&m), 0);
	json = capture_json(&m, "engine");
	CHECK_STR(json, want);
	free(json);
	ia_model_free(&m);
}

UNIT_TEST(state_json_no_groups_and_escaping)
{
	static const char want[] =
		"{\"type\":\"group\",\"schema\":1,\"source\":\"\",\"id\":1,"
		"\"domain_type\":\"a\\\"b\",\"dma\":\"none\",\"verdict\":\"viable\","
		"\"devices\":[{\"name\":\"dev\\\\0\",\"driver\":\"\",\"dma\":\"none\"}],"
		"\"reserved_regions\":[{\"start\":\"0x0\",\"end\":\"0xffffffffffffffff\","
		"\"type\":\"reserved\"}]}\n";
	struct ia_model m;
	struct ia_group *g;
	char *json;

	ia_model_init(&m);
	json = capture_json(&m, "snapshot");
	CHECK_STR(json, "");
	free(json);
	g = add_group(&m, 1, "a\"b");
	add_dev(g, "dev\\0", "");
	CHECK(g && !ia_group_add_resv(g, 0, ~0ULL, "reserved"));
	json = capture_json(&m, NULL);
	CHECK_STR(json, want);
	free(json);
	ia_model_free(&m);
}

/* A user owner known from events makes a group with a kernel driver a violation. */
UNIT_TEST(state_text_owner_from_events)
{
	static const char want[] =
		"group 5  type DMA  dma mixed  VIOLATION: kernel DMA in a user-owned group\n"
		"  0000:05:00.0  e1000e  kernel\n"
		"  owner: iommufd 0xffff888012345678 (owner_cnt 1)\n";
	struct ia_model m;
	struct ia_group *g;
	char *text;

	ia_model_init(&m);
	g = add_group(&m, 5, "DMA");
	add_dev(g, "0000:05:00.0", "e1000e");
	CHECK(g != NULL);
	if (g) {
		g->owner_known = true;
		g->owner = 0xffff888012345678ULL;
		g->owner_kind = IA_OWNER_IOMMUFD;
		g->owner_cnt = 1;
	}
	text = capture_text(&m);
	CHECK_STR(text, want);
	free(text);
	ia_model_free(&m);
}
