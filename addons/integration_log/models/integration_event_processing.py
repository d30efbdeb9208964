# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
from datetime import timedelta

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import split_every

from ..exceptions import TransientIntegrationError
from ..jobs import retried_if_database_lost
from ..locks import hold_job_lock
from ..protocol import delivery as delivery_policy

_logger = logging.getLogger(__name__)

# Default seconds between attempts (integration_log.event_retry_schedule).
RETRY_SCHEDULE = "10,60,300,1800,7200"
# A subject locked by another job is looked at again this many seconds later.
BUSY_SUBJECT_DELAY = 5
# Events one job applies at most (and hands to one job, for the backstop cron).
EVENTS_PER_JOB = 500


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
        """Queue job: apply the open events of the subjects of ``self``.

        Many events per job and per transaction, each with its own
        savepoint, attempt count, state and log entry. Each (source,
        subject) is processed in order under a transaction-level advisory
        lock, so two jobs never apply events of one subject at once; a
        subject held by another job is handed to a new job a bit later.
        """
        with retried_if_database_lost():
            return self._process_job_events()

    def _process_job_events(self):
        hold_job_lock(self.env.cr, self.env.context.get("job_uuid"))
        keys = self._subject_keys()
        locked, busy = self._lock_subjects(keys)
        events = self._open_events_of_subjects(locked)
        suspects = self.env["integration.event.attempt"]._suspects(events)
        if suspects and len(locked) > 1:
            # An attempt on these subjects never finished: the worker may have
            # been killed by one of their events. Each goes to a job of its
            # own, so it cannot take the other subjects down with it.
            isolated = {(e.source, e.subject) for e in suspects}
            for key in isolated:
                events.filtered(lambda e, k=key: (e.source, e.subject) == k)[
                    :1
                ]._enqueue_processing()
            events = events.filtered(lambda e: (e.source, e.subject) not in isolated)
        elif suspects:
            # One subject with an unfinished attempt: only its first event this
            # time, then the rest in a new job.
            events[1:][:1]._enqueue_processing()
            events = events[:1]
        if busy:
            self._events_of_subjects(busy)._enqueue_processing(eta=BUSY_SUBJECT_DELAY)
        if len(events) > EVENTS_PER_JOB:
            # A long backlog of a few subjects: one job stays within a
            # worker's limits; the rest follows, in order, in the next one.
            rest = {}
            for event in events[EVENTS_PER_JOB:]:
                rest.setdefault((event.source, event.subject), event.id)
            self.browse(rest.values())._enqueue_processing()
            events = events[:EVENTS_PER_JOB]
        applied = self.with_context(
            integration_handlers={}, integration_link_buffer=[]
        )._process_in_order(events)
        return (
            f"{applied} event(s) applied in {len(locked)} subject(s), "
            f"{len(busy)} busy subject(s) handed over"
        )

    def _process_in_order(self, events):
        """Apply ``events`` (open, in subject order); store every outcome in
        one statement. :returns: the number of events applied."""
        keys = list(dict.fromkeys((e.source, e.subject) for e in events))
        last_applied = self._last_applied_sequences(keys)
        events = events.with_env(self.env)
        plan, outcomes = self._plan(events, keys, last_applied)
        Attempt = self.env["integration.event.attempt"]
        started = Attempt._start(self.browse(e.id for e in plan))
        not_made, applied = {}, 0
        limit = Attempt._max_interruptions()
        try:
            blocked = set()
            for event in plan:
                key = (event.source, event.subject)
                number, interrupted = started[event.id]
                if key in blocked:
                    not_made[event.id] = number
                    continue
                outcome = event._attempt(number, interrupted, limit)
                outcomes.append((event, outcome))
                applied += outcome["state"] == "processed"
                if outcome["state"] == "failed":
                    blocked.add(key)
            self._store_outcomes(outcomes)
        except psycopg2.Error:
            # The job is run again by queue_job: these attempts never happened.
            Attempt._unstart({eid: number for eid, (number, _i) in started.items()})
            raise
        Attempt._unstart(not_made)
        self._enqueue_retries(outcomes)
        return applied

    def _plan(self, events, keys, last_applied):
        """Decide, per subject, which events are attempted in order and which
        are settled without a handler (stale, replaced).

        :returns: ``(events to attempt, outcomes already decided)``.
        """
        now = fields.Datetime.now()
        by_key = {key: [] for key in keys}
        for event in events:
            by_key[(event.source, event.subject)].append(event)
        plan, outcomes = [], []
        for key, subject_events in by_key.items():
            for index, event in enumerate(subject_events):
                if event.state == "failed" and event.next_attempt_at > now:
                    # Later events of the subject wait behind the failed one.
                    event._enqueue_retry()
                    break
                if event.event_sequence and event.event_sequence < last_applied.get(
                    key, 0
                ):
                    outcomes.append((event, event._outcome_stale(last_applied[key])))
                elif event._is_superseded_by(subject_events[index + 1 :]):
                    outcomes.append((event, event._outcome_skipped()))
                else:
                    plan.append(event)
        return plan, outcomes

    def _enqueue_retries(self, outcomes):
        for event, outcome in outcomes:
            if outcome["state"] == "failed":
                event._enqueue_retry()

    def _is_superseded_by(self, later_events):
        catalogue = self.env["integration.event.type"]._get_catalogue()
        entry = catalogue.get(self.event_type) or {}
        return entry.get("latest_only") and any(
            e.event_type == self.event_type for e in later_events
        )

    def _get_handler(self):
        """The handler of the event's type, bound to the client's technical
        user and company; one per (type, client, trace) in a job."""
        handlers = self.env.context.get("integration_handlers")
        cache_key = (self.event_type, self.client_id.id, self.traceparent)
        if handlers is not None and cache_key in handlers:
            return handlers[cache_key]
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
            integration_traceparent=self.traceparent or False,
            integration_handlers=None,
        )
        if self.client_id.user_id:
            model = model.with_user(self.client_id.user_id).with_company(
                self.client_id.company_id
            )
        handler = getattr(model, entry["handler_method"])
        if handlers is not None:
            handlers[cache_key] = handler
        return handler

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

    def _attempt(self, number, interrupted, max_interruptions):
        """Attempt number ``number`` of the event: run the handler in a
        savepoint. :returns: the outcome (the values to store)."""
        self.ensure_one()
        if interrupted >= max_interruptions:
            return self._outcome_interrupted(number - 1, interrupted)
        # The handler sees the attempt it is (it is stored with the outcome).
        self.env.cache.update(self, self._fields["attempt_count"], [number])
        outcome = self._run_handler(number)
        if outcome["state"] != "processed":
            self._drop_buffered_links()
        return outcome

    def _drop_buffered_links(self):
        buffer = self.env.context.get("integration_link_buffer")
        if buffer:
            buffer[:] = [row for row in buffer if row["event_id"] != self.id]

    def _run_handler(self, number):
        try:
            with self.env.cr.savepoint():
                result = self._get_handler()(self)
        except self._transient_exceptions() as err:
            return self._outcome_failed(
                _error_text(err), getattr(err, "retry_after", None), number
            )
        except self._business_exceptions() as err:
            return self._outcome_dead(_error_text(err), number)
        except psycopg2.Error:
            # Serialization failures and lost connections: queue_job retries
            # the whole job, with all state changes rolled back.
            raise
        except Exception as err:
            _logger.exception("Unexpected error applying %s", self.display_name)
            return self._outcome_dead(
                self.env._(
                    "Unexpected error (%(error_type)s): %(error)s",
                    error_type=type(err).__name__,
                    error=str(err),
                ),
                number,
            )
        return self._outcome_processed(result, number)

    def _apply(self):
        """Apply this one event now, whatever its subject (tests, tools)."""
        self.ensure_one()
        started = self.env["integration.event.attempt"]._start(self)
        number, interrupted = started[self.id]
        outcome = self._attempt(
            number,
            interrupted,
            self.env["integration.event.attempt"]._max_interruptions(),
        )
        self._store_outcomes([(self, outcome)])
        return outcome

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
        for chunk in split_every(EVENTS_PER_JOB, events.ids):
            self.browse(chunk)._enqueue_processing(
                identity_key=f"integration_event:overdue:{chunk[0]}-{chunk[-1]}"
            )
        return len(events)


def _error_text(err):
    if isinstance(err, UserError) and err.args:
        return str(err.args[0])
    return str(err).strip()
