/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Wait, from user space, until every BPF program running now has returned:
 * an update of a map-in-map returns only after an RCU grace period
 * (kernel/bpf/syscall.c maybe_wait_bpf_programs, commit 1ae80cf31938,
 * v5.0), and non-sleepable programs run inside RCU read-side sections
 * (the trampoline's __bpf_prog_enter, kprobes with preemption off). Two
 * tiny maps of our own, made at the start, while bpf() map creation is
 * allowed; the waits need only the map's fd.
 */
#ifndef IA_GRACE_H
#define IA_GRACE_H

struct ia_grace {
	int outer; /* BPF_MAP_TYPE_ARRAY_OF_MAPS, one slot */
	int inner; /* the array the slot is set to, again and again */
};

/* 0 or -errno; on failure nothing is left open. */
int ia_grace_open(struct ia_grace *g);
/* 0 once every program that was running has returned, or -errno. */
int ia_grace_wait(const struct ia_grace *g);
void ia_grace_close(struct ia_grace *g);

#endif /* IA_GRACE_H */
