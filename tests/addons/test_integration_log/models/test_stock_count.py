# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class TestIntegrationStockCount(models.Model):
    """The toy domain module: a partner counts a lot (an inbound event or a
    POST route), Odoo confirms the count back (an outbound event). It is
    built with the integration kit only."""

    _name = "test.integration.stock.count"
    _inherit = ["integration.consumer.mixin"]
    _description = "Test Stock Count"

    lot_id = fields.Many2one("stock.lot", required=True)
    quantity = fields.Float(required=True)

    @api.model
    def _integration_handle_counted(self, event):
        return self._record_count(event._get_data(), event.client_id)

    @api.model
    def _record_count(self, data, client):
        kit = self.env["integration.resolver"]
        product = kit._product(data["product"], "/data/product")
        lot = kit._lot_get_or_create(product, data["lot"], self.env.company)
        quantity = kit._quantity(
            data["quantity"], data["uom"], product, "/data/uom", client
        )
        count = self.create({"lot_id": lot.id, "quantity": quantity})
        confirmed = {
            "product": kit._product_reference(product),
            "lot": lot.name,
            "quantity": quantity,
            "uom": self.env["integration.uom.code"]._code_of(product.uom_id),
            "counted_at": kit._iso(fields.Datetime.now()),
        }
        self.env["integration.event"]._emit_outbound(
            "test.stock.count.confirmed.v1", lot.name, confirmed, records=[count, lot]
        )
        return count
