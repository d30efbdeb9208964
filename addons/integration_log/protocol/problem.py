# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""RFC 9457 problem details for the inbound API."""

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:mfg-integration:problem:"

# reason -> (status, title); the reason is also the refusal reason code.
REASONS = {
    "unauthorized": (401, "Missing, unknown or inactive client token"),
    "bad_signature": (401, "Bad or missing request signature"),
    "stale_timestamp": (401, "Request timestamp outside the accepted window"),
    "ip_forbidden": (403, "Client IP address not allowed"),
    "type_forbidden": (403, "Event type not allowed for this client"),
    "source_forbidden": (403, "Event source not allowed for this client"),
    "forbidden": (403, "The client's technical user may not read this"),
    "unsupported_media_type": (415, "Unsupported content type"),
    "invalid_json": (400, "Request body is not valid JSON"),
    "invalid_envelope": (400, "Invalid CloudEvents envelope"),
    "unknown_type": (400, "Unknown event type"),
    "invalid_data": (400, "Event data does not match the schema of its type"),
    "invalid_request": (400, "Invalid request"),
    "too_large": (413, "Request too large"),
    "rate_limited": (429, "Rate limit exceeded"),
    "conflict": (409, "Event id already used with a different payload"),
    "not_found": (404, "Not found"),
    "unavailable": (503, "The database is unavailable; send again later"),
}


class ProblemError(Exception):
    """A refusal of the API, rendered as an RFC 9457 problem."""

    def __init__(
        self, reason, detail, errors=None, headers=None, *, event=None, client=None
    ):
        """:param event: the event (as sent) the refusal is about, if any.
        :param client: the client, when it was known before the refusal
            (authenticated, but from an address it may not use)."""
        super().__init__(detail)
        self.reason = reason
        self.status, self.title = REASONS[reason]
        self.detail = detail
        self.errors = errors or []
        self.headers = headers or {}
        self.event = event
        self.client = client

    def to_dict(self, instance=None):
        return problem_dict(self.reason, self.detail, self.errors, instance)


def problem_dict(reason, detail, errors=None, instance=None):
    status, title = REASONS[reason]
    body = {
        "type": TYPE_PREFIX + reason.replace("_", "-"),
        "title": title,
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = errors
    return body
