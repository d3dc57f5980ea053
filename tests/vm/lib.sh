# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Shared by the guest suites (run inside scripts/vmtest). Each check prints
# one "PASS: name" or "FAIL: name" line; tests/run counts them.
bin=${IOMMU_AUDIT:-build/iommu-audit}
out=$(mktemp -d /tmp/ia.XXXXXX)
failures=0

pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1${2:+ ($2)}"; failures=$((failures + 1)); }

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

finish() {
	echo "guest suite on $(uname -r): $failures failed"
	[ "$failures" = 0 ]
}
