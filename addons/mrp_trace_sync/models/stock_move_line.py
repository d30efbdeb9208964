# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models
from odoo.tools import SQL


class StockMoveLine(models.Model):
    _inherit = "stock.move.line"

    def init(self):
        # A trace reads a lot's production lines (leaving or entering a
        # production location) and its receipts and shipments, never its
        # transfers; Odoo itself has no index on lot_id.
        for column in ("location_id", "location_dest_id"):
            self.env.cr.execute(
                SQL(
                    """
                    CREATE INDEX IF NOT EXISTS %s ON stock_move_line (lot_id, %s)
                    WHERE state = 'done' AND lot_id IS NOT NULL
                    """,
                    SQL.identifier(f"stock_move_line_done_lot_{column}_idx"),
                    SQL.identifier(column),
                )
            )
