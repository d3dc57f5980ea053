/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * `diff`'s comparison of two replayed recordings (struct ia_diff), as text
 * and JSON: the two sides, findings per rule, errnos per hook, latency
 * percentiles with ratios, the verdict.
 */
#ifndef IA_DIFF_OUT_H
#define IA_DIFF_OUT_H

#include <stdio.h>
#include "json.h"
#include "replay.h"

void ia_diff_print_text(FILE *out, char *const path[2], const struct ia_replay rp[2], const struct ia_diff *d,
			const struct ia_diff_opts *dopts);
void ia_diff_print_json(struct ia_json *j, char *const path[2], const struct ia_replay rp[2],
			const struct ia_diff *d, const struct ia_diff_opts *dopts);

#endif /* IA_DIFF_OUT_H */
