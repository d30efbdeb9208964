# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class ProductProduct(models.Model):
    """The variant form shows the template's PLM tab and buttons."""

    _inherit = "product.product"

    def action_view_plm_bom_revisions(self):
        self.ensure_one()
        return self.product_tmpl_id.action_view_plm_bom_revisions()
