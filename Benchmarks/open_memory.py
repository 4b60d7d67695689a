#!/usr/bin/env python3
"""The daemon's peak RSS through one cycle open (not a test; a measurement).

On a fresh database in WORK: `kinerjactl demo generate --employees N --periods 1 --seed 5`, import
units and employees, then reset the daemon's VmHWM (`/proc/PID/clear_refs`, 5) and open the quarter,
so the peak printed is the open's own, beside the peak through the import and the RSS before and
after. Last it prints a hash of the assignment rows (NIPs, role, unit codes, due date, atasan
source) in id order: two builds that open the same cycle the same way print the same hash.

Usage: python3 Benchmarks/open_memory.py BIN_DIR N WORK   (e.g. .build-release-static/release 100000 /tmp/om)
"""
import json, os, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchdaemon import Daemon, assignment_hash  # noqa: E402

bin_dir, n, work = sys.argv[1], int(sys.argv[2]), sys.argv[3]
os.makedirs(work, exist_ok=True)
demo = f"{work}/demo"
if not os.path.exists(f"{demo}/demo.json"):
    subprocess.run([f"{bin_dir}/kinerjactl", "demo", "generate", "--employees", str(n), "--periods", "1", "--seed", "5",
                    "--first-period", "2025-Q1", "--out", demo, "-q"], check=True)
m = json.load(open(f"{demo}/demo.json"))["periods"][0]
with Daemon(bin_dir, work) as d:
    d.ctl("import", "units", f"{demo}/units.csv")
    d.ctl("import", "employees", f"{demo}/employees.csv")
    hwm_import = d.mib("VmHWM")
    time.sleep(1)
    rss_before = d.mib("VmRSS")
    d.reset_peak()
    t = time.time()
    out = d.ctl("--json", "cycles", "open", m["period"], "--opened-at", m["opened_at"], quiet=False)
    wall = time.time() - t
    print(f"N={n} bin={bin_dir} assignments={json.loads(out)['cycle']['assignments']} open {wall:.2f}s; "
          f"peak through import {hwm_import:.1f} MiB; RSS before open {rss_before:.1f} MiB; "
          f"peak during open (VmHWM reset before it) {d.mib('VmHWM'):.1f} MiB; RSS after {d.mib('VmRSS'):.1f} MiB")
rows, by_id, as_set = assignment_hash(d.db)
print(f"rows={rows} hash(in id order)={by_id} hash(as a set)={as_set}")
