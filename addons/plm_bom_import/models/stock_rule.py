# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class StockRule(models.Model):
    """Replenishment picks the BOM revision in effect on the date the
    procurement needs the product."""

    _inherit = "stock.rule"

    def _get_matching_bom(self, product_id, company_id, values):
        moment = values.get("date_planned") or False
        return super(
            StockRule, self.with_context(plm_bom_date=moment)
        )._get_matching_bom(product_id, company_id, values)
