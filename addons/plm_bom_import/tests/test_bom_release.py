# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import Command
from odoo.tests import tagged

from .common import PlmCase, line


@tagged("post_install", "-at_install")
class TestBomRelease(PlmCase):
    def test_item_then_bom_applied(self):
        """The item, its BOM and the components in one batch; the components
        sort after the BOM's subject, so the BOM waits for them, then
        applies."""
        bom_event = self.bom_event(
            "PLMT-FG1",
            "A",
            [
                line("PLMT-Z1", 2, position="10", designators=["R1", "R2"]),
                line("PLMT-Z2", 250, "GRM", position="20"),
            ],
            change_order="ECO-1",
            plm_id="BOM-UID-1",
        )
        events = self.send(
            self.item_event("PLMT-FG1"),
            bom_event,
            self.item_event("PLMT-Z1"),
            self.item_event("PLMT-Z2", uom="KGM"),
        )
        self.assertEqual(events[1].state, "failed")
        self.assertIn("PLMT-Z1, PLMT-Z2", events[1].error)
        self.fast_forward()
        self.run_jobs()
        events.invalidate_recordset()
        self.assertEqual(
            events.mapped("state"), ["processed"] * 4, events.mapped("error")
        )
        finished, c1, c2 = self.products("PLMT-FG1", "PLMT-Z1", "PLMT-Z2")
        bom = self.bom_at(finished)
        self.assertTrue(bom)
        self.assertEqual(bom.plm_revision, "A")
        self.assertEqual(bom.code, "A")
        self.assertEqual(bom.plm_change_order, "ECO-1")
        self.assertEqual(bom.plm_id, "BOM-UID-1")
        self.assertEqual(bom.plm_source, "urn:plm:test-plant")
        self.assertEqual(bom.product_uom_id, self.unit)
        lines = bom.bom_line_ids.sorted("sequence")
        self.assertEqual(lines.product_id, c1 | c2)
        self.assertEqual(lines.mapped("plm_position"), ["10", "20"])
        self.assertEqual(lines[0].plm_designators, "R1 R2")
        self.assertEqual(lines[1].product_uom_id, self.env.ref("uom.product_uom_gram"))
        self.assertEqual(lines[1].product_qty, 250)
        release = bom.plm_release_id
        self.assertEqual(release.state, "applied")
        self.assertEqual(release.lines_done, 2)
        self.assertEqual(self.result(events[1])["status"], "applied")
        self.assertIn(bom, events[1]._linked_records())
        self.assertAppliedEvent("PLMT-FG1", bom)
        production = self.env["mrp.production"].create(
            {"product_id": finished.id, "product_qty": 3}
        )
        self.assertEqual(production.bom_id, bom)
        self.assertEqual(
            sorted(production.move_raw_ids.mapped("product_uom_qty")), [6, 750]
        )

    def assertAppliedEvent(self, item, bom, **expected):
        (applied,) = self.applied_events(item)
        self.assertEqual(
            applied,
            {
                "item": item,
                "revision": bom.plm_revision,
                "change_order": bom.plm_change_order or None,
                "status": "applied",
                "effective_from": self.env["integration.resolver"]._iso(
                    bom.plm_effective_from
                ),
                "effective_to": None,
                **expected,
            },
        )

    def test_second_revision_supersedes_the_first(self):
        finished, c1, c2, c3 = self.items("PLMT-FG2", "PLMT-C1", "PLMT-C2", "PLMT-C3")
        self.send(
            self.bom_event(
                "PLMT-FG2", "A", [line("PLMT-C1", position="10")], change_order="ECO-1"
            )
        )
        first = self.bom_at(finished)
        workcenter = self.env["mrp.workcenter"].create({"name": "PLMT assembly"})
        first.operation_ids = [
            Command.create(
                {
                    "name": "Assemble",
                    "workcenter_id": workcenter.id,
                    "time_cycle_manual": 12,
                }
            )
        ]
        (event,) = self.send(
            self.bom_event(
                "PLMT-FG2",
                "B",
                [line("PLMT-C1", 3, position="10"), line("PLMT-C3", position="30")],
                change_order="ECO-2",
            )
        )
        self.assertEqual(event.state, "processed", event.error)
        second = self.bom_at(finished)
        self.assertEqual(second.plm_revision, "B")
        self.assertNotEqual(first, second)
        self.assertFalse(first.active, "the superseded revision is archived")
        self.assertTrue(first.exists(), "... and kept")
        self.assertEqual(first.plm_superseded_by_id, second)
        self.assertEqual(first.plm_effectivity, "superseded")
        self.assertEqual(first.plm_effective_to, second.plm_effective_from)
        self.assertEqual(len(first.bom_line_ids), 1, "still readable")
        self.assertEqual(
            second.operation_ids.mapped("name"), ["Assemble"], "routing carried over"
        )
        self.assertEqual(second.operation_ids.workcenter_id, workcenter)
        self.assertEqual(len(first.operation_ids), 1)
        self.assertEqual(self.revisions(finished), first | second)
        release = second.plm_release_id
        self.assertEqual(release.previous_bom_id, first)
        self.assertEqual(
            (release.added_count, release.removed_count, release.changed_count),
            (1, 0, 1),
        )
        changed = release.diff_ids.filtered(lambda d: d.kind == "changed")
        self.assertEqual((changed.old_quantity, changed.quantity), (1, 3))
        self.assertTrue(changed.quantity_changed)
        self.assertEqual(
            [(d["revision"], d["status"]) for d in self.applied_events("PLMT-FG2")],
            [("A", "applied"), ("B", "applied"), ("A", "superseded")],
        )
        self.assertEqual(finished.product_tmpl_id.plm_bom_revision_count, 2)

    def test_duplicate_and_stale_revisions(self):
        finished, _c1 = self.items("PLMT-FG3", "PLMT-C1")
        lines = [line("PLMT-C1", position="10")]
        self.send(self.bom_event("PLMT-FG3", "B", lines))
        (duplicate,) = self.send(self.bom_event("PLMT-FG3", "B", lines))
        self.assertEqual(duplicate.state, "processed")
        self.assertEqual(self.result(duplicate)["status"], "duplicate")
        (stale,) = self.send(self.bom_event("PLMT-FG3", "A", lines))
        self.assertEqual(stale.state, "stale")
        self.assertIn("older than revision B", stale.error)
        (conflict,) = self.send(
            self.bom_event("PLMT-FG3", "B", [line("PLMT-C1", 9, position="10")])
        )
        self.assertEqual(conflict.state, "dead")
        self.assertIn("/data/revision", conflict.error)
        self.assertEqual(len(self.revisions(finished)), 1)
        self.assertEqual(len(self.releases("PLMT-FG3")), 1)
        self.assertEqual(
            [d["status"] for d in self.applied_events("PLMT-FG3")], ["applied"]
        )

    def test_started_order_keeps_its_bom_and_open_ones_are_flagged(self):
        finished, c1, c2 = self.items("PLMT-FG4", "PLMT-C1", "PLMT-C2")
        self.send(self.bom_event("PLMT-FG4", "A", [line("PLMT-C1", position="10")]))
        first = self.bom_at(finished)
        Production = self.env["mrp.production"]
        started = Production.create({"product_id": finished.id, "product_qty": 2})
        started.action_confirm()
        started.qty_producing = 1
        started.move_raw_ids.picked = True
        self.assertEqual(started.state, "progress")
        confirmed = Production.create({"product_id": finished.id, "product_qty": 1})
        confirmed.action_confirm()
        draft = Production.create({"product_id": finished.id, "product_qty": 1})
        self.send(self.bom_event("PLMT-FG4", "B", [line("PLMT-C2", position="10")]))
        second = self.bom_at(finished)
        self.assertEqual(second.plm_revision, "B")
        self.assertEqual(started.bom_id, first)
        self.assertEqual(started.move_raw_ids.product_id, c1)
        self.assertFalse(started.is_outdated_bom)
        self.assertFalse(started.plm_bom_notice)
        for production in confirmed | draft:
            self.assertEqual(production.bom_id, first, "flagged, not changed")
            self.assertTrue(production.is_outdated_bom)
            self.assertIn("Revision B", production.plm_bom_notice)
        confirmed.action_update_bom()
        self.assertEqual(confirmed.bom_id, second)
        self.assertEqual(confirmed.move_raw_ids.product_id, c2)
        self.assertFalse(confirmed.is_outdated_bom)

    def test_open_orders_switched_when_the_company_says_so(self):
        self.env.company.plm_bom_update_productions = True
        finished, c1, c2 = self.items("PLMT-FG5", "PLMT-C1", "PLMT-C2")
        self.send(self.bom_event("PLMT-FG5", "A", [line("PLMT-C1", position="10")]))
        confirmed = self.env["mrp.production"].create(
            {"product_id": finished.id, "product_qty": 2}
        )
        confirmed.action_confirm()
        self.send(self.bom_event("PLMT-FG5", "B", [line("PLMT-C2", 2, position="10")]))
        self.assertEqual(confirmed.bom_id.plm_revision, "B")
        self.assertEqual(confirmed.move_raw_ids.product_id, c2)
        self.assertEqual(confirmed.move_raw_ids.product_uom_qty, 4)
        self.assertFalse(confirmed.is_outdated_bom)
        self.assertIn("Switched to revision B", confirmed.plm_bom_notice)

    def test_item_released_after_its_own_bom_is_refused(self):
        """The item's release behind its BOM in the same subject could never
        come first: the BOM is dead at once, with what to do."""
        bom_event = self.bom_event("PLMT-FG6", "A", [line("PLMT-C6")])
        events = self.send(
            self.item_event("PLMT-C6"), bom_event, self.item_event("PLMT-FG6")
        )
        self.assertEqual(events.mapped("state"), ["processed", "dead", "processed"])
        self.assertIn("send the item release before its BOM", events[1].error)
        self.assertFalse(self.releases("PLMT-FG6"))
        events[1].action_replay()
        self.run_jobs()
        self.assertEqual(events[1].state, "processed", events[1].error)
        self.assertTrue(self.bom_at(self.products("PLMT-FG6")))
