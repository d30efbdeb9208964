# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..protocol import delivery as policy
from ..protocol import patterns, signature


class IntegrationConnector(models.Model):
    """A partner endpoint that receives outbound events (protocol v1, §3).

    This file holds the record; the other concerns extend it in files of
    their own: ``integration_connector_dashboard.py`` (delivery figures),
    ``integration_connector_dispatch.py`` (the dispatch jobs) and
    ``integration_connector_transport.py`` (HTTP sending).
    """

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
    client_id = fields.Many2one(
        "integration.client",
        "Partner's Own Client",
        ondelete="set null",
        tracking=True,
        help="The client this partner sends its events with, when it has one: "
        "an event that only restates that partner's own decision (a lot "
        "released by its QMS, say) is not sent back to it, while every other "
        "subscriber gets it.",
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
        self._store_signing_secret(secret, secret_rotated_at=fields.Datetime.now())
        self.message_post(body=self.env._("New signing secret issued."))
        return {"signing_secret": secret}

    def set_signing_secret(self, signing_secret):
        """Set a known signing secret (demo data, migration from another
        system); any previous one stops."""
        self.ensure_one()
        self._check_credential_rights()
        signature.secret_key_bytes(signing_secret)
        self._store_signing_secret(
            signing_secret, secret_rotated_at=fields.Datetime.now()
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
    # The partner ended the subscription (410 Gone)
    # ------------------------------------------------------------------
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
        Entry = self.env["integration.log.entry"]
        Entry._append(
            [
                Entry._vals_for(
                    self, "connector", state="disabled", http_status=410, detail=reason
                )
            ]
        )
