#!/usr/bin/env python3
"""Scale benchmark (not a test; `make bench-scale`): a full quarter through the real daemon and
kinerjactl at several sizes (default 25,000, 100,000 and 250,000 employees), release build.

For each size, on a fresh database: `kinerjactl demo generate --employees N --periods 2 --seed 5`,
then import units and employees, open the first quarter, preview its reminders (every review
overdue), import its reviews, close it, report it; then the second quarter's open, reviews and close,
so the database holds two quarters. Each step: wall seconds (kinerjactl), the daemon's CPU seconds
(user + system from /proc), the daemon's peak RSS while the step ran. While the open and the close
(which reruns the motivation analysis) run, a probe on its own connection calls Ping, GetStatus and
ListFlags in turn every 20 ms and the p50/p99 of each is printed.

Ratios: the cycle open against the leanest honest SQL for the same rows (integer keys, one unique key,
two indexes and the reviewer lookup filed after the rows, one transaction, on a copy of the database
made just before the open; the SQL is
printed), reviews import rows/s, and every step's time and the peak RSS at the largest size against
the smallest (linear is the ratio of the sizes). The table goes to stdout and, with --write, into
docs/benchmarks.md between the `scale-bench` markers, with the date and the machine.

Noise: a step of a second at 25,000 varies by about a tenth of a second from run to run on a 2-core
machine, which moves a ratio by about 1. So each size runs --repeat times (default 3), the sizes in
turn, each on a fresh database, and each step's figures are its median run's; every run's ratios are
printed too.

Usage: python3 Benchmarks/scale_bench.py --bin .build-release-static/release [--sizes 25000,100000] [--repeat 3]
"""
import argparse
import datetime
import json
import os
import platform
import re
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchdaemon import Daemon, Probe, percentile  # noqa: E402
from cycles_bench import Sampler, rss_kib  # noqa: E402

def runqueue_wait(pid):
    """Seconds the daemon's threads have spent runnable but waiting for a CPU (schedstat's second field):
    a step's wall time beyond its CPU time is this wait when the machine is busy, not I/O or the protocol."""
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/schedstat") as f:
                total += int(f.read().split()[1])
        except (FileNotFoundError, ProcessLookupError, IndexError):
            pass
    return total / 1e9


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(cmd):
    elapsed, out, _ = run_measured(cmd)
    return elapsed, out


def run_measured(cmd):
    """Runs `cmd` to its end: wall seconds, its standard output, and its own peak RSS in KiB. The peak
    comes from GNU time wrapped around it: a child's rusage read here would count this Python process's
    pages too (the child is forked from it before it execs)."""
    with tempfile.NamedTemporaryFile("r") as peak:
        start = time.perf_counter()
        r = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", peak.name] + cmd, capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        if r.returncode != 0:
            sys.exit(f"failed ({r.returncode}): {' '.join(cmd)}\n{r.stdout[-4000:]}\n{r.stderr[-4000:]}")
        return elapsed, r.stdout, int(peak.read().split()[-1])


# The leanest honest SQL for the same assignments, into a table of the store's own schema
# (v12-compact-assignments: integer person and unit ids, the role as a small integer, times as integer
# seconds, the units at the time of the cycle, AUTOINCREMENT, the unique key and the two indexes the
# queries need; v15-reviewer-lookup: the reviewer lookup as a table filed after the rows, sorted), one
# transaction. The employees' integer ids are made before the clock starts.
LEAN_PREPARE = """
CREATE TABLE lean_unit(id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE);
INSERT INTO lean_unit(code) SELECT code FROM unit ORDER BY code;
CREATE TABLE lean_employee(id INTEGER PRIMARY KEY, nip TEXT NOT NULL UNIQUE, unit_id INTEGER NOT NULL,
                           supervisor_id INTEGER, aktif INTEGER NOT NULL);
INSERT INTO lean_employee(nip, unit_id, aktif)
  SELECT e.nip, u.id, e.aktif FROM employee e JOIN lean_unit u ON u.code = e.unit_code ORDER BY e.nip;
UPDATE lean_employee SET supervisor_id = (SELECT s.id FROM employee e JOIN lean_employee s ON s.nip = e.supervisor_nip
                                          WHERE e.nip = lean_employee.nip);
CREATE INDEX lean_employee_supervisor ON lean_employee(supervisor_id);
CREATE TABLE lean_assignment(id INTEGER PRIMARY KEY AUTOINCREMENT, cycle_id INTEGER NOT NULL, subject_id INTEGER NOT NULL,
                             role INTEGER NOT NULL, reviewer_id INTEGER NOT NULL, subject_unit_id INTEGER NOT NULL,
                             reviewer_unit_id INTEGER NOT NULL, due_at INTEGER NOT NULL, submitted_at INTEGER,
                             atasan_source TEXT, UNIQUE(cycle_id, subject_id, role, reviewer_id));
CREATE TABLE lean_assignment_reviewer(cycle_id INTEGER NOT NULL, reviewer_id INTEGER NOT NULL, assignment_id INTEGER NOT NULL,
                                      PRIMARY KEY(cycle_id, reviewer_id, assignment_id)) WITHOUT ROWID;
CREATE INDEX lean_assignment_open ON lean_assignment(cycle_id, due_at) WHERE submitted_at IS NULL;
CREATE INDEX lean_assignment_late ON lean_assignment(cycle_id) WHERE submitted_at > due_at
"""

LEAN_OPEN = """
INSERT INTO lean_assignment(cycle_id, subject_id, role, reviewer_id, subject_unit_id, reviewer_unit_id, due_at)
  SELECT 1, id, 0, id, unit_id, unit_id, :due FROM lean_employee WHERE aktif;
INSERT INTO lean_assignment(cycle_id, subject_id, role, reviewer_id, subject_unit_id, reviewer_unit_id, due_at)
  SELECT 1, e.id, 1, s.id, e.unit_id, s.unit_id, :due
  FROM lean_employee e JOIN lean_employee s ON s.id = e.supervisor_id WHERE e.aktif AND s.aktif;
INSERT INTO lean_assignment(cycle_id, subject_id, role, reviewer_id, subject_unit_id, reviewer_unit_id, due_at)
  SELECT 1, s.id, 3, e.id, s.unit_id, e.unit_id, :due
  FROM lean_employee e JOIN lean_employee s ON s.id = e.supervisor_id WHERE e.aktif AND s.aktif;
CREATE TEMP TABLE m AS
  SELECT id, unit_id, ROW_NUMBER() OVER (PARTITION BY unit_id ORDER BY (id * 2654435761) % 4294967291, id) - 1 AS pos,
         COUNT(*) OVER (PARTITION BY unit_id) AS n
  FROM lean_employee WHERE aktif;
CREATE INDEX temp.m_pos ON m(unit_id, pos);
INSERT INTO lean_assignment(cycle_id, subject_id, role, reviewer_id, subject_unit_id, reviewer_unit_id, due_at)
  WITH k(d) AS (VALUES (1), (2), (3))
  SELECT 1, s.id, 2, r.id, s.unit_id, r.unit_id, :due
  FROM m s JOIN k JOIN m r ON r.unit_id = s.unit_id AND r.pos = (s.pos + k.d) % s.n WHERE s.n > k.d;
DROP TABLE temp.m;
INSERT INTO lean_assignment_reviewer(cycle_id, reviewer_id, assignment_id)
  SELECT cycle_id, reviewer_id, id FROM lean_assignment WHERE cycle_id = 1 ORDER BY reviewer_id, id
"""


def lean_open(path):
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.executescript("BEGIN;" + LEAN_PREPARE + ";COMMIT;")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    start = time.perf_counter()
    db.execute("BEGIN IMMEDIATE")
    for statement in [s for s in LEAN_OPEN.split(";\n") if s.strip()]:
        db.execute(statement, {"due": 1744678800} if ":due" in statement else {})
    db.execute("COMMIT")
    elapsed = time.perf_counter() - start
    rows = db.execute("SELECT COUNT(*) FROM lean_assignment").fetchone()[0]
    db.close()
    return elapsed, rows


def db_size(path):
    """The database's pages (page count × page size, the WAL's newest pages included): what the file
    holds once checkpointed. The files' sizes would count a WAL that a long transaction grew, which
    SQLite reuses but does not shrink."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return db.execute("PRAGMA page_count").fetchone()[0] * db.execute("PRAGMA page_size").fetchone()[0]
    finally:
        db.close()


def generate(bin_dir, employees, demo):
    """The demo data set of `employees` into `demo`; its seconds."""
    t, _ = run([os.path.join(bin_dir, "kinerjactl"), "demo", "generate", "--employees", str(employees), "--periods", "2",
                "--seed", "5", "--first-period", "2025-Q1", "--out", demo, "-q"])
    return t


def one_size(bin_dir, demo, work):
    steps, extra = {}, {}
    with open(f"{demo}/demo.json") as f:
        manifest = json.load(f)
    periods = manifest["periods"]

    daemon = Daemon(bin_dir, work)
    pid, socket, dbpath = daemon.pid, daemon.socket, daemon.db
    c = daemon.argv()
    probes = {}

    def step(name, cmd, probe=False, job=None):
        """Times `cmd`; with `job`, until that job (which the command starts) has run too."""
        cpu, client, wait = daemon.cpu(), children_cpu(), runqueue_wait(pid)
        client_peak = [0]

        def timed():
            since = time.time()
            t, out, client_peak[0] = run_measured(cmd)
            if job:
                start = time.perf_counter()
                daemon.wait_for_job(job, since)
                t += time.perf_counter() - start
            return t, out
        with Sampler(pid) as s:
            if probe:
                with Probe(socket) as p:
                    t, out = timed()
                probes[name] = p.times
            else:
                t, out = timed()
        steps[name] = {"wall": t, "cpu": daemon.cpu() - cpu, "client": children_cpu() - client, "peak": s.peak,
                       "client_peak": client_peak[0], "wait": max(0.0, runqueue_wait(pid) - wait)}
        return out

    try:
        run(c + ["import", "units", f"{demo}/units.csv"])
        step("import employees", c + ["import", "employees", f"{demo}/employees.csv"])
        first, second = periods[0], periods[1]
        src, copy = sqlite3.connect(dbpath), sqlite3.connect(f"{work}/copy.sqlite")
        src.backup(copy)
        src.close()
        copy.close()
        out = step("cycle open (first)", c[:-1] + ["--json", "cycles", "open", first["period"], "--opened-at", first["opened_at"]],
                   probe=True)
        extra["assignments"] = json.loads(out)["cycle"]["assignments"]
        extra["lean_open"], extra["lean_rows"] = lean_open(f"{work}/copy.sqlite")
        os.remove(f"{work}/copy.sqlite")
        # Every review overdue: a Wednesday 09:00 (working time) weeks after the due date.
        at = datetime.datetime.fromisoformat(first["opened_at"]) + datetime.timedelta(days=35)
        while at.weekday() != 2:
            at += datetime.timedelta(days=1)
        at = at.replace(hour=9, minute=0, second=0)
        out = step("reminders preview (streamed)", c[:-1] + ["--json", "reminders", "preview", "--at", at.isoformat()])
        extra["preview_bytes"] = len(out.encode())
        step("reviews import", c + ["reviews", "import", f"{demo}/reviews-{first['period']}.csv", "--cycle", first["period"]])
        extra["reviews"] = first["reviews"]
        step("close (and analysis)", c + ["cycles", "close", first["period"], "--closed-at", first["close_at"]], probe=True,
             job="motivation-analysis")
        step("report", c[:-1] + ["report", "cycle", first["period"], "--format", "json"])
        run(c[:-1] + ["cycles", "list"])
        extra["db_q1"] = db_size(dbpath)
        # The second quarter, so the database holds two and the growth per quarter shows.
        run(c[:-1] + ["cycles", "open", second["period"], "--opened-at", second["opened_at"]])
        run(c + ["reviews", "import", f"{demo}/reviews-{second['period']}.csv", "--cycle", second["period"]])
        # The second close's analysis (two quarters of history, more flags) is waited for: the peak and
        # the size after two quarters include it.
        since = time.time()
        run(c + ["cycles", "close", second["period"], "--closed-at", second["close_at"]])
        daemon.wait_for_job("motivation-analysis", since)
        extra["db_q2"] = db_size(dbpath)
        extra["hwm"] = rss_kib(pid, "VmHWM")
    finally:
        daemon.__exit__(None, None, None)
    db = sqlite3.connect(dbpath)
    extra["space"] = db.execute("SELECT name, SUM(pgsize), SUM(CASE WHEN pagetype = 'leaf' THEN ncell ELSE 0 END) FROM dbstat "
                                "GROUP BY name ORDER BY 2 DESC LIMIT 12").fetchall()
    db.close()
    return steps, extra, probes


def median_run(runs):
    """One size's repeated runs as one: each step's figures from the run with that step's median wall
    time (the upper of the two middle ones for an even count), the other figures' medians, the probes'
    calls of every run together."""
    mid = len(runs) // 2
    steps = {name: sorted((r[0][name] for r in runs), key=lambda x: x["wall"])[mid] for name in runs[0][0]}
    extra = dict(runs[-1][1])
    for key in ("lean_open", "hwm", "db_q1", "db_q2"):
        extra[key] = sorted(r[1][key] for r in runs)[mid]
    probes = {name: {m: [t for r in runs for t in r[2][name][m]] for m in runs[0][2][name]} for name in runs[0][2]}
    return steps, extra, probes


STEPS = ["import employees", "cycle open (first)", "reminders preview (streamed)", "reviews import",
         "close (and analysis)", "report"]


def table(sizes, results, repeats):
    lines = []
    small, large = sizes[0], sizes[-1]
    head = "| step | " + " | ".join(f"{n:,}" for n in sizes) + \
        (f" | {large // 1000}k / {small // 1000}k (linear = {large / small:g}) |" if len(sizes) > 1 else " |")
    lines += [head, "|" + "---|" * (len(sizes) + 1 + (len(sizes) > 1))]
    for name in STEPS:
        cells = [f"{results[n][0][name]['wall']:.2f} s ({results[n][0][name]['cpu']:.2f} / {results[n][0][name]['client']:.2f}"
                 f" / {results[n][0][name]['wait']:.2f})" for n in sizes]
        ratio = results[large][0][name]["wall"] / results[small][0][name]["wall"] if len(sizes) > 1 else None
        lines.append(f"| {name} | " + " | ".join(cells) + (f" | {ratio:.1f} |" if ratio else " |"))

    def row(label, values, fmt, ratio=True):
        r = (f" | {values[-1] / values[0]:.1f} |" if values[0] else " | – |") if len(sizes) > 1 and ratio \
            else (" | |" if len(sizes) > 1 else " |")
        lines.append(f"| {label} | " + " | ".join(fmt(v) for v in values) + r)

    row("assignments (first quarter)", [results[n][1]["assignments"] for n in sizes], lambda v: f"{v:,}")
    row("lean set-based SQL, cycle open", [results[n][1]["lean_open"] for n in sizes], lambda v: f"{v:.2f} s")
    row("cycle open / lean SQL", [results[n][0]["cycle open (first)"]["wall"] / results[n][1]["lean_open"] for n in sizes],
        lambda v: f"{v:.2f}×", ratio=False)
    row("reviews import, rows/s", [results[n][1]["reviews"] / results[n][0]["reviews import"]["wall"] for n in sizes],
        lambda v: f"{v:,.0f}", ratio=False)
    row("reminders preview reply (JSON)", [results[n][1]["preview_bytes"] for n in sizes], lambda v: f"{v / 1e6:.1f} MB")
    for name in STEPS:
        row(f"daemon peak RSS during {name}", [results[n][0][name]["peak"] / 1024 for n in sizes], lambda v: f"{v:.1f} MiB")
    for name in ["import employees", "reviews import"]:
        row(f"kinerjactl peak RSS during {name}", [results[n][0][name]["client_peak"] / 1024 for n in sizes],
            lambda v: f"{v:.1f} MiB")
    row("daemon peak RSS (VmHWM)", [results[n][1]["hwm"] / 1024 for n in sizes], lambda v: f"{v:.1f} MiB")
    if len(sizes) > 1:
        lines.append(f"| peak RSS {large // 1000}k − {small // 1000}k | "
                     + " | ".join("" for _ in sizes[:-1])
                     + f" | {(results[large][1]['hwm'] - results[small][1]['hwm']) / 1024:.1f} MiB | |")
    row("database after one quarter", [results[n][1]["db_q1"] for n in sizes], lambda v: f"{v / 1e6:.0f} MB")
    row("database after two quarters", [results[n][1]["db_q2"] for n in sizes], lambda v: f"{v / 1e6:.0f} MB")
    row("growth per quarter", [results[n][1]["db_q2"] - results[n][1]["db_q1"] for n in sizes], lambda v: f"{v / 1e6:.0f} MB")
    for name in ["cycle open (first)", "close (and analysis)"]:
        for method in ["ping", "status", "flags list"]:
            row(f"{method} during {name.split(' ')[0]}, p50 / p99 (n)",
                [results[n][2][name][method] for n in sizes],
                lambda v: f"{percentile(v, 50):.1f} / {percentile(v, 99):.1f} ms ({len(v)})", ratio=False)
    runs = len(repeats[small])
    if len(sizes) > 1 and runs > 1:
        lines += ["", f"Each run's ratio {large // 1000}k / {small // 1000}k (the sizes were run in turn, "
                  f"{runs} times; the table takes each step's median run):", "",
                  "| step | " + " | ".join(f"run {i + 1}" for i in range(runs)) + " |", "|---|" + "---|" * runs]
        for name in STEPS:
            lines.append(f"| {name} | " + " | ".join(
                f"{repeats[large][i][0][name]['wall'] / repeats[small][i][0][name]['wall']:.1f}" for i in range(runs)) + " |")
        lines.append("| peak RSS difference | " + " | ".join(
            f"{(repeats[large][i][1]['hwm'] - repeats[small][i][1]['hwm']) / 1024:.1f} MiB" for i in range(runs)) + " |")
    lines += ["", f"Where the space goes at {large:,} employees after two quarters (SQLite's dbstat: pages of each "
              "table and index):", "", "| table or index | MB | rows |", "|---|---|---|"]
    for name, size, cells in results[large][1]["space"]:
        lines.append(f"| {name} | {size / 1e6:.1f} | {cells:,} |")
    return lines


def machine():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} CPUs ({cpu}), {platform.system()} {platform.release()}, SQLite {sqlite3.sqlite_version}"


def write_doc(path, text):
    with open(path) as f:
        doc = f.read()
    begin, end = "<!-- scale-bench: begin -->", "<!-- scale-bench: end -->"
    if begin in doc:
        doc = re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda _: begin + "\n" + text + end, doc, flags=re.S)
    else:
        doc += "\n## Scale\n\n" + begin + "\n" + text + end + "\n"
    with open(path, "w") as f:
        f.write(doc)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--sizes", default=os.environ.get("BENCH_SCALE_SIZES", "25000,100000,250000"))
    parser.add_argument("--write", help="docs/benchmarks.md to update")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directories")
    parser.add_argument("--repeat", type=int, default=int(os.environ.get("BENCH_SCALE_REPEAT", "3")),
                        help="runs of each size, in turn (each step's median is reported)")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(",") if s.strip())
    started = time.perf_counter()
    demos = {}
    for n in sizes:
        demos[n] = tempfile.mkdtemp(prefix=f"kinerja-scale-demo-{n}-")
        generate(args.bin, n, demos[n])
    # The sizes in turn, so a change in the machine's load falls on every size alike.
    repeats = {n: [] for n in sizes}
    for i in range(max(1, args.repeat)):
        for n in sizes:
            work = tempfile.mkdtemp(prefix=f"kinerja-scale-{n}-")
            print(f"{n:,} employees in {work} (run {i + 1}) …", file=sys.stderr, flush=True)
            repeats[n].append(one_size(args.bin, demos[n], work))
            if not args.keep:
                shutil.rmtree(work)
    if not args.keep:
        for demo in demos.values():
            shutil.rmtree(demo)
    results = {n: median_run(repeats[n]) for n in sizes}
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    header = (f"Measured {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, commit {commit}, "
              f"{machine()}; `make bench-scale` (sizes {','.join(str(n) for n in sizes)}, {len(repeats[sizes[0]])} runs of each), "
              f"{time.perf_counter() - started:.0f} s in all, load average at the end "
              f"{os.getloadavg()[0]:.1f}. Seconds are kinerjactl wall time (in brackets: CPU seconds of the daemon / "
              f"of kinerjactl / seconds the daemon's threads waited for a CPU, from /proc schedstat); RSS is the daemon's. "
              f"The sizes ran in turn, each on a fresh database; each step's figures are from its run with the median "
              f"wall time at that size, the sizes and peaks are medians, the p50/p99 are over every run's calls.\n\n")
    lines = table(sizes, results, repeats)
    lean = "The lean set-based SQL (prepared outside the clock: " + \
        "integer ids for units and employees):\n\n```sql\n" + LEAN_PREPARE.strip() + ";\n-- timed, one transaction:\n" + \
        LEAN_OPEN.strip() + ";\n```\n"
    text = header + "\n".join(lines) + "\n\n" + lean
    print(text)
    if args.write:
        write_doc(args.write, text)


if __name__ == "__main__":
    main()
