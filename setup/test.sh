#!/usr/bin/env bash
# Runs every test of the suite:
#   1. static checks: ruff (lint and format) and pylint-odoo;
#   2. pure-Python tests (pytest): signatures, envelopes, patterns...;
#   3. the Odoo test runner on a fresh database with all suite modules, when an
#      Odoo 18.0 is found (importable, ODOO_SRC, or downloaded by setup/demo.sh);
#   4. then a short fuzzing run of the API (setup/fuzz.sh --short).
# Settings: MFG_TEST_DB (default mfg_test), MFG_KEEP_TEST_DB=1 to keep it,
# MFG_TEST_DEMO=1 to install demo data (as OCA's CI does), and the variables
# listed in setup/lib.sh.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

DB=${MFG_TEST_DB:-mfg_test}
failures=()
passed=0       # test suites (static checks count as one each)
failed=0
tests_passed=0 # individual tests (pytest and Odoo)
tests_failed=0

find_odoo no
make_venv
say "Installing the test tools"
"$PY" -m pip install -q -r "$REPO/setup/test-requirements.txt" ||
    die "pip could not install setup/test-requirements.txt."
# It declares Flask for a web app it does not ship, and Flask would replace
# the Werkzeug that Odoo needs: its own dependencies are PyLD and dateutil.
"$PY" -m pip install -q --no-deps epcis-event-hash-generator==1.9.3 ||
    die "pip could not install epcis-event-hash-generator."

cd "$REPO"
PY_DIRS=(__init__.py __manifest__.py hooks.py models tests addons setup)

say "Static checks: ruff"
if "$VENV/bin/ruff" check "${PY_DIRS[@]}" && "$VENV/bin/ruff" format --check "${PY_DIRS[@]}"; then
    passed=$((passed + 1))
else
    failed=$((failed + 1)); failures+=("ruff")
fi

say "Static checks: pylint-odoo"
mapfile -t MODULES < <(find "$REPO/addons" "$REPO/tests/addons" -mindepth 1 -maxdepth 1 -type d)
if "$VENV/bin/pylint" --rcfile="$REPO/.pylintrc" "$REPO" "${MODULES[@]}"; then
    passed=$((passed + 1))
else
    failed=$((failed + 1)); failures+=("pylint-odoo")
fi

say "Pure-Python tests (pytest)"
# Each folder is its own pytest root: pytest would otherwise import the addon
# packages above it, which need Odoo.
count_pytest() {
    tail -n 1 "$VENV/pytest.log" |
        awk -v pat="^($1)" '{for (i = 1; i < NF; i++) if ($(i + 1) ~ pat) s += $i} END {print s + 0}'
}
pytest_rc=0
for dir in addons/*/tests/pure setup/partner_kit/tests; do
    set +e
    (cd "$dir" && "$PY" -m pytest -q -p no:cacheprovider --rootdir=. .) | tee "$VENV/pytest.log"
    rc=${PIPESTATUS[0]}
    set -e
    [ "$rc" -eq 5 ] && warn "pytest found no test in $dir."
    [ "$rc" -eq 0 ] || pytest_rc=1
    tests_passed=$((tests_passed + $(count_pytest passed)))
    tests_failed=$((tests_failed + $(count_pytest 'failed|errors?')))
done
if [ $pytest_rc -eq 0 ]; then
    passed=$((passed + 1))
else
    failed=$((failed + 1)); failures+=("pytest")
fi

if [ "$ODOO_MODE" = none ]; then
    say "No Odoo 18.0 found: the Odoo test suite is SKIPPED."
    echo "   (make Odoo importable, set ODOO_SRC to an Odoo 18.0 source tree, or run"
    echo "    setup/demo.sh once, which downloads it; then run this command again)"
else
    install_queue_job
    ensure_db_role
    ADDONS=$(addons_path with-tests)
    # A test database that cannot be dropped would be installed into as it is.
    dropdb --if-exists "$DB" ||
        die "cannot drop the old test database $DB (see the message above; is a \
server or another test run still using it?): stop it, or set MFG_TEST_DB to \
another name."
    PORT=$(free_port)
    LOG=$VENV/odoo-tests.log
    DEMO_ARGS=(--without-demo=all)
    [ "${MFG_TEST_DEMO:-0}" != 1 ] || DEMO_ARGS=()
    say "Odoo test runner on a fresh database $DB (log: $LOG)"
    set +e
    run_odoo -d "$DB" --addons-path="$ADDONS" --http-port="$PORT" --workers=0 \
        --max-cron-threads=0 "${DEMO_ARGS[@]}" --stop-after-init --log-level=test \
        -i "$SUITE_NAME,test_integration_log" \
        --test-tags="/$SUITE_NAME,/integration_log,/test_integration_log,/mrp_trace_sync,/quality_release_gate,/plm_bom_import" 2>&1 |
        tee "$LOG" |
        grep --line-buffered -E " (ERROR|CRITICAL) |odoo\.tests\.(stats|result)|Starting [A-Za-z]+\.test_"
    rc=${PIPESTATUS[0]}
    set -e
    if [ "${MFG_KEEP_TEST_DB:-0}" != 1 ] && ! dropdb --if-exists "$DB"; then
        warn "could not drop the test database $DB; the next run drops it or stops."
    fi
    summary=$("$PY" "$REPO/setup/odoo_test_summary.py" "$LOG")
    echo "$summary"
    read -r odoo_passed odoo_failed <<<"$("$PY" "$REPO/setup/odoo_test_summary.py" --counts "$LOG")"
    tests_passed=$((tests_passed + odoo_passed))
    tests_failed=$((tests_failed + odoo_failed))
    if [ "$rc" -ne 0 ] || [ "$odoo_failed" -ne 0 ] || [ "$odoo_passed" -eq 0 ]; then
        failed=$((failed + 1)); failures+=("odoo tests")
    else
        passed=$((passed + 1))
    fi

    say "Fuzzing, short run: setup/fuzz.sh --short (log: $VENV/fuzz.log)"
    if MFG_VENV=$VENV MFG_FUZZ_DB=${DB}_fuzz bash "$REPO/setup/fuzz.sh" --short \
        >"$VENV/fuzz.log" 2>&1; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1)); failures+=("fuzz")
    fi
    tail -n 3 "$VENV/fuzz.log"
fi

echo
if [ ${#failures[@]} -gt 0 ]; then
    echo "FAILED: ${failures[*]}"
fi
echo "suites (static checks, pytest, Odoo, fuzz): $passed passed, $failed failed"
echo "tests: $tests_passed passed, $tests_failed failed"
[ "$failed" -eq 0 ]
