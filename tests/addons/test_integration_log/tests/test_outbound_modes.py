# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from odoo.addons.integration_log.protocol import delivery as policy

from .common import OutboundCase


@tagged("post_install", "-at_install")
class TestOutboundModes(OutboundCase):
    def test_batch_mode_groups_events_into_signed_arrays(self):
        self.connector.write({"mode": "batch", "batch_size": 3, "batch_interval": 0})
        events = self.ship(*(f"B-{n}" for n in range(7)))
        self.run_jobs()
        # Batches may travel in parallel: compare them by content.
        sizes = sorted(len(r["json"]) for r in self.receiver.requests)
        self.assertEqual(sizes, [1, 3, 3])
        for request in self.receiver.requests:
            self.assertTrue(request["verified"])
            self.assertEqual(
                request["headers"]["Content-Type"],
                "application/cloudevents-batch+json",
            )
            self.assertEqual(
                request["headers"]["webhook-id"],
                policy.batch_message_id([e["id"] for e in request["json"]]),
            )
        self.assertEqual(
            sorted(e["id"] for e in self.receiver.events()),
            sorted(events.mapped("cloudevent_id")),
        )
        emitted = events.mapped("cloudevent_id")
        for request in self.receiver.requests:
            ids = [e["id"] for e in request["json"]]
            self.assertEqual(ids, sorted(ids, key=emitted.index), "in emission order")
        self.assertEqual(set(self.deliveries(events).mapped("state")), {"delivered"})

    def test_a_retried_batch_is_the_same_message(self):
        self.connector.write({"mode": "batch", "batch_size": 10, "batch_interval": 0})
        self.receiver.respond(503)
        events = self.ship("B-10", "B-11")
        self.run_jobs()
        self.fast_forward_deliveries()
        self.run_jobs()
        first, second = self.receiver.requests
        self.assertEqual(first["raw"], second["raw"])
        self.assertEqual(
            first["headers"]["webhook-id"], second["headers"]["webhook-id"]
        )
        self.assertEqual(set(self.deliveries(events).mapped("state")), {"delivered"})

    def test_batch_mode_waits_for_the_interval_or_a_full_batch(self):
        self.connector.write({"mode": "batch", "batch_size": 3, "batch_interval": 60})
        events = self.ship("B-20")
        job = self.env["queue.job"].search(
            [("method_name", "=", "_job_dispatch"), ("state", "=", "pending")]
        )
        self.assertEqual(len(job), 1)
        self.assertGreater(job.eta, fields.Datetime.now() + timedelta(seconds=50))
        self.fast_forward()  # the job runs early: the batch is not ready
        self.run_jobs()
        self.assertFalse(self.receiver.requests)
        self.assertEqual(self.deliveries(events).state, "pending")
        events |= self.ship("B-21", "B-22")
        self.fast_forward()
        self.run_jobs()
        self.assertEqual([len(r["json"]) for r in self.receiver.requests], [3])

    def test_ordered_connector_holds_a_subject_behind_its_retrying_event(self):
        # One request at a time, so that the scripted 500 hits the first.
        self.connector.write({"ordered": True, "parallel_requests": 1})
        self.receiver.respond(500)
        widget = self.make_widget("O-1")
        widget.action_ship()
        widget.quantity = 7
        widget.action_ship()
        other = self.ship("O-2")
        first, second = self.env["integration.event"].search(
            [("subject", "=", "O-1")], order="id"
        )
        self.run_jobs()
        d_first, d_second = self.deliveries(first), self.deliveries(second)
        self.assertEqual(d_first.state, "retrying")
        self.assertEqual(d_second.state, "pending", "held behind the retrying event")
        self.assertEqual(self.deliveries(other).state, "delivered")
        self.fast_forward_deliveries()
        self.run_jobs()
        self.assertEqual((d_first | d_second).mapped("state"), ["delivered"] * 2)
        # Subjects travel in parallel; within O-1 the order holds.
        self.assertEqual(
            [
                e["data"]["quantity"]
                for e in self.receiver.events()
                if e["subject"] == "O-1"
            ],
            [5, 5, 7],
        )

    def test_unordered_connector_does_not_wait(self):
        self.receiver.respond(500)
        widget = self.make_widget("U-1")
        widget.action_ship()
        widget.quantity = 7
        widget.action_ship()
        self.run_jobs()
        events = self.env["integration.event"].search([("subject", "=", "U-1")])
        self.assertEqual(
            sorted(self.deliveries(events).mapped("state")), ["delivered", "retrying"]
        )

    def test_a_job_that_died_mid_flight_is_rerun_with_the_same_webhook_id(self):
        delivery = self.deliveries(self.ship("C-1"))
        job = self.env["queue.job"].search(
            [("method_name", "=", "_job_dispatch"), ("state", "=", "pending")]
        )
        # The worker claimed the delivery, POSTed it, and was killed before
        # committing the outcome: the partner got it, Odoo recorded nothing.
        self.env.cr.execute(
            "UPDATE integration_delivery SET state = 'sending', claimed_by = %s, "
            "claimed_at = now() at time zone 'UTC' WHERE id = %s",
            [job.uuid, delivery.id],
        )
        self.env.cr.execute(
            "UPDATE queue_job SET state = 'started', "
            "date_started = now() at time zone 'UTC' WHERE uuid = %s",
            [job.uuid],
        )
        # queue_job's runner finds the started job without its lock and
        # re-queues it, as requeue_dead_jobs does.
        self.env.cr.execute(
            "UPDATE queue_job SET state = 'pending', retry = retry + 1 WHERE uuid = %s",
            [job.uuid],
        )
        self.env.invalidate_all()
        self.run_jobs()
        self.assertEqual(delivery.state, "delivered")
        self.assertEqual(
            [r["headers"]["webhook-id"] for r in self.receiver.requests],
            [delivery.event_id.cloudevent_id],
        )

    def test_a_delivery_stuck_in_sending_is_taken_over_by_the_cron(self):
        delivery = self.deliveries(self.ship("C-2"))
        self.env["queue.job"].search([("method_name", "=", "_job_dispatch")]).unlink()
        self.env.cr.execute(
            "UPDATE integration_delivery SET state = 'sending', claimed_by = 'lost', "
            "claimed_at = now() at time zone 'UTC' - interval '5 minutes' "
            "WHERE id = %s",
            [delivery.id],
        )
        self.assertEqual(self.env["integration.connector"]._cron_dispatch_overdue(), 1)
        self.fast_forward()
        self.run_jobs()
        self.assertEqual(delivery.state, "delivered")

    def test_outbound_urls_are_restricted_to_allowed_hosts(self):
        for url in (
            "ftp://127.0.0.1/x",
            "file:///etc/passwd",
            "http://user:pw@127.0.0.1/",
        ):
            with self.assertRaises(ValidationError):
                self.connector.url = url
        with self.assertRaisesRegex(ValidationError, "'169.254.169.254' is not in"):
            self.connector.url = "http://169.254.169.254/latest/meta-data"
        self.env["ir.config_parameter"].set_param(
            "integration_log.restrict_outbound_hosts", "0"
        )
        self.connector.url = "http://mes.example.com/hooks"
        self.env["ir.config_parameter"].set_param(
            "integration_log.restrict_outbound_hosts", "1"
        )
        # Checked again at send time: the list may have changed since.
        delivery = self.deliveries(self.ship("H-1"))
        self.run_jobs()
        self.assertEqual(delivery.state, "retrying")
        self.assertIn("not in the list of allowed outbound hosts", delivery.error)
        self.assertFalse(self.receiver.requests)

    def test_the_connection_test_button_sends_a_signed_test_event(self):
        action = self.connector.action_test_connection()
        self.assertEqual(action["params"]["type"], "success")
        request = self.receiver.requests[0]
        self.assertTrue(request["verified"])
        self.assertEqual(request["json"]["type"], "mfg.connector.test.v1")
        self.receiver.respond(401, body=b'{"error": "bad signature"}')
        action = self.connector.action_test_connection()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn("401", action["params"]["message"])
        self.assertIn("bad signature", action["params"]["message"])

    def test_secret_rotation_signs_with_both_secrets_until_revoked(self):
        old_secret = self.receiver.secrets[0]
        new_secret = self.connector.rotate_signing_secret()["signing_secret"]
        self.ship("R-1")
        self.run_jobs()
        header = self.receiver.requests[-1]["headers"]["webhook-signature"]
        self.assertEqual(len(header.split()), 2)
        self.assertTrue(self.receiver.requests[-1]["verified"], "old secret verifies")
        self.receiver.secrets = [new_secret]
        self.connector.revoke_previous_signing_secret()
        self.ship("R-2")
        self.run_jobs()
        request = self.receiver.requests[-1]
        self.assertEqual(len(request["headers"]["webhook-signature"].split()), 1)
        self.assertTrue(request["verified"])
        self.receiver.secrets = [old_secret]


@tagged("post_install", "-at_install")
class TestIntegrationLogChain(OutboundCase):
    def test_tampering_with_one_entry_is_reported(self):
        self.receiver.respond(500)
        self.ship("T-1", "T-2")
        self.run_jobs()
        self.post(self.make_event())
        self.seal_log()
        Entry = self.env["integration.log.entry"]
        self.assertTrue(Entry._verify_chain()["ok"])
        kinds = set(Entry.search([]).mapped("kind"))
        self.assertTrue({"event", "delivery", "request"} <= kinds, kinds)
        attempt = Entry.search(
            [("kind", "=", "delivery"), ("http_status", "=", 500)], limit=1
        )
        self.env.cr.execute(
            "UPDATE integration_log_entry SET http_status = 200 WHERE id = %s",
            [attempt.id],
        )
        result = Entry._verify_chain()
        self.assertFalse(result["ok"])
        self.assertEqual(result["entry_id"], attempt.id)
        self.assertIn("altered", result["reason"])
        wizard = self.env["integration.log.verification"].create({})
        wizard.action_verify()
        self.assertEqual(wizard.result, "broken")
        self.assertEqual(wizard.broken_entry_id, attempt)

    def test_removing_the_latest_entries_is_reported(self):
        self.ship("T-3")
        self.seal_log()
        self.env.cr.execute(
            "DELETE FROM integration_log_entry WHERE id = "
            "(SELECT max(id) FROM integration_log_entry)"
        )
        result = self.env["integration.log.entry"]._verify_chain()
        self.assertFalse(result["ok"])
        self.assertIn("head", result["reason"])

    def test_payload_retention_keeps_the_chain_verifiable(self):
        event = self.ship("T-4")
        self.post(self.make_event())
        self.run_jobs()
        purged = self.env["integration.event"]._purge_payloads(
            fields.Datetime.now() + timedelta(minutes=1)
        )
        self.assertGreaterEqual(purged, 2)
        self.assertFalse(event.payload)
        self.assertTrue(event.payload_hash)
        self.assertTrue(event.payload_purged_at)
        self.seal_log()
        result = self.env["integration.log.entry"]._verify_chain()
        self.assertTrue(result["ok"], result)
        self.assertEqual(result["unsealed"], 0)

    def test_pending_deliveries_keep_their_payload(self):
        event = self.ship("T-5")
        self.env["integration.event"]._purge_payloads(
            fields.Datetime.now() + timedelta(minutes=1)
        )
        self.assertTrue(event.payload)


@tagged("post_install", "-at_install")
class TestOutboundObservability(OutboundCase):
    def test_dashboard_figures_and_metrics(self):
        self.receiver.respond(500)
        self.ship("M-1", "M-2", "M-3")
        self.run_jobs()
        self.connector.invalidate_recordset()
        self.assertEqual(self.connector.backlog_count, 1)
        self.assertEqual(self.connector.delivered_hour, 2)
        self.assertAlmostEqual(self.connector.failure_rate_hour, 100 / 3, places=1)
        self.assertGreater(self.connector.latency_p95_hour, 0)
        self.assertGreaterEqual(self.connector.oldest_pending_minutes, 0)
        response = self.get("/metrics")
        self.assertEqual(response.status_code, 200)
        label = '{connector="Test MES endpoint"'
        for line in (
            f'mfg_integration_deliveries{label},state="delivered"}} 2.0',
            f'mfg_integration_deliveries{label},state="retrying"}} 1.0',
            f"mfg_integration_delivery_latency_seconds_count{label}}} 3.0",
            f"mfg_integration_delivery_oldest_pending_seconds{label}}}",
        ):
            self.assertIn(line, response.text)
