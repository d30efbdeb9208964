# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

import psycopg2

from odoo import models

_logger = logging.getLogger(__name__)


class StockLot(models.Model):
    _inherit = "stock.lot"

    def init(self):
        # Odoo checks lot uniqueness in Python only, so two events creating
        # the same lot at once could both pass; the index lets only one win
        # (see integration.resolver._lot_get_or_create).
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    """
                    CREATE UNIQUE INDEX IF NOT EXISTS
                        stock_lot_product_name_company_uniq
                    ON stock_lot (product_id, name, coalesce(company_id, 0))
                    """
                )
        except psycopg2.errors.UniqueViolation:
            _logger.warning(
                "stock_lot holds duplicate lots (same product, name and company): "
                "concurrent lot creation is only guarded by Odoo's Python check "
                "until they are merged."
            )
