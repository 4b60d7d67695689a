"""The reviews import alone, repeated on one database (not a test): `setup` builds WORK/N/kept.sqlite as the
scale benchmark has it before the import (units and employees imported, the first quarter opened: preview_step.py's
setup); `run` starts a daemon on a fresh copy of it for each of RUNS runs and times `kinerjactl reviews import` of the
quarter's file, printing wall seconds, rows/s, the daemon's and kinerjactl's CPU seconds, the wall
neither explains, and the daemon's peak RSS during the step. With `--perf` each run is recorded with
`perf record --call-graph dwarf` (PERF_FREQ samples a second, 997 unless set) into WORK/N/perf-R.data.

    python3 Benchmarks/reviews_import_step.py setup BIN DEMO_ROOT WORK 25000,250000
    python3 Benchmarks/reviews_import_step.py run BIN DEMO_ROOT WORK 25000,250000 [RUNS] [--perf]
"""
import json
import os
import resource
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchdaemon import Daemon  # noqa: E402
from preview_step import setup  # noqa: E402  (the same database: units, employees, the first quarter open)


def client_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def first_period(demo):
    return json.load(open(f"{demo}/demo.json"))["periods"][0]


def run(bin_dir, demo, work, runs, perf):
    m = first_period(demo)
    out = []
    for r in range(runs):
        for f in os.listdir(work):
            if f.startswith("kinerja.sqlite"):
                os.remove(f"{work}/{f}")
        shutil.copy(f"{work}/kept.sqlite", f"{work}/kinerja.sqlite")
        with Daemon(bin_dir, work) as d:
            d.ctl("ping")
            recorder = None
            if perf:
                recorder = subprocess.Popen(["perf", "record", "-F", os.environ.get("PERF_FREQ", "997"), "--call-graph", "dwarf,16384", "-o", f"{work}/perf-{r}.data", "-p", str(d.pid)],
                                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                time.sleep(1)
            d.reset_peak()
            rss0 = d.mib("VmRSS")
            t, c0, k0 = time.time(), d.cpu(), client_cpu()
            d.ctl("reviews", "import", f"{demo}/reviews-{m['period']}.csv", "--cycle", m["period"])
            wall, cpu, client = time.time() - t, d.cpu() - c0, client_cpu() - k0
            if recorder:
                recorder.send_signal(2)
                recorder.wait()
            out.append((wall, cpu))
            print(f"{os.path.basename(work)}: reviews import {wall:.2f} s wall, {m['reviews'] / wall:,.0f} rows/s, {cpu:.2f} s daemon CPU, "
                  f"{client:.2f} s kinerjactl CPU, {max(0.0, wall - cpu - client):.2f} s neither, "
                  f"peak {d.mib('VmHWM'):.1f} MiB (rss before {rss0:.1f})", flush=True)
    return out


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    mode, bin_dir, root, work = args[:4]
    sizes = args[4].split(",")
    runs = int(args[5]) if len(args) > 5 else 3
    results = {}
    for n in sizes:
        if mode == "setup":
            setup(bin_dir, f"{root}/{n}", f"{work}/{n}")
        else:
            results[n] = run(bin_dir, f"{root}/{n}", f"{work}/{n}", runs, "--perf" in sys.argv)
    if mode == "run":
        med = lambda v, i: sorted(x[i] for x in v)[len(v) // 2]
        for n in sizes:
            print(f"{n}: median {med(results[n], 0):.2f} s wall, {med(results[n], 1):.2f} s daemon CPU")
        if len(sizes) >= 2:
            a, b = results[sizes[0]], results[sizes[-1]]
            print(f"{sizes[-1]}/{sizes[0]}: wall {med(b, 0) / med(a, 0):.1f}, daemon CPU {med(b, 1) / med(a, 1):.1f}")
