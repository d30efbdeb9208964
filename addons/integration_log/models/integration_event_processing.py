# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
import logging
from datetime import timedelta

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, split_every

from ..exceptions import TransientIntegrationError
from ..locks import try_xact_lock
from ..protocol import delivery as delivery_policy
from .integration_event import EVENT_OPEN_STATES

_logger = logging.getLogger(__name__)

# Default seconds between attempts (integration_log.event_retry_schedule).
RETRY_SCHEDULE = "10,60,300,1800,7200"
# A subject locked by another job is looked at again this many seconds later.
BUSY_SUBJECT_DELAY = 5


class IntegrationEvent(models.Model):
    """The processing engine of inbound events: ordered per subject, one
    savepoint per event, retries then dead."""

    # Split by concern on purpose: the record lives in integration_event.py.
    # pylint: disable=consider-merging-classes-inherited
    _inherit = "integration.event"

    # ------------------------------------------------------------------
    # Processing of inbound events
    # ------------------------------------------------------------------
    def _enqueue_processing(self, eta=None, identity_key=None):
        if not self:
            return
        # sudo: the job does bookkeeping on events; handlers run as the
        # client's technical user (see _get_handler).
        self.sudo().with_delay(
            eta=eta,
            identity_key=identity_key,
            description=self.env._(
                "Process %(count)s inbound integration event(s)", count=len(self)
            ),
        )._job_process_events()

    def _enqueue_retry(self):
        self.ensure_one()
        self._enqueue_processing(
            eta=self.next_attempt_at,
            identity_key=f"integration_event:retry:{self.id}:{self.attempt_count}",
        )

    def _job_process_events(self):
        """Queue job: apply the events of the subjects of ``self`` in order.

        Each (source, subject) is processed under a transaction-level
        advisory lock, so two jobs never apply events of one subject at once;
        a subject held by another job is handed to a new job a bit later.
        """
        events = self.exists()
        keys = sorted({(event.source, event.subject) for event in events})
        busy = []
        for source, subject in keys:
            if self._try_lock_subject(source, subject):
                self._process_subject(source, subject)
            else:
                busy.append((source, subject))
        if busy:
            events.filtered(
                lambda e: (e.source, e.subject) in busy
            )._enqueue_processing(eta=BUSY_SUBJECT_DELAY)
        return f"{len(keys) - len(busy)} subject(s) processed, {len(busy)} busy"

    def _try_lock_subject(self, source, subject):
        return try_xact_lock(self.env.cr, "integration_event", source, subject)

    def _open_events_of_subject(self, source, subject):
        return self.search(
            [
                ("direction", "=", "in"),
                ("source", "=", source),
                ("subject", "=", subject),
                ("state", "in", EVENT_OPEN_STATES),
            ],
            order="event_sequence, event_time, id",
        )

    def _last_applied_sequence(self, source, subject):
        self.env.cr.execute(
            SQL(
                """
                SELECT max(event_sequence) FROM integration_event
                WHERE source = %s AND subject = %s AND state = 'processed'
                """,
                source,
                subject,
            )
        )
        return self.env.cr.fetchone()[0] or 0

    def _process_subject(self, source, subject):
        events = self._open_events_of_subject(source, subject)
        last_applied = self._last_applied_sequence(source, subject)
        now = fields.Datetime.now()
        for index, event in enumerate(events):
            if event.state == "failed" and event.next_attempt_at > now:
                # Later events of the subject wait behind the failed one.
                event._enqueue_retry()
                break
            if event.event_sequence and event.event_sequence < last_applied:
                event._mark_stale(last_applied)
                continue
            if event._is_superseded_by(events[index + 1 :]):
                event._mark_skipped()
                continue
            event._apply()
            if event.state == "processed":
                last_applied = max(last_applied, event.event_sequence or 0)
            elif event.state == "failed":
                event._enqueue_retry()
                break

    def _is_superseded_by(self, later_events):
        catalogue = self.env["integration.event.type"]._get_catalogue()
        entry = catalogue.get(self.event_type) or {}
        return entry.get("latest_only") and any(
            e.event_type == self.event_type for e in later_events
        )

    def _get_handler(self):
        entry = self.env["integration.event.type"]._get_catalogue().get(self.event_type)
        if not entry or entry["direction"] == "out":
            raise UserError(
                self.env._(
                    "type: no inbound handler is registered for event type %(type)s.",
                    type=self.event_type,
                )
            )
        # Outbound events the handler emits carry this event's trace context
        # (protocol section 1); see _emit_outbound_many.
        model = self.env[entry["handler_model"]].with_context(
            integration_traceparent=self.traceparent or False
        )
        if self.client_id.user_id:
            model = model.with_user(self.client_id.user_id).with_company(
                self.client_id.company_id
            )
        return getattr(model, entry["handler_method"])

    # ------------------------------------------------------------------
    # What a failure means: override to classify a module's own exceptions
    # ------------------------------------------------------------------
    @api.model
    def _transient_exceptions(self):
        """Failures worth another attempt later, on the retry schedule."""
        # An IntegrityError is usually a concurrent insert of the same
        # business key: the next attempt finds the row.
        return (TransientIntegrationError, psycopg2.IntegrityError)

    @api.model
    def _business_exceptions(self):
        """Failures no retry can fix: the event is dead until a person acts."""
        return (UserError, ValidationError)

    def _apply(self):
        """Run the handler; its work and the new state commit together."""
        self.ensure_one()
        self.write({"state": "processing", "attempt_count": self.attempt_count + 1})
        try:
            with self.env.cr.savepoint():
                result = self._get_handler()(self)
        except self._transient_exceptions() as err:
            self._mark_failed(_error_text(err), getattr(err, "retry_after", None))
        except self._business_exceptions() as err:
            self._mark_dead(_error_text(err))
        except psycopg2.Error:
            # Serialization failures and lost connections: queue_job retries
            # the whole job, with all state changes rolled back.
            raise
        except Exception as err:
            _logger.exception("Unexpected error applying %s", self.display_name)
            self._mark_dead(
                self.env._(
                    "Unexpected error (%(error_type)s): %(error)s",
                    error_type=type(err).__name__,
                    error=str(err),
                )
            )
        else:
            self._mark_processed(result)

    def _mark_processed(self, result):
        if isinstance(result, models.BaseModel):
            self._link_records(result)
            result = {"model": result._name, "ids": result.ids}
        self._engine_write(
            {
                "state": "processed",
                "result": json.dumps(result) if result is not None else False,
                "error": False,
                "next_attempt_at": False,
                "processed_at": fields.Datetime.now(),
            }
        )

    @api.model
    def _retry_schedule(self):
        """Seconds between attempts after a transient failure; when they are
        used up the event is dead and waits for a person."""
        value = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("integration_log.event_retry_schedule")
        )
        try:
            return delivery_policy.parse_retry_schedule(value or RETRY_SCHEDULE)
        except ValueError:
            _logger.warning("Invalid integration_log.event_retry_schedule %r", value)
            return delivery_policy.parse_retry_schedule(RETRY_SCHEDULE)

    def _mark_failed(self, message, retry_after=None):
        delay = delivery_policy.retry_delay(self._retry_schedule(), self.attempt_count)
        if delay is None:
            self._mark_dead(
                self.env._(
                    "Gave up after %(count)s attempts: %(error)s",
                    count=self.attempt_count,
                    error=message,
                )
            )
            return
        delay = retry_after or delay
        self._engine_write(
            {
                "state": "failed",
                "error": message,
                "next_attempt_at": fields.Datetime.now() + timedelta(seconds=delay),
            }
        )

    def _mark_dead(self, message):
        self._engine_write(
            {
                "state": "dead",
                "error": message,
                "next_attempt_at": False,
                "processed_at": fields.Datetime.now(),
            }
        )

    def _mark_stale(self, last_applied):
        self._engine_write(
            {
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
        )

    def _mark_skipped(self):
        self._engine_write(
            {
                "state": "skipped",
                "error": self.env._(
                    "Replaced by a later %(type)s event for subject %(subject)s.",
                    type=self.event_type,
                    subject=self.subject,
                ),
                "processed_at": fields.Datetime.now(),
            }
        )

    @api.model
    def _cron_dispatch_overdue(self, grace_minutes=10, limit=5000):
        """Hand events that no job picked up to new jobs: nothing is left behind."""
        threshold = fields.Datetime.now() - timedelta(minutes=grace_minutes)
        events = self.search(
            [
                ("direction", "=", "in"),
                "|",
                "&",
                ("state", "in", ("received", "processing")),
                ("received_at", "<", threshold),
                "&",
                ("state", "=", "failed"),
                ("next_attempt_at", "<", threshold),
            ],
            limit=limit,
            order="id",
        )
        for chunk in split_every(500, events.ids):
            self.browse(chunk)._enqueue_processing(
                identity_key=f"integration_event:overdue:{chunk[0]}-{chunk[-1]}"
            )
        return len(events)


def _error_text(err):
    if isinstance(err, UserError) and err.args:
        return str(err.args[0])
    return str(err).strip()
