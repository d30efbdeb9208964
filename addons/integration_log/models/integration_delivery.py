# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import uuid
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
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
OPEN_STATES = ("pending", "sending", "retrying")
REPLAYABLE_STATES = ("dead", "retrying", "cancelled")


class IntegrationDelivery(models.Model):
    """One outbound event sent (or to be sent) to one connector."""

    _name = "integration.delivery"
    _description = "Integration Delivery"
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
            """
            CREATE INDEX IF NOT EXISTS integration_delivery_due_idx
            ON integration_delivery (connector_id, next_attempt_at, id)
            WHERE state IN ('pending', 'sending', 'retrying')
            """
        )
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS integration_delivery_subject_open_idx
            ON integration_delivery (connector_id, subject, id)
            WHERE state IN ('pending', 'sending', 'retrying')
            """
        )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_replay(self):
        """Send dead, retrying or cancelled deliveries again, now, with the
        same webhook-id."""
        self._check_manager()
        wrong = self.filtered(lambda d: d.state not in REPLAYABLE_STATES)
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
        to_cancel = self.filtered(lambda d: d.state in ("pending", "retrying", "dead"))
        if to_cancel:
            to_cancel.sudo().write({"state": "cancelled", "next_attempt_at": False})
            to_cancel._log_state_change("cancelled")
        return True

    def _check_manager(self):
        if not self.env.user.has_group("integration_log.group_integration_manager"):
            raise AccessError(
                self.env._("Only Integration Managers can replay or cancel deliveries.")
            )

    def _log_state_change(self, state):
        self.env["integration.log.entry"]._append(
            [
                {
                    "kind": "delivery_state",
                    "reference": f"integration.delivery,{d.id}",
                    "delivery_id": d.id,
                    "event_id": d.event_id.id,
                    "connector_id": d.connector_id.id,
                    "state": state,
                }
                for d in self
            ]
        )

    # ------------------------------------------------------------------
    # Creation by the outbox
    # ------------------------------------------------------------------
    @api.model
    def _create_for_events(self, events):
        """Deliveries of outbound ``events`` to every matching connector.

        :returns: the connectors that got deliveries.
        """
        Connector = self.env["integration.connector"]
        connectors = Connector.browse()
        rows, routes = [], {}
        now, uid = fields.Datetime.now(), self.env.uid
        for event in events:
            key = (event.event_type, event.company_id)
            if key not in routes:
                routes[key] = Connector._matching(event.event_type, event.company_id)
            for connector in routes[key]:
                connectors |= connector
                rows.append(
                    SQL(
                        "(%s, %s, %s, %s, %s, 'pending', %s, %s, 0, 0, %s, %s, %s, %s)",
                        event.id,
                        connector.id,
                        event.company_id.id,
                        event.event_type,
                        event.subject,
                        event.cloudevent_id if connector.mode == "realtime" else None,
                        now,
                        uid,
                        now,
                        uid,
                        now,
                    )
                )
        if rows:
            # One INSERT: the outbox writes thousands of deliveries at once.
            self.env.cr.execute(
                SQL(
                    """
                    INSERT INTO integration_delivery (
                        event_id, connector_id, company_id, event_type, subject,
                        state, webhook_id, next_attempt_at, attempt_count,
                        replay_count, create_uid, create_date, write_uid, write_date
                    ) VALUES %s
                    """,
                    SQL(", ").join(rows),
                )
            )
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

    def _record_outcomes(self, connector, outcomes):
        schedule = policy.parse_retry_schedule(connector.retry_schedule)
        now = fields.Datetime.now()
        rows, entries, dead_ids, sent_ids = [], [], [], set()
        gone_detail = None
        for group, outcome in outcomes:
            sent_ids.update(group.ids)
            for delivery in group:
                state, next_at = self._next_state(delivery, outcome, schedule, now)
                if state == "dead":
                    dead_ids.append(delivery.id)
                rows.append(
                    SQL(
                        "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                        delivery.id,
                        state,
                        next_at,
                        outcome["http_status"] or None,
                        outcome["latency_ms"],
                        outcome["excerpt"] or None,
                        outcome["error"] or None,
                        outcome["message_id"],
                        outcome["batch_key"],
                        now if state == "delivered" else None,
                    )
                )
                entries.append(self._attempt_entry(delivery, outcome, state))
            if outcome["result"] == policy.GONE:
                gone_detail = outcome["excerpt"]
        self._write_outcomes(rows, now)
        self._release_unsent(self.browse([i for i in self.ids if i not in sent_ids]))
        self.env["integration.log.entry"]._append(entries)
        if gone_detail is not None:
            connector._disable_gone(gone_detail)
        if dead_ids:
            self.browse(dead_ids)._notify_dead()

    def _next_state(self, delivery, outcome, schedule, now):
        result = outcome["result"]
        if result == policy.DELIVERED:
            return "delivered", None
        if result == policy.GONE:
            return "dead", None
        attempt = delivery.attempt_count + 1
        delay = policy.retry_delay(schedule, attempt)
        if delay is None:
            return "dead", None
        if result == policy.THROTTLED and outcome["retry_after"]:
            delay = outcome["retry_after"]
        return "retrying", (now + timedelta(seconds=delay)).replace(microsecond=0)

    def _write_outcomes(self, rows, now):
        if not rows:
            return
        self.env.cr.execute(
            SQL(
                """
                UPDATE integration_delivery AS d
                SET state = v.state, next_attempt_at = v.next_at::timestamp,
                    http_status = v.status::integer, latency_ms = v.latency::integer,
                    response_excerpt = v.excerpt, error = v.error,
                    webhook_id = v.message_id, batch_key = v.batch_key,
                    delivered_at = v.delivered_at::timestamp,
                    attempt_count = coalesce(d.attempt_count, 0) + 1,
                    last_attempt_at = %s, claimed_by = NULL, claimed_at = NULL,
                    write_date = %s
                FROM (VALUES %s) AS v(id, state, next_at, status, latency, excerpt,
                                      error, message_id, batch_key, delivered_at)
                WHERE d.id = v.id
                """,
                now,
                now,
                SQL(", ").join(rows),
            )
        )
        self.invalidate_recordset()

    def _release_unsent(self, unsent):
        """Deliveries claimed but not sent (the partner said 410 midway)."""
        if not unsent:
            return
        self.env.cr.execute(
            SQL(
                """
                UPDATE integration_delivery
                SET state = CASE WHEN coalesce(attempt_count, 0) > 0 THEN 'retrying'
                                 ELSE 'pending' END,
                    claimed_by = NULL, claimed_at = NULL
                WHERE id IN %s
                """,
                tuple(unsent.ids),
            )
        )
        unsent.invalidate_recordset()

    def _attempt_entry(self, delivery, outcome, state):
        return {
            "kind": "delivery",
            "reference": f"integration.delivery,{delivery.id}",
            "delivery_id": delivery.id,
            "event_id": delivery.event_id.id,
            "connector_id": delivery.connector_id.id,
            "state": state,
            "http_status": outcome["http_status"] or None,
            "latency_ms": outcome["latency_ms"],
            "detail": outcome["error"] or outcome["excerpt"] or None,
            "payload_hash": delivery.event_id.payload_hash,
        }

    def _notify_dead(self):
        """An activity on the business documents of dead deliveries (or on
        the connector when the event touched none), once per document."""
        activity_type = self.env.ref(
            "integration_log.mail_activity_integration_failure",
            raise_if_not_found=False,
        )
        if not activity_type:
            return
        for delivery in self:
            records = delivery.event_id._linked_records()
            targets = [r for r in records if hasattr(r, "activity_schedule")]
            for record in targets or [delivery.connector_id]:
                delivery._schedule_failure_activity(record, activity_type)

    def _schedule_failure_activity(self, record, activity_type):
        existing = self.env["mail.activity"].search_count(
            [
                ("res_model", "=", record._name),
                ("res_id", "=", record.id),
                ("activity_type_id", "=", activity_type.id),
            ],
            limit=1,
        )
        if existing:
            return
        user = self.connector_id.responsible_id or self.env.ref("base.user_admin")
        record.sudo().activity_schedule(
            activity_type_id=activity_type.id,
            summary=self.env._(
                "%(type)s not delivered to %(connector)s",
                type=self.event_type,
                connector=self.connector_id.name,
            ),
            note=self.env._(
                "Delivery %(delivery)s is dead after %(attempts)s attempts: "
                "%(error)s Fix the cause, then replay it from Integration > "
                "Deliveries.",
                delivery=self.webhook_id or self.id,
                attempts=self.attempt_count,
                error=self.error or "",
            ),
            user_id=user.id,
        )
