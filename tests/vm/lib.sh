# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Shared by the guest suites (run inside scripts/vmtest). Each check prints
# one "PASS: name" or "FAIL: name" line; tests/run counts them.
bin=${IOMMU_AUDIT:-build/iommu-audit}
out=$(mktemp -d /tmp/ia.XXXXXX)
failures=0

pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1${2:+ ($2)}"; failures=$((failures + 1)); }
# A scenario that cannot apply to this kernel: neither a pass nor a failure, and
# tests/run lists it as not run.
not_run() { echo "NOT RUN: $1 ($2)"; }

# What each test kernel offers (scripts/fetch-kernels; their configurations):
#   iommufd       IOMMUFD, its mock IOMMU (IOMMUFD_TEST) and the VFIO device cdev
#   dma-owner     the DMA-ownership API (iommu_group_claim_dma_owner, v5.19)
#   device-claim  its per-device claim (iommu_device_claim_dma_owner, v6.2)
#   vfio-builtin  VFIO and vfio_iommu_type1 built in (else modules)
#   mock-fwspec   mock devices probed by the mock IOMMU through a fwspec, beside
#                 VT-d (iommu_mock_device_add); before, by bus: VT-d refuses them
#   fentry        fentry/fexit for the call hooks: fexit reads return values with
#                 bpf_get_func_ret (v5.17); without it every call hook is a kprobe
#   kprobe-multi  kprobe_multi links (v5.18 built with CONFIG_FPROBE; Debian's 6.1
#                 is not): kprobes without perf events (register_fprobe exists)
# A kernel given by path is taken as it is found. A named kernel must be as the
# table says: check_offers fails loudly when it is not, so a scenario is never
# left out because a feature went missing.
kernel_offers() { # feature
	case ${VMTEST_KERNEL:-}:$1 in
	test:mock-fwspec) return 1 ;;
	test:* | test-7.3:*) return 0 ;;
	debian-6.1:fentry | debian-6.12:fentry | debian-7.3:fentry) return 0 ;;
	debian-6.12:kprobe-multi | debian-7.3:kprobe-multi) return 0 ;;
	debian-6.12:dma-owner | debian-6.12:device-claim | debian-7.3:dma-owner | debian-7.3:device-claim) return 0 ;;
	debian-6.1:dma-owner) return 0 ;;
	debian-5.10:* | debian-6.1:* | debian-6.12:* | debian-7.3:*) return 1 ;;
	*) kernel_has "$1" ;;
	esac
}

# What the running kernel has.
kernel_has() { # feature
	case $1 in
	iommufd) [ -c /dev/iommu ] && [ -e /sys/class/iommu/iommufd_selftest_iommu.0 ] && [ -d /sys/class/vfio-dev ] ;;
	dma-owner) grep -qw iommu_group_claim_dma_owner /proc/kallsyms ;;
	device-claim) grep -qw iommu_device_claim_dma_owner /proc/kallsyms ;;
	mock-fwspec) grep -qw iommu_mock_device_add /proc/kallsyms ;;
	kprobe-multi) grep -qw register_fprobe /proc/kallsyms ;;
	vfio-builtin) grep -q '/vfio_iommu_type1\.ko' "/lib/modules/$(uname -r)/modules.builtin" 2>/dev/null ;;
	fentry) # a call hook every kernel has, attached through fentry (a file: grep -q in a
		# pipeline would cut probe's output short under pipefail)
		"$bin" probe --json >"$out/kernel-has-fentry.json" 2>&1 &&
			grep -q '"hook":"really_probe","target":"really_probe","via":"fentry","attached":true' \
				"$out/kernel-has-fentry.json" ;;
	*) return 2 ;;
	esac
}

# The table against the running kernel, for each feature: a PASS line saying
# what the kernel offers, or a FAIL naming the difference.
check_offers() {
	local f want got
	for f in iommufd dma-owner device-claim vfio-builtin mock-fwspec fentry kprobe-multi; do
		kernel_offers $f && want=yes || want=no
		kernel_has $f && got=yes || got=no
		if [ $want = $got ]; then
			pass "kernel-offers/$f-$want"
		else
			fail "kernel-offers/$f" "${VMTEST_KERNEL:-this kernel} should offer $f: $want, the kernel says $got"
		fi
	done
}

# A precondition that does not hold ends the suite loudly.
require() { # name condition-command...
	local name=$1; shift
	"$@" || { fail "precondition: $name"; exit 1; }
}

# The first PCI device with this vendor:device, e.g. 8086:10d3 (e1000e).
pci_find() {
	local d
	for d in /sys/bus/pci/devices/*; do
		if [ "$(cat "$d/vendor")" = "0x$1" ] && [ "$(cat "$d/device")" = "0x$2" ]; then
			basename "$d"; return 0
		fi
	done
	return 1
}

pci_driver() { basename "$(readlink "/sys/bus/pci/devices/$1/driver" 2>/dev/null)" 2>/dev/null; }

# Rebind a PCI device to a driver through driver_override ("" = its own driver).
pci_rebind() { # bdf driver-or-empty
	local bdf=$1 drv=$2 cur
	cur=$(pci_driver "$bdf")
	echo "${drv:-}" >"/sys/bus/pci/devices/$bdf/driver_override"
	[ -z "$cur" ] || echo "$bdf" >"/sys/bus/pci/drivers/$cur/unbind"
	echo "$bdf" >/sys/bus/pci/drivers_probe
}

# Start watch in the background; wait until it says it is attached.
watch_start() { # name args...
	local name=$1; shift
	"$bin" watch "$@" >"$out/$name.out" 2>"$out/$name.err" &
	watch_pid=$!
	for _ in $(seq 1 600); do
		grep -q '^watching:' "$out/$name.err" 2>/dev/null && return 0
		kill -0 "$watch_pid" 2>/dev/null || break
		sleep 0.2
	done
	cat "$out/$name.err"
	return 1
}

watch_stop() {
	kill -INT "$watch_pid"
	wait "$watch_pid"
}

# Every line of the outputs valid against include/iommu-audit.schema.json
# (tests/tools/validate-json): "PASS: NAME/json-schema", or the validator's
# complaints and "FAIL: NAME/json-schema". Outputs after --maybe-empty may
# hold no line (a stderr without an error object, a snapshot without groups).
json_lines=0 json_outputs=0 json_invalid=0
json_check() { # name file... [--maybe-empty file...]
	local name=$1 log=$out/json-check.log files=() maybe=() ok=0; shift
	while [ $# -gt 0 ] && [ "$1" != --maybe-empty ]; do files+=("$1"); shift; done
	[ $# = 0 ] || { shift; maybe=("$@"); }
	: >"$log"
	[ ${#files[@]} = 0 ] || tests/tools/validate-json "${files[@]}" >>"$log" 2>&1 || ok=1
	[ ${#maybe[@]} = 0 ] || tests/tools/validate-json --allow-empty "${maybe[@]}" >>"$log" 2>&1 || ok=1
	sed "s|^|  json-schema: |" "$log"
	if [ $ok = 0 ]; then
		json_outputs=$((json_outputs + ${#files[@]} + ${#maybe[@]}))
		json_lines=$((json_lines + $(cat "${files[@]}" "${maybe[@]}" | wc -l)))
		pass "$name/json-schema"
	else
		json_invalid=$((json_invalid + 1))
		fail "$name/json-schema" "output not valid against include/iommu-audit.schema.json"
	fi
}

finish() {
	echo "JSON Lines valid against the schema: $json_lines lines in $json_outputs outputs," \
		"$json_invalid checks failed"
	[ "$json_outputs" != 0 ] || [ "$json_invalid" != 0 ] || fail json-schema "no output was validated"
	echo "guest suite on $(uname -r): $failures failed"
	[ "$failures" = 0 ]
}
