#!/usr/bin/env python3
"""The daemon's peak RSS through one cycle open (not a test; a measurement).

On a fresh database in WORK: `kinerjactl demo generate --employees N --periods 1 --seed 5`, import
units and employees, then reset the daemon's VmHWM (`/proc/PID/clear_refs`, 5) and open the quarter,
so the peak printed is the open's own, beside the peak through the import and the RSS before and
after. Last it prints a hash of the assignment rows (NIPs, role, unit codes, due date, atasan
source) in id order: two builds that open the same cycle the same way print the same hash.

Usage: python3 Benchmarks/open_memory.py BIN_DIR N WORK   (e.g. .build-release-static/release 100000 /tmp/om)
"""
import hashlib, json, os, sqlite3, subprocess, sys, time
bin_dir, n, work = sys.argv[1], int(sys.argv[2]), sys.argv[3]
os.makedirs(work, exist_ok=True)
ctl, kd = f"{bin_dir}/kinerjactl", f"{bin_dir}/kinerjad"
demo = f"{work}/demo"
if not os.path.exists(f"{demo}/demo.json"):
    subprocess.run([ctl, "demo", "generate", "--employees", str(n), "--periods", "1", "--seed", "5",
                    "--first-period", "2025-Q1", "--out", demo, "-q"], check=True)
m = json.load(open(f"{demo}/demo.json"))["periods"][0]
sock, db = f"{work}/admin.varlink", f"{work}/k.sqlite"
open(f"{work}/k.yaml", "w").write(f"database:\n  path: {db}\nbackup:\n  directory: {work}/backup\n"
    f"control:\n  socket: {sock}\n  idle_timeout: 1h\nlogging:\n  target: stderr\n  level: notice\n")
env = {k: v for k, v in os.environ.items() if k not in ("NOTIFY_SOCKET", "LISTEN_FDS", "LISTEN_PID", "WATCHDOG_USEC")}
d = subprocess.Popen([kd, "--config", f"{work}/k.yaml"], stdout=open(f"{work}/d.log", "w"), stderr=subprocess.STDOUT, env=env)
def st(f):
    for l in open(f"/proc/{d.pid}/status"):
        if l.startswith(f + ":"): return int(l.split()[1]) / 1024
try:
    for _ in range(600):
        if os.path.exists(sock): break
        time.sleep(0.05)
    c = [ctl, "--socket", sock, "-q"]
    subprocess.run(c + ["import", "units", f"{demo}/units.csv"], check=True, capture_output=True)
    subprocess.run(c + ["import", "employees", f"{demo}/employees.csv"], check=True, capture_output=True)
    hwm_import = st("VmHWM")
    time.sleep(1)
    rss_before = st("VmRSS")
    open(f"/proc/{d.pid}/clear_refs", "w").write("5")
    t = time.time()
    r = subprocess.run([ctl, "--socket", sock, "--json", "cycles", "open", m["period"], "--opened-at", m["opened_at"]],
                       check=True, capture_output=True, text=True)
    wall = time.time() - t
    print(f"N={n} bin={bin_dir} assignments={json.loads(r.stdout)['cycle']['assignments']} open {wall:.2f}s; "
          f"peak through import {hwm_import:.1f} MiB; RSS before open {rss_before:.1f} MiB; "
          f"peak during open (VmHWM reset before it) {st('VmHWM'):.1f} MiB; RSS after {st('VmRSS'):.1f} MiB")
finally:
    d.terminate(); d.wait(60)
q = sqlite3.connect(db)
rows = q.execute("""SELECT s.nip, a.role, r.nip, su.code, ru.code, a.due_at, a.atasan_source FROM assignment a
  JOIN person s ON s.id = a.subject_id JOIN person r ON r.id = a.reviewer_id
  JOIN unit_key su ON su.id = a.subject_unit_id JOIN unit_key ru ON ru.id = a.reviewer_unit_id ORDER BY a.id""").fetchall()
h1 = hashlib.sha256(repr(rows).encode()).hexdigest()[:16]
h2 = hashlib.sha256(repr(sorted(rows, key=repr)).encode()).hexdigest()[:16]
print(f"rows={len(rows)} hash(in id order)={h1} hash(as a set)={h2}")
