#!/usr/bin/env python3
"""Prints the figures of a `make fuzz` run: one row per target from libFuzzer's log.

Usage: fuzz-report.py OUT_DIR TARGET...  (reads OUT_DIR/TARGET.log and OUT_DIR/TARGET/ artifacts)
Exits 1 when any target crashed or broke a property.
"""
import os
import re
import sys


def figures(out, target):
    log = open(os.path.join(out, target + ".log"), errors="replace").read()
    stats = dict(re.findall(r"^stat::(\w+):\s*(\d+)", log, re.M))
    # The last status line carries the coverage reached: "#123 DONE cov: 456 ft: 789 corp: 10/2Kb ...".
    status = re.findall(r"^#(\d+)\s+\w+\s+cov: (\d+) ft: (\d+) corp: (\d+)/(\S+)", log, re.M)
    execs, cov, ft, corp, corp_size = status[-1] if status else ("0", "?", "?", "?", "?")
    seconds = re.search(r"Done \d+ runs in (\d+) second", log)
    artifacts = [f for f in os.listdir(os.path.join(out, target))
                 if f.split("-")[0] in ("crash", "leak", "timeout", "oom", "slow")]
    return {
        "target": target,
        "seconds": seconds.group(1) if seconds else "-",
        "executions": stats.get("number_of_executed_units", execs),
        "exec/s": stats.get("average_exec_per_sec", "-"),
        "cov": cov,
        "ft": ft,
        "corpus": f"{corp} ({corp_size})",
        "peak RSS MB": stats.get("peak_rss_mb", "-"),
        "crashes": str(len(artifacts)),
        "artifacts": artifacts,
    }


def main():
    out, targets = sys.argv[1], sys.argv[2:]
    rows = [figures(out, t) for t in targets]
    columns = ["target", "seconds", "executions", "exec/s", "cov", "ft", "corpus", "peak RSS MB", "crashes"]
    widths = {c: max(len(c), *(len(r[c]) for r in rows)) for c in columns}
    print("  ".join(c.ljust(widths[c]) for c in columns))
    for r in rows:
        print("  ".join(r[c].ljust(widths[c]) for c in columns))
    failed = [r for r in rows if r["artifacts"]]
    for r in failed:
        for a in r["artifacts"]:
            print(f"{r['target']}: {os.path.join(out, r['target'], a)} (see {out}/{r['target']}.log)")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
