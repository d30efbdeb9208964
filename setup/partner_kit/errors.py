# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What can go wrong talking to Odoo, as exceptions a partner can act on."""

import json


class IntegrationError(Exception):
    """Base class of the kit's errors."""


class TransportError(IntegrationError):
    """Odoo could not be reached or asked to wait (connection error,
    timeout, 5xx, 429), still so after the retries: send again later, with
    the same event ids.

    ``status`` is the last HTTP status (None for a connection error or a
    timeout); ``retry_after`` the seconds Odoo asked to wait, if it did.
    """

    def __init__(self, message, status=None, retry_after=None):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after
        self.results = []


class ProblemError(IntegrationError):
    """Odoo refused the request (4xx): an RFC 9457 problem. Sending the
    same request again gives the same answer, so it is never retried.

    ``errors`` are ``{"pointer", "message"}`` items naming the bad members
    of the request body (JSON Pointers).
    """

    def __init__(self, status, problem):
        self.status = status
        self.problem = problem
        self.type = problem.get("type", "about:blank")
        self.title = problem.get("title") or f"HTTP {status}"
        self.detail = problem.get("detail") or ""
        self.errors = problem.get("errors") or []
        self.results = []
        super().__init__(self._message())

    @classmethod
    def from_response(cls, response):
        """The problem of a refused ``requests`` response, JSON or not."""
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            body = {
                "title": response.reason or f"HTTP {response.status_code}",
                "detail": (response.text or "")[:300],
            }
        return cls(response.status_code, body)

    @property
    def reason(self):
        """The problem type's last part: ``invalid-data``, ``conflict``..."""
        return self.type.rsplit(":", 1)[-1]

    def _message(self):
        text = f"{self.status} {self.title}"
        if self.detail:
            text += f": {self.detail}"
        pointers = "; ".join(
            f"{e.get('pointer')}: {e.get('message')}" for e in self.errors[:5]
        )
        return f"{text} [{pointers}]" if pointers else text

    def to_json(self):
        return json.dumps({"status": self.status, **self.problem})
