// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Capabilities needed, missing and given up; see include/caps.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>
#include "caps.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

struct capsets {
	struct __user_cap_header_struct hdr;
	struct __user_cap_data_struct data[2]; /* _LINUX_CAPABILITY_U32S_3 */
};

static int caps_get(struct capsets *c)
{
	memset(c, 0, sizeof(*c));
	c->hdr.version = _LINUX_CAPABILITY_VERSION_3;
	return syscall(SYS_capget, &c->hdr, c->data) ? -errno : 0;
}

static bool has(const struct capsets *c, int cap)
{
	return c->data[cap / 32].effective & (1u << (cap % 32));
}

/* The highest capability this kernel knows (/proc/sys/kernel/cap_last_cap). */
static int last_cap(void)
{
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
	int last = CAP_LAST_CAP;

	if (f) {
		if (fscanf(f, "%d", &last) != 1)
			last = CAP_LAST_CAP;
		fclose(f);
	}
	return last;
}

int ia_caps_missing(char *buf, size_t len)
{
	struct capsets c;
	int err = caps_get(&c);

	buf[0] = '\0';
	if (err)
		return err;
	if (has(&c, CAP_SYS_ADMIN))
		return 0; /* covers both, and is what kernels before CAP_BPF ask */
	if (last_cap() < CAP_BPF) {
		snprintf(buf, len, "CAP_SYS_ADMIN");
		return 0;
	}
	snprintf(buf, len, "%s%s%s", has(&c, CAP_BPF) ? "" : "CAP_BPF",
		 !has(&c, CAP_BPF) && !has(&c, CAP_PERFMON) ? ", " : "", has(&c, CAP_PERFMON) ? "" : "CAP_PERFMON");
	return 0;
}

static void add_name(char *buf, size_t len, const char *name)
{
	size_t n = strlen(buf);

	if (n < len)
		snprintf(buf + n, len - n, "%s%s", n ? "," : "", name);
}

bool ia_caps_admin(void)
{
	struct capsets c;

	return !caps_get(&c) && has(&c, CAP_SYS_ADMIN);
}

int ia_perf_paranoid(void)
{
	FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "re");
	int v = 2;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = 2;
		fclose(f);
	}
	return v;
}

int ia_caps_lose_bpf(void)
{
	struct capsets c;
	int err = caps_get(&c);

	if (err)
		return err;
	c.data[CAP_BPF / 32].effective &= ~(1u << (CAP_BPF % 32));
	c.data[CAP_SYS_ADMIN / 32].effective &= ~(1u << (CAP_SYS_ADMIN % 32));
	return syscall(SYS_capset, &c.hdr, c.data) ? -errno : 0;
}

int ia_caps_drop(unsigned int want, char *kept, size_t len)
{
	static const struct {
		unsigned int flag;
		int cap;
		const char *name;
	} caps[] = {
		{ IA_KEEP_BPF, CAP_BPF, "CAP_BPF" },
		{ IA_KEEP_PERFMON, CAP_PERFMON, "CAP_PERFMON" },
		{ IA_KEEP_SYSLOG, CAP_SYSLOG, "CAP_SYSLOG" },
		{ IA_KEEP_ADMIN, CAP_SYS_ADMIN, "CAP_SYS_ADMIN" },
		{ IA_KEEP_PTRACE, CAP_SYS_PTRACE, "CAP_SYS_PTRACE" },
	};
	int last = last_cap();
	__u32 mask[2] = { 0, 0 };
	struct capsets c;
	int err = caps_get(&c);

	kept[0] = '\0';
	if (err)
		return err;
	/* before CAP_BPF and CAP_PERFMON (5.8) CAP_SYS_ADMIN stood for both */
	if (last < CAP_BPF && (want & (IA_KEEP_BPF | IA_KEEP_PERFMON)))
		want = (want & ~(IA_KEEP_BPF | IA_KEEP_PERFMON)) | IA_KEEP_ADMIN;
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		int cap = caps[i].cap;

		if ((want & caps[i].flag) &&
		    (has(&c, cap) || (c.data[cap / 32].permitted & (1u << (cap % 32))))) {
			mask[cap / 32] |= 1u << (cap % 32);
			add_name(kept, len, caps[i].name);
		}
	}
	/* the bounding set first: dropping from it needs CAP_SETPCAP, which goes next */
	for (int cap = 0; cap <= last && has(&c, CAP_SETPCAP); cap++)
		if (!(mask[cap / 32] & (1u << (cap % 32))) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) && errno != EINVAL)
			return -errno;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) && errno != EINVAL)
		return -errno;
	for (int i = 0; i < 2; i++) {
		c.data[i].permitted &= mask[i];
		c.data[i].effective &= mask[i];
		c.data[i].inheritable = 0;
	}
	return syscall(SYS_capset, &c.hdr, c.data) ? -errno : 0;
}
