// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Choose, load and attach the watch probes; see include/loader.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "btfproto.h"
#include "grow.h"
#include "kstats.h"
#include "loader.h"
#include "caps.h"
#include "kmod.h"
#include "ksyms.h"
#include "watch.skel.h"

#define TRACEFS "/sys/kernel/tracing"

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level, (void)fmt, (void)ap;
	return 0;
}

/* -v: libbpf's warnings (verifier logs, attach errors); its debug chatter stays off. */
static int libbpf_loud(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/* Load a tiny tracing program against fn's BTF id; 0 or a negative errno. */
static int tracing_loads(const struct btf *vmlinux, const char *fn, enum bpf_attach_type type,
			 const struct bpf_insn *insns, size_t n)
{
	int id, fd;

	if (!vmlinux)
		return -ENOENT;
	id = btf__find_by_name_kind(vmlinux, fn, BTF_KIND_FUNC);
	if (id < 0)
		return -ENOENT;
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = type, .attach_btf_id = id);
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "ia_probe", "GPL", insns, n, &opts);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/*
 * The kernel's BTF object of a loaded module, by name: an fd (the caller
 * closes it) and its split BTF on top of vmlinux in *out. Walking the
 * kernel's BTF objects (BPF_BTF_GET_NEXT_ID, BPF_BTF_GET_FD_BY_ID) needs
 * CAP_SYS_ADMIN (kernel/bpf/syscall.c), hence --module-fentry. -errno.
 */
static int module_btf(const struct btf *vmlinux, const char *module, struct btf **out)
{
	char name[64];
	__u32 id = 0;

	while (!bpf_btf_get_next_id(id, &id)) {
		struct bpf_btf_info info = { .name = (__u64)(unsigned long)name, .name_len = sizeof(name) };
		__u32 len = sizeof(info);
		int fd = bpf_btf_get_fd_by_id(id);

		if (fd < 0)
			return -errno;
		if (bpf_obj_get_info_by_fd(fd, &info, &len) || !info.kernel_btf || strcmp(name, module)) {
			close(fd);
			continue;
		}
		*out = btf__load_from_kernel_by_id_split(id, (struct btf *)vmlinux);
		if (!*out) {
			close(fd);
			return -errno ? -errno : -ENOENT;
		}
		return fd;
	}
	return -ENOENT;
}

/* As fentry_loads, for a function of a loaded module, against its BTF. */
static int module_fentry_loads(const struct btf *vmlinux, const char *module, const char *fn)
{
	static const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct btf *mod = NULL;
	int btf_fd = vmlinux ? module_btf(vmlinux, module, &mod) : -ENOENT, id, fd;

	if (btf_fd < 0)
		return btf_fd;
	id = btf__find_by_name_kind(mod, fn, BTF_KIND_FUNC);
	if (id > 0) {
		LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_FENTRY,
			    .attach_btf_id = id, .attach_btf_obj_fd = btf_fd);
		fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "ia_probe", "GPL", insns, 2, &opts);
		id = fd < 0 ? -errno : 0;
		if (fd >= 0)
			close(fd);
	} else {
		id = -ENOENT;
	}
	btf__free(mod);
	close(btf_fd);
	return id;
}

/*
 * Can a BPF tracing program attach to fn? The kernel refuses with EPERM
 * under lockdown or a restricting LSM, EINVAL for notrace functions.
 */
static int fentry_loads(const struct btf *vmlinux, const char *fn)
{
	static const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};

	return tracing_loads(vmlinux, fn, BPF_TRACE_FENTRY, insns, 2);
}

/*
 * Our fexit programs read the return value with bpf_get_func_ret (v5.17,
 * commit f92c1e183604 "bpf: Add get_func_[arg|ret|arg_cnt] helpers").
 * libbpf's helper probe does not cover tracing programs: load one.
 */
static int fexit_ret_loads(const struct btf *vmlinux, const char *fn)
{
	static const struct bpf_insn insns[] = {
		/* *(u64 *)(r10 - 8) = 0; r2 = r10 - 8; bpf_get_func_ret(r1 = ctx, r2) */
		{ .code = BPF_ST | BPF_MEM | BPF_DW, .dst_reg = BPF_REG_10, .off = -8, .imm = 0 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = BPF_REG_2, .src_reg = BPF_REG_10 },
		{ .code = BPF_ALU64 | BPF_ADD | BPF_K, .dst_reg = BPF_REG_2, .imm = -8 },
		{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_get_func_ret },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};

	return tracing_loads(vmlinux, fn, BPF_TRACE_FEXIT, insns, 6);
}

/*
 * Does the kernel make kprobe_multi links? A program loads for one on
 * kernels that ignore a kprobe's expected attach type (Debian's 5.10) as
 * on those that know it (5.18), and only a kernel built with
 * CONFIG_FPROBE makes the link: without it bpf_kprobe_multi_link_attach
 * (kernel/trace/bpf_trace.c) is a stub returning EOPNOTSUPP, as on
 * Debian's 6.1; before 5.18 link_create refuses the attach type EINVAL.
 * Asked for a link on one symbol whose name is at a bad address, a kernel
 * that makes them goes as far as reading the name: EFAULT, nothing
 * attached.
 */
static bool kprobe_multi_loads(void)
{
	static const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_KPROBE_MULTI);
	LIBBPF_OPTS(bpf_link_create_opts, lo, .kprobe_multi.syms = (const char **)8, .kprobe_multi.cnt = 1);
	int fd = bpf_prog_load(BPF_PROG_TYPE_KPROBE, "ia_probe", "GPL", insns, 2, &opts), link;

	if (fd < 0)
		return false;
	link = bpf_link_create(fd, 0, BPF_TRACE_KPROBE_MULTI, &lo);
	if (link >= 0) /* not expected: a link is a link */
		close(link);
	close(fd);
	return link >= 0 || link == -EFAULT;
}

/*
 * Does RLIMIT_MEMLOCK keep this process from making its maps? Before
 * v5.11 (the series "bpf: switch to memcg-based memory accounting") a
 * map's memory is charged to the user's locked memory
 * and refused EPERM beyond RLIMIT_MEMLOCK; libbpf raises the limit, which
 * only root or CAP_SYS_RESOURCE may do past the hard one. Asked of the
 * kernel after a failed load: an array map twice the limit's size.
 */
static bool memlock_refuses(void)
{
	struct rlimit r;
	int fd;

	if (getrlimit(RLIMIT_MEMLOCK, &r) || r.rlim_cur == RLIM_INFINITY || r.rlim_cur > (1ull << 30))
		return false;
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "ia_probe", 4, 4096, (__u32)(2 * r.rlim_cur / 4096 + 16), NULL);
	if (fd >= 0) {
		close(fd);
		return false;
	}
	return fd == -EPERM;
}

/*
 * Does every bpf() command need CAP_BPF, even one on a file descriptor
 * already held (a map read, a link)? Before v6.5 __sys_bpf refused any
 * command to a caller without CAP_BPF (or CAP_SYS_ADMIN) while
 * kernel.unprivileged_bpf_disabled is set; since "bpf: Move unprivileged
 * checks into map_create() and bpf_prog_load()" only the commands that
 * create a map or load a program are gated. Asked of the kernel: a child
 * without CAP_BPF and CAP_SYS_ADMIN looks a key up in fd -1, refused
 * (EPERM) before the fd is looked at where the gate is, EBADF elsewhere.
 * Unknown (the child failed): gated, so that CAP_BPF is kept.
 */
static bool bpf_gated(void)
{
	pid_t pid = fork();
	int status, key = 0;
	long val;

	if (pid == 0)
		_exit(ia_caps_lose_bpf() ? 2 : !bpf_map_lookup_elem(-1, &key, &val) ? 3 : errno == EPERM ? 1 : 0);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return true;
	return WEXITSTATUS(status) != 0;
}

/*
 * May a tracing program use a hash map that is not preallocated? Refused
 * before v6.1 ("trace type programs can only use preallocated hash map";
 * lifted by commit 96da3f7d489d "bpf: Remove tracing program restriction
 * on map types"). Load a kprobe program that looks such a map up.
 */
static bool nonprealloc_loads(void)
{
	LIBBPF_OPTS(bpf_map_create_opts, mopts, .map_flags = BPF_F_NO_PREALLOC);
	int mfd = bpf_map_create(BPF_MAP_TYPE_PERCPU_HASH, "ia_probe", 4, 8, 1, &mopts), pfd;
	struct bpf_insn insns[] = {
		/* *(u32 *)(r10 - 4) = 0; r2 = r10 - 4; r1 = map; call map_lookup_elem; r0 = 0 */
		{ .code = BPF_ST | BPF_MEM | BPF_W, .dst_reg = BPF_REG_10, .off = -4, .imm = 0 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = BPF_REG_2, .src_reg = BPF_REG_10 },
		{ .code = BPF_ALU64 | BPF_ADD | BPF_K, .dst_reg = BPF_REG_2, .imm = -4 },
		{ .code = BPF_LD | BPF_DW | BPF_IMM, .dst_reg = BPF_REG_1, .src_reg = BPF_PSEUDO_MAP_FD,
		  .imm = mfd },
		{ 0 },
		{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_map_lookup_elem },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};

	if (mfd < 0)
		return false;
	pfd = bpf_prog_load(BPF_PROG_TYPE_KPROBE, "ia_probe", "GPL", insns, 8, NULL);
	close(mfd);
	if (pfd < 0)
		return false;
	close(pfd);
	return true;
}

/*
 * The per-CPU histogram map of domains. Preallocated, each entry costs every
 * CPU its 296 bytes whether used or not; where the kernel allows, entries
 * are made on first use instead, so memory follows the live domains (a
 * refused allocation is counted, and the call goes to hists_overflow). The
 * ioctl map is an array: one slot per command number, IA_IOCTL_SLOTS.
 */
static int size_hist_maps(struct ia_loader *l)
{
	struct bpf_map *hists = l->skel->maps.hists;
	int err;

	if (!l->feat.nonprealloc)
		return bpf_map__set_max_entries(hists, IA_HISTS_PREALLOC);
	err = bpf_map__set_max_entries(hists, IA_HISTS_MAX);
	if (!err)
		err = bpf_map__set_map_flags(hists, bpf_map__map_flags(hists) | BPF_F_NO_PREALLOC);
	return err;
}

/*
 * Readable by this process, capabilities counted: access() checks with the
 * real ids and, for a non-root user, no capability at all (fs/open.c:
 * access_override_creds), so it would refuse what CAP_DAC_READ_SEARCH allows.
 */
static bool readable(const char *path, int mode)
{
	return !faccessat(AT_FDCWD, path, mode, AT_EACCESS);
}

#define TRACEFS_MAGIC 0x74726163 /* include/uapi/linux/magic.h */

/*
 * Classic tracepoints and libbpf need tracefs: mounted (mounted here where
 * it is missing and the process may), and readable by this process: it is
 * root's alone (mode 0700) unless CAP_DAC_READ_SEARCH says otherwise.
 */
static void ensure_tracefs(struct ia_loader *l)
{
	struct statfs sfs;

	l->feat.tracefs_mounted = (!statfs(TRACEFS, &sfs) && sfs.f_type == TRACEFS_MAGIC) ||
				  !mount("tracefs", TRACEFS, "tracefs", 0, NULL);
	l->feat.tracefs = l->feat.tracefs_mounted && readable(TRACEFS "/events", X_OK);
	if (!l->feat.tracefs && readable("/sys/kernel/debug/tracing/events", X_OK))
		l->feat.tracefs_mounted = l->feat.tracefs = true; /* the old place, through debugfs */
}

static void probe_features(struct ia_loader *l)
{
	struct utsname u;

	if (!uname(&u))
		snprintf(l->release, sizeof(l->release), "%s", u.release);
	l->vmlinux = btf__load_vmlinux_btf();
	if (!l->vmlinux || libbpf_get_error(l->vmlinux))
		l->vmlinux = NULL;
	l->feat.btf = l->vmlinux != NULL;
	l->feat.kprobes = !access("/sys/bus/event_source/devices/kprobe/type", R_OK);
	ensure_tracefs(l);
	l->feat.fentry_err = l->feat.btf ? fentry_loads(l->vmlinux, "really_probe") : -ENOENT;
	l->feat.fentry = !l->feat.fentry_err;
	l->feat.get_func_ret = l->feat.fentry && !fexit_ret_loads(l->vmlinux, "really_probe");
	l->feat.nonprealloc = nonprealloc_loads();
	l->feat.kprobe_multi = l->feat.kprobes && kprobe_multi_loads();
	l->feat.task_storage = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_TASK_STORAGE, NULL) > 0;
	l->feat.bpf_gated = bpf_gated();
}

/* The hooks whose fentry/fexit pair keeps its start in task storage (bpf/watch.bpf.c: stamps). */
static bool times_in_task_storage(enum ia_hook id)
{
	return id == IA_HOOK_MAP || id == IA_HOOK_UNMAP || id == IA_HOOK_MAP_SG ||
	       id == IA_HOOK_UNMAP_FAST || id == IA_HOOK_IOMMUFD_IOCTL;
}

/*
 * A hook's programs by attach type: [via][0] the entry program (a
 * tracepoint's only one), [via][1] the exit program; NULL where none.
 */
struct hook_progs {
	struct bpf_program *p[IA_VIA_TRACEPOINT + 1][2];
};

/* bpf/watch.bpf.c names a hook's programs <hook>_fentry, _fexit, _kprobe, _kretprobe ... */
#define CALL_PROGS(s, n)                                                                      \
	(struct hook_progs){ .p = {                                                           \
		[IA_VIA_FENTRY] = { (s)->progs.n##_fentry, (s)->progs.n##_fexit },            \
		[IA_VIA_KPROBE] = { (s)->progs.n##_kprobe, (s)->progs.n##_kretprobe },        \
	} }
/* ... and <hook>_btf, _tp for a tracepoint. */
#define TP_PROGS(s, n)                                                                        \
	(struct hook_progs){ .p = {                                                           \
		[IA_VIA_TP_BTF] = { (s)->progs.n##_btf },                                     \
		[IA_VIA_TRACEPOINT] = { (s)->progs.n##_tp },                                  \
	} }

/*
 * Through the skeleton's fields, so that a program missing from the BPF
 * object fails the build, and through a switch on the enum, so that a hook
 * without its programs does too (-Wswitch).
 */
static struct hook_progs hook_progs(const struct watch_bpf *s, enum ia_hook id)
{
	switch (id) {
	case IA_HOOK_REALLY_PROBE: return CALL_PROGS(s, really_probe);
	case IA_HOOK_RELEASE_DRIVER: return CALL_PROGS(s, release_driver);
	case IA_HOOK_ATTACH_DEVICE: return CALL_PROGS(s, attach_device);
	case IA_HOOK_DETACH_DEVICE: return CALL_PROGS(s, detach_device);
	case IA_HOOK_ATTACH_GROUP: return CALL_PROGS(s, attach_group);
	case IA_HOOK_DETACH_GROUP: return CALL_PROGS(s, detach_group);
	case IA_HOOK_ATTACH_DEV_CORE: return CALL_PROGS(s, attach_dev_core);
	case IA_HOOK_SET_DOMAIN: return CALL_PROGS(s, set_domain);
	case IA_HOOK_ATTACH_HANDLE: return CALL_PROGS(s, attach_handle);
	case IA_HOOK_REPLACE_HANDLE: return CALL_PROGS(s, replace_handle);
	case IA_HOOK_GROUP_CLAIM: return CALL_PROGS(s, group_claim);
	case IA_HOOK_GROUP_RELEASE: return CALL_PROGS(s, group_release);
	case IA_HOOK_DEVICE_CLAIM: return CALL_PROGS(s, device_claim);
	case IA_HOOK_DEVICE_RELEASE: return CALL_PROGS(s, device_release);
	case IA_HOOK_USE_DEFAULT: return CALL_PROGS(s, use_default);
	case IA_HOOK_UNUSE_DEFAULT: return CALL_PROGS(s, unuse_default);
	case IA_HOOK_TP_ADD_GROUP: return TP_PROGS(s, tp_add_group);
	case IA_HOOK_TP_REMOVE_GROUP: return TP_PROGS(s, tp_remove_group);
	case IA_HOOK_TP_ATTACH: return TP_PROGS(s, tp_attach);
	case IA_HOOK_PROBE_DEVICE: return CALL_PROGS(s, probe_device);
	case IA_HOOK_DOMAIN_ALLOC: return CALL_PROGS(s, domain_alloc);
	case IA_HOOK_DOMAIN_ALLOC_BUS: return CALL_PROGS(s, domain_alloc_bus);
	case IA_HOOK_DOMAIN_FREE: return CALL_PROGS(s, domain_free);
	case IA_HOOK_IOMMUFD_BIND: return CALL_PROGS(s, iommufd_bind);
	case IA_HOOK_IOMMUFD_UNBIND: return CALL_PROGS(s, iommufd_unbind);
	case IA_HOOK_IOMMUFD_ATTACH: return CALL_PROGS(s, iommufd_attach);
	case IA_HOOK_IOMMUFD_REPLACE: return CALL_PROGS(s, iommufd_replace);
	case IA_HOOK_IOMMUFD_DETACH: return CALL_PROGS(s, iommufd_detach);
	case IA_HOOK_HWPT_ALLOC: return CALL_PROGS(s, hwpt_alloc);
	case IA_HOOK_HWPT_ATTACH: return CALL_PROGS(s, hwpt_attach);
	case IA_HOOK_IOMMUFD_RELEASE: return CALL_PROGS(s, iommufd_release);
	case IA_HOOK_TYPE1_ATTACH: return CALL_PROGS(s, type1_attach);
	case IA_HOOK_IOMMUFD_IOCTL: return CALL_PROGS(s, iommufd_ioctl);
	case IA_HOOK_IOAS_MAP: return CALL_PROGS(s, ioas_map);
	case IA_HOOK_IOAS_UNMAP: return CALL_PROGS(s, ioas_unmap);
	case IA_HOOK_HWPT_DESTROY: return CALL_PROGS(s, hwpt_destroy);
	case IA_HOOK_MAP: return CALL_PROGS(s, map);
	case IA_HOOK_UNMAP: return CALL_PROGS(s, unmap);
	case IA_HOOK_MAP_SG: return CALL_PROGS(s, map_sg);
	case IA_HOOK_UNMAP_FAST: return CALL_PROGS(s, unmap_fast);
	case IA_HOOK_TP_PAGE_FAULT: return TP_PROGS(s, tp_page_fault);
	case IA_HOOK_ATTACH_PASID: return CALL_PROGS(s, attach_pasid);
	case IA_HOOK_REPLACE_PASID: return CALL_PROGS(s, replace_pasid);
	case IA_HOOK_DETACH_PASID: return CALL_PROGS(s, detach_pasid);
	case IA_HOOK_DETACH_HANDLE: return CALL_PROGS(s, detach_handle);
	case IA_HOOK_TYPE1_DETACH: return CALL_PROGS(s, type1_detach);
	case IA_HOOK_RESET_PREPARE: return CALL_PROGS(s, reset_prepare);
	case IA_HOOK_RESET_DONE: return CALL_PROGS(s, reset_done);
	case IA_HOOK_OBJ_FINALIZE: return CALL_PROGS(s, obj_finalize);
	case IA_HOOK_OBJ_REMOVE: return CALL_PROGS(s, obj_remove);
	case IA_HOOK_NONE:
	case IA_HOOK_MAX:
		break;
	}
	return (struct hook_progs){ 0 };
}

/*
 * A hook's programs for one of its targets: as hook_progs(), but where a
 * target returns another struct, the exit programs that read that one.
 * iommufd_hw_pagetable_alloc (6.4-6.6) returns the struct
 * iommufd_hw_pagetable itself, not the struct iommufd_hwpt_paging of 6.7+
 * around it (bpf/watch.bpf.c: on_exit_hwpt): each pair is loaded only for
 * its own target, so neither relocates against a struct the kernel lacks
 * (libbpf would look for it in module BTF, which needs CAP_SYS_ADMIN). The
 * prototype check holds the target's return type to the one its programs
 * read (src/protos.c).
 */
static struct hook_progs target_progs(const struct watch_bpf *s, enum ia_hook id, const char *t)
{
	struct hook_progs hp = hook_progs(s, id);

	if (id == IA_HOOK_HWPT_ALLOC && t && !strcmp(t, "iommufd_hw_pagetable_alloc")) {
		hp.p[IA_VIA_FENTRY][1] = s->progs.hwpt_alloc_hwpt_fexit;
		hp.p[IA_VIA_KPROBE][1] = s->progs.hwpt_alloc_hwpt_kretprobe;
	}
	return hp;
}

/* The program for the target chosen now (st->target). */
static struct bpf_program *hook_prog(const struct ia_loader *l, const struct ia_hook_info *h,
				     enum ia_via via, int k)
{
	return target_progs(l->skel, h->id, l->st[h->id].target).p[via][k];
}

static void set_why(struct ia_probe_status *st, int err, const char *fmt, ...)
{
	va_list ap;

	st->err = err;
	va_start(ap, fmt);
	vsnprintf(st->why, sizeof(st->why), fmt, ap);
	va_end(ap);
}

static void enable_fentry(struct ia_loader *l, const struct ia_hook_info *h, const char *t)
{
	struct bpf_program *entry = hook_prog(l, h, IA_VIA_FENTRY, 0);
	struct bpf_program *exit = hook_prog(l, h, IA_VIA_FENTRY, 1);

	bpf_program__set_autoload(entry, true);
	bpf_program__set_autoload(exit, true);
	bpf_program__set_attach_target(entry, 0, t);
	bpf_program__set_attach_target(exit, 0, t);
}

/*
 * Kprobes through perf events, or through kprobe_multi links (v5.18,
 * commit 0dcac2725406 "bpf: Add multi kprobe link": fprobe, no perf
 * event) where perf events are refused to this process: perf_event_open
 * asks CAP_SYS_ADMIN where perf_event_paranoid is above 2 (Debian's patch
 * and default of 3), while BPF_LINK_CREATE for a kprobe_multi link asks
 * no capability of its own (kernel/bpf/syscall.c link_create,
 * kernel/trace/bpf_trace.c bpf_kprobe_multi_link_attach). Such a link on
 * a module's function holds a reference on the module (commit
 * e22061b2d309 "bpf: Take module reference on kprobe_multi link"), so
 * that it cannot be unloaded meanwhile: used only where perf events are
 * refused.
 */
static void enable_kprobe(struct ia_loader *l, const struct ia_hook_info *h)
{
	bpf_program__set_autoload(hook_prog(l, h, IA_VIA_KPROBE, 0), true);
	bpf_program__set_autoload(hook_prog(l, h, IA_VIA_KPROBE, 1), true);
	l->kprobe_multi = l->feat.kprobe_multi && ia_perf_paranoid() > 2 && !ia_caps_admin();
	if (!l->kprobe_multi)
		return;
	bpf_program__set_expected_attach_type(hook_prog(l, h, IA_VIA_KPROBE, 0), BPF_TRACE_KPROBE_MULTI);
	bpf_program__set_expected_attach_type(hook_prog(l, h, IA_VIA_KPROBE, 1), BPF_TRACE_KPROBE_MULTI);
}

/* Why fentry is not used for a target that exists. */
static const char *fentry_why(const struct ia_loader *l, bool force_kprobes, int err)
{
	if (force_kprobes)
		return "fentry not wanted (-k)";
	if (!l->feat.fentry)
		return l->feat.fentry_err == -EPERM ? "fentry refused by the kernel (EPERM)" :
						      "fentry unavailable";
	if (!l->feat.get_func_ret)
		return "fexit cannot read return values (no bpf_get_func_ret)";
	return err == -EINVAL ? "fentry refused (notrace?)" : "fentry refused";
}

/*
 * A hook whose functions are absent now: in a module not loaded (attached
 * through kprobes when it loads: kprobe programs need no target until they
 * attach, fentry ones need the module's BTF at load), or truly absent.
 */
static int choose_absent(struct ia_loader *l, const struct ia_hook_info *h)
{
	struct ia_probe_status *st = &l->st[h->id];
	enum ia_kmod_state ks = h->module ? ia_kmod_state("", l->release, h->module) : IA_KMOD_BUILTIN;

	st->target = h->targets[0];
	if (ks == IA_KMOD_AVAILABLE && l->feat.kprobes && l->no_late_attach) {
		set_why(st, -ENOENT, "in module %s, not loaded now; --no-late-attach: not attached when it loads",
			h->module);
		return -ENOENT;
	}
	if (ks == IA_KMOD_AVAILABLE && l->feat.kprobes) {
		st->late = true;
		enable_kprobe(l, h);
		set_why(st, -ENOENT, "in module %s, not loaded now: attaches (kprobe) when it loads", h->module);
		return -ENOENT;
	}
	if (ks == IA_KMOD_AVAILABLE)
		set_why(st, -ENOENT, "in module %s, not loaded now; no kprobes to attach it later", h->module);
	else if (ks == IA_KMOD_LOADED)
		set_why(st, -ENOENT, "module %s loaded, but without %s (absent or inlined)", h->module,
			h->targets[0]);
	else if (ks == IA_KMOD_ABSENT)
		set_why(st, -ENOENT, "not in this kernel: no module %s", h->module);
	else
		set_why(st, -ENOENT, "not in this kernel (absent or inlined): %s%s%s", h->targets[0],
			h->targets[1] ? ", " : "", h->targets[1] ? h->targets[1] : "");
	return -ENOENT;
}

/*
 * Does t's prototype in the running kernel's BTF give the hook's programs
 * what they read (src/protos.c)? The module's BTF is read from
 * /sys/kernel/btf, which anyone may read. A mismatch leaves the hook
 * missing with the reason (true); a target no BTF describes (a module on a
 * kernel without module BTF, such as Debian's 5.10) attaches unchecked,
 * and why says so while err stays 0. Every table entry reads only
 * positions that mean the same in all the argument counts it accepts.
 */
static bool proto_refused(struct ia_loader *l, const struct ia_hook_info *h, const char *t)
{
	struct ia_probe_status *st = &l->st[h->id];
	struct btf *mod = NULL;
	enum ia_proto_verdict v;
	char why[sizeof(st->why)];
	int err = -ENOENT;

	if (h->module)
		mod = ia_btf_module("/sys/kernel/btf", h->module, l->vmlinux, &err);
	v = ia_btf_check_target(l->vmlinux, mod, h->module, ia_protos, t, why, sizeof(why));
	btf__free(mod);
	if (v == IA_PROTO_OK)
		return false;
	if (v == IA_PROTO_NO_BTF && err != -ENOENT) { /* there, but unreadable */
		set_why(st, 0, "%s: /sys/kernel/btf/%s does not parse (%s): prototype not checked", t,
			h->module, strerror(-err));
		return false;
	}
	if (v == IA_PROTO_NO_BTF || v == IA_PROTO_ABSENT) {
		set_why(st, 0, "%s%s", why, v == IA_PROTO_ABSENT ? ": prototype not checked" : "");
		return false;
	}
	set_why(st, -EPROTO, "%s", why);
	return true;
}

/* Enable the program pair for a call hook; returns 0 when one was chosen. */
static int choose_call(struct ia_loader *l, const struct ia_hook_info *h, const struct ia_ksyms *ks,
		       bool force_kprobes, bool module_fentry)
{
	struct ia_probe_status *st = &l->st[h->id];
	bool fentry_ok = !force_kprobes && l->feat.fentry && l->feat.get_func_ret &&
			 (l->feat.task_storage || !times_in_task_storage(h->id));
	/* a module loaded now, through its BTF (opt-in): pinned until the end, no late attach */
	bool mod_fentry = fentry_ok && module_fentry && h->module &&
			  ia_kmod_state("", l->release, h->module) == IA_KMOD_LOADED;

	for (int i = 0; i < IA_MAX_TARGETS && h->targets[i]; i++) {
		const char *t = h->targets[i];
		bool in_ksyms = ia_ksyms_has(ks, t);
		int ferr = fentry_ok ? fentry_loads(l->vmlinux, t) : -EOPNOTSUPP;

		if (ferr && mod_fentry)
			ferr = module_fentry_loads(l->vmlinux, h->module, t);
		st->target = t;
		if ((!ferr || (in_ksyms && l->feat.kprobes)) && proto_refused(l, h, t))
			return -EPROTO;
		if (!ferr) {
			st->via = IA_VIA_FENTRY;
			enable_fentry(l, h, t);
			return 0;
		}
		if (in_ksyms && l->feat.kprobes) {
			st->via = IA_VIA_KPROBE;
			/* a module's function: attached again if the module goes and comes back */
			st->late = h->module && !l->no_late_attach &&
				   ia_kmod_state("", l->release, h->module) == IA_KMOD_LOADED;
			enable_kprobe(l, h);
			return 0;
		}
		if (in_ksyms || (l->vmlinux && btf__find_by_name_kind(l->vmlinux, t, BTF_KIND_FUNC) > 0)) {
			set_why(st, fentry_ok ? ferr : -EOPNOTSUPP, "%s: %s; %s", t,
				fentry_why(l, force_kprobes, ferr),
				l->feat.kprobes ? "not in kallsyms" : "the kernel has no kprobes");
			return -EOPNOTSUPP;
		}
	}
	return choose_absent(l, h);
}

static bool tp_btf_exists(const struct btf *vmlinux, const char *target)
{
	char name[96];
	const char *ev = strchr(target, '/');

	snprintf(name, sizeof(name), "btf_trace_%s", ev ? ev + 1 : target);
	return vmlinux && btf__find_by_name_kind(vmlinux, name, BTF_KIND_TYPEDEF) > 0;
}

static bool tracepoint_exists(const char *target)
{
	char path[160];

	snprintf(path, sizeof(path), TRACEFS "/events/%s/id", target);
	if (readable(path, R_OK))
		return true;
	snprintf(path, sizeof(path), "/sys/kernel/debug/tracing/events/%s/id", target);
	return readable(path, R_OK);
}

static int choose_tp(struct ia_loader *l, const struct ia_hook_info *h, bool force_kprobes)
{
	struct ia_probe_status *st = &l->st[h->id];
	const char *t = h->targets[0];

	st->target = t;
	if (!force_kprobes && l->feat.fentry && tp_btf_exists(l->vmlinux, t)) {
		st->via = IA_VIA_TP_BTF;
		bpf_program__set_autoload(hook_prog(l, h, IA_VIA_TP_BTF, 0), true);
		return 0;
	}
	if (l->feat.tracefs && tracepoint_exists(t)) {
		st->via = IA_VIA_TRACEPOINT;
		bpf_program__set_autoload(hook_prog(l, h, IA_VIA_TRACEPOINT, 0), true);
		return 0;
	}
	set_why(st, -ENOENT, "tracepoint %s %s", t,
		l->feat.tracefs ? "not in this kernel" :
		l->feat.tracefs_mounted ? "unreachable: tracefs is not readable by this user (root's, or CAP_DAC_READ_SEARCH)" :
					  "unreachable: tracefs not mounted");
	return -ENOENT;
}

/* Hooks that run only on request: a record per IOAS map/unmap call. */
static bool requested(const struct ia_loader_opts *o, unsigned int id)
{
	return o->trace_ioctls || (id != IA_HOOK_IOAS_MAP && id != IA_HOOK_IOAS_UNMAP);
}

static void choose_all(struct ia_loader *l, const struct ia_loader_opts *o, bool force_kprobes)
{
	const struct ia_ksyms *ks = o->ksyms;

	for (unsigned int id = 1; id < IA_HOOK_MAX; id++) {
		const struct ia_hook_info *h = ia_hook_info(id);

		memset(&l->st[id], 0, sizeof(l->st[id]));
		if (!h)
			continue;
		if (!requested(o, id)) {
			l->st[id].target = h->targets[0];
			set_why(&l->st[id], 0, "not requested (--trace-ioctls streams every IOAS map/unmap)");
			continue;
		}
		if (h->kind == IA_KIND_CALL)
			choose_call(l, h, ks, force_kprobes || l->fentry_failed[id][0], o->module_fentry);
		else
			choose_tp(l, h, force_kprobes);
	}
}

/*
 * A kprobe through a kprobe_multi link (fprobe: no perf event) where the
 * program was loaded for one; else through a perf event, which kernels with
 * perf_event_paranoid above 2 (Debian's default of 3) refuse without
 * CAP_SYS_ADMIN.
 */
static struct bpf_link *attach_one(struct bpf_program *p, enum ia_via via, bool ret, const char *t)
{
	if (via == IA_VIA_KPROBE && bpf_program__expected_attach_type(p) == BPF_TRACE_KPROBE_MULTI) {
		LIBBPF_OPTS(bpf_kprobe_multi_opts, mo, .syms = &t, .cnt = 1, .retprobe = ret);

		return bpf_program__attach_kprobe_multi_opts(p, NULL, &mo);
	}
	if (via == IA_VIA_KPROBE)
		return bpf_program__attach_kprobe(p, ret, t);
	return bpf_program__attach(p);
}

static void detach_hook(struct ia_loader *l, unsigned int id)
{
	for (int k = 0; k < 2; k++) {
		bpf_link__destroy(l->links[id][k]);
		l->links[id][k] = NULL;
	}
}

/*
 * What a perf-event kprobe or classic tracepoint refused for want of a
 * capability lacked: perf_event_open asks CAP_SYS_ADMIN where
 * perf_event_paranoid is above 2 (Debian's patch), perf_kprobe_event_init
 * CAP_PERFMON (kernel/events/core.c). Kprobes take kprobe_multi links
 * instead where the kernel has them (enable_kprobe); a classic tracepoint
 * has no such way (tp_btf is the one without perf events).
 */
static const char *perf_refused(const struct ia_loader *l, enum ia_via via, int err)
{
	bool kp = via == IA_VIA_KPROBE && !l->kprobe_multi;

	if ((!kp && via != IA_VIA_TRACEPOINT) || (err != -EACCES && err != -EPERM))
		return "";
	/* short: the reason is 160 bytes with the target's name (recordings keep it so) */
	if (ia_perf_paranoid() <= 2)
		return " (perf events need CAP_PERFMON)";
	return kp && !l->feat.kprobe_multi ? " (needs CAP_SYS_ADMIN: perf_event_paranoid>2, no kprobe_multi)"
					   : " (needs CAP_SYS_ADMIN: perf_event_paranoid>2)";
}

/* Attach entry and exit together: half a hook would yield unpaired records. */
static void attach_hook(struct ia_loader *l, const struct ia_hook_info *h)
{
	struct ia_probe_status *st = &l->st[h->id];
	const struct hook_progs hp = target_progs(l->skel, h->id, st->target);

	for (int k = 0; k < 2 && hp.p[st->via][k]; k++) {
		struct bpf_link *link = attach_one(hp.p[st->via][k], st->via, k == 1, st->target);
		int err = libbpf_get_error(link);

		if (err || !link) {
			detach_hook(l, h->id);
			if (st->via == IA_VIA_FENTRY && l->feat.kprobes)
				snprintf(l->fentry_failed[h->id], sizeof(l->fentry_failed[h->id]),
					 "fentry attach failed: %s", strerror(err ? -err : EINVAL));
			set_why(st, err ? err : -EINVAL, "%s %s attach failed: %s%s",
				ia_via_name(st->via), st->target, strerror(err ? -err : EINVAL),
				perf_refused(l, st->via, err));
			st->via = IA_VIA_NONE;
			return;
		}
		l->links[h->id][k] = link;
	}
}

int ia_loader_attached(const struct ia_loader *l)
{
	int n = 0;

	for (unsigned int id = 1; id < IA_HOOK_MAX; id++)
		n += l->st[id].via != IA_VIA_NONE;
	return n;
}

/* Every program of the hook, whichever target they are for. */
static void disable_hook(struct ia_loader *l, const struct ia_hook_info *h)
{
	for (int i = 0; i < IA_MAX_TARGETS && h->targets[i]; i++) {
		const struct hook_progs hp = target_progs(l->skel, h->id, h->targets[i]);

		for (int via = IA_VIA_NONE; via <= IA_VIA_TRACEPOINT; via++)
			for (int k = 0; k < 2; k++)
				if (hp.p[via][k])
					bpf_program__set_autoload(hp.p[via][k], false);
	}
}

/*
 * Keep only the hooks wanted: not in skip (the verifier refused them), and
 * when only is set, that one hook alone.
 */
static void keep_hooks(struct ia_loader *l, const bool *skip, unsigned int only)
{
	for (unsigned int id = 1; id < IA_HOOK_MAX; id++) {
		struct ia_probe_status *st = &l->st[id];

		if (st->via == IA_VIA_NONE || ((!skip || !skip[id]) && (!only || id == only)))
			continue;
		disable_hook(l, ia_hook_info(id));
		st->via = IA_VIA_NONE;
		if (skip && skip[id])
			set_why(st, -EACCES, "%s: the kernel's verifier refused the program (-v shows its log)",
				st->target);
	}
}

/*
 * A type of the running kernel's BTF by name and kind: vmlinux's, else the
 * world-readable /sys/kernel/btf/<module> (no capability needed). *b is
 * the BTF it is in, *mod what to free afterwards (NULL for vmlinux). The
 * type, or NULL.
 */
static const struct btf_type *kernel_type(const struct ia_loader *l, const char *name, int kind,
					  const char *module, const struct btf **b, struct btf **mod)
{
	int id, err;

	*b = l->vmlinux;
	*mod = NULL;
	id = *b ? btf__find_by_name_kind(*b, name, kind) : -ENOENT;
	if (id < 0 && *b && module) {
		*mod = ia_btf_module("/sys/kernel/btf", module, l->vmlinux, &err);
		*b = *mod;
		id = *b ? btf__find_by_name_kind(*b, name, kind) : -ENOENT;
	}
	return id > 0 ? btf__type_by_id(*b, id) : NULL;
}

/* The number of arguments of function fn in the running kernel's BTF, or -ENOENT. */
static int func_nargs(const struct ia_loader *l, const char *fn, const char *module)
{
	const struct btf *b;
	struct btf *mod;
	const struct btf_type *t = kernel_type(l, fn, BTF_KIND_FUNC, module, &b, &mod);
	int n;

	t = t ? btf__type_by_id(b, t->type) : NULL;
	n = t && btf_is_func_proto(t) ? btf_vlen(t) : -ENOENT;
	btf__free(mod);
	return n;
}

/* The release's "major.minor" at least maj.min. */
static bool release_at_least(const char *release, int maj, int min)
{
	int a = 0, b = 0;

	return sscanf(release, "%d.%d", &a, &b) == 2 && (a > maj || (a == maj && b >= min));
}

/*
 * Whether iommufd's attach/replace/detach take a PASID (v6.15): from the
 * kernel's BTF when the function is there; for iommufd built as a module
 * and not loaded yet, from the release.
 */
/* The value of enumerator name of enum type in the running kernel's BTF, or -1. */
static int enum_value(const struct ia_loader *l, const char *type, const char *name, const char *module)
{
	const struct btf *b;
	struct btf *mod;
	const struct btf_type *t = kernel_type(l, type, BTF_KIND_ENUM, module, &b, &mod);
	int val = -1;

	for (int i = 0; t && i < btf_vlen(t); i++)
		if (!strcmp(btf__name_by_offset(b, btf_enum(t)[i].name_off), name))
			val = btf_enum(t)[i].val;
	btf__free(mod);
	return val;
}

/* The byte offset of member name in struct type in the running kernel's BTF, or -1. */
static int member_offset(const struct ia_loader *l, const char *type, const char *name, const char *module)
{
	const struct btf *b;
	struct btf *mod;
	const struct btf_type *t = kernel_type(l, type, BTF_KIND_STRUCT, module, &b, &mod);
	int off = t ? ia_btf_member_offset(b, type, name) : -ENOENT;

	btf__free(mod);
	return off < 0 ? -1 : off;
}

/*
 * enum iommufd_object_type grows in the middle (IOMMUFD_OBJ_SELFTEST is 7
 * on 6.12, 11 on 7.3): the object kinds the probe names, by their values
 * in this kernel (-1: the kernel has no such object), and where their
 * links sit (bpf/watch.bpf.c reads them without CO-RE: see there why).
 */
static void set_obj_types(struct ia_loader *l)
{
	static const char *const names[IA_OBJ_MAX] = {
		[IA_OBJ_FAULT] = "IOMMUFD_OBJ_FAULT",
		[IA_OBJ_VIOMMU] = "IOMMUFD_OBJ_VIOMMU",
		[IA_OBJ_VDEVICE] = "IOMMUFD_OBJ_VDEVICE",
		[IA_OBJ_VEVENTQ] = "IOMMUFD_OBJ_VEVENTQ",
		[IA_OBJ_HW_QUEUE] = "IOMMUFD_OBJ_HW_QUEUE",
	};

	struct watch_bpf__rodata *ro = l->skel->rodata;

	for (int k = 1; k < IA_OBJ_MAX; k++)
		ro->obj_types[k] = enum_value(l, "iommufd_object_type", names[k], "iommufd");
	/* drivers/iommu/iommufd/iommufd_private.h of 7.3: the links each kind holds */
	ro->off_viommu_hwpt = member_offset(l, "iommufd_viommu", "hwpt", "iommufd");
	ro->off_vdevice_viommu = member_offset(l, "iommufd_vdevice", "viommu", "iommufd");
	ro->off_vdevice_idev = member_offset(l, "iommufd_vdevice", "idev", "iommufd");
	ro->off_veventq_viommu = member_offset(l, "iommufd_veventq", "viommu", "iommufd");
	ro->off_hw_queue_viommu = member_offset(l, "iommufd_hw_queue", "viommu", "iommufd");
}

static bool iommufd_takes_pasid(const struct ia_loader *l)
{
	int n = func_nargs(l, "iommufd_device_detach", "iommufd");

	return n >= 0 ? n == 2 : release_at_least(l->release, 6, 15);
}

static int open_and_load(struct ia_loader *l, const struct ia_loader_opts *o, bool force_kprobes,
			 const bool *skip, unsigned int only)
{
	int err;

	watch_bpf__destroy(l->skel);
	l->skel = watch_bpf__open();
	if (!l->skel)
		return -errno ? -errno : -ENOMEM;
	err = bpf_map__set_max_entries(l->skel->maps.events, o->ringbuf_bytes);
	if (err)
		return err;
	err = size_hist_maps(l);
	if (err)
		return err;
	/* the fexit timing path's map, where the kernel has the type (else its programs stay unloaded) */
	if (!l->feat.task_storage)
		bpf_map__set_autocreate(l->skel->maps.stamps, false);
	/* records wait in the ring until a quarter of it is used, or the next poll */
	l->skel->rodata->wakeup_bytes = o->ringbuf_bytes / 4;
	l->skel->rodata->trace_ioctls = o->trace_ioctls;
	l->skel->rodata->trace_maps = o->trace_maps;
	l->skel->rodata->iommufd_pasid_arg = iommufd_takes_pasid(l);
	set_obj_types(l);
	choose_all(l, o, force_kprobes);
	keep_hooks(l, skip, only);
	/* the chosen release target says what its second argument is (bpf/watch.bpf.c) */
	l->skel->rodata->release_drv_arg = !l->st[IA_HOOK_RELEASE_DRIVER].target ||
					   strcmp(l->st[IA_HOOK_RELEASE_DRIVER].target, "__device_release_driver");
	return watch_bpf__load(l->skel);
}

/*
 * One program the verifier refuses fails the whole object: find which
 * hooks' programs load on their own, and go on without the others (a newer
 * or older kernel should cost a hook, not the run).
 */
static int load_without_rejected(struct ia_loader *l, const struct ia_loader_opts *o, bool force)
{
	bool skip[IA_HOOK_MAX] = { false };
	int rejected = 0;

	for (unsigned int id = 1; id < IA_HOOK_MAX; id++) {
		if (!open_and_load(l, o, force, NULL, id))
			continue;
		if (l->st[id].via == IA_VIA_NONE)
			return -EINVAL; /* fails with no hook at all: not a program's fault */
		skip[id] = true;
		rejected++;
	}
	if (!rejected)
		return -EINVAL;
	return open_and_load(l, o, force, skip, 0);
}

/* Load the object, dropping what the verifier refuses, kprobes as a whole as a last resort. */
static int load_all(struct ia_loader *l, const struct ia_loader_opts *o)
{
	int err = open_and_load(l, o, o->force_kprobes, NULL, 0);

	if (err && err != -EPERM)
		err = load_without_rejected(l, o, o->force_kprobes);
	if (err && err != -EPERM && !o->force_kprobes) {
		/* still nothing: try kprobes as a whole rather than lose the run */
		err = open_and_load(l, o, true, NULL, 0);
		if (err && err != -EPERM)
			err = load_without_rejected(l, o, true);
	}
	return err;
}

static void attach_all(struct ia_loader *l)
{
	for (unsigned int id = 1; id < IA_HOOK_MAX; id++) {
		const struct ia_hook_info *h = ia_hook_info(id);
		struct ia_probe_status *st = &l->st[id];

		if (st->via != IA_VIA_NONE)
			attach_hook(l, h);
		if (st->via == IA_VIA_KPROBE && l->fentry_failed[id][0] && !st->why[0])
			snprintf(st->why, sizeof(st->why), "%s, through kprobes instead",
				 l->fentry_failed[id]);
		if (st->late) /* the module instance it was tried on (0: not loaded) */
			st->instance = ia_kmod_instance("", h->module);
	}
}

static void detach_all(struct ia_loader *l)
{
	for (unsigned int id = 1; id < IA_HOOK_MAX; id++)
		detach_hook(l, id);
}

/* Whether a hook's fentry attach failed where kprobes could take it (not tried yet). */
static bool fentry_refused_any(const struct ia_loader *l)
{
	for (unsigned int id = 1; id < IA_HOOK_MAX; id++)
		if (l->fentry_failed[id][0] && l->st[id].via == IA_VIA_NONE)
			return true;
	return false;
}

int ia_loader_start(struct ia_loader *l, const struct ia_loader_opts *o, char *msg, size_t msglen)
{
	int err;

	memset(l, 0, sizeof(*l));
	l->no_late_attach = o->no_late_attach;
	libbpf_set_print(o->verbose ? libbpf_loud : libbpf_quiet);
	probe_features(l);
	err = load_all(l, o);
	if (err && memlock_refuses()) {
		struct rlimit r = { 0 };

		getrlimit(RLIMIT_MEMLOCK, &r);
		snprintf(msg, msglen, "loading BPF programs failed: %s (this kernel charges BPF maps to "
			 "RLIMIT_MEMLOCK, %llu KiB here: raise it, e.g. LimitMEMLOCK=infinity, or grant "
			 "CAP_SYS_RESOURCE)", strerror(-err), (unsigned long long)r.rlim_cur / 1024);
		return err;
	}
	if (err) {
		snprintf(msg, msglen, "loading BPF programs failed: %s%s", strerror(-err),
			 err == -EPERM ? " (run as root, with CAP_BPF and CAP_PERFMON)" :
					 " (-v shows libbpf's log)");
		return err;
	}
	err = ia_grace_open(&l->grace);
	if (err) {
		snprintf(msg, msglen, "creating the map that waits out running programs failed: %s",
			 strerror(-err));
		return err;
	}
	l->have_grace = true;
	attach_all(l);
	if (fentry_refused_any(l)) {
		/* program types are fixed at load: load again, those hooks as kprobes */
		detach_all(l);
		err = load_all(l, o);
		if (err) {
			snprintf(msg, msglen, "loading BPF programs again with kprobes failed: %s",
				 strerror(-err));
			return err;
		}
		attach_all(l);
	}
	if (!ia_loader_attached(l)) {
		snprintf(msg, msglen, "no probe could attach on this kernel (-v says why for each)");
		return -ENOENT;
	}
	l->skel->bss->ready = true;
	return 0;
}

/* A late hook's kprobes, on whichever of its targets the loaded module has. */
static void attach_late(struct ia_loader *l, const struct ia_hook_info *h, __u64 instance)
{
	struct ia_probe_status *st = &l->st[h->id];

	for (int i = 0; i < IA_MAX_TARGETS && h->targets[i]; i++) {
		char note[sizeof(st->why)];

		st->via = IA_VIA_NONE;
		st->target = h->targets[i];
		st->why[0] = '\0';
		if (bpf_program__fd(hook_prog(l, h, IA_VIA_KPROBE, 1)) < 0) {
			/* the programs loaded at the start are another target's (target_progs()) */
			set_why(st, -ENOENT, "%s: its exit programs were not loaded at the start", st->target);
			continue;
		}
		if (proto_refused(l, h, st->target))
			break; /* missing, with the mismatch */
		snprintf(note, sizeof(note), "%s", st->why); /* "not checked", or nothing */
		st->via = IA_VIA_KPROBE;
		attach_hook(l, h); /* on failure: via none, and why */
		if (st->via != IA_VIA_NONE) {
			st->err = 0;
			snprintf(st->why, sizeof(st->why), "%s", note);
			break;
		}
	}
	st->instance = instance; /* tried on this instance: not again until it changes */
}

int ia_loader_refresh(struct ia_loader *l, unsigned int *changed, int max)
{
	int n = 0;

	for (unsigned int id = 1; l->skel && id < IA_HOOK_MAX; id++) {
		struct ia_probe_status *st = &l->st[id];
		const struct ia_hook_info *h = ia_hook_info(id);
		bool attached = st->via != IA_VIA_NONE;
		__u64 inst;

		if (!st->late)
			continue;
		inst = ia_kmod_instance("", h->module);
		if (inst == st->instance)
			continue;
		if (attached) {
			detach_hook(l, id); /* its kprobes died with the module's text */
			st->via = IA_VIA_NONE;
			st->instance = 0;
			set_why(st, -ENOENT, "module %s unloaded: attaches (kprobe) when it loads again",
				h->module);
		}
		st->instance = inst;
		if (inst)
			attach_late(l, h, inst);
		if (n < max)
			changed[n++] = id;
	}
	return n;
}

int ia_loader_ringbuf_fd(const struct ia_loader *l)
{
	return bpf_map__fd(l->skel->maps.events);
}

void ia_loader_counters(const struct ia_loader *l, __u64 *events, __u64 *drops)
{
	*events = l->skel ? l->skel->bss->counters.events : 0;
	*drops = l->skel ? l->skel->bss->counters.drops : 0;
}

void ia_loader_stop(struct ia_loader *l)
{
	if (l->skel)
		l->skel->bss->ready = false;
	for (unsigned int id = 1; id < IA_HOOK_MAX; id++)
		detach_hook(l, id);
	watch_bpf__destroy(l->skel);
	if (l->have_grace)
		ia_grace_close(&l->grace);
	l->have_grace = false;
	btf__free(l->vmlinux);
	l->skel = NULL;
	l->vmlinux = NULL;
}

/* One key's per-CPU values, summed. */
static int percpu_sum(int fd, const void *k, int ncpus, struct ia_hist *sum)
{
	struct ia_hist *percpu = calloc((size_t)ncpus, sizeof(*percpu));
	int err = 0;

	if (!percpu)
		return -ENOMEM;
	memset(sum, 0, sizeof(*sum));
	if (bpf_map_lookup_elem(fd, k, percpu))
		err = -errno;
	for (int c = 0; !err && c < ncpus; c++)
		ia_hist_add(sum, &percpu[c]);
	free(percpu);
	return err;
}

/* kkey: the kernel's key, ia_hist_kkey(domain, op). */
static int add_hist(struct ia_kstats *k, __u64 kkey, const struct ia_hist *h)
{
	int err = ia_grow((void **)&k->hists, &k->hists_cap, k->nhists + 1, sizeof(*k->hists));

	if (err)
		return err;
	/* both epochs' entries of a domain: ia_kstats_sort sums them */
	k->hists[k->nhists].key = (struct ia_hist_key){ .domain = kkey & ~IA_HK_OP_MASK,
							.op = (__u32)(kkey & IA_HK_OP_BITS) };
	k->hists[k->nhists++].h = *h;
	return 0;
}

/* Every live domain's histograms (map hists), summed over CPUs. */
static int read_hists(int fd, int ncpus, struct ia_kstats *k)
{
	struct ia_hist sum;
	__u64 key, prev;
	bool first = true;
	int err = 0;

	while (!err && !bpf_map_get_next_key(fd, first ? NULL : &prev, &key)) {
		prev = key;
		first = false;
		err = percpu_sum(fd, &key, ncpus, &sum);
		if (!err)
			err = add_hist(k, key, &sum);
		else if (err == -ENOENT) /* its domain freed and taken meanwhile */
			err = 0;
	}
	return err;
}

/* The ioctl commands that were called (map ioctls, one slot per number), summed over CPUs. */
static int read_ioctls(int fd, int ncpus, struct ia_kstats *k)
{
	struct ia_hist sum;
	int err = 0;

	for (__u32 slot = 0; !err && slot < IA_IOCTL_SLOTS; slot++) {
		err = percpu_sum(fd, &slot, ncpus, &sum);
		if (err || !sum.calls)
			continue;
		err = ia_grow((void **)&k->ioctls, &k->ioctls_cap, k->nioctls + 1,
			      sizeof(*k->ioctls));
		if (!err) {
			k->ioctls[k->nioctls].nr = IA_IOCTL_NR_BASE + slot;
			k->ioctls[k->nioctls++].h = sum;
		}
	}
	return err;
}

/* Calls counted without their domain (hists_overflow): under group -1, with the freed domains. */
static int read_overflow(const struct ia_loader *l, int ncpus, struct ia_kstats *k)
{
	int fd = bpf_map__fd(l->skel->maps.hists_overflow), err = 0;
	struct ia_hist sum;

	for (__u32 op = 0; !err && op < IA_OP_MAX; op++) {
		err = percpu_sum(fd, &op, ncpus, &sum);
		if (!err && sum.calls)
			err = ia_kstats_add_freed(k, -1, op, &sum);
	}
	return err;
}

static int read_faults(const struct ia_loader *l, struct ia_kstats *k)
{
	int fd = bpf_map__fd(l->skel->maps.faults), err = 0;
	struct ia_fault_key key, prev;
	bool first = true;
	__u64 count;

	while (!err && !bpf_map_get_next_key(fd, first ? NULL : &prev, &key)) {
		prev = key;
		first = false;
		if (bpf_map_lookup_elem(fd, &key, &count))
			continue;
		err = ia_grow((void **)&k->faults, &k->faults_cap, k->nfaults + 1, sizeof(*k->faults));
		if (err)
			break;
		memcpy(k->faults[k->nfaults].dev, key.dev_name, sizeof(key.dev_name));
		k->faults[k->nfaults].dev[IA_NAME_LEN - 1] = 0;
		k->faults[k->nfaults++].n = count;
	}
	return err;
}

int ia_loader_kstats(const struct ia_loader *l, __u64 mono_ns, struct ia_kstats *k)
{
	int ncpus = libbpf_num_possible_cpus(), err;

	memset(k, 0, sizeof(*k));
	if (ncpus <= 0)
		return ncpus ? ncpus : -EINVAL;
	k->mono_ns = mono_ns;
	ia_loader_counters(l, &k->submitted, &k->drops);
	k->full = l->skel->bss->map_full;
	k->have_full = true;
	err = read_hists(bpf_map__fd(l->skel->maps.hists), ncpus, k);
	if (!err)
		err = read_ioctls(bpf_map__fd(l->skel->maps.ioctls), ncpus, k);
	if (!err)
		err = read_overflow(l, ncpus, k);
	if (!err)
		err = read_faults(l, k);
	if (err)
		ia_kstats_free(k);
	else
		ia_kstats_sort(k);
	return err;
}

int ia_loader_hist_flip(struct ia_loader *l, __u64 *quiet)
{
	__u64 old = l->skel->bss->hk_epoch;

	__atomic_store_n(&l->skel->bss->hk_epoch, old ^ IA_HK_EPOCH, __ATOMIC_SEQ_CST);
	*quiet = old;
	return ia_grace_wait(&l->grace);
}

/*
 * Read a key's per-CPU values, summed, and delete it. The key's epoch is
 * quiet (ia_loader_hist_flip): no program adds to it any more, so a lookup
 * then a delete, where the kernel has no lookup_and_delete for this map
 * (before v5.14, commit 3e87f192b405), loses nothing either.
 */
static int take_percpu(int fd, const void *key, int ncpus, struct ia_hist *sum)
{
	struct ia_hist *percpu = calloc((size_t)ncpus, sizeof(*percpu));
	int err = 0;

	if (!percpu)
		return -ENOMEM;
	memset(sum, 0, sizeof(*sum));
	if (bpf_map_lookup_and_delete_elem(fd, key, percpu)) {
		err = -errno;
		if (err == -EINVAL || err == -524 /* ENOTSUPP */ || err == -EOPNOTSUPP) {
			err = bpf_map_lookup_elem(fd, key, percpu) ? -errno : 0;
			if (!err && bpf_map_delete_elem(fd, key))
				err = -errno;
		}
	}
	for (int c = 0; !err && c < ncpus; c++)
		ia_hist_add(sum, &percpu[c]);
	free(percpu);
	return err;
}

int ia_loader_take_domain(const struct ia_loader *l, __u64 domain, __u64 epoch,
			  struct ia_hist h[IA_OP_MAX], bool have[IA_OP_MAX])
{
	int ncpus = libbpf_num_possible_cpus(), fd = bpf_map__fd(l->skel->maps.hists);

	if (ncpus <= 0)
		return ncpus ? ncpus : -EINVAL;
	for (unsigned int op = 0; op < IA_OP_MAX; op++) {
		__u64 key = ia_hist_kkey(domain, op) + epoch;
		int err = take_percpu(fd, &key, ncpus, &h[op]);

		have[op] = !err;
		if (err && err != -ENOENT) /* ENOENT: not called in that epoch */
			return err;
	}
	return 0;
}
