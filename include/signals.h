/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* SIGINT and SIGTERM as a file descriptor, so that poll loops see them. */
#ifndef IA_SIGNALS_H
#define IA_SIGNALS_H

#include <stdbool.h>

/* SIGINT and SIGTERM blocked and delivered through a non-blocking signalfd; -errno. */
int ia_signals_fd(void);
/* A signal arrived on it. */
bool ia_signalled(int sigfd);

#endif /* IA_SIGNALS_H */
