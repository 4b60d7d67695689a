#!/usr/bin/env python3
"""Each step's own peak RSS, CPU and wall time through one quarter (not a test; a measurement).

On a fresh database in WORK, from a demo directory made by `kinerjactl demo generate --periods 1|2
--seed 5` (units.csv, employees.csv, reviews-PERIOD.csv, demo.json): import units and employees,
then for each step (cycle open, reminders preview, reviews import, close, report) reset the
daemon's VmHWM just before it (`/proc/PID/clear_refs`, 5) and print the RSS before it, its own
peak, the RSS after it, the daemon's CPU seconds and the wall seconds. During the open and the
close a probe calls GetStatus, Ping and ListFlags in turn every 20 ms and prints their p50/p99; the
close is measured until the motivation analysis it starts has finished (`close+analysis`). Last
it prints the hash of the assignment rows that Benchmarks/open_memory.py prints.

Usage: python3 Benchmarks/step_memory.py BIN_DIR DEMO_DIR WORK [STEPS]
  (e.g. .build-release-static/release /tmp/demo/25000 /tmp/sm25; STEPS a comma list of
   open,preview,reviews,close,report; all by default)
"""
import datetime, os, json, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchdaemon import Daemon, Probe, assignment_hash  # noqa: E402

bin_dir, demo, work = sys.argv[1], sys.argv[2], sys.argv[3]
steps = (sys.argv[4] if len(sys.argv) > 4 else "open,preview,reviews,close,report").split(",")
m = json.load(open(f"{demo}/demo.json"))["periods"][0]


def step(d, name, args, probe=False, job=None):
    time.sleep(1)
    before = d.mib("VmRSS")
    d.reset_peak()
    c0, t0 = d.cpu(), time.time()
    p = Probe(d.socket) if probe else None
    if p:
        p.__enter__()
    d.ctl(*args)
    wall = time.time() - t0
    if job:
        # The step's own call has returned; the job it started runs on, measured with it.
        print(f"{name:10s} wall {wall:6.2f} s  cpu {d.cpu() - c0:6.2f} s  peak until it returned {d.mib('VmHWM'):6.1f} MiB",
              flush=True)
        d.wait_for_job(job, t0)
        name, wall = f"{name}+{job.split('-')[-1]}", time.time() - t0
    if p:
        p.__exit__()
    print(f"{name:10s} wall {wall:6.2f} s  cpu {d.cpu() - c0:6.2f} s  RSS before {before:6.1f} MiB  "
          f"peak (VmHWM reset before it) {d.mib('VmHWM'):6.1f} MiB  RSS after {d.mib('VmRSS'):6.1f} MiB"
          + (f"\n           {p.summary()}" if p else ""), flush=True)


with Daemon(bin_dir, work) as d:
    d.ctl("import", "units", f"{demo}/units.csv")
    t = time.time()
    d.ctl("import", "employees", f"{demo}/employees.csv")
    print(f"N={sum(1 for _ in open(f'{demo}/employees.csv')) - 1} bin={bin_dir}; employees imported in {time.time() - t:.1f} s, "
          f"peak through the import {d.mib('VmHWM'):.1f} MiB", flush=True)
    at = datetime.datetime.fromisoformat(m["opened_at"]) + datetime.timedelta(days=35)
    while at.weekday() != 2:
        at += datetime.timedelta(days=1)
    at = at.replace(hour=9, minute=0, second=0)
    if "open" in steps:
        step(d, "open", ["cycles", "open", m["period"], "--opened-at", m["opened_at"]], probe=True)
    if "preview" in steps:
        step(d, "preview", ["--json", "reminders", "preview", "--at", at.isoformat()])
    if "reviews" in steps:
        step(d, "reviews", ["reviews", "import", f"{demo}/reviews-{m['period']}.csv", "--cycle", m["period"]])
    if "close" in steps:
        step(d, "close", ["cycles", "close", m["period"], "--closed-at", m["close_at"]], probe=True, job="motivation-analysis")
    if "report" in steps:
        step(d, "report", ["report", "cycle", m["period"], "--format", "json"])
rows, by_id, _ = assignment_hash(d.db, "WHERE a.cycle_id = (SELECT MIN(id) FROM cycle)")
print(f"rows={rows} hash(in id order)={by_id}")
