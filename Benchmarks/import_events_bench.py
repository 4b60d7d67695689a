#!/usr/bin/env python3
"""The daemon's peak RSS when an employee re-import changes a fifth of the city while a cycle is open
(not a test; a measurement).

For each demo directory (made by `kinerjactl demo generate ... --first-period 2025-Q1`), on a fresh
database: import units and employees, open the first period, then import a copy of the file in which
one active leaf employee in ten is marked inactive (left) and one in ten moves to another unit (same
supervisor): at 250,000 employees about 50,000 changed employees whose open assignments the import
cancels or moves. The daemon's VmHWM is reset (`/proc/PID/clear_refs`, 5) before the re-import.
Prints, per size, the wall time, the daemon's CPU seconds, RSS before and peak during the re-import,
the counts, the number of cycle changes in the reply and the reply's size.

Usage: python3 Benchmarks/import_events_bench.py BIN_DIR WORK DEMO_DIR...
  (e.g. .build-release-static/release /tmp/ieb /work/wt/runs/demo/25000 /work/wt/runs/demo/250000)
"""
import csv, json, os, shutil, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchdaemon import Daemon  # noqa: E402

bin_dir, work, demos = sys.argv[1], sys.argv[2], sys.argv[3:]


def changed_copy(src, dst):
    """The file with every tenth active leaf employee inactive and every tenth (offset 5) moved to the
    next unit. Returns (deactivated, moved)."""
    with open(src, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    col = {name: i for i, name in enumerate(header)}
    named = {r[col["nip_atasan"]] for r in body} | ({r[col["nip_plt"]] for r in body} if "nip_plt" in col else set())
    units = sorted({r[col["unit_kerja"]] for r in body})
    leaves = [r for r in body if r[col["nip"]] not in named and r[col["aktif"]] == "true" and r[col["nip_atasan"]]]
    gone, moved = leaves[0::10], leaves[5::10]
    for r in gone:
        r[col["aktif"]] = "false"
    for r in moved:
        r[col["unit_kerja"]] = units[(units.index(r[col["unit_kerja"]]) + 1) % len(units)]
    with open(dst, "w", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows([header] + body)
    return len(gone), len(moved)


def run(demo):
    spec = json.load(open(f"{demo}/demo.json"))
    n, period = spec["employees"], spec["periods"][0]
    w = f"{work}/{n}"
    shutil.rmtree(w, ignore_errors=True)
    os.makedirs(w)
    gone, moved = changed_copy(f"{demo}/employees.csv", f"{w}/employees-changed.csv")
    with Daemon(bin_dir, w) as d:
        d.ctl("import", "units", f"{demo}/units.csv")
        d.ctl("import", "employees", f"{demo}/employees.csv")
        d.ctl("cycles", "open", period["period"], "--opened-at", period["opened_at"])
        time.sleep(0.5)
        d.reset_peak()
        before, cpu_before, t = d.mib("VmRSS"), d.cpu(), time.time()
        out = d.ctl("--json", "import", "employees", f"{w}/employees-changed.csv", "--allow-deactivate", str(gone))
        wall, cpu_s, hwm = time.time() - t, d.cpu() - cpu_before, d.mib("VmHWM")
    s = json.loads(out)
    s = s.get("summary", s)
    counts = {k: s.get(k) for k in ("changed", "deactivated", "unchanged")}
    print(f"N={n} re-import ({gone} left, {moved} moved, cycle open): {wall:.2f} s (daemon CPU {cpu_s:.2f} s); "
          f"RSS before {before:.1f} MiB, peak during {hwm:.1f} MiB (+{hwm - before:.1f}); {counts}; "
          f"cycle changes in the reply {len(s.get('cycle_changes') or [])} of {s.get('cycle_changes_total', len(s.get('cycle_changes') or []))}; "
          f"reply {len(out) / 1048576:.1f} MiB", flush=True)


for demo in demos:
    run(demo)
