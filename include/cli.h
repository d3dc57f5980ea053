/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The subcommands and the options they share. */
#ifndef IA_CLI_H
#define IA_CLI_H

#include <stdbool.h>
#include <stddef.h>

struct ia_opts {
	bool json;
	bool verbose;
	bool force_kprobes;
	double duration;      /* seconds; 0 = until SIGINT/SIGTERM */
	size_t ringbuf_bytes;
	const char *sysfs_root; /* "" for the live system; IOMMU_AUDIT_SYSFS_ROOT for tests */
	unsigned int fail_on;	/* bit per enum ia_rule: exit IA_EXIT_FINDINGS when one occurred */
	const char *output;	/* record: the recording to write */
	char **args;		/* report, diff: the recordings */
	int nargs;
	unsigned int rules;	/* diff --rules: bit per enum ia_rule compared; 0 = all */
	unsigned long long max_new; /* diff --max-new-findings */
	double max_latency_ratio;   /* diff --max-latency-ratio; 0 = not checked */
	double interval;	    /* watch --interval: seconds between histogram views; 0 = none */
	bool trace_ioctls;	    /* a record per iommufd ioctl, IOAS map/unmap included */
	bool trace_maps;	    /* a record per iommu_map/iommu_unmap call */
	/* serve */
	bool serve;		    /* the command is serve */
	const char *listen;	    /* --listen ADDR:PORT; NULL: the default, unless only --textfile */
	const char *textfile;	    /* --textfile PATH: the metrics, written atomically */
	double textfile_interval;   /* seconds between textfile writes */
	const char *replay;	    /* --replay FILE: a recording's final metrics */
	bool prometheus;	    /* report --prometheus */
};

/* Exit statuses: 0 ok, 1 run-time failure, 2 usage, 3 a --fail-on finding occurred, 4 diff: worse. */
#define IA_EXIT_FINDINGS 3
/* diff: the second recording is worse than the first (--max-new-findings, --max-latency-ratio). */
#define IA_EXIT_WORSE 4

int ia_cmd_snapshot(const struct ia_opts *o);
int ia_cmd_watch(const struct ia_opts *o);
int ia_cmd_probe(const struct ia_opts *o);
int ia_cmd_report(const struct ia_opts *o);
int ia_cmd_diff(const struct ia_opts *o);
/* serve --replay FILE; live serve is ia_cmd_watch with o->serve. */
int ia_cmd_serve_replay(const struct ia_opts *o);

/* One-line error on stderr (JSON in --json mode), prefixed with the program name. */
void ia_error(const struct ia_opts *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif /* IA_CLI_H */
