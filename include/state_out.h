/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Output of an ownership model: `iommu-audit snapshot` and the final state
 * of `watch`. Plain and JSON twins over the same model.
 */
#ifndef IA_STATE_OUT_H
#define IA_STATE_OUT_H

#include <stdio.h>
#include "json.h"
#include "model.h"

/* Version of the "group" JSON object below; bump on any change to it. */
#define IA_STATE_SCHEMA 1

/*
 * One block per group:
 *   group 7  type DMA  dma kernel  viable
 *     0000:01:00.0  e1000e  kernel
 *     reserved: 0xfee00000-0xfeefffff msi
 * A violation replaces "viable" by "VIOLATION: kernel and user DMA mixed".
 * Missing values print as "-".
 */
void ia_state_print_text(FILE *out, const struct ia_model *m);

/*
 * JSON Lines, one object per group, in model order:
 * {"type":"group","schema":1,"source":<source>,"id":7,"domain_type":"DMA",
 *  "dma":"kernel","verdict":"viable",
 *  "devices":[{"name":"0000:01:00.0","driver":"e1000e","dma":"kernel"}],
 *  "reserved_regions":[{"start":"0xfee00000","end":"0xfeefffff","type":"msi"}]}
 * source names the producer ("snapshot", "engine"); driver is "" when none.
 */
void ia_state_print_json(struct ia_json *j, const struct ia_model *m, const char *source);

#endif /* IA_STATE_OUT_H */
