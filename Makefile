# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# make            collector (build/iommu-audit) and its static twin
# make test       dependencies, build, unit tests, guest tests on every kernel
# make demo       dependencies, build, a guest that shows plan, a refused claim and watch
# make unit       unit tests only (no guest)
# make vmlinux.h  regenerate bpf/vmlinux.h from VMLINUX_BTF
# make install    the static binary, man page, systemd unit, sysusers.d entry,
#                 example configuration, rules and dashboard (PREFIX, DESTDIR)
# make uninstall  removes what make install installed (not the configuration)
# V=1 shows the commands.

.DELETE_ON_ERROR:
.SUFFIXES:

OUT       := build
CC        ?= gcc
CLANG     ?= clang
BPFTOOL   ?= bpftool
ARCH      := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')
# vmlinux.h comes from the 6.12 test kernel's BTF: it has the iommufd types.
VMLINUX_BTF ?= ../shared/kernels/vmlinux.btf

CFLAGS    ?= -O2 -g
WARN      := -Wall -Wextra -Werror -Wno-unused-parameter
CPPFLAGS  := -Iinclude -I$(OUT)
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) $(CPPFLAGS)
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Ibpf -Iinclude -Wall -Werror
LIBS      := -lbpf -lelf -lz -lm
STATIC_LIBS := -Wl,-Bstatic -lbpf -lelf -lz -lzstd -lm

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

# The layers, each including only the headers of those above it:
# core: the engine and rules, recordings, outputs, the option parser. No BPF,
# no sockets, no signals: unit tests, the fuzzer and mktrace link only these.
CORE_SRCS := src/model.c src/json.c src/hooks.c src/engine.c src/rules.c src/resync.c src/findings.c src/finding_out.c src/event_out.c src/hist.c src/iommufd_out.c \
	     src/sysfs.c src/dmaclass.c src/state_out.c src/ksyms.c \
	     src/grow.c src/tlv.c src/modelio.c src/trace.c src/replay.c src/report_out.c src/kstats.c src/calls.c src/prom_out.c src/httpreq.c src/textfile.c \
	     src/clock.c src/probe_out.c src/recording_out.c src/diff_out.c src/cli.c src/kmod.c src/caps.c \
	     src/holders.c src/critical.c src/pcidev.c src/plan.c src/plan_apply.c src/plan_out.c \
	     src/abi.c src/cgroups.c src/protos.c src/u64map.c src/retire.c
# BTF: a target's prototype read through libbpf's btf.h and checked against
# the core's table (src/protos.c); the loader and the unit tests link it.
BTF_SRCS  := src/btfproto.c
BTF_OBJS  := $(patsubst src/%.c,$(OUT)/%.o,$(BTF_SRCS))
BTF_LIBS  := -lbpf -lelf -lz
# live: the BPF loader, the tracing session, the exporter's sockets, signals.
# commands: one file each, and main.c's table.
LIVE_SRCS := src/loader.c src/grace.c src/live.c src/exporter.c src/http.c src/signals.c \
	     src/cmd_snapshot.c src/cmd_watch.c src/cmd_record.c src/cmd_serve.c src/cmd_probe.c src/cmd_report.c src/cmd_diff.c src/cmd_plan.c src/main.c
CORE_OBJS := $(patsubst src/%.c,$(OUT)/%.o,$(CORE_SRCS))
LIVE_OBJS := $(patsubst src/%.c,$(OUT)/%.o,$(LIVE_SRCS))
UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_OBJS := $(patsubst tests/unit/%.c,$(OUT)/unit/%.o,$(UNIT_SRCS))
HDRS      := $(wildcard include/*.h)

.PHONY: all static unit unit-asan fuzz test vmtest demo deps kernels clean vmlinux.h progs bench print-core-srcs \
	install uninstall prometheusrule print-btf-srcs

all: $(OUT)/iommu-audit $(OUT)/iommu-audit-static

# Guest-side programs the scenarios drive the kernel with (6.12 uapi headers),
# and the kernel's own selftests (a load nobody here wrote): iommufd from
# linux-source-6.12 for the 6.12 test kernel, iommufd and VFIO from
# linux-source-7.3 for the 7.3 one.
progs: $(OUT)/progs/iommu-drive $(OUT)/selftests/.stamp $(OUT)/selftests-7.3/.stamp

$(OUT)/selftests/.stamp: scripts/build-selftests scripts/uapi-headers
	$(call msg,BUILD,$(OUT)/selftests)
	$(Q)scripts/build-selftests 6.12 $(OUT)/selftests

$(OUT)/selftests-7.3/.stamp: scripts/build-selftests scripts/fetch-kernels
	$(call msg,BUILD,$(OUT)/selftests-7.3)
	$(Q)scripts/build-selftests 7.3 $(OUT)/selftests-7.3

$(OUT)/uapi/.stamp: scripts/uapi-headers
	$(call msg,UAPI,$(OUT)/uapi)
	$(Q)scripts/uapi-headers $(OUT)/uapi

$(OUT)/progs/iommu-drive: tests/vm/progs/iommu-drive.c $(OUT)/uapi/.stamp
	$(call msg,CC,$@)
	$(Q)mkdir -p $(OUT)/progs
	$(Q)$(CC) -std=gnu11 $(WARN) -O2 -I$(OUT)/uapi $< -o $@

static: $(OUT)/iommu-audit-static

$(OUT) $(OUT)/unit:
	$(Q)mkdir -p $@

$(OUT)/watch.bpf.o: bpf/watch.bpf.c bpf/core_fixes.bpf.h bpf/vmlinux.h include/iommu_audit.h | $(OUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUT)/watch.o: $(OUT)/watch.bpf.o
	$(call msg,GEN-OBJ,$@)
	$(Q)$(BPFTOOL) gen object $@ $<

$(OUT)/watch.skel.h: $(OUT)/watch.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name watch_bpf > $@

$(OUT)/loader.o: $(OUT)/watch.skel.h

$(OUT)/%.o: src/%.c $(HDRS) | $(OUT)
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(OUT)/iommu-audit: $(CORE_OBJS) $(BTF_OBJS) $(LIVE_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LIBS) -o $@

$(OUT)/iommu-audit-static: $(CORE_OBJS) $(BTF_OBJS) $(LIVE_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -static $^ $(STATIC_LIBS) -o $@

$(OUT)/unit/%.o: tests/unit/%.c $(HDRS) tests/unit/unit.h tests/tools/scenarios.h | $(OUT)/unit
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/unit -DIA_SRCDIR='"$(CURDIR)"' -c $< -o $@

$(OUT)/unit-tests: $(UNIT_OBJS) $(CORE_OBJS) $(BTF_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(BTF_LIBS) -o $@

# Trimmed BTF for tests/fixtures/btf (tests/tools/btf-fixtures drives it).
$(OUT)/btf-trim: tests/tools/btf-trim.c $(OUT)/protos.o
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $^ $(BTF_LIBS) -o $@

# BTF written from the source of kernels no machine here runs (tests/fixtures/btf/README.md).
$(OUT)/btf-synth: tests/tools/btf-synth.c
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $^ $(BTF_LIBS) -o $@

# Fixture recordings for tests/host/trace and the fuzzer's seeds.
$(OUT)/mktrace: tests/tools/mktrace.c tests/tools/scenarios.h $(CORE_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $< $(CORE_OBJS) -lz -o $@

# Unit tests under ASan + UBSan (clang): make unit-asan
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
ASAN_OBJS := $(patsubst src/%.c,$(OUT)/asan/%.o,$(CORE_SRCS) $(BTF_SRCS)) \
	     $(patsubst tests/unit/%.c,$(OUT)/asan/unit/%.o,$(UNIT_SRCS))

$(OUT)/asan/%.o: src/%.c $(HDRS)
	$(call msg,CC-ASAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(ALL_CFLAGS) $(SAN_FLAGS) -c $< -o $@

$(OUT)/asan/unit/%.o: tests/unit/%.c $(HDRS) tests/unit/unit.h tests/tools/scenarios.h
	$(call msg,CC-ASAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(ALL_CFLAGS) $(SAN_FLAGS) -Itests/unit -DIA_SRCDIR='"$(CURDIR)"' -c $< -o $@

$(OUT)/unit-tests-asan: $(ASAN_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CLANG) $(SAN_FLAGS) $^ $(BTF_LIBS) -o $@

unit-asan: $(OUT)/unit-tests-asan
	$(Q)UBSAN_OPTIONS=print_stacktrace=1 $(OUT)/unit-tests-asan

# The recording reader under libFuzzer (clang, ASan + UBSan) for FUZZ_SECONDS,
# from seeds written by mktrace; crashes land in $(OUT)/fuzz/.
FUZZ_SECONDS ?= 60
FUZZ_OBJS := $(patsubst src/%.c,$(OUT)/fuzz/%.o,$(CORE_SRCS))

$(OUT)/fuzz/%.o: src/%.c $(HDRS)
	$(call msg,CC-FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(ALL_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -c $< -o $@

$(OUT)/fuzz/fuzz_trace: tests/fuzz/fuzz_trace.c $(FUZZ_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CLANG) $(ALL_CFLAGS) -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all $^ -lz -o $@

fuzz: $(OUT)/fuzz/fuzz_trace $(OUT)/mktrace
	$(Q)rm -rf $(OUT)/fuzz/seeds && mkdir -p $(OUT)/fuzz/seeds $(OUT)/fuzz/corpus
	$(Q)m=$(OUT)/mktrace s=$(OUT)/fuzz/seeds; $$m $$s/rebind rebind && \
		$$m $$s/mixed --flush 5 --hist rebind bind-refused soft hard alloc alloc-fail && \
		$$m $$s/no-end --no-end --flush 3 rebind soft && \
		$$m $$s/chunks --chunks rebind bind-refused soft hard alloc-fail
	$(Q)cd $(OUT)/fuzz && ./fuzz_trace -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
		-print_final_stats=1 corpus seeds

# Regenerate bpf/vmlinux.h (committed) from a kernel's BTF.
vmlinux.h:
	$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > bpf/vmlinux.h.tmp
	mv bpf/vmlinux.h.tmp bpf/vmlinux.h

deps:
	$(Q)scripts/deps

# The guest kernels of make test (names of scripts/fetch-kernels); tests/run
# runs the guest suite on each, and the mock suites on test and test-7.3.
KERNELS ?= test debian-6.12 debian-6.1 debian-5.10 debian-7.3 test-7.3

kernels: deps
	$(Q)scripts/fetch-kernels $(KERNELS)

unit: $(OUT)/unit-tests
	$(Q)$(OUT)/unit-tests

vmtest: all kernels
	$(Q)tests/vm/run-all

test: deps
	$(Q)$(MAKE) --no-print-directory all progs $(OUT)/unit-tests $(OUT)/mktrace
	$(Q)$(MAKE) --no-print-directory kernels
	$(Q)IOMMU_AUDIT_KERNELS="$(KERNELS)" tests/run

# A benchmark, not a test: instructions per map+unmap pair in one guest
# boot under qemu's -icount, per record on the host under callgrind.
bench: deps
	$(Q)$(MAKE) --no-print-directory all progs $(OUT)/bench/floor $(OUT)/mktrace
	$(Q)$(MAKE) --no-print-directory kernels
	$(Q)scripts/bench

# The bench's floor: fentry/fexit on iommu_map/iommu_unmap, a per-task
# stamp and a per-CPU counter (bench/floor.bpf.c), and its loader.
$(OUT)/bench/floor.bpf.o: bench/floor.bpf.c bpf/vmlinux.h
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUT)/bench/floor.skel.h: $(OUT)/bench/floor.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen object $(@D)/floor.o $< && $(BPFTOOL) gen skeleton $(@D)/floor.o name floor_bpf >$@

$(OUT)/bench/floor: bench/floor.c $(OUT)/bench/floor.skel.h
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -I$(OUT)/bench $< -lbpf -lelf -lz -o $@

demo: deps
	$(Q)$(MAKE) --no-print-directory all $(OUT)/progs/iommu-drive
	$(Q)scripts/fetch-kernels debian-6.12
	$(Q)scripts/demo

# For tests/host/layers: the core sources, which may include no live header.
print-core-srcs:
	@echo $(CORE_SRCS)

# ... and the BTF checker, which may add libbpf's btf.h alone.
print-btf-srcs:
	@echo $(BTF_SRCS)

# Installation. The binary is the static one: one file that runs on any host
# with BPF. The unit's ExecStart names $(SBINDIR); the configuration in
# $(SYSCONFDIR)/default is kept when it is already there.
PREFIX     ?= /usr/local
SBINDIR    ?= $(PREFIX)/sbin
MANDIR     ?= $(PREFIX)/share/man
DATADIR    ?= $(PREFIX)/share/iommu-audit
SYSCONFDIR ?= /etc
UNITDIR    ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
INSTALL    ?= install
DEPLOY_DATA := deploy/prometheus/iommu-audit.rules.yml deploy/grafana/iommu-audit.json \
	       deploy/PRIVILEGES.md $(wildcard deploy/kubernetes/*.yaml)

install: $(OUT)/iommu-audit-static
	$(call msg,INSTALL,$(DESTDIR)$(PREFIX))
	$(Q)$(INSTALL) -D -m 0755 $(OUT)/iommu-audit-static $(DESTDIR)$(SBINDIR)/iommu-audit
	$(Q)$(INSTALL) -D -m 0644 man/iommu-audit.8 $(DESTDIR)$(MANDIR)/man8/iommu-audit.8
	$(Q)$(INSTALL) -d $(DESTDIR)$(UNITDIR)
	$(Q)sed 's|/usr/local/sbin/iommu-audit|$(SBINDIR)/iommu-audit|; s|/etc/default/iommu-audit|$(SYSCONFDIR)/default/iommu-audit|' \
		deploy/systemd/iommu-audit.service >$(DESTDIR)$(UNITDIR)/iommu-audit.service
	$(Q)chmod 0644 $(DESTDIR)$(UNITDIR)/iommu-audit.service
	$(Q)$(INSTALL) -D -m 0644 deploy/systemd/iommu-audit.sysusers $(DESTDIR)$(SYSUSERSDIR)/iommu-audit.conf
	$(Q)[ -e $(DESTDIR)$(SYSCONFDIR)/default/iommu-audit ] || \
		$(INSTALL) -D -m 0644 deploy/systemd/iommu-audit.default $(DESTDIR)$(SYSCONFDIR)/default/iommu-audit
	$(Q)for f in $(DEPLOY_DATA); do \
		$(INSTALL) -D -m 0644 $$f $(DESTDIR)$(DATADIR)/$${f#deploy/} || exit 1; done

uninstall:
	$(call msg,UNINSTALL,$(DESTDIR)$(PREFIX))
	$(Q)rm -f $(DESTDIR)$(SBINDIR)/iommu-audit $(DESTDIR)$(MANDIR)/man8/iommu-audit.8 \
		$(DESTDIR)$(UNITDIR)/iommu-audit.service $(DESTDIR)$(SYSUSERSDIR)/iommu-audit.conf
	$(Q)rm -rf $(DESTDIR)$(DATADIR)

# deploy/kubernetes/prometheusrule.yaml: the rules file, its groups under
# spec:, as a PrometheusRule (tests/host/deploy checks it is current).
PROMETHEUSRULE ?= deploy/kubernetes/prometheusrule.yaml
prometheusrule:
	$(Q){ printf '%s\n' '# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause' \
		'# Generated by `make prometheusrule` from deploy/prometheus/iommu-audit.rules.yml.' \
		'apiVersion: monitoring.coreos.com/v1' 'kind: PrometheusRule' 'metadata:' \
		'  name: iommu-audit' '  namespace: iommu-audit' '  labels:' \
		'    app.kubernetes.io/name: iommu-audit' '    release: prometheus' 'spec:'; \
	  sed '1,/^groups:/{/^#/d}; s/^\(.\)/  \1/' deploy/prometheus/iommu-audit.rules.yml; \
	} >$(PROMETHEUSRULE)

clean:
	$(Q)rm -rf $(OUT)
