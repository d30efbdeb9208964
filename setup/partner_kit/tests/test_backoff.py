# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Retries: which answers are retried, after how long, how many times."""

import random
import socket
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest
from partner_kit.client import IntegrationClient
from partner_kit.errors import ProblemError, TransportError
from partner_kit.retry import RetryPolicy, parse_retry_after
from stand_in import SECRET, SOURCE, TOKEN, problem

POLICY = RetryPolicy(max_attempts=5, base_delay=0.5, max_delay=3.0)


class Highest:
    """An rng whose draws are the top of the range: the caps themselves."""

    def uniform(self, _low, high):
        return high


def _client(odoo, policy=POLICY, rng=None):
    sleeps = []
    client = IntegrationClient(
        odoo.url, TOKEN, SECRET, SOURCE, retry=policy, sleep=sleeps.append, rng=rng
    )
    return client, sleeps


def _unavailable(count, status=503, headers=None):
    return [(status, problem(status, "Unavailable"), headers)] * count


def test_delays_grow_exponentially_up_to_the_max(odoo):
    client, sleeps = _client(odoo, rng=Highest())
    odoo.script.extend(_unavailable(4))
    assert client.send(client.event("mfg.test.v1", "S", {})).status == "accepted"
    assert sleeps == [0.5, 1.0, 2.0, 3.0]


def test_jitter_stays_between_zero_and_the_cap(odoo):
    policy = RetryPolicy(max_attempts=40, base_delay=0.5, max_delay=3.0)
    client, sleeps = _client(odoo, policy, rng=random.Random(7))
    odoo.script.extend(_unavailable(30, status=502))
    client.send(client.event("mfg.test.v1", "S", {}))
    assert len(sleeps) == 30
    assert all(0 <= delay <= policy.cap(n) for n, delay in enumerate(sleeps, 1))
    assert len(set(sleeps)) == 30  # jittered: no two waits alike


def test_retry_after_is_honoured(odoo):
    client, sleeps = _client(odoo, rng=Highest())
    odoo.script.extend(_unavailable(1, 429, {"Retry-After": "7"}))
    odoo.script.extend(_unavailable(1, 503, {"Retry-After": "2"}))
    client.send(client.event("mfg.test.v1", "S", {}))
    assert sleeps == [7.0, 2.0]


def test_a_retry_after_beyond_the_limit_fails_at_once(odoo):
    client, sleeps = _client(odoo)
    odoo.script.extend(_unavailable(1, 429, {"Retry-After": "3600"}))
    with pytest.raises(TransportError) as caught:
        client.send(client.event("mfg.test.v1", "S", {}))
    assert (caught.value.status, caught.value.retry_after) == (429, 3600.0)
    assert sleeps == []


@pytest.mark.parametrize("status", [400, 401, 403, 409, 413, 415])
def test_refusals_are_never_retried(odoo, status):
    client, sleeps = _client(odoo)
    odoo.script.append(
        (status, problem(status, "Refused", "no", [{"pointer": "/x"}]), None)
    )
    with pytest.raises(ProblemError) as caught:
        client.send(client.event("mfg.test.v1", "S", {}))
    assert caught.value.status == status
    assert caught.value.errors == [{"pointer": "/x"}]
    assert sleeps == [] and len(odoo.requests) == 1


def test_attempts_are_bounded(odoo):
    client, sleeps = _client(odoo, RetryPolicy(max_attempts=4, base_delay=0.1))
    odoo.script.extend(_unavailable(10, status=500))
    with pytest.raises(TransportError) as caught:
        client.send(client.event("mfg.test.v1", "S", {}))
    assert caught.value.status == 500
    assert len(odoo.requests) == 4 and len(sleeps) == 3


def test_every_attempt_is_signed_afresh_with_the_same_event(odoo):
    client, _sleeps = _client(odoo)
    odoo.script.extend(_unavailable(2))
    event = client.event("mfg.test.v1", "S", {})
    client.send(event)
    ids = [r.webhook_id for r in odoo.requests]
    assert len(set(ids)) == 3
    assert odoo.received == [event]


def test_connection_errors_are_retried_then_raised():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sleeps = []
    client = IntegrationClient(
        f"http://127.0.0.1:{port}", TOKEN, SECRET, SOURCE, retry=POLICY,
        sleep=sleeps.append, rng=Highest(),
    )  # fmt: skip
    with pytest.raises(TransportError, match="ConnectionError") as caught:
        client.send(client.event("mfg.test.v1", "S", {}))
    assert caught.value.status is None
    assert sleeps == [0.5, 1.0, 2.0, 3.0]


def test_retry_after_header_forms():
    now = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
    assert parse_retry_after("120") == 120.0
    later = format_datetime(now + timedelta(seconds=90), usegmt=True)
    assert parse_retry_after(later, now=now) == 90.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
