# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
from datetime import timedelta

from odoo import fields, models
from odoo.tools import SQL

from ..protocol import delivery as delivery_policy

# The columns an outcome sets; None keeps the stored value (except for
# ``error`` and ``next_attempt_at``, which an outcome always sets).
OUTCOME_COLUMNS = (
    "state",
    "error",
    "next_attempt_at",
    "result",
    "processed_at",
    "attempt_count",
)


class IntegrationEvent(models.Model):
    """Outcomes of inbound events: what an attempt decided, stored for many
    events in one statement, each with its own log entry."""

    # Split by concern on purpose: the record lives in integration_event.py.
    # pylint: disable=consider-merging-classes-inherited
    _inherit = "integration.event"

    def _outcome_processed(self, result, number):
        if isinstance(result, models.BaseModel):
            self._link_records(result)
            result = {"model": result._name, "ids": result.ids}
        return {
            "state": "processed",
            "result": json.dumps(result) if result is not None else None,
            "processed_at": fields.Datetime.now(),
            "attempt_count": number,
        }

    def _outcome_failed(self, message, retry_after, number):
        delay = delivery_policy.retry_delay(self._retry_schedule(), number)
        if delay is None:
            return self._outcome_dead(
                self.env._(
                    "Gave up after %(count)s attempts: %(error)s",
                    count=number,
                    error=message,
                ),
                number,
            )
        return {
            "state": "failed",
            "error": message,
            "next_attempt_at": fields.Datetime.now()
            + timedelta(seconds=retry_after or delay),
            "attempt_count": number,
        }

    def _outcome_dead(self, message, number=None):
        return {
            "state": "dead",
            "error": message,
            "processed_at": fields.Datetime.now(),
            "attempt_count": number,
        }

    def _outcome_interrupted(self, attempts, interrupted):
        return self._outcome_dead(
            self.env._(
                "Interrupted %(count)s times while being applied (the worker was "
                "killed or lost: time limit, memory limit or a crash); not "
                "attempted again. Fix the cause (a too large event, worker "
                "limits), then replay it.",
                count=interrupted,
            ),
            attempts,
        )

    def _outcome_stale(self, last_applied):
        return {
            "state": "stale",
            "error": self.env._(
                "sequence: %(sequence)s is lower than %(applied)s, already "
                "applied for subject %(subject)s.",
                sequence=self.event_sequence,
                applied=last_applied,
                subject=self.subject,
            ),
            "processed_at": fields.Datetime.now(),
        }

    def _outcome_skipped(self):
        return {
            "state": "skipped",
            "error": self.env._(
                "Replaced by a later %(type)s event for subject %(subject)s.",
                type=self.event_type,
                subject=self.subject,
            ),
            "processed_at": fields.Datetime.now(),
        }

    def _store_outcomes(self, outcomes):
        """Store ``[(event, outcome)]`` in one UPDATE and one log INSERT.

        The ORM's write is bypassed on purpose (it costs a statement and a
        log entry per event); what it would do is done here: write date and
        user, the cache, one log entry per event.
        """
        if not outcomes:
            return
        buffer = self.env.context.get("integration_link_buffer")
        if buffer:
            self.env["integration.record.link"]._bulk_insert(buffer, returning=())
            buffer.clear()
        self.env.flush_all()
        rows = SQL(", ").join(
            SQL(
                "(%s, %s, %s, %s::timestamp, %s, %s::timestamp, %s::int)",
                event.id,
                *(outcome.get(column) or None for column in OUTCOME_COLUMNS),
            )
            for event, outcome in outcomes
        )
        self.env.cr.execute(
            SQL(
                """
                UPDATE integration_event e SET
                    state = v.state,
                    error = v.error,
                    next_attempt_at = v.next_attempt_at,
                    result = coalesce(v.result, e.result),
                    processed_at = coalesce(v.processed_at, e.processed_at),
                    attempt_count = coalesce(v.attempt_count, e.attempt_count),
                    write_date = %s, write_uid = %s
                FROM (VALUES %s) AS v(id, state, error, next_attempt_at, result,
                                      processed_at, attempt_count)
                WHERE e.id = v.id
                """,
                fields.Datetime.now(),
                self.env.uid,
                rows,
            )
        )
        events = self.browse(event.id for event, _outcome in outcomes)
        events.invalidate_recordset(
            [*OUTCOME_COLUMNS, "write_date", "write_uid"], flush=False
        )
        events._log_states()
