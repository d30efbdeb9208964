# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
import logging
import uuid
from datetime import timedelta

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, split_every

from ..exceptions import TransientIntegrationError
from ..protocol import envelope

_logger = logging.getLogger(__name__)

# Seconds to wait before each new attempt after a transient failure; when
# they are used up the event is dead and waits for a person.
RETRY_SCHEDULE = (10, 60, 300, 1800, 7200)

EVENT_STATES = [
    ("received", "Received"),
    ("processing", "Processing"),
    ("processed", "Processed"),
    ("failed", "Failed (will retry)"),
    ("dead", "Dead"),
    ("stale", "Stale"),
    ("skipped", "Skipped"),
]
REPLAYABLE_STATES = ("dead", "failed")
# Columns written by _insert_rows, besides the ORM's create/write columns.
INSERT_COLUMNS = (
    "direction",
    "cloudevent_id",
    "source",
    "event_type",
    "subject",
    "event_time",
    "event_sequence",
    "traceparent",
    "payload",
    "payload_hash",
    "state",
    "client_id",
    "company_id",
    "received_at",
    "processed_at",
)


class IntegrationEvent(models.Model):
    """One CloudEvent received from or sent to a partner system."""

    _name = "integration.event"
    _description = "Integration Event"
    _order = "id desc"

    direction = fields.Selection(
        [("in", "Inbound"), ("out", "Outbound")], required=True, index=True
    )
    cloudevent_id = fields.Char(
        "Event ID", required=True, help="CloudEvents id, unique per source."
    )
    source = fields.Char(required=True, help="CloudEvents source: the sending system.")
    event_type = fields.Char("Type", required=True, index=True)
    subject = fields.Char(required=True)
    event_time = fields.Datetime(
        "Business Time", required=True, help="When the business fact happened."
    )
    event_sequence = fields.Integer(
        "Sequence", help="Order of the event among the events of its subject."
    )
    traceparent = fields.Char(help="W3C trace context of the event.")
    payload = fields.Text(help="The event as received or sent (JSON).")
    payload_pretty = fields.Text(compute="_compute_payload_pretty", string="Event")
    payload_hash = fields.Char(help="SHA-256 of the canonical event JSON.")
    state = fields.Selection(
        EVENT_STATES, required=True, default="received", index=True
    )
    error = fields.Text(readonly=True)
    result = fields.Text(readonly=True, help="JSON result of the processing.")
    client_id = fields.Many2one("integration.client", ondelete="restrict", index=True)
    company_id = fields.Many2one("res.company", index=True)
    received_at = fields.Datetime(
        default=fields.Datetime.now, required=True, index=True
    )
    processed_at = fields.Datetime(readonly=True)
    next_attempt_at = fields.Datetime(readonly=True)
    attempt_count = fields.Integer(readonly=True)
    replay_count = fields.Integer(readonly=True)
    link_ids = fields.One2many(
        "integration.record.link", "event_id", string="Linked Records"
    )
    delivery_ids = fields.One2many("integration.delivery", "event_id")
    delivery_count = fields.Integer(compute="_compute_delivery_count")
    payload_purged_at = fields.Datetime(
        readonly=True,
        help="The payload was removed by the retention policy; its hash stays.",
    )

    _sql_constraints = [
        (
            "source_event_uniq",
            "unique(source, cloudevent_id)",
            "An event id is unique per source.",
        ),
    ]

    def init(self):
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS integration_event_subject_open_idx
            ON integration_event (source, subject, event_sequence, event_time, id)
            WHERE state IN ('received', 'failed', 'processing')
            """
        )
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS integration_event_subject_seq_idx
            ON integration_event (source, subject, event_sequence)
            WHERE state = 'processed'
            """
        )

    @api.depends("cloudevent_id", "event_type")
    def _compute_display_name(self):
        for event in self:
            event.display_name = f"{event.event_type} {event.cloudevent_id}"

    @api.depends("payload")
    def _compute_payload_pretty(self):
        for event in self:
            try:
                event.payload_pretty = json.dumps(
                    json.loads(event.payload or "null"), indent=2, ensure_ascii=False
                )
            except ValueError:
                event.payload_pretty = event.payload

    def _compute_delivery_count(self):
        groups = self.env["integration.delivery"]._read_group(
            [("event_id", "in", self.ids)], ["event_id"], ["__count"]
        )
        counts = {event.id: count for event, count in groups}
        for event in self:
            event.delivery_count = counts.get(event.id, 0)

    def write(self, vals):
        result = super().write(vals)
        if "state" in vals:
            self._log_states()
        return result

    def _log_states(self):
        """One integration log entry per event whose state was written."""
        self.env["integration.log.entry"]._append(
            [
                {
                    "kind": "event",
                    "reference": f"integration.event,{event.id}",
                    "event_id": event.id,
                    "client_id": event.client_id.id or None,
                    "state": event.state,
                    "detail": event.error or None,
                    "payload_hash": event.payload_hash,
                }
                for event in self
            ]
        )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_view_deliveries(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "integration_log.integration_delivery_action"
        )
        action["domain"] = [("event_id", "=", self.id)]
        action["context"] = {}
        return action

    def action_replay(self):
        """Process dead or failed events again, after a fix."""
        if not self.env.user.has_group("integration_log.group_integration_manager"):
            raise AccessError(
                self.env._("Only Integration Managers can replay events.")
            )
        wrong = self.filtered(
            lambda e: e.state not in REPLAYABLE_STATES or e.direction != "in"
        )
        if wrong:
            raise UserError(
                self.env._(
                    "Only dead or failed inbound events can be replayed; "
                    "%(events)s cannot.",
                    events=", ".join(
                        f"{e.display_name} ({e.state})" for e in wrong[:10]
                    ),
                )
            )
        self.sudo().write(
            {
                "state": "received",
                "error": False,
                "next_attempt_at": False,
                "attempt_count": 0,
            }
        )
        self.env.cr.execute(
            SQL(
                "UPDATE integration_event SET replay_count = replay_count + 1 "
                "WHERE id IN %s",
                tuple(self.ids),
            )
        )
        self.invalidate_recordset(["replay_count"])
        self._enqueue_processing()
        return True

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
            )._enqueue_processing(eta=5)
        return f"{len(keys) - len(busy)} subject(s) processed, {len(busy)} busy"

    def _try_lock_subject(self, source, subject):
        self.env.cr.execute(
            SQL(
                "SELECT pg_try_advisory_xact_lock(hashtextextended(%s, 0))",
                f"integration_event\x1f{source}\x1f{subject}",
            )
        )
        return self.env.cr.fetchone()[0]

    def _open_events_of_subject(self, source, subject):
        return self.search(
            [
                ("direction", "=", "in"),
                ("source", "=", source),
                ("subject", "=", subject),
                ("state", "in", ("received", "failed", "processing")),
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
        model = self.env[entry["handler_model"]]
        if self.client_id.user_id:
            model = model.with_user(self.client_id.user_id).with_company(
                self.client_id.company_id
            )
        return getattr(model, entry["handler_method"])

    def _apply(self):
        """Run the handler; its work and the new state commit together."""
        self.ensure_one()
        self.write({"state": "processing", "attempt_count": self.attempt_count + 1})
        try:
            with self.env.cr.savepoint():
                handler = self._get_handler()
                result = handler(self)
        except TransientIntegrationError as err:
            self._mark_failed(str(err), err.retry_after)
        except (UserError, ValidationError) as err:
            self._mark_dead(err.args[0])
        except psycopg2.IntegrityError as err:
            # Usually a concurrent insert of the same business key: retry.
            self._mark_failed(str(err).strip())
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
        self.write(
            {
                "state": "processed",
                "result": json.dumps(result) if result is not None else False,
                "error": False,
                "next_attempt_at": False,
                "processed_at": fields.Datetime.now(),
            }
        )

    def _mark_failed(self, message, retry_after=None):
        if self.attempt_count > len(RETRY_SCHEDULE):
            self._mark_dead(
                self.env._(
                    "Gave up after %(count)s attempts: %(error)s",
                    count=self.attempt_count,
                    error=message,
                )
            )
            return
        delay = retry_after or RETRY_SCHEDULE[self.attempt_count - 1]
        self.write(
            {
                "state": "failed",
                "error": message,
                "next_attempt_at": fields.Datetime.now() + timedelta(seconds=delay),
            }
        )

    def _mark_dead(self, message):
        self.write(
            {
                "state": "dead",
                "error": message,
                "next_attempt_at": False,
                "processed_at": fields.Datetime.now(),
            }
        )

    def _mark_stale(self, last_applied):
        self.write(
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
        self.write(
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

    def _link_records(self, *record_sets):
        """Record which business documents this event touched (recordsets of
        any models)."""
        self.ensure_one()
        self.env["integration.record.link"].sudo().create(
            [
                {"event_id": self.id, "res_model": record._name, "res_id": record.id}
                for records in record_sets
                for record in records
            ]
        )

    def _linked_records(self):
        self.ensure_one()
        return [
            self.env[link.res_model].browse(link.res_id).exists()
            for link in self.link_ids
            if link.res_model in self.env
        ]

    def _get_data(self):
        """The ``data`` of the event, as a Python object."""
        self.ensure_one()
        return json.loads(self.payload or "{}").get("data")

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

    @api.model
    def _insert_rows(self, rows):
        """Insert events in one statement (the API and the outbox write
        thousands at once); an existing (source, id) is left untouched.

        :param rows: dicts with the keys of ``INSERT_COLUMNS``.
        :returns: ``{(source, cloudevent_id): id}`` of the rows inserted.
        """
        if not rows:
            return {}
        self.flush_model()
        now, uid = fields.Datetime.now(), self.env.uid
        values = SQL(", ").join(
            SQL(
                "(%s, 0, 0, %s, %s, %s, %s)",
                SQL(", ").join(row.get(column) for column in INSERT_COLUMNS),
                uid,
                now,
                uid,
                now,
            )
            for row in rows
        )
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO integration_event (%s, attempt_count, replay_count,
                    create_uid, create_date, write_uid, write_date)
                VALUES %s
                ON CONFLICT (source, cloudevent_id) DO NOTHING
                RETURNING source, cloudevent_id, id
                """,
                SQL(", ").join(SQL.identifier(column) for column in INSERT_COLUMNS),
                values,
            )
        )
        return {
            (src, ce_id): event_id for src, ce_id, event_id in self.env.cr.fetchall()
        }

    # ------------------------------------------------------------------
    # Outbox: outbound events, written with the business change
    # ------------------------------------------------------------------
    @api.model
    def _emit_outbound(
        self, event_type, subject, data, records=None, traceparent=None, time=None
    ):
        """Emit one outbound event in the current transaction.

        The event, its deliveries (one per active connector subscribed to the
        type) and their dispatch job are written with the caller's business
        change, so they exist exactly when that change is committed.

        :param records: business documents the event is about (a recordset,
            or a list of recordsets of several models); deliveries that die
            raise an activity on them.
        :returns: the ``integration.event`` record.
        """
        return self._emit_outbound_many(
            [
                {
                    "type": event_type,
                    "subject": subject,
                    "data": data,
                    "records": records,
                    "traceparent": traceparent,
                    "time": time,
                }
            ]
        )

    @api.model
    def _emit_outbound_many(self, messages):
        """Emit several outbound events at once (see :meth:`_emit_outbound`).

        :param messages: dicts with ``type``, ``subject``, ``data`` and
            optionally ``records``, ``traceparent`` and ``time``.
        """
        if not messages:
            return self.browse()
        EventType = self.env["integration.event.type"]
        source = self._outbound_source()
        now = fields.Datetime.now()
        rows = []
        catalogue, validators = EventType._get_catalogue(), {}
        for message in messages:
            self._check_outbound(EventType, catalogue, validators, message)
            cloudevent = self._outbound_cloudevent(message, source, now)
            rows.append(
                {
                    "direction": "out",
                    "cloudevent_id": cloudevent["id"],
                    "source": source,
                    "event_type": message["type"],
                    "subject": message["subject"],
                    "event_time": message.get("time") or now,
                    "traceparent": message.get("traceparent"),
                    "payload": json.dumps(cloudevent, ensure_ascii=False),
                    "payload_hash": envelope.payload_hash(cloudevent),
                    "state": "processed",
                    "company_id": self.env.company.id,
                    "received_at": now,
                    "processed_at": now,
                }
            )
        # sudo: the outbox belongs to the integration; any user whose change
        # is worth telling partners about writes to it.
        inserted = self.sudo()._insert_rows(rows)
        events = self.sudo().browse(
            [inserted[(source, row["cloudevent_id"])] for row in rows]
        )
        events._log_states()
        links = [
            {"event_id": event.id, "res_model": record._name, "res_id": record.id}
            for event, message in zip(events, messages, strict=True)
            for records in _record_sets(message.get("records"))
            for record in records
        ]
        self.env["integration.record.link"].sudo().create(links)
        connectors = self.env["integration.delivery"]._create_for_events(events)
        connectors._schedule_dispatch(wait_for_batch=True)
        return events

    @api.model
    def _check_outbound(self, EventType, catalogue, validators, message):
        entry = catalogue.get(message.get("type"))
        if not entry or entry["direction"] == "in":
            raise UserError(
                self.env._(
                    "type: %(type)r is not a registered outbound event type.",
                    type=message.get("type"),
                )
            )
        if not message.get("subject"):
            raise UserError(
                self.env._(
                    "subject: an outbound %(type)s event needs a subject.",
                    type=message["type"],
                )
            )
        if message["type"] not in validators:
            validators[message["type"]] = EventType._get_validator(entry["schema_file"])
        errors = envelope.data_errors(
            validators[message["type"]], {"data": message.get("data")}
        )
        if errors:
            raise ValidationError(
                self.env._(
                    "The data of the outbound %(type)s event is invalid: %(errors)s",
                    type=message["type"],
                    errors="; ".join(
                        f"{error['pointer']}: {error['message']}" for error in errors
                    ),
                )
            )

    @api.model
    def _outbound_cloudevent(self, message, source, now):
        cloudevent = {
            "specversion": "1.0",
            "id": str(uuid.uuid4()),
            "source": source,
            "type": message["type"],
            "time": (message.get("time") or now).isoformat() + "Z",
            "subject": message["subject"],
            "datacontenttype": "application/json",
            "data": message["data"],
        }
        if message.get("traceparent"):
            cloudevent["traceparent"] = message["traceparent"]
        return cloudevent

    @api.model
    def _outbound_source(self):
        """CloudEvents ``source`` of the events this database emits."""
        params = self.env["ir.config_parameter"].sudo()
        return params.get_param("integration_log.outbound_source") or (
            "urn:odoo:" + (params.get_param("database.uuid") or "database")
        )

    # ------------------------------------------------------------------
    # Retention
    # ------------------------------------------------------------------
    @api.model
    def _cron_purge_payloads(self):
        """Remove payloads older than the retention period; the hashes, the
        metadata and the integration log chain stay."""
        days = int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("integration_log.payload_retention_days", "0")
            or 0
        )
        if days <= 0:
            return 0
        return self._purge_payloads(fields.Datetime.now() - timedelta(days=days))

    @api.model
    def _purge_payloads(self, before):
        """Purge payloads of finished events received before ``before``."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                UPDATE integration_event e
                SET payload = NULL, payload_purged_at = now() at time zone 'UTC'
                WHERE e.received_at < %s AND e.payload IS NOT NULL
                  AND e.state NOT IN ('received', 'processing', 'failed')
                  AND NOT EXISTS (
                    SELECT 1 FROM integration_delivery d WHERE d.event_id = e.id
                      AND d.state IN ('pending', 'sending', 'retrying'))
                """,
                before,
            )
        )
        events = self.env.cr.rowcount
        self.env.cr.execute(
            SQL(
                """
                UPDATE integration_delivery SET response_excerpt = NULL
                WHERE create_date < %s AND response_excerpt IS NOT NULL
                  AND state NOT IN ('pending', 'sending', 'retrying')
                """,
                before,
            )
        )
        self.env.cr.execute(
            SQL(
                "UPDATE integration_refusal SET body_excerpt = NULL "
                "WHERE create_date < %s AND body_excerpt IS NOT NULL",
                before,
            )
        )
        self.env.invalidate_all()
        self.env["integration.log.entry"]._append(
            [
                {
                    "kind": "retention",
                    "state": "purged",
                    "detail": self.env._(
                        "Payloads of %(count)s event(s) received before %(date)s "
                        "purged.",
                        count=events,
                        date=before,
                    ),
                }
            ]
        )
        return events

    # ------------------------------------------------------------------
    # API representation
    # ------------------------------------------------------------------
    def _api_status(self):
        self.ensure_one()
        return {
            "id": self.cloudevent_id,
            "source": self.source,
            "type": self.event_type,
            "subject": self.subject,
            "sequence": self.event_sequence or None,
            "status": self.state,
            "received_at": _iso(self.received_at),
            "processed_at": _iso(self.processed_at),
            "next_attempt_at": _iso(self.next_attempt_at),
            "attempts": self.attempt_count,
            "error": self.error or None,
            "result": json.loads(self.result) if self.result else None,
            "links": [
                {"model": link.res_model, "id": link.res_id, "name": link.display_name}
                for link in self.link_ids
            ],
        }


def _iso(value):
    return value.isoformat() + "Z" if value else None


def _record_sets(records):
    if not records:
        return []
    return [records] if isinstance(records, models.BaseModel) else list(records)
