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
        # The claim counted this attempt already (see _claim_due).
        attempt = max(delivery.attempt_count, 1)
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
                    attempt_count = greatest(coalesce(d.attempt_count, 0), 1),
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
        """Deliveries claimed but not sent (the partner said 410 midway): the
        attempt their claim counted was not made."""
        if not unsent:
            return
        self.env.cr.execute(
            SQL(
                """
                UPDATE integration_delivery
                SET state = CASE WHEN coalesce(attempt_count, 0) > 1 THEN 'retrying'
                                 ELSE 'pending' END,
                    attempt_count = greatest(coalesce(attempt_count, 0) - 1, 0),
                    claimed_by = NULL, claimed_at = NULL
                WHERE id IN %s
                """,
                tuple(unsent.ids),
            )
        )
        unsent.invalidate_recordset()

    # ------------------------------------------------------------------
    # Rounds that never finished
    # ------------------------------------------------------------------
    def _max_attempts(self, connector):
        """Attempts a delivery gets: the first, then one per retry delay."""
        try:
            schedule = policy.parse_retry_schedule(connector.retry_schedule)
        except ValueError:
            schedule = policy.parse_retry_schedule(policy.DEFAULT_RETRY_SCHEDULE)
        return len(schedule) + 1

    def _retire_interrupted(self, connector, rows):
        """Deliveries claimed again while still 'sending' from an earlier
        claim, whose round never finished (the worker was killed by a time or
        memory limit, or failed before recording the outcome); that claim
        counted their attempt.

        Each gets an 'interrupted' attempt in the log; a delivery whose
        attempts are used up is dead, here in the claim's transaction, and
        never sent again.

        :param rows: dicts with ``id``, ``attempt_count``,
            ``interrupted_count`` and ``claimed_by`` (the earlier job).
        :returns: the ids of the deliveries given up.
        """
        if not rows:
            return set()
        limit = self._max_attempts(connector)
        Entry = self.env["integration.log.entry"]
        dead_rows, entries = [], []
        for row in rows:
            delivery = self.browse(row["id"])
            if row["attempt_count"] >= limit:
                state, detail = "dead", self._interrupted_error(row)
                dead_rows.append(SQL("(%s, %s)", delivery.id, detail))
            else:
                state = "interrupted"
                detail = self.env._(
                    "Attempt %(attempt)s was interrupted while sending (the worker "
                    "was killed or timed out); claimed by job %(job)s. Sent again.",
                    attempt=row["attempt_count"],
                    job=row["claimed_by"],
                )
            entries.append(
                Entry._vals_for(
                    delivery,
                    "delivery",
                    event_id=delivery.event_id.id,
                    connector_id=connector.id,
                    state=state,
                    detail=detail,
                    payload_hash=delivery.event_id.payload_hash,
                )
            )
        dead = self._write_interrupted_dead(dead_rows)
        Entry._append(entries)
        if dead:
            dead._notify_dead()
        return set(dead.ids)

    def _interrupted_error(self, row):
        return self.env._(
            "Interrupted while sending (the worker was killed or timed out): "
            "%(count)s of its %(attempts)s attempts; last claimed by job "
            "%(job)s. Not sent again: fix the cause (worker limits, the "
            "partner's response time), then replay it.",
            count=row["interrupted_count"] + 1,
            attempts=row["attempt_count"],
            job=row["claimed_by"],
        )

    def _write_interrupted_dead(self, rows):
        if not rows:
            return self.browse()
        now = fields.Datetime.now()
        self.env.cr.execute(
            SQL(
                """
                UPDATE integration_delivery AS d
                SET state = 'dead', error = v.error, next_attempt_at = NULL,
                    interrupted_count = coalesce(d.interrupted_count, 0) + 1,
                    claimed_by = NULL, claimed_at = NULL, write_date = %s
                FROM (VALUES %s) AS v(id, error)
                WHERE d.id = v.id
                RETURNING d.id
                """,
                now,
                SQL(", ").join(rows),
            )
        )
        dead = self.browse([row[0] for row in self.env.cr.fetchall()])
        dead.invalidate_recordset()
        return dead

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
