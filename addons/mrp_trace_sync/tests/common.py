# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import uuid

from odoo import Command

from odoo.addons.integration_log.tests.common import IntegrationHttpCase

MES = "urn:mes:plant-lyon"


class PlantCase(IntegrationHttpCase):
    """A small plant: raw material bought in lots, a sub-assembly made from
    it, a serial-tracked finished good made from the sub-assembly."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mes = cls.make_client(
            "Plant MES", "mfg.*", groups="mrp.group_mrp_user,stock.group_stock_user"
        )
        cls.mes.allow_lot_trace = True
        cls.stock = cls.env.ref("stock.stock_location_stock")
        cls.uom_unit = cls.env.ref("uom.product_uom_unit")
        cls.uom_kg = cls.env.ref("uom.product_uom_kgm")
        Product = cls.env["product.product"]
        cls.raw = Product.create(
            {
                "name": "Steel powder",
                "default_code": "RAW",
                "is_storable": True,
                "tracking": "lot",
                "uom_id": cls.uom_kg.id,
                "uom_po_id": cls.uom_kg.id,
            }
        )
        cls.sub = Product.create(
            {
                "name": "Gear blank",
                "default_code": "SUB",
                "is_storable": True,
                "tracking": "lot",
            }
        )
        cls.fg = Product.create(
            {
                "name": "Gearbox",
                "default_code": "FG",
                "is_storable": True,
                "tracking": "serial",
            }
        )
        cls.untracked = Product.create(
            {"name": "Grease", "default_code": "GREASE", "is_storable": True}
        )
        Bom = cls.env["mrp.bom"]
        Bom.create(
            {
                "product_tmpl_id": cls.sub.product_tmpl_id.id,
                "product_uom_id": cls.uom_unit.id,
                "product_qty": 1,
                "bom_line_ids": [
                    Command.create(
                        {
                            "product_id": cls.raw.id,
                            "product_qty": 2,
                            "product_uom_id": cls.uom_kg.id,
                        }
                    )
                ],
            }
        )
        Bom.create(
            {
                "product_tmpl_id": cls.fg.product_tmpl_id.id,
                "product_uom_id": cls.uom_unit.id,
                "product_qty": 1,
                "bom_line_ids": [
                    Command.create({"product_id": cls.sub.id, "product_qty": 1})
                ],
            }
        )
        cls.supplier = cls.env["res.partner"].create({"name": "Steel & Co"})
        cls.customer = cls.env["res.partner"].create({"name": "ACME Motors"})
        cls.receipt = cls.receive(cls.raw, {"R-1": 10, "R-2": 10})

    @classmethod
    def receive(cls, product, lots):
        """A validated receipt from the supplier, one line per lot."""
        picking_type = cls.env.ref("stock.picking_type_in")
        picking = cls.env["stock.picking"].create(
            {
                "picking_type_id": picking_type.id,
                "partner_id": cls.supplier.id,
                "location_id": cls.env.ref("stock.stock_location_suppliers").id,
                "location_dest_id": cls.stock.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": product.name,
                            "product_id": product.id,
                            "product_uom_qty": sum(lots.values()),
                            "product_uom": product.uom_id.id,
                            "location_id": cls.env.ref(
                                "stock.stock_location_suppliers"
                            ).id,
                            "location_dest_id": cls.stock.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        move = picking.move_ids
        move.move_line_ids.unlink()
        cls.env["stock.move.line"].create(
            [
                {
                    "move_id": move.id,
                    "product_id": product.id,
                    "lot_name": name,
                    "quantity": quantity,
                    "product_uom_id": product.uom_id.id,
                    "location_id": move.location_id.id,
                    "location_dest_id": move.location_dest_id.id,
                    "picking_id": picking.id,
                }
                for name, quantity in lots.items()
            ]
        )
        move.picked = True
        picking.button_validate()
        return picking

    def ship(self, product, lot_quantities):
        picking_type = self.env.ref("stock.picking_type_out")
        customers = self.env.ref("stock.stock_location_customers")
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": picking_type.id,
                "partner_id": self.customer.id,
                "location_id": self.stock.id,
                "location_dest_id": customers.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": product.name,
                            "product_id": product.id,
                            "product_uom_qty": sum(lot_quantities.values()),
                            "product_uom": product.uom_id.id,
                            "location_id": self.stock.id,
                            "location_dest_id": customers.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        move = picking.move_ids
        move.move_line_ids.unlink()
        Lot = self.env["stock.lot"]
        self.env["stock.move.line"].create(
            [
                {
                    "move_id": move.id,
                    "product_id": product.id,
                    "lot_id": Lot.search(
                        [("product_id", "=", product.id), ("name", "=", name)]
                    ).id,
                    "quantity": quantity,
                    "product_uom_id": product.uom_id.id,
                    "location_id": self.stock.id,
                    "location_dest_id": customers.id,
                    "picking_id": picking.id,
                }
                for name, quantity in lot_quantities.items()
            ]
        )
        move.picked = True
        picking.button_validate()
        return picking

    def make_mo(self, product, quantity):
        production = self.env["mrp.production"].create(
            {"product_id": product.id, "product_qty": quantity}
        )
        production.action_confirm()
        return production

    def mes_event(self, event_type, subject, data):
        return {
            "specversion": "1.0",
            "id": str(uuid.uuid4()),
            "source": MES,
            "type": event_type,
            "time": "2026-03-02T08:00:00Z",
            "subject": subject,
            "data": data,
        }

    def send(self, event_type, subject, data):
        """POST one MES event, run the jobs; returns the integration.event."""
        event = self.mes_event(event_type, subject, data)
        response = self.post(event)
        self.assertEqual(response.status_code, 202, response.text)
        self.run_jobs()
        return self.event_record(event)

    def lot(self, product, name):
        return self.env["stock.lot"].search(
            [("product_id", "=", product.id), ("name", "=", name)]
        )
