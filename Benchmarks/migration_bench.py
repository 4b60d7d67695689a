#!/usr/bin/env python3
"""Converts a copy of a database written by an earlier build (a kept `scale_bench.py --keep` database)
with the build under test, and checks that its reports read the same (a benchmark, not a test).

The earlier build's daemon reads, on one copy, every cycle's report (JSON, with the employees without
a predikat), the follow-up report and the employee view of some employees (every 5,000th subject of
the last cycle); the build under test starts on another copy, which migrates it (the backup first,
then the rewrite, in one transaction), reads the same and prints whether each differs. Printed: the
time from the daemon's start until its socket answers (the migration with its backup), each cycle
report's time (best of 3) and a motivation analysis' (the job run once) on both builds, and the space of each table and index touched (SQLite's
dbstat) before and after.

Usage: python3 Benchmarks/migration_bench.py --before-bin DIR --bin DIR --database FILE
"""
import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time

from benchdaemon import Daemon


def space(path, names):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    rows = dict(db.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name").fetchall())
    db.close()
    return {n: rows.get(n, 0) for n in names}


def idle(d):
    """Until no job runs (a database kept after a stop may have its analysis rerun at start)."""
    while any(j["running"] for j in d.call("io.kinerjad.Admin.GetStatus")["jobs"]):
        time.sleep(0.2)


def reads(d, path):
    """What the reports show, as JSON text per read, and each cycle report's best time."""
    idle(d)
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    periods = [r[0] for r in db.execute("SELECT period FROM cycle ORDER BY period_start")]
    last = db.execute("SELECT MAX(id) FROM cycle").fetchone()[0]
    nips = [r[0] for r in db.execute("""
        SELECT p.nip FROM assignment a JOIN person p ON p.id = a.subject_id WHERE a.cycle_id = ? AND a.role = 3
        ORDER BY p.nip""", (last,))][::5000]
    db.close()
    out, took = {}, {}
    for p in periods:
        took[p] = []
        for _ in range(3):
            t0 = time.time()
            out[f"report cycle {p}"] = d.ctl("report", "cycle", p, "--format", "json", quiet=False)
            took[p].append(time.time() - t0)
    out["seconds"] = {p: min(t) for p, t in took.items()}
    t0 = time.time()
    run = d.call("io.kinerjad.Admin.RunJob", {"name": "motivation-analysis"})["run"]
    out["seconds"]["motivation-analysis"] = time.time() - t0
    out["motivation-analysis"] = run["outcome"]
    out["report followups"] = d.ctl("report", "followups", quiet=False)
    for nip in nips:
        out[f"employee {nip}"] = d.ctl("employee", nip, quiet=False)
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--before-bin", required=True)
    parser.add_argument("--bin", required=True)
    parser.add_argument("--database", required=True)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="kinerja-migration-")
    try:
        old, new = f"{work}/before", f"{work}/after"
        for w in (old, new):
            os.makedirs(w)
            shutil.copyfile(args.database, f"{w}/kinerja.sqlite")
        touched = ["result", "sqlite_autoindex_result_1", "result_subject", "perilaku_override",
                   "sqlite_autoindex_perilaku_override_1", "person", "sqlite_autoindex_person_1"]
        before_space = space(f"{new}/kinerja.sqlite", touched)
        with Daemon(args.before_bin, old) as d:
            expected = reads(d, f"{old}/kinerja.sqlite")
        t0 = time.time()
        with Daemon(args.bin, new) as d:
            while True:
                try:
                    d.call("io.kinerjad.Admin.Ping")
                    break
                except (OSError, RuntimeError):
                    time.sleep(0.05)
            started = time.time() - t0
            actual = reads(d, f"{new}/kinerja.sqlite")
        after_space = space(f"{new}/kinerja.sqlite", touched)
        print(f"daemon start with the migration (and its backup): {started:.2f} s; "
              f"backup: {sorted(os.listdir(new + '/backup'))}")
        print("| table or index | MB before | MB after |\n|---|---|---|")
        for n in touched:
            print(f"| {n} | {before_space[n] / 1e6:.1f} | {after_space[n] / 1e6:.1f} |")
        before_s, after_s = expected.pop("seconds"), actual.pop("seconds")
        for p in before_s:
            what = p if p == "motivation-analysis" else f"report cycle {p}, best of 3"
            print(f"{what}: {before_s[p]:.2f} s before, {after_s[p]:.2f} s after")
        same = [k for k in expected if expected[k] == actual.get(k)]
        print(f"reads compared: {len(expected)}, the same: {len(same)}")
        for k in expected:
            if expected[k] != actual.get(k):
                print(f"DIFFERS: {k}")
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
