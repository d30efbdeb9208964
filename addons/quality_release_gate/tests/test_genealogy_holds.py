# Copyright 2026 Mfg Integration Suite Authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import QualityCase


@tagged("post_install", "-at_install")
class TestGenealogyHolds(QualityCase):
    """Holds that follow the genealogy of mrp_trace_sync: every lot made
    from a held lot that is still in stock, in one action, undone by lifting
    the one hold."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sub_rule.on_production = False
        cls.inspector.groups_id |= cls.env.ref("mrp.group_mrp_user")
        cls.put_in_stock(cls.raw, {"G-1": 10, "G-2": 10})
        cls.g1 = cls.lot(cls.raw, "G-1")
        cls.g2 = cls.lot(cls.raw, "G-2")
        cls.s10 = cls.produce_sub(cls.g1, "S-10")
        cls.s11 = cls.produce_sub(cls.g1, "S-11")
        cls.s20 = cls.produce_sub(cls.g2, "S-20")

    @classmethod
    def produce_sub(cls, raw_lot, name):
        """An MO that makes 1 sub-assembly ``name`` from 2 kg of
        ``raw_lot``."""
        production = cls.env["mrp.production"].create(
            {"product_id": cls.sub.id, "product_qty": 1}
        )
        production.action_confirm()
        production.lot_producing_id = cls.env["stock.lot"].create(
            {"product_id": cls.sub.id, "name": name}
        )
        production.qty_producing = 1
        production.set_qty_producing()
        move = production.move_raw_ids
        move.move_line_ids.unlink()
        cls.env["stock.move.line"].create(
            {
                "move_id": move.id,
                "product_id": cls.raw.id,
                "lot_id": raw_lot.id,
                "quantity": 2,
                "product_uom_id": cls.kg.id,
                "location_id": cls.stock.id,
                "location_dest_id": move.location_dest_id.id,
                "picked": True,
            }
        )
        production.button_mark_done()
        assert production.state == "done", production.state
        return production.lot_producing_id

    def test_hold_reaches_the_lots_made_from_it_in_stock(self):
        self.delivery(self.sub, {"S-11": 1}).button_validate()
        self.decide(
            self.inspector,
            self.g1,
            "hold",
            "Contaminated supplier batch",
            propagate=True,
        )
        root = self.g1.quality_hold_ids
        self.assertEqual(root.source, "manual")
        self.assertEqual(
            root.child_ids.lot_id, self.s10, "S-11 has left: it is not held"
        )
        self.assertEqual(self.s10.quality_disposition, "hold")
        self.assertEqual(self.s20.quality_disposition, "released")
        self.assertEqual(
            self.outbound("mfg.lot.disposition.changed.v1").mapped("subject"),
            ["G-1", "S-10"],
            "each held lot is announced to the partners",
        )
        with self.assertRaisesRegex(UserError, "S-10 of Q-SUB: On hold"):
            self.delivery(self.sub, {"S-10": 1}).button_validate()
        self.decide(self.inspector, self.g1, "lift", "Supplier cleared the batch")
        self.assertEqual(root.child_ids.state, "lifted")
        self.assertEqual(
            (self.g1 | self.s10).mapped("quality_disposition"), ["released"] * 2
        )

    def test_recall_holds_everything_affected(self):
        wizard = (
            self.env["mrp.trace.recall.wizard"]
            .with_user(self.inspector)
            .create({"lot_id": self.g1.id})
        )
        wizard.action_refresh()
        self.assertEqual(wizard.lot_count, 3)
        with self.assertRaisesRegex(UserError, "reason"):
            wizard.action_hold_affected()
        wizard.hold_reason = "Recall 2026-03: wrong alloy"
        wizard.action_hold_affected()
        recall = wizard.recall_hold_id
        self.assertEqual((recall.source, recall.reference), ("recall", "G-1"))
        held = self.g1 | self.s10 | self.s11
        self.assertEqual(held.mapped("quality_disposition"), ["hold"] * 3)
        self.assertEqual(recall.child_ids.lot_id, self.s10 | self.s11)
        self.assertEqual(self.s20.quality_disposition, "released")
        with self.assertRaisesRegex(
            UserError, r"S-11 of Q-SUB: On hold \(Recall G-1: Recall 2026-03"
        ):
            self.delivery(self.sub, {"S-11": 1}).button_validate()
        action = recall.with_user(self.inspector).action_lift()
        self.assertEqual(action["context"]["default_hold_ids"], recall.ids)
        self.decide(
            self.inspector, self.g1, "lift", "Alloy confirmed", hold_ids=recall.ids
        )
        self.assertEqual(held.mapped("quality_disposition"), ["released"] * 3)
        self.assertEqual(recall.child_ids.mapped("state"), ["lifted"] * 2)
        self.assertFalse(wizard.recall_hold_id)
