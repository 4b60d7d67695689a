#!/bin/sh
# Runs each fuzz target of kinerja-fuzz (built with libFuzzer and ASan) for FUZZ_SECONDS seconds and
# prints a table of executions, speed, coverage and crashes (see Fuzz/fuzz-report.py).
# Usage: Fuzz/run-fuzz.sh BINARY SECONDS TARGET...
# New inputs go to fuzz-out/<target>/corpus, crashers to fuzz-out/<target>/, logs to fuzz-out/<target>.log.
set -u
bin=$1; seconds=$2; shift 2
here=$(cd "$(dirname "$0")" && pwd)
out=fuzz-out
mkdir -p "$out"
for target in "$@"; do
  mkdir -p "$out/$target/corpus" "$here/regressions/$target"
  rm -f "$out/$target"/crash-* "$out/$target"/leak-* "$out/$target"/timeout-* "$out/$target"/oom-* "$out/$target"/slow-*
  echo "fuzz: $target for ${seconds}s" >&2
  # Leak detection is off: the Swift runtime keeps caches (type metadata, lazy globals) for the
  # process's life, which LeakSanitizer would report on every input.
  # The Swift backtracer is off: it reads memory that ASan reports as an error of its own.
  KINERJA_FUZZ_TARGET=$target ASAN_OPTIONS=detect_leaks=0 SWIFT_BACKTRACE=enable=no "$bin" \
    -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$out/$target/" \
    "$out/$target/corpus" "$here/corpus/$target" "$here/regressions/$target" \
    > "$out/$target.log" 2>&1
  echo "$?" > "$out/$target.status"
done
python3 "$here/fuzz-report.py" "$out" "$@"
