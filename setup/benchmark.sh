#!/usr/bin/env bash
# Benchmarks of the suite on this machine (see README.rst, "Benchmarks").
#   setup/benchmark.sh [inbound|completions|outbound|genealogy|bom|all] [--quick] [extra arguments of the script]
# At the end, one table of the headline figures of every benchmark run: each
# with the yardstick measured in the same run, their ratio and the goal of
# README.rst (setup/benchmark_table.py); also written as Markdown and
# reStructuredText to <venv>/benchmark-table.md and benchmark-table.rst.
# --quick (or MFG_BENCH_QUICK=1): every benchmark at small sizes, to check
# that the whole command works in minutes; its figures are not the goals'.
# For each benchmark: creates a fresh database mfg_bench with the suite and the
# test addon (its event types and benchmark helpers), starts Odoo on free
# ports, runs the benchmark script, and stops the servers; the database is
# dropped at the end.
# - inbound: first on the scale-out deployment (an API process with
#   MFG_BENCH_API_WORKERS HTTP workers, default 2, no runner; a job process
#   whose queue_job runner, at capacity MFG_BENCH_CAPACITY, default 2, calls
#   its MFG_BENCH_JOB_WORKERS workers, default 2): events applied per second
#   and latency under a backlog; then one server with 2 HTTP workers and no
#   job runner (acceptance alone, duplicates race); setup/benchmark_inbound.py.
# - completions: on the scale-out deployment, manufacturing orders completed
#   through signed MES events against Odoo's own JSON-RPC;
#   setup/benchmark_completions.py.
# - outbound: 4 HTTP workers and the queue_job runner at capacity 2;
#   setup/benchmark_outbound.py.
# - genealogy: a 1,000,000-move-line plant history, then our trace API
#   against Odoo's traceability report fully unfolded;
#   setup/benchmark_genealogy.py.
# - bom: on the scale-out deployment, a 5,000-line BOM release imported as XML
#   and as a CloudEvent, end to end; setup/benchmark_bom.py.
# Server logs: <venv>/benchmark-server.log, benchmark-api.log, benchmark-jobs.log.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

case ${MFG_BENCH_QUICK:-0} in
0 | "") QUICK=0 ;;
*) QUICK=1 ;;
esac
ARGS=()
for arg in "$@"; do
    if [ "$arg" = --quick ]; then QUICK=1; else ARGS+=("$arg"); fi
done
set -- "${ARGS[@]}"
WHICH=${1:-all}
case "$WHICH" in
inbound | completions | outbound | genealogy | bom | all) [ $# -gt 0 ] && shift ;;
*) WHICH=all ;;
esac
case "$WHICH:$#" in
all:0 | inbound:* | completions:* | outbound:* | genealogy:* | bom:*) ;;
*) die "extra arguments go to one benchmark: name it (inbound, completions, outbound, genealogy or bom)." ;;
esac
DB=${MFG_BENCH_DB:-mfg_bench}
API_WORKERS=${MFG_BENCH_API_WORKERS:-2}
JOB_WORKERS=${MFG_BENCH_JOB_WORKERS:-2}
CAPACITY=${MFG_BENCH_CAPACITY:-2}
prepare_server_tools
SERVER=""
API_PID=""
JOB_PID=""
LOGS=$VENV/benchmark
: >"$LOGS-server.log"
: >"$LOGS-api.log"
: >"$LOGS-jobs.log"
SUMMARY=$VENV/benchmark-summary.jsonl
: >"$SUMMARY"
MODE=""
[ "$QUICK" = 0 ] || MODE=", quick mode"
LOAD=$("$PY" -c 'import os; print(", ".join(f"{v:.2f}" for v in os.getloadavg()))')
TABLE_TITLE="Benchmarks of $(date -u '+%Y-%m-%d %H:%M UTC')$MODE; load average at the start: $LOAD"
BENCH_STARTED=$SECONDS
# Quick mode: each script's sizes, small; extra arguments still come after.
if [ "$QUICK" = 1 ]; then
    QUICK_INBOUND=(--events 2000 --singles 40 --rpc-creates 100 --race-pairs 10)
    QUICK_COMPLETIONS=(--orders 50 --batch-size 25 --warmup 2)
    QUICK_OUTBOUND=(--noop-jobs 100 --realtime-events 500 --batch-events 2000)
    QUICK_GENEALOGY=(--trees 8 --repeat 10) # 20,400 move lines
    QUICK_BOM=(--lines 1500)                # over one chunk of 1,000 lines
else
    QUICK_INBOUND=() QUICK_COMPLETIONS=() QUICK_OUTBOUND=() QUICK_GENEALOGY=()
    QUICK_BOM=()
fi
SCALEOUT="scale-out on one database: API process $API_WORKERS HTTP workers, \
no job runner, no cron; job process: queue_job runner at capacity $CAPACITY, \
$JOB_WORKERS HTTP workers, 1 cron thread"

# Each server runs in a process group of its own (start_odoo_group):
# stopping that group stops its workers too, and no process this script did
# not start.
stop_server() {
    [ -n "$SERVER" ] || return 0
    stop_group "$SERVER"
    wait "$SERVER" 2>/dev/null || true
    SERVER=""
}
stop_servers() {
    stop_server
    local pids="$API_PID $JOB_PID"
    stop_scaleout
    # shellcheck disable=SC2086 # two pids, or none
    [ -z "${pids// /}" ] || wait $pids 2>/dev/null || true
}
cleanup() {
    stop_servers
    dropdb --if-exists --force "$DB" || true
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start_server WORKERS [odoo options...]: one server; sets PORT and SERVER.
start_server() {
    local workers=$1
    shift
    PORT=$(free_port)
    say "Starting Odoo with $workers workers on port $PORT $*"
    start_odoo_group "$LOGS-server.log" -d "$DB" --addons-path="$ADDONS" \
        --http-interface=127.0.0.1 --http-port="$PORT" --gevent-port="$(free_port)" \
        --workers="$workers" --max-cron-threads=0 --log-level=warn "$@"
    SERVER=$STARTED_PID
    wait_http "$PORT" "$SERVER" "$LOGS-server.log"
}

# The scale-out deployment (setup/lib.sh); sets API_PORT.
start_deployment() {
    start_scaleout "$LOGS" "$API_WORKERS" "$JOB_WORKERS" "$CAPACITY" \
        -d "$DB" --addons-path="$ADDONS" --log-level=warn
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

# The table of the figures recorded so far.
print_table() {
    local quick=()
    [ "$QUICK" = 0 ] || quick=(--quick)
    echo
    "$PY" "$REPO/setup/benchmark_table.py" "$SUMMARY" --title "$TABLE_TITLE" \
        "${quick[@]}" --markdown "$VENV/benchmark-table.md" --rst "$VENV/benchmark-table.rst"
}

# bench NAME LOGS SCRIPT ARGS...: runs a benchmark script, whose headline
# figures go to the summary; on failure, prints the table of the benchmarks
# done and says where the servers' logs are.
bench() {
    local name=$1 logs=$2 started=$SECONDS
    shift 2
    if ! "$PY" "$@" --summary "$SUMMARY"; then
        print_table || true
        die "the $name benchmark failed (see above; server logs: $logs)"
    fi
    say "The $name benchmark took $((SECONDS - started)) s"
}

if [ "$WHICH" = all ] || [ "$WHICH" = inbound ]; then
    create_db
    start_deployment
    bench "inbound (applied)" "$LOGS-api.log, $LOGS-jobs.log" \
        "$REPO/setup/benchmark_inbound.py" --mode applied \
        --url "http://127.0.0.1:$API_PORT" --db "$DB" --deployment "$SCALEOUT" \
        "${QUICK_INBOUND[@]}" "$@"
    stop_servers
    # The same database: no runner serves it any more, and the events left
    # unprocessed by this part are dropped with it.
    start_server 2
    bench "inbound (acceptance)" "$LOGS-server.log" \
        "$REPO/setup/benchmark_inbound.py" --mode acceptance \
        --url "http://127.0.0.1:$PORT" --db "$DB" \
        --deployment "one process: 2 HTTP workers, no job runner, no cron" \
        "${QUICK_INBOUND[@]}" "$@"
    stop_server
fi
if [ "$WHICH" = all ] || [ "$WHICH" = completions ]; then
    create_db
    start_deployment
    bench completions "$LOGS-api.log, $LOGS-jobs.log" \
        "$REPO/setup/benchmark_completions.py" \
        --url "http://127.0.0.1:$API_PORT" --db "$DB" --deployment "$SCALEOUT" \
        "${QUICK_COMPLETIONS[@]}" "$@"
    stop_servers
fi
if [ "$WHICH" = all ] || [ "$WHICH" = outbound ]; then
    create_db
    RUNNER_CONF=$VENV/benchmark-runner.conf
    printf '[options]\n\n[queue_job]\nchannels = root:2\n' >"$RUNNER_CONF"
    ODOO_QUEUE_JOB_CHANNELS=root:2 start_server 4 -c "$RUNNER_CONF" --load=base,web,queue_job
    bench outbound "$LOGS-server.log" "$REPO/setup/benchmark_outbound.py" \
        --url "http://127.0.0.1:$PORT" --db "$DB" \
        --deployment "one process: 4 HTTP workers, queue_job runner at capacity 2" \
        "${QUICK_OUTBOUND[@]}" "$@"
    stop_server
fi
if [ "$WHICH" = all ] || [ "$WHICH" = genealogy ]; then
    create_db
    start_server 2
    bench genealogy "$LOGS-server.log" "$REPO/setup/benchmark_genealogy.py" \
        --url "http://127.0.0.1:$PORT" --db "$DB" "${QUICK_GENEALOGY[@]}" "$@"
    stop_server
fi
if [ "$WHICH" = all ] || [ "$WHICH" = bom ]; then
    create_db
    start_deployment
    bench bom "$LOGS-api.log, $LOGS-jobs.log" "$REPO/setup/benchmark_bom.py" \
        --url "http://127.0.0.1:$API_PORT" --db "$DB" --deployment "$SCALEOUT" \
        "${QUICK_BOM[@]}" "$@"
    stop_servers
fi
say "The benchmarks took $((SECONDS - BENCH_STARTED)) s"
print_table
