# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import contextlib
from datetime import timedelta
from unittest.mock import patch

import requests

from odoo import fields
from odoo.tests import tagged
from odoo.tests.common import JsonRpcException

from .common import OutboundCase


class _Probed(Exception):
    pass


def effective_timeout(url, timeout):
    """The timeout that reaches requests' HTTP adapter when a session is
    asked for ``timeout``, without sending anything.

    Odoo's test harness wraps ``requests.Session.send`` in tests; newer 18.0
    builds raise any timeout under 10 s to 10 s there, older ones leave it.
    """
    seen = []

    def spy(_adapter, _request, **kwargs):
        seen.append(kwargs.get("timeout"))
        raise _Probed

    with (
        patch.object(requests.adapters.HTTPAdapter, "send", spy),
        requests.Session() as session,
        contextlib.suppress(_Probed),
    ):
        session.post(url, timeout=timeout)
    return seen[0]


@contextlib.contextmanager
def timeouts_requested(url):
    """Collect the timeout of each request to ``url`` as the code under test
    hands it to requests, before the test harness may change it."""
    seen = []
    send = requests.Session.send  # the harness's wrapper, when it has one

    def spy(session, request, **kwargs):
        if request.url == url:
            seen.append(kwargs.get("timeout"))
        return send(session, request, **kwargs)

    with patch.object(requests.Session, "send", spy):
        yield seen


@tagged("post_install", "-at_install")
class TestOutboundDelivery(OutboundCase):
    def test_an_event_is_delivered_signed_with_its_id_as_webhook_id(self):
        event = self.ship("W-1")
        self.assertEqual(event.state, "processed")
        delivery = self.deliveries(event)
        self.assertEqual(delivery.state, "pending")
        self.run_jobs()
        self.assertEqual(len(self.receiver.requests), 1)
        request = self.receiver.requests[0]
        self.assertTrue(request["verified"], "the partner could verify the signature")
        self.assertEqual(request["headers"]["webhook-id"], event.cloudevent_id)
        self.assertEqual(
            request["headers"]["Content-Type"], "application/cloudevents+json"
        )
        sent = request["json"]
        self.assertEqual(sent["type"], "test.widget.shipped.v1")
        self.assertEqual(sent["subject"], "W-1")
        self.assertEqual(sent["data"], {"name": "W-1", "quantity": 5})
        self.assertEqual(delivery.state, "delivered")
        self.assertEqual(delivery.http_status, 200)
        self.assertEqual(delivery.attempt_count, 1)
        self.assertTrue(delivery.delivered_at)
        self.assertEqual(delivery.attempt_ids.mapped("state"), ["delivered"])

    def test_failing_twice_then_succeeding_takes_three_attempts_one_id(self):
        self.receiver.respond(500, times=2)
        event = self.ship("W-2")
        delivery = self.deliveries(event)
        self.run_jobs()
        self.assertEqual(delivery.state, "retrying")
        self.assertEqual(delivery.attempt_count, 1)
        self.assertIn("500", delivery.error)
        self.assertGreater(delivery.next_attempt_at, fields.Datetime.now())
        for _attempt in range(2):
            self.fast_forward_deliveries()
            self.run_jobs()
        self.assertEqual(delivery.state, "delivered")
        self.assertEqual(delivery.attempt_count, 3)
        self.assertEqual(len(self.receiver.requests), 3)
        self.assertEqual(
            {r["headers"]["webhook-id"] for r in self.receiver.requests},
            {event.cloudevent_id},
        )
        self.assertTrue(all(r["verified"] for r in self.receiver.requests))
        self.assertEqual(
            sorted(delivery.attempt_ids.mapped("http_status")), [200, 500, 500]
        )

    def test_410_gone_disables_the_connector_and_tells_the_managers(self):
        self.receiver.respond(410)
        event = self.ship("W-3")
        delivery = self.deliveries(event)
        self.run_jobs()
        self.assertEqual(delivery.state, "dead")
        self.assertFalse(self.connector.active)
        self.assertIn("410", self.connector.disabled_reason)
        admin = self.env.ref("base.user_admin")
        self.assertTrue(
            self.connector.message_ids.filtered(
                lambda m: admin.partner_id in m.partner_ids
            ),
            "the managers are notified",
        )
        self.assertTrue(self.connector.activity_ids)
        # Nothing more is sent to a disabled connector.
        self.ship("W-4")
        self.run_jobs()
        self.assertEqual(len(self.receiver.requests), 1)

    def test_429_retry_after_delays_the_next_attempt(self):
        self.receiver.respond(429, headers={"Retry-After": "120"})
        delivery = self.deliveries(self.ship("W-5"))
        before = fields.Datetime.now()
        self.run_jobs()
        self.assertEqual(delivery.state, "retrying")
        self.assertEqual(delivery.http_status, 429)
        wait = (delivery.next_attempt_at - before).total_seconds()
        self.assertGreaterEqual(wait, 119)
        self.assertLess(wait, 130)
        # The wake-up job waits for the same moment.
        job = self.env["queue.job"].search(
            [("method_name", "=", "_job_dispatch"), ("state", "=", "pending")]
        )
        self.assertEqual(job.eta, delivery.next_attempt_at)

    def test_503_retry_after_http_date_is_honoured(self):
        retry_at = fields.Datetime.now() + timedelta(minutes=10)
        self.receiver.respond(
            503, headers={"Retry-After": retry_at.strftime("%a, %d %b %Y %H:%M:%S GMT")}
        )
        delivery = self.deliveries(self.ship("W-6"))
        self.run_jobs()
        self.assertEqual(delivery.state, "retrying")
        self.assertAlmostEqual(
            delivery.next_attempt_at, retry_at, delta=timedelta(seconds=5)
        )

    def test_a_timeout_is_retried(self):
        self.connector.timeout = 0.5
        # The partner answers too late for the connector's timeout, and for
        # the 10 s floor that newer builds' test harness puts under it.
        waited = effective_timeout(self.receiver.url, self.connector.timeout)
        self.receiver.respond(200, delay=max(self.connector.timeout, waited) + 1.5)
        delivery = self.deliveries(self.ship("W-7"))
        with timeouts_requested(self.receiver.url) as timeouts:
            self.run_jobs()
        self.assertEqual(timeouts, [0.5], "the connector's own timeout is used")
        self.assertEqual(delivery.state, "retrying")
        self.assertIn("No answer within 0.5 s", delivery.error)
        self.fast_forward_deliveries()
        self.run_jobs()
        self.assertEqual(delivery.state, "delivered")
        self.assertEqual(len(self.receiver.requests), 2)
        self.assertEqual(
            self.receiver.requests[0]["headers"]["webhook-id"],
            self.receiver.requests[1]["headers"]["webhook-id"],
        )

    def test_connection_errors_are_retried(self):
        self.connector.url = "http://127.0.0.1:9/nothing-listens-here"
        delivery = self.deliveries(self.ship("W-8"))
        self.run_jobs()
        self.assertEqual(delivery.state, "retrying")
        self.assertIn("Connection failed", delivery.error)
        self.assertFalse(delivery.http_status)

    def test_exhausted_retries_die_then_bulk_replay_delivers(self):
        self.connector.retry_schedule = "5"
        self.receiver.respond(500, times=2)
        start = fields.Datetime.now() - timedelta(minutes=1)
        events = self.ship("W-9", "W-10")
        widget = self.env["test.integration.widget"].search([("name", "=", "W-9")])
        deliveries = self.deliveries(events)
        self.receiver.respond(500, times=2)
        self.run_jobs()
        self.fast_forward_deliveries()
        self.run_jobs()
        self.assertEqual(deliveries.mapped("state"), ["dead", "dead"])
        self.assertEqual(deliveries.mapped("attempt_count"), [2, 2])
        # A person is told on the business document itself.
        activity = widget.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertIn("Test MES endpoint", activity.summary)
        # The partner is fixed: replay the connector's dead deliveries.
        wizard = self.env["integration.delivery.replay"].create(
            {
                "connector_id": self.connector.id,
                "date_from": start,
                "date_to": fields.Datetime.now() + timedelta(minutes=1),
            }
        )
        self.assertEqual(wizard.match_count, 2)
        wizard.action_replay()
        self.assertEqual(deliveries.mapped("state"), ["pending", "pending"])
        self.run_jobs()
        self.assertEqual(deliveries.mapped("state"), ["delivered", "delivered"])
        self.assertEqual(deliveries.mapped("replay_count"), [1, 1])
        ids_sent = [r["headers"]["webhook-id"] for r in self.receiver.requests]
        self.assertEqual(len(ids_sent), 6)
        self.assertEqual(set(ids_sent), set(events.mapped("cloudevent_id")))

    def test_replay_outside_the_range_or_state_does_nothing(self):
        delivery = self.deliveries(self.ship("W-11"))
        self.run_jobs()
        self.assertEqual(delivery.state, "delivered")
        count = self.connector.replay_deliveries(
            fields.Datetime.now() - timedelta(days=2),
            fields.Datetime.now() + timedelta(days=1),
        )
        self.assertEqual(count, 0)
        with self.assertRaisesRegex(Exception, "Only dead, retrying or cancelled"):
            delivery.action_replay()

    def test_a_rolled_back_business_transaction_leaves_no_event(self):
        widget = self.make_widget("W-12")
        self.authenticate("admin", "admin")
        jobs_before = self.env["queue.job"].search_count([])
        with self.assertRaises(JsonRpcException):
            self.make_jsonrpc_request(
                "/web/dataset/call_kw/test.integration.widget/action_ship",
                {
                    "model": "test.integration.widget",
                    "method": "action_ship",
                    "args": [[widget.id]],
                    "kwargs": {"fail_after_emitting": True},
                },
            )
        self.env.invalidate_all()
        self.assertEqual(widget.quantity, 5, "the business change rolled back")
        self.assertFalse(
            self.env["integration.event"].search([("subject", "=", "W-12")])
        )
        self.assertFalse(
            self.env["integration.delivery"].search([("subject", "=", "W-12")])
        )
        self.assertEqual(self.env["queue.job"].search_count([]), jobs_before)
        # The same call without the failure commits all three together.
        self.make_jsonrpc_request(
            "/web/dataset/call_kw/test.integration.widget/action_ship",
            {
                "model": "test.integration.widget",
                "method": "action_ship",
                "args": [[widget.id]],
                "kwargs": {},
            },
        )
        self.env.invalidate_all()
        self.assertEqual(widget.quantity, 0)
        event = self.env["integration.event"].search([("subject", "=", "W-12")])
        self.assertEqual(len(event), 1)
        self.assertEqual(len(self.deliveries(event)), 1)
        self.assertEqual(self.env["queue.job"].search_count([]), jobs_before + 1)

    def test_invalid_outbound_data_is_refused_with_its_pointer(self):
        with self.assertRaisesRegex(Exception, r"/data/quantity"):
            self.env["integration.event"]._emit_outbound(
                "test.widget.shipped.v1", "W-13", {"name": "W-13", "quantity": "x"}
            )
        with self.assertRaisesRegex(Exception, "not a registered outbound"):
            self.env["integration.event"]._emit_outbound(
                "test.widget.upserted.v1", "W-13", {"name": "W-13", "quantity": 1}
            )

    def test_a_partners_own_decision_is_not_sent_back_to_it(self):
        # A new connector's secret replaces the receiver's: put it back after.
        self.addCleanup(setattr, self.receiver, "secrets", list(self.receiver.secrets))
        own = self.make_connector("Test MES, own endpoint", client_id=self.client.id)
        widget = self.make_widget("W-77")
        [echo] = self.env["integration.event"]._emit_outbound_many(
            [
                {
                    "type": "test.widget.shipped.v1",
                    "subject": widget.name,
                    "data": {"name": widget.name, "quantity": 5},
                    "records": widget,
                    "echo_of": self.client,
                }
            ]
        )
        self.assertEqual(echo.delivery_ids.connector_id, self.connector)
        self.assertFalse(self.deliveries(echo, own))
        # Anything else reaches that partner as any other subscriber.
        event = self.ship("W-78")
        self.assertEqual(event.delivery_ids.connector_id, self.connector | own)

    def test_only_matching_active_connectors_get_deliveries(self):
        other = self.make_connector("Scheduler", event_types="mfg.production.*")
        archived = self.make_connector("Old MES")
        archived.active = False
        event = self.ship("W-14")
        self.assertEqual(event.delivery_ids.connector_id, self.connector)
        self.assertFalse(self.deliveries(event, other))
