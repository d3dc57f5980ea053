# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Drops that heal (sourced by suite-mock, after lib.sh and scenarios.sh): a
# 64 KiB ring buffer cannot hold what a burst of 500 iommufd mock contexts
# produces while the collector is stopped, so records are really lost.
# record and watch must each report the drops, one records-lost finding per
# resync (each saying the groups were re-read from sysfs), no owner-based
# finding, and a final state whose groups, devices and drivers equal a fresh
# snapshot (tests/vm/check-resync).

# Run `iommu-audit MODE ARGS` with the tiny ring around a burst; stop it with SIGINT.
resync_run() { # name mode args...
	local name=$1 mode=$2 pid; shift 2
	"$bin" "$mode" --ringbuf-kb 64 "$@" >"$out/$name.out" 2>"$out/$name.err" &
	pid=$!
	for _ in $(seq 1 600); do
		grep -q '^watching:' "$out/$name.err" 2>/dev/null && break
		kill -0 $pid 2>/dev/null || break
		sleep 0.2
	done
	grep -q '^watching:' "$out/$name.err" || { cat "$out/$name.err"; fail "$name" "$mode did not start"; return 1; }
	# stopped through the burst, so the ring overflows however fast the collector
	# would have read it; continued, it finds the drops and heals
	kill -STOP $pid
	drive_ok "$name-burst" mock-burst 500 100 || { kill -CONT $pid; kill -INT $pid; wait $pid; return 1; }
	kill -CONT $pid
	kill -INT $pid
	wait $pid || { cat "$out/$name.err"; fail "$name" "$mode exited $?"; return 1; }
	cat "$out/$name.err"
}

scenario_resync() {
	local name=resync rc
	if resync_run "$name-record" record -o "$out/$name.trace"; then
		"$bin" report --json --fail-on records-lost "$out/$name.trace" >"$out/$name.report.json"
		rc=$?
		[ $rc = 3 ] || fail "$name-record" "report --fail-on records-lost exited $rc, want 3"
		"$bin" snapshot --json >"$out/$name.snap.json" || fail "$name-record" "snapshot"
		if tests/vm/check-resync "$out/$name.report.json" "$out/$name.snap.json"; then
			pass "$name-record"
		else
			fail "$name-record"
		fi
		json_check "$name-record" "$out/$name.report.json" --maybe-empty "$out/$name.snap.json"
	fi
	if resync_run "$name-watch" watch --json; then
		"$bin" snapshot --json >"$out/$name.snap2.json" || fail "$name-watch" "snapshot"
		if tests/vm/check-resync "$out/$name-watch.out" "$out/$name.snap2.json"; then
			pass "$name-watch"
		else
			fail "$name-watch"
		fi
		json_check "$name-watch" "$out/$name-watch.out"
	fi
}
