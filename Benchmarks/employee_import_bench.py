#!/usr/bin/env python3
"""The employees import's time and the daemon's peak RSS (not a test; a measurement).

For each demo directory (made by `kinerjactl demo generate ... --first-period 2025-Q1`), on a fresh
database: start the daemon, import units, reset the daemon's VmHWM (`/proc/PID/clear_refs`, 5) and
import employees into the empty database (and, on a second fresh database, without importing units
first, so the import derives them from the file); then open the first period and import a changed copy of
the file over the stored employees while the cycle is open (one employee moved to another unit,
one departed, a few renamed), VmHWM reset again before it. Prints, per size, the wall time and the
peak RSS and the daemon's CPU seconds of each import, and the ratio of the times between the largest and the smallest size.

Usage: python3 Benchmarks/employee_import_bench.py BIN_DIR WORK DEMO_DIR...
  (e.g. .build-release-static/release /tmp/eib /work/demo/25000 /work/demo/250000)
"""
import csv, json, os, shutil, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchdaemon import Daemon  # noqa: E402

bin_dir, work, demos = sys.argv[1], sys.argv[2], sys.argv[3:]


def changed_copy(src, dst):
    """The file with one leaf employee moved to another unit, one leaf departed, five renamed."""
    with open(src, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    col = {name: i for i, name in enumerate(header)}
    supervisors = {r[col["nip_atasan"]] for r in body} | {r[col["nip_plt"]] for r in body if "nip_plt" in col}
    leaves = [i for i, r in enumerate(body) if r[col["nip"]] not in supervisors and r[col["aktif"]] == "true"
              and r[col["nip_atasan"]]]
    mover, leaver = body[leaves[len(leaves) // 3]], leaves[2 * len(leaves) // 3]
    other = next(r for r in body if r[col["unit_kerja"]] != mover[col["unit_kerja"]] and r[col["aktif"]] == "true")
    mover[col["unit_kerja"]], mover[col["nip_atasan"]] = other[col["unit_kerja"]], other[col["nip"]]
    for i in leaves[1:6]:
        body[i][col["nama"]] += " Baru"
    del body[leaver]
    with open(dst, "w", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows([header] + body)


def run(demo):
    n = json.load(open(f"{demo}/demo.json"))["employees"]
    period = json.load(open(f"{demo}/demo.json"))["periods"][0]
    w = f"{work}/{n}"
    shutil.rmtree(w, ignore_errors=True)
    os.makedirs(w)
    changed_copy(f"{demo}/employees.csv", f"{w}/employees-changed.csv")
    with Daemon(bin_dir, w) as d:
        def timed(*args):
            time.sleep(0.5)
            d.reset_peak()
            before, cpu_before = d.mib("VmRSS"), d.cpu()
            t = time.time()
            out = d.ctl("--json", *args)
            return time.time() - t, d.cpu() - cpu_before, before, d.mib("VmHWM"), json.loads(out)

        d.ctl("import", "units", f"{demo}/units.csv")
        first = timed("import", "employees", f"{demo}/employees.csv")
        d.ctl("cycles", "open", period["period"], "--opened-at", period["opened_at"])
        second = timed("import", "employees", f"{w}/employees-changed.csv", "--allow-deactivate", "1")
    # The first import into a database with no units stored derives the units from the file.
    with Daemon(bin_dir, f"{w}/no-units") as d:
        time.sleep(0.5)
        d.reset_peak()
        before, cpu_before, t = d.mib("VmRSS"), d.cpu(), time.time()
        out = d.ctl("--json", "import", "employees", f"{demo}/employees.csv")
        derived = (time.time() - t, d.cpu() - cpu_before, before, d.mib("VmHWM"), json.loads(out))
    for name, (wall, cpu_s, before, hwm, out) in (("first import", first), ("re-import, cycle open", second),
                                                  ("first import, no units stored", derived)):
        s = out.get("summary", out)
        counts = {k: s.get(k) for k in ("added", "changed", "deactivated", "unchanged") if k in s}
        print(f"N={n} {name}: {wall:.2f} s (daemon CPU {cpu_s:.2f} s); RSS before {before:.1f} MiB, peak during {hwm:.1f} MiB; {counts}"
              f"; cycle changes {len(s.get('cycle_changes') or [])}", flush=True)
    return n, first[0], second[0], first[1], second[1]


results = [run(d) for d in demos]
if len(results) > 1:
    (n0, a0, b0, ca0, cb0), (n1, a1, b1, ca1, cb1) = results[0], results[-1]
    print(f"ratio {n1}/{n0}: first import {a1 / a0:.1f} (daemon CPU {ca1 / ca0:.1f}), "
          f"re-import {b1 / b0:.1f} (daemon CPU {cb1 / cb0:.1f}) (linear = {n1 / n0:.0f})")
