# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A real HTTP partner for outbound tests, listening on 127.0.0.1: the
backbone's and those of the domain modules built on it."""

import json
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from odoo.addons.integration_log.protocol import signature


class Receiver:
    """Records what Odoo sends and answers with scripted responses.

    Each request is checked against ``secrets`` as a partner would, with
    the Standard Webhooks verification of the suite's own protocol module.
    """

    def __init__(self):
        self.requests = []
        self.secrets = []
        self._script = deque()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self):
        host, port = self._server.server_address
        return f"http://{host}:{port}/hooks"

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    def respond(self, status, times=1, headers=None, delay=0.0, body=None):
        """Answer the next ``times`` requests so; then 200 again."""
        with self._lock:
            for _index in range(times):
                self._script.append((status, headers or {}, delay, body))

    def reset(self):
        with self._lock:
            self._script.clear()
            self.requests.clear()

    def events(self):
        """The CloudEvents received, in order (batches flattened)."""
        result = []
        for request in self.requests:
            body = request["json"]
            result.extend(body if isinstance(body, list) else [body])
        return result

    def received(self, event_type):
        """The events of ``event_type`` received with a valid signature."""
        with self._lock:
            requests = [r for r in self.requests if r["verified"]]
        return [
            event
            for request in requests
            for event in (
                request["json"]
                if isinstance(request["json"], list)
                else [request["json"]]
            )
            if event.get("type") == event_type
        ]

    def _next_response(self):
        with self._lock:
            if self._script:
                return self._script.popleft()
        return 200, {}, 0.0, None

    def _record(self, headers, raw):
        verified = signature.verify_headers(self.secrets, headers, raw)
        with self._lock:
            self.requests.append(
                {
                    "headers": dict(headers),
                    "raw": raw,
                    "json": json.loads(raw),
                    "verified": verified,
                }
            )

    def _handler_class(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            # Headers and body go out as two writes: without this, Nagle and
            # delayed ACKs add 40 ms to every answer.
            disable_nagle_algorithm = True

            def do_POST(self):  # noqa: N802 (http.server API)
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver._record(self.headers, raw)
                status, headers, delay, body = receiver._next_response()
                if delay:
                    time.sleep(delay)
                payload = body or json.dumps({"status": status}).encode()
                try:
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    # Odoo gave up waiting (timeout test): nobody to answer.
                    self.close_connection = True

            def log_message(self, *_args):
                pass

        return Handler
