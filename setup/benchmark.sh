#!/usr/bin/env bash
# Benchmarks of the suite on this machine (see README.rst, "Benchmarks").
#   setup/benchmark.sh [inbound|outbound|genealogy|all] [extra arguments of the script]
# For each benchmark: creates a fresh database mfg_bench with the suite and the
# test addon (its event types and benchmark helpers), starts Odoo on a free
# port, runs the benchmark script, and stops the server; the database is
# dropped at the end.
# - inbound: 2 HTTP workers, no job runner (measures acceptance alone);
#   setup/benchmark_inbound.py.
# - outbound: 4 HTTP workers and the queue_job runner at capacity 2;
#   setup/benchmark_outbound.py.
# - genealogy: a 1,000,000-move-line plant history, then our trace API
#   against Odoo's traceability report fully unfolded;
#   setup/benchmark_genealogy.py.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

WHICH=${1:-all}
case "$WHICH" in
inbound | outbound | genealogy | all) [ $# -gt 0 ] && shift ;;
*) WHICH=all ;;
esac
case "$WHICH:$#" in
all:0 | inbound:* | outbound:* | genealogy:*) ;;
*) die "extra arguments go to one benchmark: name it (inbound, outbound or genealogy)." ;;
esac
DB=${MFG_BENCH_DB:-mfg_bench}
prepare_server_tools
SERVER=""

# The server runs in a process group of its own (start_odoo_group): stopping
# that group stops its workers too, and no process this script did not start.
stop_server() {
    [ -n "$SERVER" ] || return 0
    stop_group "$SERVER"
    wait "$SERVER" 2>/dev/null || true
    SERVER=""
}
cleanup() {
    stop_server
    dropdb --if-exists --force "$DB" || true
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start_server WORKERS [odoo options...]: sets PORT and SERVER.
start_server() {
    local workers=$1
    shift
    PORT=$(free_port)
    say "Starting Odoo with $workers workers on port $PORT $*"
    start_odoo_group "$VENV/benchmark-server.log" -d "$DB" --addons-path="$ADDONS" \
        --http-interface=127.0.0.1 --http-port="$PORT" --gevent-port="$(free_port)" \
        --workers="$workers" --max-cron-threads=0 --log-level=warn "$@"
    SERVER=$STARTED_PID
    for _ in $(seq 60); do
        curl -fsS "http://127.0.0.1:$PORT/integration/v1/health" >/dev/null 2>&1 && return
        kill -0 "$SERVER" 2>/dev/null ||
            die "the benchmark server stopped (see $VENV/benchmark-server.log)"
        sleep 1
    done
    die "the benchmark server did not start (see $VENV/benchmark-server.log)"
}

# A fresh database per benchmark: the events accepted by the inbound one
# must not be processed by the job runner of the outbound one.
create_db() {
    dropdb --if-exists --force "$DB"
    say "Creating the benchmark database $DB"
    run_odoo -d "$DB" --addons-path="$ADDONS" -i "$SUITE_NAME,test_integration_log" \
        --without-demo=all --stop-after-init --log-level=warn ||
        die "installing the suite into the benchmark database $DB failed (see above)."
}

if [ "$WHICH" = all ] || [ "$WHICH" = inbound ]; then
    create_db
    start_server 2
    "$PY" "$REPO/setup/benchmark_inbound.py" --url "http://127.0.0.1:$PORT" --db "$DB" "$@"
    stop_server
fi
if [ "$WHICH" = all ] || [ "$WHICH" = outbound ]; then
    create_db
    RUNNER_CONF=$VENV/benchmark-runner.conf
    printf '[options]\n\n[queue_job]\nchannels = root:2\n' >"$RUNNER_CONF"
    ODOO_QUEUE_JOB_CHANNELS=root:2 start_server 4 -c "$RUNNER_CONF" --load=base,web,queue_job
    "$PY" "$REPO/setup/benchmark_outbound.py" --url "http://127.0.0.1:$PORT" --db "$DB" "$@"
    stop_server
fi
if [ "$WHICH" = all ] || [ "$WHICH" = genealogy ]; then
    create_db
    start_server 2
    "$PY" "$REPO/setup/benchmark_genealogy.py" --url "http://127.0.0.1:$PORT" --db "$DB" "$@"
    stop_server
fi
