# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64
import hashlib
import hmac
import importlib.util
import pathlib

import pytest
from partner_kit import signing

SECRET = "whsec_bWVzLWRlbW8tc2lnbmluZy1zZWNyZXQtMzItYnl0ZXM="
NEW_SECRET = "whsec_cW1zLWRlbW8tc2lnbmluZy1zZWNyZXQtMzItYnl0ZXM="
BODY = b'{"specversion":"1.0","id":"e1"}'
NOW = 1_760_000_000
# The server's own module, when the kit sits in the suite's repository.
SERVER_SIGNATURE = (
    pathlib.Path(__file__).resolve().parents[3]
    / "addons/integration_log/protocol/signature.py"
)


def _server_module():
    """Load the server's signature.py alone, if it is there and pure Python."""
    if not SERVER_SIGNATURE.exists():
        pytest.skip("the suite's integration_log is not next to the kit")
    source = SERVER_SIGNATURE.read_text()
    assert "import odoo" not in source and "from odoo" not in source
    spec = importlib.util.spec_from_file_location("server_signature", SERVER_SIGNATURE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_signature_is_the_standard_webhooks_formula():
    key = base64.b64decode(SECRET.removeprefix("whsec_"))
    digest = hmac.new(key, f"msg_1.{NOW}.".encode() + BODY, hashlib.sha256).digest()
    expected = "v1," + base64.b64encode(digest).decode()
    assert signing.sign(SECRET, "msg_1", NOW, BODY) == expected


def test_round_trip_returns_the_webhook_id():
    headers = signing.sign_headers(SECRET, BODY, timestamp=NOW)
    assert headers["webhook-id"].startswith("msg_")
    assert (
        signing.verify([SECRET], headers, BODY, now=NOW + 10) == headers["webhook-id"]
    )


def test_each_request_gets_a_fresh_webhook_id():
    first = signing.sign_headers(SECRET, BODY)["webhook-id"]
    assert first != signing.sign_headers(SECRET, BODY)["webhook-id"]


def test_rotation_signs_with_both_and_verifies_with_either():
    both = signing.sign_headers([SECRET, NEW_SECRET], BODY, timestamp=NOW)
    assert len(both["webhook-signature"].split()) == 2
    assert signing.verify([NEW_SECRET], both, BODY, now=NOW)
    assert signing.verify([SECRET], both, BODY, now=NOW)
    old_only = signing.sign_headers(SECRET, BODY, timestamp=NOW)
    assert signing.verify([NEW_SECRET, SECRET], old_only, BODY, now=NOW)
    with pytest.raises(signing.SignatureError, match="does not match"):
        signing.verify([NEW_SECRET], old_only, BODY, now=NOW)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda h, b: (h, b + b" "),
        lambda h, b: ({**h, "webhook-id": "msg_other"}, b),
        lambda h, b: ({**h, "webhook-timestamp": str(NOW + 1)}, b),
        lambda h, b: ({**h, "webhook-signature": "v1,AAAA"}, b),
        lambda h, b: ({**h, "webhook-signature": "v1,é" + h["webhook-signature"]}, b),
    ],
    ids=["body", "id", "timestamp", "signature", "non-ascii"],
)
def test_a_tampered_request_is_refused(tamper):
    headers, body = tamper(signing.sign_headers(SECRET, BODY, timestamp=NOW), BODY)
    with pytest.raises(signing.SignatureError):
        signing.verify([SECRET], headers, body, now=NOW)


@pytest.mark.parametrize("offset", [301, -301, 10_000])
def test_a_stale_timestamp_is_refused(offset):
    headers = signing.sign_headers(SECRET, BODY, timestamp=NOW)
    with pytest.raises(signing.StaleTimestampError):
        signing.verify([SECRET], headers, BODY, now=NOW + offset)
    assert signing.verify(
        [SECRET], headers, BODY, now=NOW + offset // abs(offset) * 299
    )


def test_missing_headers_and_bad_secrets():
    with pytest.raises(signing.SignatureError, match="missing"):
        signing.verify([SECRET], {}, BODY, now=NOW)
    headers = {**signing.sign_headers(SECRET, BODY), "webhook-timestamp": "12ab"}
    with pytest.raises(signing.SignatureError, match="Unix seconds"):
        signing.verify([SECRET], headers, BODY)
    with pytest.raises(ValueError, match="whsec_"):
        signing.sign("secret", "m", NOW, BODY)


def test_headers_are_matched_whatever_their_case():
    headers = {k.title(): v for k, v in signing.sign_headers(SECRET, BODY).items()}
    assert signing.verify([SECRET], headers, BODY)


def test_the_server_verifies_what_the_kit_signs():
    server = _server_module()
    headers = signing.sign_headers([SECRET, NEW_SECRET], BODY, timestamp=NOW)
    assert server.verify(
        [NEW_SECRET],
        headers["webhook-id"],
        headers["webhook-timestamp"],
        headers["webhook-signature"],
        BODY,
        now=NOW,
    )
    tampered = {**headers, "webhook-id": "msg_x"}
    assert not server.verify_headers([SECRET], tampered, BODY, now=NOW)


def test_the_kit_verifies_what_the_server_signs():
    server = _server_module()
    headers = server.sign_headers([SECRET, NEW_SECRET], "evt-1", BODY, timestamp=NOW)
    assert signing.verify([SECRET], headers, BODY, now=NOW) == "evt-1"
    assert signing.sign(SECRET, "evt-1", NOW, BODY) == server.sign(
        SECRET, "evt-1", NOW, BODY
    )
    with pytest.raises(signing.StaleTimestampError):
        signing.verify([SECRET], headers, BODY, now=NOW + 301)
