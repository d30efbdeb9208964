# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _action_done(self):
        # _action_done, not button_validate: every way a transfer is validated
        # (wizards, POS, scripts) tells the partners.
        result = super()._action_done()
        self.filtered(
            lambda p: p.state == "done" and p.picking_type_code == "outgoing"
        )._emit_dispatched()
        return result

    def _emit_dispatched(self):
        if not self:
            return
        self.env["integration.event"]._emit_outbound_many(
            [
                {
                    "type": "mfg.shipment.dispatched.v1",
                    "subject": picking.name,
                    "data": picking._dispatched_data(),
                    "records": [picking, picking.move_line_ids.lot_id],
                }
                for picking in self
            ]
        )

    def _dispatched_data(self):
        self.ensure_one()
        UomCode = self.env["integration.uom.code"]
        kit = self.env["integration.resolver"]
        return {
            "shipment": self.name,
            "customer": self.partner_id.commercial_partner_id.name or "",
            "shipped_at": kit._iso(self.date_done),
            "lines": [
                {
                    "product": kit._product_reference(line.product_id),
                    "lot": line.lot_id.name or None,
                    "quantity": line.quantity,
                    "uom": UomCode._code_of(line.product_uom_id),
                }
                for line in self.move_line_ids
                if line.quantity
            ],
        }
