# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models


class StockScrapReasonTag(models.Model):
    _inherit = "stock.scrap.reason.tag"

    @api.model
    def _mes_get(self, reason):
        """The scrap reason tag named ``reason``, created on first use."""
        # sudo: MES clients report reasons; they need not manage the tags.
        tags = self.sudo()
        return tags.search([("name", "=", reason)], limit=1) or tags.create(
            {"name": reason}
        )
