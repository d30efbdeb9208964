# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json

from odoo.tests import tagged

from .common import PlantCase


@tagged("post_install", "-at_install")
class TestBusinessRules(PlantCase):
    """Every refused report is dead with a message naming the field and the
    value, and leaves nothing behind."""

    def assertDead(self, event_type, subject, data, *fragments):
        event = self.send(event_type, subject, data)
        self.assertEqual(event.state, "dead", event.result)
        for fragment in fragments:
            self.assertIn(fragment, event.error)
        return event

    def test_refused_reports_name_the_field_and_value(self):
        mo = self.make_mo(self.sub, 2)
        name = mo.name
        completed = "mfg.production.completed.v1"
        consumed = "mfg.material.consumed.v1"

        def completion(**overrides):
            data = {
                "production": name,
                "completed_at": "2026-03-02T09:00:00Z",
                "outputs": [{"lot": "S-9", "quantity": 1, "uom": "C62"}],
            }
            data.update(overrides)
            return data

        self.assertDead(
            completed,
            "WH/MO/99999",
            completion(production="WH/MO/99999"),
            "/data/production",
            "WH/MO/99999",
        )
        self.assertDead(
            consumed,
            name,
            {
                "production": name,
                "lines": [{"product": "NOPE", "lot": "x", "quantity": 1, "uom": "KGM"}],
            },
            "/data/lines/0/product",
            "NOPE",
        )
        self.assertDead(
            consumed,
            name,
            {
                "production": name,
                "lines": [{"product": "FG", "lot": "x", "quantity": 1, "uom": "C62"}],
            },
            "/data/lines/0/product",
            "FG",
            "not a component",
        )
        self.assertDead(
            consumed,
            name,
            {
                "production": name,
                "lines": [{"product": "RAW", "quantity": 1, "uom": "KGM"}],
            },
            "/data/lines/0/lot",
            "RAW",
            "required",
        )
        self.assertDead(
            consumed,
            name,
            {
                "production": name,
                "lines": [
                    {"product": "RAW", "lot": "S-404", "quantity": 1, "uom": "KGM"}
                ],
            },
            "/data/lines/0/lot",
            "S-404",
        )
        self.assertDead(
            consumed,
            name,
            {
                "production": name,
                "lines": [
                    {"product": "RAW", "lot": "R-1", "quantity": 1, "uom": "C62"}
                ],
            },
            "/data/lines/0/uom",
            "C62",
        )
        self.assertDead(
            consumed,
            name,
            {
                "production": name,
                "lines": [
                    {"product": "RAW", "lot": "R-1", "quantity": 1, "uom": "BAG"}
                ],
            },
            "/data/lines/0/uom",
            "BAG",
        )
        # A lot of another product.
        self.receive(self.sub, {"BLANK-7": 3})
        self.assertDead(
            consumed,
            name,
            {
                "production": name,
                "lines": [
                    {"product": "RAW", "lot": "BLANK-7", "quantity": 1, "uom": "KGM"}
                ],
            },
            "/data/lines/0/lot",
            "BLANK-7",
            "SUB",
        )
        # A valid consumption followed by a bad one: nothing is applied.
        self.assertDead(
            completed,
            name,
            completion(
                consumed=[
                    {"product": "RAW", "lot": "R-1", "quantity": 2, "uom": "KGM"},
                    {"product": "RAW", "lot": "R-404", "quantity": 2, "uom": "KGM"},
                ]
            ),
            "/data/consumed/1/lot",
            "R-404",
        )
        self.assertFalse(self.lot(self.sub, "S-9"))
        self.assertFalse(mo.move_raw_ids.move_line_ids.filtered("picked"))
        self.assertEqual(mo.state, "confirmed")
        self.assertDead(
            completed,
            name,
            completion(
                outputs=[
                    {"lot": "S-9", "quantity": 1, "uom": "C62"},
                    {"lot": "S-9", "quantity": 1, "uom": "C62"},
                ]
            ),
            "/data/outputs/1/lot",
            "S-9",
        )
        self.assertDead(
            completed,
            name,
            completion(
                scrap=[
                    {"product": "GREASE", "quantity": 1, "uom": "C62", "reason": "x"}
                ]
            ),
            "/data/scrap/0/product",
            "GREASE",
        )
        # A closed order takes no more reports.
        self.send(
            completed,
            name,
            completion(
                consumed=[{"product": "RAW", "lot": "R-1", "quantity": 4, "uom": "KGM"}]
            ),
        )
        self.assertEqual(mo.state, "done")
        self.assertDead(
            consumed,
            name,
            {
                "production": name,
                "lines": [
                    {"product": "RAW", "lot": "R-1", "quantity": 1, "uom": "KGM"}
                ],
            },
            "/data/production",
            name,
        )

    def test_serial_rules(self):
        mo = self.make_mo(self.fg, 2)
        name = mo.name
        completed = "mfg.production.completed.v1"
        self.receive(self.sub, {"S-50": 2})
        self.assertDead(
            completed,
            name,
            {
                "production": name,
                "completed_at": "2026-03-02T09:00:00Z",
                "outputs": [{"lot": "SN-9", "quantity": 2, "uom": "C62"}],
            },
            "/data/outputs/0/quantity",
            "serial",
        )
        self.assertDead(
            completed,
            name,
            {
                "production": name,
                "completed_at": "2026-03-02T09:00:00Z",
                "outputs": [
                    {"lot": f"SN-{n}", "quantity": 1, "uom": "C62"} for n in range(3)
                ],
            },
            "/data/outputs",
            "3 serials",
        )
        done = self.send(
            completed,
            name,
            {
                "production": name,
                "completed_at": "2026-03-02T09:00:00Z",
                "outputs": [{"lot": "SN-7", "quantity": 1, "uom": "C62"}],
                "consumed": [
                    {"product": "SUB", "lot": "S-50", "quantity": 1, "uom": "C62"}
                ],
                "close": False,
            },
        )
        self.assertEqual(done.state, "processed", done.error)
        backorder = self.env["mrp.production"].search(
            [("name", "=", json.loads(done.result)["backorder"])]
        )
        self.assertDead(
            completed,
            backorder.name,
            {
                "production": backorder.name,
                "completed_at": "2026-03-02T10:00:00Z",
                "outputs": [{"lot": "SN-7", "quantity": 1, "uom": "C62"}],
            },
            "/data/outputs/0/lot",
            "SN-7",
            "already produced",
        )
