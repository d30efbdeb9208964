# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64
import hashlib
import hmac

import pytest
from protocol import signature

SECRET = "whsec_bWVzLWRlbW8tc2lnbmluZy1zZWNyZXQtMzItYnl0ZXM="
BODY = b'{"specversion":"1.0"}'


def test_signature_matches_the_standard_webhooks_formula():
    key = base64.b64decode(SECRET.removeprefix("whsec_"))
    expected = base64.b64encode(
        hmac.new(key, b"msg_1.1700000000." + BODY, hashlib.sha256).digest()
    ).decode()
    assert signature.sign(SECRET, "msg_1", 1700000000, BODY) == "v1," + expected


def test_verify_accepts_a_fresh_signature():
    headers = signature.sign_headers(SECRET, "msg_1", BODY, timestamp=1700000000)
    assert signature.verify(
        [SECRET],
        headers["webhook-id"],
        headers["webhook-timestamp"],
        headers["webhook-signature"],
        BODY,
        now=1700000100,
    )


def test_verify_accepts_any_of_two_secrets_and_any_of_several_signatures():
    other = signature.generate_secret()
    sig = signature.sign(SECRET, "m", 1700000000, BODY)
    header = "v1,bm90LXRoaXM= " + sig
    assert signature.verify(
        [other, SECRET], "m", "1700000000", header, BODY, now=1700000000
    )


def test_verify_refuses_a_changed_body():
    sig = signature.sign(SECRET, "m", 1700000000, BODY)
    with pytest.raises(signature.SignatureError, match="does not match"):
        signature.verify([SECRET], "m", "1700000000", sig, BODY + b" ", now=1700000000)


@pytest.mark.parametrize("delta", [301, -301])
def test_verify_refuses_a_timestamp_outside_five_minutes(delta):
    sig = signature.sign(SECRET, "m", 1700000000, BODY)
    with pytest.raises(signature.StaleTimestampError):
        signature.verify([SECRET], "m", "1700000000", sig, BODY, now=1700000000 + delta)


@pytest.mark.parametrize(
    ("msg_id", "timestamp", "header", "message"),
    [
        ("", "1", "v1,x", "webhook-id"),
        ("m", "", "v1,x", "webhook-timestamp"),
        ("m", "1", "", "webhook-signature"),
        ("m", "soon", "v1,x", "Unix seconds"),
        ("m", "1", "v2,abc", "no v1 signature"),
    ],
)
def test_verify_names_the_missing_or_bad_header(msg_id, timestamp, header, message):
    with pytest.raises(signature.SignatureError, match=message):
        signature.verify([SECRET], msg_id, timestamp, header, BODY, now=1)


def test_generated_secrets_are_prefixed_base64_of_32_bytes():
    secret = signature.generate_secret()
    assert secret.startswith("whsec_")
    assert len(signature.secret_key_bytes(secret)) == 32


def test_verify_headers_reads_a_mapping_and_never_raises():
    secret = signature.generate_secret()
    headers = signature.sign_headers(secret, "msg_1", b"{}")
    assert signature.verify_headers([secret], headers, b"{}")
    assert not signature.verify_headers([secret], headers, b"{ }")
    assert not signature.verify_headers([secret], {}, b"{}")
