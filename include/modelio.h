/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Binary encoding of the ownership model for recordings (src/trace.c), as
 * TLVs (include/tlv.h).
 */
#ifndef IA_MODELIO_H
#define IA_MODELIO_H

#include <stddef.h>
#include <linux/types.h>
#include "model.h"
#include "tlv.h"

/* Caps on a decoded model: a real host has far fewer. */
#define IA_MODEL_MAX_GROUPS 4096
#define IA_MODEL_MAX_DEVS 1024 /* per group */
#define IA_MODEL_MAX_RESV 256  /* per group */

/* Append the model's TLVs (groups, devices, regions, IOMMUs); returns b->err. */
int ia_model_encode(struct ia_buf *b, const struct ia_model *m);
/*
 * Decode a sequence written by ia_model_encode into *m (initialised here).
 * 0; -EBADMSG for malformed data or out-of-range values; -E2BIG past the
 * caps above; -ENOMEM. On error *m is empty.
 */
int ia_model_decode(const void *p, size_t len, struct ia_model *m);

#endif /* IA_MODELIO_H */
