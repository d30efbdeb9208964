# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime, time, timedelta

from odoo import fields
from odoo.tests import tagged

from .common import PlmCase, day, line


@tagged("post_install", "-at_install")
class TestEffectivity(PlmCase):
    """A future revision takes over on its date by itself: no job has to
    run at midnight, BOM selection reads the dates."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Dates as the PLM sends them mean midnight in the user's time zone.
        cls.plm.user_id.tz = "UTC"

    def setUp(self):
        super().setUp()
        self.finished, self.c1, self.c2 = self.items("PLMT-EF", "PLMT-EC1", "PLMT-EC2")
        self.send(self.bom_event("PLMT-EF", "A", [line("PLMT-EC1", position="10")]))
        self.current = self.bom_at(self.finished)
        self.switch = datetime.combine(
            fields.Date.today() + timedelta(days=10), time.min
        )
        self.send(
            self.bom_event(
                "PLMT-EF",
                "B",
                [line("PLMT-EC2", position="10")],
                effective_from=day(10),
            )
        )
        self.future = self.revisions(self.finished)[-1]

    def test_future_revision_waits_for_its_date(self):
        self.assertEqual(self.future.plm_revision, "B")
        self.assertEqual(self.future.plm_effective_from, self.switch)
        self.assertEqual(self.future.plm_effectivity, "future")
        self.assertTrue(self.current.active, "still in use until the date")
        self.assertEqual(self.current.plm_effective_to, self.switch)
        self.assertEqual(self.current.plm_superseded_by_id, self.future)
        self.assertEqual(self.bom_at(self.finished), self.current)
        self.assertEqual(
            self.bom_at(self.finished, self.switch - timedelta(seconds=1)), self.current
        )
        self.assertEqual(self.bom_at(self.finished, self.switch), self.future)
        self.assertEqual(
            self.bom_at(self.finished, self.switch + timedelta(days=300)), self.future
        )
        superseded = self.applied_events("PLMT-EF")[-1]
        self.assertEqual(
            (superseded["revision"], superseded["status"]), ("A", "superseded")
        )
        self.assertEqual(
            superseded["effective_to"],
            self.env["integration.resolver"]._iso(self.switch),
        )

    def test_new_orders_on_both_sides_of_the_date(self):
        Production = self.env["mrp.production"]
        today = Production.create({"product_id": self.finished.id, "product_qty": 1})
        self.assertEqual(today.bom_id, self.current)
        self.assertEqual(today.move_raw_ids.product_id, self.c1)
        before = Production.create(
            {
                "product_id": self.finished.id,
                "product_qty": 1,
                "date_start": self.switch - timedelta(hours=2),
            }
        )
        self.assertEqual(before.bom_id, self.current)
        after = Production.create(
            {
                "product_id": self.finished.id,
                "product_qty": 1,
                "date_start": self.switch + timedelta(hours=2),
            }
        )
        self.assertEqual(after.bom_id, self.future)
        self.assertEqual(after.move_raw_ids.product_id, self.c2)

    def test_replenishment_on_both_sides_of_the_date(self):
        warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", self.env.company.id)], limit=1
        )
        route = warehouse.manufacture_pull_id.route_id
        self.finished.route_ids = route
        Group = self.env["procurement.group"]
        for name, needed in (
            ("PLMT-before", self.switch - timedelta(days=1)),
            ("PLMT-after", self.switch + timedelta(days=3)),
        ):
            Group.run(
                [
                    Group.Procurement(
                        self.finished,
                        1,
                        self.finished.uom_id,
                        warehouse.lot_stock_id,
                        name,
                        name,
                        self.env.company,
                        {"warehouse_id": warehouse, "date_planned": needed},
                    )
                ]
            )
        orders = self.env["mrp.production"].search(
            [("product_id", "=", self.finished.id), ("origin", "like", "PLMT-")]
        )
        by_origin = {order.origin: order for order in orders}
        self.assertEqual(by_origin["PLMT-before"].bom_id, self.current)
        self.assertEqual(by_origin["PLMT-after"].bom_id, self.future)

    def test_orders_planned_after_the_date_are_flagged(self):
        Production = self.env["mrp.production"]
        early = Production.create({"product_id": self.finished.id, "product_qty": 1})
        late = Production.create(
            {
                "product_id": self.finished.id,
                "product_qty": 1,
                "date_start": self.switch + timedelta(days=20),
            }
        )
        self.assertEqual(late.bom_id, self.future)
        self.send(
            self.bom_event(
                "PLMT-EF",
                "C",
                [line("PLMT-EC1", 5, position="10")],
                effective_from=day(15),
            )
        )
        self.assertFalse(early.is_outdated_bom)
        self.assertFalse(early.plm_bom_notice)
        self.assertTrue(late.is_outdated_bom)
        self.assertIn("Revision C", late.plm_bom_notice)
        late.action_update_bom()
        self.assertEqual(late.bom_id.plm_revision, "C")
        self.assertEqual(late.move_raw_ids.product_uom_qty, 5)

    def test_effective_to_ends_a_revision(self):
        self.send(
            self.bom_event(
                "PLMT-EC2",
                "A",
                [line("PLMT-EC1")],
                effective_to=day(5),
            )
        )
        bom = self.bom_at(self.c2)
        self.assertEqual(bom.plm_revision, "A")
        self.assertFalse(
            self.bom_at(self.c2, fields.Datetime.now() + timedelta(days=6))
        )

    def test_archiving_ended_revisions_is_only_housekeeping(self):
        self.current.plm_effective_to = fields.Datetime.now() - timedelta(minutes=1)
        self.assertNotEqual(self.bom_at(self.finished), self.current)
        self.assertTrue(self.current.active)
        self.env["mrp.bom"]._plm_archive_ended()
        self.assertFalse(self.current.active)
        self.assertTrue(self.future.active)
