# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import time
import uuid
from datetime import timedelta

import psycopg2
import requests

from odoo import api, fields, models
from odoo.tools import SQL

from ..jobs import retried_if_database_lost
from ..locks import hold_job_lock
from .integration_delivery import (
    DELIVERY_OPEN_STATES,
    DELIVERY_RESEND_STATES,
    DELIVERY_WAITING_STATES,
)

# One dispatch job sends for at most this long, then hands over to a new job,
# so a big backlog never hits the worker's time limit.
DISPATCH_BUDGET_SECONDS = 30
CLAIM_SIZE = 100
# A delivery left in 'sending' by a worker that died is taken over after this.
SENDING_GRACE_SECONDS = 60


class IntegrationConnector(models.Model):
    """Dispatch: the queue jobs that claim a connector's due deliveries,
    send them in rounds and schedule what comes next."""

    # Split by concern on purpose: the record lives in integration_connector.py.
    # pylint: disable=consider-merging-classes-inherited
    _inherit = "integration.connector"

    def _schedule_dispatch(self, eta=None, wait_for_batch=False):
        """Make sure a job will send the due deliveries of each connector.

        A pending job of the connector is reused (identity key), so a burst of
        events makes one job, which then carries all of their deliveries.

        :param wait_for_batch: new events of a batch connector: give the
            batch its interval to fill.
        """
        for connector in self:
            key = f"integration_connector:dispatch:{connector.id}"
            job_eta = eta
            if eta:
                key += f":{fields.Datetime.to_string(eta)}"
            elif wait_for_batch and connector.mode == "batch":
                job_eta = fields.Datetime.now() + timedelta(
                    seconds=connector.batch_interval
                )
                key += ":batch"
            # sudo: the job does bookkeeping on deliveries for any user.
            connector.sudo().with_delay(
                eta=job_eta,
                identity_key=key,
                description=self.env._(
                    "Send the due deliveries of %(connector)s", connector=connector.name
                ),
            )._job_dispatch()

    def _job_dispatch(self):
        """Queue job: send the connector's due deliveries, many per job.

        Each round claims due deliveries in a short transaction of its own
        (state 'sending', the attempt counted), then sends them while holding
        their row locks and records every outcome, and commits. A worker
        that dies mid-round leaves the round uncommitted: the deliveries stay
        'sending' under this job's uuid and the re-run job (or, after a grace
        period, any job) sends them again with the same webhook-id, as a new
        attempt, until their attempts are used up (then they are dead).
        """
        self.ensure_one()
        with retried_if_database_lost():
            return self._dispatch_for_a_while()

    def _dispatch_for_a_while(self):
        hold_job_lock(self.env.cr, self.env.context.get("job_uuid"))
        deadline = time.monotonic() + DISPATCH_BUDGET_SECONDS
        sent, count = 0, 0
        with requests.Session() as session:
            while time.monotonic() < deadline:
                count = self._dispatch_round(session)
                if not count:
                    break
                sent += count
        self._schedule_follow_up(out_of_time=bool(count))
        return f"{sent} delivery(ies) sent or given up"

    def _dispatch_round(self, session):
        """One round: claim, then send. Returns how many deliveries it
        handled (sent, or given up at the claim)."""
        registry = self.env.registry
        with registry.cursor() as cr:
            connector = self.with_env(self.env(cr=cr))
            if not connector.active or not connector._batch_ready():
                return 0
            claimed, given_up = connector._claim_due()
        # Leaving the block committed the claim: the deliveries show 'sending'
        # and their attempt is counted, whatever becomes of this worker.
        if not claimed:
            return given_up
        with registry.cursor() as cr:
            connector = self.with_env(self.env(cr=cr))
            deliveries = connector.env["integration.delivery"].browse(claimed)
            deliveries._lock_for_sending()
            deliveries._send_groups(connector, session)
        self.env["integration.log.entry"]._seal_after_commit()
        return len(claimed) + given_up

    def _batch_ready(self):
        """A batch connector sends when a batch is full or its oldest due
        delivery has waited the batch interval."""
        if self.mode != "batch":
            return True
        self.env.cr.execute(
            SQL(
                """
                SELECT count(*), min(create_date)
                FROM integration_delivery
                WHERE connector_id = %s AND state = 'pending'
                  AND next_attempt_at <= %s
                """,
                self.id,
                fields.Datetime.now(),
            )
        )
        count, oldest = self.env.cr.fetchone()
        self.env.cr.execute(
            SQL(
                "SELECT count(*) FROM integration_delivery WHERE connector_id = %s "
                "AND state IN %s "
                "AND next_attempt_at <= %s",
                self.id,
                DELIVERY_RESEND_STATES,
                fields.Datetime.now(),
            )
        )
        retries_due = self.env.cr.fetchone()[0]
        if retries_due or count >= self.batch_size:
            return True
        return bool(
            oldest
            and oldest <= fields.Datetime.now() - timedelta(seconds=self.batch_interval)
        )

    def _claim_due(self):
        """Mark due deliveries 'sending' for this job and count their
        attempt, before any work, in the caller's own short transaction: an
        attempt whose round never finishes (the worker killed by a time or
        memory limit) is counted all the same.

        A delivery still 'sending' from an earlier claim was interrupted: it
        is sent again while it has attempts left, else it is dead here.

        :returns: ``(ids to send, number of deliveries given up)``.
        """
        job_uuid = self.env.context.get("job_uuid") or f"manual-{uuid.uuid4()}"
        try:
            rows = self._lock_due(job_uuid)
        except psycopg2.errors.SerializationFailure:
            # Another job changed one of them since our snapshot: next round.
            self.env.cr.rollback()
            return [], 0
        Delivery = self.env["integration.delivery"]
        given_up = Delivery._retire_interrupted(
            self, [row for row in rows if row["state"] == "sending"]
        )
        ids = sorted(row["id"] for row in rows if row["id"] not in given_up)
        if ids:
            self.env.cr.execute(
                SQL(
                    """
                    UPDATE integration_delivery
                    SET attempt_count = coalesce(attempt_count, 0) + 1,
                        interrupted_count = CASE
                            WHEN state = 'sending'
                                THEN coalesce(interrupted_count, 0) + 1
                            WHEN coalesce(attempt_count, 0) = 0 THEN 0
                            ELSE coalesce(interrupted_count, 0) END,
                        state = 'sending', claimed_by = %s, claimed_at = %s
                    WHERE id IN %s
                    """,
                    job_uuid,
                    fields.Datetime.now(),
                    tuple(ids),
                )
            )
            Delivery.browse(ids).invalidate_recordset()
        return ids, len(given_up)

    def _lock_due(self, job_uuid):
        """Lock the due deliveries this job may claim; returns dicts of their
        ``id``, ``state``, ``attempt_count``, ``interrupted_count`` and
        ``claimed_by``."""
        self.env.cr.execute(
            SQL(
                """
                SELECT d.id, d.state, coalesce(d.attempt_count, 0),
                       coalesce(d.interrupted_count, 0), d.claimed_by
                FROM integration_delivery d
                WHERE d.connector_id = %(connector)s
                  AND (
                    (d.state IN %(waiting)s AND d.next_attempt_at <= %(now)s)
                    OR (d.state = 'sending'
                        AND (d.claimed_by = %(job)s
                             OR d.claimed_at < %(now)s
                                - make_interval(secs => %(grace)s)))
                  )
                  AND %(subject_free)s
                ORDER BY d.id
                LIMIT %(limit)s
                FOR UPDATE SKIP LOCKED
                """,
                connector=self.id,
                waiting=DELIVERY_WAITING_STATES,
                job=job_uuid,
                grace=SENDING_GRACE_SECONDS,
                now=fields.Datetime.now(),
                subject_free=self._subject_free_sql(),
                limit=self.batch_size * 5 if self.mode == "batch" else CLAIM_SIZE,
            )
        )
        columns = ("id", "state", "attempt_count", "interrupted_count", "claimed_by")
        return [dict(zip(columns, row, strict=True)) for row in self.env.cr.fetchall()]

    def _schedule_follow_up(self, out_of_time):
        """After a job: hand over what is still due, or wake up for the next
        retry or batch; decided in a fresh transaction that sees the work
        committed meanwhile."""
        with self.env.registry.cursor() as cr:
            connector = self.with_env(self.env(cr=cr))
            if not connector.active:
                return
            next_at = connector._next_dispatch_time(out_of_time)
            if next_at:
                connector._schedule_dispatch(
                    eta=None if next_at <= fields.Datetime.now() else next_at
                )

    def _next_dispatch_time(self, out_of_time):
        now = fields.Datetime.now()
        if out_of_time:
            return now
        if self._has_claimable():
            if self.mode == "batch" and not self._batch_ready():
                return self._batch_due_time()
            # Due but held by another job right now: look again shortly.
            return now + timedelta(seconds=5)
        self.env.cr.execute(
            SQL(
                """
                SELECT min(next_attempt_at) FROM integration_delivery
                WHERE connector_id = %s AND state IN %s
                  AND next_attempt_at > %s
                """,
                self.id,
                DELIVERY_WAITING_STATES,
                now,
            )
        )
        return self.env.cr.fetchone()[0]

    def _has_claimable(self):
        self.env.cr.execute(
            SQL(
                """
                SELECT 1 FROM integration_delivery d
                WHERE d.connector_id = %(connector)s
                  AND d.state IN %(waiting)s
                  AND d.next_attempt_at <= %(now)s
                  AND %(subject_free)s
                LIMIT 1
                """,
                connector=self.id,
                waiting=DELIVERY_WAITING_STATES,
                subject_free=self._subject_free_sql(),
                now=fields.Datetime.now(),
            )
        )
        return bool(self.env.cr.fetchone())

    def _subject_free_sql(self):
        """SQL condition on delivery ``d``: for an ordered connector, no
        earlier delivery of its subject is still open."""
        return SQL(
            """
            (NOT %s OR NOT EXISTS (
                SELECT 1 FROM integration_delivery p
                WHERE p.connector_id = d.connector_id
                  AND p.subject = d.subject AND p.id < d.id
                  AND p.state IN %s
            ))
            """,
            self.ordered,
            DELIVERY_OPEN_STATES,
        )

    def _batch_due_time(self):
        self.env.cr.execute(
            SQL(
                "SELECT min(create_date) FROM integration_delivery "
                "WHERE connector_id = %s AND state = 'pending'",
                self.id,
            )
        )
        oldest = self.env.cr.fetchone()[0] or fields.Datetime.now()
        return (oldest + timedelta(seconds=self.batch_interval)).replace(microsecond=0)

    @api.model
    def _cron_dispatch_overdue(self, grace_seconds=60):
        """Backstop: connectors with deliveries overdue by more than a minute
        (a lost job, a crashed worker) get a new dispatch job."""
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT d.connector_id
                FROM integration_delivery d
                JOIN integration_connector c ON c.id = d.connector_id
                WHERE c.active
                  AND ((d.state IN %(waiting)s
                        AND d.next_attempt_at < %(now)s
                            - make_interval(secs => %(grace)s))
                       OR (d.state = 'sending'
                           AND d.claimed_at < %(now)s
                               - make_interval(secs => %(grace)s)))
                """,
                waiting=DELIVERY_WAITING_STATES,
                grace=grace_seconds,
                now=fields.Datetime.now(),
            )
        )
        connectors = self.browse([row[0] for row in self.env.cr.fetchall()])
        for connector in connectors:
            connector._schedule_dispatch(
                eta=fields.Datetime.now().replace(second=0, microsecond=0)
            )
        return len(connectors)
