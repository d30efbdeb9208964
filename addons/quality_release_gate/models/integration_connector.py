# Copyright 2026 Mfg Integration Suite Authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

from odoo.addons.integration_log.protocol import patterns

from .stock_lot_qms import INSPECTION_REQUESTED_TYPE


class IntegrationConnector(models.Model):
    """The delivery dashboard card of a connector that asks a QMS for
    inspections also shows the lots waiting for their release, the holds
    and the transfers the gate blocks."""

    _inherit = "integration.connector"

    requests_inspections = fields.Boolean(compute="_compute_requests_inspections")
    quality_awaiting_count = fields.Integer(
        "Lots Awaiting Release", compute="_compute_quality_figures"
    )
    quality_awaiting_hours = fields.Float(
        "Oldest Awaiting (h:mm)", compute="_compute_quality_figures"
    )
    quality_overdue_count = fields.Integer(
        "Past Their SLA", compute="_compute_quality_figures"
    )
    quality_hold_count = fields.Integer(
        "Active Holds", compute="_compute_quality_figures"
    )
    quality_blocked_count = fields.Integer(
        "Transfers Blocked", compute="_compute_quality_figures"
    )

    @api.depends("event_types")
    def _compute_requests_inspections(self):
        for connector in self:
            connector.requests_inspections = patterns.type_allowed(
                INSPECTION_REQUESTED_TYPE, connector.event_types
            )

    @api.depends("requests_inspections")
    def _compute_quality_figures(self):
        quality = self.filtered("requests_inspections")
        figures = quality and self.env["stock.lot"]._quality_figures()
        for connector in self:
            shown = connector in quality
            connector.quality_awaiting_count = shown and figures["awaiting"]
            connector.quality_awaiting_hours = (
                shown and figures["oldest_seconds"] / 3600 or 0.0
            )
            connector.quality_overdue_count = shown and figures["overdue"]
            connector.quality_hold_count = shown and sum(figures["holds"].values())
            connector.quality_blocked_count = shown and figures["blocked_transfers"]

    def _quality_action(self, xmlid, context):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action["context"] = context
        return action

    def action_view_quality_awaiting(self):
        return self._quality_action(
            "quality_release_gate.stock_lot_disposition_action",
            {"search_default_awaiting": 1},
        )

    def action_view_quality_holds(self):
        return self._quality_action(
            "quality_release_gate.quality_lot_hold_action",
            {"search_default_active": 1, "search_default_group_source": 1},
        )

    def action_view_quality_blocked(self):
        return self._quality_action(
            "stock.action_picking_tree_all", {"search_default_quality_blocked": 1}
        )
