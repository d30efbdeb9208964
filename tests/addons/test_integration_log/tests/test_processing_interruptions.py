# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from unittest.mock import patch

import psycopg2

from odoo.sql_db import db_connect
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.integration_log import unavailable
from odoo.addons.integration_log.jobs import retried_if_database_lost
from odoo.addons.queue_job.exception import RetryableJobError

from .common import BATCH, InboundCase


@tagged("post_install", "-at_install")
class TestProcessingInterruptions(InboundCase):
    """Many events per job, and attempts counted before the work: a worker
    killed while applying an event (time limit, memory limit, SIGKILL) leaves
    the attempt counted, and a poison event ends dead instead of looping."""

    def widget_event(self, quantity, subject="W-1", data=None, **attrs):
        return self.make_event(
            subject=subject,
            data={"name": subject, "quantity": quantity, **(data or {})},
            **attrs,
        )

    def kill_worker_during(self, event_record):
        """The state a worker killed while applying ``event_record`` leaves:
        its attempt was counted (committed before the work), nothing else."""
        self.env["integration.event.attempt"]._start(event_record)
        self.env.invalidate_all()

    def attempts(self, event_record):
        return self.env["integration.event.attempt"].search(
            [("event_id", "=", event_record.id)]
        )

    def test_one_job_applies_a_batch_each_event_with_its_own_outcome(self):
        events = [self.widget_event(n, subject=f"W-{n % 5}") for n in range(1, 51)]
        events[7]["data"]["category"] = "Unknown"
        self.post(events, content_type=BATCH)
        # One job per lane whose subjects got events, not one per request.
        self.assertLessEqual(self.run_jobs(), 4)
        records = [self.event_record(event) for event in events]
        dead = records[7]
        self.assertEqual(dead.state, "dead")
        self.assertIn("category: no widget category Unknown", dead.error)
        others = [record for record in records if record != dead]
        self.assertEqual({r.state for r in others}, {"processed"})
        self.assertEqual({r.attempt_count for r in records}, {1})
        entries = self.env["integration.log.entry"].search(
            [
                ("event_id", "in", [r.id for r in records]),
                ("state", "in", ("processed", "dead")),
            ]
        )
        self.assertEqual(len(entries), 50, "one log entry per event")
        # The refused event's writes were rolled back, the others stayed.
        self.assertEqual(self.widget("W-3").quantity, 48)
        self.assertNotIn(events[7]["id"], self.widget("W-3").applied)

    def test_an_interrupted_attempt_is_counted_and_the_event_applied_alone(self):
        first = self.widget_event(1, subject="W-1")
        other = self.widget_event(2, subject="W-2")
        self.post([first, other], content_type=BATCH)
        self.env.flush_all()
        self.env.cr.execute("DELETE FROM queue_job")
        suspect = self.event_record(first)
        self.kill_worker_during(suspect)
        (suspect | self.event_record(other))._enqueue_processing()
        # The job hands the subject with the unfinished attempt to a job of
        # its own, then both are applied.
        self.assertEqual(self.run_jobs(), 2)
        self.assertEqual(suspect.state, "processed")
        self.assertEqual(suspect.attempt_count, 2, "the interrupted attempt counts")
        self.assertEqual(self.attempts(suspect).interrupted, 1)
        self.assertEqual(self.event_record(other).state, "processed")
        self.assertEqual(self.event_record(other).attempt_count, 1)

    def test_a_poison_event_is_dead_after_the_configured_interruptions(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "integration_log.event_max_interruptions", "2"
        )
        poison = self.widget_event(1, subject="W-1", sequence=1)
        behind = self.widget_event(2, subject="W-1", sequence=2)
        self.post([poison, behind], content_type=BATCH)
        self.env.flush_all()
        self.env.cr.execute("DELETE FROM queue_job")
        record = self.event_record(poison)
        for _kill in range(2):
            self.kill_worker_during(record)
        record._enqueue_processing()
        self.run_jobs()
        self.assertEqual(record.state, "dead")
        self.assertIn("Interrupted 2 times", record.error)
        self.assertEqual(record.attempt_count, 2)
        self.assertFalse(self.widget("W-1").applied.count(poison["id"]))
        # The subject goes on: the event behind the poison one is applied.
        self.assertEqual(self.event_record(behind).state, "processed")
        self.assertEqual(self.widget("W-1").quantity, 2)

    def test_events_waiting_behind_a_failure_are_not_counted(self):
        failing = self.widget_event(1, sequence=1, data={"fail_times": 1})
        waiting = self.widget_event(2, sequence=2)
        self.post([failing, waiting], content_type=BATCH)
        self.run_jobs()
        self.assertEqual(self.event_record(failing).state, "failed")
        waiting_record = self.event_record(waiting)
        self.assertEqual(waiting_record.state, "received")
        self.assertEqual(waiting_record.attempt_count, 0)
        self.assertFalse(
            self.env["integration.event.attempt"]._suspects(waiting_record),
            "an attempt never made is not an interruption",
        )
        self.fast_forward()
        self.run_jobs()
        self.assertEqual(waiting_record.state, "processed")
        self.assertEqual(waiting_record.attempt_count, 1)

    def test_a_replayed_event_counts_its_attempts_again(self):
        event = self.widget_event(7, data={"category": "Sprockets"})
        self.post(event)
        self.run_jobs()
        record = self.event_record(event)
        self.assertEqual((record.state, record.attempt_count), ("dead", 1))
        self.env["test.integration.widget.category"].create({"name": "Sprockets"})
        record.action_replay()
        self.run_jobs()
        self.assertEqual((record.state, record.attempt_count), ("processed", 1))
        self.assertEqual(self.attempts(record).interrupted, 0)

    def _started_job_of(self, events):
        """The queue job of ``events`` as a killed worker leaves it."""
        self.env.flush_all()
        self.env.cr.execute("DELETE FROM queue_job")
        events._enqueue_processing()
        job = self.env["queue.job"].search([], limit=1)
        self.env.cr.execute(
            "UPDATE queue_job SET state = 'started', date_enqueued = "
            "now() at time zone 'UTC' - interval '5 minutes', date_started = "
            "now() at time zone 'UTC' - interval '5 minutes' WHERE id = %s",
            [job.id],
        )
        job.invalidate_recordset()
        return job

    def test_a_job_whose_worker_died_is_requeued_and_finished(self):
        event = self.widget_event(4)
        self.post(event)
        record = self.event_record(event)
        job = self._started_job_of(record)
        self.kill_worker_during(record)
        QueueJob = self.env["queue.job"]
        self.assertEqual(QueueJob._cron_requeue_interrupted_integration_jobs(), 1)
        self.assertEqual(job.state, "pending")
        self.run_jobs()
        self.assertEqual(record.state, "processed")
        self.assertEqual(record.attempt_count, 2)

    def test_a_job_still_running_is_left_alone(self):
        event = self.widget_event(4)
        self.post(event)
        job = self._started_job_of(self.event_record(event))
        with db_connect(self.env.cr.dbname).cursor() as worker:
            # The live worker of the job holds its lock.
            worker.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                [f"queue_job_running\x1f{job.uuid}"],
            )
            self.assertEqual(
                self.env["queue.job"]._cron_requeue_interrupted_integration_jobs(), 0
            )
            worker.rollback()
        self.assertEqual(job.state, "started")

    def test_small_requests_make_one_job_per_lane(self):
        for number in range(30):
            self.post(self.widget_event(number, subject=f"W-{number % 7}"))
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT count(*) FROM queue_job WHERE method_name = '_job_process_lane' "
            "AND state = 'pending'"
        )
        self.assertLessEqual(self.env.cr.fetchone()[0], 4)
        self.run_jobs()
        self.assertEqual(self.widget("W-3").quantity, 24)
        states = {
            e.state
            for e in self.env["integration.event"].search([("direction", "=", "in")])
        }
        self.assertEqual(states, {"processed"})

    def pending_lane_jobs(self):
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT count(*) FROM queue_job WHERE method_name = '_job_process_lane' "
            "AND state = 'pending'"
        )
        return self.env.cr.fetchone()[0]

    def test_a_lane_whose_job_already_started_gets_a_new_one_after_commit(self):
        self.post(self.widget_event(3))
        self.env.flush_all()
        # The lane's job was handed to a worker before the event was
        # committed: its snapshot may not show it.
        self.env.cr.execute(
            "UPDATE queue_job SET state = 'started' "
            "WHERE method_name = '_job_process_lane'"
        )
        Event = self.env["integration.event"]
        lanes = set(range(Event._lane_count()))
        self.env.cr.postcommit.data["integration_event.lanes"] = set(lanes)
        Event._lanes_committed()
        # Only the lane with a received event gets a job.
        self.assertEqual(self.pending_lane_jobs(), 1)
        self.env.cr.postcommit.data["integration_event.lanes"] = set(lanes)
        Event._lanes_committed()
        self.assertEqual(self.pending_lane_jobs(), 1, "one waiting job per lane")
        self.env.cr.execute(
            "UPDATE queue_job SET state = 'done' WHERE state = 'started'"
        )
        self.run_jobs()
        self.assertEqual(self.widget("W-1").quantity, 3)

    def test_a_second_job_of_a_lane_leaves_it_to_the_first(self):
        self.post(self.widget_event(3))
        self.env.flush_all()
        Event = self.env["integration.event"]
        record = Event.search([("subject", "=", "W-1")])
        lane = next(
            lane
            for lane in range(Event._lane_count())
            if record in Event._lane_events(lane)
        )
        with db_connect(self.env.cr.dbname).cursor() as first_job:
            first_job.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                [f"integration_event_lane\x1f{lane}"],
            )
            self.assertEqual(
                Event._job_process_lane(lane), "another job is applying this lane"
            )
            first_job.rollback()
        self.assertEqual(record.state, "received")

    def test_a_lost_database_connection_makes_the_job_run_again(self):
        for error in (
            psycopg2.InterfaceError("cursor already closed"),
            psycopg2.OperationalError("server closed the connection unexpectedly"),
        ):
            with self.assertRaises(RetryableJobError), retried_if_database_lost():
                raise error
        # Errors of the work itself keep their meaning.
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.errors.UndefinedTable),
            self.env.cr.savepoint(),
            retried_if_database_lost(),
        ):
            self.env.cr.execute("SELECT * FROM no_such_table_here")

    def test_the_api_answers_503_while_its_database_is_unreachable(self):
        response = unavailable.unavailable_response()
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response.headers["Retry-After"], "5")
        self.assertEqual(
            response.json["type"], "urn:mfg-integration:problem:unavailable"
        )
        self.assertIn("nothing was stored", response.json["detail"])

    def test_a_long_backlog_of_one_subject_is_split_between_jobs(self):
        events = [self.widget_event(n, subject="W-1", sequence=n) for n in range(1, 13)]
        self.post(events, content_type=BATCH)
        self.env.flush_all()
        self.env.cr.execute("DELETE FROM queue_job")
        records = self.env["integration.event"].browse(
            [self.event_record(e).id for e in events]
        )
        processing = "odoo.addons.integration_log.models.integration_event_processing"
        with patch(f"{processing}.EVENTS_PER_JOB", 5):
            records[:1].with_context(job_uuid="a-job")._job_process_events()
            self.assertEqual(
                records.mapped("state").count("processed"), 5, "one job, 5 events"
            )
            self.run_jobs()
        self.assertEqual(set(records.mapped("state")), {"processed"})
        self.assertEqual(
            self.widget("W-1").applied.split(), [event["id"] for event in events]
        )
