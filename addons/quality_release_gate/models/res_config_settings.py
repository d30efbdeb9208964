# Copyright 2026 Mfg Integration Suite Authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    quality_quarantine_location_id = fields.Many2one(
        related="company_id.quality_quarantine_location_id", readonly=False
    )
    quality_pending_consumption = fields.Boolean(
        related="company_id.quality_pending_consumption", readonly=False
    )
    quality_release_sla_hours = fields.Float(
        related="company_id.quality_release_sla_hours", readonly=False
    )
    quality_responsible_id = fields.Many2one(
        related="company_id.quality_responsible_id", readonly=False
    )
