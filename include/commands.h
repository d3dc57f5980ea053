/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The commands, one cmd_*.c each; main.c lists them in its table. */
#ifndef IA_COMMANDS_H
#define IA_COMMANDS_H

#include "cli.h"

extern const struct ia_command ia_cmd_snapshot;
extern const struct ia_command ia_cmd_watch;
extern const struct ia_command ia_cmd_record;
extern const struct ia_command ia_cmd_serve;
extern const struct ia_command ia_cmd_probe;
extern const struct ia_command ia_cmd_report;
extern const struct ia_command ia_cmd_diff;
extern const struct ia_command ia_cmd_plan;

#endif /* IA_COMMANDS_H */
