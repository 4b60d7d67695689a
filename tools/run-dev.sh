#!/bin/bash
# `make run`: the daemon in the foreground with config/dev.yaml (state in ./var). When ./var has no
# database yet, a small demo data set is generated and loaded once the daemon listens, so there is
# something to look at. Ctrl-C stops the daemon cleanly (SIGTERM; it finishes or rolls back the job
# in flight) and waits for it.
# Usage: tools/run-dev.sh BIN_DIR
set -u
bin=${1:?usage: run-dev.sh BIN_DIR}
mkdir -p var/backup
fresh=""
[ -e var/kinerja.sqlite ] || fresh=yes

# A session of its own, so the terminal's Ctrl-C reaches this script (which stops the daemon with
# one SIGTERM) and not the daemon directly as well.
setsid "$bin/kinerjad" --config config/dev.yaml &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null' INT TERM

if [ -n "$fresh" ]; then
    for _ in $(seq 1 300); do
        [ -S var/admin.varlink ] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if [ -S var/admin.varlink ]; then
        echo "kinerjad: new database; loading a demo data set (300 employees, the last 4 quarters) from var/demo"
        if "$bin/kinerjactl" demo generate --employees 300 --periods 4 --seed 1 --out var/demo -q \
            && "$bin/kinerjactl" --socket var/admin.varlink demo load var/demo; then
            echo "kinerjad: demo data loaded; try: $bin/kinerjactl --socket var/admin.varlink report cycle 1"
        else
            echo "kinerjad: loading the demo data failed (see above); the daemon keeps running"
        fi
    fi
fi

# The web front beside it (web: in config/dev.yaml), and one reviewer and one survey link to click.
for _ in $(seq 1 300); do
    [ -S var/review.varlink ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
"$bin/kinerja-web" --config config/dev.yaml &
web=$!
trap 'kill -TERM "$pid" "$web" 2>/dev/null' INT TERM
ctl=("$bin/kinerjactl" --socket var/admin.varlink)
if [ -n "$fresh" ]; then
    # The demo's cycles are closed; open the current quarter (still running, hence --early) so there
    # is something to review.
    quarter=$(TZ=Asia/Jakarta date +%Y-Q$(( ($(TZ=Asia/Jakarta date +%-m) - 1) / 3 + 1 )))
    "${ctl[@]}" cycles open "$quarter" --early >/dev/null || echo "kinerjad: could not open $quarter for the web demo"
fi
reviewer=$("${ctl[@]}" --json reviews list --status open --limit 1 2>/dev/null | python3 -c 'import json,sys; r=json.load(sys.stdin); print(r[0]["reviewer"] if r else "")' 2>/dev/null)
unit=$("${ctl[@]}" --json reviews list --limit 1 2>/dev/null | python3 -c 'import json,sys; r=json.load(sys.stdin); print(r[0]["unit"] if r else "")' 2>/dev/null)
if [ -n "$reviewer" ]; then
    echo "kinerja-web: a reviewer's page:  $("${ctl[@]}" reviews link --reviewer "$reviewer")"
fi
if [ -n "$unit" ]; then
    echo "kinerja-web: a survey page:      $("${ctl[@]}" survey link "$unit")"
fi

# `wait` returns early when a trapped signal arrives; keep waiting until the daemon has exited, then
# exit with its status (bash remembers the status of a child already waited for).
while kill -0 "$pid" 2>/dev/null; do
    wait "$pid"
done
wait "$pid"
status=$?
kill -TERM "$web" 2>/dev/null
wait "$web" 2>/dev/null
exit $status
