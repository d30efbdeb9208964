# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
import uuid

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..protocol import envelope
from ..protocol.times import iso_utc


class IntegrationEvent(models.Model):
    """The transactional outbox: outbound events, their deliveries and
    dispatch jobs are written with the business change that caused them."""

    # Split by concern on purpose: the record lives in integration_event.py.
    # pylint: disable=consider-merging-classes-inherited
    _inherit = "integration.event"

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
            optionally ``records``, ``traceparent``, ``time`` and
            ``echo_of``: the integration client whose own decision the event
            restates; connectors of that partner do not get it back.
        """
        if not messages:
            return self.browse()
        EventType = self.env["integration.event.type"]
        source = self._outbound_source()
        now = fields.Datetime.now()
        rows = []
        catalogue, validators = EventType._get_catalogue(), {}
        # An event emitted while an inbound event is applied carries that
        # event's trace context (set by _get_handler).
        inherited_trace = self.env.context.get("integration_traceparent")
        messages = [
            dict(message, traceparent=message.get("traceparent") or inherited_trace)
            for message in messages
        ]
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
                    "company_id": self._message_company(message).id,
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
        connectors = self.env["integration.delivery"]._create_for_events(
            events, echo_of=[message.get("echo_of") for message in messages]
        )
        connectors._schedule_dispatch(wait_for_batch=True)
        return events

    @api.model
    def _message_company(self, message):
        """The company an outbound event belongs to: that of the first of its
        records that has one (the shipment, the MO...), not the user's current
        company; its connectors get the event."""
        for records in _record_sets(message.get("records")):
            field = records._fields.get("company_id")
            if field is None or field.comodel_name != "res.company":
                continue
            company = next((r.company_id for r in records if r.company_id), None)
            if company:
                return company
        return self.env.company

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
                    errors=envelope.summarize_errors(errors),
                )
            )

    @api.model
    def _outbound_cloudevent(self, message, source, now):
        cloudevent = {
            "specversion": "1.0",
            "id": str(uuid.uuid4()),
            "source": source,
            "type": message["type"],
            "time": iso_utc(message.get("time") or now),
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


def _record_sets(records):
    if not records:
        return []
    return [records] if isinstance(records, models.BaseModel) else list(records)
