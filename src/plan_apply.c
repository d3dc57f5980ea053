// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A plan carried out through sysfs (see plan_apply.h). The files written
 * (drivers/base/bus.c, drivers/pci/pci-sysfs.c):
 *   /sys/bus/pci/drivers/<drv>/unbind    unbind_store(): detach if bound to drv
 *   /sys/bus/pci/drivers/<drv>/bind      bind_store(): the probe's errno
 *   /sys/bus/pci/devices/<dev>/driver_override   a name, or "\n" to clear
 *   /sys/bus/pci/drivers_probe           drivers_probe_store(): the kernel picks
 * Each step is verified by reading the device's driver link (and
 * driver_override) back, never by the write's status alone.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "grow.h"
#include "pcidev.h"
#include "plan_apply.h"
#include "sysfs.h"
#include "textfile.h"

void ia_apply_init(struct ia_apply *a)
{
	memset(a, 0, sizeof(*a));
}

void ia_apply_free(struct ia_apply *a)
{
	free(a->steps);
	free(a->restores);
	ia_apply_init(a);
}

/* Write s to <root>/<rel> with one write(2): 0 or a negative errno. */
static int write_rel(const char *root, const char *rel, const char *s)
{
	char path[PATH_MAX];
	size_t len = strlen(s);
	int fd, err = ia_root_path(path, sizeof(path), root, rel);
	ssize_t n;

	if (err)
		return err;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, s, len);
	err = n < 0 ? -errno : (size_t)n != len ? -EIO : 0;
	if (close(fd) && !err)
		err = -errno;
	return err;
}

/* The driver bound to dev now ("" when none). */
static void driver_now(const char *root, const char *dev, char *out, size_t size)
{
	char rel[PATH_MAX];

	out[0] = '\0';
	if (!ia_path_fmt(rel, sizeof(rel), "sys/bus/pci/devices/%s/driver", dev))
		ia_link_name(root, rel, out, size);
}

static void override_now(const char *root, const char *dev, char *out, size_t size)
{
	struct ia_devinfo d;

	ia_devinfo_read(root, dev, &d);
	ia_strlcpy(out, d.override, size);
}

static struct ia_apply_entry *new_entry(struct ia_apply_entry **v, size_t *n, size_t *cap)
{
	struct ia_apply_entry *e;

	if (ia_grow((void **)v, cap, *n + 1, sizeof(**v)))
		return NULL;
	e = &(*v)[(*n)++];
	memset(e, 0, sizeof(*e));
	return e;
}

static int do_unbind(const char *root, const char *dev, const char *drv, struct ia_apply_entry *e)
{
	char rel[PATH_MAX];
	int err;

	snprintf(rel, sizeof(rel), "sys/bus/pci/drivers/%s/unbind", drv);
	err = write_rel(root, rel, dev);
	driver_now(root, dev, e->now, sizeof(e->now));
	if (err)
		snprintf(e->detail, sizeof(e->detail), "writing %s/unbind failed", drv);
	else if (e->now[0])
		err = -EBUSY, snprintf(e->detail, sizeof(e->detail), "still bound to %s after unbind",
				       e->now);
	else
		snprintf(e->detail, sizeof(e->detail), "unbound from %s", drv);
	return err;
}

static int do_override(const char *root, const char *dev, const char *value, struct ia_apply_entry *e)
{
	char rel[PATH_MAX], now[IA_NAME_LEN];
	int err;

	snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/driver_override", dev);
	err = write_rel(root, rel, value[0] ? value : "\n");
	override_now(root, dev, now, sizeof(now));
	driver_now(root, dev, e->now, sizeof(e->now));
	if (err)
		snprintf(e->detail, sizeof(e->detail), "writing driver_override failed");
	else if (strcmp(now, value))
		err = -EIO, snprintf(e->detail, sizeof(e->detail), "driver_override reads \"%s\", "
				     "want \"%s\"", now, value);
	else
		snprintf(e->detail, sizeof(e->detail), value[0] ? "driver_override %s" :
			 "driver_override cleared", value);
	return err;
}

static int do_bind(const char *root, const char *dev, const char *drv, struct ia_apply_entry *e)
{
	char rel[PATH_MAX];
	int err;

	snprintf(rel, sizeof(rel), "sys/bus/pci/drivers/%s/bind", drv);
	err = write_rel(root, rel, dev);
	driver_now(root, dev, e->now, sizeof(e->now));
	if (err)
		snprintf(e->detail, sizeof(e->detail), "%s refused the bind", drv);
	else if (strcmp(e->now, drv))
		err = -EIO, snprintf(e->detail, sizeof(e->detail), "bound to \"%s\" after the bind, "
				     "want %s", e->now, drv);
	else
		snprintf(e->detail, sizeof(e->detail), "bound to %s", drv);
	return err;
}

static int do_probe(const char *root, const char *dev, struct ia_apply_entry *e)
{
	int err = write_rel(root, "sys/bus/pci/drivers_probe", dev);

	driver_now(root, dev, e->now, sizeof(e->now));
	if (err)
		snprintf(e->detail, sizeof(e->detail), "writing drivers_probe failed");
	else
		snprintf(e->detail, sizeof(e->detail), "the kernel picked %s",
			 e->now[0] ? e->now : "no driver");
	return err;
}

static int run_step(const char *root, const struct ia_plan_step *s, struct ia_apply_entry *e)
{
	e->op = s->op;
	ia_strlcpy(e->dev, s->dev, sizeof(e->dev));
	ia_strlcpy(e->driver, s->driver, sizeof(e->driver));
	switch (s->op) {
	case IA_STEP_UNBIND:
		return do_unbind(root, s->dev, s->driver, e);
	case IA_STEP_OVERRIDE:
		return do_override(root, s->dev, s->driver, e);
	case IA_STEP_BIND:
		return do_bind(root, s->dev, s->driver, e);
	default:
		return do_probe(root, s->dev, e);
	}
}

static bool touched(const struct ia_plan *p, const char *dev, size_t done)
{
	for (size_t i = 0; i < done && i < p->nsteps; i++)
		if (!strcmp(p->steps[i].dev, dev))
			return true;
	return false;
}

/*
 * One device back to its previous driver and driver_override; phase 0
 * unbinds, 1 restores driver_override, 2 binds (every device is unbound
 * before any is bound, as in the plan itself).
 */
static int restore_phase(const char *root, const struct ia_plan_dev *d, int phase,
			 struct ia_apply_entry *e)
{
	char now[IA_NAME_LEN], ovr[IA_NAME_LEN];

	driver_now(root, d->name, now, sizeof(now));
	override_now(root, d->name, ovr, sizeof(ovr));
	if (phase == 0 && now[0] && strcmp(now, d->driver)) {
		e->op = IA_STEP_UNBIND;
		return do_unbind(root, d->name, now, e);
	}
	if (phase == 1 && strcmp(ovr, d->override)) {
		e->op = IA_STEP_OVERRIDE;
		return do_override(root, d->name, d->override, e);
	}
	if (phase == 2 && d->driver[0] && strcmp(now, d->driver)) {
		e->op = IA_STEP_BIND;
		return do_bind(root, d->name, d->driver, e);
	}
	return 0;
}

/* Verify a restored device: its driver and driver_override as before. */
static int restore_check(const char *root, const struct ia_plan_dev *d, struct ia_apply_entry *e)
{
	char ovr[IA_NAME_LEN];

	driver_now(root, d->name, e->now, sizeof(e->now));
	override_now(root, d->name, ovr, sizeof(ovr));
	if (!strcmp(e->now, d->driver) && !strcmp(ovr, d->override)) {
		snprintf(e->detail, sizeof(e->detail), "restored: %s, driver_override \"%s\"",
			 d->driver[0] ? d->driver : "no driver", d->override);
		return 0;
	}
	if (!e->err)
		snprintf(e->detail, sizeof(e->detail), "not restored: driver \"%s\" (want \"%s\"), "
			 "driver_override \"%s\" (want \"%s\")", e->now, d->driver, ovr, d->override);
	return -EIO;
}

static int rollback(const char *root, const struct ia_plan *p, size_t done, struct ia_apply *a)
{
	size_t first = a->nrestores;
	int err = 0, e2;

	for (size_t i = 0; i < p->ndevs; i++) {
		struct ia_apply_entry *e;

		if (!touched(p, p->devs[i].name, done))
			continue;
		e = new_entry(&a->restores, &a->nrestores, &a->restores_cap);
		if (!e)
			return -ENOMEM;
		ia_strlcpy(e->dev, p->devs[i].name, sizeof(e->dev));
		ia_strlcpy(e->driver, p->devs[i].driver, sizeof(e->driver));
		ia_strlcpy(e->override, p->devs[i].override, sizeof(e->override));
	}
	for (int phase = 0; phase < 3; phase++) {
		for (size_t k = first; k < a->nrestores; k++) {
			const struct ia_plan_dev *d = NULL;

			for (size_t i = 0; i < p->ndevs && !d; i++)
				d = strcmp(p->devs[i].name, a->restores[k].dev) ? NULL : &p->devs[i];
			if (a->restores[k].err)
				continue;
			e2 = restore_phase(root, d, phase, &a->restores[k]);
			a->restores[k].err = -e2;
		}
	}
	for (size_t k = first; k < a->nrestores; k++) {
		for (size_t i = 0; i < p->ndevs; i++) {
			if (strcmp(p->devs[i].name, a->restores[k].dev))
				continue;
			e2 = restore_check(root, &p->devs[i], &a->restores[k]);
			if (e2 && !a->restores[k].err)
				a->restores[k].err = -e2;
			err = err ? err : e2;
		}
	}
	return err;
}

int ia_plan_apply(const char *root, const struct ia_plan *p, struct ia_apply *a)
{
	struct ia_apply_entry *e;
	int err = 0;
	size_t i;

	ia_apply_free(a);
	for (i = 0; i < p->nsteps && !err; i++) {
		e = new_entry(&a->steps, &a->nsteps, &a->steps_cap);
		if (!e) {
			err = -ENOMEM;
			break;
		}
		err = run_step(root, &p->steps[i], e);
		e->err = -err;
	}
	a->ok = !err;
	if (!err)
		return 0;
	a->restored = !rollback(root, p, i, a);
	return err;
}

/* ---- records ---- */

const char *ia_plan_state_dir(void)
{
	const char *d = getenv("IOMMU_AUDIT_STATE_DIR");

	return d && d[0] ? d : IA_PLAN_STATE_DIR;
}

static int load_one(const char *dir, const char *name, struct ia_plan_record *r)
{
	char path[PATH_MAX], line[IA_NAME_LEN + 16];
	FILE *f;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	memset(r, 0, sizeof(*r));
	ia_strlcpy(r->dev, name, sizeof(r->dev));
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "driver=", 7))
			ia_strlcpy(r->driver, line + 7, sizeof(r->driver));
		else if (!strncmp(line, "override=", 9))
			ia_strlcpy(r->override, line + 9, sizeof(r->override));
	}
	fclose(f);
	return 1;
}

int ia_plan_records_load(const char *dir, struct ia_plan_record **out, size_t *n)
{
	struct ia_plan_record *v = NULL;
	size_t cap = 0, k = 0;
	struct dirent *e;
	int err = 0;
	DIR *d;

	*out = NULL;
	*n = 0;
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while (err >= 0 && (e = readdir(d))) {
		char norm[IA_NAME_LEN];

		if (ia_pci_name_normalize(e->d_name, norm, sizeof(norm)) || strcmp(norm, e->d_name))
			continue;
		err = ia_grow((void **)&v, &cap, k + 1, sizeof(*v));
		if (!err)
			err = load_one(dir, e->d_name, &v[k]);
		if (err > 0)
			k++;
	}
	closedir(d);
	if (err < 0) {
		free(v);
		return err;
	}
	*out = v;
	*n = k;
	return 0;
}

static int mkdirs(const char *dir)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	return mkdir(path, 0755) && errno != EEXIST ? -errno : 0;
}

/* Written whole and renamed into place (textfile.c): a record is whole or absent. */
static int save_one(const char *dir, const struct ia_plan_dev *d)
{
	char path[PATH_MAX], text[2 * IA_NAME_LEN + 32];
	int n;

	if (ia_path_fmt(path, sizeof(path), "%s/%s", dir, d->name))
		return -ENAMETOOLONG;
	n = snprintf(text, sizeof(text), "driver=%s\noverride=%s\n", d->driver, d->override);
	return ia_textfile_write(path, text, (size_t)n);
}

int ia_plan_records_save(const char *dir, const struct ia_plan *p)
{
	int err = mkdirs(dir);
	struct stat st;
	char path[PATH_MAX];

	for (size_t i = 0; i < p->ndevs && !err; i++) {
		const struct ia_plan_dev *d = &p->devs[i];

		if (!d->moves)
			continue;
		/* a device moved twice keeps its first record: the binding before any plan */
		snprintf(path, sizeof(path), "%s/%s", dir, d->name);
		if (!stat(path, &st))
			continue;
		err = save_one(dir, d);
	}
	return err;
}

int ia_plan_records_drop(const char *dir, const struct ia_plan *p)
{
	char path[PATH_MAX];
	int err = 0;

	for (size_t i = 0; i < p->ndevs; i++) {
		if (!p->devs[i].moves)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, p->devs[i].name);
		if (unlink(path) && errno != ENOENT && !err)
			err = -errno;
	}
	return err;
}
