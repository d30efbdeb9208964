# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Outbound faults end, are counted and never loop: odd answers from the
partner, answers that never end, and workers killed in the middle of a
round (security review, M1, M2 and M9)."""

import time
from concurrent.futures import Future

from odoo import fields
from odoo.tests import tagged

from odoo.addons.integration_log.protocol import delivery as policy

from .common import OutboundCase
from .faulty_receiver import MIB, FaultyReceiver, answer, send, stream, trickle


@tagged("post_install", "-at_install")
class TestDeliveryFaults(OutboundCase):
    """Each bad answer ends its attempt, which is counted and logged, and the
    next attempt is scheduled (or the delivery is delivered, for a 2xx)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.faulty = FaultyReceiver().start()
        cls.addClassCleanup(cls.faulty.stop)
        cls.connector.active = False
        cls.partner = cls.make_connector(
            "Faulty partner", url=cls.faulty.url, timeout=2.0
        )

    def setUp(self):
        super().setUp()
        self.faulty.reset()

    def send_one(self, name, *plays):
        """Ship one widget to the faulty partner, which answers with
        ``plays``; returns its delivery once the jobs ran."""
        self.faulty.play(*plays)
        delivery = self.deliveries(self.ship(name), self.partner)
        self.run_jobs()
        self.assertEqual(len(self.faulty.requests), 1)
        return delivery

    def assertAttemptRecorded(self, delivery, state, attempts=1):
        self.assertEqual(delivery.state, state)
        self.assertEqual(delivery.attempt_count, attempts)
        self.assertFalse(delivery.claimed_by)
        entries = delivery.attempt_ids.filtered(lambda e: e.kind == "delivery")
        self.assertEqual(len(entries), attempts, "one log entry per attempt")
        self.assertEqual(entries[0].state, state)
        if state == "retrying":
            self.assertGreater(delivery.next_attempt_at, fields.Datetime.now())
            wake_up = self.env["queue.job"].search(
                [
                    ("method_name", "=", "_job_dispatch"),
                    ("state", "=", "pending"),
                    ("eta", "<=", delivery.next_attempt_at),
                ]
            )
            self.assertTrue(wake_up, "a job will make the next attempt")

    def assertNextAttemptIn(self, delivery, low, high):
        wait = (delivery.next_attempt_at - fields.Datetime.now()).total_seconds()
        self.assertGreaterEqual(wait, low)
        self.assertLessEqual(wait, high)

    # ------------------------------------------------------------------
    # Odd answers (M1)
    # ------------------------------------------------------------------
    def test_an_unknown_charset_on_a_2xx_is_delivered(self):
        delivery = self.send_one(
            "F-1",
            send(
                answer(
                    200,
                    "accepted é".encode(),
                    [("Content-Type", b"text/plain; charset=x-bogus")],
                )
            ),
        )
        self.assertAttemptRecorded(delivery, "delivered")
        self.assertEqual(delivery.http_status, 200)
        self.assertEqual(delivery.response_excerpt, "accepted é")

    def test_an_unknown_charset_on_a_5xx_is_retried(self):
        delivery = self.send_one(
            "F-2",
            send(
                answer(
                    500,
                    b"broken \xff\x00",
                    [("Content-Type", b"text/plain; charset=x-bogus")],
                )
            ),
        )
        self.assertAttemptRecorded(delivery, "retrying")
        self.assertEqual(delivery.http_status, 500)
        self.assertEqual(delivery.response_excerpt, "broken \ufffd\ufffd")
        self.assertIn("500", delivery.error)

    def test_charset_idna_is_read_as_utf8(self):
        delivery = self.send_one(
            "F-3",
            send(
                answer(
                    500,
                    "refusé".encode(),
                    [("Content-Type", b"text/plain; charset=idna")],
                )
            ),
        )
        self.assertAttemptRecorded(delivery, "retrying")
        self.assertEqual(delivery.response_excerpt, "refusé")

    def test_a_superscript_two_retry_after_is_ignored(self):
        for name, raw_value in (("F-4", b"\xb2"), ("F-5", "²".encode())):
            with self.subTest(retry_after=raw_value):
                self.faulty.reset()
                delivery = self.send_one(
                    name, send(answer(429, b"", [("Retry-After", raw_value)]))
                )
                self.assertAttemptRecorded(delivery, "retrying")
                self.assertEqual(delivery.http_status, 429)
                # Unreadable: the connector's schedule (5 s +/- 10 %) applies.
                self.assertNextAttemptIn(delivery, 3, 10)

    def test_a_retry_after_of_5000_digits_waits_the_longest_allowed(self):
        delivery = self.send_one(
            "F-6", send(answer(503, b"", [("Retry-After", b"9" * 5000)]))
        )
        self.assertAttemptRecorded(delivery, "retrying")
        week = policy.MAX_RETRY_AFTER_SECONDS
        self.assertNextAttemptIn(delivery, week - 10, week)

    # ------------------------------------------------------------------
    # Answers that never end (M2)
    # ------------------------------------------------------------------
    def test_a_50_mib_answer_is_read_only_for_its_excerpt(self):
        delivery = self.send_one("F-7", stream(500, 50 * MIB))
        self.assertAttemptRecorded(delivery, "retrying")
        self.assertEqual(delivery.http_status, 500)
        self.assertEqual(
            delivery.response_excerpt, "x" * policy.EXCERPT_CHARS + "…", "short"
        )
        # Odoo hung up after the excerpt: the partner could only fill the
        # socket buffers, far from the 50 MiB.
        self.assertTrue(self.faulty.wait_idle())
        self.assertLess(self.faulty.sent_bytes, 25 * MIB)

    def _assert_cut_at_the_deadline(self, delivery, started):
        elapsed = time.monotonic() - started
        self.assertAttemptRecorded(delivery, "retrying")
        self.assertIn("No answer within 2.0 s", delivery.error)
        self.assertFalse(delivery.http_status)
        # A functional bound, not a speed target: a per-read timeout would
        # have waited for the whole trickle (a minute).
        self.assertLess(elapsed, 2.0 + 10)
        self.assertGreaterEqual(delivery.latency_ms, 1900)
        self.assertLess(delivery.latency_ms, 12000)

    def test_a_body_trickled_byte_by_byte_is_cut_at_the_timeout(self):
        started = time.monotonic()
        delivery = self.send_one(
            "F-8",
            trickle(b"HTTP/1.1 200 OK\r\nContent-Length: 120\r\n\r\n", b"b" * 120),
        )
        self._assert_cut_at_the_deadline(delivery, started)
        # The next attempt, to a partner that answers at once, delivers.
        self.faulty.reset()
        self.fast_forward_deliveries()
        self.run_jobs()
        self.assertEqual(len(self.faulty.requests), 1)
        self.assertAttemptRecorded(delivery, "delivered", attempts=2)

    def test_headers_trickled_byte_by_byte_are_cut_at_the_timeout(self):
        started = time.monotonic()
        delivery = self.send_one(
            "F-9",
            trickle(b"HTTP/1.1 200 OK\r\n", b"X-Slow: " + b"a" * 110 + b"\r\n\r\n"),
        )
        self._assert_cut_at_the_deadline(delivery, started)

    # ------------------------------------------------------------------
    # A failure in a sending thread
    # ------------------------------------------------------------------
    def test_an_exception_in_a_sending_thread_is_a_retry_outcome(self):
        future = Future()
        future.set_exception(RuntimeError("socket exploded"))
        transport = "odoo.addons.integration_log.models.integration_connector_transport"
        with self.assertLogs(transport, "ERROR"):
            outcome = self.partner._settled_outcome(future)
        self.assertEqual(outcome["result"], policy.RETRY)
        self.assertIn("RuntimeError", outcome["error"])
        self.assertIn("socket exploded", outcome["error"])
        # What a thread saw is read without raising, whatever it is.
        future = Future()
        future.set_result(
            {
                "timeout": False,
                "failure": None,
                "status": 429,
                "text": "\x00" * 5000,
                "retry_after": "²",
                "latency_ms": 3,
            }
        )
        outcome = self.partner._settled_outcome(future)
        self.assertEqual(
            (outcome["result"], outcome["retry_after"]), ("throttled", None)
        )
        self.assertNotIn("\x00", outcome["excerpt"])


@tagged("post_install", "-at_install")
class TestInterruptedDeliveries(OutboundCase):
    """A worker killed mid-round (time or memory limit) leaves its deliveries
    'sending', their attempt counted by the claim: they are sent again as
    new attempts until none is left, then they are dead (M9)."""

    def kill_mid_round(self, delivery, job_uuid):
        """What a killed worker leaves: its claim, committed on its own
        (state 'sending', attempt counted), then nothing; a while ago."""
        claimed, _given_up = self.connector.with_context(job_uuid=job_uuid)._claim_due()
        self.assertIn(delivery.id, claimed)
        self.env.cr.execute(
            "UPDATE integration_delivery "
            "SET claimed_at = claimed_at - interval '5 minutes' WHERE id = %s",
            [delivery.id],
        )
        self.env.invalidate_all()
        self.assertEqual(delivery.state, "sending")

    def test_an_interrupted_attempt_is_counted_and_sent_again(self):
        self.receiver.respond(500)
        delivery = self.deliveries(self.ship("K-1"))
        self.run_jobs()
        self.assertEqual((delivery.state, delivery.attempt_count), ("retrying", 1))
        self.fast_forward_deliveries()
        self.kill_mid_round(delivery, "killed-job-1")
        self.assertEqual(delivery.attempt_count, 2, "counted by the claim")
        self.run_jobs()
        self.assertEqual(delivery.state, "delivered")
        # The outcome stage does not count the attempt its claim counted.
        self.assertEqual(delivery.attempt_count, 3)
        self.assertEqual(delivery.interrupted_count, 1)
        self.assertEqual(
            delivery.attempt_ids.sorted("id").mapped("state"),
            ["retrying", "interrupted", "delivered"],
        )
        interrupted = delivery.attempt_ids.filtered(lambda e: e.state == "interrupted")
        self.assertIn("Attempt 2 was interrupted", interrupted.detail)
        self.assertIn("killed-job-1", interrupted.detail)
        self.assertEqual(len(self.receiver.requests), 2)

    def test_a_delivery_interrupted_until_no_attempt_is_left_is_dead(self):
        self.connector.write({"retry_schedule": "5,5", "ordered": True})
        widget = self.make_widget("K-2")
        widget.action_ship()
        widget.quantity = 3
        widget.action_ship()
        events = self.env["integration.event"].search(
            [("direction", "=", "out"), ("subject", "=", "K-2")], order="id"
        )
        first, second = self.deliveries(events)
        # Three attempts allowed (two retry delays), all three killed.
        for number in (1, 2, 3):
            self.kill_mid_round(first, f"killed-job-{number}")
        self.assertEqual(first.attempt_count, 3)
        self.assertEqual(second.state, "pending", "waits behind its subject")
        self.run_jobs()
        self.assertEqual(first.state, "dead")
        self.assertEqual((first.attempt_count, first.interrupted_count), (3, 3))
        self.assertIn("Interrupted while sending", first.error)
        self.assertIn("3 of its 3 attempts", first.error)
        self.assertIn("last claimed by job killed-job-3", first.error)
        self.assertFalse(first.claimed_by)
        self.assertEqual(
            first.attempt_ids.sorted("id").mapped("state"),
            ["interrupted", "interrupted", "dead"],
        )
        self.assertTrue(widget.activity_ids, "a person is told")
        # Never POSTed; the dead delivery no longer holds its subject back.
        self.assertEqual(
            [r["headers"]["webhook-id"] for r in self.receiver.requests],
            [events[1].cloudevent_id],
        )
        self.assertEqual(second.state, "delivered")
        # Nothing sends it again, not even the overdue backstop.
        self.env["integration.connector"]._cron_dispatch_overdue()
        self.fast_forward_deliveries()
        self.run_jobs()
        self.assertEqual(first.state, "dead")
        self.assertEqual(len(self.receiver.requests), 1)

    def test_a_stuck_delivery_without_attempts_left_is_dead_at_once(self):
        delivery = self.deliveries(self.ship("K-3"))
        # Claimed a while ago by a job that was lost, on its last attempt.
        self.env.cr.execute(
            "UPDATE integration_delivery SET state = 'sending', claimed_by = 'lost', "
            "claimed_at = now() at time zone 'UTC' - interval '5 minutes', "
            "attempt_count = 4 WHERE id = %s",
            [delivery.id],
        )
        self.env.invalidate_all()
        self.run_jobs()
        # The test connector's schedule (three delays) allows four attempts.
        self.assertEqual(delivery.state, "dead")
        self.assertEqual((delivery.attempt_count, delivery.interrupted_count), (4, 1))
        self.assertIn("1 of its 4 attempts", delivery.error)
        self.assertIn("last claimed by job lost", delivery.error)
        self.assertEqual(delivery.attempt_ids.mapped("state"), ["dead"])
        self.assertFalse(self.receiver.requests)
