# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class MrpBomLine(models.Model):
    """A line of a PLM BOM: its find number and reference designators."""

    _inherit = "mrp.bom.line"

    plm_position = fields.Char(
        "Position", copy=True, help="The PLM's find number of the line."
    )
    plm_designators = fields.Char(
        "Designators",
        copy=True,
        help="Reference designators of the line (R1, R2...), space-separated.",
    )
