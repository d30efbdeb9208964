#!/usr/bin/env python3
# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Benchmark of the inbound API against a running Odoo.

Two modes, one per deployment (setup/benchmark.sh runs both):

``--mode applied``, against the scale-out deployment (an API process, and a
job process whose runner applies the events):
- events APPLIED per second: signed batches of 500 from concurrent senders,
  counted from the first request until the last event is in a final state
  (processed, dead, stale or skipped), acceptance and processing running at
  the same time; also the events accepted per second over the same run;
- the single-event latency (p50, p95) of POST /events while a backlog of
  batches is being applied;
- as the yardstick, plain ``create`` calls of a trivial record per second
  through Odoo's JSON-RPC.

``--mode acceptance``, against a server without a job runner: accepted events
per second (batches), the single-event latency of an idle server, the same
yardstick, and the same event sent twice at the same instant.

It sets up its own integration clients over JSON-RPC (as admin) and reads
the events' states from the database, so it needs a database with
mfg_integration_suite and the test addon test_integration_log (which
declares the event type used here). setup/benchmark.sh prepares one.
"""

import sys
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchmark_common import (  # noqa: E402
    BenchmarkError,
    EventWatch,
    JsonRpc,
    Sender,
    argument_parser,
    make_client,
    percentile,
    report,
    send_batches,
    summary_row,
    times,
    write_summary,
)

EVENT_TYPE = "test.widget.upserted.v1"
SOURCE = "urn:mes:benchmark"
BATCH_SIZE = 500


def make_event(index, run):
    return {
        "specversion": "1.0",
        "id": f"{run}-{index}",
        "source": SOURCE,
        "type": EVENT_TYPE,
        "time": "2026-03-01T08:00:00Z",
        "subject": f"W-{run}-{index % 1000}",
        "sequence": index + 1,
        "data": {"name": f"W-{run}-{index % 1000}", "quantity": 1 + index % 7},
    }


def make_batches(count, run):
    """``count`` events in batches of 500. With two senders taking every
    other batch, each subject is always sent by the same sender, in order."""
    return [
        [make_event(i, run) for i in range(start, min(start + BATCH_SIZE, count))]
        for start in range(0, count, BATCH_SIZE)
    ]


def bench_single(base_url, credentials, count, run, during=None):
    """POST ``count`` single events one at a time; returns their latencies
    and, when ``during`` (a callable) is given, how many were sent while it
    answered true."""
    sender = Sender(base_url, credentials)
    latencies, overlapping = [], 0
    for index in range(count):
        event = make_event(index, f"{run}-single")
        start = time.perf_counter()
        response = sender.post(event)
        latencies.append(time.perf_counter() - start)
        if response.status_code != 202:
            raise BenchmarkError(f"single event refused: {response.text[:300]}")
        overlapping += bool(during and during())
    return latencies, overlapping


def race_duplicates(base_url, credentials, pairs, run):
    """Send each event twice at the same instant from two connections.

    With two server workers the requests really run concurrently; the unique
    (source, id) index must leave exactly one accepted and one duplicate.
    Returns the outcomes and, for each pair, the time of its slower answer.
    """
    outcomes, slower = {}, []
    senders = [Sender(base_url, credentials) for _i in range(2)]
    for number in range(pairs):
        event = make_event(number, f"{run}-race")
        barrier = threading.Barrier(2)
        codes, times = [], []

        def send(sender, event=event, barrier=barrier, codes=codes, times=times):
            barrier.wait()
            start = time.perf_counter()
            codes.append(sender.post(event).status_code)
            times.append(time.perf_counter() - start)

        threads = [
            threading.Thread(target=send, args=(s,), daemon=True) for s in senders
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        key = tuple(sorted(codes))
        outcomes[key] = outcomes.get(key, 0) + 1
        slower.append(max(times))
    return {f"{a}+{b}": n for (a, b), n in sorted(outcomes.items())}, slower


def bench_jsonrpc(rpc, count):
    start = time.perf_counter()
    for index in range(count):
        rpc.execute("res.partner.category", "create", {"name": f"bench {index}"})
    return count / (time.perf_counter() - start)


def ms(seconds):
    return round(seconds * 1000, 1)


def new_client(rpc, args):
    client_id, credentials = make_client(rpc, "test.widget.*", SOURCE)
    return credentials, EventWatch(args.db, client_id)


def applied_run(rpc, args, run):
    """Events sent in batches while the runner applies them, timed from the
    first request until every one is in a final state."""
    credentials, watch = new_client(rpc, args)
    batches = make_batches(args.events, run)
    accepted, start, sent = send_batches(
        args.url, credentials, batches, args.concurrency
    )
    done = watch.wait_final(accepted, args.timeout, args.stall)
    states = watch.states()
    return {
        "applied_events": watch.final(states),
        "applied_seconds": round(done - start, 2),
        "applied_per_second": round(watch.final(states) / (done - start), 1),
        "accepted_per_second_same_run": round(accepted / (sent - start), 1),
        "acceptance_seconds": round(sent - start, 2),
        "drain_seconds_after_last_batch": round(done - sent, 2),
        "applied_states": states,
    }, watch


def latency_run(rpc, args, run):
    """Single events, one at a time, while a backlog of batches is applied
    (sent first, as fast as possible); then waits until all are final."""
    credentials, watch = new_client(rpc, args)
    accepted, start, sent = send_batches(
        args.url, credentials, make_batches(args.events, run), args.concurrency
    )
    backlog_at_start = accepted - watch.final()

    def backlog_open():
        return watch.final() < accepted

    latencies, overlapping = bench_single(
        args.url, credentials, args.singles, run, during=backlog_open
    )
    backlog_at_end = max(0, accepted - watch.final())
    total = accepted + args.singles
    done = watch.wait_final(total, args.timeout, args.stall)
    figures = {
        "backlog_p50_ms": ms(percentile(latencies, 0.50)),
        "backlog_p95_ms": ms(percentile(latencies, 0.95)),
        "backlog_singles": args.singles,
        "backlog_singles_sent_while_backlog_open": overlapping,
        "backlog_open_events_at_first_single": backlog_at_start,
        "backlog_open_events_after_last_single": backlog_at_end,
        "backlog_applied_per_second": round(total / (done - start), 1),
        "backlog_states": watch.states(),
    }
    if overlapping < args.singles:
        print(
            f"warning: the backlog was applied before the single events ended: "
            f"only {overlapping} of {args.singles} overlapped it",
            file=sys.stderr,
        )
    return figures, watch


def run_applied(rpc, args, run):
    # Warm up the job process's workers and the runner: the first job of a
    # worker loads the registry.
    warm_credentials, warm_watch = new_client(rpc, args)
    warm = [[make_event(i * 5 + j, run + "-warm") for j in range(5)] for i in range(8)]
    send_batches(args.url, warm_credentials, warm, 2)
    warm_watch.wait_final(40, args.timeout, args.stall)
    rpc_rate = bench_jsonrpc(rpc, args.rpc_creates)
    applied, watch = applied_run(rpc, args, run)
    latency, latency_watch = latency_run(rpc, args, run + "-backlog")
    figures = {
        "deployment": args.deployment,
        "events": args.events,
        "batch_size": BATCH_SIZE,
        "senders": args.concurrency,
        **applied,
        "jsonrpc_creates_per_second": round(rpc_rate, 1),
        "ratio_applied_events_to_jsonrpc_creates": round(
            applied["applied_per_second"] / rpc_rate, 1
        ),
        **latency,
        # The goals on this machine (a report, not a test).
        "goal_applied_per_second_at_least_1000": applied["applied_per_second"] >= 1000,
        "goal_backlog_p95_under_100_ms": latency["backlog_p95_ms"] < 100,
    }
    not_processed = sum(
        count
        for states in (applied["applied_states"], latency["backlog_states"])
        for state, count in states.items()
        if state != "processed"
    )
    return figures, not_processed, (watch, latency_watch)


def run_acceptance(rpc, args, run):
    credentials, _watch = new_client(rpc, args)
    rpc_rate = bench_jsonrpc(rpc, args.rpc_creates)
    accepted, start, sent = send_batches(
        args.url, credentials, make_batches(args.events, run), args.concurrency
    )
    latencies, _overlap = bench_single(args.url, credentials, args.singles, run)
    race, race_times = race_duplicates(args.url, credentials, args.race_pairs, run)
    batch_rate = accepted / (sent - start)
    figures = {
        "deployment": args.deployment,
        "batch_events_accepted": accepted,
        "batch_seconds": round(sent - start, 2),
        "batch_events_per_second": round(batch_rate),
        "batch_concurrency": args.concurrency,
        "single_p50_ms": ms(percentile(latencies, 0.50)),
        "single_p95_ms": ms(percentile(latencies, 0.95)),
        "jsonrpc_creates_per_second": round(rpc_rate, 1),
        "ratio_batch_events_to_jsonrpc_creates": round(batch_rate / rpc_rate, 1),
        "duplicate_race_status_pairs": race,
        # The slower answer of a pair waits for the other's transaction.
        "duplicate_race_slower_answer_p50_ms": ms(percentile(race_times, 0.50)),
        "duplicate_race_slower_answer_p95_ms": ms(percentile(race_times, 0.95)),
    }
    bad_race = sum(n for pair, n in race.items() if pair != "200+202")
    return figures, bad_race, ()


def jsonrpc_yardstick(figures):
    return ("JSON-RPC create", figures["jsonrpc_creates_per_second"], "calls/s")


def applied_summary(args, figures):
    """The headline figures of ``--mode applied`` and their goals."""
    name, yardstick = "inbound, scale-out", jsonrpc_yardstick(figures)
    applied = figures["applied_per_second"]
    accepted = figures["accepted_per_second_same_run"]
    p95 = figures["backlog_p95_ms"]
    return [
        summary_row(
            name,
            f"events applied ({args.events:,}, batches of {BATCH_SIZE})",
            applied,
            "events/s",
            yardstick=yardstick,
            ratio=times(applied, yardstick[1]),
            goal="≥ 1,000 events/s",
            goal_met=applied >= 1000,
        ),
        summary_row(
            name,
            "events accepted in the same run",
            accepted,
            "events/s",
            yardstick=yardstick,
            ratio=times(accepted, yardstick[1]),
        ),
        summary_row(
            name,
            f"single event during a backlog, p50 ({args.singles})",
            figures["backlog_p50_ms"],
            "ms",
        ),
        summary_row(
            name,
            "single event during a backlog, p95",
            p95,
            "ms",
            goal="< 100 ms",
            goal_met=p95 < 100,
        ),
    ]


def acceptance_summary(args, figures, bad_race):
    """The headline figures of ``--mode acceptance`` and their goals."""
    name, yardstick = "inbound, no runner", jsonrpc_yardstick(figures)
    accepted = figures["batch_events_per_second"]
    return [
        summary_row(
            name,
            f"events accepted ({args.events:,}, batches of {BATCH_SIZE})",
            accepted,
            "events/s",
            yardstick=yardstick,
            ratio=times(accepted, yardstick[1]),
            goal="≥ 2,000 events/s",
            goal_met=accepted >= 2000,
        ),
        summary_row(name, "single event, p50", figures["single_p50_ms"], "ms"),
        summary_row(name, "single event, p95", figures["single_p95_ms"], "ms"),
        summary_row(
            name,
            "same event twice at once: 202 + 200",
            args.race_pairs - bad_race,
            f"of {args.race_pairs} pairs",
            goal="every pair",
            goal_met=not bad_race,
        ),
    ]


def main():
    parser = argument_parser(__doc__)
    parser.add_argument("--mode", choices=("applied", "acceptance"), required=True)
    parser.add_argument("--events", type=int, default=10000, help="events per run")
    parser.add_argument("--concurrency", type=int, default=2, help="batch senders")
    parser.add_argument("--singles", type=int, default=200)
    parser.add_argument("--rpc-creates", type=int, default=500)
    parser.add_argument("--race-pairs", type=int, default=50)
    parser.add_argument("--timeout", type=int, default=1800, help="per wait, s")
    parser.add_argument(
        "--stall", type=int, default=180, help="fail when no event is final for so long"
    )
    args = parser.parse_args()

    rpc = JsonRpc(args.url, args.db, args.login, args.password)
    run = uuid.uuid4().hex[:6]
    # Warm up the API workers (routing map, registry, schema validators).
    warm_credentials, _watch = new_client(rpc, args)
    bench_single(args.url, warm_credentials, 5, run + "-warm")
    bench_jsonrpc(rpc, 20)
    if args.mode == "applied":
        figures, failures, watches = run_applied(rpc, args, run)
        summary = applied_summary(args, figures)
    else:
        figures, failures, watches = run_acceptance(rpc, args, run)
        summary = acceptance_summary(args, figures, failures)
    report(figures, args.json)
    write_summary(args.summary, summary)
    if failures:
        errors = "".join(watch.dead_errors() for watch in watches)
        print(f"FAILED: {failures} unexpected outcome(s){errors}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit("interrupted")
