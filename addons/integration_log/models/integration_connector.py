# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
import logging
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import psycopg2
import requests

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ..protocol import delivery as policy
from ..protocol import patterns, signature

_logger = logging.getLogger(__name__)

# One dispatch job sends for at most this long, then hands over to a new job,
# so a big backlog never hits the worker's time limit.
DISPATCH_BUDGET_SECONDS = 30
CLAIM_SIZE = 100
# A delivery left in 'sending' by a worker that died is taken over after this.
SENDING_GRACE_SECONDS = 60
TEST_EVENT_TYPE = "mfg.connector.test.v1"


class IntegrationConnector(models.Model):
    """A partner endpoint that receives outbound events (protocol v1, §3)."""

    _name = "integration.connector"
    _description = "Integration Connector"
    _inherit = ["mail.thread", "mail.activity.mixin", "integration.signing.mixin"]
    _order = "name"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    url = fields.Char(
        "URL",
        required=True,
        tracking=True,
        help="Where events are POSTed (http or https).",
    )
    event_types = fields.Char(
        required=True,
        tracking=True,
        help="Comma-separated patterns of the event types sent to this partner, "
        "for example mfg.production.*, mfg.shipment.dispatched.v1.",
    )
    format = fields.Selection(
        [("cloudevents", "CloudEvents JSON")],
        required=True,
        default="cloudevents",
    )
    mode = fields.Selection(
        [("realtime", "Real time"), ("batch", "Batch")],
        required=True,
        default="realtime",
        tracking=True,
        help="Real time: one request per event, as soon as possible. Batch: "
        "arrays of events, sent when the batch is full or its oldest event "
        "has waited the batch interval.",
    )
    batch_size = fields.Integer(default=100, help="Maximum events per batch (1-500).")
    batch_interval = fields.Integer(
        "Batch Interval (s)",
        default=10,
        help="Maximum seconds an event waits for its batch to fill.",
    )
    timeout = fields.Float(
        "Timeout (s)", default=10.0, help="Seconds to wait for the partner to answer."
    )
    retry_schedule = fields.Char(
        default=policy.DEFAULT_RETRY_SCHEDULE,
        required=True,
        help="Seconds to wait before each new attempt, comma-separated; a random "
        "+/-10 % is added. After the last one the delivery is dead.",
    )
    parallel_requests = fields.Integer(
        default=4,
        help="How many requests may be in flight to this partner at once "
        "(1-16). With Ordered per Subject, only events of different subjects "
        "are ever sent together.",
    )
    ordered = fields.Boolean(
        "Ordered per Subject",
        help="Never send an event before the previous event of the same subject "
        "is delivered or dead.",
    )
    responsible_id = fields.Many2one(
        "res.users",
        default=lambda self: self.env.user,
        tracking=True,
        help="Gets the activities raised when deliveries die or the partner "
        "disables the connector.",
    )
    disabled_reason = fields.Text(readonly=True, copy=False)
    delivery_ids = fields.One2many("integration.delivery", "connector_id")
    backlog_count = fields.Integer("Backlog", compute="_compute_dashboard")
    dead_count = fields.Integer("Dead", compute="_compute_dashboard")
    oldest_pending_minutes = fields.Float(
        "Oldest Pending (min)", compute="_compute_dashboard", digits=(16, 1)
    )
    failure_rate_hour = fields.Float(
        "Failure Rate 1 h (%)", compute="_compute_dashboard", digits=(16, 1)
    )
    delivered_hour = fields.Integer("Delivered 1 h", compute="_compute_dashboard")
    latency_p50_hour = fields.Integer("p50 1 h (ms)", compute="_compute_dashboard")
    latency_p95_hour = fields.Integer("p95 1 h (ms)", compute="_compute_dashboard")
    latency_p50_day = fields.Integer("p50 24 h (ms)", compute="_compute_dashboard")
    latency_p95_day = fields.Integer("p95 24 h (ms)", compute="_compute_dashboard")

    _sql_constraints = [
        (
            "batch_size_range",
            "CHECK(batch_size BETWEEN 1 AND 500)",
            "The batch size is between 1 and 500 events.",
        ),
        (
            "batch_interval_positive",
            "CHECK(batch_interval >= 0)",
            "The batch interval cannot be negative.",
        ),
        (
            "parallel_requests_range",
            "CHECK(parallel_requests BETWEEN 1 AND 16)",
            "Parallel requests are between 1 and 16.",
        ),
        (
            "timeout_range",
            "CHECK(timeout > 0 AND timeout <= 300)",
            "The timeout is between 0 and 300 seconds.",
        ),
    ]

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("url")
    def _check_url(self):
        for connector in self:
            self.env["integration.allowed.host"]._check_url(connector.url)

    @api.constrains("event_types")
    def _check_event_types(self):
        for connector in self:
            self.env["integration.event.type"]._check_type_patterns(
                connector.event_types, connector.display_name
            )

    @api.constrains("retry_schedule")
    def _check_retry_schedule(self):
        for connector in self:
            try:
                policy.parse_retry_schedule(connector.retry_schedule)
            except ValueError as err:
                raise ValidationError(
                    self.env._(
                        "Retry schedule of connector %(connector)s: %(error)s.",
                        connector=connector.name,
                        error=err,
                    )
                ) from err

    # ------------------------------------------------------------------
    # Dashboard figures
    # ------------------------------------------------------------------
    def _compute_dashboard(self):
        figures = self._dashboard_figures()
        for connector in self:
            values = figures.get(connector.id, {})
            for name in (
                "backlog_count",
                "dead_count",
                "oldest_pending_minutes",
                "failure_rate_hour",
                "delivered_hour",
                "latency_p50_hour",
                "latency_p95_hour",
                "latency_p50_day",
                "latency_p95_day",
            ):
                connector[name] = values.get(name) or 0

    def _dashboard_figures(self):
        ids = tuple(self.ids) or (0,)
        figures = {connector_id: {} for connector_id in self.ids}
        self.env.cr.execute(
            SQL(
                """
                SELECT connector_id,
                    count(*) FILTER (WHERE state IN ('pending', 'sending', 'retrying')),
                    count(*) FILTER (WHERE state = 'dead'),
                    extract(epoch FROM %s - min(create_date)
                        FILTER (WHERE state IN ('pending', 'sending', 'retrying'))) / 60
                FROM integration_delivery
                WHERE connector_id IN %s
                GROUP BY connector_id
                """,
                fields.Datetime.now(),
                ids,
            )
        )
        for connector_id, backlog, dead, oldest in self.env.cr.fetchall():
            figures[connector_id].update(
                backlog_count=backlog,
                dead_count=dead,
                oldest_pending_minutes=float(oldest or 0),
            )
        self.env.cr.execute(
            SQL(
                """
                SELECT connector_id,
                    count(*) FILTER (WHERE logged_at > %(hour)s),
                    count(*) FILTER (WHERE logged_at > %(hour)s
                                     AND state <> 'delivered'),
                    count(*) FILTER (WHERE logged_at > %(hour)s
                                     AND state = 'delivered'),
                    percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms)
                        FILTER (WHERE logged_at > %(hour)s),
                    percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms)
                        FILTER (WHERE logged_at > %(hour)s),
                    percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms),
                    percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms)
                FROM integration_log_entry
                WHERE kind = 'delivery' AND connector_id IN %(ids)s
                  AND logged_at > %(day)s
                GROUP BY connector_id
                """,
                hour=fields.Datetime.now() - timedelta(hours=1),
                day=fields.Datetime.now() - timedelta(days=1),
                ids=ids,
            )
        )
        for row in self.env.cr.fetchall():
            connector_id, attempts, failed, delivered, p50h, p95h, p50d, p95d = row
            figures[connector_id].update(
                failure_rate_hour=100.0 * failed / attempts if attempts else 0.0,
                delivered_hour=delivered,
                latency_p50_hour=round(p50h or 0),
                latency_p95_hour=round(p95h or 0),
                latency_p50_day=round(p50d or 0),
                latency_p95_day=round(p95d or 0),
            )
        return figures

    # ------------------------------------------------------------------
    # Signing secret (public methods: callable over the external API)
    # ------------------------------------------------------------------
    def issue_signing_secret(self):
        """Give the connector a new signing secret; any previous one stops.

        The clear value is returned once and never stored in clear: give it
        to the partner, who verifies the ``webhook-signature`` with it.

        :returns: ``{"signing_secret": ...}``
        """
        self.ensure_one()
        self._check_credential_rights()
        secret = signature.generate_secret()
        self.sudo().write(
            {
                "signing_secret_encrypted": self._encrypt(secret),
                "previous_secret_encrypted": False,
                "secret_rotated_at": fields.Datetime.now(),
            }
        )
        self.message_post(body=self.env._("New signing secret issued."))
        return {"signing_secret": secret}

    def set_signing_secret(self, signing_secret):
        """Set a known signing secret (demo data, migration from another
        system); any previous one stops."""
        self.ensure_one()
        self._check_credential_rights()
        signature.secret_key_bytes(signing_secret)
        self.sudo().write(
            {
                "signing_secret_encrypted": self._encrypt(signing_secret),
                "previous_secret_encrypted": False,
                "secret_rotated_at": fields.Datetime.now(),
            }
        )
        return True

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_issue_signing_secret(self):
        self.ensure_one()
        return self._secret_wizard_action(self.issue_signing_secret())

    def action_test_connection(self):
        """Send a signed test event and tell the user what the partner said."""
        self.ensure_one()
        outcome = self._send_test_event()
        ok = outcome["result"] == policy.DELIVERED
        message = (
            self.env._(
                "The partner answered %(status)s in %(latency)s ms.",
                status=outcome["http_status"],
                latency=outcome["latency_ms"],
            )
            if outcome["http_status"]
            else outcome["error"]
        )
        if not ok and outcome["excerpt"]:
            message += "\n" + outcome["excerpt"]
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Connection works")
                if ok
                else self.env._("Connection failed"),
                "message": message,
                "type": "success" if ok else "danger",
                "sticky": not ok,
            },
        }

    def action_view_deliveries(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "integration_log.integration_delivery_action"
        )
        action["domain"] = [("connector_id", "=", self.id)]
        action["context"] = {"search_default_filter_open": 1}
        return action

    def action_dispatch_now(self):
        """Send the connector's due deliveries now (in a job)."""
        self._schedule_dispatch()
        return True

    def action_open_replay_wizard(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Replay deliveries of %(name)s", name=self.name),
            "res_model": "integration.delivery.replay",
            "view_mode": "form",
            "target": "new",
            "context": {"default_connector_id": self.id},
        }

    # ------------------------------------------------------------------
    # Bulk replay (public: callable over the external API)
    # ------------------------------------------------------------------
    def replay_deliveries(self, date_from=None, date_to=None, states=("dead",)):
        """Send again this connector's deliveries in ``states`` created in the
        time range; they keep their webhook-id.

        :returns: the number of deliveries replayed.
        """
        self.ensure_one()
        domain = [("connector_id", "=", self.id), ("state", "in", list(states))]
        if date_from:
            domain.append(("create_date", ">=", date_from))
        if date_to:
            domain.append(("create_date", "<=", date_to))
        deliveries = self.env["integration.delivery"].search(domain, order="id")
        deliveries.action_replay()
        return len(deliveries)

    # ------------------------------------------------------------------
    # Routing (used by the outbox)
    # ------------------------------------------------------------------
    @api.model
    def _matching(self, event_type, company):
        """Active connectors of ``company`` subscribed to ``event_type``."""
        # sudo: every user whose change emits an event routes it.
        connectors = self.sudo().search([("company_id", "in", (company.id, False))])
        return connectors.filtered(
            lambda c: patterns.type_allowed(event_type, c.event_types)
        )

    # ------------------------------------------------------------------
    # Dispatch
    # ------------------------------------------------------------------
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
        (state 'sending'), then sends them while holding their row locks and
        records every outcome, and commits. A worker that dies mid-round
        leaves the round uncommitted: the deliveries stay 'sending' under this
        job's uuid and the re-run job (or, after a grace period, any job)
        sends them again with the same webhook-id.
        """
        self.ensure_one()
        deadline = time.monotonic() + DISPATCH_BUDGET_SECONDS
        sent, count = 0, 0
        with requests.Session() as session:
            while time.monotonic() < deadline:
                count = self._dispatch_round(session)
                if not count:
                    break
                sent += count
        self._schedule_follow_up(out_of_time=bool(count))
        return f"{sent} delivery(ies) sent"

    def _dispatch_round(self, session):
        registry = self.env.registry
        with registry.cursor() as cr:
            connector = self.with_env(self.env(cr=cr))
            if not connector.active or not connector._batch_ready():
                return 0
            claimed = connector._claim_due()
        # Leaving the block committed the claim: the deliveries show 'sending'.
        if not claimed:
            return 0
        with registry.cursor() as cr:
            connector = self.with_env(self.env(cr=cr))
            deliveries = connector.env["integration.delivery"].browse(claimed)
            deliveries._lock_for_sending()
            deliveries._send_groups(connector, session)
        self.env["integration.log.entry"]._seal_after_commit()
        return len(claimed)

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
                "AND state IN ('retrying', 'sending') "
                "AND next_attempt_at <= %s",
                self.id,
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
        """Mark due deliveries 'sending' for this job; returns their ids."""
        job_uuid = self.env.context.get("job_uuid") or f"manual-{uuid.uuid4()}"
        limit = self.batch_size * 5 if self.mode == "batch" else CLAIM_SIZE
        try:
            self.env.cr.execute(
                SQL(
                    """
                    WITH due AS (
                        SELECT d.id FROM integration_delivery d
                        WHERE d.connector_id = %(connector)s
                          AND (
                            (d.state IN ('pending', 'retrying')
                             AND d.next_attempt_at <= %(now)s)
                            OR (d.state = 'sending'
                                AND (d.claimed_by = %(job)s
                                     OR d.claimed_at < %(now)s
                                        - make_interval(secs => %(grace)s)))
                          )
                          AND (NOT %(ordered)s OR NOT EXISTS (
                            SELECT 1 FROM integration_delivery p
                            WHERE p.connector_id = d.connector_id
                              AND p.subject = d.subject AND p.id < d.id
                              AND p.state IN ('pending', 'sending', 'retrying')
                          ))
                        ORDER BY d.id
                        LIMIT %(limit)s
                        FOR UPDATE SKIP LOCKED
                    )
                    UPDATE integration_delivery d
                    SET state = 'sending', claimed_by = %(job)s,
                        claimed_at = %(now)s
                    FROM due WHERE d.id = due.id
                    RETURNING d.id
                    """,
                    connector=self.id,
                    job=job_uuid,
                    grace=SENDING_GRACE_SECONDS,
                    now=fields.Datetime.now(),
                    ordered=self.ordered,
                    limit=limit,
                )
            )
        except psycopg2.errors.SerializationFailure:
            # Another job changed one of them since our snapshot: next round.
            self.env.cr.rollback()
            return []
        return sorted(row[0] for row in self.env.cr.fetchall())

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
                WHERE connector_id = %s AND state IN ('pending', 'retrying')
                  AND next_attempt_at > %s
                """,
                self.id,
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
                  AND d.state IN ('pending', 'retrying')
                  AND d.next_attempt_at <= %(now)s
                  AND (NOT %(ordered)s OR NOT EXISTS (
                    SELECT 1 FROM integration_delivery p
                    WHERE p.connector_id = d.connector_id
                      AND p.subject = d.subject AND p.id < d.id
                      AND p.state IN ('pending', 'sending', 'retrying')
                  ))
                LIMIT 1
                """,
                connector=self.id,
                ordered=self.ordered,
                now=fields.Datetime.now(),
            )
        )
        return bool(self.env.cr.fetchone())

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
                  AND ((d.state IN ('pending', 'retrying')
                        AND d.next_attempt_at < %(now)s
                            - make_interval(secs => %(grace)s))
                       OR (d.state = 'sending'
                           AND d.claimed_at < %(now)s
                               - make_interval(secs => %(grace)s)))
                """,
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

    # ------------------------------------------------------------------
    # HTTP
    # ------------------------------------------------------------------
    def _prepare_sending(self):
        """Check the URL and decrypt the secrets once per round.

        :returns: ``(secrets, error)``; ``error`` says why nothing can be
            sent (host no longer allowed, no secret).
        """
        self.ensure_one()
        try:
            self.env["integration.allowed.host"]._check_url(self.url)
            secrets_ = self._signing_secrets()
            if not secrets_:
                raise UserError(
                    self.env._(
                        "Connector %(name)s has no signing secret: issue one.",
                        name=self.name,
                    )
                )
        except (UserError, ValidationError) as err:
            return [], err.args[0]
        return secrets_, None

    def _post_all(self, session, messages):
        """POST signed messages, ``parallel_requests`` at a time.

        :param messages: list of ``(message_id, body bytes, is_batch)``.
        :returns: one outcome dict per message, in order; stops early (the
            rest get ``None``) when the partner answers 410 Gone.
        """
        self.ensure_one()
        secrets_, error = self._prepare_sending()
        if error:
            return [self._outcome_of(None, error=error) for _m in messages]
        requests_ = [
            (
                message_id,
                body,
                {
                    "Content-Type": "application/cloudevents-batch+json"
                    if is_batch
                    else "application/cloudevents+json",
                    "User-Agent": "Odoo-Mfg-Integration/1.0",
                    **signature.sign_headers(secrets_, message_id, body),
                },
            )
            for message_id, body, is_batch in messages
        ]
        url, timeout = self.url, self.timeout
        width = max(1, self.parallel_requests)
        outcomes = [None] * len(requests_)
        with ThreadPoolExecutor(max_workers=width) as pool:
            for start in range(0, len(requests_), width):
                chunk = requests_[start : start + width]
                raw_results = pool.map(
                    lambda item: _http_post(session, url, timeout, *item), chunk
                )
                for offset, raw in enumerate(raw_results):
                    outcomes[start + offset] = self._outcome_of(raw)
                if any(
                    o["result"] == policy.GONE for o in outcomes[start : start + width]
                ):
                    break
        return outcomes

    def _outcome_of(self, raw, error=None):
        """Turn what a sending thread saw into a delivery outcome (here, in
        the job's thread, where translations and the ORM are safe)."""
        outcome = {
            "http_status": 0,
            "latency_ms": 0,
            "excerpt": "",
            "error": error or "",
            "retry_after": None,
            "result": policy.RETRY,
        }
        if raw is None:
            return outcome
        outcome["latency_ms"] = raw["latency_ms"]
        if raw["timeout"]:
            outcome["error"] = self.env._(
                "No answer within %(timeout)s s.", timeout=self.timeout
            )
        elif raw["failure"]:
            outcome["error"] = self.env._(
                "Connection failed: %(error)s", error=raw["failure"]
            )
        else:
            status = raw["status"]
            outcome.update(
                http_status=status,
                excerpt=policy.excerpt(raw["text"]),
                retry_after=policy.parse_retry_after(raw["retry_after"]),
                result=policy.classify_status(status),
            )
            if outcome["result"] != policy.DELIVERED:
                outcome["error"] = self.env._(
                    "The partner answered HTTP %(status)s.", status=status
                )
        return outcome

    def _send_test_event(self):
        event = {
            "specversion": "1.0",
            "id": str(uuid.uuid4()),
            "source": self.env["integration.event"]._outbound_source(),
            "type": TEST_EVENT_TYPE,
            "time": fields.Datetime.now().isoformat() + "Z",
            "subject": self.name,
            "datacontenttype": "application/json",
            "data": {
                "connector": self.name,
                "message": "Connection test from Odoo; no action is expected.",
            },
        }
        with requests.Session() as session:
            outcome = self._post_all(
                session, [(event["id"], json.dumps(event).encode(), False)]
            )[0]
        self.env["integration.log.entry"]._append(
            [
                {
                    "kind": "connector",
                    "reference": f"integration.connector,{self.id}",
                    "connector_id": self.id,
                    "state": "test " + outcome["result"],
                    "http_status": outcome["http_status"] or None,
                    "latency_ms": outcome["latency_ms"],
                    "detail": outcome["error"] or outcome["excerpt"],
                }
            ]
        )
        return outcome

    def _disable_gone(self, status_detail):
        """The partner answered 410 Gone: stop sending and tell the managers."""
        self.ensure_one()
        reason = self.env._(
            "The partner answered 410 Gone on %(date)s: it ended this "
            "subscription. %(detail)s",
            date=fields.Datetime.now(),
            detail=status_detail or "",
        )
        self.write({"active": False, "disabled_reason": reason})
        managers = self.env.ref("integration_log.group_integration_manager").users
        self.message_post(
            body=self.env._(
                "Connector disabled: %(reason)s Check with the partner, then "
                "re-activate the connector and replay its dead deliveries.",
                reason=reason,
            ),
            partner_ids=managers.partner_id.ids,
            subtype_xmlid="mail.mt_comment",
        )
        for user in (self.responsible_id | managers)[:10]:
            self.activity_schedule(
                "integration_log.mail_activity_integration_failure",
                summary=self.env._("Connector disabled by the partner (410 Gone)"),
                note=reason,
                user_id=user.id,
            )
        self.env["integration.log.entry"]._append(
            [
                {
                    "kind": "connector",
                    "reference": f"integration.connector,{self.id}",
                    "connector_id": self.id,
                    "state": "disabled",
                    "http_status": 410,
                    "detail": reason,
                }
            ]
        )


def _http_post(session, url, timeout, message_id, body, headers):
    """One POST, run in a sending thread: no ORM here, only HTTP."""
    started = time.monotonic()
    raw = {"timeout": False, "failure": None, "status": 0, "text": ""}
    raw["retry_after"] = None
    try:
        response = session.post(
            url, data=body, headers=headers, timeout=timeout, allow_redirects=False
        )
    except requests.Timeout:
        raw["timeout"] = True
    except requests.RequestException as err:
        raw["failure"] = str(err)
    else:
        raw["status"] = response.status_code
        raw["retry_after"] = response.headers.get("Retry-After")
        # Decode only the excerpt, and never let requests guess a charset.
        raw["text"] = response.content[: policy.EXCERPT_CHARS * 4].decode(
            response.encoding or "utf-8", "replace"
        )
    raw["latency_ms"] = round((time.monotonic() - started) * 1000)
    return raw
