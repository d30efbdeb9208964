# Copyright 2026 Mfg Integration Suite Authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

from .quality_release_rule import INSPECTION_REASONS

RESULTS = [("pass", "Pass"), ("fail", "Fail")]


class QcInspection(models.Model):
    """OCA's inspection, as the record of what was asked of the QMS and what
    it answered (result, inspector, measurements)."""

    _name = "qc.inspection"
    _inherit = ["qc.inspection", "integration.consumer.mixin"]

    quality_reason = fields.Selection(
        INSPECTION_REASONS, "Requested Because", readonly=True
    )
    quality_origin = fields.Char(
        "Requested For", readonly=True, help="The document that brought the lot in."
    )
    quality_result = fields.Selection(RESULTS, "QMS Result", readonly=True)
    quality_inspector = fields.Char("Inspector", readonly=True)
    quality_client_id = fields.Many2one(
        "integration.client", "Recorded by System", readonly=True, ondelete="set null"
    )

    @api.model
    def _quality_request_vals(self, lot, rule, reason, quantity, origin):
        vals = {
            "object_id": f"stock.lot,{lot.id}",
            "qty": quantity,
            "state": "ready",
            "auto_generated": True,
            "company_id": (lot.company_id or self.env.company).id,
            "quality_reason": reason,
            "quality_origin": origin,
        }
        if rule.test_id:
            vals["test"] = rule.test_id.id
            vals["inspection_lines"] = self._prepare_inspection_lines(rule.test_id)
        return vals

    def _quality_record(self, data, client, recorded_at):
        """Store the QMS's result and measurements on the inspection."""
        self.ensure_one()
        lines = self.env["qc.inspection.line"]._quality_measurement_commands(
            self, data.get("measurements") or [], client
        )
        # sudo: inspections change through their events here; the QMS's
        # technical user needs no rights on inspections.
        self.sudo().write(
            {
                "inspection_lines": lines,
                "quality_result": data["result"],
                "quality_inspector": data.get("inspector") or False,
                "quality_client_id": client.id,
                "state": "success" if data["result"] == "pass" else "failed",
            }
        )
        # OCA's write sets the completion date to now; the QMS knows better.
        self.sudo().date_done = recorded_at
