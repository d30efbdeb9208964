# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Schemathesis hooks of setup/fuzz.sh: signed requests and the figures.

- Every request carries the client's token; write requests are signed per
  Standard Webhooks over the exact bytes sent (a requests auth object runs
  after the body is serialised). A share of them (MFG_FUZZ_UNSIGNED_SHARE,
  default 0.1) keep the signature headers schemathesis generated, so the
  signature checks are fuzzed too.
- Each answer is counted per operation and status; the counts, and the
  first server errors, are written to MFG_FUZZ_STATS (JSON) at exit.

Runs in schemathesis' own virtualenv: it needs only the suite's pure
protocol package, not Odoo.
"""

import atexit
import json
import os
import random
import sys
import threading
import uuid
from collections import Counter, defaultdict
from pathlib import Path

import requests
import schemathesis

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "addons/integration_log"))
from protocol import signature  # noqa: E402

TOKEN = os.environ["MFG_FUZZ_TOKEN"]
SECRET = os.environ["MFG_FUZZ_SECRET"]
STATS_PATH = os.environ["MFG_FUZZ_STATS"]
UNSIGNED_SHARE = float(os.environ.get("MFG_FUZZ_UNSIGNED_SHARE", "0.1"))
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
MAX_SAMPLES = 20

_lock = threading.Lock()
_counts = defaultdict(Counter)  # operation label -> Counter(status code)
_server_errors = []  # the first MAX_SAMPLES 5xx answers


class SignedRequest(requests.auth.AuthBase):
    """The token, and the signature of the body exactly as it is sent."""

    def __call__(self, prepared):
        prepared.headers["Authorization"] = f"Bearer {TOKEN}"
        if prepared.method not in WRITE_METHODS:
            return prepared
        if random.random() < UNSIGNED_SHARE:
            return prepared
        body = prepared.body or b""
        if isinstance(body, str):
            body = body.encode()
            prepared.body = body
            prepared.headers["Content-Length"] = str(len(body))
        if not isinstance(body, bytes):
            return prepared  # a stream: left unsigned
        prepared.headers.update(
            signature.sign_headers(SECRET, f"msg_{uuid.uuid4().hex}", body)
        )
        return prepared


@schemathesis.hook
def before_call(context, case, kwargs):
    kwargs["auth"] = SignedRequest()


@schemathesis.hook
def after_call(context, case, response):
    status = response.status_code
    with _lock:
        _counts[case.operation.label][status] += 1
        if status >= 500 and len(_server_errors) < MAX_SAMPLES:
            request = response.request
            _server_errors.append(
                {
                    "operation": case.operation.label,
                    "status": status,
                    "url": request.url[:500],
                    "request_body": _excerpt(request.body),
                    "response_body": _excerpt(response.content),
                }
            )


def _excerpt(body):
    if body is None:
        return None
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    return body[:1000]


def _write_stats():
    with _lock:
        stats = {
            "operations": {
                label: {str(status): n for status, n in sorted(counter.items())}
                for label, counter in sorted(_counts.items())
            },
            "server_errors": _server_errors,
        }
    Path(STATS_PATH).write_text(json.dumps(stats, indent=2), encoding="utf-8")


atexit.register(_write_stats)
