// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Cgroup names: the table, and finding a cgroup by id in a test root. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cgroups.h"
#include "engine.h"
#include "unit.h"
#include "../tools/scenarios.h"

UNIT_TEST(cgroups_table_names_and_forgets_the_least_used)
{
	struct ia_cgroups t;
	char path[32];

	ia_cgroups_init(&t);
	CHECK(ia_cgroups_path(&t, 5) == NULL);
	CHECK_INT(ia_cgroups_set(&t, 5, "/a"), 0);
	CHECK_INT(ia_cgroups_set(&t, 3, ""), 0);
	CHECK_STR(ia_cgroups_path(&t, 5), "/a");
	CHECK_STR(ia_cgroups_path(&t, 3), "");
	CHECK_INT(ia_cgroups_set(&t, 5, "/b"), 0); /* renamed, not doubled */
	CHECK_INT(t.n, 2);
	for (__u64 id = 100; id < 100 + IA_CGROUPS_MAX; id++) {
		snprintf(path, sizeof(path), "/c%llu", (unsigned long long)id);
		CHECK_INT(ia_cgroups_set(&t, id, path), 0);
		if (id % 64 == 0)
			ia_cgroups_path(&t, 5); /* 5 stays in use */
	}
	CHECK_INT(t.n, IA_CGROUPS_MAX);
	CHECK_STR(ia_cgroups_path(&t, 5), "/b");
	CHECK(ia_cgroups_path(&t, 3) == NULL); /* the least used went first */
	CHECK_STR(ia_cgroups_path(&t, 100 + IA_CGROUPS_MAX - 1), "/c4195");
	for (size_t i = 1; i < t.n; i++)
		CHECK(t.v[i - 1].id < t.v[i].id);
	ia_cgroups_free(&t);
}

static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static __u64 ino_of(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : (__u64)st.st_ino;
}

UNIT_TEST(cgroup_find_by_task_then_by_walking)
{
	char root[] = "/tmp/ia-cgroups-XXXXXX", p[512], got[IA_CGROUP_LEN];
	__u64 leaf, other;

	CHECK(mkdtemp(root) != NULL);
	snprintf(p, sizeof(p), "mkdir -p %s/sys/fs/cgroup/system.slice/a.service "
		 "%s/sys/fs/cgroup/machine.slice/vm.scope %s/proc/77 %s/proc/78", root, root, root, root);
	CHECK_INT(system(p), 0);
	snprintf(p, sizeof(p), "%s/sys/fs/cgroup/machine.slice/vm.scope", root);
	leaf = ino_of(p);
	snprintf(p, sizeof(p), "%s/sys/fs/cgroup/system.slice/a.service", root);
	other = ino_of(p);
	snprintf(p, sizeof(p), "%s/proc/77/cgroup", root);
	put_file(p, "0::/machine.slice/vm.scope\n");
	snprintf(p, sizeof(p), "%s/proc/78/cgroup", root);
	put_file(p, "12:cpu:/x\n0::/system.slice/a.service\n");

	CHECK_INT(ia_cgroup_find(root, leaf, 77, got, sizeof(got)), 0);
	CHECK_STR(got, "/machine.slice/vm.scope");
	/* the task moved on (or is gone): the walk finds it */
	CHECK_INT(ia_cgroup_find(root, leaf, 78, got, sizeof(got)), 0);
	CHECK_STR(got, "/machine.slice/vm.scope");
	CHECK_INT(ia_cgroup_find(root, other, 999, got, sizeof(got)), 0);
	CHECK_STR(got, "/system.slice/a.service");
	snprintf(p, sizeof(p), "%s/sys/fs/cgroup", root);
	CHECK_INT(ia_cgroup_find(root, ino_of(p), 0, got, sizeof(got)), 0);
	CHECK_STR(got, "/");
	CHECK_INT(ia_cgroup_find(root, 1, 77, got, sizeof(got)), -ENOENT);
	CHECK_STR(got, "");
	CHECK_INT(ia_cgroup_find(root, 0, 77, got, sizeof(got)), -ENOENT);
	snprintf(p, sizeof(p), "%s/nowhere", root);
	CHECK_INT(ia_cgroup_find(p, leaf, 77, got, sizeof(got)), -ENOENT);
	snprintf(p, sizeof(p), "rm -rf %s", root);
	CHECK_INT(system(p), 0);
}

static void collect_one(void *ctx, const struct ia_event *ev)
{
	struct ia_engine *e = ctx;
	struct ia_decoded d;
	struct ia_event v = *ev;

	v.cgroup = v.tid == 13 ? 900 : 0;
	ia_engine_feed(e, &v, sizeof(v), &d);
	if (v.cgroup && (!d.cgroup || !strstr(d.cgroup, "kubepods-pod")))
		e->stats.unusable += 1000; /* checked below: the record did not carry its name */
}

/* A finding names the task that acted and its cgroup, as named before its records. */
UNIT_TEST(finding_names_its_actor)
{
	struct ia_engine e;
	struct ia_model m;
	struct scn s;
	const struct ia_finding *f = NULL;

	scn_model(&m);
	ia_engine_init(&e, &m, NULL);
	ia_model_free(&m);
	CHECK(!ia_engine_cgroup_named(&e, 900));
	CHECK_INT(ia_engine_name_cgroup(&e, 900,
		"/kubepods.slice/kubepods-pod0a1b2c3d_0a1b_0a1b_0a1b_0a1b2c3d4e5f.slice"), 0);
	CHECK(ia_engine_cgroup_named(&e, 900));
	scn_init(&s, collect_one, &e);
	scn_bind_refused(&s, 13);
	for (size_t i = 0; i < e.nfindings; i++)
		if (e.findings[i].rule == IA_RULE_BIND_REFUSED)
			f = &e.findings[i];
	CHECK(f != NULL);
	CHECK_INT(e.stats.unusable, 0);
	if (f) {
		char container[IA_CONTAINER_LEN], pod[IA_POD_LEN];

		CHECK_INT(f->actor.pid, 13);
		CHECK_INT(f->actor.tid, 13);
		CHECK_STR(f->actor.comm, "bash");
		CHECK_INT(f->actor.cgroup, 900);
		ia_cgroup_ids(f->actor.cgroup_path, container, pod);
		CHECK_STR(pod, "0a1b2c3d-0a1b-0a1b-0a1b-0a1b2c3d4e5f");
	}
	ia_engine_free(&e);
}
