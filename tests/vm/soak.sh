# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The always-on service under churn (sourced by tests/vm/suite-mock, after
# lib.sh and scenarios.sh; test kernel, mock topology). `serve` runs with its
# defaults while iommu-drive creates and closes IOMMU_AUDIT_SOAK_CONTEXTS
# iommufd contexts (default 20,000), IOMMU_AUDIT_SOAK_ALIVE of them open at
# once (default 2,000), each with a mock device (its own group and domain)
# and one 4 KiB IOAS map+unmap. Asserted from one scrape after the burst:
#   - iommu_map/iommu_unmap calls in the histograms (live and freed domains)
#     equal kprobe hit counts of ftrace's own kprobes on the same functions
#     (tracefs kprobe_profile: no BPF, no ring buffer of ours; nmissed 0),
#     and IOAS_MAP/IOAS_UNMAP ioctls equal the hits on iommufd_ioas_map/unmap;
#   - nothing lost: no ring-buffer drop, no record unusable or unpaired, no
#     finding; no kernel map full (a domain entry the allocator refused under
#     churn is counted, its calls kept without their domain: under 1 %);
#   - bounded: the kernel's histogram map holds live domains only (a handful
#     once every context is closed and two retire steps have run), the
#     metrics' group labels are the groups
#     that exist (freed domains of gone groups under "unknown");
#   - the collector's RSS flat: the last quarter's peak within 10 % of the
#     first quarter's (sampled every 0.5 s).

soak_ref=iommu_audit_soak
soak_fns="iommu_map iommu_unmap iommu_map_sg iommu_unmap_fast iommufd_ioas_map iommufd_ioas_unmap"

# ftrace kprobes on the functions, counting hits; tracing_on off so that
# nothing is written to ftrace's buffer (nhit counts regardless).
soak_ref_start() {
	local t=/sys/kernel/tracing f
	require "kprobe events in tracefs" test -w "$t/kprobe_events"
	echo 0 >"$t/tracing_on"
	for f in $soak_fns; do
		grep -qw "$f" /proc/kallsyms || continue
		echo "p:$soak_ref/$f $f" >>"$t/kprobe_events" || return 1
	done
	echo 1 >"$t/events/$soak_ref/enable"
}

soak_ref_stop() { # file: kprobe_profile as it was
	local t=/sys/kernel/tracing f
	cat "$t/kprobe_profile" >"$1"
	echo 0 >"$t/events/$soak_ref/enable"
	for f in $soak_fns; do
		echo "-:$soak_ref/$f" >>"$t/kprobe_events" 2>/dev/null
	done
	echo 1 >"$t/tracing_on"
}

# The collector's VmRSS in KiB every 0.5 s while it runs.
soak_rss() { # pid file
	while kill -0 "$1" 2>/dev/null; do
		awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null >>"$2"
		sleep 0.5
	done
}

# Until the collector has consumed every record the probes submitted (the
# ring buffer holds what it has not read yet); 300 s at most.
soak_caught_up() { # port
	python3 - "$1" <<'PY'
import re, sys, time, urllib.request
url = f"http://127.0.0.1:{sys.argv[1]}/metrics"
for i in range(300):
    m = dict(re.findall(r"^iommu_audit_(records_total|ring_buffer_submitted_total) (\S+)$",
                        urllib.request.urlopen(url, timeout=60).read().decode(), re.M))
    if m.get("records_total") and m.get("records_total") == m.get("ring_buffer_submitted_total"):
        print(f"caught up after {i} s: {m}")
        sys.exit(0)
    time.sleep(1)
print("not caught up:", m)
sys.exit(1)
PY
}

scenario_soak() {
	local name=soak n=${IOMMU_AUDIT_SOAK_CONTEXTS:-20000} alive=${IOMMU_AUDIT_SOAK_ALIVE:-2000}
	local pid port rss_pid t0
	soak_ref_start || { fail "$name" "cannot set up the kprobe reference"; soak_ref_stop "$out/$name.ref"; return; }
	"$bin" serve --listen 127.0.0.1:0 >"$out/$name.out" 2>"$out/$name.err" &
	pid=$!
	if ! wait_serving $pid "$out/$name.err"; then
		cat "$out/$name.err"; fail "$name" "serve did not start"; soak_ref_stop "$out/$name.ref"; return
	fi
	port=$(grep -oE 'http://127\.0\.0\.1:[0-9]+/metrics' "$out/$name.err" | head -1 | sed -E 's#.*:([0-9]+)/.*#\1#')
	soak_rss $pid "$out/$name.rss" &
	rss_pid=$!
	t0=$(date +%s)
	drive_ok "$name-burst" mock-burst "$n" "$alive"
	echo "burst of $n contexts ($alive open at once) traced in $(($(date +%s) - t0)) s"
	soak_caught_up "$port" || fail "$name" "the consumer did not catch up in 300 s"
	sleep 3 # freed domains leave the kernel's map in two retire steps, 1 s apart (src/live.c)
	bpftool map dump name hists -j >"$out/$name.hists.json" 2>"$out/$name.bpftool.err" ||
		cat "$out/$name.bpftool.err"
	bpftool map show name hists >"$out/$name.hists.show" 2>&1
	python3 -c "import sys, urllib.request; sys.stdout.buffer.write(urllib.request.urlopen('http://127.0.0.1:$port/metrics', timeout=60).read())" \
		>"$out/$name.prom" || fail "$name" "scrape"
	kill -TERM $pid
	wait $pid || fail "$name" "serve exited $? after SIGTERM"
	wait $rss_pid
	soak_ref_stop "$out/$name.ref"
	cat "$out/$name.err" "$out/$name.hists.show"
	if promtool check metrics <"$out/$name.prom" &&
		python3 - "$out/$name.prom" "$out/$name.ref" "$out/$name.hists.json" "$out/$name.rss" \
			"$out/$name-burst.drive" "$n" "$alive" <<'PY'
import json, re, sys
prom_p, ref_p, hists_p, rss_p, drive_p, n, alive = sys.argv[1:8]
n, alive = int(n), int(alive)
bad = []

def check(what, ok):
    print(("ok: " if ok else "BAD: ") + what)
    if not ok:
        bad.append(what)

m = {}
for line in open(prom_p):
    g = re.match(r'^(iommu_audit_\w+)(\{[^}]*\})? (\S+)$', line)
    if g:
        m[g.group(1) + (g.group(2) or "")] = float(g.group(3))

def total(prefix):
    return sum(v for k, v in m.items() if k.startswith(prefix))

drive = open(drive_p).read()
check(f"the burst ran whole: {drive.strip().splitlines()[0] if drive.strip() else ''}",
      f"contexts={n} alive={alive} maps={n} unmaps={n} closed={n}" in drive)

ref = {}
for line in open(ref_p):
    f = line.split()
    if len(f) == 3 and f[0] in ("iommu_map", "iommu_unmap", "iommu_map_sg", "iommu_unmap_fast",
                                "iommufd_ioas_map", "iommufd_ioas_unmap"):
        ref[f[0]] = (int(f[1]), int(f[2]))
print("reference (kprobe_profile: hits, missed):", ref)
check("the reference missed nothing", all(missed == 0 for _, missed in ref.values()))
for op, fn in (("map", "iommu_map"), ("unmap", "iommu_unmap"), ("map_sg", "iommu_map_sg"),
               ("unmap_fast", "iommu_unmap_fast")):
    got = total(f'iommu_audit_map_latency_seconds_count{{op="{op}",')
    want = ref.get(fn, (0, 0))[0]
    check(f"{fn}: {got:.0f} calls in the histograms == {want} kprobe hits", got == want)
check(f"{n} iommu_map calls at least (one per context)", ref.get("iommu_map", (0, 0))[0] >= n)
for cmd, fn in (("IOAS_MAP", "iommufd_ioas_map"), ("IOAS_UNMAP", "iommufd_ioas_unmap")):
    got = m.get(f'iommu_audit_ioctl_calls_total{{cmd="{cmd}"}}')
    check(f"{cmd}: {got} ioctls counted == {ref.get(fn, (None,))[0]} kprobe hits == {n}",
          got == ref.get(fn, (None,))[0] == n)
for key in ("iommu_audit_ring_buffer_drops_total", "iommu_audit_records_unusable_total",
            "iommu_audit_unpaired_exits_total", "iommu_audit_records_malformed_total",
            "iommu_audit_iommufd_objects_untracked_total", "iommu_audit_map_exits_unstarted_total"):
    check(f"{key} == 0 (got {m.get(key)})", m.get(key) == 0)
full = {k: v for k, v in m.items() if "map_full_total" in k}
refused = full.get('iommu_audit_map_full_total{map="hists"}')
check("no kernel map was full but for a domain entry the allocator refused now and then "
      f"(its calls counted without their domain): {full}",
      len(full) == 4 and refused is not None and refused < n / 100 and total("iommu_audit_map_full_total") == refused)
check(f"no finding (got {total('iommu_audit_findings_total')})", total("iommu_audit_findings_total") == 0)
check(f"{n} contexts closed (got {m.get('iommu_audit_iommufd_contexts_closed_total')})",
      m.get("iommu_audit_iommufd_contexts_closed_total") == n)

entries = json.load(open(hists_p))
check(f"the kernel's histogram map holds live domains only: {len(entries)} entries after the burst",
      len(entries) <= 16)
groups = {re.search(r'group="([^"]*)"', k).group(1) for k in m if k.startswith("iommu_audit_map_latency")}
check(f"map histogram groups bounded: {sorted(groups)}", len(groups) <= 8)

rss = [int(l) for l in open(rss_p) if l.strip().isdigit()]
q = max(1, len(rss) // 4)
first, last = max(rss[:q]), max(rss[-q:])
print(f"RSS: {len(rss)} samples, first quarter peak {first} KiB, last quarter peak {last} KiB, "
      f"overall peak {max(rss)} KiB")
check(f"RSS flat: last quarter's peak {last} KiB within 10 % of the first's {first} KiB",
      len(rss) >= 8 and last <= first * 1.10)
sys.exit(1 if bad else 0)
PY
	then
		pass "$name"
	else
		fail "$name"
	fi
}
