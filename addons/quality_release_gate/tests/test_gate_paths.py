# Copyright 2026 Mfg Integration Suite Authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import xmlrpc.client

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common import QualityCase


@tagged("post_install", "-at_install")
class TestGatePaths(QualityCase):
    """No outgoing transfer leaves with a lot that is not released, however
    it is validated."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # wait for their release (received, rule on receipt).
        cls.receive(cls.raw, {"R-1": 10, "R-2": 10})
        cls.r1 = cls.lot(cls.raw, "R-1")
        cls.r2 = cls.lot(cls.raw, "R-2")

    def release(self, lots):
        self.decide(self.quality_manager, lots, "release", "Certificate checked")

    def test_received_lots_wait_for_release(self):
        self.assertEqual(
            (self.r1 | self.r2).mapped("quality_disposition"), ["pending", "pending"]
        )
        self.assertEqual(self.r1.quality_pending_reason, "receipt")
        self.assertEqual(self.r1.quality_log_ids.action, "entry")

    def test_ui_flow_with_form(self):
        """A delivery made through the forms as a stock user: refused while
        the lot waits, validated once it is released."""
        env = self.env(user=self.picker)
        form = Form(env["stock.picking"])
        form.picking_type_id = self.warehouse.out_type_id
        form.partner_id = self.customer
        with form.move_ids_without_package.new() as move:
            move.product_id = self.raw
            move.product_uom_qty = 4
        picking = form.save()
        picking.action_confirm()
        self.assertFalse(
            picking.move_ids.move_line_ids, "reservation skipped the pending lots"
        )
        move_form = Form(picking.move_ids, view="stock.view_stock_move_operations")
        with move_form.move_line_ids.new() as line:
            line.lot_id = self.r1
            line.quantity = 4
        move_form.save()
        self.assertTrue(picking.quality_blocked)
        self.assertIn("R-1", picking.quality_block_reason)
        with self.assertRaisesRegex(UserError, r"R-1 of Q-RAW: Pending release"):
            picking.button_validate()
        self.assertNotEqual(picking.state, "done")
        self.release(self.r1)
        picking.invalidate_recordset()
        self.assertFalse(picking.quality_blocked)
        picking.button_validate()
        self.assertEqual(picking.state, "done")

    def test_backorder_wizard_both_ways(self):
        picking = self.delivery(self.raw, {"R-1": 3}, demand=8)
        action = picking.button_validate()
        self.assertEqual(action["res_model"], "stock.backorder.confirmation")
        wizard = Form(
            self.env["stock.backorder.confirmation"].with_context(**action["context"])
        ).save()
        with self.assertRaisesRegex(UserError, "R-1"):
            wizard.process()
        with self.assertRaisesRegex(UserError, "R-1"):
            wizard.process_cancel_backorder()
        self.assertEqual(picking.state, "assigned")
        self.assertFalse(picking.backorder_ids)

    def test_immediate_validation(self):
        """Nothing picked: validating picks everything at once (Odoo 18's
        immediate transfer), and the gate still refuses."""
        picking = self.delivery(self.raw, {"R-2": 5}, picked=False)
        self.assertFalse(picking.move_ids.picked)
        with self.assertRaisesRegex(UserError, "R-2"):
            picking.button_validate()

    def test_direct_action_done(self):
        """Point of Sale and other modules call _action_done directly."""
        picking = self.delivery(self.raw, {"R-1": 2})
        with self.assertRaisesRegex(UserError, "R-1"):
            picking._action_done()
        with self.assertRaisesRegex(UserError, "R-1"):
            picking.move_ids._action_done()
        self.assertEqual(picking.move_ids.state, "assigned")

    def test_batch_transfer(self):
        self.release(self.r2)
        first = self.delivery(self.raw, {"R-1": 2})
        second = self.delivery(self.raw, {"R-2": 2})
        batch = self.env["stock.picking.batch"].create(
            {"picking_ids": [Command.set((first | second).ids)]}
        )
        batch.action_confirm()
        with self.assertRaisesRegex(UserError, r"(?s)R-1.*Pending release"):
            batch.action_done()
        self.assertEqual((first | second).mapped("state"), ["assigned", "assigned"])
        self.release(self.r1)
        batch.action_done()
        self.assertEqual((first | second).mapped("state"), ["done", "done"])

    @mute_logger("odoo.http")
    def test_external_api(self):
        """A script validating through XML-RPC gets the gate's error."""
        picking = self.delivery(self.raw, {"R-1": 1})
        self.picker.password = "picker-password-1"
        with self.assertRaises(xmlrpc.client.Fault) as caught:
            self.xmlrpc_object.execute(
                self.env.cr.dbname,
                self.picker.id,
                "picker-password-1",
                "stock.picking",
                "button_validate",
                [picking.id],
            )
        self.assertIn("R-1 of Q-RAW: Pending release", caught.exception.faultString)
        picking.invalidate_recordset()
        self.assertNotEqual(picking.state, "done")

    def test_error_names_every_lot_and_reason(self):
        self.receive(self.raw, {"R-3": 5})
        r3 = self.lot(self.raw, "R-3")
        self.decide(self.inspector, self.r2, "hold", "Scratches seen at receipt")
        self.decide(self.quality_manager, r3, "reject", "Wrong grade")
        picking = self.delivery(self.raw, {"R-1": 1, "R-2": 1, "R-3": 1})
        with self.assertRaises(UserError) as caught:
            picking.button_validate()
        message = str(caught.exception)
        self.assertIn(f"{picking.name} may not ship lot R-1 of Q-RAW: Pending", message)
        self.assertIn(
            "lot R-2 of Q-RAW: On hold (Manual: Scratches seen at receipt)", message
        )
        self.assertIn("lot R-3 of Q-RAW: Rejected", message)

    def test_returns_to_supplier_and_internal_moves_allowed(self):
        """A rejected lot may still go back to its supplier or move inside
        the company (the quarantine move itself is one)."""
        self.decide(self.quality_manager, self.r1, "reject", "Wrong grade")
        self.assertEqual(self.stock_of(self.r1, self.quarantine), 10)
        back = self._picking(
            self.warehouse.out_type_id,
            self.quarantine,
            self.suppliers,
            self.raw,
            {"R-1": 4},
        )
        self.env["stock.move.line"].create(
            {
                "move_id": back.move_ids.id,
                "picking_id": back.id,
                "product_id": self.raw.id,
                "lot_id": self.r1.id,
                "quantity": 4,
                "product_uom_id": self.raw.uom_id.id,
                "location_id": self.quarantine.id,
                "location_dest_id": self.suppliers.id,
                "picked": True,
            }
        )
        back.button_validate()
        self.assertEqual(back.state, "done")
        self.assertEqual(self.stock_of(self.r1, self.quarantine), 6)

    def test_gate_costs_one_query(self):
        """One query per validation, whatever the transfers and lots."""
        self.release(self.r1)
        self.receive(self.raw, {f"Q-{i}": 1 for i in range(6)})
        lots = self.env["stock.lot"].search([("name", "=like", "Q-_")])
        self.release(lots)
        pickings = self.env["stock.picking"]
        for index in range(3):
            pickings |= self.delivery(
                self.raw, {f"Q-{2 * index}": 1, f"Q-{2 * index + 1}": 1}
            )
        moves = pickings.move_ids
        self.env.flush_all()
        with self.assertQueryCount(1):
            moves._quality_check_gate()
        with self.assertQueryCount(0):
            moves.browse()._quality_check_gate()
        pickings.button_validate()
        self.assertEqual(set(pickings.mapped("state")), {"done"})
