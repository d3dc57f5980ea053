/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* One line per decoded record: text for people, JSON Lines for programs. */
#ifndef IA_EVENT_OUT_H
#define IA_EVENT_OUT_H

#include <stdio.h>
#include "engine.h"
#include "json.h"

/* ts_base: the timestamp printed as 0 (the first record's, or the start's). */
void ia_event_print_text(FILE *out, const struct ia_decoded *d, __u64 ts_base);
void ia_event_print_json(struct ia_json *j, const struct ia_decoded *d);

#endif /* IA_EVENT_OUT_H */
