#!/usr/bin/env python3
# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Benchmark of outbound deliveries against a running Odoo with its job runner.

Measures, in one run, with the server's queue_job runner at capacity 2:
- the yardstick: no-op queue_job jobs done per second;
- real-time deliveries per second from Odoo to a local receiver (one HTTP
  POST per event, each signed, each delivery with its own state);
- events per second in batch mode (arrays of up to 500 events per POST).

The receiver runs in this process on 127.0.0.1, answers 200 and checks every
signature. It needs a database with mfg_integration_suite and the test addon
test_integration_log (its event type and benchmark helpers); setup/benchmark.sh
prepares one.
"""

import json
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchmark_common import (  # noqa: E402
    JsonRpc,
    argument_parser,
    report,
    summary_row,
    times,
    write_summary,
)
from protocol import signature  # noqa: E402


class Receiver:
    """Counts the events received and verifies every signature."""

    def __init__(self):
        self.events = 0
        self.requests = 0
        self.bad_signatures = 0
        self.webhook_ids = set()
        self.secrets = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as real partners
            # Headers and body go out as two writes: without this, Nagle
            # and delayed ACKs add 40 ms to every answer.
            disable_nagle_algorithm = True

            def do_POST(self):  # noqa: N802 (http.server API)
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.record(self.headers, raw)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *_args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self):
        return "http://127.0.0.1:%d/hooks" % self.server.server_address[1]

    def record(self, headers, raw):
        ok = signature.verify_headers(self.secrets, headers, raw)
        body = json.loads(raw)
        with self.lock:
            self.requests += 1
            self.events += len(body) if isinstance(body, list) else 1
            self.bad_signatures += not ok
            self.webhook_ids.add(headers.get("webhook-id"))

    def reset(self):
        with self.lock:
            self.events = self.requests = self.bad_signatures = 0
            self.webhook_ids = set()


def wait_for(predicate, timeout, what):
    start = time.perf_counter()
    while not predicate():
        if time.perf_counter() - start > timeout:
            raise SystemExit(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)
    return time.perf_counter() - start


def bench_noop_jobs(rpc, count, timeout):
    before = rpc.execute("queue.job", "search_count", [["state", "=", "done"]])
    start = time.perf_counter()
    rpc.execute("test.integration.widget", "enqueue_noop_jobs", count)

    def done():
        return (
            rpc.execute("queue.job", "search_count", [["state", "=", "done"]])
            >= before + count
        )

    wait_for(done, timeout, f"{count} no-op jobs")
    return count / (time.perf_counter() - start)


def make_connector(rpc, receiver, name, **values):
    connector_id = rpc.execute(
        "integration.connector",
        "create",
        {"name": name, "url": receiver.url, "event_types": "test.widget.*", **values},
    )
    secret = rpc.execute(
        "integration.connector", "issue_signing_secret", [connector_id]
    )
    receiver.secrets = [secret["signing_secret"]]
    return connector_id


def bench_deliveries(rpc, receiver, connector_id, count, timeout):
    """Events emitted in one business transaction, then delivered.

    ``per_second`` counts from the commit of that transaction (when the
    deliveries become visible to the dispatch jobs) until every delivery is
    recorded as delivered; ``end_to_end_per_second`` includes writing the
    events in the outbox.
    """
    receiver.reset()
    prefix = uuid.uuid4().hex[:6]
    start = time.perf_counter()
    rpc.execute("test.integration.widget", "emit_benchmark_events", count, prefix)
    emitted = time.perf_counter() - start
    wait_for(lambda: receiver.events >= count, timeout, f"{count} deliveries")

    def all_delivered():
        return (
            rpc.execute(
                "integration.delivery",
                "search_count",
                [["connector_id", "=", connector_id], ["state", "!=", "delivered"]],
            )
            == 0
        )

    wait_for(all_delivered, timeout, "the deliveries to be recorded")
    elapsed = time.perf_counter() - start
    jobs = rpc.execute(
        "queue.job",
        "search_count",
        [["method_name", "=", "_job_dispatch"], ["state", "=", "done"]],
    )
    return {
        "events": count,
        "emit_seconds": round(emitted, 2),
        "emitted_per_second": round(count / emitted, 1),
        "seconds_after_commit": round(elapsed - emitted, 2),
        "per_second": round(count / (elapsed - emitted), 1),
        "end_to_end_per_second": round(count / elapsed, 1),
        "requests": receiver.requests,
        "distinct_webhook_ids": len(receiver.webhook_ids),
        "bad_signatures": receiver.bad_signatures,
        "dispatch_jobs_done_so_far": jobs,
    }


def summary(args, noop_rate, realtime, batch):
    """The headline figures and their goals; the yardstick of the run is the
    rate of no-op jobs."""
    yardstick = ("no-op queue_job jobs", round(noop_rate, 1), "jobs/s")
    realtime_ratio = times(realtime["per_second"], noop_rate)
    return [
        summary_row(
            "outbound",
            f"real-time deliveries ({args.realtime_events:,}, a POST each)",
            realtime["per_second"],
            "events/s",
            yardstick=yardstick,
            ratio=realtime_ratio,
            goal="≥ 5× no-op jobs",
            goal_met=realtime_ratio >= 5,
        ),
        summary_row(
            "outbound",
            f"batch mode ({args.batch_events:,}, arrays of 500)",
            batch["per_second"],
            "events/s",
            yardstick=yardstick,
            ratio=times(batch["per_second"], noop_rate),
            goal="≥ 2,000 events/s",
            goal_met=batch["per_second"] >= 2000,
        ),
        summary_row(
            "outbound",
            f"outbox writes ({args.realtime_events:,} in one transaction)",
            realtime["emitted_per_second"],
            "events/s",
        ),
    ]


def main():
    parser = argument_parser(__doc__)
    parser.add_argument("--noop-jobs", type=int, default=600)
    parser.add_argument("--realtime-events", type=int, default=3000)
    parser.add_argument("--batch-events", type=int, default=20000)
    parser.add_argument("--timeout", type=int, default=600)
    args = parser.parse_args()

    rpc = JsonRpc(args.url, args.db, args.login, args.password)
    rpc.execute("integration.allowed.host", "create", {"name": "127.0.0.1"})
    receiver = Receiver()
    bench_noop_jobs(rpc, 20, args.timeout)  # warm up workers and runner
    noop_rate = bench_noop_jobs(rpc, args.noop_jobs, args.timeout)

    realtime = make_connector(rpc, receiver, "Benchmark real time")
    bench_deliveries(rpc, receiver, realtime, 50, args.timeout)  # warm up
    realtime_figures = bench_deliveries(
        rpc, receiver, realtime, args.realtime_events, args.timeout
    )
    rpc.execute("integration.connector", "write", [realtime], {"active": False})

    batch = make_connector(
        rpc,
        receiver,
        "Benchmark batch",
        mode="batch",
        batch_size=500,
        batch_interval=1,
    )
    batch_figures = bench_deliveries(
        rpc, receiver, batch, args.batch_events, args.timeout
    )
    figures = {
        "deployment": args.deployment,
        "noop_jobs_per_second": round(noop_rate, 1),
        "realtime_deliveries_per_second": realtime_figures["per_second"],
        "ratio_realtime_to_noop_jobs": round(
            realtime_figures["per_second"] / noop_rate, 1
        ),
        "batch_events_per_second": batch_figures["per_second"],
        "realtime": realtime_figures,
        "batch": batch_figures,
    }
    report(figures, args.json)
    write_summary(
        args.summary, summary(args, noop_rate, realtime_figures, batch_figures)
    )
    bad = realtime_figures["bad_signatures"] + batch_figures["bad_signatures"]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
