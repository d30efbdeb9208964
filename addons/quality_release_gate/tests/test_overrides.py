# Copyright 2026 Mfg Integration Suite Authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import json

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import QualityCase

CHANGED = "mfg.lot.disposition.changed.v1"


@tagged("post_install", "-at_install")
class TestOverridesAndRights(QualityCase):
    """Releases by hand (managers only, with a reason, in the chain,
    announced), who lifts which hold, and decisions that only the engine
    writes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.receive(cls.raw, {"O-1": 5})
        cls.o1 = cls.lot(cls.raw, "O-1")
        cls.integration_manager = new_test_user(
            cls.env,
            "q_integration",
            "stock.group_stock_user,integration_log.group_integration_manager",
            name="Ida Integration",
        )

    def ncr_hold(self, lot):
        actor = lot._quality_actor(origin="NCR-1")
        actor["client"] = self.qms
        return lot._quality_place_holds("ncr", "Burrs", actor, reference="NCR-1")

    def test_manager_release_override(self):
        self.company.quality_responsible_id = self.inspector
        hold = self.ncr_hold(self.o1)
        self.decide(
            self.quality_manager, self.o1, "release", "Customer accepted deviation"
        )
        self.assertEqual(self.o1.quality_disposition, "released")
        self.assertEqual(hold.state, "lifted")
        self.assertEqual(hold.lifted_by_id, self.quality_manager)
        log = self.o1.quality_log_ids.filtered(lambda entry: entry.action == "override")
        self.assertEqual(
            (log.user_id, log.reason, log.disposition_before),
            (self.quality_manager, "Customer accepted deviation", "hold"),
        )
        [event] = self.outbound(CHANGED, "O-1")
        data = json.loads(event.payload)["data"]
        self.assertEqual(
            (data["disposition"], data["decided_by"], data["reason"]),
            ("released", "Quinn Manager", "Customer accepted deviation"),
        )
        self.assertEqual(log.event_id, event)
        entry = self.env["integration.log.entry"].search(
            [("reference", "=", f"stock.lot,{self.o1.id}"), ("state", "=", "override")]
        )
        self.assertEqual(entry.event_id, event)
        self.assertEqual(entry.payload_hash, event.payload_hash)
        self.assertEqual(entry.user_id, self.quality_manager)
        self.assertIn("Customer accepted deviation", entry.detail)
        activity = self.o1.activity_ids
        self.assertEqual(
            activity.activity_type_id,
            self.env.ref("quality_release_gate.mail_activity_release_override"),
        )
        self.assertEqual(activity.user_id, self.inspector)
        self.assertIn("Customer accepted deviation", str(activity.note))

    def test_release_needs_a_manager_and_a_reason(self):
        for user in (self.inspector, self.picker):
            with self.assertRaises(AccessError):
                self.decide(user, self.o1, "release", "Looks fine")
            with self.assertRaises(AccessError):
                self.decide(user, self.o1, "reject", "Looks bad")
        with self.assertRaisesRegex(UserError, "reason"):
            self.decide(self.quality_manager, self.o1, "release", "  ")
        self.assertEqual(self.o1.quality_disposition, "pending")
        self.decide(self.integration_manager, self.o1, "release", "Deviation 12")
        self.assertEqual(self.o1.quality_disposition, "released")

    def test_who_lifts_which_hold(self):
        ncr = self.ncr_hold(self.o1)
        with self.assertRaises(AccessError):
            self.decide(self.inspector, self.o1, "lift", "Fine", hold_ids=ncr.ids)
        with self.assertRaises(AccessError):
            self.decide(self.picker, self.o1, "hold", "Looks odd")
        self.decide(self.inspector, self.o1, "hold", "Looks odd")
        manual = self.o1.quality_hold_ids.filtered(lambda h: h.source == "manual")
        self.decide(self.inspector, self.o1, "lift", "Fine", hold_ids=manual.ids)
        self.assertEqual((manual.state, ncr.state), ("lifted", "active"))
        self.decide(self.quality_manager, self.o1, "lift", "NCR void", hold_ids=ncr.ids)
        self.assertEqual(ncr.state, "lifted")
        self.assertEqual(self.o1.quality_disposition, "pending")

    def test_request_inspection_by_hand(self):
        self.put_in_stock(self.plain, {"P-9": 4})
        lot = self.lot(self.plain, "P-9")
        self.decide(self.inspector, lot, "pending", "Customer complaint, retest")
        self.assertEqual(
            (lot.quality_disposition, lot.quality_pending_reason),
            ("pending", "manual"),
        )
        inspection = self.env["qc.inspection"].search([("lot_id", "=", lot.id)])
        self.assertEqual((inspection.quality_reason, inspection.qty), ("manual", 4))
        [request] = self.outbound_data("mfg.inspection.requested.v1", "P-9")
        self.assertEqual(
            (request["reason"], request["origin"]), ("manual", "Ines Inspector")
        )

    def test_decisions_change_through_the_engine_only(self):
        for vals in (
            {"quality_decision": "released"},
            {"quality_pending_since": "2026-01-01 00:00:00"},
        ):
            with self.assertRaises(AccessError):
                self.o1.write(vals)
        with self.assertRaises(AccessError):
            self.env["stock.lot"].create(
                {
                    "product_id": self.raw.id,
                    "name": "O-X",
                    "quality_decision": "released",
                }
            )
        self.assertFalse(
            self.env["quality.lot.hold"].with_user(self.inspector).has_access("create")
        )
        with self.assertRaises(AccessError):
            self.env["quality.lot.hold"].with_user(self.quality_manager).create(
                {"lot_id": self.o1.id, "source": "manual"}
            )
        with self.assertRaises(AccessError):
            self.o1.quality_log_ids.with_user(self.quality_manager).write(
                {"reason": "rewritten"}
            )
        copy = self.o1.copy({"name": "O-1-copy"})
        self.assertEqual(copy.quality_disposition, "released")
