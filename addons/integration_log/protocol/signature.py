# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Standard Webhooks 1.0 symmetric signatures (``v1``, HMAC-SHA256)."""

import base64
import hashlib
import hmac
import secrets
import time

SECRET_PREFIX = "whsec_"
TOLERANCE_SECONDS = 300


class SignatureError(ValueError):
    """The signature headers do not prove the request came from the client."""


class StaleTimestampError(SignatureError):
    """The signed timestamp is too far from the server time (replay guard)."""


def generate_secret(num_bytes=32):
    """Return a new signing secret in the ``whsec_<base64>`` form."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(num_bytes)).decode()


def secret_key_bytes(secret):
    """Decode a ``whsec_`` secret into the raw HMAC key."""
    if not isinstance(secret, str) or not secret.startswith(SECRET_PREFIX):
        raise ValueError("signing secrets start with 'whsec_'")
    try:
        return base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
    except ValueError as err:
        raise ValueError("signing secret is not valid base64") from err


def sign(secret, msg_id, timestamp, body):
    """Return the ``v1,<base64>`` signature of ``{id}.{timestamp}.{body}``."""
    if isinstance(body, str):
        body = body.encode()
    signed = f"{msg_id}.{int(timestamp)}.".encode() + body
    digest = hmac.new(secret_key_bytes(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def sign_headers(secret, msg_id, body, timestamp=None):
    """Headers a sender adds to a request signed with ``secret``.

    ``secret`` may also be a list of secrets: during a rotation the request
    carries one signature per secret, so the receiver may verify with either.
    """
    timestamp = int(time.time()) if timestamp is None else int(timestamp)
    secrets_ = [secret] if isinstance(secret, str) else list(secret)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(
            sign(one, msg_id, timestamp, body) for one in secrets_
        ),
    }


def verify(secrets_, msg_id, timestamp, signature_header, body, now=None):
    """Check the Standard Webhooks headers against any of ``secrets_``.

    Raises :class:`SignatureError` with a message meant for the sender:
    which header is missing or wrong, never the expected value.
    """
    if not msg_id:
        raise SignatureError("missing webhook-id header")
    if not timestamp:
        raise SignatureError("missing webhook-timestamp header")
    if not signature_header:
        raise SignatureError("missing webhook-signature header")
    try:
        ts = int(timestamp)
    except ValueError as err:
        raise SignatureError(
            f"webhook-timestamp {timestamp!r} is not Unix seconds"
        ) from err
    now = time.time() if now is None else now
    if abs(now - ts) > TOLERANCE_SECONDS:
        raise StaleTimestampError(
            f"webhook-timestamp {ts} is more than {TOLERANCE_SECONDS} s "
            "away from server time"
        )
    offered = [
        part.split(",", 1)[1]
        for part in signature_header.split()
        if part.startswith("v1,")
    ]
    if not offered:
        raise SignatureError("webhook-signature has no v1 signature")
    for secret in secrets_:
        expected = sign(secret, msg_id, ts, body).split(",", 1)[1]
        if any(hmac.compare_digest(expected, sig) for sig in offered):
            return True
    raise SignatureError("webhook-signature does not match the request body")


def verify_headers(secrets_, headers, body, now=None):
    """:func:`verify` reading the three headers from a mapping; returns False
    instead of raising (what a receiving partner needs)."""
    try:
        return verify(
            secrets_,
            headers.get("webhook-id"),
            headers.get("webhook-timestamp"),
            headers.get("webhook-signature"),
            body,
            now=now,
        )
    except SignatureError:
        return False
