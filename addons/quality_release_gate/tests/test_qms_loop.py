# Copyright 2026 Mfg Integration Suite Authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import json

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.integration_log.tests.receiver import Receiver

from .common import QualityCase

RECORDED = "mfg.inspection.recorded.v1"
REQUESTED = "mfg.inspection.requested.v1"
CHANGED = "mfg.lot.disposition.changed.v1"
OPENED = "mfg.nonconformance.opened.v1"
CLOSED = "mfg.nonconformance.closed.v1"


@tagged("post_install", "-at_install")
class TestQmsLoop(QualityCase):
    """The QMS loop of protocol v1, 6.2, through the HTTP API, with the jobs
    run by queue_job's own runner and the QMS's endpoint a real server."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.receiver = Receiver().start()
        cls.addClassCleanup(cls.receiver.stop)
        Host = cls.env["integration.allowed.host"].with_context(active_test=False)
        host = Host.search([("name", "=", "127.0.0.1")])
        (host or Host.create({"name": "127.0.0.1"})).active = True
        cls.connector = cls.env["integration.connector"].create(
            {
                "name": "Plant QMS endpoint",
                "url": cls.receiver.url,
                "event_types": f"{REQUESTED},{CHANGED}",
                "client_id": cls.qms.id,
            }
        )
        secret = cls.connector.issue_signing_secret()["signing_secret"]
        cls.receiver.secrets = [secret]

    def setUp(self):
        super().setUp()
        self.receiver.reset()

    def recorded(self, lot, result, **extra):
        data = {
            "lot": lot.name,
            "product": lot.product_id.default_code,
            "result": result,
            "recorded_at": "2026-03-02T09:30:00+01:00",
            **extra,
        }
        return self.send(RECORDED, lot.name, data)

    def changed(self, lot, disposition, reason):
        data = {
            "lot": lot.name,
            "product": lot.product_id.default_code,
            "disposition": disposition,
            "reason": reason,
            "decided_by": "Dana QMS",
            "decided_at": "2026-03-02T10:00:00Z",
        }
        return self.send(CHANGED, lot.name, data)

    def assertProcessed(self, event):
        self.assertEqual(event.state, "processed", event.error)
        return json.loads(event.result)

    def ship(self, lot, quantity=1):
        picking = self.delivery(lot.product_id, {lot.name: quantity})
        picking.button_validate()
        return picking

    # ------------------------------------------------------------------
    # The loop
    # ------------------------------------------------------------------
    def test_received_inspected_passed_shipped(self):
        receipt = self.receive(self.raw, {"L-1": 12})
        lot = self.lot(self.raw, "L-1")
        self.assertEqual(lot.quality_disposition, "pending")
        inspection = self.env["qc.inspection"].search([("lot_id", "=", lot.id)])
        self.assertEqual(
            (inspection.quality_reason, inspection.qty, inspection.state),
            ("receipt", 12, "ready"),
        )
        self.run_jobs()
        [request] = self.receiver.received(REQUESTED)
        self.assertEqual(request["subject"], "L-1")
        self.assertEqual(
            request["data"],
            {
                "lot": "L-1",
                "product": "Q-RAW",
                "quantity": 12,
                "uom": "KGM",
                "reason": "receipt",
                "origin": receipt.name,
                "inspection": inspection.name,
            },
        )
        with self.assertRaisesRegex(UserError, "L-1 of Q-RAW: Pending release"):
            self.ship(lot)
        event = self.record_passed(lot, inspection)
        self.assertEqual(lot.quality_log_ids[0].event_id, event)
        self.assertEqual(lot.quality_log_ids[0].client_id, self.qms)
        self.assertIn(event, lot._integration_events())
        picking = self.ship(lot, 5)
        self.assertEqual(picking.state, "done")
        self.assertFalse(
            self.receiver.received(CHANGED), "the QMS is not told its own decision"
        )

    def record_passed(self, lot, inspection):
        """The QMS records a passed inspection with two measurements."""
        event = self.recorded(
            lot,
            "pass",
            inspection=inspection.name,
            inspector="Ines at the QMS",
            measurements=[
                {
                    "characteristic": "Sample weight",
                    "value": 101.5,
                    "uom": "GRM",
                    "lower": 95,
                    "upper": 105,
                    "result": "pass",
                },
                {"characteristic": "Colour", "value": "grey", "result": "pass"},
            ],
        )
        result = self.assertProcessed(event)
        self.assertEqual(result["disposition"], "released")
        self.assertEqual(lot.quality_disposition, "released")
        self.assertEqual(
            (inspection.state, inspection.quality_result, inspection.quality_inspector),
            ("success", "pass", "Ines at the QMS"),
        )
        self.assertEqual(str(inspection.date_done), "2026-03-02 08:30:00")
        lines = inspection.inspection_lines.sorted("name")
        self.assertEqual(lines.mapped("name"), ["Colour", "Sample weight"])
        self.assertEqual(lines.mapped("quality_value"), ["grey", "101.5"])
        self.assertTrue(all(lines.mapped("success")))
        return event

    def test_failed_inspection_rejects_and_quarantines(self):
        self.receive(self.raw, {"L-2": 8})
        lot = self.lot(self.raw, "L-2")
        result = self.assertProcessed(self.recorded(lot, "fail"))
        self.assertEqual(result["disposition"], "rejected")
        self.assertEqual(self.stock_of(lot, self.quarantine), 8)
        self.assertEqual(self.stock_of(lot, self.stock), 0)
        inspection = self.env["qc.inspection"].search([("lot_id", "=", lot.id)])
        self.assertEqual(inspection.state, "failed")
        self.assertEqual(
            lot.quality_log_ids[0].mapped("action"),
            ["inspection"],
        )
        with self.assertRaisesRegex(UserError, "L-2 of Q-RAW: Rejected"):
            picking = self._picking(
                self.warehouse.out_type_id,
                self.quarantine,
                self.customers,
                self.raw,
                {"L-2": 1},
                partner=self.customer,
            )
            self.env["stock.move.line"].create(
                {
                    "move_id": picking.move_ids.id,
                    "picking_id": picking.id,
                    "product_id": self.raw.id,
                    "lot_id": lot.id,
                    "quantity": 1,
                    "product_uom_id": self.kg.id,
                    "location_id": self.quarantine.id,
                    "location_dest_id": self.customers.id,
                    "picked": True,
                }
            )
            picking.button_validate()

    def test_failed_inspection_holds_where_the_rule_says(self):
        """The rule of the sub-assembly holds a failed lot (a QMS hold)
        instead of rejecting it."""
        self.put_in_stock(self.sub, {"S-1": 3})
        lot = self.lot(self.sub, "S-1")
        result = self.assertProcessed(self.recorded(lot, "fail"))
        self.assertEqual(result["disposition"], "hold")
        hold = lot.quality_hold_ids
        self.assertEqual((hold.source, hold.client_id), ("qms", self.qms))
        self.assertEqual(self.stock_of(lot, self.stock), 3, "not quarantined")
        self.assertEqual(self.changed(lot, "released", "Reworked").state, "processed")
        self.assertEqual(lot.quality_disposition, "released")
        self.assertEqual(hold.state, "lifted")

    def test_passed_inspection_waits_for_a_manager_where_the_rule_says(self):
        self.raw_rule.pass_action = "manual"
        self.receive(self.raw, {"L-5": 2})
        lot = self.lot(self.raw, "L-5")
        self.assertProcessed(self.recorded(lot, "pass"))
        self.assertEqual(lot.quality_disposition, "pending")
        self.assertEqual(lot.quality_log_ids[0].action, "inspection")
        self.decide(self.quality_manager, lot, "release", "Passed, papers checked")
        self.assertEqual(lot.quality_disposition, "released")

    def test_nonconformance_blocks_until_closed(self):
        self.put_in_stock(self.plain, {"B-1": 5, "B-2": 5})
        b1, b2 = self.lot(self.plain, "B-1"), self.lot(self.plain, "B-2")
        opened = self.send(
            OPENED,
            "NCR-7",
            {
                "ncr": "NCR-7",
                "severity": "major",
                "description": "Print smudged",
                "opened_at": "2026-03-02T07:00:00Z",
                "lots": [
                    {"lot": "B-1", "product": "Q-BOX"},
                    {"lot": "B-2", "product": "Q-BOX"},
                ],
            },
        )
        result = self.assertProcessed(opened)
        self.assertEqual(
            [lot["disposition"] for lot in result["lots"]], ["hold", "hold"]
        )
        ncr = self.env["quality.nonconformance"].search([("name", "=", "NCR-7")])
        self.assertEqual((ncr.state, ncr.severity, ncr.lot_count), ("open", "major", 2))
        with self.assertRaisesRegex(
            UserError, r"B-1 of Q-BOX: On hold \(Nonconformance NCR-7: Major: Print"
        ):
            self.ship(b1)
        closed = self.send(
            CLOSED,
            "NCR-7",
            {
                "ncr": "NCR-7",
                "closed_at": "2026-03-03T07:00:00Z",
                "resolution": "Reprinted",
            },
        )
        self.assertProcessed(closed)
        self.assertEqual(ncr.state, "closed")
        self.assertEqual((b1 | b2).mapped("quality_disposition"), ["released"] * 2)
        self.assertEqual(ncr.hold_ids.mapped("lift_reason"), ["Reprinted"] * 2)
        self.assertEqual(self.ship(b1).state, "done")

    def test_two_holds_from_two_sources_lifted_one_by_one(self):
        self.put_in_stock(self.plain, {"B-3": 5})
        lot = self.lot(self.plain, "B-3")
        self.send(
            OPENED,
            "NCR-8",
            {
                "ncr": "NCR-8",
                "severity": "minor",
                "description": "Label",
                "opened_at": "2026-03-02T07:00:00Z",
                "lots": [{"lot": "B-3", "product": "Q-BOX"}],
            },
        )
        self.assertProcessed(self.changed(lot, "hold", "Lab retest"))
        self.assertEqual(sorted(lot.quality_hold_ids.mapped("source")), ["ncr", "qms"])
        self.send(
            CLOSED,
            "NCR-8",
            {"ncr": "NCR-8", "closed_at": "2026-03-02T12:00:00Z", "resolution": "OK"},
        )
        self.assertEqual(lot.quality_disposition, "hold", "the QMS hold remains")
        with self.assertRaisesRegex(UserError, r"On hold \(QMS decision Plant QMS"):
            self.ship(lot)
        result = self.assertProcessed(self.changed(lot, "released", "Retest passed"))
        self.assertEqual((result["disposition"], result["holds"]), ("released", []))
        self.assertEqual(self.ship(lot).state, "done")
        self.assertEqual(
            lot.quality_log_ids.sorted("id").mapped("action"),
            ["hold", "hold", "lift", "lift", "decision"],
        )

    def test_the_qms_decision_goes_to_the_others_not_back_to_the_qms(self):
        warehouse = Receiver().start()
        self.addCleanup(warehouse.stop)
        connector = self.env["integration.connector"].create(
            {"name": "Warehouse system", "url": warehouse.url, "event_types": CHANGED}
        )
        warehouse.secrets = [connector.issue_signing_secret()["signing_secret"]]
        self.receive(self.raw, {"L-9": 3})
        lot = self.lot(self.raw, "L-9")
        inspection = self.env["qc.inspection"].search([("lot_id", "=", lot.id)])
        event = self.record_passed(lot, inspection)
        self.run_jobs()
        [sent] = warehouse.received(CHANGED)
        self.assertEqual(
            (sent["subject"], sent["data"]["disposition"]), ("L-9", "released")
        )
        self.assertFalse(self.receiver.received(CHANGED))
        [announced] = self.outbound(CHANGED, "L-9")
        # (The demo data's connectors may get it too.)
        self.assertIn(connector, announced.delivery_ids.connector_id)
        self.assertNotIn(self.connector, announced.delivery_ids.connector_id)
        self.assertEqual(lot.quality_log_ids[0].event_id, event, "the QMS's event")
        # A QMS decision that changes nothing is no news.
        self.assertProcessed(self.changed(lot, "released", "Still good"))
        self.assertEqual(self.outbound(CHANGED, "L-9"), announced)

    def test_a_persons_decision_goes_out(self):
        self.put_in_stock(self.plain, {"B-4": 1})
        lot = self.lot(self.plain, "B-4")
        self.decide(self.inspector, lot, "hold", "Dropped by the forklift")
        [event] = self.outbound(CHANGED, "B-4")
        self.run_jobs()
        [sent] = self.receiver.received(CHANGED)
        self.assertEqual(sent["id"], event.cloudevent_id)
        data = sent["data"]
        self.assertEqual(
            (data["disposition"], data["reason"], data["decided_by"]),
            ("hold", "Dropped by the forklift", "Ines Inspector"),
        )
        self.assertEqual(lot.quality_log_ids.event_id, event)

    def test_business_errors_name_the_field(self):
        self.put_in_stock(self.plain, {"B-5": 1})
        lot = self.lot(self.plain, "B-5")
        event = self.send(
            RECORDED,
            "NOPE",
            {
                "lot": "NOPE",
                "product": "Q-BOX",
                "result": "pass",
                "recorded_at": "2026-03-02T09:30:00Z",
            },
        )
        self.assertEqual(event.state, "dead")
        self.assertIn("/data/lot", event.error)
        event = self.recorded(lot, "pass", inspection="QC-NOT-THERE")
        self.assertEqual(event.state, "dead")
        self.assertIn("/data/inspection", event.error)
        event = self.send(
            CLOSED,
            "NCR-404",
            {"ncr": "NCR-404", "closed_at": "2026-03-02T12:00:00Z", "resolution": ""},
        )
        self.assertEqual(event.state, "dead")
        self.assertIn("/data/ncr", event.error)
        response = self.post(
            self.qms_event(
                CHANGED,
                "B-5",
                {
                    "lot": "B-5",
                    "product": "Q-BOX",
                    "disposition": "scrapped",
                    "reason": "",
                    "decided_by": "Dana",
                    "decided_at": "2026-03-02T10:00:00Z",
                },
            )
        )
        problem = self.assertProblem(response, 400, "invalid_data")
        self.assertEqual(problem["errors"][0]["pointer"], "/data/disposition")
        self.assertEqual(lot.quality_disposition, "released")
