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
import datetime, hashlib, json, os, socket, sqlite3, subprocess, sys, threading, time

bin_dir, demo, work = sys.argv[1], sys.argv[2], sys.argv[3]
steps = (sys.argv[4] if len(sys.argv) > 4 else "open,preview,reviews,close,report").split(",")
os.makedirs(work, exist_ok=True)
ctl, kd = f"{bin_dir}/kinerjactl", f"{bin_dir}/kinerjad"
m = json.load(open(f"{demo}/demo.json"))["periods"][0]
sock, db = f"{work}/admin.varlink", f"{work}/k.sqlite"
open(f"{work}/k.yaml", "w").write(f"database:\n  path: {db}\nbackup:\n  directory: {work}/backup\n"
    f"control:\n  socket: {sock}\n  idle_timeout: 1h\nlogging:\n  target: stderr\n  level: notice\n")
env = {k: v for k, v in os.environ.items() if k not in ("NOTIFY_SOCKET", "LISTEN_FDS", "LISTEN_PID", "WATCHDOG_USEC")}
d = subprocess.Popen([kd, "--config", f"{work}/k.yaml"], stdout=open(f"{work}/d.log", "w"), stderr=subprocess.STDOUT, env=env)


def st(field):
    for line in open(f"/proc/{d.pid}/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024


def cpu():
    fields = open(f"/proc/{d.pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Probe:
    METHODS = [("ping", "io.kinerjad.Admin.Ping", {}), ("status", "io.kinerjad.Admin.GetStatus", {}),
               ("flags", "io.kinerjad.Admin.ListFlags", {"limit": 50})]

    def __enter__(self):
        self.times, self.running = {name: [] for name, _, _ in self.METHODS}, True
        self.slow, self.t0 = [], time.perf_counter()
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()
        return self

    def loop(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(sock)
        i = 0
        while self.running:
            name, method, parameters = self.METHODS[i % 3]
            start = time.perf_counter()
            s.sendall(json.dumps({"method": method, "parameters": parameters}).encode() + b"\0")
            data = b""
            while not data.endswith(b"\0"):
                data += s.recv(1 << 16)
            self.times[name].append(time.perf_counter() - start)
            self.slow.append((time.perf_counter() - start, time.perf_counter() - self.t0, name))
            i += 1
            time.sleep(0.02)

    def __exit__(self, *exc):
        self.running = False
        self.thread.join()

    def summary(self):
        def pct(v, p):
            v = sorted(v)
            return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))] * 1000 if v else float("nan")
        slowest = ", ".join(f"{n} {d * 1000:.0f} ms at {at:.1f} s" for d, at, n in sorted(self.slow, reverse=True)[:3])
        return "; ".join(f"{n} p50 {pct(v, 50):.1f} p99 {pct(v, 99):.1f} max {pct(v, 100):.1f} ms (n={len(v)})"
                         for n, v in self.times.items()) + f"\n           slowest: {slowest}"


def call(method, parameters=None):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sock)
    s.sendall(json.dumps({"method": method, "parameters": parameters or {}}).encode() + b"\0")
    data = b""
    while not data.endswith(b"\0"):
        data += s.recv(1 << 16)
    s.close()
    return json.loads(data[:-1])["parameters"]


def wait_for_job(name, since):
    """Until job `name` has run since `since` (a time.time()) and is not running."""
    while True:
        job = next(j for j in call("io.kinerjad.Admin.GetStatus")["jobs"] if j["name"] == name)
        last = job.get("last_run")
        ran = last and datetime.datetime.fromisoformat(last.replace("Z", "+00:00")).timestamp() >= since - 1
        if ran and not job["running"]:
            return
        time.sleep(0.2)


def step(name, args, probe=False, job=None):
    time.sleep(1)
    before = st("VmRSS")
    open(f"/proc/{d.pid}/clear_refs", "w").write("5")
    c0, t0 = cpu(), time.time()
    p = Probe() if probe else None
    if p:
        p.__enter__()
    r = subprocess.run([ctl, "--socket", sock, "-q"] + args, capture_output=True, text=True)
    wall = time.time() - t0
    if r.returncode != 0:
        sys.exit(f"{name} failed: {r.stderr[-2000:]}")
    if job:
        # The step's own call has returned; the job it started runs on, measured with it.
        print(f"{name:10s} wall {wall:6.2f} s  cpu {cpu() - c0:6.2f} s  peak until it returned {st('VmHWM'):6.1f} MiB", flush=True)
        wait_for_job(job, t0)
        name, wall = f"{name}+{job.split('-')[-1]}", time.time() - t0
    if p:
        p.__exit__()
    print(f"{name:10s} wall {wall:6.2f} s  cpu {cpu() - c0:6.2f} s  RSS before {before:6.1f} MiB  "
          f"peak (VmHWM reset before it) {st('VmHWM'):6.1f} MiB  RSS after {st('VmRSS'):6.1f} MiB"
          + (f"\n           {p.summary()}" if p else ""), flush=True)


try:
    for _ in range(600):
        if os.path.exists(sock):
            break
        time.sleep(0.05)
    c = [ctl, "--socket", sock, "-q"]
    subprocess.run(c + ["import", "units", f"{demo}/units.csv"], check=True, capture_output=True)
    t = time.time()
    subprocess.run(c + ["import", "employees", f"{demo}/employees.csv"], check=True, capture_output=True)
    print(f"N={sum(1 for _ in open(f'{demo}/employees.csv')) - 1} bin={bin_dir}; employees imported in {time.time() - t:.1f} s, "
          f"peak through the import {st('VmHWM'):.1f} MiB", flush=True)
    at = datetime.datetime.fromisoformat(m["opened_at"]) + datetime.timedelta(days=35)
    while at.weekday() != 2:
        at += datetime.timedelta(days=1)
    at = at.replace(hour=9, minute=0, second=0)
    if "open" in steps:
        step("open", ["cycles", "open", m["period"], "--opened-at", m["opened_at"]], probe=True)
    if "preview" in steps:
        step("preview", ["--json", "reminders", "preview", "--at", at.isoformat()])
    if "reviews" in steps:
        step("reviews", ["reviews", "import", f"{demo}/reviews-{m['period']}.csv", "--cycle", m["period"]])
    if "close" in steps:
        step("close", ["cycles", "close", m["period"], "--closed-at", m["close_at"]], probe=True, job="motivation-analysis")
    if "report" in steps:
        step("report", ["report", "cycle", m["period"], "--format", "json"])
finally:
    d.terminate()
    d.wait(60)
q = sqlite3.connect(db)
rows = q.execute("""SELECT s.nip, a.role, r.nip, su.code, ru.code, a.due_at, a.atasan_source FROM assignment a
  JOIN person s ON s.id = a.subject_id JOIN person r ON r.id = a.reviewer_id
  JOIN unit_key su ON su.id = a.subject_unit_id JOIN unit_key ru ON ru.id = a.reviewer_unit_id
  WHERE a.cycle_id = (SELECT MIN(id) FROM cycle) ORDER BY a.id""").fetchall()
print(f"rows={len(rows)} hash(in id order)={hashlib.sha256(repr(rows).encode()).hexdigest()[:16]}")
