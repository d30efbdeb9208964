#!/usr/bin/env bash
# Fault-injection run of the suite, under faults and load:
#   setup/fault_injection.sh [--short] [--events N] [--kills N] [other options
#                            of setup/fault_injection.py]
# Creates a fresh database (MFG_FAULTS_DB, default mfg_faults) with the suite
# and the test addon, starts the scale-out deployment (setup/lib.sh,
# start_scaleout: an API process with 2 HTTP workers and a job process with
# queue_job's runner at capacity 2 and 2 workers), and runs
# setup/fault_injection.py against it: 10,000 inbound events (--short: 1,000)
# and their outbound deliveries to three misbehaving loopback receivers,
# while Odoo's workers are killed with SIGKILL (--kills, default 5; short: 2)
# and Odoo's database connections are cut once. It prints a summary and
# exits 1 when anything was lost, applied twice, left stuck or looping.
# At the end it stops the two Odoo processes it started (their process
# groups) and drops the database (kept with MFG_KEEP_FAULTS_DB=1).
# Logs: <venv>/faults-api.log and <venv>/faults-jobs.log (MFG_VENV, default
# .venv).
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

DB=${MFG_FAULTS_DB:-mfg_faults}
API_WORKERS=2
JOB_WORKERS=2
CAPACITY=2
prepare_server_tools
API_PID=""
JOB_PID=""

cleanup() {
    stop_scaleout
    if [ "${MFG_KEEP_FAULTS_DB:-}" = 1 ]; then
        say "Database $DB kept (MFG_KEEP_FAULTS_DB=1)"
    else
        dropdb --if-exists --force "$DB" || true
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

dropdb --if-exists --force "$DB"
say "Creating the database $DB (suite and test addon)"
run_odoo -d "$DB" --addons-path="$ADDONS" -i "$SUITE_NAME,test_integration_log" \
    --without-demo=all --stop-after-init --log-level=warn ||
    die "installing the suite into the database $DB failed (see above)."

LOGS=$VENV/faults
rm -f "$LOGS-api.log" "$LOGS-jobs.log"
start_scaleout "$LOGS" "$API_WORKERS" "$JOB_WORKERS" "$CAPACITY" \
    -d "$DB" --addons-path="$ADDONS" --log-level=warn

say "Running setup/fault_injection.py $*"
status=0
"$PY" "$REPO/setup/fault_injection.py" --url "http://127.0.0.1:$API_PORT" --db "$DB" \
    --api-pid "$API_PID" --job-pid "$JOB_PID" --capacity "$CAPACITY" \
    --log "$LOGS-api.log" --log "$LOGS-jobs.log" "$@" || status=$?
stop_scaleout
exit "$status"
