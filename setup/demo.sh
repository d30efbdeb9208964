#!/usr/bin/env bash
# Brings up the demo: Odoo 18.0 with the suite and its demo data in a fresh
# database, served on http://127.0.0.1:8069 with the queue_job runner.
#   setup/demo.sh            run the server in the foreground (Ctrl-C stops it)
#   setup/demo.sh --detach   run it in the background (log: .venv/demo.log)
# Settings: MFG_DEMO_DB (default mfg_demo), MFG_HTTP_PORT (default 8069), and
# the variables listed in setup/lib.sh.
source "$(dirname "$0")/lib.sh"

DB=${MFG_DEMO_DB:-mfg_demo}
PORT=${MFG_HTTP_PORT:-8069}

find_odoo yes
make_venv
install_queue_job
ensure_db_role
ADDONS=$(addons_path)

say "Creating a fresh demo database $DB"
if psql -d postgres -Atqc "select 1 from pg_database where datname = '$DB'" | grep -q 1; then
    dropdb "$DB" || die "cannot drop the old demo database $DB: stop the server using it."
fi
run_odoo -d "$DB" --addons-path="$ADDONS" -i "$SUITE_NAME" --stop-after-init \
    --log-level=warn || die "installing $SUITE_NAME into $DB failed (see above)."

SERVER=(-d "$DB" --addons-path="$ADDONS"
    --http-interface=127.0.0.1 --http-port="$PORT" --load=base,web,queue_job
    --workers=0)
export ODOO_QUEUE_JOB_CHANNELS=${ODOO_QUEUE_JOB_CHANNELS:-root:2}

# The demo partner receives what the demo connector sends (see README.rst).
PARTNER_PORT=${MFG_DEMO_PARTNER_PORT:-8099}
if ! curl -s -o /dev/null "http://127.0.0.1:$PARTNER_PORT/" 2>/dev/null; then
    "$PY" "$REPO/setup/demo_partner.py" --port "$PARTNER_PORT" >"$VENV/demo-partner.log" 2>&1 &
    say "Demo partner receiving outbound events on port $PARTNER_PORT (log $VENV/demo-partner.log)"
fi

say "Demo ready: http://127.0.0.1:$PORT (login admin, password admin)"
say "API: http://127.0.0.1:$PORT/integration/v1/health  (demo tokens in README.rst)"
if [ "${1:-}" = --detach ]; then
    run_odoo "${SERVER[@]}" --logfile="$VENV/demo.log" &
    echo $! >"$VENV/demo.pid"
    for _ in $(seq 60); do
        if curl -fsS "http://127.0.0.1:$PORT/integration/v1/health" >/dev/null 2>&1; then
            say "Server running in the background (pid $(cat "$VENV/demo.pid"), log $VENV/demo.log)"
            exit 0
        fi
        sleep 1
    done
    die "the server did not answer on port $PORT within 60 s; see $VENV/demo.log."
fi
run_odoo "${SERVER[@]}"
