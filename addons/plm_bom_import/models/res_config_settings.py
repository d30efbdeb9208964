# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    plm_bom_auto_apply = fields.Boolean(
        related="company_id.plm_bom_auto_apply", readonly=False
    )
    plm_bom_update_productions = fields.Boolean(
        related="company_id.plm_bom_update_productions", readonly=False
    )
    plm_bom_chunk_size = fields.Integer(
        "BOM Lines per Import Job",
        config_parameter="plm_bom_import.chunk_size",
        default=1000,
        help="A BOM with more lines is imported by queue jobs of this many "
        "lines, showing its progress; it is used only once complete.",
    )
