# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
import re

from odoo import api, models

from ..protocol import envelope, patterns, signature
from ..protocol.api import API_BASE  # noqa: F401 (kept importable from here)
from ..protocol.problem import ProblemError
from .integration_refusal import BODY_EXCERPT_CHARS

_BEARER_RE = re.compile(r"^\s*bearer\s+(\S+)\s*$", re.IGNORECASE)
# How the size errors name what was too large.
_SIZE_SUBJECTS = {
    envelope.CONTENT_TYPE_SINGLE: "an event",
    envelope.CONTENT_TYPE_BATCH: "a batch",
}


class IntegrationInbound(models.AbstractModel):
    """The checks of the inbound pipeline (``controllers/pipeline.py``) and
    the refusal log; ``integration_inbound_events.py`` stores events.

    Every check raises :class:`~..protocol.problem.ProblemError` for a
    refusal.
    """

    _name = "integration.inbound"
    _description = "Integration Inbound API"

    # ------------------------------------------------------------------
    # Who is calling
    # ------------------------------------------------------------------
    @api.model
    def _authenticate(self, authorization, remote_addr):
        match = _BEARER_RE.match(authorization or "")
        if not match:
            raise ProblemError(
                "unauthorized",
                "Authorization: send the client token as 'Bearer <token>'.",
            )
        client = self.env["integration.client"]._find_by_token(match.group(1))
        if not client or not client.active or not client.user_id.active:
            raise ProblemError(
                "unauthorized", "Authorization: the token is unknown or inactive."
            )
        if not patterns.ip_allowed(remote_addr, client.ip_allowlist):
            raise ProblemError(
                "ip_forbidden",
                f"IP address {remote_addr} is not in the allow-list of this client.",
                client=client,
            )
        return client

    @api.model
    def _check_rate_limit(self, client):
        retry_after = client._count_request()
        if retry_after:
            raise ProblemError(
                "rate_limited",
                f"More than {client.rate_limit_per_minute} requests in a minute; "
                f"retry in {retry_after} s.",
                headers={"Retry-After": str(retry_after)},
            )

    @api.model
    def _verify_signature(self, client, headers, body):
        offered = headers.get("webhook-signature")
        if not client.require_signature and not offered:
            return
        secrets_ = client._signing_secrets()
        if not secrets_:
            raise ProblemError(
                "bad_signature",
                "This client has no signing secret yet; an Integration Manager "
                "must issue credentials.",
            )
        try:
            signature.verify(
                secrets_,
                headers.get("webhook-id"),
                headers.get("webhook-timestamp"),
                offered,
                body,
            )
        except signature.StaleTimestampError as err:
            raise ProblemError("stale_timestamp", str(err)) from err
        except signature.SignatureError as err:
            raise ProblemError("bad_signature", str(err)) from err

    # ------------------------------------------------------------------
    # What is sent
    # ------------------------------------------------------------------
    @api.model
    def _check_content_type(self, content_type, accepted):
        """The media type of ``content_type`` if it is one of ``accepted``."""
        kind = envelope.media_type(content_type)
        if kind not in accepted:
            raise ProblemError(
                "unsupported_media_type",
                f"Content-Type {content_type or '(none)'!r} is not supported: send "
                f"{' or '.join(accepted)}.",
            )
        return kind

    @api.model
    def _check_body_size(self, limit, size, media_type=None):
        if size > limit:
            what = _SIZE_SUBJECTS.get(media_type, "a request")
            raise ProblemError(
                "too_large",
                f"The body has {size} bytes; {what} may have at most {limit} bytes.",
            )

    @api.model
    def _check_types_allowed(self, client, event_types):
        """Refuse a route that creates events of types the client may not send."""
        for event_type in event_types:
            self._check_type_allowed(client, event_type)

    @api.model
    def _check_type_allowed(self, client, event_type, event=None):
        if not patterns.type_allowed(event_type, client.allowed_event_types):
            raise ProblemError(
                "type_forbidden",
                f"type: client {client.name!r} may not send {event_type!r} events.",
                event=event,
            )

    @api.model
    def _parse_json(self, body):
        try:
            return json.loads(body)
        except ValueError as err:
            raise ProblemError(
                "invalid_json",
                f"The body is not valid JSON: {err}.",
                errors=[{"pointer": "", "message": str(err)}],
            ) from err

    @api.model
    def _check_data(self, event_type, data):
        """``data`` if it matches the schema of ``event_type`` (pointers of
        errors start with ``/data``)."""
        self._check_event_data({"type": event_type, "data": data})
        return data

    @api.model
    def _check_event_data(self, event, base_path=(), refused_event=None):
        """Refuse ``event`` if its ``data`` does not match its type's schema."""
        EventType = self.env["integration.event.type"]
        entry = EventType._get_catalogue()[event["type"]]
        validator = EventType._get_validator(entry["schema_file"])
        errors = envelope.data_errors(validator, event, base_path)
        if errors:
            raise ProblemError(
                "invalid_data",
                f"data does not match the schema of {event['type']}: "
                + envelope.summarize_errors(errors, 5),
                errors=errors,
                event=refused_event,
            )

    # ------------------------------------------------------------------
    # Refusal log
    # ------------------------------------------------------------------
    @api.model
    def _log_refusals(self, client, refusals, request_info):
        """Record refusals; ``refusals`` is a list of (ProblemError, event)."""
        vals_list = []
        for err, event in refusals:
            event = event if isinstance(event, dict) else {}
            vals_list.append(
                {
                    "client_id": client.id if client else False,
                    "reason": err.reason,
                    "status": err.status,
                    "detail": err.detail,
                    "errors": json.dumps(err.errors) if err.errors else False,
                    "event_source": _text(event.get("source")),
                    "event_id": _text(event.get("id")),
                    "event_type": _text(event.get("type")),
                    **request_info,
                }
            )
        created = self.env["integration.refusal"].create(vals_list)
        Log = self.env["integration.log.entry"]
        Log._append(
            [
                Log._vals_for(
                    refusal,
                    "refusal",
                    client_id=refusal.client_id.id or None,
                    state=refusal.reason,
                    http_status=refusal.status,
                    detail=refusal.detail,
                )
                for refusal in created
            ]
        )

    @api.model
    def _request_info(self, httprequest, body=b""):
        return {
            "method": httprequest.method,
            "path": httprequest.full_path.rstrip("?")[:512],
            "remote_addr": httprequest.remote_addr,
            "request_id": (httprequest.headers.get("webhook-id") or "")[:255] or False,
            "body_excerpt": body[:BODY_EXCERPT_CHARS].decode("utf-8", "replace")
            if body
            else False,
        }


def _text(value):
    return value[:255] if isinstance(value, str) else False
