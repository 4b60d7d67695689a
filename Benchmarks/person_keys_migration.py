#!/usr/bin/env python3
"""Times `v19-person-keys` on a large database and prints the space of the tables it rewrites (a
benchmark, not a test).

DATABASE is a copy kept by an earlier run (e.g. 250,000 employees after the first quarter's close); it
is never changed. A copy of it is brought to the schema just before v19 (v17's index and v18's drop,
done here in SQL when missing) and given, in the old text-keyed form, what a large instansi's
quarters hold: a follow-up task for every flag without one (its atasan from the employee file), two
reminders' review links for every reviewer of every cycle, and an assignment change for every
assignment of a fiftieth of the subjects. Then, REPEATS times, kinerjad of BIN starts on a fresh copy
of that file (the backup before v19, the migration, then its socket), and once more on the
migrated file: wall and daemon CPU seconds of each. Last, SQLite's dbstat of the tables and indexes
before and after.

Usage: python3 Benchmarks/person_keys_migration.py --bin DIR --database FILE [--repeat 3]
"""
import argparse
import glob
import os
import shutil
import sqlite3
import tempfile
import time

from benchdaemon import TICKS, Daemon

TABLES = ("followup", "review_link", "assignment_change", "person", "unit_key")

SYNTHESIS = """
BEGIN;
CREATE INDEX IF NOT EXISTS employee_name ON employee(nip, nama);
DROP INDEX IF EXISTS employee_on_supervisor_nip;
INSERT OR IGNORE INTO grdb_migrations VALUES ('v17-reminder-names'), ('v18-employee-indexes');
INSERT INTO followup(flag_id, subject_nip, unit_code, appraiser_nip, appraiser_source, recommendation, status, created_at,
                     created_on, due_date, updated_at)
  SELECT f.id, f.subject_nip, f.unit_code, e.supervisor_nip, CASE WHEN e.supervisor_nip IS NOT NULL THEN 'supervisor' END,
         f.follow_up, 'open', '2025-04-02 01:00:00.000', '2025-04-02', '2025-04-16', '2025-04-02 01:00:00.000'
  FROM flag f LEFT JOIN employee e ON e.nip = f.subject_nip WHERE f.id NOT IN (SELECT flag_id FROM followup) ORDER BY f.id;
INSERT INTO review_link(cycle_id, reviewer_nip, token_sha256, created_at, created_by, expires_at)
  SELECT x.cycle_id, p.nip, randomblob(32), '2025-01-20 01:00:00.000', 'outbox ' || n.k, NULL
  FROM (SELECT DISTINCT cycle_id, reviewer_id FROM assignment_reviewer) x JOIN person p ON p.id = x.reviewer_id,
       (SELECT 1 AS k UNION ALL SELECT 2) n;
INSERT INTO assignment_change(cycle_id, nip, event, detail, subject_nip, role, reviewer_nip, new_reviewer_nip, changed_at)
  SELECT a.cycle_id, a.subject_nip, 'transfer', 'moved from ' || a.subject_unit || ' to DISKOMINFO', a.subject_nip, a.role,
         a.reviewer_nip, CASE WHEN a.role = 'atasan' THEN a.reviewer_nip END, '2025-01-15 02:00:00.000'
  FROM assignment_named a WHERE a.subject_id % 50 = 0 ORDER BY a.id;
COMMIT;
"""


def space(path):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    marks = ", ".join("?" * len(TABLES))
    rows = db.execute(f"""
        SELECT name, SUM(pgsize) FROM dbstat
        WHERE name IN (SELECT name FROM sqlite_master WHERE tbl_name IN ({marks})) GROUP BY name ORDER BY name
        """, TABLES).fetchall()
    counts = {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}
    db.close()
    return dict(rows), counts


def start(bin_dir, work):
    """Seconds until the socket exists, the daemon's CPU seconds then, and when the v19 backup was written."""
    t0 = time.time()
    d = Daemon(bin_dir, work)
    try:
        while not os.path.exists(d.socket):
            if d.process.poll() is not None or time.time() - t0 > 900:
                raise RuntimeError(open(f"{work}/daemon.log").read())
            time.sleep(0.02)
        ready = time.time() - t0
        with open(f"/proc/{d.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        cpu = (int(fields[11]) + int(fields[12])) / TICKS
    finally:
        d.__exit__(None, None, None)
    backups = glob.glob(f"{work}/backup/*before-v19-person-keys*")
    return ready, cpu, (os.path.getmtime(backups[0]) - t0) if backups else None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="kinerja-v19-")
    try:
        base = f"{work}/v18.sqlite"
        shutil.copyfile(args.database, base)
        db = sqlite3.connect(base, isolation_level=None)
        db.executescript(SYNTHESIS)
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.close()
        before, counts = space(base)
        print("rows: " + ", ".join(f"{t} {n:,}" for t, n in counts.items()))
        after = None
        for run in range(args.repeat):
            live = f"{work}/run"
            shutil.rmtree(live, ignore_errors=True)
            os.makedirs(live)
            shutil.copyfile(base, f"{live}/kinerja.sqlite")
            ready, cpu, backup = start(args.bin, live)
            shutil.rmtree(f"{live}/backup", ignore_errors=True)
            again, cpu_again, _ = start(args.bin, live)
            print(f"run {run + 1}: start with v19 {ready:.2f} s wall, {cpu:.2f} s CPU (backup written at {backup:.2f} s); "
                  f"on the migrated file {again:.2f} s wall, {cpu_again:.2f} s CPU", flush=True)
            after, _ = space(f"{live}/kinerja.sqlite")
        print("| table or index | MB before | MB after |\n|---|---|---|")
        for name in sorted(set(before) | set(after or {})):
            print(f"| {name} | {before.get(name, 0) / 1e6:.2f} | {(after or {}).get(name, 0) / 1e6:.2f} |")
        print(f"| all of them | {sum(before.values()) / 1e6:.2f} | {sum((after or {}).values()) / 1e6:.2f} |")
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
