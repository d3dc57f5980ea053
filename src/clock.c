// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The clocks: see clock.h. */
#include <time.h>
#include "clock.h"

static __u64 read_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

__u64 ia_mono_ns(void)
{
	return read_ns(CLOCK_MONOTONIC);
}

__u64 ia_mono_ms(void)
{
	return ia_mono_ns() / 1000000ull;
}

double ia_mono_s(void)
{
	return (double)ia_mono_ns() / 1e9;
}

__u64 ia_realtime_ns(void)
{
	return read_ns(CLOCK_REALTIME);
}
