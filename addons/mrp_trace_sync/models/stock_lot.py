# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class StockLot(models.Model):
    """Lots show the integration events that named them and open their
    genealogy and recall."""

    _name = "stock.lot"
    _inherit = ["stock.lot", "integration.consumer.mixin"]

    def action_open_genealogy(self):
        self.ensure_one()
        wizard = self.env["mrp.trace.genealogy.wizard"].create({"lot_id": self.id})
        wizard.action_refresh()
        return wizard._open()

    def action_open_recall(self):
        self.ensure_one()
        wizard = self.env["mrp.trace.recall.wizard"].create({"lot_id": self.id})
        wizard.action_refresh()
        return wizard._open()
