// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Kernel modules as the running system shows them; see include/kmod.h. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "kmod.h"

/* '-' and '_' are the same in module names (kernel/params.c: parameq). */
static bool same_name(const char *a, size_t alen, const char *b)
{
	size_t i;

	for (i = 0; i < alen && b[i]; i++)
		if (a[i] != b[i] && !((a[i] == '-' || a[i] == '_') && (b[i] == '-' || b[i] == '_')))
			return false;
	return i == alen && !b[i];
}

/* A modules.dep or modules.builtin line names the module: ".../<name>.ko[.xz|.gz|.zst][:...]". */
static bool line_names(const char *line, const char *name)
{
	const char *end = strstr(line, ".ko"), *start;

	if (!end)
		return false;
	for (start = end; start > line && start[-1] != '/'; start--)
		;
	return same_name(start, (size_t)(end - start), name);
}

static bool listed(const char *root, const char *release, const char *file, const char *name)
{
	char path[512], line[1024];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "%s/lib/modules/%s/%s", root ? root : "", release, file);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = line_names(line, name);
	fclose(f);
	return found;
}

/* The name as /sys/module spells it: '-' as '_'. */
static void sys_name(const char *name, char *buf, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len && name[i]; i++)
		buf[i] = name[i] == '-' ? '_' : name[i];
	buf[i] = '\0';
}

static bool loaded(const char *root, const char *name, struct stat *dir)
{
	char path[512], mod[128], state[16] = "";
	FILE *f;

	sys_name(name, mod, sizeof(mod));
	snprintf(path, sizeof(path), "%s/sys/module/%s/initstate", root ? root : "", mod);
	f = fopen(path, "re");
	if (!f)
		return false;
	if (!fgets(state, sizeof(state), f))
		state[0] = '\0';
	fclose(f);
	if (strncmp(state, "live", 4))
		return false; /* coming or going */
	snprintf(path, sizeof(path), "%s/sys/module/%s", root ? root : "", mod);
	return !stat(path, dir);
}

enum ia_kmod_state ia_kmod_state(const char *root, const char *release, const char *name)
{
	struct stat st;

	if (loaded(root, name, &st))
		return IA_KMOD_LOADED;
	if (listed(root, release, "modules.builtin", name))
		return IA_KMOD_BUILTIN;
	if (listed(root, release, "modules.dep", name))
		return IA_KMOD_AVAILABLE;
	return IA_KMOD_ABSENT;
}

__u64 ia_kmod_instance(const char *root, const char *name)
{
	struct stat st;

	if (!loaded(root, name, &st))
		return 0;
	return (__u64)st.st_ino ^ ((__u64)st.st_dev << 32);
}

const char *ia_kmod_state_name(enum ia_kmod_state s)
{
	switch (s) {
	case IA_KMOD_AVAILABLE: return "not loaded";
	case IA_KMOD_LOADED: return "loaded";
	case IA_KMOD_BUILTIN: return "built in";
	default: return "absent";
	}
}

bool ia_release_before(const char *release, int maj, int min)
{
	int a = 0, b = 0;

	return release && sscanf(release, "%d.%d", &a, &b) == 2 && (a < maj || (a == maj && b < min));
}
