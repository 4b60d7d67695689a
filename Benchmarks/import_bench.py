#!/usr/bin/env python3
"""The reviews import's speed and the daemon's peak RSS during it (not a test; a measurement).

On a fresh database in WORK: import the units and employees of DEMO (a directory written by
`kinerjactl demo generate`, only read), open its first period with the opened_at of demo.json, then
reset the daemon's VmHWM (`/proc/PID/clear_refs`, 5) and time `kinerjactl reviews import` of that
period's review file: prints the wall time (file read to summary), rows/s, the daemon's peak RSS during
the import (VmHWM), the CPU seconds of both (less sensitive to a busy machine than the wall time)
and kinerjactl's peak RSS (GNU time's %M).

Usage: python3 Benchmarks/import_bench.py BIN_DIR DEMO WORK [PERF_DATA]
  (e.g. .build-release-static/release /work/demo/250000 /tmp/ib)
With PERF_DATA, `perf record -g` samples the daemon during the import into that file.
"""
import json, os, resource, shutil, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchdaemon import Daemon  # noqa: E402

bin_dir, demo, work = sys.argv[1], sys.argv[2], sys.argv[3]
perf_data = sys.argv[4] if len(sys.argv) > 4 else None
shutil.rmtree(work, ignore_errors=True)
m = json.load(open(f"{demo}/demo.json"))["periods"][0]
reviews = f"{demo}/reviews-{m['period']}.csv"
with Daemon(bin_dir, work) as d:
    d.ctl("import", "units", f"{demo}/units.csv")
    d.ctl("import", "employees", f"{demo}/employees.csv")
    d.ctl("cycles", "open", m["period"], "--opened-at", m["opened_at"])
    time.sleep(1)
    rss_before = d.mib("VmRSS")
    d.reset_peak()
    cmd = d.argv("reviews", "import", reviews, "--cycle", m["period"])
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    perf = subprocess.Popen(["perf", "record", "-g", "-p", str(d.pid), "-o", perf_data],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) if perf_data else None
    daemon_cpu = d.cpu()
    t = time.time()
    r = subprocess.run(["/usr/bin/time", "-f", "maxrss_kib=%M", "-o", f"{work}/ctl.time"] + cmd, capture_output=True, text=True)
    wall = time.time() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    daemon_cpu = d.cpu() - daemon_cpu
    if perf:
        perf.send_signal(2)
        perf.wait(60)
    if r.returncode != 0:
        sys.exit(f"reviews import failed ({r.returncode}): {r.stdout}{r.stderr}")
    rows = m["reviews"]
    ctl_rss = int(open(f"{work}/ctl.time").read().split("maxrss_kib=")[1].split()[0]) / 1024
    print(f"command: {' '.join(cmd)}")
    print(f"{r.stdout.strip()}")
    print(f"rows={rows} wall={wall:.2f}s rows/s={rows / wall:,.0f} kinerjactl cpu={after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime:.2f}s "
          f"daemon cpu={daemon_cpu:.2f}s kinerjactl peak RSS={ctl_rss:.1f} MiB; daemon RSS before {rss_before:.1f} MiB, "
          f"peak during the import (VmHWM reset before it) {d.mib('VmHWM'):.1f} MiB, after {d.mib('VmRSS'):.1f} MiB")
