#!/usr/bin/env bash
# Shared set-up functions of the suite; sourced by setup/demo.sh and setup/test.sh.
# Everything is configured by environment variables (see README.rst):
#   PYTHON          Python 3.10-3.12 to use (default: the first found); it may
#                   be a virtualenv's, whose packages (Odoo) the suite's venv sees
#   ODOO_SRC        an Odoo 18.0 source tree to use when no Odoo is importable
#   MFG_VENV        virtualenv of the suite (default: <repo>/.venv)
#   MFG_ODOO_URL    where to download Odoo 18.0 Community source from
#   PGHOST, PGPORT, PGUSER, PGPASSWORD   PostgreSQL connection (libpq defaults)

set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${MFG_VENV:-$REPO/.venv}
ODOO_DOWNLOAD_DIR=$REPO/.odoo-src
ODOO_URL=${MFG_ODOO_URL:-https://nightly.odoo.com/18.0/nightly/src/odoo_18.0.latest.tar.gz}
SUITE_NAME=mfg_integration_suite

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
warn() { printf '\033[33mwarning:\033[0m %s\n' "$*" >&2; }
die() { printf '\033[31merror:\033[0m %s\n' "$*" >&2; exit 1; }

python_version_ok() {
    "$1" -c 'import sys; sys.exit(not ((3, 10) <= sys.version_info[:2] <= (3, 12)))' \
        2>/dev/null
}

python_has_odoo18() {
    (cd / && "$1" -c 'import odoo.release as r, sys; sys.exit(r.version_info[:2] != (18, 0))') \
        2>/dev/null
}

candidate_pythons() {
    if [ -n "${PYTHON:-}" ]; then echo "$PYTHON"; return; fi
    local p
    for p in python3 python3.12 python3.11 python3.10; do
        command -v "$p" >/dev/null 2>&1 && echo "$p"
    done
}

# Sets BASE_PYTHON and ODOO_MODE (importable | source | none); ODOO_SRC for source.
find_odoo() {
    local allow_download=$1 p
    BASE_PYTHON=""
    for p in $(candidate_pythons); do
        python_version_ok "$p" || continue
        [ -n "$BASE_PYTHON" ] || BASE_PYTHON=$p
        if python_has_odoo18 "$p"; then
            BASE_PYTHON=$p
            ODOO_MODE=importable
            say "Using the Odoo 18.0 importable from $(command -v "$p")"
            return
        fi
    done
    [ -n "$BASE_PYTHON" ] || die "no Python 3.10, 3.11 or 3.12 found: install one or set PYTHON."
    if [ -n "${ODOO_SRC:-}" ]; then
        check_odoo_src "$ODOO_SRC"
        ODOO_MODE=source
        say "Using the Odoo 18.0 source tree ODOO_SRC=$ODOO_SRC"
        return
    fi
    if [ -f "$ODOO_DOWNLOAD_DIR/odoo/release.py" ]; then
        ODOO_SRC=$ODOO_DOWNLOAD_DIR
        ODOO_MODE=source
        say "Using the Odoo 18.0 source downloaded earlier into $ODOO_SRC"
        return
    fi
    if [ "$allow_download" = yes ]; then
        download_odoo
        ODOO_SRC=$ODOO_DOWNLOAD_DIR
        ODOO_MODE=source
        return
    fi
    ODOO_MODE=none
}

check_odoo_src() {
    [ -f "$1/odoo/release.py" ] ||
        die "ODOO_SRC=$1 is not an Odoo source tree (no odoo/release.py)."
    grep -Eq "^version_info = \(18, 0" "$1/odoo/release.py" ||
        die "ODOO_SRC=$1 is not Odoo 18.0 (see its odoo/release.py)."
}

download_odoo() {
    say "Downloading Odoo 18.0 Community source from $ODOO_URL"
    command -v curl >/dev/null || die "curl is needed to download Odoo (or set ODOO_SRC)."
    local tmp
    tmp=$(mktemp -d)
    # A subshell, so that its EXIT trap removes the temporary folder whatever
    # happens (die included) without replacing the caller's traps; when it
    # fails, set -e stops the caller too. (Not "( ... ) || ...": set -e would
    # then be off inside.)
    (
        trap 'rm -rf "$tmp"' EXIT
        curl -fL --retry 3 -o "$tmp/odoo.tar.gz" "$ODOO_URL" ||
            die "could not download $ODOO_URL; set ODOO_SRC to an Odoo 18.0 source tree."
        mkdir -p "$tmp/src"
        tar -xzf "$tmp/odoo.tar.gz" -C "$tmp/src" --strip-components=1
        check_odoo_src "$tmp/src"
        rm -rf "$ODOO_DOWNLOAD_DIR"
        mv "$tmp/src" "$ODOO_DOWNLOAD_DIR"
    )
}

# The folder of the Odoo that Python $1 imports (nothing if none).
odoo_location() {
    (cd / && "$1" -c 'import odoo, os; print(os.path.dirname(odoo.__file__))') 2>/dev/null ||
        true
}

python_is_venv() {
    "$1" -c 'import sys; sys.exit(sys.prefix == sys.base_prefix)'
}

# Creates the virtualenv and installs Odoo's and the suite's requirements.
make_venv() {
    local venv_args=() base_venv=no
    if [ "$ODOO_MODE" = importable ]; then
        # A virtualenv made by a virtualenv's Python is based on that one's
        # base interpreter: --system-site-packages would show the packages
        # (maybe another Odoo) of that interpreter, not those of the one
        # found. Such a Python's own site folders are added by a .pth instead.
        if python_is_venv "$BASE_PYTHON"; then
            base_venv=yes
        else
            venv_args+=(--system-site-packages)
        fi
        if [ -x "$VENV/bin/python" ] &&
            [ "$(odoo_location "$VENV/bin/python")" != "$(odoo_location "$BASE_PYTHON")" ]; then
            # Made before Odoo was installed, or by another Python: it cannot
            # see the Odoo found now, or sees another one.
            say "Recreating the virtualenv $VENV so that it sees the Odoo found"
            rm -rf "$VENV"
        fi
    fi
    if [ ! -x "$VENV/bin/python" ]; then
        say "Creating the virtualenv $VENV"
        "$BASE_PYTHON" -m venv "${venv_args[@]}" "$VENV" ||
            die "could not create a virtualenv (Debian/Ubuntu: apt-get install python3-venv)."
        if [ $base_venv = yes ]; then
            "$BASE_PYTHON" -c 'import site; print("\n".join(site.getsitepackages()))' |
                "$VENV/bin/python" -c '
import pathlib, site, sys
lines = [f"import site; site.addsitedir({d!r})" for d in sys.stdin.read().splitlines()]
pth = pathlib.Path(site.getsitepackages()[0]) / "base-python.pth"
pth.write_text("\n".join(lines) + "\n")
'
            python_has_odoo18 "$VENV/bin/python" ||
                die "the virtualenv $VENV does not see the Odoo of $BASE_PYTHON."
        fi
    fi
    PY=$VENV/bin/python
    # A recent setuptools: the pkg_resources of old ones cannot find packages
    # whose metadata use normalised names (gevent looks its plugins up there).
    "$PY" -m pip install -q --upgrade pip "setuptools>=70,<81" >/dev/null
    if [ "$ODOO_MODE" = source ]; then
        "$PY" - "$ODOO_SRC" <<'PYEOF'
import pathlib, site, sys
pth = pathlib.Path(site.getsitepackages()[0]) / "odoo-src.pth"
pth.write_text(sys.argv[1] + "\n")
PYEOF
        install_odoo_requirements
    fi
    say "Installing the suite's Python requirements"
    "$PY" -m pip install -q -r "$REPO/requirements.txt" ||
        die "pip could not install requirements.txt (see the messages above)."
}

install_odoo_requirements() {
    local stamp=$VENV/.odoo-requirements-done
    [ -f "$stamp" ] && return
    say "Installing Odoo 18.0's Python requirements (a few minutes the first time)"
    local tmp
    tmp=$(mktemp -d)
    (   # a subshell for its EXIT trap, as in download_odoo
        trap 'rm -rf "$tmp"' EXIT
        # python-ldap only serves auth_ldap and needs LDAP headers to build.
        grep -viE '^python-ldap' "$ODOO_SRC/requirements.txt" >"$tmp/requirements.txt"
        if ! command -v pg_config >/dev/null; then
            warn "pg_config not found: using psycopg2-binary instead of building psycopg2."
            sed -i -E 's/^psycopg2([=<> ;]|$)/psycopg2-binary\1/' "$tmp/requirements.txt"
        fi
        # Old pinned sdists still import pkg_resources, gone from newer
        # setuptools: their isolated build environments need setuptools<70.
        # Since pip 25.3 only PIP_BUILD_CONSTRAINT reaches those environments;
        # PIP_CONSTRAINT then applies to the installed packages alone, where
        # it would downgrade the venv's setuptools (gevent requires it), so
        # it is set only for a pip older than 25.3, which knows nothing else.
        echo 'setuptools<70' >"$tmp/build-constraints.txt"
        export PIP_BUILD_CONSTRAINT=$tmp/build-constraints.txt
        if ! "$PY" -c 'import sys, pip
sys.exit(tuple(int(p) for p in pip.__version__.split(".")[:2]) < (25, 3))'; then
            export PIP_CONSTRAINT=$tmp/build-constraints.txt
        fi
        "$PY" -m pip install -q --prefer-binary -r "$tmp/requirements.txt" ||
            die "pip could not install Odoo's requirements. On Debian/Ubuntu install \
build-essential python3-dev libpq-dev libxml2-dev libxslt1-dev libjpeg-dev zlib1g-dev, \
then run this command again."
    )
    touch "$stamp"
}

# The OCA addons the suite depends on, installed from PyPI into $VENV/oca:
# queue_job, in a version that matches the Odoo found (builds of Odoo 18.0
# older than early 2025 lack odoo.api.private, which queue_job >= 18.0.1.7.1
# uses), and the quality modules of quality_release_gate. One pip command:
# a second --target install into the same folder would skip the shared
# odoo/addons package.
OCA_QUALITY_SPECS=(
    'odoo-addon-quality-control-oca>=18.0.1.4,<18.1'
    'odoo-addon-quality-control-stock-oca>=18.0.1.2,<18.1'
    'odoo-addon-quality-control-mrp-oca>=18.0.1.0,<18.1'
)
install_queue_job() {
    local spec
    if (cd / && "$PY" -c 'import odoo.api, sys; sys.exit(not hasattr(odoo.api, "private"))'); then
        spec='odoo-addon-queue-job>=18.0.1.7.1,<18.1'
    else
        spec='odoo-addon-queue-job>=18.0.1.0,<=18.0.1.7.0'
    fi
    local target=$VENV/oca stamp="$spec ${OCA_QUALITY_SPECS[*]}"
    if [ -f "$target/.spec" ] && [ "$(cat "$target/.spec")" = "$stamp" ]; then
        return
    fi
    say "Installing OCA addons ($spec, quality_control_oca)"
    rm -rf "$target"
    "$PY" -m pip install -q --no-deps --target "$target" "$spec" "${OCA_QUALITY_SPECS[@]}" ||
        die "pip could not install the OCA addons ($stamp)."
    echo "$stamp" >"$target/.spec"
}

# Odoo finds a module by its directory name, so the repository (the umbrella
# module) is linked under its module name, whatever the clone is called.
link_suite() {
    mkdir -p "$VENV/suite-addons"
    ln -sfn "$REPO" "$VENV/suite-addons/$SUITE_NAME"
    echo "$VENV/suite-addons"
}

addons_path() {
    local links odoo_root
    links=$(link_suite)
    odoo_root=$(cd / && "$PY" -c 'import odoo, os; print(os.path.dirname(os.path.dirname(odoo.__file__)))')
    local paths=("$odoo_root/odoo/addons")
    [ -d "$odoo_root/addons" ] && paths+=("$odoo_root/addons")
    paths+=("$VENV/oca/odoo/addons" "$links" "$REPO/addons")
    if [ "${1:-}" = with-tests ]; then paths+=("$REPO/tests/addons"); fi
    local IFS=,
    echo "${paths[*]}"
}

# The launcher is what odoo-bin is; Odoo re-executes sys.argv[0] for its
# long-polling worker, which "python -m odoo" cannot provide.
make_launcher() {
    LAUNCHER=$VENV/bin/odoo-server
    printf '#!%s\nimport odoo\n\nodoo.cli.main()\n' "$PY" >"$LAUNCHER"
    chmod +x "$LAUNCHER"
}

run_odoo() {
    [ -n "${LAUNCHER:-}" ] || make_launcher
    (cd "$REPO" && exec "$LAUNCHER" "$@")
}

# start_group LOG COMMAND...: runs COMMAND (from the repository, output added
# to LOG) in the background in a session of its own; sets STARTED_PID to its
# pid, which is also its process group id: stop_group then stops it together
# with every process it forked (Odoo's workers and long-polling process),
# and nothing else. (A background job of a script never leads a process
# group, so setsid makes the new session in place, without forking.)
start_group() {
    local log=$1
    shift
    (cd "$REPO" && exec setsid "$@" >>"$log" 2>&1 </dev/null) &
    # shellcheck disable=SC2034 # read by the caller
    STARTED_PID=$!
}

# start_odoo_group LOG [odoo options...]: start_group for the Odoo server.
start_odoo_group() {
    [ -n "${LAUNCHER:-}" ] || make_launcher
    local log=$1
    shift
    start_group "$log" "$LAUNCHER" "$@"
}

# stop_group PID: stops the process group that start_group started as PID:
# SIGTERM, then SIGKILL for whatever is left after 10 s.
stop_group() {
    local pid=$1 _
    if ! kill -0 -- "-$pid" 2>/dev/null; then
        # Not (or not yet) a process group: the process alone, if alive.
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.2
        kill -0 -- "-$pid" 2>/dev/null || {
            kill "$pid" 2>/dev/null || true
            return 0
        }
    fi
    kill -TERM -- "-$pid" 2>/dev/null || true
    for _ in $(seq 50); do
        kill -0 -- "-$pid" 2>/dev/null || return 0
        sleep 0.2
    done
    warn "process group $pid did not stop within 10 s: killing it."
    kill -KILL -- "-$pid" 2>/dev/null || true
}

# Makes sure PostgreSQL accepts us with a role that may create databases.
ensure_db_role() {
    command -v psql >/dev/null ||
        die "psql not found: install the PostgreSQL client (Debian/Ubuntu: apt-get install postgresql-client)."
    local role=${PGUSER:-$(id -un)}
    if [ "$role" = postgres ]; then
        warn "Odoo refuses to run as the PostgreSQL user 'postgres'; using role 'odoo'."
        role=odoo
        export PGUSER=odoo
    fi
    if psql -d postgres -Atqc 'select 1' >/dev/null 2>&1; then
        return
    fi
    say "Creating the PostgreSQL role $role"
    local sql="CREATE ROLE \"$role\" LOGIN CREATEDB"
    if psql -h "${PGHOST:-127.0.0.1}" -U postgres -d postgres -qc "$sql" 2>/dev/null ||
        (command -v sudo >/dev/null && sudo -n -u postgres psql -d postgres -qc "$sql" 2>/dev/null) ||
        (command -v runuser >/dev/null && runuser -u postgres -- psql -d postgres -qc "$sql" 2>/dev/null); then
        psql -d postgres -Atqc 'select 1' >/dev/null 2>&1 && return
    fi
    die "cannot connect to PostgreSQL as '$role'. Start PostgreSQL, or set PGHOST, \
PGPORT, PGUSER and PGPASSWORD to a role that may create databases (createuser -d $role)."
}

free_port() {
    "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The set-up of a script that runs its own server with the suite and the test
# addon (benchmarks, fuzzing): sets VENV's Python, queue_job, the database role
# and ADDONS.
prepare_server_tools() {
    find_odoo no
    [ "$ODOO_MODE" != none ] ||
        die "no Odoo 18.0 found: run setup/demo.sh first or set ODOO_SRC."
    make_venv
    install_queue_job
    ensure_db_role
    ADDONS=$(addons_path with-tests)
}

# ----------------------------------------------------------------------
# The scale-out deployment (README.rst, "Deployment"): two Odoo processes on
# one database, so that serving the API and running jobs never starve each
# other.
# - The API process: HTTP workers, no job runner, no cron.
# - The job process: queue_job's runner (it loads queue_job server-wide),
#   which calls the /queue_job/runjob route of this same process, whose
#   workers run nothing but jobs (and the crons).
# start_scaleout LOG_PREFIX API_WORKERS JOB_WORKERS CAPACITY [odoo options...]
# Sets API_PORT, JOB_PORT, API_PID and JOB_PID; stop_scaleout stops both
# (and only them). The options (-d, --addons-path, ...) go to both processes.
# The ports are free ones, unless SCALEOUT_API_PORT / SCALEOUT_JOB_PORT name
# them (the demo serves the documented port).
# ----------------------------------------------------------------------
start_scaleout() {
    local prefix=$1 api_workers=$2 job_workers=$3 capacity=$4
    shift 4
    API_PORT=${SCALEOUT_API_PORT:-$(free_port)}
    JOB_PORT=${SCALEOUT_JOB_PORT:-$(free_port)}
    local conf=$prefix-jobs.conf
    printf '[options]\n\n[queue_job]\nchannels = root:%s\n' "$capacity" >"$conf"
    say "Starting the API process ($api_workers HTTP workers) on port $API_PORT"
    start_odoo_group "$prefix-api.log" "$@" \
        --http-interface=127.0.0.1 --http-port="$API_PORT" --gevent-port="$(free_port)" \
        --workers="$api_workers" --max-cron-threads=0 --load=base,web,integration_log
    API_PID=$STARTED_PID
    say "Starting the job process (runner at capacity $capacity, $job_workers workers) on port $JOB_PORT"
    # The runner reaches its own process through the port given here.
    ODOO_QUEUE_JOB_CHANNELS=root:$capacity ODOO_QUEUE_JOB_PORT=$JOB_PORT \
        start_odoo_group "$prefix-jobs.log" -c "$conf" "$@" \
        --http-interface=127.0.0.1 --http-port="$JOB_PORT" --gevent-port="$(free_port)" \
        --workers="$job_workers" --max-cron-threads=1 --load=base,web,queue_job,integration_log
    JOB_PID=$STARTED_PID
    wait_http "$API_PORT" "$API_PID" "$prefix-api.log"
    wait_http "$JOB_PORT" "$JOB_PID" "$prefix-jobs.log"
}

stop_scaleout() {
    [ -z "${JOB_PID:-}" ] || stop_group "$JOB_PID"
    [ -z "${API_PID:-}" ] || stop_group "$API_PID"
    JOB_PID=""
    API_PID=""
}

# wait_http PORT PID LOG: waits until the server answers /integration/v1/health.
wait_http() {
    local port=$1 pid=$2 log=$3 _
    for _ in $(seq 90); do
        curl -fsS -o /dev/null "http://127.0.0.1:$port/integration/v1/health" 2>/dev/null && return
        kill -0 "$pid" 2>/dev/null || die "the server on port $port stopped (see $log)"
        sleep 1
    done
    die "the server on port $port did not start (see $log)"
}
