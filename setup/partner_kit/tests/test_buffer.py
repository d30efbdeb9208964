# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The store-and-forward buffer: durability, order, rejections, locking."""

import subprocess
import sys
import threading
import time

from partner_kit import events
from partner_kit.buffer import EventBuffer
from partner_kit.client import IntegrationClient
from partner_kit.errors import ProblemError, TransportError
from stand_in import SECRET, SOURCE, problem

KIT_PARENT = __import__("pathlib").Path(__file__).resolve().parents[2]


def _event(n, **data):
    return events.make_event("mfg.test.v1", f"S-{n % 7}", {"n": n, **data}, SOURCE)


def _numbers(odoo):
    return [e["data"]["n"] for e in odoo.received]


def test_put_survives_closing_and_reopening(tmp_path):
    path = tmp_path / "buf.sqlite"
    with EventBuffer(path) as buffer:
        for n in range(3):
            assert buffer.put(_event(n)).queued
    with EventBuffer(path) as buffer:
        pending = buffer.pending()
        assert [row.event["data"]["n"] for row in pending] == [0, 1, 2]
        assert [row.position for row in pending] == sorted(
            row.position for row in pending
        )
        assert buffer.counts() == {"pending": 3, "sent": 0, "rejected": 0}


def test_events_put_by_another_process_are_forwarded_in_order(tmp_path, client, odoo):
    path = tmp_path / "buf.sqlite"
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from partner_kit.buffer import EventBuffer;"
        "from partner_kit.events import make_event;"
        "b = EventBuffer(sys.argv[2]);"
        "[b.put(make_event('mfg.test.v1', 'S', {'n': n}, 'urn:test:partner'))"
        " for n in range(20)]"
    )
    subprocess.run(
        [sys.executable, "-c", script, str(KIT_PARENT), str(path)], check=True
    )
    with EventBuffer(path) as buffer:
        report = buffer.forward(client)
    assert (report.sent, report.pending, report.error) == (20, 0, None)
    assert _numbers(odoo) == list(range(20))


def test_same_event_is_queued_once(tmp_path):
    with EventBuffer(tmp_path / "buf.sqlite") as buffer:
        event = _event(1)
        first = buffer.put(event)
        again = buffer.put(event)
        assert first.queued and not again.queued and first.position == again.position
        assert buffer.pending_count() == 1


def test_rejected_event_is_parked_and_later_events_still_go(tmp_path, client, odoo):
    with EventBuffer(tmp_path / "buf.sqlite") as buffer:
        for n in range(5):
            buffer.put(_event(n, bad=n == 2))
        report = buffer.forward(client)
        assert (report.sent, len(report.rejected), report.pending) == (4, 1, 0)
        assert _numbers(odoo) == [0, 1, 3, 4]
        parked = buffer.rejected()
        assert [row.event["data"]["n"] for row in parked] == [2]
        assert parked[0].error["errors"][0]["pointer"] == "/2/data/bad"
        # Fixed (here: Odoo accepts it now), it is replayed and delivered.
        odoo.reject = lambda _event: None
        assert buffer.replay_rejected([parked[0].position]) == 1
        assert buffer.forward(client).sent == 1
        assert _numbers(odoo) == [0, 1, 3, 4, 2]
        assert buffer.counts() == {"pending": 0, "sent": 5, "rejected": 0}


def test_a_corrected_copy_replaces_a_rejected_event(tmp_path, client, odoo):
    with EventBuffer(tmp_path / "buf.sqlite") as buffer:
        bad = _event(1, bad=True)
        buffer.put(bad)
        buffer.forward(client)
        fixed = {**bad, "data": {"n": 1}}
        assert buffer.put(fixed).queued
        assert buffer.forward(client).sent == 1
        assert odoo.received == [fixed]


def test_a_batch_refused_whole_is_sent_event_by_event(tmp_path, client, odoo):
    odoo.script.append((400, problem(400, "Invalid request", "bad batch"), None))
    with EventBuffer(tmp_path / "buf.sqlite") as buffer:
        for n in range(4):
            buffer.put(_event(n, bad=n == 1))
        report = buffer.forward(client)
        assert (report.sent, len(report.rejected)) == (3, 1)
        assert _numbers(odoo) == [0, 2, 3]
        assert [r.content_type.endswith("batch+json") for r in odoo.requests] == [
            True, False, False, False, False,
        ]  # fmt: skip


def test_odoo_down_keeps_everything_pending(tmp_path, client, odoo):
    odoo.stop()
    with EventBuffer(tmp_path / "buf.sqlite") as buffer:
        for n in range(3):
            buffer.put(_event(n))
        report = buffer.forward(client)
        assert isinstance(report.error, TransportError) and not report.blocked
        assert (report.sent, report.pending) == (0, 3)


def test_a_wrong_token_blocks_forwarding_without_parking(tmp_path, odoo):
    wrong = IntegrationClient(odoo.url, "wrong", SECRET, SOURCE)
    with EventBuffer(tmp_path / "buf.sqlite") as buffer:
        buffer.put(_event(1))
        report = buffer.forward(wrong)
        assert isinstance(report.error, ProblemError) and report.blocked
        assert (report.pending, buffer.counts()["rejected"]) == (1, 0)


def test_two_forwarders_on_one_file_never_interleave(tmp_path, client, odoo):
    path = tmp_path / "buf.sqlite"
    first, second = EventBuffer(path), EventBuffer(path)
    for n in range(200):
        (first if n % 2 else second).put(_event(n))
    reports = []

    def drain(buffer):
        while buffer.pending_count():
            reports.append(buffer.forward(client, batch_size=10))
            time.sleep(0.001)

    threads = [threading.Thread(target=drain, args=(b,)) for b in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert _numbers(odoo) == list(range(200))
    assert odoo.duplicates == 0
    assert sum(report.sent for report in reports) == 200
    first.close()
    second.close()


def test_a_second_forwarder_is_told_the_file_is_busy(tmp_path, client):
    path = tmp_path / "buf.sqlite"
    first, second = EventBuffer(path), EventBuffer(path)
    first.put(_event(1))
    seen = []

    class Nested:
        """Forward the second buffer while the first one is sending."""

        def send_batch(self, event_list):
            seen.append(second.forward(client))
            return client.send_batch(event_list)

    assert first.forward(Nested()).sent == 1
    assert seen[0].busy and seen[0].sent == 0
    assert second.forward(client).busy is False
    first.close()
    second.close()
