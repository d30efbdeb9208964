# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Command line of the partner kit: ``partner-kit <command> --help``."""

import argparse
import json
import logging
import sys
import time
from pathlib import Path

from . import __version__, events
from .buffer import EventBuffer
from .client import IntegrationClient
from .errors import IntegrationError, TransportError
from .retry import RetryPolicy

DEFAULT_ODOO = "http://127.0.0.1:8069"
DEFAULT_STATE_DIR = "partner-kit-state"
SEND_BUFFER = "send"
# Exit statuses: 1 = not delivered yet (Odoo down; the buffer keeps the
# events), 2 = refused by Odoo or bad input.
EXIT_PENDING, EXIT_REFUSED = 1, 2

DEMO_NOTE = (
    "Its tokens and secrets are the demo credentials of the suite's demo "
    "database, published in the suite's README: defaults of this command only, "
    "never of a real system."
)
# flag, type, default, metavar, help of the options of ``simulate``.
SIMULATE_OPTIONS = (
    ("--only", str, "mes,qms,plm", "LIST", "systems to run"),
    ("--mes-port", int, 8099, "PORT", "MES webhook port"),
    ("--qms-port", int, 8098, "PORT", "QMS webhook port"),
    ("--plm-port", int, 8097, "PORT", "PLM webhook port"),
    ("--mes-delay", float, 3.0, "S", "MES: seconds before start, then completion"),
    ("--serial-products", str, "", "CODES", "MES: serial-tracked products (a,b)"),
    ("--partial-rate", float, 0.2, "RATE", "MES: share completed in two reports"),
    ("--scrap-rate", float, 0.2, "RATE", "MES: share scrapping a component unit"),
    ("--pass-rate", float, 0.85, "RATE", "QMS: share of inspections passed"),
    ("--inspection-delay", float, 20.0, "S", "QMS: seconds a lot waits for its result"),
    ("--ncr-close-delay", float, 60.0, "S", "QMS: seconds before an NCR is closed"),
    (
        "--plm-scenario",
        str,
        None,
        "FILE",
        "PLM: scenario to play ('example': the kit's)",
    ),
    ("--seed", int, None, "N", "seed of the random draws, for repeatable runs"),
    ("--forward-interval", float, 2.0, "S", "seconds between forwarding passes"),
)


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    # The kit logs what goes wrong inside its threads (a failing handler...).
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return args.func(args)
    except IntegrationError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_PENDING if isinstance(err, TransportError) else EXIT_REFUSED
    except (OSError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_REFUSED


def build_parser():
    parser = argparse.ArgumentParser(
        prog="partner-kit",
        description="Reference client and plant simulators of the manufacturing "
        "integration protocol v1.",
    )
    parser.add_argument("--version", action="version", version=__version__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_simulate(commands)
    _add_send(commands)
    _add_buffer(commands)
    _add_lot_query(commands, "trace", "genealogy of a lot (GET /lots/trace)")
    _add_lot_query(commands, "recall", "what a recall of a lot must reach")
    health = commands.add_parser("health", help="GET /health of Odoo (no token)")
    _odoo_option(health)
    health.set_defaults(func=cmd_health)
    return parser


# ----------------------------------------------------------------------
# Parsers
# ----------------------------------------------------------------------
def _odoo_option(parser):
    parser.add_argument(
        "--odoo", default=DEFAULT_ODOO, metavar="URL", help=f"Odoo URL ({DEFAULT_ODOO})"
    )


def _state_dir_option(parser):
    parser.add_argument(
        "--state-dir",
        default=DEFAULT_STATE_DIR,
        type=Path,
        metavar="DIR",
        help=f"folder of the buffer files (./{DEFAULT_STATE_DIR})",
    )


def _credentials(parser, secret=True):
    parser.add_argument("--token", required=True, help="the integration client's token")
    if secret:
        parser.add_argument(
            "--secret",
            required=True,
            action="append",
            help="its signing secret whsec_...; twice during a rotation",
        )
        parser.add_argument(
            "--attempts",
            type=int,
            default=RetryPolicy.max_attempts,
            metavar="N",
            help="tries per request while Odoo is unreachable "
            f"({RetryPolicy.max_attempts})",
        )


def _add_simulate(commands):
    parser = commands.add_parser(
        "simulate",
        help="run the demo plant's MES, QMS and PLM until Ctrl-C",
        description="Run the simulated MES, QMS and PLM of the demo plant against "
        "Odoo until Ctrl-C or SIGTERM (then: receivers stopped, buffers "
        "flushed). " + DEMO_NOTE,
    )
    _odoo_option(parser)
    _state_dir_option(parser)
    for flag, kind, default, metavar, help_text in SIMULATE_OPTIONS:
        shown = f" ({default})" if default not in (None, "") else ""
        parser.add_argument(
            flag, type=kind, default=default, metavar=metavar, help=help_text + shown
        )
    parser.add_argument(
        "--report-consumed",
        action="store_true",
        help="MES: report the untracked components consumed",
    )
    parser.set_defaults(func=cmd_simulate)


def _add_send(commands):
    parser = commands.add_parser(
        "send",
        help="send events from a JSON file through the buffer",
        description="Put the events of FILE (one event or an array; '-' reads "
        "stdin) in the buffer, then forward what is pending. Missing id, "
        "specversion, time and source are filled in; type, subject and data "
        "are required.",
    )
    _odoo_option(parser)
    _credentials(parser)
    parser.add_argument("--source", required=True, help="CloudEvents source, urn:...")
    _state_dir_option(parser)
    parser.add_argument("file", metavar="FILE", help="a .json file, or -")
    parser.set_defaults(func=cmd_send)


def _add_buffer(commands):
    parser = commands.add_parser("buffer", help="inspect or replay a buffer")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    status = actions.add_parser("status", help="counts of each buffer file")
    listing = actions.add_parser("list", help="events of a buffer")
    listing.add_argument("--state", choices=("pending", "sent", "rejected"))
    listing.add_argument("--limit", type=int, default=50)
    replay = actions.add_parser("replay", help="make rejected events pending again")
    replay.add_argument("positions", nargs="*", type=int, metavar="POSITION")
    replay.add_argument("--all", action="store_true", help="every rejected event")
    forward = actions.add_parser("forward", help="send what is pending now")
    _odoo_option(forward)
    _credentials(forward)
    for action in (status, listing, replay, forward):
        _state_dir_option(action)
        action.add_argument(
            "--name", help="buffer name: mes, qms, plm or send (default: all / send)"
        )
    parser.set_defaults(func=cmd_buffer)


def _add_lot_query(commands, name, help_text):
    parser = commands.add_parser(name, help=help_text)
    _odoo_option(parser)
    _credentials(parser, secret=False)
    parser.add_argument("--product", required=True, help="internal reference")
    parser.add_argument("--lot", required=True, help="lot or serial name")
    if name == "trace":
        parser.add_argument(
            "--direction", choices=("backward", "forward", "both"), default="both"
        )
    parser.set_defaults(func=cmd_lot_query)


# ----------------------------------------------------------------------
# Commands
# ----------------------------------------------------------------------
def cmd_simulate(args):
    from .simulators import plant

    return plant.run(_plant_options(args))


def _plant_options(args):
    from .simulators import mes, plant, plm, qms

    only = tuple(_codes(args.only))
    unknown = sorted(set(only) - set(plant.SYSTEMS))
    if unknown or not only:
        raise ValueError(f"--only takes {','.join(plant.SYSTEMS)}, not {args.only!r}")
    scenario = args.plm_scenario
    if scenario == "example":
        scenario = plm.EXAMPLE_SCENARIO
    return plant.PlantOptions(
        odoo_url=args.odoo,
        state_dir=args.state_dir,
        only=only,
        ports={"mes": args.mes_port, "qms": args.qms_port, "plm": args.plm_port},
        forward_interval=args.forward_interval,
        mes_options=mes.MesOptions(
            delay=args.mes_delay,
            serial_products=frozenset(_codes(args.serial_products)),
            partial_rate=args.partial_rate,
            scrap_rate=args.scrap_rate,
            report_consumed=args.report_consumed,
            seed=args.seed,
        ),
        qms_options=qms.QmsOptions(
            inspection_delay=args.inspection_delay,
            pass_rate=args.pass_rate,
            ncr_close_delay=args.ncr_close_delay,
            seed=args.seed,
        ),
        plm_steps=plm.load_scenario(scenario) if scenario else [],
    )


def cmd_send(args):
    raw = sys.stdin.read() if args.file == "-" else Path(args.file).read_text("utf-8")
    loaded = json.loads(raw)
    items = loaded if isinstance(loaded, list) else [loaded]
    # Every event is checked before any is queued: a bad file queues nothing.
    completed = [events.complete(item, args.source) for item in items]
    client = _client(args, source=args.source)
    with EventBuffer(_buffer_path(args.state_dir, SEND_BUFFER)) as buffer:
        queued = sum(buffer.put(event).queued for event in completed)
        print(f"queued {queued} of {len(items)} event(s)")
        return _forward_and_report(buffer, client)


def cmd_buffer(args):
    if args.action == "status":
        return _buffer_status(args)
    name = args.name or SEND_BUFFER
    path = _buffer_path(args.state_dir, name)
    if not path.exists():
        raise ValueError(f"no buffer {name!r} in {args.state_dir}")
    with EventBuffer(path) as buffer:
        if args.action == "list":
            return _buffer_list(buffer, args)
        if args.action == "replay":
            return _buffer_replay(buffer, args)
        return _forward_and_report(buffer, _client(args))


def cmd_lot_query(args):
    client = IntegrationClient(args.odoo, args.token)
    if args.command == "trace":
        result = client.trace(args.product, args.lot, args.direction)
    else:
        result = client.recall(args.product, args.lot)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


def cmd_health(args):
    result = IntegrationClient(args.odoo, token=None).health()
    print(json.dumps(result.body, indent=2))
    return 0 if result.ok else EXIT_PENDING


# ----------------------------------------------------------------------
# Helpers
# ----------------------------------------------------------------------
def _client(args, source=None):
    secret = args.secret[0] if len(args.secret) == 1 else args.secret
    retry = RetryPolicy(max_attempts=max(1, args.attempts))
    return IntegrationClient(args.odoo, args.token, secret, source, retry=retry)


def _codes(text):
    return [code.strip() for code in (text or "").split(",") if code.strip()]


def _buffer_path(state_dir, name):
    return Path(state_dir) / f"{name}.sqlite"


def _buffer_files(args):
    if args.name:
        return [_buffer_path(args.state_dir, args.name)]
    return sorted(Path(args.state_dir).glob("*.sqlite"))


def _forward_and_report(buffer, client):
    report = buffer.forward(client)
    print(
        f"delivered {report.sent} ({report.duplicates} duplicate), "
        f"rejected {len(report.rejected)}, pending {report.pending}"
    )
    for row, error in report.rejected:
        print(f"  rejected #{row.position} {row.event_id}: {_problem_text(error)}")
    if report.error:
        print(f"stopped: {report.error}", file=sys.stderr)
    if report.blocked or report.rejected:
        return EXIT_REFUSED
    return EXIT_PENDING if report.pending else 0


def _buffer_status(args):
    files = [path for path in _buffer_files(args) if path.exists()]
    if not files:
        print(f"no buffer in {args.state_dir}")
        return 0
    for path in files:
        with EventBuffer(path) as buffer:
            counts = buffer.counts()
            oldest = buffer.pending(1)
        age = (
            f", oldest pending {time.time() - oldest[0].created_at:.0f} s"
            if oldest
            else ""
        )
        print(
            f"{path.stem:<6} pending {counts['pending']}, sent {counts['sent']}, "
            f"rejected {counts['rejected']}{age}"
        )
    return 0


def _buffer_list(buffer, args):
    for row in buffer.rows(args.state, args.limit, newest_first=True):
        line = (
            f"#{row.position:<6} {row.state:<8} {row.type:<34} "
            f"{row.subject:<20} {row.event_id}"
        )
        if row.error:
            line += f"\n         {_problem_text(row.error)}"
        print(line)
    return 0


def _buffer_replay(buffer, args):
    if not args.all and not args.positions:
        raise ValueError("name the POSITIONs to replay, or --all")
    count = buffer.replay_rejected(None if args.all else args.positions)
    print(f"{count} event(s) pending again; they go with the next forwarding")
    return 0


def _problem_text(error):
    if not isinstance(error, dict):
        return str(error)
    text = (
        f"{error.get('status', '')} {error.get('title', '')}: {error.get('detail', '')}"
    )
    pointers = "; ".join(
        f"{e.get('pointer')}: {e.get('message')}" for e in error.get("errors") or []
    )
    return f"{text} [{pointers}]" if pointers else text
