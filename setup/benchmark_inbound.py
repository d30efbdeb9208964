#!/usr/bin/env python3
# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Benchmark of the inbound API against a running Odoo server.

Measures, in one run:
- accepted events per second through POST /events with signed batches of 500;
- single-event latency (p50, p95) of POST /events;
- as the yardstick, plain ``create`` calls of a trivial record per second
  through Odoo's JSON-RPC.

It sets up its own integration client over JSON-RPC (as admin), so it needs a
database with mfg_integration_suite and the test addon test_integration_log
(which declares the event type used here). setup/benchmark.sh prepares one.
"""

import json
import sys
import threading
import time
import uuid
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchmark_common import JsonRpc, argument_parser, report  # noqa: E402
from protocol import signature  # noqa: E402

EVENT_TYPE = "test.widget.upserted.v1"


def make_client(rpc):
    suffix = uuid.uuid4().hex[:8]
    user_id = rpc.execute(
        "res.users",
        "create",
        {"name": f"Benchmark MES {suffix}", "login": f"bench-{suffix}"},
    )
    client_id = rpc.execute(
        "integration.client",
        "create",
        {
            "name": f"Benchmark {suffix}",
            "user_id": user_id,
            "allowed_event_types": "test.widget.*",
            "allowed_sources": "urn:mes:benchmark",
            "rate_limit_per_minute": 0,
        },
    )
    return rpc.execute("integration.client", "issue_credentials", [client_id])


def make_event(index, run):
    return {
        "specversion": "1.0",
        "id": f"{run}-{index}",
        "source": "urn:mes:benchmark",
        "type": EVENT_TYPE,
        "time": "2026-03-01T08:00:00Z",
        "subject": f"W-{run}-{index % 1000}",
        "sequence": index + 1,
        "data": {"name": f"W-{run}-{index % 1000}", "quantity": 1 + index % 7},
    }


class Sender:
    def __init__(self, base_url, credentials):
        self.url = base_url.rstrip("/") + "/integration/v1/events"
        self.token = credentials["token"]
        self.secret = credentials["signing_secret"]
        self.session = requests.Session()

    def post(self, body, content_type):
        raw = json.dumps(body).encode()
        headers = {
            "Content-Type": content_type,
            "Authorization": f"Bearer {self.token}",
            **signature.sign_headers(self.secret, f"msg_{uuid.uuid4().hex}", raw),
        }
        return self.session.post(self.url, data=raw, headers=headers, timeout=120)


def bench_batches(base_url, credentials, batches, concurrency, run):
    accepted = [0] * concurrency
    errors = []

    def work(worker):
        sender = Sender(base_url, credentials)
        for number in range(worker, batches, concurrency):
            events = [make_event(number * 500 + i, run) for i in range(500)]
            response = sender.post(events, "application/cloudevents-batch+json")
            if response.status_code != 200:
                errors.append(response.text[:300])
                continue
            accepted[worker] += sum(
                r["status"] == "accepted" for r in response.json()["results"]
            )

    threads = [threading.Thread(target=work, args=(w,)) for w in range(concurrency)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise SystemExit("batch errors: " + errors[0])
    return sum(accepted), elapsed


def bench_single(base_url, credentials, count, run):
    sender = Sender(base_url, credentials)
    latencies = []
    for index in range(count):
        event = make_event(index, f"{run}-single")
        start = time.perf_counter()
        response = sender.post(event, "application/cloudevents+json")
        latencies.append(time.perf_counter() - start)
        if response.status_code != 202:
            raise SystemExit(f"single event refused: {response.text[:300]}")
    return latencies


def race_duplicates(base_url, credentials, pairs, run):
    """Send each event twice at the same instant from two connections.

    With two server workers the requests really run concurrently; the unique
    (source, id) index must leave exactly one accepted and one duplicate.
    """
    outcomes = {}
    senders = [Sender(base_url, credentials) for _i in range(2)]
    for number in range(pairs):
        event = make_event(number, f"{run}-race")
        barrier = threading.Barrier(2)
        codes = []

        def send(sender, event=event, barrier=barrier, codes=codes):
            barrier.wait()
            codes.append(sender.post(event, "application/cloudevents+json").status_code)

        threads = [threading.Thread(target=send, args=(s,)) for s in senders]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        key = tuple(sorted(codes))
        outcomes[key] = outcomes.get(key, 0) + 1
    return {f"{a}+{b}": count for (a, b), count in sorted(outcomes.items())}


def bench_jsonrpc(rpc, count):
    start = time.perf_counter()
    for index in range(count):
        rpc.execute("res.partner.category", "create", {"name": f"bench {index}"})
    return count / (time.perf_counter() - start)


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main():
    parser = argument_parser(__doc__)
    parser.add_argument("--batches", type=int, default=40, help="batches of 500")
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--singles", type=int, default=300)
    parser.add_argument("--rpc-creates", type=int, default=500)
    parser.add_argument("--race-pairs", type=int, default=50)
    args = parser.parse_args()

    rpc = JsonRpc(args.url, args.db, args.login, args.password)
    credentials = make_client(rpc)
    run = uuid.uuid4().hex[:6]
    # Warm up worker caches (routing map, registry, schema validators).
    bench_single(args.url, credentials, 5, run + "-warm")
    bench_jsonrpc(rpc, 20)
    rpc_rate = bench_jsonrpc(rpc, args.rpc_creates)
    accepted, elapsed = bench_batches(
        args.url, credentials, args.batches, args.concurrency, run
    )
    latencies = bench_single(args.url, credentials, args.singles, run)
    race = race_duplicates(args.url, credentials, args.race_pairs, run)
    batch_rate = accepted / elapsed
    figures = {
        "batch_events_accepted": accepted,
        "batch_seconds": round(elapsed, 2),
        "batch_events_per_second": round(batch_rate),
        "batch_concurrency": args.concurrency,
        "single_p50_ms": round(percentile(latencies, 0.50) * 1000, 1),
        "single_p95_ms": round(percentile(latencies, 0.95) * 1000, 1),
        "jsonrpc_creates_per_second": round(rpc_rate, 1),
        "ratio_batch_events_to_jsonrpc_creates": round(batch_rate / rpc_rate, 1),
        "duplicate_race_status_pairs": race,
    }
    report(figures, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
