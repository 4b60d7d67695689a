#!/usr/bin/env python3
"""Web front benchmark (not a test; `make bench-web`): a release kinerjad and kinerja-web on
loopback, 25,000 employees and an open cycle, driven by wrk.

Measures the reviewer's form page (GET /r/TOKEN; target p99 <= 50 ms) and review submissions (POST
/r/TOKEN with the page's anti-forgery value and one of the link's own assignments; target at least
300/s sustained with p99 <= 100 ms), each while `kinerjactl report cycle` runs in a loop, and the
resident memory of both processes. Each is run twice: flat out (wrk's 16 connections each send the
next request as soon as the last is answered: the most the two CPUs give, and the latency of the
queue that builds at that rate), then paced at about --paced-rate requests a second in all (the
latency at the rate the targets name).

The clients: REVIEWERS personal links, made through io.kinerjad.Admin.ReviewLink. Each request
carries an X-Forwarded-For address of its own link's client (10.x.y.z), and 127.0.0.1 is
web.trusted_proxies, as behind the city's reverse proxy: the rate limits are the shipped defaults
(web.rate_limit_per_minute 60 per client address, 30 per token), met by many clients each sending a
few requests rather than raised for the benchmark. Any response other than the expected one (200
for a page, 303 for a stored review) is counted and printed.

Usage: python3 Benchmarks/web_bench.py --bin .build-release-static/release [--employees 25000]
"""
import argparse
import concurrent.futures
import html
import json
import os
import random
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

from cycles_bench import rss_kib  # this directory is on sys.path when the script runs

POSTS_PER_LINK = 10
BERAKHLAK = ["berorientasi_pelayanan", "akuntabel", "kompeten", "harmonis", "loyal", "adaptif", "kolaboratif"]

# wrk's script: requests from a file of "path<TAB>body" lines (an empty body: a GET), each thread
# starting at its own offset so the threads submit different assignments; the X-Forwarded-For of
# the line's link; unexpected statuses counted per thread and summed in done().
WRK_SCRIPT = r"""
local lines = {}
local threads = {}
local counter = 1

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  expected = tonumber(args[2])
  for line in io.lines(args[1]) do
    local path, ip, body = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
    table.insert(lines, {path, ip, body})
  end
  local share = math.floor(#lines / tonumber(args[3]))
  counter = id * share + 1
  pause = tonumber(args[4])
  unexpected = 0
  statuses = ""
end

function request()
  local l = lines[counter]
  counter = counter + 1
  if counter > #lines then counter = 1 end
  local headers = { ["X-Forwarded-For"] = l[2] }
  if l[3] == "" then
    return wrk.format("GET", l[1], headers)
  end
  headers["Content-Type"] = "application/x-www-form-urlencoded"
  return wrk.format("POST", l[1], headers, l[3])
end

-- A paced run waits this many milliseconds before each request on a connection.
function delay()
  return pause
end

function response(status, headers, body)
  if status ~= expected then
    unexpected = unexpected + 1
    if #statuses < 200 then statuses = statuses .. status .. " " end
  end
end

function done(summary, latency, requests)
  local bad, seen = 0, ""
  for _, t in ipairs(threads) do
    bad = bad + t:get("unexpected")
    seen = seen .. t:get("statuses")
  end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "seconds": %.3f, "p50": %d, "p90": %d, "p99": %d, "max": %d, ' ..
    '"unexpected": %d, "statuses": "%s", "connect": %d, "read": %d, "write": %d, "timeout": %d, "status": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, bad, seen, e.connect, e.read, e.write, e.timeout, e.status))
end
"""


def cpu_seconds(pid):
    """User plus system CPU time of a process so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Sampler:
    """Peak resident size of some processes while a step runs (sampled every 50 ms), and the CPU
    time each used in it."""

    def __init__(self, pids):
        self.pids = pids
        self.peak = {pid: 0 for pid in pids}
        self.cpu = {pid: cpu_seconds(pid) for pid in pids}
        self.running = False

    def sample(self):
        for pid in self.pids:
            self.peak[pid] = max(self.peak[pid], rss_kib(pid))

    def __enter__(self):
        self.running = True
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()
        return self

    def loop(self):
        while self.running:
            self.sample()
            time.sleep(0.05)

    def __exit__(self, *exc):
        self.running = False
        self.thread.join()
        self.sample()
        self.cpu = {pid: cpu_seconds(pid) - self.cpu[pid] for pid in self.pids}


class Varlink:
    """A minimal Varlink client on a Unix socket: one call at a time, NUL-terminated JSON."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.buffer = b""

    def call(self, method, parameters):
        self.sock.sendall(json.dumps({"method": method, "parameters": parameters}).encode() + b"\0")
        while b"\0" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise RuntimeError(f"{method}: connection closed")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        reply = json.loads(message)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']} {reply.get('parameters')}")
        return reply.get("parameters", {})


class ReportLoop:
    """`kinerjactl report cycle` again and again in a thread; counts runs and their seconds."""

    def __init__(self, ctl, socket_path, cycle, enabled=True):
        self.command = [ctl, "--socket", socket_path, "--quiet", "report", "cycle", cycle]
        self.enabled = enabled
        self.durations = []
        self.failures = 0
        self.running = False

    def __enter__(self):
        self.running = self.enabled
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()
        return self

    def loop(self):
        while self.running:
            start = time.perf_counter()
            r = subprocess.run(self.command, capture_output=True, text=True)
            if r.returncode != 0:
                self.failures += 1
                time.sleep(0.2)
            else:
                self.durations.append(time.perf_counter() - start)

    def __exit__(self, *exc):
        self.running = False
        self.thread.join()

    def summary(self):
        if not self.enabled:
            return "cycle report loop: not run (--no-report-loop)"
        if not self.durations:
            return f"cycle report: 0 runs completed, {self.failures} failed"
        d = sorted(self.durations)
        return f"cycle report in a loop: {len(d)} runs, median {d[len(d) // 2]:.2f} s, failed {self.failures}"


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        sys.exit(f"failed ({r.returncode}): {' '.join(cmd)}\n{r.stdout}\n{r.stderr}")
    return r.stdout


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what, check, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if check():
            return
        time.sleep(0.1)
    sys.exit(f"timed out waiting for {what}")


def client_ip(i):
    return f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"


def wrk(args, script, lines_file, expected, label, rate=None):
    """One wrk run: flat out (each connection sends its next request when the last is answered), or
    paced at about `rate` requests a second in all (each connection waits connections/rate seconds
    before each request; the rate reached is a little lower, by the latency, and is printed)."""
    pause = 0 if rate is None else int(1000 * args.connections / rate)
    cmd = ["wrk", "--threads", str(args.threads), "--connections", str(args.connections), "--duration", f"{args.seconds}s",
           "--timeout", "10s", "--script", script, "http://127.0.0.1:%d" % args.port, "--", lines_file, str(expected),
           str(args.threads), str(pause)]
    out = run(cmd)
    line = next((l for l in out.splitlines() if l.startswith("WRKJSON ")), None)
    if line is None:
        sys.exit(f"wrk printed no summary for {label}:\n{out}")
    return json.loads(line[len("WRKJSON "):])


def print_figures(label, r, target):
    rate = r["requests"] / r["seconds"]
    errors = r["connect"] + r["read"] + r["write"] + r["timeout"]
    expected = (r["requests"] - r["unexpected"]) / r["seconds"]
    statuses = r["statuses"].split()
    seen = ", ".join(f"{statuses.count(s)}x {s}" for s in sorted(set(statuses)))
    print(f"{label}: {r['requests']} requests in {r['seconds']:.1f} s = {rate:.0f}/s ({expected:.0f}/s with the expected status); "
          f"latency p50 {r['p50'] / 1000:.1f} ms, p90 {r['p90'] / 1000:.1f} ms, p99 {r['p99'] / 1000:.1f} ms, "
          f"max {r['max'] / 1000:.1f} ms; unexpected status {r['unexpected']}"
          f"{' (first ones: ' + seen + ')' if seen else ''}, socket errors {errors}  [{target}]")
    return rate


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", required=True, help="directory of the release kinerjad, kinerjactl and kinerja-web")
    ap.add_argument("--employees", type=int, default=25000)
    ap.add_argument("--reviewers", type=int, default=4000, help="personal links made and used")
    ap.add_argument("--seconds", type=int, default=30, help="length of each wrk run")
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--paced-rate", type=int, default=350,
                    help="after the flat-out runs, GET and POST again paced at about this many requests a second "
                         "(0: skip); the targets are for 300 submissions a second")
    ap.add_argument("--no-report-loop", dest="report_loop", action="store_false",
                    help="measure without `kinerjactl report cycle` running beside wrk (to tell the request path's own "
                         "cost from the competition for the CPUs; the targets are for a run with the loop)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing (apt-get install wrk)")
    bin_dir = os.path.abspath(args.bin)
    ctl = os.path.join(bin_dir, "kinerjactl")
    work = tempfile.mkdtemp(prefix="kinerja-bench-web-")
    args.port = free_port()
    admin, review = f"{work}/admin.varlink", f"{work}/review.varlink"
    with open(f"{work}/kinerjad.yaml", "w") as f:
        f.write(f"""database:
  path: {work}/kinerja.sqlite
backup:
  directory: {work}/backup
control:
  socket: {admin}
  idle_timeout: 1h
logging:
  target: stderr
  level: warning
mail:
  channel: journal
jobs:
  schedule:
    maintenance: "off"
    outbox-delivery: "off"
    motivation-analysis: "off"
    reminder-sweep: "off"
    "cycle-open:quarterly": "off"
    "cycle-open:annual": "off"
    cycle-close: "off"
web:
  socket: {review}
  user: root
  listen: 127.0.0.1:{args.port}
  public_base_url: http://127.0.0.1:{args.port}
  trusted_proxies: [127.0.0.1]
""")
    procs = []
    try:
        log = open(f"{work}/daemon.log", "w")
        daemon = subprocess.Popen([f"{bin_dir}/kinerjad", "--config", f"{work}/kinerjad.yaml"], stderr=log)
        procs.append(daemon)
        wait_for("kinerjad's sockets", lambda: os.path.exists(admin) and os.path.exists(review))

        print(f"building the data set: {args.employees} employees, the current quarter opened")
        t0 = time.perf_counter()
        run([ctl, "--quiet", "demo", "generate", "--employees", str(args.employees), "--periods", "1", "--seed", "1",
             "--out", f"{work}/demo"])
        for kind in ["units", "employees"]:
            run([ctl, "--socket", admin, "--quiet", "import", kind, f"{work}/demo/{kind}.csv"])
        cycle = current_quarter()
        run([ctl, "--socket", admin, "--quiet", "cycles", "open", "--early", cycle])
        db = sqlite3.connect(f"file:{work}/kinerja.sqlite?mode=ro", uri=True)
        (assignments,) = db.execute("SELECT COUNT(*) FROM assignment").fetchone()
        reviewers = [r[0] for r in db.execute(
            "SELECT reviewer_nip FROM assignment_named GROUP BY reviewer_nip ORDER BY random() LIMIT ?", (args.reviewers,))]
        db.close()
        print(f"  {assignments} assignments, {time.perf_counter() - t0:.0f} s")

        web_log = open(f"{work}/web.log", "w")
        web = subprocess.Popen([f"{bin_dir}/kinerja-web", "--config", f"{work}/kinerjad.yaml"], stderr=web_log)
        procs.append(web)
        wait_for("kinerja-web", lambda: http_status(args.port, "/static/style.css") == 200)

        # Links, each link's assignments (from the Review interface, as root) and its form's
        # anti-forgery value (from the page itself, as a browser gets it).
        t0 = time.perf_counter()
        local = threading.local()

        def prepare(item):
            i, nip = item
            if not hasattr(local, "control"):
                local.control, local.reviewing = Varlink(admin), Varlink(review)
            url = local.control.call("io.kinerjad.Admin.ReviewLink", {"reviewer": nip})["url"]
            path = url[len(f"http://127.0.0.1:{args.port}"):]
            page = local.reviewing.call("io.kinerjad.Review.GetReviewerPage", {"token": path[3:]})
            m = re.search(r'name="csrf" value="([^"]+)"', fetch(args.port, path, client_ip(i)))
            if m is None:
                raise RuntimeError(f"no anti-forgery value on {path}")
            csrf = html.unescape(m.group(1))
            lines = []
            # At most POSTS_PER_LINK of the link's assignments: a kepala's link has dozens, and wrk
            # goes through the file more than once at a thousand submissions a second, which took
            # such links over their per-token limit (429) instead of measuring submissions.
            for a in [a for a in page["assignments"] if a["editable"]][:POSTS_PER_LINK]:
                form = [("csrf", csrf), ("assignment", str(a["id"]))]
                form += [(v, str(random.randint(2, 5))) for v in BERAKHLAK]
                if a["needs_hasil_kerja"]:
                    form.append(("hasil_kerja", "sesuai"))
                form.append(("comment", "Pelayanan baik dan tepat waktu."))
                lines.append(f"{path}\t{client_ip(i)}\t" + urllib.parse.urlencode(form))
            return f"{path}\t{client_ip(i)}\t", lines

        gets, posts = [], []
        with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
            for get, lines in pool.map(prepare, enumerate(reviewers)):
                gets.append(get)
                posts += lines
        random.shuffle(gets)
        random.shuffle(posts)
        with open(f"{work}/gets.txt", "w") as f:
            f.write("\n".join(gets) + "\n")
        with open(f"{work}/posts.txt", "w") as f:
            f.write("\n".join(posts) + "\n")
        with open(f"{work}/bench.lua", "w") as f:
            f.write(WRK_SCRIPT)
        print(f"  {len(gets)} links, {len(posts)} open assignments on them, {time.perf_counter() - t0:.0f} s")

        idle = {p.pid: rss_kib(p.pid) for p in procs}
        # The limits' windows are per minute: start each run in a fresh one, so the links' setup
        # requests and the previous run do not count against it.
        wait_for_new_minute()
        with Sampler([daemon.pid, web.pid]) as gs, ReportLoop(ctl, admin, cycle, args.report_loop) as reports:
            g = wrk(args, f"{work}/bench.lua", f"{work}/gets.txt", 200, "GET")
        print_figures(f"GET /r/TOKEN, {args.connections} connections", g, "target p99 <= 50 ms")
        print("  " + reports.summary())
        print(f"  CPU seconds: kinerjad {gs.cpu[daemon.pid]:.1f}, kinerja-web {gs.cpu[web.pid]:.1f}")
        wait_for_new_minute()
        with Sampler([daemon.pid, web.pid]) as ps, ReportLoop(ctl, admin, cycle, args.report_loop) as reports:
            p = wrk(args, f"{work}/bench.lua", f"{work}/posts.txt", 303, "POST")
        print_figures(f"POST /r/TOKEN (review submitted), {args.connections} connections", p,
                      "target >= 300/s sustained, p99 <= 100 ms")
        print("  " + reports.summary())
        print(f"  CPU seconds: kinerjad {ps.cpu[daemon.pid]:.1f}, kinerja-web {ps.cpu[web.pid]:.1f}")
        db = sqlite3.connect(f"file:{work}/kinerja.sqlite?mode=ro", uri=True)
        (stored,) = db.execute("SELECT COUNT(*) FROM review v JOIN review_source s ON s.id = v.source_id WHERE s.text = 'web'").fetchone()
        db.close()
        print(f"  reviews stored with source web: {stored}")
        if args.paced_rate:
            for label, lines, expected, target in [
                    ("GET /r/TOKEN", "gets.txt", 200, "target p99 <= 50 ms"),
                    ("POST /r/TOKEN (review submitted)", "posts.txt", 303, "target >= 300/s sustained, p99 <= 100 ms")]:
                wait_for_new_minute()
                with Sampler([daemon.pid, web.pid]) as ss, ReportLoop(ctl, admin, cycle, args.report_loop) as reports:
                    r = wrk(args, f"{work}/bench.lua", f"{work}/{lines}", expected, label, rate=args.paced_rate)
                print_figures(f"{label}, paced at about {args.paced_rate}/s on {args.connections} connections", r, target)
                print("  " + reports.summary())
                print(f"  CPU seconds: kinerjad {ss.cpu[daemon.pid]:.1f}, kinerja-web {ss.cpu[web.pid]:.1f}")
        for name, proc in [("kinerjad", daemon), ("kinerja-web", web)]:
            print(f"{name} RSS: idle {idle[proc.pid] / 1024:.1f} MiB, peak during GET {gs.peak[proc.pid] / 1024:.1f} MiB, "
                  f"during POST {ps.peak[proc.pid] / 1024:.1f} MiB, VmHWM {rss_kib(proc.pid, 'VmHWM') / 1024:.1f} MiB")
    finally:
        for proc in reversed(procs):
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def current_quarter():
    t = time.gmtime(time.time() + 7 * 3600)  # Asia/Jakarta, the demo's time zone
    return f"{t.tm_year}-Q{(t.tm_mon - 1) // 3 + 1}"


def wait_for_new_minute():
    time.sleep(60.5 - time.time() % 60)


def http_status(port, path):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as r:
            return r.status
    except Exception:
        return None


def fetch(port, path, ip):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"X-Forwarded-For": ip})
    with urllib.request.urlopen(request, timeout=30) as r:
        return r.read().decode()


if __name__ == "__main__":
    main()
