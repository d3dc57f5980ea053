// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * floor: loads and attaches bench/floor.bpf.c, says "floor: attached" on
 * stderr, and on SIGINT/SIGTERM prints what the kernel counted:
 *   floor map CALLS SUM_NS unmap CALLS SUM_NS
 * (summed over the CPUs). scripts/bench-guest runs it as one of its modes.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include "floor.skel.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* calls and sum_ns of op, summed over the possible CPUs; -errno on failure */
static int read_op(int fd, __u32 op, unsigned long long out[2])
{
	int ncpu = libbpf_num_possible_cpus();
	__u64 v[2 * 512];

	if (ncpu <= 0 || ncpu > 512)
		return -EINVAL;
	if (bpf_map_lookup_elem(fd, &op, v))
		return -errno;
	out[0] = out[1] = 0;
	for (int i = 0; i < ncpu; i++) {
		out[0] += v[2 * i];
		out[1] += v[2 * i + 1];
	}
	return 0;
}

int main(void)
{
	unsigned long long m[2], u[2];
	struct floor_bpf *skel;
	int err;

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	skel = floor_bpf__open_and_load();
	if (!skel) {
		fprintf(stderr, "floor: cannot load: %s\n", strerror(errno));
		return 1;
	}
	err = floor_bpf__attach(skel);
	if (err) {
		fprintf(stderr, "floor: cannot attach: %s\n", strerror(-err));
		floor_bpf__destroy(skel);
		return 1;
	}
	fprintf(stderr, "floor: attached\n");
	while (!stop)
		pause();
	err = read_op(bpf_map__fd(skel->maps.counts), 0, m);
	if (!err)
		err = read_op(bpf_map__fd(skel->maps.counts), 1, u);
	if (err)
		fprintf(stderr, "floor: cannot read the counts: %s\n", strerror(-err));
	else
		printf("floor map %llu %llu unmap %llu %llu\n", m[0], m[1], u[0], u[1]);
	floor_bpf__destroy(skel);
	return err ? 1 : 0;
}
