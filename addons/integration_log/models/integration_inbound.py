# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
import logging
import re

from odoo import api, models

from ..protocol import envelope, patterns, signature
from ..protocol.api import API_BASE  # noqa: F401 (kept importable from here)
from ..protocol.problem import ProblemError
from .integration_refusal import BODY_EXCERPT_CHARS

_logger = logging.getLogger(__name__)

_BEARER_RE = re.compile(r"^\s*bearer\s+(\S+)\s*$", re.IGNORECASE)
# Longest text a refusal keeps of each request attribute.
_REQUEST_INFO_CHARS = {"method": 16, "path": 512, "remote_addr": 64, "request_id": 255}
_DETAIL_CHARS = 2000
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
        if not client:
            raise ProblemError(
                "unauthorized", "Authorization: the token is unknown or inactive."
            )
        if not client.active or not client.user_id.active:
            # The refusal names the client: an admin sees who still calls.
            raise ProblemError(
                "unauthorized",
                "Authorization: the token is unknown or inactive.",
                client=client,
            )
        if not patterns.ip_allowed(remote_addr, client.ip_allowlist):
            raise ProblemError(
                "ip_forbidden",
                f"IP address {envelope.quote(remote_addr, 64)} is not in the "
                "allow-list of this client.",
                client=client,
            )
        return client

    @api.model
    def _client_address(self, httprequest):
        """The caller's address: the connection's peer, or behind trusted
        reverse proxies (``integration_log.trusted_proxies``) the address
        they name in ``X-Forwarded-For``.

        Odoo's ``--proxy-mode`` rewrites ``remote_addr`` from that header
        for any peer; the peer it saw first is used instead, so the
        allow-lists trust only the proxies listed here.
        """
        environ = httprequest.environ
        peer = (environ.get("werkzeug.proxy_fix.orig") or {}).get(
            "REMOTE_ADDR"
        ) or httprequest.remote_addr
        trusted, bad = patterns.trusted_networks(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("integration_log.trusted_proxies", "")
        )
        if bad:
            _logger.warning(
                "integration_log.trusted_proxies: %s ignored (not addresses or "
                "networks).",
                ", ".join(bad),
            )
        if not trusted:
            return peer
        forwarded = ",".join(httprequest.headers.getlist("X-Forwarded-For"))
        return patterns.client_address(peer, forwarded, trusted)

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
                f"Content-Type {envelope.quote(content_type or '(none)', 100)} is "
                f"not supported: send {' or '.join(accepted)}.",
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
    def _parse_json(self, body, strict=False):
        """The body parsed as JSON (400 ``invalid_json`` otherwise).

        Values the API cannot use (NaN, a NUL in a string...) come back as
        markers that the envelope and data checks refuse with their pointer,
        so one bad event of a batch is refused alone; with ``strict``, the
        body is refused at once for them.
        """
        try:
            value = envelope.parse_json(body)
        except ValueError as err:
            message = envelope.bounded(err, 300)
            raise ProblemError(
                "invalid_json",
                f"The body is not valid JSON: {message}.",
                errors=[{"pointer": "", "message": message}],
            ) from err
        errors = envelope.unusable_errors(value) if strict else []
        if errors:
            raise ProblemError(
                "invalid_json",
                "The body holds values the API cannot use: "
                + envelope.summarize_errors(errors, 5),
                errors=errors,
            )
        return value

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
        """Record refusals; ``refusals`` is a list of (ProblemError, event).

        Everything stored is bounded and cleaned (no NUL, no lone
        surrogate); the body excerpt is kept once per request, and repeated
        authentication or rate-limit failures are counted on one row per
        minute (see ``integration.refusal``).
        """
        vals_list = [
            self._refusal_vals(client, err, event, request_info)
            for err, event in refusals
        ]
        created = self.env["integration.refusal"]._record_request(vals_list)
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
    def _refusal_vals(self, client, err, event, request_info):
        event = event if isinstance(event, dict) else {}
        errors = [
            envelope.bounded_error(error)
            for error in err.errors[: envelope.MAX_ERRORS]
            if isinstance(error, dict)
        ]
        return {
            "client_id": client.id if client else False,
            "reason": err.reason,
            "status": err.status,
            "detail": _storable(err.detail, _DETAIL_CHARS),
            # ASCII JSON: escapes keep NUL and surrogates out of the column.
            "errors": json.dumps(errors, default=str) if errors else False,
            "event_source": _storable(event.get("source"), 255),
            "event_id": _storable(event.get("id"), 255),
            "event_type": _storable(event.get("type"), 255),
            **request_info,
        }

    @api.model
    def _request_info(self, httprequest, body=b"", address=None):
        """What a refusal or a log entry keeps of the request: bounded
        texts without NUL or lone surrogates (PostgreSQL refuses both)."""
        info = {
            "method": httprequest.method,
            "path": httprequest.full_path.rstrip("?"),
            "remote_addr": address or httprequest.remote_addr,
            "request_id": httprequest.headers.get("webhook-id"),
        }
        info = {
            name: _storable(value, _REQUEST_INFO_CHARS[name])
            for name, value in info.items()
        }
        excerpt = body[:BODY_EXCERPT_CHARS].decode("utf-8", "replace") if body else ""
        info["body_excerpt"] = _storable(excerpt, BODY_EXCERPT_CHARS)
        return info


def _storable(value, limit):
    """``value`` as text PostgreSQL accepts, at most ``limit`` characters;
    False when empty or not text."""
    if not isinstance(value, str) or not value:
        return False
    if envelope.text_problem(value):
        value = envelope.UnusableText(value, "")
    return str(value[:limit])
