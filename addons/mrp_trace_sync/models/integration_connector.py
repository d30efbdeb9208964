# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from odoo.addons.integration_log.protocol import patterns

from .mrp_production import RELEASED_TYPE


class IntegrationConnector(models.Model):
    """The delivery dashboard of a connector that releases orders to an MES
    also shows the orders that MES has not acknowledged yet."""

    _inherit = "integration.connector"

    releases_productions = fields.Boolean(compute="_compute_releases_productions")
    mes_unacknowledged_count = fields.Integer(
        "Released, Not Started", compute="_compute_mes_unacknowledged"
    )
    mes_unacknowledged_hours = fields.Float(
        "Oldest Waiting (h:mm)", compute="_compute_mes_unacknowledged"
    )

    @api.depends("event_types")
    def _compute_releases_productions(self):
        for connector in self:
            connector.releases_productions = patterns.type_allowed(
                RELEASED_TYPE, connector.event_types
            )

    @api.depends("releases_productions")
    def _compute_mes_unacknowledged(self):
        releasing = self.filtered("releases_productions")
        count, age_seconds = (0, 0.0)
        if releasing:
            count, age_seconds = self.env["mrp.production"]._mes_unacknowledged()
        for connector in self:
            shown = connector in releasing
            connector.mes_unacknowledged_count = count if shown else 0
            connector.mes_unacknowledged_hours = age_seconds / 3600 if shown else 0.0

    def action_view_mes_unacknowledged(self):
        self.ensure_one()
        return self.env["ir.actions.act_window"]._for_xml_id(
            "mrp_trace_sync.mrp_production_mes_unacknowledged_action"
        )
