// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The floor of `make bench`: the cheapest program that can time a call.
 * fentry stamps the calling task (task local storage: no hash, no key),
 * fexit adds the call and its latency to a per-CPU counter. Nothing per
 * domain, no histogram, no errors or bytes: whatever a tracer that does the
 * job of iommu-audit costs beyond this is the price of its job.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct floor_count {
	__u64 calls;
	__u64 sum_ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} stamps SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2); /* 0: iommu_map, 1: iommu_unmap */
	__type(key, __u32);
	__type(value, struct floor_count);
} counts SEC(".maps");

static __always_inline int enter(void)
{
	__u64 *ts = bpf_task_storage_get(&stamps, bpf_get_current_task_btf(), 0,
					 BPF_LOCAL_STORAGE_GET_F_CREATE);

	if (ts)
		*ts = bpf_ktime_get_ns();
	return 0;
}

static __always_inline int leave(__u32 op)
{
	__u64 *ts = bpf_task_storage_get(&stamps, bpf_get_current_task_btf(), 0, 0);
	struct floor_count *c = bpf_map_lookup_elem(&counts, &op);

	if (ts && c) {
		c->calls++;
		c->sum_ns += bpf_ktime_get_ns() - *ts;
	}
	return 0;
}

SEC("fentry/iommu_map")
int BPF_PROG(map_enter) { return enter(); }
SEC("fexit/iommu_map")
int BPF_PROG(map_exit) { return leave(0); }
SEC("fentry/iommu_unmap")
int BPF_PROG(unmap_enter) { return enter(); }
SEC("fexit/iommu_unmap")
int BPF_PROG(unmap_exit) { return leave(1); }
