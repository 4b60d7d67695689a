"""What the measuring scripts in Benchmarks/ share (not a test): a kinerjad of the build under test on a
fresh directory, read from /proc, called over Varlink, and probed while a step runs.

    with Daemon(bin_dir, work) as d:
        d.ctl("import", "units", "units.csv")          # kinerjactl --socket … -q, checked
        d.reset_peak(); …; d.mib("VmHWM")             # a step's own peak RSS
        d.call("io.kinerjad.Admin.GetStatus")         # one Varlink call on its own connection
"""
import datetime
import hashlib
import json
import os
import socket
import sqlite3
import subprocess
import threading
import time

# A daemon started here must not think systemd started it.
ENV = {k: v for k, v in os.environ.items() if k not in ("NOTIFY_SOCKET", "LISTEN_FDS", "LISTEN_PID", "WATCHDOG_USEC")}
TICKS = os.sysconf("SC_CLK_TCK")


def varlink_call(path, method, parameters=None):
    """One call on a connection of its own; returns the reply's parameters, raises on an error reply."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    try:
        return exchange(s, method, parameters)
    finally:
        s.close()


def exchange(s, method, parameters=None):
    """One call on an open connection."""
    s.sendall(json.dumps({"method": method, "parameters": parameters or {}}).encode() + b"\0")
    data = b""
    while not data.endswith(b"\0"):
        chunk = s.recv(1 << 16)
        if not chunk:
            raise RuntimeError(f"{method}: the daemon closed the connection")
        data += chunk
    reply = json.loads(data[:-1])
    if "error" in reply:
        raise RuntimeError(f"{method}: {reply['error']} {reply.get('parameters')}")
    return reply.get("parameters", {})


def percentile(values, p):
    """The p-th percentile (nearest rank) of a list of seconds, in milliseconds."""
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))] * 1000 if v else float("nan")


class Daemon:
    """kinerjad from BIN_DIR with its config (kinerjad.yaml), database (kinerja.sqlite), control socket
    (admin.varlink) and log (daemon.log) in WORK (created); stopped on exit."""

    def __init__(self, bin_dir, work):
        os.makedirs(work, exist_ok=True)
        self.kinerjactl, self.work = f"{bin_dir}/kinerjactl", work
        self.socket, self.db = f"{work}/admin.varlink", f"{work}/kinerja.sqlite"
        with open(f"{work}/kinerjad.yaml", "w") as f:
            f.write(f"database:\n  path: {self.db}\nbackup:\n  directory: {work}/backup\n"
                    f"control:\n  socket: {self.socket}\n  idle_timeout: 1h\nlogging:\n  target: stderr\n  level: notice\n")
        self.log = open(f"{work}/daemon.log", "w")
        self.process = subprocess.Popen([f"{bin_dir}/kinerjad", "--config", f"{work}/kinerjad.yaml"],
                                        stdout=self.log, stderr=subprocess.STDOUT, env=ENV)
        self.pid = self.process.pid
        # Ready when it answers (its socket file appears at bind, before it listens), within 30 s.
        deadline = time.monotonic() + 30
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"kinerjad exited with {self.process.returncode} before answering; see {work}/daemon.log")
            try:
                varlink_call(self.socket, "io.kinerjad.Admin.Ping")
                break
            except (OSError, RuntimeError):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"kinerjad did not answer on {self.socket} within 30 s; see {work}/daemon.log")
                time.sleep(0.05)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(120)
        self.log.close()

    def argv(self, *args, quiet=True):
        """kinerjactl's argv for this daemon."""
        return [self.kinerjactl, "--socket", self.socket] + (["-q"] if quiet else []) + list(args)

    def ctl(self, *args, quiet=True):
        """Runs kinerjactl and fails the script unless it exits 0; returns its stdout."""
        r = subprocess.run(self.argv(*args, quiet=quiet), capture_output=True, text=True)
        if r.returncode != 0:
            raise SystemExit(f"kinerjactl {' '.join(args)} exited {r.returncode}: {(r.stderr or r.stdout)[-2000:]}")
        return r.stdout

    def mib(self, field):
        """A /proc/PID/status size (VmRSS, VmHWM, RssAnon) in MiB."""
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
        return 0.0

    def cpu(self):
        """The daemon's user + system CPU seconds so far."""
        with open(f"/proc/{self.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS

    def reset_peak(self):
        """Sets VmHWM back to the current RSS, so the next reading is one step's own peak."""
        with open(f"/proc/{self.pid}/clear_refs", "w") as f:
            f.write("5")

    def call(self, method, parameters=None):
        return varlink_call(self.socket, method, parameters)

    def wait_for_job(self, name, since, poll=0.05):
        """Until job `name` has started since `since` (a time.time()) and is no longer running (a close
        starts the motivation analysis and returns before it ends). Asks ListJobs, not GetStatus: GetStatus
        also counts the employees (about 5 ms at 250,000), and asked 20 times a second it would add its
        own work to the step being timed."""
        while True:
            job = next(j for j in self.call("io.kinerjad.Admin.ListJobs")["jobs"] if j["name"] == name)
            last = job.get("last_run")
            ran = last and datetime.datetime.fromisoformat(last.replace("Z", "+00:00")).timestamp() >= since - 1
            if ran and not job["running"]:
                return job
            time.sleep(poll)


class Probe:
    """Ping, GetStatus and ListFlags in turn every 20 ms on one connection while a step runs; keeps
    each call's seconds per method and the slowest calls with when they came."""

    METHODS = [("ping", "io.kinerjad.Admin.Ping", {}), ("status", "io.kinerjad.Admin.GetStatus", {}),
               ("flags list", "io.kinerjad.Admin.ListFlags", {"limit": 50})]

    def __init__(self, path):
        self.path, self.times, self.slow, self.running = path, {m[0]: [] for m in self.METHODS}, [], False

    def __enter__(self):
        self.running, self.t0 = True, time.perf_counter()
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()
        return self

    def loop(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(self.path)
        i = 0
        while self.running:
            name, method, parameters = self.METHODS[i % len(self.METHODS)]
            start = time.perf_counter()
            exchange(s, method, parameters)
            took = time.perf_counter() - start
            self.times[name].append(took)
            self.slow.append((took, start - self.t0, name))
            i += 1
            time.sleep(0.02)
        s.close()

    def __exit__(self, *exc):
        self.running = False
        self.thread.join()

    def summary(self):
        slowest = ", ".join(f"{n} {d * 1000:.0f} ms at {at:.1f} s" for d, at, n in sorted(self.slow, reverse=True)[:3])
        return "; ".join(f"{n} p50 {percentile(v, 50):.1f} p99 {percentile(v, 99):.1f} max {percentile(v, 100):.1f} ms "
                         f"(n={len(v)})" for n, v in self.times.items()) + f"\n           slowest: {slowest}"


def assignment_hash(db, where=""):
    """The rows of the assignments (NIPs, role, unit codes, due date, atasan source) in id order, hashed:
    two builds that open the same cycle the same way give the same hash. Returns the number of rows,
    the hash in id order and the hash of the rows as a set (equal when only the ids differ)."""
    q = sqlite3.connect(db)
    rows = q.execute(f"""SELECT s.nip, a.role, r.nip, su.code, ru.code, a.due_at, a.atasan_source FROM assignment a
      JOIN person s ON s.id = a.subject_id JOIN person r ON r.id = a.reviewer_id
      JOIN unit_key su ON su.id = a.subject_unit_id JOIN unit_key ru ON ru.id = a.reviewer_unit_id {where}
      ORDER BY a.id""").fetchall()
    q.close()
    return (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest()[:16],
            hashlib.sha256(repr(sorted(rows, key=repr)).encode()).hexdigest()[:16])
