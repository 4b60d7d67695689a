"""The close of a cycle and the motivation analysis it starts, measured alone and repeatably (not a
test): `prepare` runs a demo's quarters up to each close and keeps a copy of the database before it;
`run` copies one of those back, starts a daemon on it and measures the close, then the analysis it
starts: wall and daemon CPU seconds of each, the daemon's peak RSS (reset before the close), and the
analysis's summary line.

    python3 Benchmarks/close_analysis.py prepare BIN DEMO WORK    # WORK/before-<period>.sqlite
    python3 Benchmarks/close_analysis.py run BIN DEMO WORK PERIOD [REPEATS] [--perf] [--poll=SECONDS]

The end of the analysis is seen by asking ListJobs every 0.05 s (benchdaemon's wait_for_job, as
scale_bench.py waits), or every --poll seconds.
"""
import json, os, shutil, sqlite3, subprocess, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchdaemon import Daemon


def clean(work):
    os.makedirs(work, exist_ok=True)
    for f in os.listdir(work):
        if f.startswith("kinerja.sqlite"):
            os.remove(f"{work}/{f}")


def prepare(bin_dir, demo, work):
    periods = json.load(open(f"{demo}/demo.json"))["periods"]
    live = f"{work}/live"
    clean(live)
    d = Daemon(bin_dir, live)
    try:
        d.ctl("import", "units", f"{demo}/units.csv")
        d.ctl("import", "employees", f"{demo}/employees.csv")
        for m in periods:
            d.ctl("cycles", "open", m["period"], "--opened-at", m["opened_at"])
            d.ctl("reviews", "import", f"{demo}/reviews-{m['period']}.csv", "--cycle", m["period"])
            d.call("io.kinerjad.Admin.Ping")
            d.__exit__()
            q = sqlite3.connect(f"{live}/kinerja.sqlite")
            q.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
            q.close()
            if os.path.exists(f"{live}/kinerja.sqlite-wal") and os.path.getsize(f"{live}/kinerja.sqlite-wal") > 0:
                raise SystemExit(f"{live}/kinerja.sqlite-wal not empty after a checkpoint: the copy would miss it")
            shutil.copy(f"{live}/kinerja.sqlite", f"{work}/before-{m['period']}.sqlite")
            print(f"kept {work}/before-{m['period']}.sqlite", flush=True)
            d = Daemon(bin_dir, live)
            since = time.time()
            d.ctl("cycles", "close", m["period"], "--closed-at", m["close_at"])
            d.wait_for_job("motivation-analysis", since)
    finally:
        d.__exit__()


def run(bin_dir, demo, work, period, repeats, perf, poll):
    m = next(p for p in json.load(open(f"{demo}/demo.json"))["periods"] if p["period"] == period)
    for i in range(repeats):
        live = f"{work}/live"
        clean(live)
        shutil.copy(f"{work}/before-{period}.sqlite", f"{live}/kinerja.sqlite")
        with Daemon(bin_dir, live) as d:
            time.sleep(2)
            recorder = None
            if perf:
                recorder = subprocess.Popen(["perf", "record", "-F", "299", "-g", "-o", f"{work}/perf-{period}-{i}.data",
                                             "-p", str(d.pid)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                time.sleep(1)
            d.reset_peak()
            cpu0, t0 = d.cpu(), time.time()
            d.ctl("cycles", "close", period, "--closed-at", m["close_at"])
            cpu1, t1 = d.cpu(), time.time()
            close_peak = d.mib("VmHWM")
            d.wait_for_job("motivation-analysis", t0, poll)
            cpu2, t2 = d.cpu(), time.time()
            peak = d.mib("VmHWM")
            if recorder:
                recorder.send_signal(2)
                recorder.wait()
            job = next(j for j in d.call("io.kinerjad.Admin.ListJobs")["jobs"] if j["name"] == "motivation-analysis")
            print(f"{period} run {i}: close {t1 - t0:5.2f} s (cpu {cpu1 - cpu0:5.2f}), analysis {t2 - t1:5.2f} s "
                  f"(cpu {cpu2 - cpu1:5.2f}), both {t2 - t0:5.2f} s (cpu {cpu2 - cpu0:5.2f}); peak {peak:5.1f} MiB "
                  f"(close alone {close_peak:5.1f}); {(job.get('last_message') or '')[-200:]}",
                  flush=True)


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if args[0] == "prepare":
        prepare(*args[1:4])
    else:
        poll = next((float(a.split("=", 1)[1]) for a in sys.argv if a.startswith("--poll=")), 0.05)
        run(*args[1:5], int(args[5]) if len(args) > 5 else 3, "--perf" in sys.argv, poll)
