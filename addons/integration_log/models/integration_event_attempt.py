# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

import psycopg2

from odoo import api, fields, models
from odoo.tools import SQL

from ..params import positive_int_param

_logger = logging.getLogger(__name__)

# An event whose application was interrupted this many times (the worker was
# killed: time or memory limit, a crash) is dead; see
# integration_log.event_max_interruptions.
MAX_INTERRUPTIONS = 3


class IntegrationEventAttempt(models.Model):
    """The attempts started on an inbound event, counted before the work.

    An attempt is counted here in a short transaction of its own, committed
    before the handler runs; the event's ``attempt_count`` is written with
    the outcome, in the transaction of the work. So an attempt whose worker
    was killed is still counted: ``started`` is then ahead of the event's
    ``attempt_count``, and the next attempt finds it. The rows are written
    by the engine only, never by the processing transaction (which would
    conflict with them under REPEATABLE READ).
    """

    _name = "integration.event.attempt"
    _description = "Integration Event Attempts"
    _log_access = False

    event_id = fields.Many2one(
        "integration.event", required=True, ondelete="cascade", index=True
    )
    started = fields.Integer(
        help="Attempts started, including the ones that never finished."
    )
    interrupted = fields.Integer(
        help="Attempts that never finished: the worker was killed or lost."
    )
    started_at = fields.Datetime(help="When the last attempt started.")
    job_uuid = fields.Char(help="The queue job of the last attempt.")

    _sql_constraints = [
        ("event_uniq", "unique(event_id)", "One attempt counter per event."),
    ]

    @api.model
    def _max_interruptions(self):
        return positive_int_param(
            self.env, "integration_log.event_max_interruptions", MAX_INTERRUPTIONS
        )

    @api.model
    def _suspects(self, events):
        """The events of ``events`` with an attempt that never finished."""
        if not events:
            return events
        self.env.cr.execute(
            SQL(
                """
                SELECT a.event_id FROM integration_event_attempt a
                JOIN integration_event e ON e.id = a.event_id
                WHERE a.event_id = ANY(%s) AND a.started > e.attempt_count
                """,
                events.ids,
            )
        )
        return events.browse(row[0] for row in self.env.cr.fetchall())

    @api.model
    def _start(self, events):
        """Count one attempt on each event, committed at once in a cursor of
        its own.

        :returns: ``{event_id: (attempt number, interruptions so far)}``.
        """
        if not events:
            return {}
        now = fields.Datetime.now()
        job_uuid = self.env.context.get("job_uuid")
        with self.env.registry.cursor() as cr:
            cr.execute(
                SQL(
                    """
                    INSERT INTO integration_event_attempt AS a
                        (event_id, started, interrupted, started_at, job_uuid)
                    SELECT e.id, e.attempt_count + 1, 0, %(now)s, %(job)s
                    FROM integration_event e WHERE e.id = ANY(%(ids)s)
                    ON CONFLICT (event_id) DO UPDATE SET
                        interrupted = a.interrupted + (a.started > (
                            SELECT attempt_count FROM integration_event
                            WHERE id = a.event_id))::int,
                        started = greatest(a.started, (
                            SELECT attempt_count FROM integration_event
                            WHERE id = a.event_id)) + 1,
                        started_at = EXCLUDED.started_at,
                        job_uuid = EXCLUDED.job_uuid
                    RETURNING a.event_id, a.started, a.interrupted
                    """,
                    now=now,
                    job=job_uuid,
                    ids=events.ids,
                )
            )
            return {row[0]: (row[1], row[2]) for row in cr.fetchall()}

    @api.model
    def _unstart(self, started):
        """Take back attempts that were counted but never made (the subject
        stopped at an earlier failure, or the job is retried after a
        database error): they must not count as interruptions.

        :param started: ``{event_id: attempt number}`` as counted by
            :meth:`_start`.
        """
        if not started:
            return
        ids, numbers = zip(*started.items(), strict=True)
        try:
            with self.env.registry.cursor() as cr:
                cr.execute(
                    SQL(
                        """
                        UPDATE integration_event_attempt a
                        SET started = a.started - 1
                        FROM unnest(%s::int[], %s::int[]) AS s(event_id, started)
                        WHERE a.event_id = s.event_id AND a.started = s.started
                        """,
                        list(ids),
                        list(numbers),
                    )
                )
        except psycopg2.Error:
            # The database is gone: the attempts will count as interrupted,
            # which errs on the side of ending a loop.
            _logger.warning("Could not take back %s event attempts", len(ids))

    @api.model
    def _forget(self, events):
        """Events replayed by a person start counting again."""
        self.env.cr.execute(
            SQL(
                "DELETE FROM integration_event_attempt WHERE event_id = ANY(%s)",
                events.ids,
            )
        )
