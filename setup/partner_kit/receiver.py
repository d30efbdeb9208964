# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Receive Odoo's outbound webhooks (protocol v1, section 3).

A threaded HTTP server on 127.0.0.1 that checks each request's signature
with the connector's secret (401 when it does not verify or its timestamp
is more than 300 s away), answers 200 at once and hands the events (one,
or each of a batch array) to a handler on a worker thread, in arrival
order, so a slow handler never makes Odoo time out.

Odoo delivers at least once: a retry or a replay keeps its ``webhook-id``.
A request whose ``webhook-id`` (or an event whose source and id) was seen
already is answered 200 and not handed over again. The ids are remembered
in memory (the last ``remember`` of them): a partner that must survive its
own restarts without handling an event twice should also store them.
"""

import collections
import json
import logging
import queue
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import signing

_logger = logging.getLogger(__name__)
MAX_BODY_BYTES = 16 * 1024 * 1024
# How often the server checks for a stop request (it bounds stop()'s wait).
POLL_SECONDS = 0.05
_STOP = object()


class SeenIds:
    """A bounded set of ids, forgetting the oldest first."""

    def __init__(self, size=10000):
        self._ids = collections.OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def add(self, key):
        """Remember ``key``; False when it was already known."""
        with self._lock:
            if key in self._ids:
                return False
            self._ids[key] = None
            if len(self._ids) > self._size:
                self._ids.popitem(last=False)
            return True


class WebhookReceiver:
    """Receive signed webhooks on ``host:port`` (port 0: any free port).

    :param secrets: the connector's signing secret, or a list (rotation).
    :param handler: ``handler(event, webhook_id)``, called on the worker
        thread for each new event.
    """

    def __init__(
        self,
        secrets,
        handler,
        port=0,
        host="127.0.0.1",
        tolerance=signing.TOLERANCE_SECONDS,
        remember=10000,
        clock=time.time,
    ):
        self.secrets = [secrets] if isinstance(secrets, str) else list(secrets)
        self.handler = handler
        self.tolerance = tolerance
        self.clock = clock
        self.seen = SeenIds(remember)
        self.stats = collections.Counter()
        self._queue = queue.Queue()
        self._server = ThreadingHTTPServer((host, port), _make_handler(self))
        self._server.daemon_threads = True
        self._threads = []

    @property
    def port(self):
        return self._server.server_address[1]

    @property
    def url(self):
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/hooks"

    def start(self):
        self._threads = [
            threading.Thread(
                target=self._server.serve_forever,
                args=(POLL_SECONDS,),
                name="receiver-http",
                daemon=True,
            ),
            threading.Thread(target=self._work, name="receiver-worker", daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        return self

    def stop(self, timeout=10.0):
        """Stop listening, then let the worker finish the events received."""
        self._server.shutdown()
        self._server.server_close()
        self._queue.put(_STOP)
        for thread in self._threads:
            thread.join(timeout)

    def close(self):
        """Free the port of a receiver that was never started."""
        self._server.server_close()

    def wait_idle(self, timeout=10.0):
        """Block until every event received so far was handled (tests)."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.01)
        return not self._queue.unfinished_tasks

    def accept(self, headers, raw):
        """Check and queue one request; returns ``(status, answer)``."""
        try:
            webhook_id = signing.verify(
                self.secrets, headers, raw, now=self.clock(), tolerance=self.tolerance
            )
        except signing.SignatureError as err:
            self.stats["refused"] += 1
            return 401, {"error": str(err)}
        try:
            body = json.loads(raw)
        except ValueError:
            return 400, {"error": "the body is not JSON"}
        if not self.seen.add(("webhook", webhook_id)):
            self.stats["duplicate"] += 1
            return 200, {"status": "duplicate"}
        for event in body if isinstance(body, list) else [body]:
            self._queue_event(event, webhook_id)
        return 200, {"status": "received"}

    def _queue_event(self, event, webhook_id):
        key = (
            (event.get("source"), event.get("id")) if isinstance(event, dict) else None
        )
        if key and not self.seen.add(("event", *key)):
            self.stats["duplicate"] += 1
            return
        self.stats["received"] += 1
        self._queue.put((event, webhook_id))

    def _work(self):
        while True:
            item = self._queue.get()
            try:
                if item is _STOP:
                    return
                self.handler(*item)
            except Exception:  # one bad event must not stop the others
                _logger.exception("webhook handler failed")
            finally:
                self._queue.task_done()


def _make_handler(receiver):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out as two writes: without this, Nagle's
        # algorithm and delayed ACKs add 40 ms to every answer.
        disable_nagle_algorithm = True

        def do_POST(self):  # noqa: N802 (http.server API)
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY_BYTES:
                self._answer(413, {"error": "body too large"}, close=True)
                return
            raw = self.rfile.read(length)
            self._answer(*receiver.accept(self.headers, raw))

        def _answer(self, status, payload, close=False):
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if close:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_args):
            return

    return Handler
