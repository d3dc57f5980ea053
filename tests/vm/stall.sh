# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# A burst the default ring buffer holds by design (sourced by suite-mock,
# after lib.sh, scenarios.sh and soak.sh): record, watch --json and serve,
# each at its default settings, are stopped (SIGSTOP) before iommu-drive
# creates and closes IOMMU_AUDIT_STALL_CONTEXTS iommufd contexts (default
# 2,200, 100 open at once), each with a mock device and one 4 KiB IOAS
# map+unmap, and continued (SIGCONT) only once it has ended. Nothing reads
# the ring buffer meanwhile: every record the probes make waits in it. Each
# mode must then report no drop, no record lost, every submitted record
# consumed, none unpaired and no finding.
# Sized from the burst's records: 63 per context on the 6.12 test kernel,
# 27 of them exits in the short form (64 bytes of ring each with the
# ring's header, struct ia_exit_rec) and 36 full events (256 bytes): 10.9 KB
# a context, 24 MB for 2,200 in the default 32 MiB.

stall_contexts=${IOMMU_AUDIT_STALL_CONTEXTS:-2200}

# The summary of a run (watch's JSON, or a recording's report), checked.
stall_check_summary() { # name file
	python3 - "$1" "$2" "$stall_contexts" <<'PY'
import json, sys
name, path, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
s = [json.loads(l) for l in open(path) if '"type":"summary"' in l]
if not s:
    print(f"{name}: no summary in {path}")
    sys.exit(1)
s = s[-1]
bad = {k: s[k] for k in ("drops", "records_lost", "unpaired_exits", "malformed", "unusable",
                         "findings") if s.get(k)}
if s.get("submitted") != s.get("records"):
    bad["submitted != records"] = (s.get("submitted"), s.get("records"))
if s.get("iommufd_ctxs_closed", 0) < n:
    bad["contexts closed"] = s.get("iommufd_ctxs_closed")
print(f"{name}: {s.get('records')} records for {n} contexts held while stopped: "
      f"{s.get('drops')} dropped")
if bad:
    print(f"{name}: {bad}")
    sys.exit(1)
PY
}

# Start MODE, wait until it traces, stop it, run the burst, continue it.
stall_burst() { # name pid errfile ready-regex
	local name=$1 pid=$2 err=$3 ready=$4
	for _ in $(seq 1 600); do
		grep -qE "$ready" "$err" 2>/dev/null && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.2
	done
	grep -qE "$ready" "$err" || { cat "$err"; fail "$name" "did not start"; return 1; }
	kill -STOP "$pid"
	drive_ok "$name-burst" mock-burst "$stall_contexts" 100
	local rc=$?
	kill -CONT "$pid"
	return $rc
}

# record or watch --json through a stalled burst, stopped with SIGINT; its
# summary (watch's own, or the recording's report) checked.
stall_summary_mode() { # name mode args...
	local name=$1 mode=$2 pid summary rc; shift 2
	"$bin" "$mode" "$@" >"$out/$name.out" 2>"$out/$name.err" &
	pid=$!
	if ! stall_burst "$name" $pid "$out/$name.err" '^watching:'; then
		kill -INT $pid; wait $pid
		return
	fi
	kill -INT $pid
	wait $pid
	rc=$?
	cat "$out/$name.err"
	[ $rc = 0 ] || { fail "$name" "$mode exited $rc"; return; }
	summary=$out/$name.out
	if [ "$mode" = record ]; then
		summary=$out/$name.report.json
		"$bin" report --json "$out/$name.trace" >"$summary" || fail "$name" "report exited $?"
	fi
	if stall_check_summary "$name" "$summary"; then
		pass "$name"
	else
		fail "$name" "lost or unpaired records, above"
	fi
}

scenario_stalled_burst() {
	local name pid port

	stall_summary_mode stalled-record record -o "$out/stalled-record.trace"
	stall_summary_mode stalled-watch watch --json

	name=stalled-serve
	"$bin" serve --listen 127.0.0.1:0 >"$out/$name.out" 2>"$out/$name.err" &
	pid=$!
	if stall_burst "$name" $pid "$out/$name.err" '^serving http'; then
		port=$(grep -oE 'http://127\.0\.0\.1:[0-9]+/metrics' "$out/$name.err" | head -1 |
			sed -E 's#.*:([0-9]+)/.*#\1#')
		if soak_caught_up "$port" &&
			python3 -c "import sys, urllib.request; sys.stdout.buffer.write(urllib.request.urlopen('http://127.0.0.1:$port/metrics', timeout=60).read())" \
				>"$out/$name.prom"; then
			if python3 - "$name" "$out/$name.prom" <<'PY'; then
import re, sys
name, path = sys.argv[1], sys.argv[2]
m = dict(re.findall(r"^iommu_audit_(\w+) (\S+)$", open(path).read(), re.M))
want_zero = ("ring_buffer_drops_total", "records_lost_total", "unpaired_exits_total",
             "records_malformed_total", "records_unusable_total")
bad = {k: m.get(k) for k in want_zero if m.get(k) != "0"}
print(f"{name}: {m.get('records_total')} records, {m.get('ring_buffer_drops_total')} dropped")
if bad:
    print(f"{name}: {bad}")
    sys.exit(1)
PY
				pass "$name"
			else
				fail "$name" "lost or unpaired records, above"
			fi
		else
			fail "$name" "the consumer did not catch up, or the scrape failed"
		fi
	fi
	kill -TERM $pid
	wait $pid || fail "$name" "serve exited $? after SIGTERM"
}
