# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import tagged

from .common import PlmCase


@tagged("post_install", "-at_install")
class TestItemRelease(PlmCase):
    def test_item_creates_product_with_revision_history(self):
        (event,) = self.send(
            self.item_event(
                "PLMT-100",
                revision="A",
                name="Gear housing",
                uom="KGM",
                tracking="lot",
                attributes={"material": "EN-GJL-250", "drawing": "DWG-100"},
                plm_id="OR:wt.part.WTPart:4711",
                effective_from="2026-04-01",
            )
        )
        self.assertEqual(event.state, "processed", event.error)
        product = self.products("PLMT-100")
        self.assertEqual(product.name, "Gear housing")
        self.assertEqual(product.uom_id, self.kg)
        self.assertEqual(product.uom_po_id, self.kg)
        self.assertEqual(product.tracking, "lot")
        self.assertTrue(product.is_storable)
        template = product.product_tmpl_id
        self.assertEqual(template.plm_revision, "A")
        self.assertEqual(
            {a.name: a.value for a in template.plm_attribute_ids},
            {"material": "EN-GJL-250", "drawing": "DWG-100"},
        )
        revision = template.plm_revision_ids
        self.assertEqual(revision.name, "A")
        self.assertEqual(revision.plm_id, "OR:wt.part.WTPart:4711")
        self.assertEqual(revision.source, "urn:plm:test-plant")
        self.assertTrue(revision.is_current)
        self.assertTrue(revision.effective_from)
        self.assertEqual(self.result(event)["status"], "created")
        self.assertIn(template, event._linked_records())

    def test_second_revision_updates_product_and_keeps_history(self):
        self.send(self.item_event("PLMT-101", revision="A", attributes={"rohs": "yes"}))
        (event,) = self.send(
            self.item_event(
                "PLMT-101",
                revision="B",
                name="Gear housing, machined",
                tracking="serial",
                attributes={"rohs": "yes", "finish": "anodised"},
            )
        )
        self.assertEqual(event.state, "processed", event.error)
        template = self.products("PLMT-101").product_tmpl_id
        self.assertEqual(template.name, "Gear housing, machined")
        self.assertEqual(template.tracking, "serial")
        self.assertEqual(template.plm_revision, "B")
        history = template.plm_revision_ids.sorted("id")
        self.assertEqual(history.mapped("name"), ["A", "B"])
        self.assertEqual(history.mapped("is_current"), [False, True])
        self.assertEqual(history[1].change_summary, "name, tracking, attributes")
        self.assertEqual(history[0].item_name, "Part PLMT-101")
        self.assertEqual(len(template.plm_attribute_ids), 2)

    def test_same_revision_is_duplicate_and_older_is_stale(self):
        first = self.item_event("PLMT-102", revision="C")
        self.send(first)
        again = self.item_event("PLMT-102", revision="C")
        older = self.item_event("PLMT-102", revision="B")
        (duplicate,) = self.send(again)
        self.assertEqual(duplicate.state, "processed")
        self.assertEqual(self.result(duplicate)["status"], "duplicate")
        (stale,) = self.send(older)
        self.assertEqual(stale.state, "stale")
        self.assertIn("older than revision C", stale.error)
        template = self.products("PLMT-102").product_tmpl_id
        self.assertEqual(template.plm_revision_ids.mapped("name"), ["C"])

    def test_same_revision_with_other_content_is_refused(self):
        self.send(self.item_event("PLMT-103", revision="A"))
        (event,) = self.send(
            self.item_event("PLMT-103", revision="A", name="Something else")
        )
        self.assertEqual(event.state, "dead")
        self.assertIn("/data/revision", event.error)
        self.assertEqual(self.products("PLMT-103").name, "Part PLMT-103")

    def test_unknown_unit_code_is_refused(self):
        (event,) = self.send(self.item_event("PLMT-104", uom="XYZ"))
        self.assertEqual(event.state, "dead")
        self.assertIn("/data/uom", event.error)
        self.assertIn("XYZ", event.error)
        self.assertFalse(self.products("PLMT-104"))

    def test_unit_change_of_a_moved_product_is_refused(self):
        product = self.items("PLMT-105")
        self.env["stock.quant"]._update_available_quantity(
            product, self.env.ref("stock.stock_location_stock"), 5
        )
        self.env["stock.move"].create(
            {
                "name": "move",
                "product_id": product.id,
                "product_uom_qty": 1,
                "product_uom": product.uom_id.id,
                "location_id": self.env.ref("stock.stock_location_stock").id,
                "location_dest_id": self.env.ref("stock.stock_location_customers").id,
            }
        )
        (event,) = self.send(self.item_event("PLMT-105", revision="B", uom="KGM"))
        self.assertEqual(event.state, "dead")
        self.assertIn("/data/uom", event.error)
        self.assertEqual(product.uom_id, self.unit)
        self.assertEqual(product.product_tmpl_id.plm_revision, "A")
