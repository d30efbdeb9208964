# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class PlmBomReleaseReject(models.TransientModel):
    """Why a manager rejects BOM releases: the PLM gets the reason."""

    _name = "plm.bom.release.reject"
    _description = "Reject BOM Releases"

    release_ids = fields.Many2many("plm.bom.release", string="Releases")
    reason = fields.Text(required=True)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if "release_ids" in fields_list:
            values["release_ids"] = [
                fields.Command.set(self.env.context.get("active_ids") or [])
            ]
        return values

    def action_reject(self):
        self.ensure_one()
        self.release_ids._plm_reject(self.reason)
        return {"type": "ir.actions.act_window_close"}
