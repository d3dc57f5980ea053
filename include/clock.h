/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The clocks the live side reads, in one place. CLOCK_MONOTONIC is the clock
 * of the BPF side's bpf_ktime_get_ns() (ia_event.ts_ns), so both compare.
 * The engine reads no clock: times reach it inside records.
 */
#ifndef IA_CLOCK_H
#define IA_CLOCK_H

#include <linux/types.h>

/* CLOCK_MONOTONIC in nanoseconds. */
__u64 ia_mono_ns(void);
/* CLOCK_MONOTONIC in milliseconds. */
__u64 ia_mono_ms(void);
/* CLOCK_MONOTONIC in seconds, for deadlines. */
double ia_mono_s(void);
/* CLOCK_REALTIME in nanoseconds, for wall-clock stamps in recordings. */
__u64 ia_realtime_ns(void);

#endif /* IA_CLOCK_H */
