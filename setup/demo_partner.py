#!/usr/bin/env python3
# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A demo partner system: receives Odoo's outbound events and prints them.

It listens on 127.0.0.1 (port 8099 by default), verifies each request's
Standard Webhooks signature with the demo connector's published secret, and
answers 200, or 401 when the signature does not verify. setup/demo.sh starts
it next to the demo server.
"""

import argparse
import json
import sys
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "addons/integration_log"))
from protocol import signature  # noqa: E402

DEMO_SECRET = "whsec_ZGVtby1wYXJ0bmVyLXNpZ25pbmctc2VjcmV0LTMyYg=="


def make_handler(secret):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out as two writes: without this, Nagle and
        # delayed ACKs add 40 ms to every answer.
        disable_nagle_algorithm = True

        def do_POST(self):  # noqa: N802 (http.server API)
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if not signature.verify_headers([secret], self.headers, raw):
                self._answer(401, {"error": "webhook-signature does not verify"})
                return
            body = json.loads(raw)
            for event in body if isinstance(body, list) else [body]:
                print(
                    f"{datetime.now():%H:%M:%S} {self.headers.get('webhook-id')} "
                    f"{event.get('type')} {event.get('subject')} "
                    f"{json.dumps(event.get('data'))}",
                    flush=True,
                )
            self._answer(200, {"status": "received"})

        def _answer(self, status, payload):
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_args):
            return

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument("--secret", default=DEMO_SECRET)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(args.secret))
    print(f"Demo partner listening on http://127.0.0.1:{args.port}/hooks", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
