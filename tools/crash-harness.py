#!/usr/bin/env python3
"""Crash-consistency harness: kill -9 the real kinerjad at named pause points and at
random times through a whole scenario, restart it on the same state, and check the invariants.

The scenario, through kinerjactl as an admin would run it, on a `kinerjactl demo generate` data set:
import units and employees; per history period: open the cycle (at the period's end), import its
reviews, close it (the motivation analysis then runs on its own); open one more cycle months ago
with no review in (every reviewer overdue); the reminder sweep; outbox delivery (msmtp to an SMTP
sink on loopback) until nothing waits; the motivation analysis; an online backup; closing the overdue
cycle (forced), dating its messages two days back and running `maintenance`, which deletes them
(mail.keep_messages: 1d here); and the scheduled `maintenance` job (every 10 s here), whose
interrupted runs must be caught up.

A debug kinerjad has named pause points (Sources/KinerjaPausePoints): armed with
KINERJAD_PAUSE_AT, the point appends its name to KINERJAD_PAUSE_FILE and blocks; the harness then
sends SIGKILL, so the kill lands exactly there. After every kill the harness restarts the daemon
(with the points not yet reached still armed), checks the invariants, and re-runs the step that was
cut short (every step is idempotent, as an admin would retry it).

Invariants, read from the SQLite file directly:
  - PRAGMA integrity_check is ok and foreign_key_check is empty (the database, and every backup);
  - no half-open cycle: each cycle has its assignments, and the counts per role follow the rules
    (self = active employees, atasan = bawahan = active employees with an active atasan, rekan
    within rekan_per_subject and rekan_cap, same unit, never oneself) and equal an uncrashed run's;
    a closed cycle has one result per subject, an open one none;
  - no flag duplicated (rule, NIP, window), and after each step the flags equal the uncrashed run's;
  - no reminder lost or sent twice: every outbox message is sent, the sink received each
    Message-ID exactly once (also of messages since deleted, and only Message-IDs the outbox held),
    and the outbox equals the uncrashed run's (same count);
  - the job catch-up ran: every scheduled run a kill interrupted has a later successful run
    covering its slot.

Usage:
  tools/crash-harness.py --bin .build/debug                # short: every point once (make test)
  tools/crash-harness.py --bin .build/debug --kills 500    # long: points at random hits + random times
Exit status 0 when no invariant failed.
"""
import argparse
import asyncio
import collections
import datetime
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

# The named pause points, in the order the scenario reaches them first.
POINTS = [
    "import.units.before-commit",
    "import.employees.before-commit",
    "cycle-open.assignments-inserted",
    "import.reviews.before-commit",
    "import.skm.before-commit",
    "cycle-close.results-written",
    "scheduler.job-started.motivation-analysis",
    "flags.before-commit",
    "scheduler.before-outcome.motivation-analysis",
    "sweep.before-commit",
    "sweep.after-commit",
    "delivery.claimed",
    "delivery.sendmail-running",
    "delivery.sendmail-exited",
    "delivery.sent-recorded",
    "backup.mid-copy",
    "scheduler.job-started.maintenance",
    "scheduler.before-outcome.maintenance",
    "outbox-history.batch-deleted",
]
# Points reached many times in a run, where the long mode picks a later hit at random.
REPEATED = {"delivery.claimed": 30, "delivery.sendmail-running": 30, "delivery.sendmail-exited": 30,
            "delivery.sent-recorded": 30, "cycle-open.assignments-inserted": 3, "import.reviews.before-commit": 2,
            "cycle-close.results-written": 2, "flags.before-commit": 3, "backup.mid-copy": 3,
            "scheduler.job-started.maintenance": 2, "scheduler.before-outcome.maintenance": 2}


class Failure(Exception):
    pass


# ---------------------------------------------------------------- SMTP sink

class Sink:
    """aiosmtpd on 127.0.0.1 in a thread of its own; keeps (Message-ID, recipients) per message."""

    def __init__(self):
        from aiosmtpd.smtp import SMTP
        self.messages = []
        self.lock = threading.Lock()
        sink = self

        class Keep:
            async def handle_DATA(self, server, session, envelope):
                data = envelope.original_content or b""
                mid = None
                for line in data.split(b"\r\n"):
                    if not line:
                        break
                    if line.lower().startswith(b"message-id:"):
                        mid = line.split(b":", 1)[1].strip().strip(b"<>").decode()
                with sink.lock:
                    sink.messages.append((mid, list(envelope.rcpt_tos)))
                return "250 2.0.0 Message accepted"

        self.loop = asyncio.new_event_loop()
        ready = threading.Event()

        def serve():
            asyncio.set_event_loop(self.loop)
            server = self.loop.run_until_complete(
                self.loop.create_server(lambda: SMTP(Keep(), decode_data=False), "127.0.0.1", 0))
            self.port = server.sockets[0].getsockname()[1]
            ready.set()
            self.loop.run_forever()

        threading.Thread(target=serve, daemon=True).start()
        ready.wait(10)

    def received(self):
        with self.lock:
            return list(self.messages)


# ---------------------------------------------------------------- the daemon

class Daemon:
    def __init__(self, bin_dir, state, sink_port):
        self.kinerjad = os.path.join(bin_dir, "kinerjad")
        self.ctl = os.path.join(bin_dir, "kinerjactl")
        self.state = state
        self.socket = os.path.join(state, "admin.varlink")
        self.database = os.path.join(state, "kinerja.sqlite")
        self.backups = os.path.join(state, "backup")
        self.pause_file = os.path.join(state, "pauses")
        self.config = os.path.join(state, "kinerjad.yaml")
        self.log = open(os.path.join(state, "kinerjad.log"), "ab")
        self.process = None
        self.announced = 0
        with open(self.config, "w") as f:
            f.write(f"""database:
  path: {self.database}
backup:
  directory: {self.backups}
  keep: 3
control:
  socket: {self.socket}
logging:
  target: stderr
  level: info
mail:
  sendmail: [/usr/bin/msmtp, --host=127.0.0.1, --port={sink_port}, --from=kinerjad@localhost, -t]
  from_address: kinerjad@localhost
  retry_base: 1s
  retry_cap: 1s
  keep_messages: 1d
reminders:
  working_hours: "Mon..Sun 00:00..23:59 UTC"
  holidays: []
jobs:
  schedule:
    maintenance: "*:*:0/10"
    motivation-analysis: "off"
    outbox-delivery: "off"
    reminder-sweep: "off"
    cycle-close: "off"
    "cycle-open:quarterly": "off"
    "cycle-open:annual": "off"
""")

    def start(self, armed):
        """Starts the daemon and waits until it answers ping; returns False early when a pause point
        announced itself during the start (jobs start at once: a paused job can hold the threads
        that would answer)."""
        env = dict(os.environ)
        env.pop("NOTIFY_SOCKET", None)
        env.pop("WATCHDOG_USEC", None)
        env["KINERJAD_PAUSE_FILE"] = self.pause_file
        env["KINERJAD_PAUSE_AT"] = ",".join(armed)
        if os.path.exists(self.pause_file + ".release"):
            os.remove(self.pause_file + ".release")
        self.process = subprocess.Popen([self.kinerjad, "--config", self.config], env=env, stdin=subprocess.DEVNULL,
                                        stdout=self.log, stderr=self.log, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise Failure(f"kinerjad exited with {self.process.returncode} at start; see {self.log.name}")
            if self.pause_pending():
                return False
            if os.path.exists(self.socket):
                try:
                    if self.ctl_run(["ping"], timeout=3).returncode == 0:
                        return True
                except subprocess.TimeoutExpired:
                    pass
            time.sleep(0.05)
        raise Failure("kinerjad did not answer ping within 60 s")

    def kill(self):
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait()
        # sendmail runs under setpriv --pdeathsig KILL; give it a moment to go.
        time.sleep(0.05)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.kill()

    def ctl_run(self, args, timeout=120):
        return subprocess.run([self.ctl, "--socket", self.socket] + args, capture_output=True, text=True, timeout=timeout)

    def ctl_popen(self, args):
        return subprocess.Popen([self.ctl, "--socket", self.socket] + args, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)

    def pause_pending(self):
        try:
            with open(self.pause_file) as f:
                return len([line for line in f.read().splitlines()]) > self.announced
        except FileNotFoundError:
            return False

    def new_announcements(self):
        """Pause lines written since the last call: [(name, pid)]."""
        try:
            with open(self.pause_file) as f:
                lines = f.read().splitlines()
        except FileNotFoundError:
            return []
        new = lines[self.announced:]
        self.announced = len(lines)
        return [tuple(line.rsplit(" ", 1)) for line in new if line.strip()]

    def db(self):
        return sqlite3.connect(f"file:{self.database}?mode=ro", uri=True, timeout=30)


# ---------------------------------------------------------------- checks

def rows(db, sql, *args):
    return db.execute(sql, args).fetchall()


def check_file_integrity(path):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    try:
        result = rows(db, "PRAGMA integrity_check")
        problems = [] if result == [("ok",)] else [f"{os.path.basename(path)}: integrity_check: {result[:5]}"]
        fk = rows(db, "PRAGMA foreign_key_check")
        if fk:
            problems.append(f"{os.path.basename(path)}: foreign_key_check: {fk[:5]}")
        return problems
    finally:
        db.close()


def snapshot(daemon):
    """What must match an uncrashed run after each step."""
    db = daemon.db()
    try:
        cycles = {}
        for cid, period, status in rows(db, "SELECT id, period, status FROM cycle ORDER BY period"):
            by_role = dict(rows(db, "SELECT role, COUNT(*) FROM assignment_named WHERE cycle_id = ? GROUP BY role", cid))
            results = rows(db, "SELECT COUNT(*) FROM result WHERE cycle_id = ?", cid)[0][0]
            cycles[period] = {"status": status, "by_role": by_role, "results": results}
        flags = sorted(r[0] for r in rows(db, "SELECT identity FROM flag"))
        outbox = rows(db, "SELECT COUNT(*) FROM outbox")[0][0]
        written = {r[0] for r in rows(db, "SELECT message_id FROM outbox")}
        sent = {r[0] for r in rows(db, "SELECT message_id FROM outbox WHERE status = 'sent'")}
        return {"cycles": cycles, "flags": flags, "outbox": outbox, "written": written, "sent": sent}
    finally:
        db.close()


def check_invariants(daemon, sink, in_flight_at_kill=None, written_before=frozenset()):
    """Invariants that hold at any time (after a restart); `written_before` holds the Message-IDs the
    outbox held at earlier steps (the maintenance job deletes old messages). Returns a list of problems."""
    problems = check_file_integrity(daemon.database)
    if os.path.isdir(daemon.backups):
        for name in sorted(os.listdir(daemon.backups)):
            if name.startswith("kinerja-") and name.endswith(".sqlite"):
                problems += ["backup " + p for p in check_file_integrity(os.path.join(daemon.backups, name))]
    db = daemon.db()
    try:
        active = rows(db, "SELECT COUNT(*) FROM employee WHERE aktif")[0][0]
        with_atasan = rows(db, """SELECT COUNT(*) FROM employee e JOIN employee s ON s.nip = e.supervisor_nip
                                  WHERE e.aktif AND s.aktif""")[0][0]
        for cid, period, status, per_subject, cap in rows(
                db, "SELECT id, period, status, rekan_per_subject, rekan_cap FROM cycle"):
            by_role = dict(rows(db, "SELECT role, COUNT(*) FROM assignment_named WHERE cycle_id = ? GROUP BY role", cid))
            if not by_role:
                problems.append(f"cycle {period}: half-open: no assignments")
                continue
            expected = {"self": active, "atasan": with_atasan, "bawahan": with_atasan}
            for role, count in expected.items():
                if by_role.get(role, 0) != count:
                    problems.append(f"cycle {period}: {by_role.get(role, 0)} {role} assignments, the rules give {count}")
            bad = rows(db, """SELECT COUNT(*) FROM assignment_named a WHERE a.cycle_id = ? AND a.role = 'rekan' AND (
                                  a.subject_nip = a.reviewer_nip OR a.subject_unit != a.reviewer_unit OR EXISTS (
                                  SELECT 1 FROM assignment_named b WHERE b.cycle_id = a.cycle_id AND b.subject_nip = a.subject_nip
                                  AND b.reviewer_nip = a.reviewer_nip AND b.role IN ('atasan', 'bawahan')))""", cid)[0][0]
            if bad:
                problems.append(f"cycle {period}: {bad} rekan assignments break the rules (self, other unit, atasan or bawahan)")
            over = rows(db, """SELECT COUNT(*) FROM (SELECT subject_nip FROM assignment_named WHERE cycle_id = ? AND role = 'rekan'
                                GROUP BY subject_nip HAVING COUNT(*) > ?)""", cid, per_subject)[0][0]
            over += rows(db, """SELECT COUNT(*) FROM (SELECT reviewer_nip FROM assignment_named WHERE cycle_id = ? AND role = 'rekan'
                                GROUP BY reviewer_nip HAVING COUNT(*) > ?)""", cid, cap)[0][0]
            if over:
                problems.append(f"cycle {period}: {over} subjects/reviewers over rekan_per_subject/rekan_cap")
            results = rows(db, "SELECT COUNT(*) FROM result WHERE cycle_id = ?", cid)[0][0]
            if status == "closed" and results != by_role.get("self", 0):
                problems.append(f"cycle {period}: closed with {results} results for {by_role.get('self', 0)} subjects")
            if status == "open" and results:
                problems.append(f"cycle {period}: open with {results} results")
        dup = rows(db, "SELECT rule, subject_nip, window_start, COUNT(*) FROM flag GROUP BY 1, 2, 3 HAVING COUNT(*) > 1")
        if dup:
            problems.append(f"flags duplicated: {dup[:5]}")
        dup = rows(db, "SELECT message_id, COUNT(*) FROM outbox GROUP BY 1 HAVING COUNT(*) > 1")
        if dup:
            problems.append(f"outbox Message-IDs duplicated: {dup[:5]}")
        outbox_ids = {r[0] for r in rows(db, "SELECT message_id FROM outbox")}
    finally:
        db.close()
    counts = collections.Counter(mid for mid, _ in sink.received())
    twice = sorted(mid for mid, n in counts.items() if n > 1)
    for mid in twice:
        where = (in_flight_at_kill or {}).get(mid, "no kill")
        problems.append(f"reminder sent {counts[mid]} times (in flight at the kill at {where}): {mid}")
    stray = sorted(mid for mid in counts if mid not in outbox_ids and mid not in written_before)
    if stray:
        problems.append(f"the sink received {len(stray)} messages not in the outbox: {stray[:3]}")
    return problems


def check_final(daemon, sink, reference, sent_before=frozenset()):
    """`sent_before`: the Message-IDs recorded sent at earlier steps, deleted since or not."""
    problems = []
    db = daemon.db()
    try:
        waiting = rows(db, "SELECT status, in_flight, COUNT(*) FROM outbox WHERE status != 'sent' OR in_flight GROUP BY 1, 2")
        if waiting:
            problems.append(f"outbox not all sent: {waiting}")
        sent = {r[0] for r in rows(db, "SELECT message_id FROM outbox WHERE status = 'sent'")}
        interrupted = rows(db, """SELECT id, name, slot FROM job_run WHERE outcome = 'interrupted'
                                  AND trigger != 'manual' AND slot IS NOT NULL""")
        for run_id, name, slot in interrupted:
            later = rows(db, """SELECT COUNT(*) FROM job_run WHERE name = ? AND id > ? AND outcome = 'ok'
                                AND slot IS NOT NULL AND slot >= ?""", name, run_id, slot)[0][0]
            if not later:
                problems.append(f"job {name}: run {run_id} (slot {slot}) interrupted and never caught up")
        caught_up = len(interrupted)
    finally:
        db.close()
    received = collections.Counter(mid for mid, _ in sink.received())
    lost = sorted((sent | sent_before) - set(received))
    if lost:
        problems.append(f"reminders recorded sent but never received: {len(lost)}: {lost[:3]}")
    if reference is not None:
        final = snapshot(daemon)
        for key in ("cycles", "flags", "outbox"):
            if final[key] != reference[key]:
                problems.append(f"final {key} differ from the uncrashed run: {str(final[key])[:300]} vs {str(reference[key])[:300]}")
    return problems, caught_up


# ---------------------------------------------------------------- the scenario

def scenario(data, manifest):
    """(name, kinerjactl arguments) in order; each is idempotent when repeated."""
    periods = [p["period"] for p in manifest["periods"]]
    steps = [("import units", ["import", "units", f"{data}/units.csv"]),
             ("import employees", ["import", "employees", f"{data}/employees.csv"])]
    for p in manifest["periods"]:
        period = p["period"]
        steps += [
            (f"open {period}", ["call", "io.kinerjad.Admin.OpenCycle",
                                json.dumps({"period": period, "opened_at": p["opened_at"]})]),
            (f"reviews {period}", ["reviews", "import", f"{data}/reviews-{period}.csv", "--cycle", period]),
            (f"skm {period}", ["import", "skm", f"{data}/skm-{period}.csv"]),
            (f"close {period}", ["call", "io.kinerjad.Admin.CloseCycle",
                                 json.dumps({"cycle": period, "force": False, "closed_at": p["close_at"]})]),
        ]
    # One more quarter, opened long ago (on its first day, so early) with nothing submitted: every
    # reviewer is overdue.
    last = periods[-1]
    year, quarter = int(last[:4]), int(last[-1])
    year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    overdue = f"{year}-Q{quarter}"
    opened = (datetime.date(year, 3 * quarter - 2, 1)).isoformat() + "T00:00:00+07:00"
    steps += [
        (f"open {overdue}", ["call", "io.kinerjad.Admin.OpenCycle", json.dumps({"period": overdue, "opened_at": opened, "early": True})]),
        ("reminder sweep", ["jobs", "run", "reminder-sweep"]),
        ("delivery", ["jobs", "run", "outbox-delivery"]),
        ("analysis", ["jobs", "run", "motivation-analysis"]),
        ("backup", ["backup"]),
        (f"close {overdue}", ["call", "io.kinerjad.Admin.CloseCycle",
                              json.dumps({"cycle": overdue, "force": True, "reason": "crash harness: old mail"})]),
        ("age the mail", age_the_mail),
        ("maintenance", ["jobs", "run", "maintenance"]),
    ]
    return steps


def age_the_mail(daemon):
    """Dates every message two days back (past mail.keep_messages, 1d here); idempotent."""
    db = sqlite3.connect(daemon.database, timeout=30)
    try:
        db.execute("UPDATE outbox SET created_at = strftime('%Y-%m-%d %H:%M:%f', 'now', '-2 days')")
        db.commit()
    finally:
        db.close()


class Pass:
    """One run of the scenario on a fresh state directory, with the given kills."""

    def __init__(self, args, data, manifest, armed, random_kills, reference, label):
        self.args, self.data, self.manifest = args, data, manifest
        self.remaining = list(armed)
        self.random_kills = dict(random_kills)      # step index -> delay in seconds
        self.reference = reference
        self.label = label
        self.kills = collections.Counter()
        self.problems = []
        self.in_flight_at_kill = {}
        self.seen = set()
        self.snapshots = []
        self.written, self.sent = set(), set()
        self.state = tempfile.mkdtemp(prefix="kinerja-crash-")
        self.sink = Sink()
        self.daemon = Daemon(args.bin, self.state, self.sink.port)

    def add(self, problem):
        """Records a problem once (a lasting one is seen again at every later check)."""
        key = problem.split(": ", 1)[1] if problem.startswith("after ") else problem
        if key not in self.seen:
            self.seen.add(key)
            self.problems.append(problem)

    def note(self, text):
        if self.args.verbose:
            print(f"  [{self.label}] {text}", flush=True)

    def restart_after_kill(self, where):
        self.kills[where] += 1
        self.daemon.kill()
        self.daemon.new_announcements()
        if not self.daemon.start(self.remaining):
            self.handle_pauses()
            return
        db = self.daemon.db()
        try:
            for (mid,) in rows(db, "SELECT message_id FROM outbox WHERE in_flight"):
                self.in_flight_at_kill.setdefault(mid, where)
        finally:
            db.close()
        for p in check_invariants(self.daemon, self.sink, self.in_flight_at_kill, self.written):
            self.add(f"after kill at {where}: {p}")
        self.note(f"killed at {where}; restarted")

    def handle_pauses(self):
        """Kills the daemon if a point announced itself; returns the point or None."""
        announced = self.daemon.new_announcements()
        if not announced:
            return None
        names = [name for name, _ in announced]
        for name in names:
            base = name
            self.remaining = [r for r in self.remaining if r.split("#")[0] != base]
        self.restart_after_kill(names[0])
        for extra in names[1:]:
            self.kills[extra] += 1
        return names[0]

    def wait_idle(self, timeout=60):
        """Waits until no job runs and none is owed: a close records in its own transaction that the
        motivation analysis must run (job_request), and the row goes when a run that claimed it ends.
        Waiting on that record, not on time, covers a run started late and one owed across a kill."""
        time.sleep(0.3)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.handle_pauses():
                continue
            db = self.daemon.db()
            try:
                running = rows(db, "SELECT COUNT(*) FROM job_run WHERE outcome = 'running'")[0][0]
                owed = rows(db, "SELECT COUNT(*) FROM job_request")[0][0]
            finally:
                db.close()
            if not running and not owed:
                return
            time.sleep(0.05)
        self.problems.append("jobs still running or owed after 60 s")

    def run_step(self, index, name, command):
        attempts = 0
        while True:
            attempts += 1
            if attempts > 40:
                raise Failure(f"step {name}: no success after 40 attempts")
            self.handle_pauses()
            if callable(command):
                command(self.daemon)
                return
            started = time.monotonic()
            process = self.daemon.ctl_popen(command)
            killed = None
            delay = self.random_kills.pop(index, None) if attempts == 1 else None
            while process.poll() is None:
                killed = self.handle_pauses()
                if killed:
                    break
                if delay is not None and time.monotonic() - started >= delay:
                    killed = f"random:{name.split()[0]}"
                    self.restart_after_kill(killed)
                    delay = None
                    break
                time.sleep(0.01)
            if killed:
                # The command was cut by the crash. It may not have connected yet: it must not reach
                # the restarted daemon (and pause there unseen), so it goes too, as an admin's would.
                process.kill()
                process.communicate()
                continue
            try:
                out, err = process.communicate(timeout=120)
            except subprocess.TimeoutExpired:
                process.kill()
                raise Failure(f"step {name}: kinerjactl did not finish within 120 s")
            if process.returncode == 0:
                if name == "delivery":
                    db = self.daemon.db()
                    try:
                        waiting = rows(db, "SELECT COUNT(*) FROM outbox WHERE status != 'sent' OR in_flight")[0][0]
                    finally:
                        db.close()
                    if waiting:
                        time.sleep(1.1)      # mail.retry_base of a failed attempt
                        continue
                return
            if process.returncode in (69, 1) and ("Connection" in err or "cannot reach" in err.lower() or "closed" in err.lower()
                                                  or "JobBusy" in err):
                time.sleep(0.2)
                continue
            raise Failure(f"step {name}: kinerjactl exited {process.returncode}: {err.strip()[:400]}")

    def wait_catch_up(self):
        """Waits for the maintenance job to finish a slot after any interrupted one (and any point left)."""
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            self.handle_pauses()
            db = self.daemon.db()
            try:
                pending = rows(db, """SELECT COUNT(*) FROM job_run i WHERE i.outcome = 'interrupted' AND i.trigger != 'manual'
                                      AND NOT EXISTS (SELECT 1 FROM job_run o WHERE o.name = i.name AND o.id > i.id
                                                      AND o.outcome = 'ok' AND o.slot >= i.slot)""")[0][0]
                ran = rows(db, "SELECT COUNT(*) FROM job_run WHERE name = 'maintenance' AND outcome = 'ok'")[0][0]
            finally:
                db.close()
            scheduler_points = [p for p in self.remaining if p.startswith("scheduler.") and "maintenance" in p]
            if not pending and ran and not scheduler_points:
                return
            time.sleep(0.1)
        self.problems.append("the maintenance job did not catch up within 40 s")

    def run(self):
        try:
            if not self.daemon.start(self.remaining):
                self.handle_pauses()
            for index, (name, command) in enumerate(scenario(self.data, self.manifest)):
                self.run_step(index, name, command)
                self.wait_idle()
                snap = snapshot(self.daemon)
                self.snapshots.append(snap)
                self.written |= snap["written"]
                self.sent |= snap["sent"]
                if self.reference is not None:
                    expected = self.reference["snapshots"][index]
                    # Once the mail is dated back, the scheduled maintenance (every 10 s, and at once after a
                    # restart that interrupted one) may delete it before the step's own run: either count is right.
                    keys = ("cycles", "flags") if name == "age the mail" else ("cycles", "flags", "outbox")
                    for key in keys:
                        if snap[key] != expected[key]:
                            self.add(f"after step {name}: {key} differ from the uncrashed run: "
                                                 f"{str(snap[key])[:200]} vs {str(expected[key])[:200]}")
            self.wait_catch_up()
            self.wait_idle()
            for problem in check_invariants(self.daemon, self.sink, self.in_flight_at_kill, self.written):
                self.add(problem)
            final, caught_up = check_final(self.daemon, self.sink, self.reference["final"] if self.reference else None, self.sent)
            for problem in final:
                self.add(problem)
            self.caught_up = caught_up
            self.final = snapshot(self.daemon)
        except Failure as error:
            self.problems.append(str(error))
            self.caught_up = 0
            self.final = None
        finally:
            self.daemon.stop()
        # Stopped (SIGTERM waits for a running backup): a copy a kill cut short was removed at start.
        if os.path.isdir(self.daemon.backups):
            partial = [n for n in os.listdir(self.daemon.backups) if n.endswith(".partial")]
            if partial:
                self.add(f"unfinished backup files left in {self.daemon.backups}: {partial}")
        if not self.problems or not self.args.keep:
            if not self.problems:
                shutil.rmtree(self.state, ignore_errors=True)
        return self


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", required=True, help="directory of a DEBUG kinerjad and kinerjactl (pause points)")
    parser.add_argument("--kills", type=int, default=0, help="long mode: at least this many kills (0: short mode)")
    parser.add_argument("--employees", type=int, default=40)
    parser.add_argument("--periods", type=int, default=2)
    parser.add_argument("--seed", type=int, default=None, help="seed of the random choices (default: time)")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the state directories of failed passes")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else int(time.time())
    rng = random.Random(seed)
    began = time.monotonic()

    work = tempfile.mkdtemp(prefix="kinerja-crash-data-")
    data = os.path.join(work, "demo")
    ctl = os.path.join(args.bin, "kinerjactl")
    generated = subprocess.run([ctl, "demo", "generate", "--employees", str(args.employees), "--periods", str(args.periods),
                                "--seed", "8", "--out", data], capture_output=True, text=True)
    if generated.returncode != 0:
        print(f"demo generate failed: {generated.stderr}", file=sys.stderr)
        return 2
    with open(os.path.join(data, "demo.json")) as f:
        manifest = json.load(f)
    steps = scenario(data, manifest)

    print(f"crash harness: {args.employees} employees, {args.periods} periods, {len(steps)} steps, seed {seed}", flush=True)
    reference_pass = Pass(args, data, manifest, [], {}, None, "reference").run()
    if reference_pass.problems:
        print("the uncrashed reference run failed:\n  " + "\n  ".join(reference_pass.problems))
        return 1
    reference = {"snapshots": reference_pass.snapshots, "final": reference_pass.final}
    print(f"reference run: {len(reference['final']['cycles'])} cycles, {len(reference['final']['flags'])} flags, "
          f"{len(reference_pass.written)} messages written, {reference['final']['outbox']} left after the old ones were deleted "
          f"({time.monotonic() - began:.1f} s)", flush=True)

    kills = collections.Counter()
    problems = []
    unreached = collections.Counter()
    passes = 0
    caught_up = 0
    failures = 0
    while True:
        passes += 1
        if args.kills == 0:
            armed, random_kills = list(POINTS), {}
        else:
            chosen = rng.sample(POINTS, rng.randint(3, 8))
            armed = [f"{p}#{rng.randint(1, REPEATED[p])}" if p in REPEATED else p for p in chosen]
            random_kills = {i: rng.uniform(0.0, 1.5) for i in rng.sample(range(len(steps)), rng.randint(1, 3))}
        result = Pass(args, data, manifest, armed, random_kills, reference, f"pass {passes}").run()
        kills.update(result.kills)
        caught_up += result.caught_up
        for name in result.remaining:
            unreached[name.split("#")[0]] += 1
        if result.problems and args.kills:
            problems.append(f"pass {passes} armed {','.join(armed)}, random kills at steps {sorted(random_kills)}:")
        problems += [f"pass {passes}: {p}" for p in result.problems]
        failures += len(result.problems)
        total = sum(kills.values())
        print(f"pass {passes}: {sum(result.kills.values())} kills, {len(result.problems)} failures "
              f"(total {total} kills, {time.monotonic() - began:.0f} s)", flush=True)
        if args.kills == 0 or total >= args.kills:
            break

    print("\nkills per point:")
    for name in POINTS + sorted(k for k in kills if k not in POINTS):
        print(f"  {name:48} {kills.get(name, 0):5}")
    print(f"total kills: {sum(kills.values())} in {passes} pass(es); interrupted scheduled runs caught up: {caught_up}")
    if args.kills == 0 and unreached:
        problems.append(f"points armed but never reached: {sorted(unreached)}")
        failures += 1
    print(f"invariant failures: {failures}")
    for p in problems:
        print("  " + p)
    print(f"time: {time.monotonic() - began:.1f} s")
    shutil.rmtree(work, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
