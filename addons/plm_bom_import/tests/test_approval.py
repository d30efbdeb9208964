# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import PlmCase, line


@tagged("post_install", "-at_install")
class TestApproval(PlmCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.engineer = new_test_user(
            cls.env, "plmt_engineer", "plm_bom_import.group_plm_manager"
        )
        cls.mrp_manager = new_test_user(
            cls.env, "plmt_mrp_manager", "mrp.group_mrp_manager"
        )
        cls.operator = new_test_user(cls.env, "plmt_operator", "mrp.group_mrp_user")

    def setUp(self):
        super().setUp()
        self.finished, self.x, self.y, self.z = self.items(
            "PLMT-AF", "PLMT-AX", "PLMT-AY", "PLMT-AZ"
        )
        self.send(
            self.bom_event(
                "PLMT-AF",
                "A",
                [
                    line("PLMT-AX", 1, position="10", designators=["R1"]),
                    line("PLMT-AX", 2, position="20", designators=["R2"]),
                    line("PLMT-AY", 1, position="30"),
                ],
            )
        )
        self.current = self.bom_at(self.finished)

    def release_b(self, approval="pending"):
        (event,) = self.send(
            self.bom_event(
                "PLMT-AF",
                "B",
                [
                    line("PLMT-AX", 1, position="10", designators=["R1"]),
                    line("PLMT-AX", 3, position="20", designators=["R2", "R3"]),
                    line("PLMT-AZ", 1, position="40"),
                ],
                change_order="ECO-9",
                approval=approval,
            )
        )
        self.assertEqual(event.state, "processed", event.error)
        return self.releases("PLMT-AF")[-1], event

    def test_pending_release_waits_with_its_diff(self):
        release, event = self.release_b()
        self.assertEqual(release.state, "pending")
        self.assertEqual(self.result(event)["status"], "pending_approval")
        self.assertEqual(self.bom_at(self.finished), self.current, "nothing applied")
        self.assertFalse(release.bom_id)
        self.assertEqual(release.previous_bom_id, self.current)
        self.assertEqual(
            self.applied_events("PLMT-AF")[-1]["status"], "pending_approval"
        )

    def test_diff_follows_each_position_of_a_component(self):
        """PLMT-AX is used at positions 10 and 20: only position 20 changed,
        and its old values are those of position 20, not of 10."""
        release, _event = self.release_b()
        diff = {d.kind: d for d in release.diff_ids}
        self.assertEqual(len(release.diff_ids), 3, release.diff_ids.mapped("summary"))
        changed, removed, added = diff["changed"], diff["removed"], diff["added"]
        self.assertEqual((changed.position, changed.product_id), ("20", self.x))
        self.assertEqual((changed.old_quantity, changed.quantity), (2, 3))
        self.assertEqual(
            (changed.old_designators, changed.designators), ("R2", "R2 R3")
        )
        self.assertTrue(changed.quantity_changed and changed.designators_changed)
        self.assertFalse(changed.product_changed or changed.position_changed)
        self.assertEqual(changed.summary, "quantity 2 → 3; designators R2 → R2 R3")
        self.assertEqual((removed.position, removed.product_id), ("30", self.y))
        self.assertEqual((added.position, added.product_id), ("40", self.z))
        self.assertEqual(
            (release.added_count, release.removed_count, release.changed_count),
            (1, 1, 1),
        )

    def test_approve_applies(self):
        release, _event = self.release_b()
        release.with_user(self.engineer).action_approve()
        self.assertEqual(release.state, "applied")
        self.assertEqual(release.decided_by_id, self.engineer)
        new = self.bom_at(self.finished)
        self.assertEqual(new, release.bom_id)
        self.assertEqual(new.plm_revision, "B")
        self.assertEqual(new.plm_change_order, "ECO-9")
        self.assertFalse(self.current.active)
        self.assertEqual(
            [(d["revision"], d["status"]) for d in self.applied_events("PLMT-AF")[1:]],
            [("B", "pending_approval"), ("B", "applied"), ("A", "superseded")],
        )

    def test_reject_tells_the_plm_why(self):
        release, _event = self.release_b()
        wizard = (
            self.env["plm.bom.release.reject"]
            .with_user(self.mrp_manager)
            .with_context(active_ids=release.ids)
            .create({"reason": "Position 40 clashes with the housing."})
        )
        wizard.action_reject()
        self.assertEqual(release.state, "rejected")
        self.assertEqual(release.decided_by_id, self.mrp_manager)
        self.assertEqual(self.bom_at(self.finished), self.current)
        self.assertFalse(release.bom_id)
        last = self.applied_events("PLMT-AF")[-1]
        self.assertEqual(
            (last["revision"], last["status"], last["reason"]),
            ("B", "rejected", "Position 40 clashes with the housing."),
        )

    def test_only_managers_decide(self):
        release, _event = self.release_b()
        with self.assertRaises(AccessError):
            release.with_user(self.operator).action_approve()
        self.assertEqual(release.state, "pending")

    def test_approved_release_waits_when_the_company_reviews(self):
        self.env.company.plm_bom_auto_apply = False
        release, event = self.release_b(approval="approved")
        self.assertEqual(release.state, "pending")
        self.assertEqual(self.result(event)["status"], "pending_approval")
        self.assertEqual(self.bom_at(self.finished), self.current)

    def test_plm_approval_after_pending_applies(self):
        release, _event = self.release_b()
        again, event = self.release_b(approval="approved")
        self.assertEqual(again, release, "the same release")
        self.assertEqual(release.state, "applied")
        self.assertEqual(self.result(event)["status"], "applied")
        self.assertEqual(self.bom_at(self.finished).plm_revision, "B")

    def test_newer_release_supersedes_a_pending_one(self):
        release, _event = self.release_b()
        self.send(self.bom_event("PLMT-AF", "C", [line("PLMT-AZ", 2, position="10")]))
        self.assertEqual(release.state, "superseded")
        self.assertEqual(self.bom_at(self.finished).plm_revision, "C")
        statuses = [
            (d["revision"], d["status"]) for d in self.applied_events("PLMT-AF")
        ]
        self.assertIn(("B", "superseded"), statuses)
        self.assertIn(("C", "applied"), statuses)
