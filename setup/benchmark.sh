#!/usr/bin/env bash
# Benchmark of the inbound API on this machine (see README.rst, "Benchmarks").
# Creates a database mfg_bench with the suite and the test addon (its event
# type is the one sent), starts Odoo with 2 HTTP workers on a free port
# (without the job runner, to measure acceptance alone), runs
# setup/benchmark_inbound.py, then stops the server and drops the database.
# Extra arguments go to benchmark_inbound.py (e.g. --batches 80).
source "$(dirname "$0")/lib.sh"

DB=${MFG_BENCH_DB:-mfg_bench}
find_odoo no
[ "$ODOO_MODE" != none ] || die "no Odoo 18.0 found: run setup/demo.sh first or set ODOO_SRC."
make_venv
install_queue_job
ensure_db_role
ADDONS=$(addons_path with-tests)
PORT=$(free_port)

dropdb --if-exists "$DB"
say "Creating the benchmark database $DB"
run_odoo -d "$DB" --addons-path="$ADDONS" -i "$SUITE_NAME,test_integration_log" \
    --without-demo=all --stop-after-init --log-level=warn

say "Starting Odoo with 2 workers on port $PORT"
run_odoo -d "$DB" --db-filter="^${DB}\$" --addons-path="$ADDONS" \
    --http-interface=127.0.0.1 --http-port="$PORT" --gevent-port="$(free_port)" \
    --workers=2 --max-cron-threads=0 \
    --log-level=warn --logfile="$VENV/benchmark-server.log" &
SERVER=$!
stop_server() {
    kill "$SERVER" 2>/dev/null || true
    for _ in $(seq 20); do kill -0 "$SERVER" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$SERVER" 2>/dev/null || true
    wait "$SERVER" 2>/dev/null || true
    pkill -9 -f -- "-d $DB " 2>/dev/null || true
    dropdb --if-exists --force "$DB" || true
}
trap stop_server EXIT
for _ in $(seq 60); do
    curl -fsS "http://127.0.0.1:$PORT/integration/v1/health" >/dev/null 2>&1 && break
    sleep 1
done

"$PY" "$REPO/setup/benchmark_inbound.py" --url "http://127.0.0.1:$PORT" --db "$DB" "$@"
