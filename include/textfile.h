/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Write a file so that a reader sees the old content or the new, never a
 * part: PATH.tmp in the same directory, written whole, fsync'd, renamed over
 * PATH. For node_exporter's textfile collector, which reads only *.prom
 * files: PATH.prom.tmp is never read.
 */
#ifndef IA_TEXTFILE_H
#define IA_TEXTFILE_H

#include <stddef.h>

/* 0, or a negative errno; PATH.tmp is removed on failure. */
int ia_textfile_write(const char *path, const char *data, size_t len);

#endif /* IA_TEXTFILE_H */
