// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * iommu-drive: drives the kernel's user-DMA interfaces from inside a test
 * guest, one step at a time, so that a scenario script can assert the exact
 * outcome of every step while `iommu-audit watch` traces what the kernel did.
 *
 *   cdev-bind BDF [--attach] [--hold-until FILE]   VFIO cdev + iommufd
 *   mock-domain                                    iommufd mock IOMMU device
 *   mock-soft [--unresolved]                       incompatible domain, then
 *                                                  a compatible one
 *   container GROUP [GROUP...] [--hold-until FILE] legacy VFIO container
 *   write PATH STRING                              one write(2), e.g. a
 *                                                  sysfs driver bind
 *   map-loop BDF N LENGTH                          N IOAS map+unmap pairs of
 *                                                  LENGTH bytes on the device's
 *                                                  domain (VFIO cdev + iommufd)
 *   map-serve BDF LENGTH [huge]                    the same set-up and one
 *                                                  buffer (2 MiB huge pages:
 *                                                  huge), then a map-loop
 *                                                  step for each line "N
 *                                                  [PID]" on stdin, until its
 *                                                  end (other_ns: PID's CPU
 *                                                  time during the loop)
 *
 * Every step prints one line
 *
 *   step NAME ret=0 (OK) [KEY=VALUE...]
 *   step NAME ret=-ERRNO (ERRNAME)
 *
 * (KEY=VALUE: the ids the kernel returned, on success only). A step that
 * fails ends the subcommand (except where the failure is the point of it)
 * and the cleanup steps that apply still run and print. Every step is
 * expected to return 0 unless `--expect NAME=ERR` (ERR: an errno name such
 * as EPERM, a number, or OK) says otherwise; mock-soft expects
 * replace-dirty=EINVAL by default. A result other than the expected one adds
 * `unexpected NAME want=ERRNAME`, as does a step named by --expect that
 * never ran (`... not-run`). The last line is `result ok` (exit 0) or `result fail`
 * (exit 1); usage errors exit 2. cdev-bind --hold-until prints
 * `holding until=FILE` once everything is set up, then polls for FILE (at
 * most 600 s) before it detaches and closes (container --hold-until: the
 * same, holding the groups in the container): a script waits for that line,
 * acts, then creates FILE.
 *
 * Steps, in order (a container's per-group steps are suffixed :GROUP):
 *   cdev-bind    open-iommu find-cdev open-cdev bind [ioas-alloc attach]
 *                [hold] [detach] close-cdev close-iommu
 *   mock-domain  open-iommu ioas-alloc mock-domain destroy close-iommu
 *   mock-soft    open-iommu ioas-alloc mock-nodirty mock-dirty
 *                hwpt-alloc-dirty replace-dirty [hwpt-alloc replace]
 *                close-iommu
 *   container    open-container check-ext {open status set-container}:G...
 *                set-iommu (after the first group) buffer map unmap
 *                [hold] close:G... close-container
 *   write        write
 *
 * Built against the 6.12 uapi headers: scripts/uapi-headers build/uapi, then
 * gcc -O2 -Wall -Wextra -Werror -Ibuild/uapi tests/vm/progs/iommu-drive.c \
 *     -o build/progs/iommu-drive
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <linux/vfio.h>
#include "iommufd_test.h"

#define MAX_EXPECT	32
#define MAX_GROUPS	8
#define STEP_NAME_MAX	48
#define HOLD_POLL_MS	100
#define HOLD_MAX_S	600
#define DMA_IOVA	(1UL << 20)
#define DMA_SIZE	(1UL << 20)

struct expect {
	char step[STEP_NAME_MAX];
	int err;		/* positive errno, 0 for success */
	bool seen;
	bool required;		/* from --expect: must run (defaults need not) */
};

struct drive {
	const struct subcmd *cmd;
	struct expect expects[MAX_EXPECT];
	int n_expects;
	int unexpected;
	/* options */
	bool attach;
	bool unresolved;
	const char *hold_until;
	char **args;
	int n_args;
};

struct subcmd {
	const char *name;
	const char *usage;
	int min_args, max_args;
	/* step names (the part before ':'), for checking --expect */
	const char *const *steps;
	/* defaults other than success, "name=ERR" */
	const char *const *defaults;
	int (*run)(struct drive *d);
};

/* ---------------------------------------------------------------------- */
/* Errno names and expectations                                           */

static const char *err_name(int err)
{
	static char buf[16];
	const char *name;

	if (err == 0)
		return "OK";
	name = strerrorname_np(err);
	if (name)
		return name;
	snprintf(buf, sizeof(buf), "E%d", err);
	return buf;
}

/* Parses "EPERM", "OK", "0" or "22" into a positive errno; -1 if invalid. */
static int parse_err(const char *s)
{
	const char *name;
	char *end;
	long v;
	int e;

	if (!strcmp(s, "OK"))
		return 0;
	errno = 0;
	v = strtol(s, &end, 10);
	if (!errno && end != s && !*end)
		return v > -4096 && v < 4096 ? labs(v) : -1;
	for (e = 1; e < 4096; e++) {
		name = strerrorname_np(e);
		if (name && !strcmp(name, s))
			return e;
	}
	return -1;
}

static bool step_known(const struct subcmd *cmd, const char *step)
{
	size_t len = strcspn(step, ":");
	const char *const *s;

	for (s = cmd->steps; *s; s++)
		if (strlen(*s) == len && !strncmp(*s, step, len))
			return true;
	return false;
}

/* Adds "NAME=ERR"; returns -1 on a malformed or unknown one. */
static int add_expect(struct drive *d, const char *spec, bool required)
{
	const char *eq = strrchr(spec, '=');
	struct expect *e;
	size_t len;
	int i;

	if (!eq || eq == spec)
		return -1;
	len = eq - spec;
	if (len >= STEP_NAME_MAX)
		return -1;
	for (i = 0; i < d->n_expects; i++)
		if (strlen(d->expects[i].step) == len &&
		    !strncmp(d->expects[i].step, spec, len))
			break;
	if (i == MAX_EXPECT)
		return -1;
	e = &d->expects[i];
	memcpy(e->step, spec, len);
	e->step[len] = '\0';
	e->err = parse_err(eq + 1);
	e->required = required;
	if (e->err < 0 || !step_known(d->cmd, e->step))
		return -1;
	if (i == d->n_expects)
		d->n_expects++;
	return 0;
}

static struct expect *find_expect(struct drive *d, const char *step)
{
	int i;

	for (i = 0; i < d->n_expects; i++)
		if (!strcmp(d->expects[i].step, step))
			return &d->expects[i];
	return NULL;
}

/*
 * Prints the step's line and checks it against its expectation. The
 * printf-style details are printed only when the step succeeded. Returns ret.
 */
__attribute__((format(printf, 4, 5)))
static int step(struct drive *d, const char *name, int ret, const char *fmt, ...)
{
	struct expect *e = find_expect(d, name);
	int want = e ? e->err : 0;
	va_list ap;

	printf("step %s ret=%d (%s)", name, ret, err_name(-ret));
	if (ret == 0 && fmt && *fmt) {
		putchar(' ');
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
	}
	putchar('\n');
	if (e)
		e->seen = true;
	if (-ret != want) {
		printf("unexpected %s want=%s\n", name, err_name(want));
		d->unexpected++;
	}
	return ret;
}

/* Reports expectations for steps that never ran and the overall result. */
static int finish(struct drive *d)
{
	int i;

	for (i = 0; i < d->n_expects; i++) {
		if (d->expects[i].seen || !d->expects[i].required)
			continue;
		printf("unexpected %s want=%s not-run\n", d->expects[i].step,
		       err_name(d->expects[i].err));
		d->unexpected++;
	}
	printf("result %s\n", d->unexpected ? "fail" : "ok");
	return d->unexpected ? 1 : 0;
}

/* ---------------------------------------------------------------------- */
/* Syscall helpers: 0 or a file descriptor on success, -errno on failure   */

static int sys_open(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static int sys_close(int fd)
{
	return close(fd) ? -errno : 0;
}

static int sys_ioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) < 0 ? -errno : 0;
}

/* An ioctl whose argument is a value and whose result is a count. */
static int sys_ioctl_val(int fd, unsigned long req, unsigned long arg)
{
	int ret = ioctl(fd, req, arg);

	return ret < 0 ? -errno : ret;
}

static int close_step(struct drive *d, const char *name, int *fd)
{
	int ret;

	if (*fd < 0)
		return 0;
	ret = sys_close(*fd);
	*fd = -1;
	return step(d, name, ret, NULL);
}

/* ---------------------------------------------------------------------- */
/* iommufd                                                                 */

static int open_iommufd(struct drive *d, int *fd)
{
	int ret = sys_open("/dev/iommu", O_RDWR);

	*fd = ret;
	return step(d, "open-iommu", ret < 0 ? ret : 0, "fd=%d", ret);
}

static int ioas_alloc(struct drive *d, int fd, __u32 *ioas_id)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };
	int ret = sys_ioctl(fd, IOMMU_IOAS_ALLOC, &cmd);

	*ioas_id = cmd.out_ioas_id;
	return step(d, "ioas-alloc", ret, "ioas=%u", cmd.out_ioas_id);
}

/* IOMMU_HWPT_ALLOC: a paging hwpt for device dev_id on IOAS ioas_id. */
static int hwpt_alloc(struct drive *d, const char *name, int fd, __u32 dev_id,
		      __u32 ioas_id, __u32 flags, __u32 *hwpt_id)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dev_id = dev_id,
		.pt_id = ioas_id,
		.data_type = IOMMU_HWPT_DATA_NONE,
	};
	int ret = sys_ioctl(fd, IOMMU_HWPT_ALLOC, &cmd);

	*hwpt_id = cmd.out_hwpt_id;
	return step(d, name, ret, "hwpt=%u dev=%u flags=0x%x", cmd.out_hwpt_id,
		    dev_id, flags);
}

static int destroy_obj(struct drive *d, const char *name, int fd, __u32 id)
{
	struct iommu_destroy cmd = { .size = sizeof(cmd), .id = id };

	return step(d, name, sys_ioctl(fd, IOMMU_DESTROY, &cmd), "id=%u", id);
}

/* ---------------------------------------------------------------------- */
/* cdev-bind: VFIO_DEVICE_BIND_IOMMUFD, optionally attach, optionally hold   */

/* "03:01.0" -> "0000:03:01.0"; a full address is copied. */
static int full_bdf(const char *bdf, char *out, size_t size)
{
	const char *colon = strchr(bdf, ':');
	int n;

	if (colon && strchr(colon + 1, ':'))
		n = snprintf(out, size, "%s", bdf);
	else
		n = snprintf(out, size, "0000:%s", bdf);
	return n > 0 && (size_t)n < size ? 0 : -ENAMETOOLONG;
}

/* /sys/bus/pci/devices/BDF/vfio-dev/vfioN -> /dev/vfio/devices/vfioN */
static int cdev_path(const char *bdf, char *out, size_t size)
{
	char dir[256];
	struct dirent *de;
	int ret = -ENOENT;
	DIR *dp;

	snprintf(dir, sizeof(dir), "/sys/bus/pci/devices/%s/vfio-dev", bdf);
	dp = opendir(dir);
	if (!dp)
		return -errno;
	errno = 0;
	while ((de = readdir(dp))) {
		if (strncmp(de->d_name, "vfio", 4))
			continue;
		snprintf(out, size, "/dev/vfio/devices/%s", de->d_name);
		ret = 0;
		break;
	}
	if (ret && errno)
		ret = -errno;
	if (closedir(dp) && !ret)
		ret = -errno;
	return ret;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Polls until path exists; -ETIMEDOUT after HOLD_MAX_S. */
static int hold_until(struct drive *d, const char *path)
{
	long waited_ms;
	int ret = -ETIMEDOUT;

	printf("holding until=%s\n", path);
	if (fflush(stdout))
		return step(d, "hold", -errno, NULL);
	for (waited_ms = 0; waited_ms < HOLD_MAX_S * 1000L;
	     waited_ms += HOLD_POLL_MS) {
		if (!access(path, F_OK)) {
			ret = 0;
			break;
		}
		sleep_ms(HOLD_POLL_MS);
	}
	return step(d, "hold", ret, "file=%s", path);
}

static int cdev_bind_device(struct drive *d, int cdev, int iommufd)
{
	struct vfio_device_bind_iommufd bind = {
		.argsz = sizeof(bind),
		.iommufd = iommufd,
	};
	int ret = sys_ioctl(cdev, VFIO_DEVICE_BIND_IOMMUFD, &bind);

	return step(d, "bind", ret, "devid=%u", bind.out_devid);
}

static int cdev_attach(struct drive *d, int cdev, __u32 pt_id)
{
	struct vfio_device_attach_iommufd_pt attach = {
		.argsz = sizeof(attach),
		.pt_id = pt_id,
	};
	int ret = sys_ioctl(cdev, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach);

	/* pt_id comes back as the hwpt the device was attached to */
	return step(d, "attach", ret, "ioas=%u hwpt=%u", pt_id, attach.pt_id);
}

static int cdev_detach(struct drive *d, int cdev)
{
	struct vfio_device_detach_iommufd_pt detach = {
		.argsz = sizeof(detach),
	};

	return step(d, "detach",
		    sys_ioctl(cdev, VFIO_DEVICE_DETACH_IOMMUFD_PT, &detach),
		    NULL);
}

/* Open the device's cdev and bind it; with --attach, attach it to an IOAS. */
static int cdev_setup_ioas(struct drive *d, int iommufd, int *cdev, bool *attached,
			   __u32 *ioas_out)
{
	char bdf[64], path[300] = "";
	__u32 ioas_id;
	int ret;

	ret = full_bdf(d->args[0], bdf, sizeof(bdf));
	if (!ret)
		ret = cdev_path(bdf, path, sizeof(path));
	if (step(d, "find-cdev", ret, "dev=%s cdev=%s", bdf, path))
		return ret;
	ret = sys_open(path, O_RDWR);
	*cdev = ret;
	if (step(d, "open-cdev", ret < 0 ? ret : 0, "fd=%d", ret))
		return ret;
	ret = cdev_bind_device(d, *cdev, iommufd);
	if (ret || !d->attach)
		return ret;
	ret = ioas_alloc(d, iommufd, &ioas_id);
	if (ret)
		return ret;
	ret = cdev_attach(d, *cdev, ioas_id);
	*attached = !ret;
	*ioas_out = ioas_id;
	return ret;
}

static int cdev_setup(struct drive *d, int iommufd, int *cdev, bool *attached)
{
	__u32 ioas_id;

	return cdev_setup_ioas(d, iommufd, cdev, attached, &ioas_id);
}

static int cmd_cdev_bind(struct drive *d)
{
	int iommufd, cdev = -1;
	bool attached = false;

	if (!open_iommufd(d, &iommufd) &&
	    !cdev_setup(d, iommufd, &cdev, &attached) && d->hold_until)
		hold_until(d, d->hold_until);
	if (attached)
		cdev_detach(d, cdev);
	/* closing the cdev unbinds it from iommufd: the DMA owner is released */
	close_step(d, "close-cdev", &cdev);
	close_step(d, "close-iommu", &iommufd);
	return finish(d);
}

/* ---------------------------------------------------------------------- */
/* IOAS map/unmap loop (exactness test, benchmark)                          */

static int ioas_map(int fd, __u32 ioas_id, void *buf, __u64 len, __u64 *iova)
{
	struct iommu_ioas_map m = {
		.size = sizeof(m),
		.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = ioas_id,
		.user_va = (uintptr_t)buf,
		.length = len,
	};
	int ret = sys_ioctl(fd, IOMMU_IOAS_MAP, &m);

	*iova = m.iova;
	return ret;
}

static int ioas_unmap(int fd, __u32 ioas_id, __u64 iova, __u64 len)
{
	struct iommu_ioas_unmap u = {
		.size = sizeof(u), .ioas_id = ioas_id, .iova = iova, .length = len,
	};
	int ret = sys_ioctl(fd, IOMMU_IOAS_UNMAP, &u);

	return ret ? ret : (u.length == len ? 0 : -EIO);
}

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

/*
 * The buffer's physically contiguous runs (from /proc/self/pagemap; PFNs
 * need CAP_SYS_ADMIN, else 0): iommufd's pages.c hands the domain one
 * iommu_map() per contiguous run of pinned pages, so this is the number of
 * iommu_map calls one IOAS map of the buffer makes (-1: unreadable).
 */
static long phys_runs(void *buf, __u64 len)
{
	long pages = (long)(len / 4096), runs = 0, i;
	__u64 e, prev = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		return -1;
	for (i = 0; i < pages; i++) {
		if (pread(fd, &e, sizeof(e), ((uintptr_t)buf / 4096 + i) * sizeof(e)) != sizeof(e)) {
			runs = -1;
			break;
		}
		e &= (1ull << 55) - 1;
		if (!i || e != prev + 1)
			runs++;
		prev = e;
	}
	close(fd);
	return runs;
}

/*
 * The CPU time process pid has had, all threads (/proc/PID/task/TID/schedstat:
 * nanoseconds on the CPU, user and kernel); 0 for pid 0 or when unreadable.
 */
static __u64 cpu_ns(long pid)
{
	char path[64], line[128];
	unsigned long long ns, sum = 0;
	struct dirent *e;
	DIR *dir;
	FILE *f;

	if (pid <= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%ld/task", pid);
	dir = opendir(path);
	if (!dir)
		return 0;
	while ((e = readdir(dir))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(line, sizeof(line), "%s/%.20s/schedstat", path, e->d_name);
		f = fopen(line, "r");
		if (!f)
			continue;
		if (fscanf(f, "%llu", &ns) == 1)
			sum += ns;
		fclose(f);
	}
	closedir(dir);
	return sum;
}

/*
 * The pairs: one step line with the count done, the time they took, the
 * buffer's contiguous runs (see phys_runs) and the CPU time process `other`
 * (a tracer's collector) had meanwhile. Its CPU time is read inside the
 * timed window, so what it counts is part of what the window counts (read
 * outside, a collector woken between the two reads was counted in its CPU
 * time and not in the window's); the caller passes some process for every
 * mode, so every window holds the same reads.
 */
static int map_pairs(struct drive *d, int fd, __u32 ioas_id, void *buf, long n, __u64 len,
		     long other)
{
	__u64 t0 = now_ns(), c0 = cpu_ns(other), iova = 0, t1, c1;
	long i;
	int ret = 0;

	for (i = 0; i < n && !ret; i++) {
		ret = ioas_map(fd, ioas_id, buf, len, &iova);
		if (!ret)
			ret = ioas_unmap(fd, ioas_id, iova, len);
	}
	c1 = cpu_ns(other);
	t1 = now_ns();
	return step(d, "map-loop", ret, "pairs=%ld length=%llu ns=%llu runs=%ld other_ns=%llu",
		    ret ? i - 1 : i, (unsigned long long)len, (unsigned long long)(t1 - t0),
		    phys_runs(buf, len), (unsigned long long)(c1 - c0));
}

static int cmd_map_loop(struct drive *d)
{
	long n = strtol(d->args[1], NULL, 0);
	long long len = strtoll(d->args[2], NULL, 0);
	int iommufd, cdev = -1, ret;
	bool attached = false;
	__u32 ioas_id = 0;
	void *buf = MAP_FAILED;

	if (n <= 0 || len <= 0 || len % 4096) {
		fprintf(stderr, "iommu-drive: map-loop wants N > 0 and a LENGTH in whole pages\n");
		return 2;
	}
	d->attach = true;
	if (open_iommufd(d, &iommufd))
		return finish(d);
	ret = cdev_setup_ioas(d, iommufd, &cdev, &attached, &ioas_id);
	if (!ret) {
		buf = mmap(NULL, (size_t)len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
			   -1, 0);
		ret = step(d, "buffer", buf == MAP_FAILED ? -errno : 0, "bytes=%lld", len);
	}
	if (!ret)
		map_pairs(d, iommufd, ioas_id, buf, n, (__u64)len, 0);
	if (buf != MAP_FAILED)
		munmap(buf, (size_t)len);
	if (attached)
		cdev_detach(d, cdev);
	close_step(d, "close-cdev", &cdev);
	close_step(d, "close-iommu", &iommufd);
	return finish(d);
}

/*
 * One process, one buffer, many loops: every loop maps the same physical
 * pages, so the number of iommu_map calls per pair stays the same from one
 * loop to the next (a new buffer per loop changes it: see phys_runs).
 */
static int cmd_map_serve(struct drive *d)
{
	long long len = strtoll(d->args[1], NULL, 0);
	bool huge = d->n_args > 2;
	int iommufd, cdev = -1, ret;
	bool attached = false;
	__u32 ioas_id = 0;
	void *buf = MAP_FAILED;
	char line[64];

	if (len <= 0 || len % (huge ? 2 << 20 : 4096) || (huge && strcmp(d->args[2], "huge"))) {
		fprintf(stderr, "iommu-drive: map-serve wants a LENGTH in whole pages (huge: 2 MiB ones)\n");
		return 2;
	}
	d->attach = true;
	if (open_iommufd(d, &iommufd))
		return finish(d);
	ret = cdev_setup_ioas(d, iommufd, &cdev, &attached, &ioas_id);
	if (!ret) {
		buf = mmap(NULL, (size_t)len, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE | (huge ? MAP_HUGETLB : 0), -1, 0);
		ret = step(d, "buffer", buf == MAP_FAILED ? -errno : 0, "bytes=%lld huge=%d runs=%ld",
			   len, huge, buf == MAP_FAILED ? -1 : phys_runs(buf, (__u64)len));
	}
	while (!ret && fgets(line, sizeof(line), stdin)) {
		char *end;
		long n = strtol(line, &end, 0), pid = strtol(end, NULL, 0);

		if (n > 0)
			ret = map_pairs(d, iommufd, ioas_id, buf, n, (__u64)len, pid);
	}
	if (buf != MAP_FAILED)
		munmap(buf, (size_t)len);
	if (attached)
		cdev_detach(d, cdev);
	close_step(d, "close-cdev", &cdev);
	close_step(d, "close-iommu", &iommufd);
	return finish(d);
}

/* ---------------------------------------------------------------------- */
/* Mock IOMMU (IOMMU_TEST_CMD)                                              */

struct mock_dev {
	__u32 stdev_id;		/* selftest object: destroy it to remove */
	__u32 hwpt_id;		/* hwpt the device was attached to */
	__u32 idev_id;		/* the iommufd_device (bind) */
};

/* IOMMU_TEST_OP_MOCK_DOMAIN(_FLAGS): a mock device, bound and attached to pt_id. */
static int mock_domain(struct drive *d, const char *name, int fd, __u32 pt_id,
		       __u32 dev_flags, struct mock_dev *md)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = dev_flags ? IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS :
				  IOMMU_TEST_OP_MOCK_DOMAIN,
		.id = pt_id,
		.mock_domain_flags = { .dev_flags = dev_flags },
	};
	int ret = sys_ioctl(fd, IOMMU_TEST_CMD, &cmd);

	md->stdev_id = cmd.mock_domain_flags.out_stdev_id;
	md->hwpt_id = cmd.mock_domain_flags.out_hwpt_id;
	md->idev_id = cmd.mock_domain_flags.out_idev_id;
	return step(d, name, ret, "stdev=%u hwpt=%u idev=%u dev_flags=0x%x",
		    md->stdev_id, md->hwpt_id, md->idev_id, dev_flags);
}

/* IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE: iommufd_device_replace() onto pt_id. */
static int mock_replace(struct drive *d, const char *name, int fd,
			const struct mock_dev *md, __u32 pt_id)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE,
		.id = md->stdev_id,
		.mock_domain_replace = { .pt_id = pt_id },
	};
	int ret = sys_ioctl(fd, IOMMU_TEST_CMD, &cmd);

	return step(d, name, ret, "stdev=%u hwpt=%u", md->stdev_id,
		    cmd.mock_domain_replace.pt_id);
}

static int cmd_mock_domain(struct drive *d)
{
	struct mock_dev md;
	__u32 ioas_id;
	int fd;

	if (!open_iommufd(d, &fd) && !ioas_alloc(d, fd, &ioas_id) &&
	    !mock_domain(d, "mock-domain", fd, ioas_id, 0, &md))
		destroy_obj(d, "destroy", fd, md.stdev_id);
	close_step(d, "close-iommu", &fd);
	return finish(d);
}

/*
 * The incompatible-domain soft failure: a MOCK_FLAGS_DEVICE_NO_DIRTY device
 * is refused (-EINVAL, mock_domain_nop_attach) by a dirty-tracking domain,
 * which a second, ordinary mock device had to allocate (the NO_DIRTY one
 * cannot: -EOPNOTSUPP); a domain allocated for the device itself serves it.
 */
static int mock_soft_steps(struct drive *d, int fd)
{
	struct mock_dev nodirty, dirty;
	__u32 ioas_id, dirty_hwpt, own_hwpt;
	int ret;

	ret = ioas_alloc(d, fd, &ioas_id);
	if (!ret)
		ret = mock_domain(d, "mock-nodirty", fd, ioas_id,
				  MOCK_FLAGS_DEVICE_NO_DIRTY, &nodirty);
	if (!ret)
		ret = mock_domain(d, "mock-dirty", fd, ioas_id, 0, &dirty);
	if (!ret)
		ret = hwpt_alloc(d, "hwpt-alloc-dirty", fd, dirty.idev_id,
				 ioas_id, IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
				 &dirty_hwpt);
	if (ret)
		return ret;
	/* the soft failure; what follows does not depend on it */
	mock_replace(d, "replace-dirty", fd, &nodirty, dirty_hwpt);
	if (d->unresolved)
		return 0;
	ret = hwpt_alloc(d, "hwpt-alloc", fd, nodirty.idev_id, ioas_id, 0,
			 &own_hwpt);
	if (ret)
		return ret;
	return mock_replace(d, "replace", fd, &nodirty, own_hwpt);
}

static int cmd_mock_soft(struct drive *d)
{
	int fd;

	if (!open_iommufd(d, &fd))
		mock_soft_steps(d, fd);
	/* closing the iommufd destroys the mock devices and every hwpt */
	close_step(d, "close-iommu", &fd);
	return finish(d);
}

/*
 * A burst of short-lived contexts, as VMs and DPDK come and go: N times,
 * open /dev/iommu, allocate an IOAS, add a mock device (its domain
 * allocated and attached), map and unmap one page through the IOAS; at most
 * ALIVE contexts stay open at once, the oldest closed first (closing it
 * destroys its device, hwpt and domain). One step line for the whole burst.
 */
struct burst {
	long n, alive;
	int *fds;
	void *page;
	long opened, maps, unmaps, closed;
	int err;
};

static int burst_one(struct burst *b, long i)
{
	struct iommu_test_cmd cmd = { .size = sizeof(cmd), .op = IOMMU_TEST_OP_MOCK_DOMAIN };
	struct iommu_ioas_alloc ia = { .size = sizeof(ia) };
	int *slot = &b->fds[i % b->alive], fd, ret;
	__u64 iova = 0;

	if (*slot >= 0) {
		ret = sys_close(*slot);
		*slot = -1;
		if (ret)
			return ret;
		b->closed++;
	}
	fd = sys_open("/dev/iommu", O_RDWR);
	if (fd < 0)
		return fd;
	*slot = fd;
	b->opened++;
	ret = sys_ioctl(fd, IOMMU_IOAS_ALLOC, &ia);
	cmd.id = ia.out_ioas_id;
	if (!ret)
		ret = sys_ioctl(fd, IOMMU_TEST_CMD, &cmd);
	if (!ret)
		ret = ioas_map(fd, ia.out_ioas_id, b->page, 4096, &iova);
	if (!ret) {
		b->maps++;
		ret = ioas_unmap(fd, ia.out_ioas_id, iova, 4096);
		b->unmaps += !ret;
	}
	return ret;
}

static int cmd_mock_burst(struct drive *d)
{
	struct burst b = { .n = strtol(d->args[0], NULL, 0), .alive = strtol(d->args[1], NULL, 0) };
	struct rlimit rl;
	__u64 t0 = now_ns();
	long i;
	int ret = 0;

	if (b.n <= 0 || b.alive <= 0 || b.alive > 100000) {
		fprintf(stderr, "iommu-drive: mock-burst wants N > 0 and 0 < ALIVE <= 100000\n");
		return 2;
	}
	/* ALIVE open contexts need as many descriptors */
	rl.rlim_cur = rl.rlim_max = (rlim_t)b.alive + 64;
	if (setrlimit(RLIMIT_NOFILE, &rl) && step(d, "rlimit", -errno, NULL))
		return finish(d);
	b.fds = malloc(sizeof(*b.fds) * (size_t)b.alive);
	b.page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (!b.fds || b.page == MAP_FAILED) {
		step(d, "burst", -ENOMEM, NULL);
		return finish(d);
	}
	for (i = 0; i < b.alive; i++)
		b.fds[i] = -1;
	for (i = 0; i < b.n && !ret; i++)
		ret = burst_one(&b, i);
	for (i = 0; i < b.alive; i++) {
		if (b.fds[i] >= 0 && !sys_close(b.fds[i]))
			b.closed++;
	}
	step(d, "burst", ret, "contexts=%ld alive=%ld maps=%ld unmaps=%ld closed=%ld ns=%llu", b.opened,
	     b.alive, b.maps, b.unmaps, b.closed, (unsigned long long)(now_ns() - t0));
	munmap(b.page, 4096);
	free(b.fds);
	return finish(d);
}

/* ---------------------------------------------------------------------- */
/* Legacy VFIO container with type1v2                                       */

struct container {
	int fd;
	int n_groups;
	int group_fd[MAX_GROUPS];
	const char *group[MAX_GROUPS];
};

static int group_status(struct drive *d, const char *name, int fd)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	int ret = sys_ioctl(fd, VFIO_GROUP_GET_STATUS, &status);

	return step(d, name, ret, "viable=%d container_set=%d",
		    !!(status.flags & VFIO_GROUP_FLAGS_VIABLE),
		    !!(status.flags & VFIO_GROUP_FLAGS_CONTAINER_SET));
}

/* open:G, status:G, set-container:G; set-iommu after the first group. */
static int container_add_group(struct drive *d, struct container *c,
			       const char *group)
{
	char name[STEP_NAME_MAX], path[64];
	int fd, ret;

	snprintf(path, sizeof(path), "/dev/vfio/%s", group);
	fd = sys_open(path, O_RDWR);
	snprintf(name, sizeof(name), "open:%s", group);
	if (step(d, name, fd < 0 ? fd : 0, "fd=%d", fd))
		return fd;
	c->group[c->n_groups] = group;
	c->group_fd[c->n_groups++] = fd;
	snprintf(name, sizeof(name), "status:%s", group);
	ret = group_status(d, name, fd);
	if (ret)
		return ret;
	snprintf(name, sizeof(name), "set-container:%s", group);
	ret = step(d, name, sys_ioctl(fd, VFIO_GROUP_SET_CONTAINER, &c->fd),
		   NULL);
	if (ret || c->n_groups > 1)
		return ret;
	ret = sys_ioctl_val(c->fd, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU);
	return step(d, "set-iommu", ret, "type=type1v2");
}

static int container_map_unmap(struct drive *d, int fd)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.iova = DMA_IOVA,
		.size = DMA_SIZE,
	};
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = DMA_IOVA,
		.size = DMA_SIZE,
	};
	void *buf;
	int ret;

	buf = mmap(NULL, DMA_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ret = step(d, "buffer", buf == MAP_FAILED ? -errno : 0, "size=%lu",
		   DMA_SIZE);
	if (ret)
		return ret;
	map.vaddr = (uintptr_t)buf;
	ret = step(d, "map", sys_ioctl(fd, VFIO_IOMMU_MAP_DMA, &map),
		   "iova=0x%llx size=0x%llx", (unsigned long long)map.iova,
		   (unsigned long long)map.size);
	if (!ret)
		ret = step(d, "unmap", sys_ioctl(fd, VFIO_IOMMU_UNMAP_DMA, &unmap),
			   "iova=0x%llx unmapped=0x%llx",
			   (unsigned long long)unmap.iova,
			   (unsigned long long)unmap.size);
	if (munmap(buf, DMA_SIZE))
		ret = step(d, "buffer-free", -errno, NULL);
	return ret;
}

static int container_steps(struct drive *d, struct container *c)
{
	int i, ret;

	ret = sys_ioctl_val(c->fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU);
	if (step(d, "check-ext", ret < 0 ? ret : 0, "type1v2=%d", ret))
		return ret;
	for (i = 0; i < d->n_args; i++) {
		ret = container_add_group(d, c, d->args[i]);
		if (ret)
			return ret;
	}
	ret = container_map_unmap(d, c->fd);
	/* the groups stay claimed (iommu_group_claim_dma_owner) while held */
	if (!ret && d->hold_until)
		ret = hold_until(d, d->hold_until);
	return ret;
}

static int cmd_container(struct drive *d)
{
	struct container c = { .fd = -1 };
	char name[STEP_NAME_MAX];
	int i;

	c.fd = sys_open("/dev/vfio/vfio", O_RDWR);
	if (!step(d, "open-container", c.fd < 0 ? c.fd : 0, "fd=%d", c.fd))
		container_steps(d, &c);
	/* closing a group takes it out of the container (type1 detach_group) */
	for (i = 0; i < c.n_groups; i++) {
		snprintf(name, sizeof(name), "close:%s", c.group[i]);
		close_step(d, name, &c.group_fd[i]);
	}
	close_step(d, "close-container", &c.fd);
	return finish(d);
}

/* ---------------------------------------------------------------------- */
/* write: one write(2) of STRING to PATH (sysfs bind/unbind errnos)          */

static int write_file(const char *path, const char *s)
{
	size_t len = strlen(s);
	ssize_t n;
	int fd, ret = 0;

	fd = sys_open(path, O_WRONLY);
	if (fd < 0)
		return fd;
	n = write(fd, s, len);
	if (n < 0)
		ret = -errno;
	else if ((size_t)n != len)
		ret = -EIO;
	if (close(fd) && !ret)
		ret = -errno;
	return ret;
}

static int cmd_write(struct drive *d)
{
	step(d, "write", write_file(d->args[0], d->args[1]), "path=%s",
	     d->args[0]);
	return finish(d);
}

/* ---------------------------------------------------------------------- */
/* Command line                                                             */

static const char *const cdev_bind_steps[] = {
	"open-iommu", "find-cdev", "open-cdev", "bind", "ioas-alloc", "attach",
	"hold", "detach", "close-cdev", "close-iommu", NULL
};
static const char *const mock_domain_steps[] = {
	"open-iommu", "ioas-alloc", "mock-domain", "destroy", "close-iommu",
	NULL
};
static const char *const mock_soft_steps_names[] = {
	"open-iommu", "ioas-alloc", "mock-nodirty", "mock-dirty",
	"hwpt-alloc-dirty", "replace-dirty", "hwpt-alloc", "replace",
	"close-iommu", NULL
};
static const char *const mock_soft_defaults[] = { "replace-dirty=EINVAL", NULL };
static const char *const container_steps_names[] = {
	"open-container", "check-ext", "open", "status", "set-container",
	"set-iommu", "buffer", "map", "unmap", "buffer-free", "hold", "close",
	"close-container", NULL
};
static const char *const write_steps[] = { "write", NULL };
static const char *const map_loop_steps[] = {
	"open-iommu", "find-cdev", "open-cdev", "bind", "ioas-alloc", "attach",
	"buffer", "map-loop", "detach", "close-cdev", "close-iommu", NULL
};
static const char *const mock_burst_steps[] = { "rlimit", "burst", NULL };
static const char *const no_defaults[] = { NULL };

static const struct subcmd subcmds[] = {
	{ "cdev-bind", "BDF [--attach] [--hold-until FILE]", 1, 1,
	  cdev_bind_steps, no_defaults, cmd_cdev_bind },
	{ "mock-domain", "", 0, 0, mock_domain_steps, no_defaults,
	  cmd_mock_domain },
	{ "mock-soft", "[--unresolved]", 0, 0, mock_soft_steps_names,
	  mock_soft_defaults, cmd_mock_soft },
	{ "container", "GROUP [GROUP...] [--hold-until FILE]", 1, MAX_GROUPS,
	  container_steps_names, no_defaults, cmd_container },
	{ "write", "PATH STRING", 2, 2, write_steps, no_defaults, cmd_write },
	{ "map-loop", "BDF N LENGTH", 3, 3, map_loop_steps, no_defaults, cmd_map_loop },
	{ "map-serve", "BDF LENGTH [huge]", 2, 3, map_loop_steps, no_defaults, cmd_map_serve },
	{ "mock-burst", "N ALIVE", 2, 2, mock_burst_steps, no_defaults, cmd_mock_burst },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage:\n");
	for (i = 0; i < sizeof(subcmds) / sizeof(subcmds[0]); i++)
		fprintf(f, "  iommu-drive %s%s%s [--expect STEP=ERR]...\n",
			subcmds[i].name, *subcmds[i].usage ? " " : "",
			subcmds[i].usage);
	fprintf(f, "Each step prints `step NAME ret=R (ERRNAME) [KEY=VALUE...]`;"
		" steps expect OK unless --expect\nsays otherwise"
		" (mock-soft: replace-dirty=EINVAL). Exit 0: every step as"
		" expected;\n1: not; 2: usage.\n");
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "iommu-drive: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	usage(stderr);
	return 2;
}

static const struct subcmd *find_subcmd(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(subcmds) / sizeof(subcmds[0]); i++)
		if (!strcmp(subcmds[i].name, name))
			return &subcmds[i];
	return NULL;
}

enum { OPT_EXPECT = 1, OPT_ATTACH, OPT_HOLD_UNTIL, OPT_UNRESOLVED };

static int parse_opts(struct drive *d, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "expect", required_argument, NULL, OPT_EXPECT },
		{ "attach", no_argument, NULL, OPT_ATTACH },
		{ "hold-until", required_argument, NULL, OPT_HOLD_UNTIL },
		{ "unresolved", no_argument, NULL, OPT_UNRESOLVED },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *const *def;
	int c;

	for (def = d->cmd->defaults; *def; def++)
		if (add_expect(d, *def, false))
			return usage_error("bad default expectation %s", *def);
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_EXPECT:
			if (add_expect(d, optarg, true))
				return usage_error("bad --expect '%s' (STEP=ERRNAME, STEP of this subcommand)",
						   optarg);
			break;
		case OPT_ATTACH:
		case OPT_HOLD_UNTIL:
			if (d->cmd->run != cmd_cdev_bind &&
			    (c == OPT_ATTACH || d->cmd->run != cmd_container))
				return usage_error(c == OPT_ATTACH ?
						   "%s: option for cdev-bind only" :
						   "%s: option for cdev-bind and container only",
						   argv[optind - 1]);
			d->attach |= c == OPT_ATTACH;
			if (c == OPT_HOLD_UNTIL)
				d->hold_until = optarg;
			break;
		case OPT_UNRESOLVED:
			if (d->cmd->run != cmd_mock_soft)
				return usage_error("%s: option for mock-soft only",
						   argv[optind - 1]);
			d->unresolved = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return usage_error("bad option in %s", d->cmd->name);
		}
	}
	d->args = argv + optind;
	d->n_args = argc - optind;
	if (d->n_args < d->cmd->min_args || d->n_args > d->cmd->max_args)
		return usage_error("wrong number of arguments for %s",
				   d->cmd->name);
	return 0;
}

int main(int argc, char **argv)
{
	static struct drive d;
	int ret;

	if (argc < 2)
		return usage_error("%s", "no subcommand");
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	d.cmd = find_subcmd(argv[1]);
	if (!d.cmd)
		return usage_error("unknown subcommand '%s'", argv[1]);
	ret = parse_opts(&d, argc - 1, argv + 1);
	if (ret)
		return ret;
	/* line-buffered even into a file: scripts watch it while we hold */
	if (setvbuf(stdout, NULL, _IOLBF, 0))
		return 1;
	return d.cmd->run(&d);
}
