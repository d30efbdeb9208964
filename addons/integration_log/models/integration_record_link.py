# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class IntegrationRecordLink(models.Model):
    """A business document (MO, lot, picking, BOM...) an event touched."""

    _name = "integration.record.link"
    _inherit = ["integration.bulk.insert.mixin"]
    _description = "Integration Event Record Link"
    _order = "id"

    event_id = fields.Many2one(
        "integration.event", required=True, ondelete="cascade", index=True
    )
    res_model = fields.Char("Model", required=True, index=True)
    res_id = fields.Many2oneReference(
        "Record ID", model_field="res_model", required=True, index=True
    )

    @api.depends("res_model", "res_id")
    def _compute_display_name(self):
        for link in self:
            record = self.env[link.res_model].browse(link.res_id).exists()
            link.display_name = (
                record.sudo().display_name
                if record
                else f"{link.res_model},{link.res_id}"
            )

    def action_open_record(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
        }
