# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..protocol import envelope
from ..protocol.times import iso_utc

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
# Inbound events still to be applied (or being applied).
EVENT_OPEN_STATES = ("received", "failed", "processing")
# What the partner sent and what processing answered: written by the engines
# only, never through the external API, even by an Integration Manager.
ENGINE_FIELDS = ("payload", "payload_hash", "result", "error")
# The engines' context value: an object, which no RPC call can send.
ENGINE_WRITE = object()


class BigInteger(fields.Integer):
    """An integer stored as PostgreSQL ``bigint``: the protocol's
    ``sequence`` is any integer up to 2^63-1 (epoch milliseconds are a common
    choice), and Odoo's Integer is ``int4``. Odoo converts an existing int4
    column on update; values stay Python ints (RPC reads of values above
    2^31-1 come as floats, as for any Integer)."""

    _column_type = ("int8", "int8")


class IntegrationEvent(models.Model):
    """One CloudEvent received from or sent to a partner system.

    The engines that work on events live beside the record:
    ``integration_event_processing.py`` (inbound), ``integration_outbox.py``
    (outbound) and ``integration_event_retention.py``.
    """

    _name = "integration.event"
    _inherit = ["integration.bulk.insert.mixin", "integration.manager.mixin"]
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
    event_sequence = BigInteger(
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
        self._check_engine_fields(vals)
        result = super().write(vals)
        if "state" in vals:
            self._log_states()
        return result

    def _check_engine_fields(self, vals):
        written = [name for name in ENGINE_FIELDS if name in vals]
        if written and self.env.context.get("integration_event_engine") is not (
            ENGINE_WRITE
        ):
            raise AccessError(
                self.env._(
                    "%(fields)s of integration events %(events)s are written by "
                    "the integration engine only: they record what the partner "
                    "sent and what processing answered.",
                    fields=", ".join(written),
                    events=", ".join(self[:10].mapped("display_name")),
                )
            )

    def _engine_write(self, vals):
        """Write as the engine: the only way to write :data:`ENGINE_FIELDS`."""
        return self.with_context(integration_event_engine=ENGINE_WRITE).write(vals)

    def _log_states(self):
        """One integration log entry per event whose state was written."""
        Log = self.env["integration.log.entry"]
        Log._append(
            [
                Log._vals_for(
                    event,
                    "event",
                    client_id=event.client_id.id or None,
                    state=event.state,
                    detail=event.error or None,
                    payload_hash=event.payload_hash,
                )
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
        self._check_integration_manager(
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
        self._check_replayable_payloads()
        # sudo: replay is a manager action; the state it resets is the engine's.
        self.sudo()._engine_write(
            {
                "state": "received",
                "error": False,
                "next_attempt_at": False,
                "attempt_count": 0,
            }
        )
        self.env["integration.event.attempt"]._forget(self)
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

    def _check_replayable_payloads(self):
        """Refuse to replay an event whose payload was purged, or no longer
        matches the hash stored when it was received."""
        for event in self:
            if event.payload_purged_at:
                raise UserError(
                    self.env._(
                        "Event %(event)s cannot be replayed: its payload was "
                        "purged by the retention policy on %(date)s; only its "
                        "hash is kept.",
                        event=event.display_name,
                        date=event.payload_purged_at,
                    )
                )
            if not event._payload_matches_hash():
                raise UserError(
                    self.env._(
                        "Event %(event)s cannot be replayed: its payload does not "
                        "match the hash %(hash)s stored when it was received; it "
                        "was changed since.",
                        event=event.display_name,
                        hash=event.payload_hash,
                    )
                )

    def _payload_matches_hash(self):
        self.ensure_one()
        if not self.payload:
            return False
        try:
            data = json.loads(self.payload)
        except ValueError:
            return False
        return bool(self.payload_hash) and envelope.payload_hash(data) == (
            self.payload_hash
        )

    def _link_records(self, *record_sets):
        """Record which business documents this event touched (recordsets of
        any models).

        While a job applies events, the links are kept and inserted with
        the outcomes, in one statement (see ``_store_outcomes``); the links
        of an event whose attempt fails are dropped with its work.
        """
        self.ensure_one()
        rows = [
            {"event_id": self.id, "res_model": record._name, "res_id": record.id}
            for records in record_sets
            for record in records
        ]
        buffer = self.env.context.get("integration_link_buffer")
        if buffer is not None:
            buffer.extend(rows)
        else:
            self.env["integration.record.link"]._bulk_insert(rows, returning=())

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
    def _insert_rows(self, rows):
        """Insert events in one statement (the API and the outbox write
        thousands at once); an existing (source, id) is left untouched.

        :param rows: dicts of column values.
        :returns: ``{(source, cloudevent_id): id}`` of the rows inserted.
        """
        if not rows:
            return {}
        self.flush_model()
        inserted = self._bulk_insert(
            [{"attempt_count": 0, "replay_count": 0, **row} for row in rows],
            on_conflict=SQL("(source, cloudevent_id) DO NOTHING"),
            returning=("source", "cloudevent_id", "id"),
        )
        return {(src, ce_id): event_id for src, ce_id, event_id in inserted}

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
            "received_at": iso_utc(self.received_at),
            "processed_at": iso_utc(self.processed_at),
            "next_attempt_at": iso_utc(self.next_attempt_at),
            "attempts": self.attempt_count,
            "error": self.error or None,
            "result": json.loads(self.result) if self.result else None,
            "links": [
                {"model": link.res_model, "id": link.res_id, "name": link.display_name}
                for link in self.link_ids
            ],
        }
