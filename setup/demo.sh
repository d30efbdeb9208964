#!/usr/bin/env bash
# Brings up the demo: Odoo 18.0 with the suite and its demo data in a fresh
# database, served on http://127.0.0.1:8069; the demo plant's MES, QMS and PLM
# (the simulators of setup/partner_kit), which receive Odoo's outbound events
# and answer through the API; and the story of the plant's day
# (setup/demo_story.py), which its people play in Odoo once the servers
# answer: supplier lots received and released by the QMS, orders made by the
# MES, a delivery refused by the release gate then shipped, a recall. Odoo
# runs as the scale-out deployment (start_scaleout in setup/lib.sh): the API
# and web process on the documented port (no job runner, no cron), and a job
# process on another port, whose queue_job runner (capacity 2) applies the
# inbound events and sends the outbound ones.
#   setup/demo.sh            run in the foreground (the story, the plant's log
#                            and the servers' warnings are shown); Ctrl-C stops
#                            it all
#   setup/demo.sh --detach   run them in the background (logs in the virtualenv:
#                            demo-story.log, demo-plant.log, demo-api.log and
#                            demo-jobs.log; pid files demo.pid, demo-jobs.pid,
#                            demo-plant.pid and demo-story.pid)
#   setup/demo.sh --stop     stop what --detach started, by those pid files
# Settings: MFG_DEMO_DB (default mfg_demo), MFG_HTTP_PORT (default 8069),
# MFG_DEMO_JOB_PORT (the job process; default a free port),
# MFG_DEMO_API_WORKERS (default 0: one threaded process, which also serves the
# web client's live updates; with HTTP workers these need a proxy that sends
# /websocket to the gevent port), MFG_DEMO_SEED (the simulators' random draws;
# default 51), MFG_DEMO_STORY=0 (no story: the plant only answers what is done
# by hand), and the variables listed in setup/lib.sh. The simulators listen on
# ports 8099 (MES), 8098 (QMS) and 8097 (PLM), the demo connectors' addresses.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

DB=${MFG_DEMO_DB:-mfg_demo}
PORT=${MFG_HTTP_PORT:-8069}
API_WORKERS=${MFG_DEMO_API_WORKERS:-0}
SEED=${MFG_DEMO_SEED:-51}
SERVER_PIDFILE=$VENV/demo.pid
JOBS_PIDFILE=$VENV/demo-jobs.pid
PLANT_PIDFILE=$VENV/demo-plant.pid
STORY_PIDFILE=$VENV/demo-story.pid
# The demo connectors' addresses (demo/integration_connector_demo.xml and
# integration_log's demo connector).
MES_PORT=8099
QMS_PORT=8098
PLM_PORT=8097
# The simulators' pace: a minute or two for the whole story.
MES_DELAY=2
INSPECTION_DELAY=8

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
    # Only the virtualenv is needed here: no Odoo, no database. The plant
    # stops before Odoo, so that it sends what it still holds.
    stop_pidfile "$STORY_PIDFILE" "demo story" "setup/demo_story.py"
    stop_pidfile "$PLANT_PIDFILE" "demo plant" "setup/partner-kit"
    stop_pidfile "$JOBS_PIDFILE" "demo job process" "$VENV/bin/odoo-server"
    stop_pidfile "$SERVER_PIDFILE" "demo server" "$VENV/bin/odoo-server"
    # The demo partner that the plant replaced, still running from an older demo.
    if [ -f "$VENV/demo-partner.pid" ]; then
        stop_pidfile "$VENV/demo-partner.pid" "old demo partner" "setup/demo_partner.py"
    fi
    exit 0
fi

find_odoo yes
make_venv
install_queue_job
ensure_db_role
ADDONS=$(addons_path without-tests)

for file in "$SERVER_PIDFILE" "$JOBS_PIDFILE" "$PLANT_PIDFILE" "$STORY_PIDFILE"; do
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
    # As the simulators' servers do: a socket left in TIME_WAIT is no obstacle.
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
PLANT=""
STORY=""
API_PID=""
JOB_PID=""
TAIL=""
STARTED=no
# Whatever ends this script stops what it started, except a detached demo
# that came up: --stop stops that one.
stop_demo() {
    [ -z "$TAIL" ] || kill "$TAIL" 2>/dev/null || true
    [ $STARTED = no ] || return 0
    [ -z "$STORY" ] || stop_group "$STORY"
    [ -z "$PLANT" ] || stop_group "$PLANT"
    stop_scaleout
    STORY=""
    PLANT=""
    rm -f "$SERVER_PIDFILE" "$JOBS_PIDFILE" "$PLANT_PIDFILE" "$STORY_PIDFILE"
}
trap stop_demo EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Each run's logs from their start: the foreground shows them whole.
for log in demo-api demo-jobs demo-plant demo-story; do
    : >"$VENV/$log.log"
done

# The plant receives what the demo connectors send (see README.rst); it
# starts before Odoo and keeps what it sends until Odoo answers. Its buffers
# belong to the database just dropped: they start empty.
busy=""
for port in $MES_PORT $QMS_PORT $PLM_PORT; do
    port_free "$port" || busy="$busy $port"
done
if [ -z "$busy" ]; then
    rm -rf "$VENV/demo-plant-state"
    start_group "$VENV/demo-plant.log" "$PY" "$REPO/setup/partner-kit" simulate \
        --odoo "http://127.0.0.1:$PORT" --state-dir "$VENV/demo-plant-state" \
        --mes-port "$MES_PORT" --qms-port "$QMS_PORT" --plm-port "$PLM_PORT" \
        --serial-products IP-300 --plm-scenario "$REPO/setup/demo_plm_scenario.json" \
        --mes-delay "$MES_DELAY" --inspection-delay "$INSPECTION_DELAY" --seed "$SEED"
    PLANT=$STARTED_PID
    [ $DETACH = no ] || echo "$PLANT" >"$PLANT_PIDFILE"
    say "Demo plant (MES, QMS, PLM) on ports $MES_PORT, $QMS_PORT and $PLM_PORT \
(pid $PLANT, log $VENV/demo-plant.log)"
else
    warn "port(s)$busy already in use: the demo plant (MES, QMS, PLM) and the story \
are NOT started. Whatever listens there gets the demo connectors' events; stop it \
and run setup/demo.sh again."
fi

# start_scaleout takes the ports from these (a free one for the job process
# unless set); it waits until both processes answer, or fails. Request lines
# are left out of the logs: they would bury the story's.
SCALEOUT_API_PORT=$PORT SCALEOUT_JOB_PORT=${MFG_DEMO_JOB_PORT:-} \
    start_scaleout "$VENV/demo" "$API_WORKERS" 2 2 -d "$DB" --addons-path="$ADDONS" \
    --log-handler=werkzeug:WARNING
if [ $DETACH = yes ]; then
    echo "$API_PID" >"$SERVER_PIDFILE"
    echo "$JOB_PID" >"$JOBS_PIDFILE"
fi
say "Demo ready: http://127.0.0.1:$PORT (login admin, password admin)"
say "API: http://127.0.0.1:$PORT/integration/v1/health  (demo tokens in README.rst)"
say "Job process (queue_job runner) on port $JOB_PORT"

if [ -n "$PLANT" ] && [ "${MFG_DEMO_STORY:-1}" != 0 ]; then
    start_group "$VENV/demo-story.log" "$PY" "$REPO/setup/demo_story.py" \
        --url "http://127.0.0.1:$PORT" --db "$DB"
    STORY=$STARTED_PID
    [ $DETACH = no ] || echo "$STORY" >"$STORY_PIDFILE"
    say "The plant's day is played in Odoo (pid $STORY, log $VENV/demo-story.log)"
fi
if [ $DETACH = yes ]; then
    STARTED=yes
    say "Running in the background (logs $VENV/demo-story.log, $VENV/demo-plant.log, \
$VENV/demo-api.log and $VENV/demo-jobs.log); stop it all with: setup/demo.sh --stop"
    exit 0
fi
say "The story, the plant's log and the servers' warnings follow; Ctrl-C stops the \
demo (the servers' whole logs: $VENV/demo-api.log and $VENV/demo-jobs.log)."
# The servers' INFO lines (every job run) would bury the story: they are left
# out here, not from the logs. tail ends with this script.
tail -n +1 -f --pid=$$ "$VENV/demo-story.log" "$VENV/demo-plant.log" \
    "$VENV/demo-api.log" "$VENV/demo-jobs.log" | awk '
    /^==> .* <==$/ { server = /demo-(api|jobs)[.]log <==$/; next }
    /^$/ || (server && / INFO /) { next }
    { print; fflush() }' &
TAIL=$!
# Until Ctrl-C, or until a server stops: then everything else is stopped too.
while kill -0 "$API_PID" 2>/dev/null && kill -0 "$JOB_PID" 2>/dev/null; do
    sleep 1
done
die "a demo process stopped (see $VENV/demo-api.log and $VENV/demo-jobs.log)."
