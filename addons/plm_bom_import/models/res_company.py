# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    plm_bom_auto_apply = fields.Boolean(
        "Apply Approved BOM Releases",
        default=True,
        help="A BOM release that the PLM sends as approved is applied at once; "
        "when off, it waits for a manager's approval like a pending one.",
    )
    plm_bom_update_productions = fields.Boolean(
        "Switch Open Orders to New BOM Revisions",
        help="Orders not started yet on a replaced revision are switched to the "
        "new one; when off, they are only flagged.",
    )
