/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The open iommufd contexts and their objects, as the engine tracks them. */
#ifndef IA_IOMMUFD_OUT_H
#define IA_IOMMUFD_OUT_H

#include <stdio.h>
#include "engine.h"
#include "json.h"

void ia_ctxs_print_text(FILE *out, const struct ia_ctx *c, size_t n);
void ia_ctxs_print_json(struct ia_json *j, const struct ia_ctx *c, size_t n);

#endif /* IA_IOMMUFD_OUT_H */
