// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A wait for running BPF programs; see include/grace.h. */
#include <errno.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "grace.h"

int ia_grace_open(struct ia_grace *g)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts);
	int err;

	g->outer = -1;
	g->inner = bpf_map_create(BPF_MAP_TYPE_ARRAY, "ia_grace_in", sizeof(__u32), sizeof(__u32), 1,
				  NULL);
	if (g->inner < 0)
		return -errno;
	opts.inner_map_fd = g->inner;
	g->outer = bpf_map_create(BPF_MAP_TYPE_ARRAY_OF_MAPS, "ia_grace", sizeof(__u32), sizeof(__u32),
				  1, &opts);
	if (g->outer < 0) {
		err = -errno;
		ia_grace_close(g);
		return err;
	}
	return 0;
}

int ia_grace_wait(const struct ia_grace *g)
{
	__u32 slot = 0, fd = (__u32)g->inner;

	/* the update succeeds (the kernel waits only then), so it replaces the slot each time */
	return bpf_map_update_elem(g->outer, &slot, &fd, BPF_ANY) ? -errno : 0;
}

void ia_grace_close(struct ia_grace *g)
{
	if (g->outer >= 0)
		close(g->outer);
	if (g->inner >= 0)
		close(g->inner);
	g->outer = g->inner = -1;
}
