# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import fields, models
from odoo.tools import SQL

from ..protocol import delivery as policy


class IntegrationDelivery(models.Model):
    """What a sending round makes of the partner's answers: next state and
    retry time, the attempt log, 410 Gone and the dead-delivery activities."""

    # Split by concern on purpose: the record lives in integration_delivery.py.
    # pylint: disable=consider-merging-classes-inherited
    _inherit = "integration.delivery"

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
        return self.env["integration.log.entry"]._vals_for(
            delivery,
            "delivery",
            event_id=delivery.event_id.id,
            connector_id=delivery.connector_id.id,
            state=state,
            http_status=outcome["http_status"] or None,
            latency_ms=outcome["latency_ms"],
            detail=outcome["error"] or outcome["excerpt"] or None,
            payload_hash=delivery.event_id.payload_hash,
        )

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
