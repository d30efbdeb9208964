#!/usr/bin/env bash
# Fuzzing of the inbound API with schemathesis (see README.rst, "Tests").
#   setup/fuzz.sh [--short] [extra arguments of "schemathesis run"]
# Creates a fresh database mfg_fuzz with the suite and the test addon (its
# event types and its signed route), starts Odoo on a free port, creates an
# integration client with credentials, installs schemathesis from PyPI into a
# virtualenv of its own, and runs it against /integration/v1/openapi.json over
# every operation, positive and negative data, each write request signed
# (setup/fuzz_hooks.py). It prints the requests per operation and status and
# fails when any answer is a server error (5xx) or fewer requests than
# required were made. The server and the database are removed at the end.
# --short: the fuzzing phase only, a few hundred requests (what setup/test.sh
# runs); otherwise also the examples, coverage (boundary values) and stateful
# phases.
# Settings: MFG_FUZZ_DB (default mfg_fuzz), MFG_FUZZ_EXAMPLES (test cases per
# operation and phase, default 500; 50 with --short), MFG_FUZZ_MIN_REQUESTS
# (default 5000; 200 with --short), MFG_FUZZ_SEED, MFG_FUZZ_VENV (default
# <suite virtualenv>/fuzz), MFG_FUZZ_SCHEMATHESIS (pip requirement), and the
# variables listed in setup/lib.sh.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

SHORT=no
if [ "${1:-}" = --short ]; then
    SHORT=yes
    shift
fi
DB=${MFG_FUZZ_DB:-mfg_fuzz}
PHASES=examples,coverage,fuzzing,stateful
if [ $SHORT = yes ]; then
    EXAMPLES=${MFG_FUZZ_EXAMPLES:-50}
    MIN_REQUESTS=${MFG_FUZZ_MIN_REQUESTS:-200}
    PHASES=fuzzing
else
    EXAMPLES=${MFG_FUZZ_EXAMPLES:-500}
    MIN_REQUESTS=${MFG_FUZZ_MIN_REQUESTS:-5000}
fi
SCHEMATHESIS=${MFG_FUZZ_SCHEMATHESIS:-schemathesis>=4.32,<5}

prepare_server_tools
FUZZ_VENV=${MFG_FUZZ_VENV:-$VENV/fuzz}
WORK=$(mktemp -d)
SERVER=""

# The server runs in a process group of its own (start_odoo_group): stopping
# that group stops its workers too, and no process this script did not start.
cleanup() {
    if [ -n "$SERVER" ]; then
        stop_group "$SERVER"
        wait "$SERVER" 2>/dev/null || true
    fi
    dropdb --if-exists --force "$DB" || true
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say "Installing schemathesis into its own virtualenv $FUZZ_VENV"
if [ ! -x "$FUZZ_VENV/bin/python" ]; then
    "$BASE_PYTHON" -m venv "$FUZZ_VENV" ||
        die "could not create a virtualenv (Debian/Ubuntu: apt-get install python3-venv)."
fi
"$FUZZ_VENV/bin/python" -m pip install -q --upgrade pip >/dev/null
"$FUZZ_VENV/bin/python" -m pip install -q "$SCHEMATHESIS" ||
    die "pip could not install $SCHEMATHESIS."

dropdb --if-exists --force "$DB"
say "Creating the fuzzing database $DB"
run_odoo -d "$DB" --addons-path="$ADDONS" -i "$SUITE_NAME,test_integration_log" \
    --without-demo=all --stop-after-init --log-level=warn

PORT=$(free_port)
URL="http://127.0.0.1:$PORT"
SERVER_LOG=$VENV/fuzz-server.log
: >"$SERVER_LOG"
say "Starting Odoo with 2 workers on port $PORT (log: $SERVER_LOG)"
start_odoo_group "$SERVER_LOG" -d "$DB" --addons-path="$ADDONS" \
    --http-interface=127.0.0.1 --http-port="$PORT" --gevent-port="$(free_port)" \
    --workers=2 --max-cron-threads=0 --log-level=warn
SERVER=$STARTED_PID
for _ in $(seq 60); do
    curl -fsS "$URL/integration/v1/health" >/dev/null 2>&1 && break
    kill -0 "$SERVER" 2>/dev/null || die "the fuzzing server stopped (see $SERVER_LOG)"
    sleep 1
done
curl -fsS "$URL/integration/v1/health" >/dev/null 2>&1 ||
    die "the fuzzing server did not start (see $SERVER_LOG)"

say "Creating an integration client"
"$PY" - "$URL" "$DB" "$REPO/setup" >"$WORK/credentials.json" <<'PYEOF'
"""An integration client allowed every type and source, with no rate limit;
its technical user may read and write stock, so handlers run deep."""
import json
import sys
import uuid

sys.path.insert(0, sys.argv[3])
from benchmark_common import JsonRpc  # noqa: E402

rpc = JsonRpc(sys.argv[1], sys.argv[2], "admin", "admin")
groups = []
for module, name in (("stock", "group_stock_user"), ("mrp", "group_mrp_user")):
    _model, group_id = rpc.execute(
        "ir.model.data", "check_object_reference", module, name
    )
    groups.append((4, group_id))
suffix = uuid.uuid4().hex[:8]
user_id = rpc.execute(
    "res.users",
    "create",
    {"name": f"Fuzz {suffix}", "login": f"fuzz-{suffix}", "groups_id": groups},
)
values = {
    "name": f"Fuzz {suffix}",
    "user_id": user_id,
    "allowed_event_types": "*",
    "rate_limit_per_minute": 0,
}
fields = rpc.execute("integration.client", "fields_get", [], attributes=["type"])
if "allowed_sources" in fields:
    values["allowed_sources"] = "*"
if "allow_lot_trace" in fields:  # mrp_trace_sync's /lots routes
    values["allow_lot_trace"] = True
client_id = rpc.execute("integration.client", "create", values)
# No job runner serves this database on purpose: /health must not fail
# because the events the fuzzer got accepted wait for one.
for key in (
    "integration_log.health_runner_stall_seconds",
    "integration_log.health_job_delay_seconds",
    "integration_log.health_backlog_seconds",
):
    rpc.execute("ir.config_parameter", "set_param", key, "86400")
print(json.dumps(rpc.execute("integration.client", "issue_credentials", [client_id])))
PYEOF
TOKEN=$("$PY" -c 'import json, sys; print(json.load(sys.stdin)["token"])' <"$WORK/credentials.json")
SECRET=$("$PY" -c 'import json, sys; print(json.load(sys.stdin)["signing_secret"])' <"$WORK/credentials.json")

curl -fsS -H "Authorization: Bearer $TOKEN" "$URL/integration/v1/openapi.json" \
    >"$WORK/openapi.json" || die "GET /integration/v1/openapi.json failed."

SEED_ARGS=()
[ -z "${MFG_FUZZ_SEED:-}" ] || SEED_ARGS=(--seed "$MFG_FUZZ_SEED")
say "Fuzzing: schemathesis, $EXAMPLES test cases per operation and phase"
set +e
# From the temporary folder: schemathesis' example database stays there.
(
    cd "$WORK" &&
        MFG_FUZZ_TOKEN=$TOKEN MFG_FUZZ_SECRET=$SECRET MFG_FUZZ_STATS=$WORK/stats.json \
            SCHEMATHESIS_HOOKS=$REPO/setup/fuzz_hooks.py \
            "$FUZZ_VENV/bin/schemathesis" run "$WORK/openapi.json" --url "$URL" \
            --checks not_a_server_error --mode all --phases "$PHASES" \
            --max-examples "$EXAMPLES" \
            --workers 2 --request-timeout 120 --generation-database none \
            --no-color "${SEED_ARGS[@]}" "$@"
)
st_rc=$?
set -e
[ -f "$WORK/stats.json" ] || die "schemathesis stopped before it counted any request (exit $st_rc)."

"$PY" - "$WORK/stats.json" "$WORK/openapi.json" "$MIN_REQUESTS" "$SERVER_LOG" <<'PYEOF'
"""Print the figures; exit 1 on a server error, a missed operation or too
few requests."""
import json
import sys
from collections import Counter

stats = json.load(open(sys.argv[1], encoding="utf-8"))
document = json.load(open(sys.argv[2], encoding="utf-8"))
minimum = int(sys.argv[3])
operations = {
    f"{method.upper()} {path}"
    for path, item in document["paths"].items()
    for method in item
}
total, classes, server_errors = 0, Counter(), 0
print(f"{'operation':<45} {'requests':>8}  statuses")
for label, statuses in stats["operations"].items():
    count = sum(statuses.values())
    total += count
    for status, n in statuses.items():
        classes[f"{status[0]}xx"] += n
        if status.startswith("5"):
            server_errors += n
    shown = ", ".join(f"{s}: {n}" for s, n in statuses.items())
    print(f"{label:<45} {count:>8}  {shown}")
with open(sys.argv[4], encoding="utf-8", errors="replace") as log:
    tracebacks = sum("Traceback (most recent call last)" in line for line in log)
missed = sorted(operations - set(stats["operations"]))
print(f"requests: {total}; " + ", ".join(f"{c}: {n}" for c, n in sorted(classes.items())))
print(f"operations: {len(operations) - len(missed)} of {len(operations)} fuzzed")
print(f"server errors (5xx): {server_errors}; tracebacks in the server log: {tracebacks}")
for sample in stats["server_errors"]:
    print(json.dumps(sample, indent=2))
failed = False
if server_errors:
    print("FAILED: the API answered with server errors.")
    failed = True
if missed:
    print("FAILED: operations never called: " + ", ".join(missed))
    failed = True
if total < minimum:
    print(f"FAILED: {total} requests, fewer than the {minimum} required.")
    failed = True
sys.exit(1 if failed else 0)
PYEOF
