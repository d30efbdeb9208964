# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import uuid

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..protocol import delivery as policy

DELIVERY_STATES = [
    ("pending", "Pending"),
    ("sending", "Sending"),
    ("delivered", "Delivered"),
    ("retrying", "Retrying"),
    ("dead", "Dead"),
    ("cancelled", "Cancelled"),
]
# Still to be delivered: the connector's backlog.
DELIVERY_OPEN_STATES = ("pending", "sending", "retrying")
# Open and held by no job: sent once their next attempt is due.
DELIVERY_WAITING_STATES = ("pending", "retrying")
# Tried before or claimed by a job: when due, they never wait for a batch.
DELIVERY_RESEND_STATES = ("retrying", "sending")
DELIVERY_REPLAYABLE_STATES = ("dead", "retrying", "cancelled")
DELIVERY_CANCELLABLE_STATES = ("pending", "retrying", "dead")


class IntegrationDelivery(models.Model):
    """One outbound event sent (or to be sent) to one connector."""

    _name = "integration.delivery"
    _description = "Integration Delivery"
    _inherit = ["integration.bulk.insert.mixin", "integration.manager.mixin"]
    _order = "id desc"
    _rec_name = "webhook_id"

    event_id = fields.Many2one(
        "integration.event", required=True, ondelete="restrict", index=True
    )
    connector_id = fields.Many2one(
        "integration.connector", required=True, ondelete="restrict", index=True
    )
    company_id = fields.Many2one("res.company", required=True)
    event_type = fields.Char("Type", required=True)
    subject = fields.Char(required=True)
    state = fields.Selection(
        DELIVERY_STATES, required=True, default="pending", readonly=True, index=True
    )
    webhook_id = fields.Char(
        "webhook-id",
        readonly=True,
        help="Message id sent to the partner, the same on every retry and replay.",
    )
    batch_key = fields.Char(readonly=True, index="btree_not_null")
    attempt_count = fields.Integer("Attempts", readonly=True)
    interrupted_count = fields.Integer(
        "Interruptions",
        readonly=True,
        help="Attempts whose round never finished: the worker sending them was "
        "killed or timed out before recording the outcome.",
    )
    replay_count = fields.Integer("Replays", readonly=True)
    next_attempt_at = fields.Datetime(readonly=True)
    last_attempt_at = fields.Datetime(readonly=True)
    delivered_at = fields.Datetime(readonly=True)
    http_status = fields.Integer("Last HTTP Status", readonly=True)
    latency_ms = fields.Integer("Latency (ms)", readonly=True, aggregator="avg")
    response_excerpt = fields.Text(readonly=True)
    error = fields.Text(readonly=True)
    claimed_by = fields.Char(readonly=True, help="The job sending it.")
    claimed_at = fields.Datetime(readonly=True)
    attempt_ids = fields.One2many(
        "integration.log.entry",
        "delivery_id",
        string="Attempts Log",
        domain=[("kind", "in", ("delivery", "delivery_state"))],
    )

    def init(self):
        self.env.cr.execute(
            SQL(
                """
                CREATE INDEX IF NOT EXISTS integration_delivery_due_idx
                ON integration_delivery (connector_id, next_attempt_at, id)
                WHERE state IN %s
                """,
                DELIVERY_OPEN_STATES,
            )
        )
        self.env.cr.execute(
            SQL(
                """
                CREATE INDEX IF NOT EXISTS integration_delivery_subject_open_idx
                ON integration_delivery (connector_id, subject, id)
                WHERE state IN %s
                """,
                DELIVERY_OPEN_STATES,
            )
        )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_replay(self):
        """Send dead, retrying or cancelled deliveries again, now, with the
        same webhook-id."""
        self._check_manager()
        wrong = self.filtered(lambda d: d.state not in DELIVERY_REPLAYABLE_STATES)
        if wrong:
            raise UserError(
                self.env._(
                    "Only dead, retrying or cancelled deliveries can be replayed; "
                    "%(deliveries)s cannot.",
                    deliveries=", ".join(
                        f"{d.display_name} ({d.state})" for d in wrong[:10]
                    ),
                )
            )
        purged = self.filtered(lambda d: d.event_id.payload_purged_at)
        if purged:
            raise UserError(
                self.env._(
                    "The payload of %(deliveries)s was purged by the retention "
                    "policy: there is nothing left to send again.",
                    deliveries=", ".join(d.display_name for d in purged[:10]),
                )
            )
        if not self:
            return True
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                UPDATE integration_delivery
                SET state = 'pending', attempt_count = 0, error = NULL,
                    next_attempt_at = %s,
                    replay_count = coalesce(replay_count, 0) + 1,
                    claimed_by = NULL, claimed_at = NULL
                WHERE id IN %s
                """,
                fields.Datetime.now(),
                tuple(self.ids),
            )
        )
        self.invalidate_recordset()
        self._log_state_change("replayed")
        self.connector_id._schedule_dispatch()
        return True

    def action_cancel(self):
        """Give up on deliveries that should not be sent any more."""
        self._check_manager()
        to_cancel = self.filtered(lambda d: d.state in DELIVERY_CANCELLABLE_STATES)
        if to_cancel:
            to_cancel.sudo().write({"state": "cancelled", "next_attempt_at": False})
            to_cancel._log_state_change("cancelled")
        return True

    def _check_manager(self):
        self._check_integration_manager(
            self.env._("Only Integration Managers can replay or cancel deliveries.")
        )

    def _log_state_change(self, state):
        Entry = self.env["integration.log.entry"]
        Entry._append(
            [
                Entry._vals_for(
                    d,
                    "delivery_state",
                    event_id=d.event_id.id,
                    connector_id=d.connector_id.id,
                    state=state,
                )
                for d in self
            ]
        )

    # ------------------------------------------------------------------
    # Creation by the outbox
    # ------------------------------------------------------------------
    @api.model
    def _create_for_events(self, events, echo_of=None):
        """Deliveries of outbound ``events`` to every matching connector.

        :param echo_of: for each event, the client whose own decision it
            restates (or nothing): that partner's connectors are left out.
        :returns: the connectors that got deliveries.
        """
        Connector = self.env["integration.connector"]
        connectors = Connector.browse()
        rows, routes = [], {}
        now = fields.Datetime.now()
        for event, echoed in zip(events, echo_of or [None] * len(events), strict=True):
            key = (event.event_type, event.company_id)
            if key not in routes:
                routes[key] = Connector._matching(event.event_type, event.company_id)
            for connector in routes[key]:
                if echoed and connector.client_id == echoed:
                    continue
                connectors |= connector
                rows.append(
                    {
                        "event_id": event.id,
                        "connector_id": connector.id,
                        "company_id": event.company_id.id,
                        "event_type": event.event_type,
                        "subject": event.subject,
                        "state": "pending",
                        "webhook_id": event.cloudevent_id
                        if connector.mode == "realtime"
                        else None,
                        "next_attempt_at": now,
                        "attempt_count": 0,
                        "replay_count": 0,
                    }
                )
        # One INSERT: the outbox writes thousands of deliveries at once.
        self._bulk_insert(rows, returning=())
        return connectors

    # ------------------------------------------------------------------
    # Sending (called by the connector's dispatch job)
    # ------------------------------------------------------------------
    def _lock_for_sending(self):
        self.env.cr.execute(
            SQL(
                "SELECT id FROM integration_delivery WHERE id IN %s FOR UPDATE",
                tuple(self.ids),
            )
        )

    def _groups(self, connector):
        """Requests to make: one per delivery in real time; arrays of up to
        ``batch_size`` in batch mode, keeping each retried batch together."""
        if connector.mode == "realtime":
            return list(self)
        retried, fresh = {}, []
        for delivery in self:
            if delivery.batch_key:
                retried.setdefault(delivery.batch_key, []).append(delivery.id)
            else:
                fresh.append(delivery.id)
        size = connector.batch_size
        id_groups = list(retried.values()) + [
            fresh[start : start + size] for start in range(0, len(fresh), size)
        ]
        return [self.browse(ids) for ids in id_groups]

    def _send_groups(self, connector, session):
        batch = connector.mode == "batch"
        groups, messages = self._groups(connector), []
        for group in groups:
            payloads = [d.event_id.payload or "{}" for d in group]
            if batch:
                message_id = policy.batch_message_id(
                    group.event_id.mapped("cloudevent_id")
                )
                body = "[" + ",".join(payloads) + "]"
            else:
                message_id = group.webhook_id or group.event_id.cloudevent_id
                body = payloads[0]
            messages.append((message_id, body.encode(), batch))
        outcomes = []
        for group, message, outcome in zip(
            groups, messages, connector._post_all(session, messages), strict=True
        ):
            if outcome is None:
                continue  # not sent: the partner answered 410 meanwhile
            outcome["message_id"] = message[0]
            outcome["batch_key"] = (
                (group[0].batch_key or uuid.uuid4().hex) if batch else None
            )
            outcomes.append((group, outcome))
        self._record_outcomes(connector, outcomes)
