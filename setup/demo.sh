#!/usr/bin/env bash
# Brings up the demo: Odoo 18.0 with the suite and its demo data in a fresh
# database, served on http://127.0.0.1:8069, and the demo partner
# (setup/demo_partner.py) that receives its outbound events. Odoo runs as the
# scale-out deployment (start_scaleout in setup/lib.sh): the API and web
# process on the documented port (no job runner, no cron), and a job process
# on another port, whose queue_job runner (capacity 2) applies the inbound
# events and sends the outbound ones.
#   setup/demo.sh            run in the foreground (the servers' logs are
#                            shown); Ctrl-C stops both processes and the
#                            demo partner
#   setup/demo.sh --detach   run them in the background (logs: .venv/demo-api.log,
#                            .venv/demo-jobs.log and .venv/demo-partner.log; pid
#                            files: .venv/demo.pid, .venv/demo-jobs.pid and
#                            .venv/demo-partner.pid)
#   setup/demo.sh --stop     stop what --detach started, by those pid files
# Settings: MFG_DEMO_DB (default mfg_demo), MFG_HTTP_PORT (default 8069),
# MFG_DEMO_JOB_PORT (the job process; default a free port),
# MFG_DEMO_API_WORKERS (default 0: one threaded process, which also serves the
# web client's live updates; with HTTP workers these need a proxy that sends
# /websocket to the gevent port), MFG_DEMO_PARTNER_PORT (default 8099: the
# demo connector's address), and the variables listed in setup/lib.sh.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

DB=${MFG_DEMO_DB:-mfg_demo}
PORT=${MFG_HTTP_PORT:-8069}
PARTNER_PORT=${MFG_DEMO_PARTNER_PORT:-8099}
API_WORKERS=${MFG_DEMO_API_WORKERS:-0}
SERVER_PIDFILE=$VENV/demo.pid
JOBS_PIDFILE=$VENV/demo-jobs.pid
PARTNER_PIDFILE=$VENV/demo-partner.pid

case "${1:-}" in
"" | --detach | --stop) ;;
*) die "unknown argument $1 (use --detach, --stop or nothing)." ;;
esac

# stop_pidfile FILE WHAT PROGRAM: stops the process group whose leader's pid
# FILE holds, if that process still runs PROGRAM (a pid may have been reused
# since), and removes FILE.
stop_pidfile() {
    local file=$1 what=$2 program=$3 pid
    [ -f "$file" ] || { say "No $what pid file ($file): nothing to stop."; return 0; }
    pid=$(cat "$file")
    if ! [[ $pid =~ ^[0-9]+$ ]] || ! kill -0 "$pid" 2>/dev/null; then
        say "The $what (pid $pid) is not running."
    elif ! tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$program"; then
        warn "pid $pid of $file no longer runs the $what: left alone."
    else
        say "Stopping the $what (pid $pid)"
        stop_group "$pid"
    fi
    rm -f "$file"
}

if [ "${1:-}" = --stop ]; then
    # Only the virtualenv is needed here: no Odoo, no database.
    stop_pidfile "$JOBS_PIDFILE" "demo job process" "$VENV/bin/odoo-server"
    stop_pidfile "$SERVER_PIDFILE" "demo server" "$VENV/bin/odoo-server"
    stop_pidfile "$PARTNER_PIDFILE" "demo partner" "setup/demo_partner.py"
    exit 0
fi

find_odoo yes
make_venv
install_queue_job
ensure_db_role
ADDONS=$(addons_path without-tests)

for file in "$SERVER_PIDFILE" "$JOBS_PIDFILE" "$PARTNER_PIDFILE"; do
    if [ -f "$file" ] && kill -0 "$(cat "$file")" 2>/dev/null; then
        die "a detached demo still runs (pid $(cat "$file") in $file): stop it first \
with setup/demo.sh --stop."
    fi
    rm -f "$file"
done

port_free() {
    "$PY" - "$1" <<'PYEOF'
import socket, sys
with socket.socket() as s:
    # As the partner's server does: a socket left in TIME_WAIT is no obstacle.
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind(("127.0.0.1", int(sys.argv[1])))
    except OSError:
        sys.exit(1)
PYEOF
}

# Another server on the port would answer the health checks in place of ours.
port_free "$PORT" || die "port $PORT is already in use: stop what listens there, \
or set MFG_HTTP_PORT to a free port."
if [ -n "${MFG_DEMO_JOB_PORT:-}" ]; then
    port_free "$MFG_DEMO_JOB_PORT" || die "port $MFG_DEMO_JOB_PORT (MFG_DEMO_JOB_PORT) \
is already in use."
fi

say "Creating a fresh demo database $DB"
if psql -d postgres -v db="$DB" -Atq <<<"select 1 from pg_database where datname = :'db'" |
    grep -q 1; then
    dropdb "$DB" || die "cannot drop the old demo database $DB: stop the server using it."
fi
run_odoo -d "$DB" --addons-path="$ADDONS" -i "$SUITE_NAME" --stop-after-init \
    --log-level=warn || die "installing $SUITE_NAME into $DB failed (see above)."

DETACH=no
[ "${1:-}" = --detach ] && DETACH=yes
PARTNER=""
API_PID=""
JOB_PID=""
TAIL=""
STARTED=no
# Whatever ends this script stops what it started, except a detached demo
# that came up: --stop stops that one.
stop_demo() {
    [ -z "$TAIL" ] || kill "$TAIL" 2>/dev/null || true
    [ $STARTED = no ] || return 0
    stop_scaleout
    [ -z "$PARTNER" ] || stop_group "$PARTNER"
    PARTNER=""
    rm -f "$SERVER_PIDFILE" "$JOBS_PIDFILE" "$PARTNER_PIDFILE"
}
trap stop_demo EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The demo partner receives what the demo connector sends (see README.rst).
if port_free "$PARTNER_PORT"; then
    start_group "$VENV/demo-partner.log" "$PY" "$REPO/setup/demo_partner.py" \
        --port "$PARTNER_PORT"
    PARTNER=$STARTED_PID
    [ $DETACH = no ] || echo "$PARTNER" >"$PARTNER_PIDFILE"
    say "Demo partner receiving outbound events on port $PARTNER_PORT (pid $PARTNER, \
log $VENV/demo-partner.log)"
else
    warn "port $PARTNER_PORT is already in use: the demo partner is NOT started. \
Whatever listens there gets the demo connector's events; stop it, or set \
MFG_DEMO_PARTNER_PORT to a free port and change the URL of the connector \
'Demo MES (outbound)' to match."
fi

# Each run's logs from their start: the foreground shows them whole.
: >"$VENV/demo-api.log"
: >"$VENV/demo-jobs.log"
# start_scaleout takes the ports from these (a free one for the job process
# unless set); it waits until both processes answer, or fails.
SCALEOUT_API_PORT=$PORT SCALEOUT_JOB_PORT=${MFG_DEMO_JOB_PORT:-} \
    start_scaleout "$VENV/demo" "$API_WORKERS" 2 2 -d "$DB" --addons-path="$ADDONS"
if [ $DETACH = yes ]; then
    echo "$API_PID" >"$SERVER_PIDFILE"
    echo "$JOB_PID" >"$JOBS_PIDFILE"
fi
say "Demo ready: http://127.0.0.1:$PORT (login admin, password admin)"
say "API: http://127.0.0.1:$PORT/integration/v1/health  (demo tokens in README.rst)"
say "Job process (queue_job runner) on port $JOB_PORT"
if [ $DETACH = yes ]; then
    STARTED=yes
    say "Running in the background (pids $API_PID and $JOB_PID; logs $VENV/demo-api.log \
and $VENV/demo-jobs.log); stop it and the demo partner with: setup/demo.sh --stop"
    exit 0
fi
say "Logs of both processes follow; Ctrl-C stops the demo."
# Until Ctrl-C, or until a process stops: then the other is stopped too.
tail -n +1 -f "$VENV/demo-api.log" "$VENV/demo-jobs.log" &
TAIL=$!
while kill -0 "$API_PID" 2>/dev/null && kill -0 "$JOB_PID" 2>/dev/null; do
    sleep 1
done
die "a demo process stopped (see $VENV/demo-api.log and $VENV/demo-jobs.log)."
