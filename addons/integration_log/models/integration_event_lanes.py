# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models
from odoo.tools import SQL

from ..jobs import retried_if_database_lost
from ..locks import try_xact_lock
from ..params import positive_int_param

# Lanes of inbound processing: every subject belongs to one lane, and each
# lane has at most one job waiting (integration_log.processing_lanes).
PROCESSING_LANES = 4
# Events one lane job applies; a full chunk hands the rest to a new job.
LANE_CHUNK = 500


class IntegrationEvent(models.Model):
    """Lanes: the queue jobs that apply newly accepted events.

    Accepting events does not make a job per request: each subject belongs
    to one of a few lanes, and a lane has at most one job waiting, which
    applies the lane's waiting events 500 at a time. A shift's burst of
    small requests makes a few large jobs, not thousands of small ones;
    events of one subject stay in one lane, in order.
    """

    # Split by concern on purpose: the record lives in integration_event.py.
    # pylint: disable=consider-merging-classes-inherited
    _inherit = "integration.event"

    @api.model
    def _lane_count(self):
        return positive_int_param(
            self.env, "integration_log.processing_lanes", PROCESSING_LANES
        )

    @api.model
    def _lane_sql(self, alias):
        return SQL(
            "mod(hashtext(%s || chr(31) || %s) & 2147483647, %s)",
            SQL.identifier(alias, "source"),
            SQL.identifier(alias, "subject"),
            self._lane_count(),
        )

    def _enqueue_lanes(self):
        """Make sure the lanes of these (new) events have a job waiting."""
        if not self:
            return
        self.env.cr.execute(
            SQL(
                "SELECT DISTINCT %s FROM integration_event e WHERE e.id = ANY(%s)",
                self._lane_sql("e"),
                self.ids,
            )
        )
        lanes = [lane for (lane,) in self.env.cr.fetchall()]
        for lane in lanes:
            self._enqueue_lane(lane)
        self._check_lanes_after_commit(lanes)

    @api.model
    def _enqueue_lane(self, lane, identity=True):
        # sudo: the job does bookkeeping on events; handlers run as the
        # client's technical user (see _get_handler).
        return (
            self.browse()
            .sudo()
            .with_delay(
                identity_key=_lane_key(lane) if identity else None,
                description=self.env._(
                    "Apply the waiting inbound events of lane %(lane)s", lane=lane
                ),
            )
            ._job_process_lane(lane)
        )

    @api.model
    def _check_lanes_after_commit(self, lanes):
        """The lane job found waiting may already have been handed to a
        worker, whose snapshot could predate the commit of these events:
        once they are committed, make sure each lane still has a job that
        has not started (queue_job's identity keys also match enqueued
        jobs, so it is checked here)."""
        data = self.env.cr.postcommit.data
        pending = data.setdefault("integration_event.lanes", set())
        if not pending:
            self.env.cr.postcommit.add(self._lanes_committed)
        pending.update(lanes)

    def _lanes_committed(self):
        lanes = self.env.cr.postcommit.data.pop("integration_event.lanes", set())
        with self.env.registry.cursor() as cr:
            Event = self.with_env(self.env(cr=cr))
            for lane in sorted(lanes):
                if Event._lane_waits_without_job(lane):
                    job = Event._enqueue_lane(lane, identity=False)
                    cr.execute(
                        SQL(
                            "UPDATE queue_job SET identity_key = %s WHERE uuid = %s",
                            _lane_key(lane),
                            job.uuid,
                        )
                    )

    @api.model
    def _lane_waits_without_job(self, lane):
        """Whether events of the lane are received and no job of the lane
        waits to start."""
        self.env.cr.execute(
            SQL(
                """
                SELECT EXISTS (
                    SELECT 1 FROM integration_event e
                    WHERE e.direction = 'in' AND e.state = 'received'
                      AND %s = %s)
                AND NOT EXISTS (
                    SELECT 1 FROM queue_job
                    WHERE identity_key = %s AND state = 'pending')
                """,
                self._lane_sql("e"),
                lane,
                _lane_key(lane),
            )
        )
        return self.env.cr.fetchone()[0]

    @api.model
    def _job_process_lane(self, lane):
        """Queue job: apply up to 500 waiting events of the lane.

        One job applies a lane at a time (a lock); a second one started
        meanwhile leaves at once, as the first makes sure, once committed,
        that the lane has a job waiting for what is left.
        """
        with retried_if_database_lost():
            if not try_xact_lock(self.env.cr, "integration_event_lane", lane):
                return "another job is applying this lane"
            events = self._lane_events(lane)
            self._check_lanes_after_commit([lane])
            if not events:
                return "no event waiting"
            result = events._process_job_events()
            if len(events) == LANE_CHUNK:
                # Without a commit hook (tests), the rest still gets a job.
                self._enqueue_lane(lane)
            return result

    @api.model
    def _lane_events(self, lane):
        """Received events of the lane, oldest first, except those of
        subjects waiting for the retry of a failed event (its retry job
        applies the subject)."""
        self.env.cr.execute(
            SQL(
                """
                SELECT e.id FROM integration_event e
                WHERE e.direction = 'in' AND e.state = 'received'
                  AND %(lane_of)s = %(lane)s
                  AND NOT EXISTS (
                      SELECT 1 FROM integration_event f
                      WHERE f.source = e.source AND f.subject = e.subject
                        AND f.direction = 'in' AND f.state = 'failed')
                ORDER BY e.id
                LIMIT %(limit)s
                """,
                lane_of=self._lane_sql("e"),
                lane=lane,
                limit=LANE_CHUNK,
            )
        )
        return self.browse(row[0] for row in self.env.cr.fetchall())


def _lane_key(lane):
    return f"integration_event:lane:{lane}"
