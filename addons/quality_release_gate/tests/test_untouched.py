# Copyright 2026 Mfg Integration Suite Authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import tagged
from odoo.tools import SQL

from .common import QualityCase


@tagged("post_install", "-at_install")
class TestProductsWithoutRelease(QualityCase):
    """Products no release rule names behave as if the module were not
    installed: nothing pending, nothing asked of the QMS, reservation and
    validation as before."""

    def test_tracked_product_without_rule(self):
        receipt = self.receive(self.plain, {"P-1": 6, "P-2": 4})
        self.assertEqual(receipt.state, "done")
        lots = self.lot(self.plain, "P-1") | self.lot(self.plain, "P-2")
        self.assertEqual(lots.mapped("quality_disposition"), ["released"] * 2)
        self.assertFalse(lots.quality_log_ids)
        self.assertFalse(self.env["qc.inspection"].search([("lot_id", "in", lots.ids)]))
        self.assertFalse(self.outbound("mfg.inspection.requested.v1"))
        picking = self._picking(
            self.warehouse.out_type_id,
            self.stock,
            self.customers,
            self.plain,
            {"demand": 8},
            partner=self.customer,
        )
        picking.action_assign()
        self.assertEqual(picking.move_ids.quantity, 8)
        self.assertEqual(picking.move_ids.move_line_ids.lot_id, lots)
        self.assertFalse(picking.quality_blocked)
        picking.button_validate()
        self.assertEqual(picking.state, "done")

    def test_rule_without_the_origin(self):
        """The raw material's rule asks for a release on receipt and return,
        not production: a lot of it that enters from elsewhere stays
        released."""
        self.raw_rule.on_receipt = False
        self.receive(self.raw, {"R-9": 3})
        self.assertEqual(self.lot(self.raw, "R-9").quality_disposition, "released")
        self.raw_rule.on_receipt = True
        self.receive(self.raw, {"R-10": 3})
        self.assertEqual(self.lot(self.raw, "R-10").quality_disposition, "pending")

    def test_untracked_product(self):
        self.env["stock.quant"]._update_available_quantity(
            self.untracked, self.stock, 5
        )
        picking = self._picking(
            self.warehouse.out_type_id,
            self.stock,
            self.customers,
            self.untracked,
            {"demand": 5},
            partner=self.customer,
        )
        move = picking.move_ids
        self.assertIsNone(move._quality_allowed_dispositions(reserving=True))
        self.assertEqual(move._quality_reserving(), move, "no reservation filter")
        picking.action_assign()
        self.assertEqual(move.quantity, 5)
        picking.button_validate()
        self.assertEqual(picking.state, "done")

    def test_returned_lot_needs_a_release_again(self):
        """A released lot returned by a customer waits for a release again
        (the rule asks for it on returns); one without a rule does not."""
        self.put_in_stock(self.raw, {"R-20": 4})
        self.put_in_stock(self.plain, {"P-20": 4})
        for product, name in ((self.raw, "R-20"), (self.plain, "P-20")):
            self.delivery(product, {name: 2}).button_validate()
            self.return_from_customer(product, {name: 2})
        self.assertEqual(self.lot(self.raw, "R-20").quality_disposition, "pending")
        self.assertEqual(self.lot(self.raw, "R-20").quality_pending_reason, "return")
        self.assertEqual(self.lot(self.plain, "P-20").quality_disposition, "released")

    def test_lots_inserted_by_sql_are_released(self):
        """Bulk loaders insert lots by SQL: they are released, as the ORM
        makes them."""
        self.env.cr.execute(
            SQL(
                "INSERT INTO stock_lot (name, product_id, company_id) "
                "VALUES (%s, %s, %s) RETURNING id",
                "SQL-1",
                self.raw.id,
                self.company.id,
            )
        )
        lot = self.env["stock.lot"].browse(self.env.cr.fetchone()[0])
        self.assertEqual(
            (lot.quality_decision, lot.quality_disposition), ("released", "released")
        )
