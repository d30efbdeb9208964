# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class StockMoveLine(models.Model):
    _inherit = "stock.move.line"

    def init(self):
        # Every step of a trace goes from lots to their done move lines;
        # Odoo itself has no index on lot_id.
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS stock_move_line_done_lot_idx
            ON stock_move_line (lot_id) WHERE state = 'done' AND lot_id IS NOT NULL
            """
        )
