# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models
from odoo.tools import SQL

from .integration_event import EVENT_OPEN_STATES


class IntegrationEvent(models.Model):
    """Subjects of inbound events: their locks, their events in the order
    they are applied, the last sequence applied; one statement each for all
    the subjects of a job."""

    # Split by concern on purpose: the record lives in integration_event.py.
    # pylint: disable=consider-merging-classes-inherited
    _inherit = "integration.event"

    def _subject_keys(self):
        self.env.cr.execute(
            SQL(
                "SELECT DISTINCT source, subject FROM integration_event "
                "WHERE id = ANY(%s) ORDER BY source, subject",
                self.ids,
            )
        )
        return self.env.cr.fetchall()

    def _lock_subjects(self, keys):
        """Take the subjects' locks in one statement.

        :returns: ``(locked keys, busy keys)``.
        """
        if not keys:
            return [], []
        sources, subjects = zip(*keys, strict=True)
        self.env.cr.execute(
            SQL(
                """
                SELECT k.source, k.subject,
                       pg_try_advisory_xact_lock(hashtextextended(
                           'integration_event' || chr(31) || k.source || chr(31)
                           || k.subject, 0))
                FROM unnest(%s::varchar[], %s::varchar[]) AS k(source, subject)
                ORDER BY k.source, k.subject
                """,
                list(sources),
                list(subjects),
            )
        )
        locked, busy = [], []
        for source, subject, got in self.env.cr.fetchall():
            (locked if got else busy).append((source, subject))
        return locked, busy

    def _events_of_subjects(self, keys, open_only=True):
        """The inbound events of the subjects ``keys``, in the order they
        are applied: per subject, by sequence, business time, arrival."""
        if not keys:
            return self.browse()
        sources, subjects = zip(*keys, strict=True)
        self.env.cr.execute(
            SQL(
                """
                SELECT e.id FROM integration_event e
                JOIN unnest(%s::varchar[], %s::varchar[]) AS k(source, subject)
                  ON e.source = k.source AND e.subject = k.subject
                WHERE e.direction = 'in' AND (NOT %s OR e.state IN %s)
                ORDER BY e.source, e.subject, e.event_sequence, e.event_time, e.id
                """,
                list(sources),
                list(subjects),
                open_only,
                EVENT_OPEN_STATES,
            )
        )
        return self.browse(row[0] for row in self.env.cr.fetchall())

    def _open_events_of_subjects(self, keys):
        """The open events of the locked subjects ``keys``, read for update:
        a subject another job applied after this transaction's snapshot was
        taken fails here, at once, instead of after all the work (queue_job
        then runs the job again, on a fresh snapshot)."""
        events = self._events_of_subjects(keys)
        if events:
            self.env.cr.execute(
                SQL(
                    "SELECT id FROM integration_event WHERE id = ANY(%s) "
                    "FOR NO KEY UPDATE",
                    events.ids,
                )
            )
        return events

    def _open_events_of_subject(self, source, subject):
        return self._events_of_subjects([(source, subject)])

    def _last_applied_sequences(self, keys):
        if not keys:
            return {}
        sources, subjects = zip(*keys, strict=True)
        self.env.cr.execute(
            SQL(
                """
                SELECT k.source, k.subject, max(e.event_sequence)
                FROM unnest(%s::varchar[], %s::varchar[]) AS k(source, subject)
                JOIN integration_event e
                  ON e.source = k.source AND e.subject = k.subject
                 AND e.state = 'processed'
                GROUP BY k.source, k.subject
                """,
                list(sources),
                list(subjects),
            )
        )
        return {(src, sub): seq or 0 for src, sub, seq in self.env.cr.fetchall()}
