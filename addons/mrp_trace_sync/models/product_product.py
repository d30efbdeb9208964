# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models
from odoo.exceptions import UserError


class ProductProduct(models.Model):
    _inherit = "product.product"

    @api.model
    def _mes_find(self, reference, pointer):
        """The product an event names by its internal reference."""
        products = self.search([("default_code", "=", reference)], limit=2)
        if not products:
            raise UserError(
                self.env._(
                    "%(pointer)s: no product with internal reference %(ref)r.",
                    pointer=pointer,
                    ref=reference,
                )
            )
        if len(products) > 1:
            raise UserError(
                self.env._(
                    "%(pointer)s: several products have the internal reference "
                    "%(ref)r; make it unique.",
                    pointer=pointer,
                    ref=reference,
                )
            )
        return products
