# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The webhook receiver, fed like Odoo's outbound deliveries feed it."""

import threading
import time

import pytest
import requests
from partner_kit import batching, events, signing
from partner_kit.receiver import WebhookReceiver

CONNECTOR_SECRET = "whsec_ZGVtby1wYXJ0bmVyLXNpZ25pbmctc2VjcmV0LTMyYg=="


@pytest.fixture
def received():
    return []


@pytest.fixture
def receiver(received):
    server = WebhookReceiver(CONNECTOR_SECRET, lambda e, wid: received.append((e, wid)))
    server.start()
    yield server
    server.stop()


def _event(n):
    return events.make_event("mfg.test.v1", f"MO-{n}", {"n": n}, "urn:odoo:test")


def _deliver(receiver, body, msg_id=None, secret=CONNECTOR_SECRET, timestamp=None):
    raw = batching.encode(body)
    headers = signing.sign_headers(secret, raw, msg_id=msg_id, timestamp=timestamp)
    headers["Content-Type"] = "application/cloudevents+json"
    return requests.post(receiver.url, data=raw, headers=headers, timeout=5)


def test_a_signed_event_is_answered_200_and_handled(receiver, received):
    event = _event(1)
    response = _deliver(receiver, event, msg_id=event["id"])
    assert (response.status_code, response.json()) == (200, {"status": "received"})
    assert receiver.wait_idle()
    assert received == [(event, event["id"])]


def test_a_bad_signature_is_refused_401(receiver, received):
    other = "whsec_cW1zLXdlYmhvb2stc2lnbmluZy1zZWNyZXQtMzJieXRl"
    assert _deliver(receiver, _event(1), secret=other).status_code == 401
    raw = batching.encode(_event(2))
    headers = signing.sign_headers(CONNECTOR_SECRET, raw)
    tampered = requests.post(receiver.url, data=raw + b" ", headers=headers, timeout=5)
    assert tampered.status_code == 401
    unsigned = requests.post(receiver.url, data=raw, timeout=5)
    assert unsigned.status_code == 401
    assert receiver.wait_idle() and received == []
    assert receiver.stats["refused"] == 3


def test_a_stale_timestamp_is_refused_401(receiver, received):
    stale = _deliver(receiver, _event(1), timestamp=time.time() - 301)
    assert stale.status_code == 401
    assert "300 s" in stale.json()["error"]
    assert receiver.wait_idle() and received == []


def test_a_redelivery_is_answered_200_and_handled_once(receiver, received):
    event = _event(1)
    for _attempt in range(3):
        assert _deliver(receiver, event, msg_id=event["id"]).status_code == 200
    # Another webhook-id (another connector, say) with the same event.
    assert _deliver(receiver, event, msg_id="other").status_code == 200
    assert receiver.wait_idle()
    assert received == [(event, event["id"])]
    assert receiver.stats["duplicate"] == 3


def test_a_batch_array_hands_over_each_event_in_order(receiver, received):
    batch = [_event(n) for n in range(5)]
    assert _deliver(receiver, batch, msg_id="batch_1").status_code == 200
    assert receiver.wait_idle()
    assert [event for event, _wid in received] == batch
    assert {wid for _event, wid in received} == {"batch_1"}


def test_a_slow_handler_does_not_delay_the_answer():
    release = threading.Event()
    handled = []
    receiver = WebhookReceiver(
        CONNECTOR_SECRET, lambda e, _wid: (release.wait(5), handled.append(e))
    ).start()
    try:
        started = time.monotonic()
        for n in range(3):
            assert _deliver(receiver, _event(n)).status_code == 200
        assert time.monotonic() - started < 1.0
        assert handled == []
        release.set()
        assert receiver.wait_idle()
        assert [e["data"]["n"] for e in handled] == [0, 1, 2]
    finally:
        receiver.stop()


def test_a_failing_handler_does_not_stop_the_next_events(received):
    def handler(event, wid):
        if event["data"]["n"] == 0:
            raise RuntimeError("boom")
        received.append(event)

    receiver = WebhookReceiver(CONNECTOR_SECRET, handler).start()
    try:
        _deliver(receiver, [_event(0), _event(1)])
        assert receiver.wait_idle()
        assert [e["data"]["n"] for e in received] == [1]
    finally:
        receiver.stop()
