# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A small stand-in for Odoo's ``/integration/v1`` over real loopback HTTP.

It checks the bearer token and the Standard Webhooks signature, and answers
as protocol v1 says: 202 for a new event, 200 ``duplicate`` for a resend,
409 for an id reused with other content, 200 with per-event results for a
batch, 400 problems with JSON Pointers, 415 for a wrong content type. Tests
can script the next answers (429 with Retry-After, 503...) and stop it and
start it again on the same port, as an Odoo outage would.
"""

import collections
import dataclasses
import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from partner_kit import signing

API = "/integration/v1"
TOKEN = "test-token"
SECRET = "whsec_dGVzdC1zdGFuZC1pbi1zaWduaW5nLXNlY3JldC0zMmI="
SOURCE = "urn:test:partner"
SINGLE = "application/cloudevents+json"
BATCH = "application/cloudevents-batch+json"
REQUIRED = ("specversion", "id", "source", "type", "time", "subject", "data")


def problem(status, title, detail="", errors=None):
    body = {
        "type": "urn:mfg-integration:problem:" + title.lower().replace(" ", "-"),
        "title": title,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    return body


@dataclasses.dataclass
class Request:
    method: str
    path: str
    content_type: str
    size: int
    events: int
    webhook_id: str | None


class StandInOdoo:
    """``clients`` maps tokens to their signing secrets."""

    def __init__(self, clients=None, port=0):
        self.clients = clients or {TOKEN: [SECRET]}
        self.port = port
        self.lock = threading.Lock()
        self.received = []  # events accepted, in arrival order
        self.stored = {}  # (source, id) -> payload hash
        self.duplicates = 0
        self.refused = []  # (event, problem) of every event refused
        self.requests = []
        self.documents = []  # XML bodies of POST /plm/bom
        self.script = collections.deque()  # (status, body, headers) to answer next
        self.reject = _bad_flag  # event -> problem dict, or None
        self._server = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        server = ThreadingHTTPServer(("127.0.0.1", self.port), _handler(self))
        server.daemon_threads = True
        self.port = server.server_address[1]
        self._server = server
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self):
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def events_of(self, event_type):
        with self.lock:
            return [e for e in self.received if e["type"] == event_type]

    # ------------------------------------------------------------------
    # The API
    # ------------------------------------------------------------------
    def post(self, path, content_type, raw):
        """The answer to a POST that passed authentication."""
        with self.lock:
            scripted = self.script.popleft() if self.script else None
        if scripted:
            return scripted
        if path == "/events":
            return self.post_events(content_type, raw)
        if path == "/plm/bom" and content_type == "application/xml":
            return self.post_bom(raw)
        return 404, problem(404, "Not found", path)

    def post_events(self, content_type, raw):
        if content_type not in (SINGLE, BATCH):
            return 415, problem(415, "Unsupported media type", content_type)
        try:
            body = json.loads(raw)
        except ValueError:
            return 400, problem(400, "Invalid JSON", "the body is not JSON")
        if content_type == SINGLE:
            return self._single(body)
        if not isinstance(body, list) or not 1 <= len(body) <= 500:
            return 400, problem(400, "Invalid request", "a batch is 1 to 500 events")
        if len(raw) > 5 * 1024 * 1024:
            return 413, problem(413, "Too large", f"{len(raw)} bytes")
        return 200, {
            "results": [self._batch_item(event, i) for i, event in enumerate(body)]
        }

    def _single(self, event):
        refusal = self._check(event, "")
        if refusal:
            return 400, refusal
        status = self._store(event)
        if status == "conflict":
            return 409, problem(409, "Conflict", f"id {event['id']} reused")
        code = 202 if status == "accepted" else 200
        return code, {"id": event["id"], "source": event["source"], "status": status}

    def _batch_item(self, event, index):
        refusal = self._check(event, f"/{index}")
        if refusal is None:
            status = self._store(event)
            if status != "conflict":
                return {"id": event["id"], "status": status}
            refusal = problem(409, "Conflict", f"id {event['id']} reused")
        event_id = event.get("id") if isinstance(event, dict) else None
        return {"id": event_id, "status": "rejected", "error": refusal}

    def _check(self, event, base):
        if not isinstance(event, dict):
            return problem(
                400, "Invalid envelope", "not an object", [{"pointer": base}]
            )
        missing = [name for name in REQUIRED if name not in event]
        if missing:
            errors = [
                {"pointer": f"{base}/{n}", "message": "required"} for n in missing
            ]
            return problem(400, "Invalid envelope", "missing attributes", errors)
        refusal = self.reject(event)
        if refusal:
            for error in refusal.get("errors", []):
                error["pointer"] = base + error["pointer"]
            with self.lock:
                self.refused.append((event, refusal))
        return refusal

    def _store(self, event):
        key = (event["source"], event["id"])
        digest = hashlib.sha256(json.dumps(event, sort_keys=True).encode()).hexdigest()
        with self.lock:
            known = self.stored.get(key)
            if known is None:
                self.stored[key] = digest
                self.received.append(event)
                return "accepted"
            if known == digest:
                self.duplicates += 1
                return "duplicate"
            return "conflict"

    def post_bom(self, raw):
        digest = hashlib.sha256(raw).hexdigest()
        with self.lock:
            duplicate = digest in (
                hashlib.sha256(d).hexdigest() for d in self.documents
            )
            if not duplicate:
                self.documents.append(raw)
        status = "duplicate" if duplicate else "accepted"
        return (200 if duplicate else 202), {
            "id": "bom-" + digest[:16],
            "status": status,
        }

    def get(self, path, query):
        if path.startswith("/events/"):
            key = (query.get("source"), path[len("/events/") :])
            if key not in self.stored:
                return 404, problem(404, "Not found", f"no event {key[1]}")
            return 200, {"id": key[1], "source": key[0], "state": "processed"}
        if path == "/lots/trace":
            root = {"product": query.get("product"), "lot": query.get("lot")}
            return 200, {"root": root, "direction": query.get("direction"), "nodes": []}
        if path == "/lots/recall":
            return 200, {
                "lots": [{"product": query.get("product"), "lot": query.get("lot")}]
            }
        return 404, problem(404, "Not found", path)


def _bad_flag(event):
    """Refuse events whose data says ``"bad": true`` (a schema error)."""
    data = event.get("data")
    if isinstance(data, dict) and data.get("bad"):
        return problem(
            400,
            "Invalid data",
            "data does not match the schema",
            [{"pointer": "/data/bad", "message": "unknown field"}],
        )
    return None


def _handler(odoo):
    class Handler(BaseHTTPRequestHandler):
        # HTTP/1.0: one request per connection, so a stopped stand-in is
        # really unreachable (no kept-alive connection still answering).
        protocol_version = "HTTP/1.0"

        def do_GET(self):  # noqa: N802
            url = urlsplit(self.path)
            path = url.path[len(API) :]
            if path == "/health":
                self._answer(200, {"status": "ok"})
                return
            if not self._authorized(b""):
                return
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            self._answer(*odoo.get(path, query))

        def do_POST(self):  # noqa: N802
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            path = urlsplit(self.path).path[len(API) :]
            content_type = (self.headers.get("Content-Type") or "").split(";")[0]
            self._record(path, content_type, raw)
            if not self._authorized(raw, signed=True):
                return
            self._answer(*odoo.post(path, content_type, raw))

        def _record(self, path, content_type, raw):
            try:
                count = len(json.loads(raw)) if content_type == BATCH else 1
            except ValueError:
                count = 0
            with odoo.lock:
                odoo.requests.append(
                    Request(
                        "POST",
                        path,
                        content_type,
                        len(raw),
                        count,
                        self.headers.get("webhook-id"),
                    )
                )

        def _authorized(self, raw, signed=False):
            token = (self.headers.get("Authorization") or "")[len("Bearer ") :]
            if token not in odoo.clients:
                self._answer(401, problem(401, "Unauthorized", "unknown token"))
                return False
            if signed:
                try:
                    signing.verify(odoo.clients[token], self.headers, raw)
                except signing.SignatureError as err:
                    self._answer(401, problem(401, "Bad signature", str(err)))
                    return False
            return True

        def _answer(self, status, body, headers=None):
            data = json.dumps(body).encode()
            self.send_response(status)
            content_type = "application/problem+json" if status >= 400 else None
            self.send_header("Content-Type", content_type or "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_args):
            return

    return Handler
