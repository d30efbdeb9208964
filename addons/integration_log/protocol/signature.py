# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Standard Webhooks 1.0 symmetric signatures (``v1``, HMAC-SHA256)."""

import base64
import hashlib
import hmac
import re
import secrets
import time

SECRET_PREFIX = "whsec_"
TOLERANCE_SECONDS = 300
# Unix seconds; twelve digits reach the year 33658, more is not a time.
_TIMESTAMP_RE = re.compile(r"^[0-9]{1,12}$")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
# How much of a bad header value a message quotes.
_QUOTE_CHARS = 40


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
    return "v1," + _sign_bytes(secret, f"{msg_id}".encode(), timestamp, body).decode()


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
    if not isinstance(timestamp, str | int) or not _TIMESTAMP_RE.match(str(timestamp)):
        raise SignatureError(
            f"webhook-timestamp {_quote(timestamp)} is not Unix seconds"
        )
    ts = int(timestamp)
    now = time.time() if now is None else now
    if abs(now - ts) > TOLERANCE_SECONDS:
        raise StaleTimestampError(
            f"webhook-timestamp {ts} is more than {TOLERANCE_SECONDS} s "
            "away from server time"
        )
    offered = _offered_signatures(signature_header)
    if not offered:
        raise SignatureError("webhook-signature has no v1 signature")
    if _CONTROL_RE.search(str(msg_id)):
        raise SignatureError("webhook-id holds control characters (NUL...)")
    try:
        signed_id = str(msg_id).encode()
    except UnicodeEncodeError as err:
        raise SignatureError("webhook-id cannot be encoded as UTF-8") from err
    for secret in secrets_:
        expected = _sign_bytes(secret, signed_id, ts, body)
        if any(hmac.compare_digest(expected, sig) for sig in offered):
            return True
    raise SignatureError("webhook-signature does not match the request body")


def _offered_signatures(signature_header):
    """The ``v1`` signatures of the header, as bytes; a signature that is
    not ASCII cannot be base64, so it is left out (never matches)."""
    offered = []
    for part in str(signature_header).split():
        if part.startswith("v1,") and part.isascii():
            offered.append(part.split(",", 1)[1].encode("ascii"))
    return offered


def _sign_bytes(secret, msg_id_bytes, timestamp, body):
    if isinstance(body, str):
        body = body.encode()
    signed = msg_id_bytes + f".{int(timestamp)}.".encode() + body
    digest = hmac.new(secret_key_bytes(secret), signed, hashlib.sha256).digest()
    return base64.b64encode(digest)


def _quote(value):
    text = str(value)
    if len(text) > _QUOTE_CHARS:
        text = text[:_QUOTE_CHARS] + "..."
    return repr(text)


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
