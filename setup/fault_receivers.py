# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Loopback partner systems for setup/fault_injection.py: each verifies the
Standard Webhooks signature of every request, records every webhook-id it
receives (with how many times), and misbehaves on a share of the requests:

- ``error``: answers HTTP 500;
- ``timeout``: answers only after a sleep longer than the connector's
  timeout, so Odoo gives up waiting;
- ``throttle``: answers 429 with ``Retry-After: 1``.
"""

import json
import random
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "addons/integration_log"))
from protocol import signature  # noqa: E402

FAULTS = ("error", "timeout", "throttle")


class FaultyReceiver:
    """One partner endpoint on 127.0.0.1, in threads of this process."""

    def __init__(self, name, fault, share, seed, sleep_seconds):
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}")
        self.name, self.fault, self.share = name, fault, share
        self.sleep_seconds = sleep_seconds
        self.secrets = []
        self.lock = threading.Lock()
        self.rng = random.Random(seed)
        # webhook-id -> requests received with a valid signature
        self.received = Counter()
        # webhook-ids answered 2xx (the partner took the event)
        self.acked = set()
        self.answers = Counter()
        self.bad_signatures = 0
        self.id_mismatches = 0
        self.unanswered = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_class(self))
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return "http://127.0.0.1:%d/hooks" % self.server.server_address[1]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def handle(self, headers, raw):
        """What to answer: ``(status, extra headers, seconds to sleep first)``."""
        webhook_id = headers.get("webhook-id") or ""
        if not signature.verify_headers(self.secrets, headers, raw):
            with self.lock:
                self.bad_signatures += 1
                self.answers[401] += 1
            return 401, {}, 0
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        with self.lock:
            self.received[webhook_id] += 1
            if not isinstance(body, dict) or body.get("id") != webhook_id:
                # Real-time deliveries carry the event id as webhook-id.
                self.id_mismatches += 1
            misbehave = self.rng.random() < self.share
        if misbehave and self.fault == "error":
            return self._answered(500, webhook_id), {}, 0
        if misbehave and self.fault == "throttle":
            return self._answered(429, webhook_id), {"Retry-After": "1"}, 0
        if misbehave and self.fault == "timeout":
            with self.lock:
                self.unanswered += 1
            return 200, {}, self.sleep_seconds
        return self._answered(200, webhook_id), {}, 0

    def _answered(self, status, webhook_id):
        with self.lock:
            self.answers[status] += 1
            if 200 <= status < 300:
                self.acked.add(webhook_id)
        return status

    def snapshot(self):
        with self.lock:
            return {
                "requests": sum(self.answers.values()) + self.unanswered,
                "distinct_ids": len(self.received),
                "acked": len(self.acked),
                "duplicates": sum(n - 1 for n in self.received.values()),
                "max_receipts": max(self.received.values(), default=0),
                "answers": dict(sorted(self.answers.items())),
                "timed_out": self.unanswered,
                "bad_signatures": self.bad_signatures,
                "id_mismatches": self.id_mismatches,
            }


def _handler_class(receiver):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out as two writes: without this, Nagle and
        # delayed ACKs add 40 ms to every answer.
        disable_nagle_algorithm = True

        def do_POST(self):  # noqa: N802 (http.server API)
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status, extra, sleep = receiver.handle(self.headers, raw)
            if sleep:
                # Odoo has given up by then; the late answer goes nowhere.
                time.sleep(sleep)
                self.close_connection = True
            data = b"{}"
            try:
                self.send_response(status)
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                self.close_connection = True

        def log_message(self, *_args):
            return

    return Handler
