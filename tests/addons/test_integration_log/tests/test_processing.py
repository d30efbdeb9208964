# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json

from odoo.sql_db import db_connect
from odoo.tests import new_test_user, tagged

from .common import BATCH, InboundCase


@tagged("post_install", "-at_install")
class TestProcessing(InboundCase):
    def widget_event(self, quantity, sequence=None, subject="W-1", data=None, **attrs):
        return self.make_event(
            subject=subject,
            sequence=sequence,
            data={"name": subject, "quantity": quantity, **(data or {})},
            **attrs,
        )

    def test_a_subject_is_applied_in_sequence_order_then_stale_is_detected(self):
        events = [self.widget_event(q, sequence=q) for q in (3, 1, 2)]
        self.post(events, content_type=BATCH)
        self.run_jobs()
        widget = self.widget("W-1")
        self.assertEqual(
            widget.applied.split(), [events[1]["id"], events[2]["id"], events[0]["id"]]
        )
        self.assertEqual(widget.quantity, 3)
        late = self.widget_event(2.5, sequence=2)
        self.post(late)
        self.run_jobs()
        stale = self.event_record(late)
        self.assertEqual(stale.state, "stale")
        self.assertIn("sequence", stale.error)
        self.assertEqual(self.widget("W-1").quantity, 3)

    def test_events_without_sequence_follow_time_then_arrival(self):
        later = self.widget_event(2, time="2026-03-01T09:00:00Z")
        earlier = self.widget_event(1, time="2026-03-01T08:00:00Z")
        self.post([later, earlier], content_type=BATCH)
        self.run_jobs()
        self.assertEqual(
            self.widget("W-1").applied.split(), [earlier["id"], later["id"]]
        )

    def test_the_handler_runs_as_the_client_technical_user(self):
        event = self.widget_event(5)
        self.post(event)
        self.run_jobs()
        widget = self.widget("W-1")
        self.assertEqual(widget.create_uid, self.tech_user)
        record = self.event_record(event)
        self.assertEqual(record.state, "processed")
        self.assertEqual(json.loads(record.result), {"widget_id": widget.id})
        self.assertEqual(record.link_ids.mapped("res_id"), [widget.id])
        status = self.get(f"/events/{event['id']}", source=event["source"]).json()
        self.assertEqual(status["status"], "processed")
        self.assertEqual(status["links"][0]["model"], "test.integration.widget")

    def test_a_business_error_kills_the_event_and_applies_nothing(self):
        self.post(self.widget_event(3))
        self.run_jobs()
        refused = self.widget_event(7, data={"category": "Sprockets"})
        self.post(refused)
        self.run_jobs()
        dead = self.event_record(refused)
        self.assertEqual(dead.state, "dead")
        self.assertIn("category: no widget category Sprockets", dead.error)
        self.assertEqual(self.widget("W-1").quantity, 3)

    def test_a_dead_event_is_replayed_after_a_fix(self):
        event = self.widget_event(7, data={"category": "Sprockets"})
        self.post(event)
        self.run_jobs()
        dead = self.event_record(event)
        self.assertEqual(dead.state, "dead")
        self.env["test.integration.widget.category"].create({"name": "Sprockets"})
        manager = new_test_user(
            self.env, "replayer", "integration_log.group_integration_manager"
        )
        dead.with_user(manager).action_replay()
        self.assertEqual((dead.state, dead.replay_count), ("received", 1))
        self.run_jobs()
        self.assertEqual(dead.state, "processed")
        self.assertEqual(self.widget("W-1").category_id.name, "Sprockets")

    def test_processed_events_cannot_be_replayed(self):
        event = self.widget_event(1)
        self.post(event)
        self.run_jobs()
        with self.assertRaisesRegex(Exception, "Only dead or failed"):
            self.event_record(event).action_replay()

    def test_transient_errors_are_retried_and_later_events_wait(self):
        first = self.widget_event(1, sequence=1, data={"fail_times": 2})
        second = self.widget_event(2, sequence=2)
        self.post(first)
        self.run_jobs()
        failed = self.event_record(first)
        self.assertEqual((failed.state, failed.attempt_count), ("failed", 1))
        self.assertTrue(failed.next_attempt_at)
        self.post(second)
        self.run_jobs()
        self.assertEqual(self.event_record(second).state, "received")
        self.fast_forward()
        self.run_jobs()
        self.assertEqual(failed.state, "failed")
        self.fast_forward()
        self.run_jobs()
        self.assertEqual((failed.state, failed.attempt_count), ("processed", 3))
        self.assertEqual(self.event_record(second).state, "processed")
        self.assertEqual(self.widget("W-1").quantity, 2)

    def test_retries_run_out_into_dead(self):
        event = self.widget_event(1, data={"fail_times": 99})
        self.post(event)
        for _attempt in range(6):
            self.run_jobs()
            self.fast_forward()
        dead = self.event_record(event)
        self.assertEqual(dead.state, "dead")
        self.assertIn("Gave up after 6 attempts", dead.error)

    def test_latest_only_types_skip_replaced_events(self):
        events = [
            self.widget_event(q, sequence=q, type="test.widget.counted.v1")
            for q in (1, 2)
        ]
        self.post(events, content_type=BATCH)
        self.run_jobs()
        self.assertEqual(self.event_record(events[0]).state, "skipped")
        self.assertEqual(self.event_record(events[1]).state, "processed")

    def test_a_subject_held_by_another_job_is_processed_later(self):
        event = self.widget_event(4)
        self.post(event)
        self.env.flush_all()
        with db_connect(self.env.cr.dbname).cursor() as other:
            other.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                [f"integration_event\x1f{event['source']}\x1fW-1"],
            )
            self.run_jobs()
            self.assertEqual(self.event_record(event).state, "received")
            other.rollback()
        self.fast_forward()
        self.run_jobs()
        self.assertEqual(self.event_record(event).state, "processed")

    def test_events_left_without_job_are_picked_up_by_the_cron(self):
        event = self.widget_event(6)
        self.post(event)
        self.env.flush_all()
        self.env.cr.execute("DELETE FROM queue_job")
        self.env.cr.execute(
            "UPDATE integration_event SET received_at = received_at - interval '1 hour'"
        )
        self.env.invalidate_all()
        self.assertEqual(self.env["integration.event"]._cron_dispatch_overdue(), 1)
        self.run_jobs()
        self.assertEqual(self.event_record(event).state, "processed")
