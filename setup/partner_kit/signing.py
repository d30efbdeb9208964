# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Standard Webhooks 1.0 signatures (``v1``: HMAC-SHA256), both ways.

A signature is ``v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{raw body}">``
with the key that a ``whsec_<base64>`` secret holds. During a rotation a
sender signs with both secrets (space-separated signatures) and a receiver
accepts either.
"""

import base64
import hashlib
import hmac
import time
import uuid

SECRET_PREFIX = "whsec_"
TOLERANCE_SECONDS = 300


class SignatureError(ValueError):
    """The signature headers do not prove who sent the request."""


class StaleTimestampError(SignatureError):
    """The signed timestamp is too far from now (a replay, or a bad clock)."""


def key_bytes(secret):
    """The HMAC key of a ``whsec_`` secret."""
    if not isinstance(secret, str) or not secret.startswith(SECRET_PREFIX):
        raise ValueError("a signing secret starts with 'whsec_'")
    try:
        return base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
    except ValueError as err:
        raise ValueError("the signing secret is not valid base64") from err


def new_message_id():
    """A fresh ``webhook-id`` for one request."""
    return "msg_" + uuid.uuid4().hex


def sign(secret, msg_id, timestamp, body):
    """The ``v1,<base64>`` signature of ``body`` sent as ``msg_id`` at ``timestamp``."""
    if isinstance(body, str):
        body = body.encode()
    signed = f"{msg_id}.{int(timestamp)}.".encode() + body
    digest = hmac.new(key_bytes(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def sign_headers(secrets, body, msg_id=None, timestamp=None):
    """The three headers of a signed request; ``secrets`` is one secret or a
    list of them (one signature each, for a rotation)."""
    msg_id = msg_id or new_message_id()
    timestamp = int(time.time() if timestamp is None else timestamp)
    secrets = [secrets] if isinstance(secrets, str) else list(secrets)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(
            sign(secret, msg_id, timestamp, body) for secret in secrets
        ),
    }


def verify(secrets, headers, body, now=None, tolerance=TOLERANCE_SECONDS):
    """Check the signature headers of a request against any of ``secrets``.

    ``headers`` is any mapping (names are matched case-insensitively).
    Raises :class:`SignatureError` (or :class:`StaleTimestampError`) saying
    what is wrong; returns the ``webhook-id`` when the request is genuine.
    """
    msg_id = header(headers, "webhook-id")
    timestamp = header(headers, "webhook-timestamp")
    # compare_digest takes ASCII strings only; anything else is no signature.
    offered = [
        sig
        for sig in (header(headers, "webhook-signature") or "").split()
        if sig.isascii()
    ]
    if not msg_id or not timestamp or not offered:
        raise SignatureError("missing webhook-id, -timestamp or -signature header")
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        raise SignatureError("webhook-timestamp is not Unix seconds")
    now = time.time() if now is None else now
    if abs(now - int(timestamp)) > tolerance:
        raise StaleTimestampError(
            f"webhook-timestamp is more than {tolerance} s away from now"
        )
    secrets = [secrets] if isinstance(secrets, str) else list(secrets)
    for secret in secrets:
        expected = sign(secret, msg_id, timestamp, body)
        if any(hmac.compare_digest(expected, sig) for sig in offered):
            return msg_id
    raise SignatureError("webhook-signature does not match the request")


def header(headers, name):
    """``headers[name]`` ignoring case, for any mapping (dict, http.client...)."""
    value = headers.get(name)
    if value is None and isinstance(headers, dict):
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), None)
    return value
