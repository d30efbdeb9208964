# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class StockMove(models.Model):
    _inherit = "stock.move"

    def _mes_add_consumption(self, lot, quantity):
        """Add a reported consumption to this component move.

        The first report replaces what Odoo reserved (the MES knows which
        lots it really used); later reports of the same lot add up.
        """
        self.ensure_one()
        if not self.picked:
            self.move_line_ids.filtered(lambda line: not line.picked).unlink()
        existing = self.move_line_ids.filtered(
            lambda line: line.picked and line.lot_id == lot
        )[:1]
        quantity = self.product_id.uom_id._compute_quantity(
            quantity, self.product_uom, rounding_method="HALF-UP"
        )
        if existing:
            existing.quantity += quantity
            line = existing
        else:
            line = self.env["stock.move.line"].create(
                {
                    "move_id": self.id,
                    "product_id": self.product_id.id,
                    "product_uom_id": self.product_uom.id,
                    "lot_id": lot.id or False,
                    "quantity": quantity,
                    "location_id": self.location_id.id,
                    "location_dest_id": self.location_dest_id.id,
                    "picked": True,
                    "company_id": self.company_id.id,
                }
            )
        self.write({"picked": True, "manual_consumption": True})
        return line
