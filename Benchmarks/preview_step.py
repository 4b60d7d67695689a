"""The reminders preview alone, repeated on one database (not a test): `setup` builds WORK/N/kinerja.sqlite
as the scale benchmark previews it (units and employees imported, the first quarter opened) and keeps a
copy; `run` starts a daemon on a copy of it and times the preview RUNS times (it only reads), printing
wall and daemon CPU seconds, the reply's size and its hash.

    python3 Benchmarks/preview_step.py setup BIN DEMO_ROOT WORK 25000,250000
    python3 Benchmarks/preview_step.py run BIN DEMO_ROOT WORK 25000,250000 [RUNS]
"""
import datetime
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchdaemon import Daemon  # noqa: E402


def client_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def preview_at(demo):
    m = json.load(open(f"{demo}/demo.json"))["periods"][0]
    at = datetime.datetime.fromisoformat(m["opened_at"]) + datetime.timedelta(days=35)
    while at.weekday() != 2:
        at += datetime.timedelta(days=1)
    return m, at.replace(hour=9, minute=0, second=0)


def setup(bin_dir, demo, work):
    shutil.rmtree(work, ignore_errors=True)
    m, _ = preview_at(demo)
    with Daemon(bin_dir, work) as d:
        d.ctl("import", "units", f"{demo}/units.csv")
        d.ctl("import", "employees", f"{demo}/employees.csv")
        d.ctl("cycles", "open", m["period"], "--opened-at", m["opened_at"])
    subprocess.run(["sqlite3", f"{work}/kinerja.sqlite", "PRAGMA wal_checkpoint(TRUNCATE);"], check=True, capture_output=True)
    shutil.copy(f"{work}/kinerja.sqlite", f"{work}/kept.sqlite")


def run(bin_dir, demo, work, runs):
    _, at = preview_at(demo)
    for f in os.listdir(work):
        if f.startswith("kinerja.sqlite"):
            os.remove(f"{work}/{f}")
    shutil.copy(f"{work}/kept.sqlite", f"{work}/kinerja.sqlite")
    out = []
    with Daemon(bin_dir, work) as d:
        d.ctl("ping")
        for _ in range(runs):
            d.reset_peak()
            rss0 = d.mib("VmRSS")
            t, c0, k0 = time.time(), d.cpu(), client_cpu()
            r = subprocess.run(d.argv("--json", "reminders", "preview", "--at", at.isoformat()), stdout=subprocess.PIPE, check=True)
            wall, cpu, client = time.time() - t, d.cpu() - c0, client_cpu() - k0
            out.append((wall, cpu))
            print(f"{os.path.basename(work)}: preview {wall:.2f} s wall, {cpu:.2f} s daemon CPU, {client:.2f} s kinerjactl CPU, peak {d.mib('VmHWM'):.1f} MiB "
                  f"(rss before {rss0:.1f}), reply {len(r.stdout) / 1e6:.1f} MB sha {hashlib.sha256(r.stdout).hexdigest()[:16]}", flush=True)
    return out


if __name__ == "__main__":
    mode, bin_dir, root, work = sys.argv[1:5]
    sizes = sys.argv[5].split(",")
    runs = int(sys.argv[6]) if len(sys.argv) > 6 else 3
    results = {}
    for n in sizes:
        if mode == "setup":
            setup(bin_dir, f"{root}/{n}", f"{work}/{n}")
        else:
            results[n] = run(bin_dir, f"{root}/{n}", f"{work}/{n}", runs)
    if mode == "run" and len(sizes) == 2:
        a, b = (sorted(results[n]) for n in sizes)
        med = lambda v, i: sorted(x[i] for x in v)[len(v) // 2]
        print(f"median wall {med(a, 0):.2f} / {med(b, 0):.2f} = {med(b, 0) / med(a, 0):.2f}; "
              f"median CPU {med(a, 1):.2f} / {med(b, 1):.2f} = {med(b, 1) / med(a, 1):.2f}")
