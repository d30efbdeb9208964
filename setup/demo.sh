#!/usr/bin/env bash
# Brings up the demo: Odoo 18.0 with the suite and its demo data in a fresh
# database, served on http://127.0.0.1:8069 with the queue_job runner, and the
# demo partner (setup/demo_partner.py) that receives its outbound events.
#   setup/demo.sh            run the server in the foreground; Ctrl-C stops it,
#                            and the demo partner stops with it
#   setup/demo.sh --detach   run both in the background (logs: .venv/demo.log
#                            and .venv/demo-partner.log; pid files: .venv/demo.pid
#                            and .venv/demo-partner.pid)
#   setup/demo.sh --stop     stop what --detach started, by those pid files
# Settings: MFG_DEMO_DB (default mfg_demo), MFG_HTTP_PORT (default 8069),
# MFG_DEMO_PARTNER_PORT (default 8099: the demo connector's address), and the
# variables listed in setup/lib.sh.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

DB=${MFG_DEMO_DB:-mfg_demo}
PORT=${MFG_HTTP_PORT:-8069}
PARTNER_PORT=${MFG_DEMO_PARTNER_PORT:-8099}
SERVER_PIDFILE=$VENV/demo.pid
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
    stop_pidfile "$SERVER_PIDFILE" "demo server" "$VENV/bin/odoo-server"
    stop_pidfile "$PARTNER_PIDFILE" "demo partner" "setup/demo_partner.py"
    exit 0
fi

find_odoo yes
make_venv
install_queue_job
ensure_db_role
ADDONS=$(addons_path without-tests)

for file in "$SERVER_PIDFILE" "$PARTNER_PIDFILE"; do
    if [ -f "$file" ] && kill -0 "$(cat "$file")" 2>/dev/null; then
        die "a detached demo still runs (pid $(cat "$file") in $file): stop it first \
with setup/demo.sh --stop."
    fi
    rm -f "$file"
done

say "Creating a fresh demo database $DB"
if psql -d postgres -v db="$DB" -Atq <<<"select 1 from pg_database where datname = :'db'" |
    grep -q 1; then
    dropdb "$DB" || die "cannot drop the old demo database $DB: stop the server using it."
fi
run_odoo -d "$DB" --addons-path="$ADDONS" -i "$SUITE_NAME" --stop-after-init \
    --log-level=warn || die "installing $SUITE_NAME into $DB failed (see above)."

# shellcheck disable=SC2054 # the commas are inside --addons-path
SERVER=(-d "$DB" --addons-path="$ADDONS"
    --http-interface=127.0.0.1 --http-port="$PORT" --load=base,web,queue_job
    --workers=0)
export ODOO_QUEUE_JOB_CHANNELS=${ODOO_QUEUE_JOB_CHANNELS:-root:2}

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

DETACH=no
[ "${1:-}" = --detach ] && DETACH=yes
PARTNER=""
if [ $DETACH = no ]; then
    # In the foreground the demo partner stops with the server, however it ends.
    stop_partner() {
        [ -z "$PARTNER" ] || stop_group "$PARTNER"
        PARTNER=""
    }
    trap stop_partner EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
fi

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

say "Demo ready: http://127.0.0.1:$PORT (login admin, password admin)"
say "API: http://127.0.0.1:$PORT/integration/v1/health  (demo tokens in README.rst)"

if [ $DETACH = yes ]; then
    start_odoo_group "$VENV/demo.log" "${SERVER[@]}"
    echo "$STARTED_PID" >"$SERVER_PIDFILE"
    for _ in $(seq 60); do
        if curl -fsS "http://127.0.0.1:$PORT/integration/v1/health" >/dev/null 2>&1; then
            say "Server running in the background (pid $STARTED_PID, log $VENV/demo.log); \
stop it and the demo partner with: setup/demo.sh --stop"
            exit 0
        fi
        kill -0 "$STARTED_PID" 2>/dev/null || break
        sleep 1
    done
    stop_pidfile "$SERVER_PIDFILE" "demo server" "$VENV/bin/odoo-server"
    stop_pidfile "$PARTNER_PIDFILE" "demo partner" "setup/demo_partner.py"
    die "the server did not answer on port $PORT within 60 s; see $VENV/demo.log."
fi
run_odoo "${SERVER[@]}"
