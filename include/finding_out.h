/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Findings for people (one line each) and for programs (JSON Lines). */
#ifndef IA_FINDING_OUT_H
#define IA_FINDING_OUT_H

#include <stdio.h>
#include "findings.h"
#include "json.h"

void ia_finding_print_text(FILE *out, const struct ia_finding *f);
void ia_finding_print_json(struct ia_json *j, const struct ia_finding *f);
/* "findings: 2 (bind-refused 1, claim-refused 1)" or "findings: none". */
void ia_findings_print_summary(FILE *out, const struct ia_finding *f, size_t n);

#endif /* IA_FINDING_OUT_H */
