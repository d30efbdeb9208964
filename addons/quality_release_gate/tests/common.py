# Copyright 2026 Mfg Integration Suite Authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import json
import uuid

from odoo import Command
from odoo.tests import new_test_user

from odoo.addons.integration_log.tests.common import IntegrationHttpCase

QMS = "urn:qms:plant-lyon"
QC_USER = "quality_control_oca.group_quality_control_user"
QC_MANAGER = "quality_control_oca.group_quality_control_manager"


class QualityCase(IntegrationHttpCase):
    """A plant whose QMS decides on lots: a bought raw material and a
    sub-assembly made from it need a release; another tracked product and an
    untracked one need none."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.qms = cls.make_client(
            "Plant QMS",
            "mfg.inspection.*,mfg.lot.*,mfg.nonconformance.*",
            groups="quality_release_gate.group_quality_integration",
        )
        cls.company = cls.env.company
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.stock = cls.warehouse.lot_stock_id
        cls.customers = cls.env.ref("stock.stock_location_customers")
        cls.suppliers = cls.env.ref("stock.stock_location_suppliers")
        cls.quarantine = cls.env["stock.location"].create(
            {"name": "Quarantine", "location_id": cls.warehouse.view_location_id.id}
        )
        cls._make_products()
        cls._make_rules()
        cls._make_users()
        cls.supplier = cls.env["res.partner"].create({"name": "Steel & Co"})
        cls.customer = cls.env["res.partner"].create({"name": "ACME Motors"})

    @classmethod
    def _make_products(cls):
        Product = cls.env["product.product"]
        cls.controlled = cls.env["product.category"].create(
            {"name": "Controlled materials"}
        )
        cls.kg = cls.env.ref("uom.product_uom_kgm")
        cls.raw = Product.create(
            {
                "name": "Steel powder",
                "default_code": "Q-RAW",
                "is_storable": True,
                "tracking": "lot",
                "categ_id": cls.controlled.id,
                "uom_id": cls.kg.id,
                "uom_po_id": cls.kg.id,
            }
        )
        cls.sub = Product.create(
            {
                "name": "Gear blank",
                "default_code": "Q-SUB",
                "is_storable": True,
                "tracking": "lot",
            }
        )
        cls.plain = Product.create(
            {
                "name": "Cardboard box",
                "default_code": "Q-BOX",
                "is_storable": True,
                "tracking": "lot",
            }
        )
        cls.untracked = Product.create(
            {"name": "Grease", "default_code": "Q-GREASE", "is_storable": True}
        )
        cls.env["mrp.bom"].create(
            {
                "product_tmpl_id": cls.sub.product_tmpl_id.id,
                "product_uom_id": cls.sub.uom_id.id,
                "product_qty": 1,
                "bom_line_ids": [
                    Command.create(
                        {
                            "product_id": cls.raw.id,
                            "product_qty": 2,
                            "product_uom_id": cls.kg.id,
                        }
                    )
                ],
            }
        )

    @classmethod
    def _make_rules(cls):
        Rule = cls.env["quality.release.rule"]
        cls.raw_rule = Rule.create(
            {
                "name": "Controlled materials",
                "categ_id": cls.controlled.id,
                "on_receipt": True,
                "on_production": False,
                "on_return": True,
                "sla_hours": 24,
                "quarantine_location_id": cls.quarantine.id,
            }
        )
        cls.sub_rule = Rule.create(
            {
                "name": "Gear blanks",
                "product_tmpl_id": cls.sub.product_tmpl_id.id,
                "on_receipt": False,
                "on_production": True,
                "on_return": True,
                "fail_action": "hold",
            }
        )

    @classmethod
    def _make_users(cls):
        cls.picker = new_test_user(
            cls.env, "q_picker", "stock.group_stock_user", name="Pat Picker"
        )
        cls.inspector = new_test_user(
            cls.env,
            "q_inspector",
            f"stock.group_stock_user,{QC_USER}",
            name="Ines Inspector",
        )
        cls.quality_manager = new_test_user(
            cls.env,
            "q_manager",
            f"stock.group_stock_user,{QC_MANAGER}",
            name="Quinn Manager",
        )
        cls.company.quality_responsible_id = cls.quality_manager

    # ------------------------------------------------------------------
    # Stock helpers
    # ------------------------------------------------------------------
    @classmethod
    def receive(cls, product, lots, source=None, picking_type=None):
        """A validated receipt from the supplier (or ``source``), one line
        per lot name."""
        source = source or cls.suppliers
        picking_type = picking_type or cls.warehouse.in_type_id
        picking = cls._picking(picking_type, source, cls.stock, product, lots)
        move = picking.move_ids
        cls.env["stock.move.line"].create(
            [
                {
                    "move_id": move.id,
                    "picking_id": picking.id,
                    "product_id": product.id,
                    "lot_name": name,
                    "quantity": quantity,
                    "product_uom_id": product.uom_id.id,
                    "location_id": source.id,
                    "location_dest_id": cls.stock.id,
                }
                for name, quantity in lots.items()
            ]
        )
        move.picked = True
        picking.button_validate()
        return picking

    @classmethod
    def _picking(cls, picking_type, source, destination, product, lots, partner=None):
        picking = cls.env["stock.picking"].create(
            {
                "picking_type_id": picking_type.id,
                "partner_id": (partner or cls.supplier).id,
                "location_id": source.id,
                "location_dest_id": destination.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": product.name,
                            "product_id": product.id,
                            "product_uom_qty": sum(lots.values()),
                            "product_uom": product.uom_id.id,
                            "location_id": source.id,
                            "location_dest_id": destination.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        picking.move_ids.move_line_ids.unlink()
        return picking

    def delivery(self, product, lots, demand=None, picked=True):
        """An outgoing transfer to the customer with one line per lot, picked
        by hand (not validated)."""
        picking = self._picking(
            self.warehouse.out_type_id,
            self.stock,
            self.customers,
            product,
            {"demand": demand or sum(lots.values())},
            partner=self.customer,
        )
        move = picking.move_ids
        self.env["stock.move.line"].create(
            [
                {
                    "move_id": move.id,
                    "picking_id": picking.id,
                    "product_id": product.id,
                    "lot_id": self.lot(product, name).id,
                    "quantity": quantity,
                    "product_uom_id": product.uom_id.id,
                    "location_id": self.stock.id,
                    "location_dest_id": self.customers.id,
                    "picked": picked,
                }
                for name, quantity in lots.items()
            ]
        )
        return picking

    def return_from_customer(self, product, lots):
        """A validated return of existing lots from the customer."""
        picking = self._picking(
            self.warehouse.in_type_id,
            self.customers,
            self.stock,
            product,
            lots,
            partner=self.customer,
        )
        self.env["stock.move.line"].create(
            [
                {
                    "move_id": picking.move_ids.id,
                    "picking_id": picking.id,
                    "product_id": product.id,
                    "lot_id": self.lot(product, name).id,
                    "quantity": quantity,
                    "product_uom_id": product.uom_id.id,
                    "location_id": self.customers.id,
                    "location_dest_id": self.stock.id,
                    "picked": True,
                }
                for name, quantity in lots.items()
            ]
        )
        picking.button_validate()
        return picking

    @classmethod
    def put_in_stock(cls, product, lots):
        """Lots in stock without a receipt (as an inventory would): they keep
        their disposition."""
        Lot = cls.env["stock.lot"]
        for name, quantity in lots.items():
            lot = Lot.search(
                [("product_id", "=", product.id), ("name", "=", name)]
            ) or Lot.create({"product_id": product.id, "name": name})
            cls.env["stock.quant"]._update_available_quantity(
                product, cls.stock, quantity, lot_id=lot
            )

    @classmethod
    def lot(cls, product, name):
        return cls.env["stock.lot"].search(
            [("product_id", "=", product.id), ("name", "=", name)]
        )

    def stock_of(self, lot, location):
        return sum(
            self.env["stock.quant"]
            .search([("lot_id", "=", lot.id), ("location_id", "=", location.id)])
            .mapped("quantity")
        )

    # ------------------------------------------------------------------
    # People's decisions
    # ------------------------------------------------------------------
    def decide(self, user, lots, decision, reason="Checked", **values):
        wizard = (
            self.env["quality.lot.decision.wizard"]
            .with_user(user)
            .create(
                {
                    "lot_ids": [Command.set(lots.ids)],
                    "decision": decision,
                    "reason": reason,
                    **values,
                }
            )
        )
        return wizard.action_apply()

    # ------------------------------------------------------------------
    # The QMS
    # ------------------------------------------------------------------
    def qms_event(self, event_type, subject, data):
        return {
            "specversion": "1.0",
            "id": str(uuid.uuid4()),
            "source": QMS,
            "type": event_type,
            "time": "2026-03-02T08:00:00Z",
            "subject": subject,
            "data": data,
        }

    def send(self, event_type, subject, data):
        """POST one QMS event and run the jobs; returns the integration.event."""
        event = self.qms_event(event_type, subject, data)
        response = self.post(event)
        self.assertEqual(response.status_code, 202, response.text)
        self.run_jobs()
        return self.event_record(event)

    def outbound(self, event_type, subject=None):
        domain = [("direction", "=", "out"), ("event_type", "=", event_type)]
        if subject:
            domain.append(("subject", "=", subject))
        return self.env["integration.event"].search(domain, order="id")

    def outbound_data(self, event_type, subject=None):
        return [
            json.loads(event.payload)["data"]
            for event in self.outbound(event_type, subject)
        ]
