# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Odoo goes down in the middle of a run: nothing is lost, order is kept."""

import random
import threading
import time

from conftest import FAST_RETRY
from partner_kit import events
from partner_kit.buffer import EventBuffer
from partner_kit.client import IntegrationClient
from partner_kit.errors import TransportError
from partner_kit.forwarder import Forwarder
from partner_kit.retry import RetryPolicy
from stand_in import SECRET, SOURCE, TOKEN, StandInOdoo

COUNT = 300
BACKOFF = RetryPolicy(base_delay=0.05, max_delay=0.2)


def _wait_until(condition, timeout=15.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_outage_in_the_middle_of_a_run_loses_nothing(tmp_path):
    odoo = StandInOdoo().start()
    client = IntegrationClient(odoo.url, TOKEN, SECRET, SOURCE, retry=FAST_RETRY)
    buffer = EventBuffer(tmp_path / "mes.sqlite")
    forwarder = Forwarder(buffer, client, interval=0.02, batch_size=25, backoff=BACKOFF)
    forwarder.start()
    put = []

    def produce():
        for n in range(COUNT):
            event = events.make_event("mfg.test.v1", f"MO-{n % 5}", {"n": n}, SOURCE)
            buffer.put(event)
            put.append(event["id"])
            forwarder.wake()
            time.sleep(0.003)

    producer = threading.Thread(target=produce)
    producer.start()
    _wait_until(lambda: len(odoo.received) >= 60)
    odoo.stop()  # Odoo goes down while events keep coming
    put_before = len(put)
    time.sleep(0.3)
    assert forwarder.failures > 0
    assert put_before < len(put) < COUNT  # the producer went on meanwhile
    odoo.start()  # same port
    producer.join()
    _wait_until(lambda: buffer.pending_count() == 0)
    assert forwarder.stop() == 0
    odoo.stop()
    arrived = [event["id"] for event in odoo.received]
    assert arrived == put  # all of them, once each, in the order put
    assert buffer.counts() == {"pending": 0, "sent": COUNT, "rejected": 0}
    buffer.close()


def test_forwarder_backs_off_and_honours_retry_after(tmp_path):
    forwarder = Forwarder(
        EventBuffer(tmp_path / "b.sqlite"), None, backoff=BACKOFF, rng=random.Random(1)
    )
    forwarder.failures = 3
    down = type("Report", (), {"error": TransportError("down"), "blocked": False})
    delays = [forwarder.next_delay(down) for _ in range(20)]
    assert all(BACKOFF.cap(3) / 2 <= d <= BACKOFF.cap(3) for d in delays)
    throttled = TransportError("slow down", status=429, retry_after=30.0)
    assert (
        forwarder.next_delay(type("R", (), {"error": throttled, "blocked": False}))
        == 30
    )
    forwarder.buffer.close()
