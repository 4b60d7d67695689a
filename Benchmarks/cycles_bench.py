#!/usr/bin/env python3
"""Evaluation-cycle benchmark (not a test; `make bench-cycles`): 25,000 employees through the real
daemon and kinerjactl.

Measures, on a release build: the employee import, opening a cycle (about 150,000 assignments)
against the same rows made by set-based SQL in one transaction on an identical copy of the database
(printing the ratio; target <= 1.5x), the review import, the close, the report, and the daemon's
resident memory (target < 80 MiB). Absolute times on a shared machine are noise; the ratio is
measured in one run, on the same machine, against the same SQLite library.

Usage: python3 Benchmarks/cycles_bench.py --bin .build-release/release [--employees 25000]
"""
import argparse
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchdaemon import Daemon  # noqa: E402


def rss_kib(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


class Sampler:
    """Peak resident size of a process while a step runs (sampled every 20 ms)."""

    def __init__(self, pid):
        self.pid, self.peak, self.anon, self.running = pid, 0, 0, False

    def sample(self):
        self.peak = max(self.peak, rss_kib(self.pid))
        self.anon = max(self.anon, rss_kib(self.pid, "RssAnon"))

    def __enter__(self):
        self.running = True
        self.sample()
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()
        return self

    def loop(self):
        while self.running:
            self.sample()
            time.sleep(0.02)

    def __exit__(self, *exc):
        self.running = False
        self.thread.join()
        self.sample()


def run(cmd, **kw):
    start = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    elapsed = time.perf_counter() - start
    if r.returncode != 0:
        sys.exit(f"failed ({r.returncode}): {' '.join(cmd)}\n{r.stdout}\n{r.stderr}")
    return elapsed, r.stdout


# The same rows as the daemon's open, made by SQL alone: self, atasan and bawahan by joins, three
# rekan per subject from a ring of each unit's members in a hashed order (window functions; a
# temporary table with an index keeps the ring join linear). It skips the daemon's exclusions and
# per-reviewer cap, so its row count differs by a few; both are printed.
SET_BASED_OPEN = """
INSERT INTO cycle(period, kind, period_start, period_end, status, opened_at, opened_by, due_at,
                  rekan_per_subject, rekan_cap, rekan_seed)
VALUES ('2025-Q1', 'quarterly', '2025-01-01', '2025-03-31', 'open', :opened, 'bench', :due_text, 3, 4, 0);
INSERT OR IGNORE INTO person(nip) SELECT nip FROM employee WHERE aktif;
INSERT OR IGNORE INTO unit_key(code) SELECT DISTINCT unit_code FROM employee WHERE aktif;
CREATE TEMP TABLE k AS
  SELECT e.nip, e.supervisor_nip, p.id AS pid, u.id AS uid FROM employee e JOIN person p ON p.nip = e.nip
  JOIN unit_key u ON u.code = e.unit_code WHERE e.aktif;
CREATE INDEX temp.k_nip ON k(nip);
INSERT INTO assignment(cycle_id, subject_id, role, reviewer_id, subject_unit_id, reviewer_unit_id, due_at)
SELECT (SELECT id FROM cycle WHERE period = '2025-Q1'), pid, 3, pid, uid, uid, :due FROM k;
INSERT INTO assignment(cycle_id, subject_id, role, reviewer_id, subject_unit_id, reviewer_unit_id, due_at)
SELECT (SELECT id FROM cycle WHERE period = '2025-Q1'), e.pid, 0, s.pid, e.uid, s.uid, :due
FROM k e JOIN k s ON s.nip = e.supervisor_nip;
INSERT INTO assignment(cycle_id, subject_id, role, reviewer_id, subject_unit_id, reviewer_unit_id, due_at)
SELECT (SELECT id FROM cycle WHERE period = '2025-Q1'), s.pid, 1, e.pid, s.uid, e.uid, :due
FROM k e JOIN k s ON s.nip = e.supervisor_nip;
CREATE TEMP TABLE m AS
  SELECT pid, uid,
         ROW_NUMBER() OVER (PARTITION BY uid ORDER BY (CAST(substr(nip, 10, 9) AS INTEGER) * 2654435761) % 4294967291, nip) - 1 AS pos,
         COUNT(*) OVER (PARTITION BY uid) AS n
  FROM k;
CREATE INDEX temp.m_pos ON m(uid, pos);
INSERT INTO assignment(cycle_id, subject_id, role, reviewer_id, subject_unit_id, reviewer_unit_id, due_at)
WITH d(d) AS (VALUES (1), (2), (3))
SELECT (SELECT id FROM cycle WHERE period = '2025-Q1'), s.pid, 2, r.pid, s.uid, r.uid, :due
FROM m s JOIN d JOIN m r ON r.uid = s.uid AND r.pos = (s.pos + d.d) % s.n WHERE s.n > d.d;
DROP TABLE temp.m;
DROP TABLE temp.k;
"""


def set_based_open(path):
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA foreign_keys = ON")
    # The assignment's due date as the store keeps it (Unix seconds), the cycle's as GRDB's date text.
    params = {"opened": "2025-04-01 01:00:00.000", "due_text": "2025-04-15 01:00:00.000", "due": 1744678800}
    start = time.perf_counter()
    db.execute("BEGIN IMMEDIATE")
    for statement in [s for s in SET_BASED_OPEN.split(";\n") if s.strip()]:
        db.execute(statement, {k: v for k, v in params.items() if re.search(":" + k + r"\b", statement)})
    db.execute("COMMIT")
    elapsed = time.perf_counter() - start
    rows = db.execute("SELECT COUNT(*) FROM assignment").fetchone()[0]
    db.close()
    return elapsed, rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--employees", type=int, default=25000)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    ctl = os.path.join(args.bin, "kinerjactl")
    work = tempfile.mkdtemp(prefix="kinerja-bench-")
    demo = f"{work}/demo"
    results = []

    t, _ = run([ctl, "demo", "generate", "--employees", str(args.employees), "--periods", "1", "--seed", "42",
                "--first-period", "2025-Q1", "--out", demo, "-q"])
    results.append(("demo generate (kinerjactl, no daemon)", t, None))

    daemon = Daemon(args.bin, work)
    pid, dbpath = daemon.pid, daemon.db
    idle = rss_kib(pid)
    c = daemon.argv()
    try:
        with Sampler(pid) as s:
            t, _ = run(c + ["import", "units", f"{demo}/units.csv"])
        with Sampler(pid) as s:
            t, _ = run(c + ["import", "employees", f"{demo}/employees.csv"])
        results.append((f"import employees ({args.employees} rows, streamed)", t, s))

        # An identical copy of the database before the cycle opens, for the set-based SQL.
        src, copy = sqlite3.connect(dbpath), sqlite3.connect(f"{work}/copy.sqlite")
        src.backup(copy)
        src.close()
        copy.close()

        with Sampler(pid) as s:
            t_open, out = run(c[:-1] + ["--json", "cycles", "open", "2025-Q1", "--opened-at", "2025-04-01T08:00:00+07:00"])
        assignments = json.loads(out)["cycle"]["assignments"]
        results.append((f"cycles open ({assignments} assignments), kinerjactl wall time", t_open, s))
        with open(f"{work}/daemon.log") as f:
            m = re.findall(r"cycle 2025-Q1 opened.*?duration_ms=(\d+)", f.read())
        t_inside = int(m[-1]) / 1000 if m else None
        if t_inside is not None:
            results.append(("cycles open, inside the daemon (plan + one transaction)", t_inside, None))
        t_sql, sql_rows = set_based_open(f"{work}/copy.sqlite")
        results.append((f"set-based SQL, one transaction ({sql_rows} rows, same schema and indexes)", t_sql, None))

        with Sampler(pid) as s:
            t, _ = run(c + ["reviews", "import", f"{demo}/reviews-2025-Q1.csv", "--cycle", "2025-Q1"])
        reviews = sum(1 for _ in open(f"{demo}/reviews-2025-Q1.csv")) - 1
        results.append((f"reviews import ({reviews} rows, streamed)", t, s))
        with Sampler(pid) as s:
            t, _ = run(c + ["cycles", "close", "2025-Q1", "--closed-at", "2025-05-01T08:00:00+07:00"])
        results.append(("cycles close (results of every employee)", t, s))
        with Sampler(pid) as s:
            t, _ = run(c[:-1] + ["report", "cycle", "2025-Q1", "--format", "json"])
        results.append(("report cycle (JSON)", t, s))
        with Sampler(pid) as s:
            t, _ = run(c[:-1] + ["report", "cycle", "2025-Q1"])
        results.append(("report cycle (table)", t, s))
        with Sampler(pid) as s:
            t, _ = run(c[:-1] + ["cycles", "list"])
        results.append(("cycles list", t, s))
        end_rss, end_anon, hwm = rss_kib(pid), rss_kib(pid, "RssAnon"), rss_kib(pid, "VmHWM")
    finally:
        daemon.__exit__(None, None, None)

    print(f"kinerjad cycles benchmark: {args.employees} employees, release build, {os.cpu_count()} CPUs, "
          f"SQLite {sqlite3.sqlite_version}")
    print(f"{'step':<78} {'seconds':>8} {'peak RSS MiB':>13} {'of it anon':>11}")
    for name, t, s in results:
        rss = '' if s is None else f'{s.peak / 1024:13.1f} {s.anon / 1024:11.1f}'
        print(f"{name:<78} {t:8.3f} {rss}")
    base = t_inside if t_inside is not None else t_open
    print(f"cycle open / set-based SQL: {base / t_sql:.2f}x (inside the daemon), {t_open / t_sql:.2f}x (kinerjactl wall time);"
          f" target <= 1.5x")
    print(f"daemon RSS: {idle / 1024:.1f} MiB idle at start, {end_rss / 1024:.1f} MiB at the end ({end_anon / 1024:.1f} anonymous), "
          f"{hwm / 1024:.1f} MiB peak (VmHWM); target < 80 MiB")
    if args.keep:
        print(f"kept {work}")
    else:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
