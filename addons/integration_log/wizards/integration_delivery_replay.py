# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import UserError


class IntegrationDeliveryReplay(models.TransientModel):
    """Replay a connector's dead (and optionally retrying) deliveries of a
    time range, e.g. after the partner fixed an outage."""

    _name = "integration.delivery.replay"
    _description = "Replay Integration Deliveries"

    connector_id = fields.Many2one("integration.connector", required=True)
    date_from = fields.Datetime("From", help="Deliveries created from this time.")
    date_to = fields.Datetime("To", help="Deliveries created up to this time.")
    include_retrying = fields.Boolean(
        "Also Retrying",
        help="Also send now the deliveries that wait for their next attempt.",
    )
    match_count = fields.Integer("Deliveries", compute="_compute_match_count")

    @api.depends("connector_id", "date_from", "date_to", "include_retrying")
    def _compute_match_count(self):
        for wizard in self:
            wizard.match_count = (
                self.env["integration.delivery"].search_count(wizard._domain())
                if wizard.connector_id
                else 0
            )

    def _states(self):
        return ("dead", "retrying") if self.include_retrying else ("dead",)

    def _domain(self):
        domain = [
            ("connector_id", "=", self.connector_id.id),
            ("state", "in", list(self._states())),
        ]
        if self.date_from:
            domain.append(("create_date", ">=", self.date_from))
        if self.date_to:
            domain.append(("create_date", "<=", self.date_to))
        return domain

    def action_replay(self):
        self.ensure_one()
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise UserError(
                self.env._(
                    "From (%(start)s) is after To (%(end)s).",
                    start=self.date_from,
                    end=self.date_to,
                )
            )
        count = self.connector_id.replay_deliveries(
            self.date_from, self.date_to, self._states()
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Replay started"),
                "message": self.env._(
                    "%(count)s delivery(ies) of %(connector)s will be sent again.",
                    count=count,
                    connector=self.connector_id.name,
                ),
                "type": "success",
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
