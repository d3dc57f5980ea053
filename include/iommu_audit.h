/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The event ABI between the BPF probes (bpf/) and the collector (src/).
 *
 * Only fixed-width types and constants: this header is included by both
 * the bpf/ programs (against vmlinux.h) and by user space (against linux/types.h).
 * Every record starts with a type and a size; sizes are checked by the
 * static asserts at the bottom so a layout change cannot go unnoticed.
 */
#ifndef IOMMU_AUDIT_H
#define IOMMU_AUDIT_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/*
 * 5: struct ia_event gains cgroup, pasid and xflags (248 bytes); hooks 42-50.
 * 4: 232-byte events; recordings of it are converted on reading (src/abi.c).
 */
#define IA_ABI_VERSION 5
#define IA_ABI_OLDEST 4	       /* the oldest event ABI a recording may carry */
#define IA_EVENT_V4_SIZE 232   /* struct ia_event of ABI 4: today's without the ABI 5 tail */

#define IA_NAME_LEN 32 /* device and driver names ("0000:00:02.0", "vfio-pci") */
#define IA_COMM_LEN 16

/* Record types in the ring buffer. */
enum ia_rec_type {
	IA_REC_CALL = 1, /* entry or exit of a traced kernel function */
	IA_REC_TP = 2,	 /* a kernel tracepoint (iommu:*) */
	IA_REC_EXIT = 3, /* ring buffer only: struct ia_exit_rec, widened before use */
};

/* Phase of an IA_REC_CALL. */
enum ia_phase {
	IA_PH_ENTER = 1,
	IA_PH_EXIT = 2,
	IA_PH_FIRE = 3, /* tracepoints: a single point in time */
};

/*
 * Every hook iommu-audit knows. The numbering is part of the ABI (recordings
 * store it): append only.
 */
enum ia_hook {
	IA_HOOK_NONE = 0,
	/* driver core */
	IA_HOOK_REALLY_PROBE = 1,    /* really_probe(dev, drv) */
	IA_HOOK_RELEASE_DRIVER = 2,  /* device_release_driver_internal(dev, drv, parent) */
	/* attach family */
	IA_HOOK_ATTACH_DEVICE = 3,   /* iommu_attach_device(domain, dev) */
	IA_HOOK_DETACH_DEVICE = 4,   /* iommu_detach_device(domain, dev) */
	IA_HOOK_ATTACH_GROUP = 5,    /* iommu_attach_group(domain, group) */
	IA_HOOK_DETACH_GROUP = 6,    /* iommu_detach_group(domain, group) */
	IA_HOOK_ATTACH_DEV_CORE = 7, /* __iommu_attach_device(domain, dev[, old]) */
	IA_HOOK_SET_DOMAIN = 8,      /* __iommu_group_set_domain_internal(group, domain, flags) / 6.1: __iommu_group_set_domain(group, domain) */
	IA_HOOK_ATTACH_HANDLE = 9,   /* iommu_attach_group_handle(domain, group, handle) */
	IA_HOOK_REPLACE_HANDLE = 10, /* iommu_replace_group_handle(group, domain, handle) / 6.6: iommu_group_replace_domain(group, domain) */
	/* DMA ownership API */
	IA_HOOK_GROUP_CLAIM = 11,    /* iommu_group_claim_dma_owner(group, owner) */
	IA_HOOK_GROUP_RELEASE = 12,  /* iommu_group_release_dma_owner(group) */
	IA_HOOK_DEVICE_CLAIM = 13,   /* iommu_device_claim_dma_owner(dev, owner) */
	IA_HOOK_DEVICE_RELEASE = 14, /* iommu_device_release_dma_owner(dev) */
	IA_HOOK_USE_DEFAULT = 15,    /* iommu_device_use_default_domain(dev) */
	IA_HOOK_UNUSE_DEFAULT = 16,  /* iommu_device_unuse_default_domain(dev) */
	/* tracepoints */
	IA_HOOK_TP_ADD_GROUP = 17,    /* iommu:add_device_to_group */
	IA_HOOK_TP_REMOVE_GROUP = 18, /* iommu:remove_device_from_group */
	IA_HOOK_TP_ATTACH = 19,	      /* iommu:attach_device_to_domain (success only) */
	/* IOMMU probe and domains */
	IA_HOOK_PROBE_DEVICE = 20,    /* iommu_probe_device(dev) */
	IA_HOOK_DOMAIN_ALLOC = 21,    /* iommu_paging_domain_alloc_flags(dev, flags) / iommu_paging_domain_alloc(dev): ret domain */
	IA_HOOK_DOMAIN_ALLOC_BUS = 22, /* iommu_domain_alloc(bus): ret domain */
	IA_HOOK_DOMAIN_FREE = 23,     /* iommu_domain_free(domain) */
	/* iommufd (drivers/iommu/iommufd) */
	IA_HOOK_IOMMUFD_BIND = 24,    /* iommufd_device_bind(ictx, dev, id): ret idev */
	IA_HOOK_IOMMUFD_UNBIND = 25,  /* iommufd_device_unbind(idev) */
	IA_HOOK_IOMMUFD_ATTACH = 26,  /* iommufd_device_attach(idev, ...) */
	IA_HOOK_IOMMUFD_REPLACE = 27, /* iommufd_device_replace(idev, ...) */
	IA_HOOK_IOMMUFD_DETACH = 28,  /* iommufd_device_detach(idev, ...) */
	IA_HOOK_HWPT_ALLOC = 29,      /* iommufd_hwpt_paging_alloc(ictx, ioas, idev, ...): ret hwpt */
	IA_HOOK_HWPT_ATTACH = 30,     /* iommufd_hw_pagetable_attach(hwpt, idev, ...) */
	IA_HOOK_IOMMUFD_RELEASE = 31, /* iommufd_fops_release(inode, filp): the context goes away */
	/* VFIO legacy container */
	IA_HOOK_TYPE1_ATTACH = 32,    /* vfio_iommu_type1_attach_group(data, group, type) */
	/* iommufd user interface */
	IA_HOOK_IOMMUFD_IOCTL = 33,   /* iommufd_fops_ioctl(filp, cmd, arg): arg[0] = cmd; every call is
				       * counted and timed in the kernel per _IOC_NR (map "ioctls",
				       * struct ia_hist); records stream for all but IOAS_MAP, IOAS_UNMAP
				       * and IOAS_COPY unless --trace-ioctls */
	IA_HOOK_IOAS_MAP = 34,	      /* iommufd_ioas_map(ucmd): arg[0] iova, [1] length, [2] ioas id
				       * (attached with --trace-ioctls only) */
	IA_HOOK_IOAS_UNMAP = 35,      /* iommufd_ioas_unmap(ucmd): the same */
	IA_HOOK_HWPT_DESTROY = 36,    /* iommufd_hwpt_paging_destroy(obj): obj_id2 */
	/*
	 * map/unmap: aggregated in the kernel (struct ia_hist). With --trace-maps
	 * also one IA_PH_FIRE record per call at its exit: domain, arg[0] iova,
	 * arg[1] the size asked for, arg[2] the latency in ns, ret as returned.
	 */
	IA_HOOK_MAP = 37,	      /* iommu_map(domain, iova, paddr, size, ...) */
	IA_HOOK_UNMAP = 38,	      /* iommu_unmap(domain, iova, size): ret bytes */
	IA_HOOK_MAP_SG = 39,	      /* iommu_map_sg(domain, iova, sg, nents, ...): ret bytes */
	IA_HOOK_UNMAP_FAST = 40,      /* iommu_unmap_fast(domain, iova, size, gather): ret bytes */
	IA_HOOK_TP_PAGE_FAULT = 41,   /* iommu:io_page_fault, counted per device */
	/* PASID attachments (drivers/iommu/iommu.c, 6.2+): pasid in ia_event.pasid */
	IA_HOOK_ATTACH_PASID = 42,    /* iommu_attach_device_pasid(domain, dev, pasid[, handle]) */
	IA_HOOK_REPLACE_PASID = 43,   /* iommu_replace_device_pasid(domain, dev, pasid, handle) (6.15+) */
	IA_HOOK_DETACH_PASID = 44,    /* iommu_detach_device_pasid(domain, dev, pasid) */
	IA_HOOK_DETACH_HANDLE = 45,   /* iommu_detach_group_handle(domain, group): iommufd's detach (6.11+) */
	IA_HOOK_TYPE1_DETACH = 46,    /* vfio_iommu_type1_detach_group(data, group): the container lets go */
	/*
	 * A PCI reset blocks the device's DMA (7.0+, drivers/iommu/iommu.c):
	 * prepare attaches the blocking domain keeping group->domain, done
	 * attaches group->domain again. Neither is an ownership change.
	 */
	IA_HOOK_RESET_PREPARE = 47,   /* pci_dev_reset_iommu_prepare(pdev) */
	IA_HOOK_RESET_DONE = 48,      /* pci_dev_reset_iommu_done(pdev) */
	/*
	 * iommufd objects of 6.13+ (vIOMMU, vDEVICE, vEVENTQ, HW queue) and
	 * fault queues: one IA_PH_FIRE record when an object becomes visible
	 * (iommufd_object_finalize(ictx, obj)): owner the context, obj_id the
	 * object, arg[0] its enum ia_obj_kind, arg[1] its vIOMMU (vDEVICE,
	 * vEVENTQ, HW queue) or its nesting parent hwpt (vIOMMU), arg[2] a
	 * vDEVICE's device object (dev/dev_name its device). Other kinds are
	 * not streamed.
	 */
	IA_HOOK_OBJ_FINALIZE = 49,
	IA_HOOK_OBJ_REMOVE = 50,      /* iommufd_object_remove(ictx, obj, id, flags): obj_id the object */
	IA_HOOK_MAX,
};

/* IA_HOOK_OBJ_FINALIZE: the iommufd object's kind (the kernel's enum iommufd_object_type varies). */
enum ia_obj_kind {
	IA_OBJ_NONE = 0,
	IA_OBJ_FAULT = 1,    /* IOMMU_FAULT_QUEUE_ALLOC (6.11+) */
	IA_OBJ_VIOMMU = 2,   /* IOMMU_VIOMMU_ALLOC (6.13+) */
	IA_OBJ_VDEVICE = 3,  /* IOMMU_VDEVICE_ALLOC (6.13+) */
	IA_OBJ_VEVENTQ = 4,  /* IOMMU_VEVENTQ_ALLOC (6.15+) */
	IA_OBJ_HW_QUEUE = 5, /* IOMMU_HW_QUEUE_ALLOC (6.17+) */
	IA_OBJ_MAX,
};

/* ia_event.flags */
#define IA_F_FENTRY   0x01 /* produced by fentry/fexit/tp_btf (else kprobe or classic tracepoint) */
#define IA_F_HAVE_DEV 0x02 /* dev/dev_name valid */
#define IA_F_HAVE_GRP 0x04 /* group_id/owner/owner_cnt/grp_* valid */
#define IA_F_HAVE_DOM 0x08 /* domain/domain_type valid */
#define IA_F_HAVE_DRV 0x10 /* drv_name valid */
#define IA_F_RELEASES 0x20 /* RELEASE_DRIVER: the call will unbind dev's driver */
#define IA_F_OWNER_KNOWN 0x40 /* group owner/owner_cnt readable (5.19+) */
#define IA_F_RET_PTR  0x80 /* exit: ret is a kernel pointer (or an ERR_PTR errno) */

/* Value for fields the probe could not read. */
#define IA_NO_GROUP (-1)
#define IA_NO_TYPE 0xffffffffu
/*
 * ia_event.pasid of a call on the whole device (its RID): the kernel's own
 * IOMMU_NO_PASID (include/linux/iommu.h, v6.5 "iommu: Generalize PASID 0
 * for normal DMA w/o PASID"), which iommufd passes for a RID attach.
 */
#define IA_NO_PASID 0u

/*
 * One traced call entry/exit or tracepoint firing. Pointers are kernel
 * addresses used only as identities (never dereferenced in user space).
 */
struct ia_event {
	__u16 type;	/* enum ia_rec_type */
	__u16 size;	/* sizeof(struct ia_event) */
	__u16 hook;	/* enum ia_hook */
	__u8 phase;	/* enum ia_phase */
	__u8 flags;	/* IA_F_* */
	__u64 ts_ns;	/* bpf_ktime_get_ns() */
	__u32 pid;	/* tgid */
	__u32 tid;
	__s64 ret;	/* exit: return value (0 for void functions) */
	__u64 dev;	/* struct device * */
	__u64 domain;	/* struct iommu_domain * passed to the call */
	__u64 owner;	/* the claimant or iommufd context the call acts for, 0 if none */
	__u64 group;	/* struct iommu_group * */
	__u64 grp_domain;	  /* group->domain at the time */
	__u64 grp_default_domain; /* group->default_domain */
	__u64 grp_owner;	  /* group->owner (5.19+): the current user owner */
	__s32 group_id;	/* group->id, IA_NO_GROUP if none */
	__u32 owner_cnt;	/* group->owner_cnt */
	__u32 domain_type;	/* domain->type, IA_NO_TYPE if none */
	__u32 grp_domain_type;	/* group->domain->type */
	__u64 dom_owner;	/* domain->owner: the iommu_ops that allocated it (6.12+) */
	__u64 dev_ops;		/* the device's iommu_ops (group hooks: its first device's) */
	__u32 obj_id;		/* iommufd: the device object's id */
	__u32 obj_id2;		/* iommufd: the hwpt object's id */
	__u64 arg[3];		/* per hook, see enum ia_hook */
	char dev_name[IA_NAME_LEN];
	char drv_name[IA_NAME_LEN];
	char comm[IA_COMM_LEN];
	/* ABI 5 */
	__u64 cgroup;		/* the task's cgroup v2 id (bpf_get_current_cgroup_id()), 0 if none */
	__u32 pasid;		/* the PASID the call acts on, IA_NO_PASID (0) for the RID */
	__u32 xflags;		/* 0: reserved */
};

/*
 * The ring buffer's short form of an exit whose record carries nothing but
 * its return value (most exits: on_exit in bpf/watch.bpf.c): 56 bytes
 * instead of 248, so that a burst takes a third less of the ring. Never
 * stored: the live session widens it into a struct ia_event (src/abi.c,
 * ia_event_widen) before the recording, the engine or an output sees it,
 * so recordings hold full events of the ABI above. Its first 32 bytes are
 * those of struct ia_event.
 */
struct ia_exit_rec {
	__u16 type;	/* IA_REC_EXIT */
	__u16 size;	/* sizeof(struct ia_exit_rec) */
	__u16 hook;
	__u8 phase;	/* IA_PH_EXIT */
	__u8 flags;
	__u64 ts_ns;
	__u32 pid;
	__u32 tid;
	__s64 ret;
	__u64 cgroup;
	char comm[IA_COMM_LEN];
};

/* In-kernel map/unmap latency: log2 nanosecond buckets, per domain and operation. */
#define IA_HIST_BUCKETS 32 /* bucket b counts [2^b, 2^(b+1)) ns; the last takes the rest */

enum ia_hist_op {
	IA_OP_MAP = 0,
	IA_OP_UNMAP = 1,
	IA_OP_MAP_SG = 2,
	IA_OP_UNMAP_FAST = 3,
	IA_OP_MAX,
};

struct ia_hist_key {
	__u64 domain; /* struct iommu_domain *; with IA_HK_FREED a group id (__s64, -1: none) */
	__u32 op;     /* enum ia_hist_op */
	__u32 flags;  /* 0 in the kernel */
};

/*
 * The key of the kernel's map "hists": the domain's address with the
 * operation in its low bits, 8 bytes to hash and compare instead of 16. A
 * struct iommu_domain is at least 8-byte aligned: kzalloc'd
 * (ARCH_KMALLOC_MINALIGN, include/linux/slab.h) or a static struct of
 * pointers (the drivers' identity and blocked domains).
 */
#define IA_HK_OP_MASK 7ull
/*
 * Bit 2 of the key is the epoch the call was counted in (the BPF global
 * hk_epoch, 0 or IA_HK_EPOCH): user space flips it, waits until no program
 * can still count under the old one, and only then takes a freed domain's
 * entries of the old epoch out of the map (src/retire.c). The operation
 * keeps bits 0-1.
 */
#define IA_HK_EPOCH 4ull
#define IA_HK_OP_BITS (IA_HK_EPOCH - 1)
/*
 * domain + op, which is domain | op for an aligned domain: an fexit program
 * holds the domain as a pointer (PTR_TO_BTF_ID), and the verifier refuses a
 * bitwise operation on a pointer but takes a constant added to it
 * (kernel/bpf/verifier.c, adjust_ptr_min_max_vals).
 */
static inline __u64 ia_hist_kkey(__u64 domain, __u32 op)
{
	return domain + op;
}

/* The iommufd ioctls' map "ioctls": one slot per _IOC_NR from the base (VFIO_BASE). */
#define IA_IOCTL_NR_BASE 0x64
#define IA_IOCTL_SLOTS 64

/*
 * User space only: the histograms of domains already freed, folded per
 * group they served, so that the kernel's map holds live domains alone.
 */
#define IA_HK_FREED 1

/*
 * Monotonic counters (per CPU in the kernel; user space sums them). The
 * same shape serves the iommufd ioctls, keyed by _IOC_NR (bytes unused).
 */
struct ia_hist {
	__u64 buckets[IA_HIST_BUCKETS];
	__u64 sum_ns;
	__u64 max_ns;
	__u64 calls;
	__u64 errors;
	__u64 bytes; /* mapped or unmapped, as the call reported */
};

/* iommu:io_page_fault per device */
struct ia_fault_key {
	char dev_name[IA_NAME_LEN];
};

/*
 * Counters in the BPF object's .bss, read by user space.
 */
struct ia_counters {
	__u64 events;	/* records submitted */
	__u64 drops;	/* bpf_ringbuf_reserve() failures */
};

/*
 * What the kernel-side maps could not take (.bss, read by user space):
 * nothing they refuse goes uncounted.
 */
struct ia_map_full {
	__u64 hist_starts; /* map/unmap/ioctl calls not timed: the start-stamp table was full */
	__u64 hists;	   /* map/unmap calls not counted: no room for their domain's histogram */
	__u64 ioctls;	   /* ioctls not counted: no room for the command's histogram */
	__u64 faults;	   /* page faults not counted: no room for the device */
	__u64 unstarted;   /* exits with no start stamp: begun before attach, or not stamped */
};

#ifndef __VMLINUX_H__
_Static_assert(sizeof(struct ia_map_full) == 40, "struct ia_map_full layout changed");
_Static_assert(sizeof(struct ia_event) == 248, "struct ia_event layout changed: bump IA_ABI_VERSION");
_Static_assert(__builtin_offsetof(struct ia_event, cgroup) == IA_EVENT_V4_SIZE,
	       "ABI 5 appends to the ABI 4 event: src/abi.c converts by that");
_Static_assert(sizeof(struct ia_counters) == 16, "struct ia_counters layout changed");
_Static_assert(sizeof(struct ia_exit_rec) == 56, "struct ia_exit_rec layout changed");
_Static_assert(__builtin_offsetof(struct ia_exit_rec, cgroup) == __builtin_offsetof(struct ia_event, dev),
	       "the short exit shares the event's first 32 bytes");
_Static_assert(sizeof(struct ia_hist) == 8 * (IA_HIST_BUCKETS + 5), "struct ia_hist has padding");
_Static_assert(sizeof(struct ia_hist_key) == 16, "struct ia_hist_key layout changed");
_Static_assert(IA_OP_MAX <= IA_HK_OP_MASK + 1, "the operation must fit the key's alignment bits");
_Static_assert(IA_OP_MAX <= IA_HK_EPOCH && (IA_HK_EPOCH | IA_HK_OP_BITS) == IA_HK_OP_MASK,
	       "the operation and the epoch must share the key's alignment bits");
_Static_assert(IA_IOCTL_NR_BASE + IA_IOCTL_SLOTS > 0xa0, "IOMMUFD_TEST_CMD must have a slot");
_Static_assert(IA_HOOK_MAX == 51, "hooks are append-only; update tables in src/hooks.c");
#else
_Static_assert(sizeof(struct ia_event) == 248, "struct ia_event layout changed");
#endif

#endif /* IOMMU_AUDIT_H */
