# Copyright 2026 Mfg Integration Suite Authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The whole digital thread, as the partners and the plant's people run it:
PLM release, planning, MES execution, QMS inspection, the release gate,
shipment, then trace and recall; every partner call goes through Odoo's
HTTP server and every job through queue_job's own runner."""

import re
import uuid
from collections import namedtuple

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, new_test_user, tagged

from odoo.addons.integration_log.tests.common import BATCH, IntegrationHttpCase
from odoo.addons.integration_log.tests.receiver import Receiver

QC_MANAGER = "quality_control_oca.group_quality_control_manager"
STEEL = "E2E-STEEL"
GEARBOX = "E2E-GEARBOX"
HEAT = "E2E-HEAT-4711"
RELEASED = "mfg.production.released.v1"
DISPATCHED = "mfg.shipment.dispatched.v1"
REQUESTED = "mfg.inspection.requested.v1"
CHANGED = "mfg.lot.disposition.changed.v1"

# A partner system as it calls the API: its client and credentials.
PartnerSystem = namedtuple("PartnerSystem", "client source token secret")


@tagged("post_install", "-at_install")
class TestDigitalThread(IntegrationHttpCase):
    """A gearbox designed in the PLM, planned in Odoo, made on the MES,
    inspected by the QMS and shipped; then traced and recalled."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._connect_partner_systems()
        cls._connect_partner_endpoints()
        cls._hire_people()
        company = cls.env.company
        company.write(
            {
                "plm_bom_auto_apply": True,
                "plm_bom_update_productions": False,
                "quality_pending_consumption": False,
                "quality_responsible_id": cls.quality_manager.id,
            }
        )
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", company.id)], limit=1
        )
        Partner = cls.env["res.partner"]
        cls.supplier = Partner.create({"name": "E2E Steelworks"})
        cls.customer = Partner.create({"name": "E2E Wind Farms"})

    @classmethod
    def _connect_partner_systems(cls):
        cls.plm = cls._partner_system(
            "E2E PLM",
            "mfg.item.*,mfg.bom.*",
            "plm_bom_import.group_plm_integration",
            "urn:plm:e2e",
        )
        cls.mes = cls._partner_system(
            "E2E MES",
            "mfg.production.*,mfg.material.*",
            "mrp.group_mrp_user,stock.group_stock_user",
            "urn:mes:e2e-plant",
        )
        cls.mes.client.allow_lot_trace = True
        cls.qms = cls._partner_system(
            "E2E QMS",
            "mfg.inspection.*,mfg.lot.*,mfg.nonconformance.*",
            "quality_release_gate.group_quality_integration",
            "urn:qms:e2e-plant",
        )

    @classmethod
    def _partner_system(cls, name, event_types, groups, source):
        client = cls.make_client(
            name, event_types, groups=groups, allowed_sources=source
        )
        return PartnerSystem(client, source, cls.token, cls.secret)

    @classmethod
    def _connect_partner_endpoints(cls):
        """The MES and the QMS listen on real loopback servers that check
        Odoo's signatures."""
        # The demo data may already allow this host.
        Host = cls.env["integration.allowed.host"].with_context(active_test=False)
        host = Host.search([("name", "=", "127.0.0.1")])
        (host or Host.create({"name": "127.0.0.1"})).active = True
        cls.mes_endpoint = cls._endpoint(
            "E2E MES endpoint", "mfg.production.*,mfg.shipment.*"
        )
        cls.qms_endpoint = cls._endpoint(
            "E2E QMS endpoint", f"{REQUESTED},{CHANGED}", cls.qms.client
        )

    @classmethod
    def _endpoint(cls, name, event_types, client=None):
        """A connector to a new receiver; ``client``: the partner's own."""
        receiver = Receiver().start()
        cls.addClassCleanup(receiver.stop)
        connector = cls.env["integration.connector"].create(
            {
                "name": name,
                "url": receiver.url,
                "event_types": event_types,
                "client_id": client.id if client else False,
            }
        )
        receiver.secrets = [connector.issue_signing_secret()["signing_secret"]]
        return receiver

    @classmethod
    def _hire_people(cls):
        cls.planner = new_test_user(
            cls.env,
            "e2e_planner",
            "mrp.group_mrp_user,stock.group_stock_user",
            name="Paula Planner",
        )
        cls.clerk = new_test_user(
            cls.env, "e2e_clerk", "stock.group_stock_user", name="Wes Warehouse"
        )
        cls.quality_manager = new_test_user(
            cls.env,
            "e2e_quality",
            f"stock.group_stock_user,{QC_MANAGER}",
            name="Quinn Quality",
        )

    def setUp(self):
        super().setUp()
        self.mes_endpoint.reset()
        self.qms_endpoint.reset()

    # ------------------------------------------------------------------
    # Partner systems: signed POSTs, processed by the job runner
    # ------------------------------------------------------------------
    def cloudevent(self, partner, event_type, subject, data):
        return {
            "specversion": "1.0",
            "id": str(uuid.uuid4()),
            "source": partner.source,
            "type": event_type,
            "time": "2026-03-02T08:00:00Z",
            "subject": subject,
            "data": data,
        }

    def send(self, partner, *events):
        """POST the events (a batch when several), run the jobs, and check
        through GET /events/{id} that each was processed; returns their
        results."""
        if len(events) == 1:
            response = self.post(events[0], token=partner.token, secret=partner.secret)
            self.assertEqual(response.status_code, 202, response.text)
        else:
            response = self.post(
                list(events),
                content_type=BATCH,
                token=partner.token,
                secret=partner.secret,
            )
            self.assertEqual(response.status_code, 200, response.text)
            statuses = [result["status"] for result in response.json()["results"]]
            self.assertEqual(statuses, ["accepted"] * len(events), response.text)
        self.run_jobs()
        return [self.processed(partner, event) for event in events]

    def processed(self, partner, event):
        response = self.get(
            f"/events/{event['id']}", token=partner.token, source=event["source"]
        )
        self.assertEqual(response.status_code, 200, response.text)
        status = response.json()
        self.assertEqual(
            (status["type"], status["status"]),
            (event["type"], "processed"),
            status["error"],
        )
        return status["result"]

    def received(self, endpoint, event_type, subject):
        """The one event of ``event_type`` about ``subject`` the endpoint got,
        signed, with the event id as webhook-id (partners dedupe on it)."""
        self.assertTrue(
            all(request["verified"] for request in endpoint.requests),
            "every request to the partner carries a valid signature",
        )
        requests = [
            request
            for request in endpoint.requests
            if request["json"].get("type") == event_type
            and request["json"].get("subject") == subject
        ]
        self.assertEqual(len(requests), 1, f"one {event_type} about {subject}")
        event = requests[0]["json"]
        headers = {k.lower(): v for k, v in requests[0]["headers"].items()}
        self.assertEqual(headers["webhook-id"], event["id"])
        return event

    # ------------------------------------------------------------------
    # Chapters of the thread
    # ------------------------------------------------------------------
    def plm_releases_the_gearbox(self):
        """Items (a lot-tracked steel, a serial-tracked gearbox), then the
        approved BOM of the gearbox."""

        def item(code, name, uom, tracking):
            data = {
                "item": code,
                "revision": "A",
                "name": name,
                "uom": uom,
                "tracking": tracking,
            }
            return self.cloudevent(self.plm, "mfg.item.released.v1", code, data)

        results = self.send(
            self.plm,
            item(STEEL, "Alloy steel bar", "KGM", "lot"),
            item(GEARBOX, "Wind turbine gearbox", "C62", "serial"),
        )
        self.assertEqual([r["status"] for r in results], ["created", "created"])
        bom_data = {
            "item": GEARBOX,
            "revision": "A",
            "change_order": "ECO-E2E-1",
            "effective_from": "2025-01-01",
            "quantity": 1,
            "uom": "C62",
            "lines": [{"item": STEEL, "quantity": 2.5, "uom": "KGM", "position": "10"}],
            "approval": "approved",
        }
        [result] = self.send(
            self.plm,
            self.cloudevent(self.plm, "mfg.bom.released.v1", GEARBOX, bom_data),
        )
        self.assertEqual(result["status"], "applied")
        Product = self.env["product.product"]
        steel = Product.search([("default_code", "=", STEEL)])
        gearbox = Product.search([("default_code", "=", GEARBOX)])
        self.assertEqual(
            (steel.tracking, steel.uom_id, gearbox.tracking),
            ("lot", self.env.ref("uom.product_uom_kgm"), "serial"),
        )
        bom = self.env["mrp.bom"]._bom_find(gearbox, bom_type="normal")[gearbox]
        self.assertEqual((bom.plm_revision, bom.plm_change_order), ("A", "ECO-E2E-1"))
        self.assertEqual(
            [(line.product_id, line.product_qty) for line in bom.bom_line_ids],
            [(steel, 2.5)],
        )
        return steel, gearbox, bom

    def quality_engineer_sets_release_rules(self, steel, gearbox):
        """Supplier lots of steel and every gearbox made need a release; a
        gearbox that fails its inspection is held for the NCR process."""
        Rule = self.env["quality.release.rule"].with_user(self.quality_manager)
        Rule.create(
            [
                {
                    "name": "E2E steel from suppliers",
                    "product_tmpl_id": steel.product_tmpl_id.id,
                    "on_receipt": True,
                    "on_production": False,
                },
                {
                    "name": "E2E gearboxes made",
                    "product_tmpl_id": gearbox.product_tmpl_id.id,
                    "on_receipt": False,
                    "on_production": True,
                    "fail_action": "hold",
                },
            ]
        )

    def planner_releases_an_order(self, gearbox, bom):
        """The planner makes the order in Odoo's form and confirms it: the
        MES receives it, signed."""
        form = Form(self.env["mrp.production"].with_user(self.planner))
        form.product_id = gearbox
        form.product_qty = 1
        production = form.save()
        self.assertEqual(production.bom_id, bom)
        production.action_confirm()
        self.run_jobs()
        self.assertEqual(production.mes_status, "released")
        released = self.received(self.mes_endpoint, RELEASED, production.name)
        data = released["data"]
        self.assertEqual(
            (data["production"], data["product"], data["quantity"], data["uom"]),
            (production.name, GEARBOX, 1.0, "C62"),
        )
        self.assertEqual(data["bom_revision"], "A")
        self.assertEqual(
            data["components"],
            [{"product": STEEL, "quantity": 2.5, "uom": "KGM", "tracking": "lot"}],
        )
        return production

    def warehouse_receives(self, steel, lot_name, quantity):
        """The supplier's lot is received and validated by the clerk; the QMS
        is asked to inspect it."""
        env = self.env(user=self.clerk)
        receipt = self._transfer(env, "in", self.supplier, steel, quantity)
        move = receipt.move_ids
        env["stock.move.line"].create(
            {
                "move_id": move.id,
                "picking_id": receipt.id,
                "product_id": steel.id,
                "lot_name": lot_name,
                "quantity": quantity,
                "product_uom_id": steel.uom_id.id,
                "location_id": move.location_id.id,
                "location_dest_id": move.location_dest_id.id,
                "picked": True,
            }
        )
        receipt.button_validate()
        self.assertEqual(receipt.state, "done")
        lot = self.lot(steel, lot_name)
        self.assertEqual(lot.quality_disposition, "pending")
        self.run_jobs()
        request = self.received(self.qms_endpoint, REQUESTED, lot_name)
        self.assertEqual(
            (request["data"]["reason"], request["data"]["origin"]),
            ("receipt", receipt.name),
        )
        return receipt, lot

    def quality_manager_releases(self, lot, reason):
        """A person's release goes out to the QMS, signed."""
        self.env["quality.lot.decision.wizard"].with_user(self.quality_manager).create(
            {"lot_ids": [Command.set(lot.ids)], "decision": "release", "reason": reason}
        ).action_apply()
        self.assertEqual(lot.quality_disposition, "released")
        self.run_jobs()
        changed = self.received(self.qms_endpoint, CHANGED, lot.name)
        self.assertEqual(
            (changed["data"]["disposition"], changed["data"]["decided_by"]),
            ("released", "Quinn Quality"),
        )

    def mes_makes(self, production, serial, steel_lot, kilograms):
        """The MES starts the order, then completes it with the serial made
        and the steel lot consumed; Odoo asks the QMS to inspect the serial."""
        name = production.name
        self.send(
            self.mes,
            self.cloudevent(
                self.mes,
                "mfg.production.started.v1",
                name,
                {
                    "production": name,
                    "started_at": "2026-03-02T07:00:00Z",
                    "workcenter": "Assembly line 1",
                },
            ),
        )
        self.assertEqual(production.mes_status, "started")
        completion = {
            "production": name,
            "completed_at": "2026-03-02T11:00:00Z",
            "outputs": [{"lot": serial, "quantity": 1, "uom": "C62"}],
            "consumed": [
                {
                    "product": STEEL,
                    "lot": steel_lot.name,
                    "quantity": kilograms,
                    "uom": "KGM",
                }
            ],
        }
        [result] = self.send(
            self.mes,
            self.cloudevent(self.mes, "mfg.production.completed.v1", name, completion),
        )
        self.assertEqual((result["state"], result["lots"]), ("done", [serial]))
        self.assertEqual(production.state, "done")
        made = production.lot_producing_id
        self.assertEqual(made.name, serial)
        self.assertEqual(made.quality_disposition, "pending")
        request = self.received(self.qms_endpoint, REQUESTED, serial)
        self.assertEqual(
            (request["data"]["reason"], request["data"]["origin"]),
            ("production", name),
        )
        return made, request["data"]["inspection"]

    def warehouse_prepares_delivery(self, lot):
        """A delivery of the lot to the customer, picked by hand."""
        env = self.env(user=self.clerk)
        product = lot.product_id
        delivery = self._transfer(env, "out", self.customer, product, 1)
        move = delivery.move_ids
        env["stock.move.line"].create(
            {
                "move_id": move.id,
                "picking_id": delivery.id,
                "product_id": product.id,
                "lot_id": lot.id,
                "quantity": 1,
                "product_uom_id": product.uom_id.id,
                "location_id": move.location_id.id,
                "location_dest_id": move.location_dest_id.id,
                "picked": True,
            }
        )
        return delivery

    def qms_records(self, lot, inspection, result):
        data = {
            "lot": lot.name,
            "product": lot.product_id.default_code,
            "result": result,
            "recorded_at": "2026-03-02T13:00:00Z",
            "inspection": inspection,
            "inspector": "Ines at the QMS",
        }
        [outcome] = self.send(
            self.qms,
            self.cloudevent(self.qms, "mfg.inspection.recorded.v1", lot.name, data),
        )
        return outcome

    # ------------------------------------------------------------------
    # Stock helpers
    # ------------------------------------------------------------------
    def _transfer(self, env, kind, partner, product, quantity):
        """A confirmed receipt (``in``) or delivery (``out``) of the
        warehouse's stock, without move lines: the caller says which lots
        move."""
        stock = self.warehouse.lot_stock_id
        if kind == "in":
            picking_type = self.warehouse.in_type_id
            source, destination = self.env.ref("stock.stock_location_suppliers"), stock
        else:
            picking_type = self.warehouse.out_type_id
            source, destination = stock, self.env.ref("stock.stock_location_customers")
        picking = env["stock.picking"].create(
            {
                "picking_type_id": picking_type.id,
                "partner_id": partner.id,
                "location_id": source.id,
                "location_dest_id": destination.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": product.name,
                            "product_id": product.id,
                            "product_uom_qty": quantity,
                            "product_uom": product.uom_id.id,
                            "location_id": source.id,
                            "location_dest_id": destination.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        picking.move_ids.move_line_ids.unlink()
        return picking

    def lot(self, product, name):
        return self.env["stock.lot"].search(
            [("product_id", "=", product.id), ("name", "=", name)]
        )

    def made_and_waiting_for_inspection(self, serial):
        """The thread up to a serial made and waiting for its inspection;
        returns what the later chapters need."""
        steel, gearbox, bom = self.plm_releases_the_gearbox()
        self.quality_engineer_sets_release_rules(steel, gearbox)
        production = self.planner_releases_an_order(gearbox, bom)
        receipt, heat = self.warehouse_receives(steel, HEAT, 10)
        self.quality_manager_releases(heat, "Certificate of analysis checked")
        made, inspection = self.mes_makes(production, serial, heat, 2.5)
        return steel, production, receipt, made, inspection

    # ------------------------------------------------------------------
    # The tests
    # ------------------------------------------------------------------
    def test_designed_made_inspected_shipped_traced(self):
        serial = "E2E-SN-0001"
        steel, production, receipt, made, inspection = (
            self.made_and_waiting_for_inspection(serial)
        )
        delivery = self.warehouse_prepares_delivery(made)
        with self.assertRaisesRegex(
            UserError,
            re.escape(f"{delivery.name} may not ship lot {serial} of {GEARBOX}: ")
            + "Pending release",
        ):
            delivery.button_validate()
        self.assertNotEqual(delivery.state, "done")

        outcome = self.qms_records(made, inspection, "pass")
        self.assertEqual(
            (outcome["result"], outcome["disposition"]), ("pass", "released")
        )
        self.assertEqual(made.quality_disposition, "released")
        self.assertFalse(
            [e for e in self.qms_endpoint.received(CHANGED) if e["subject"] == serial],
            "the QMS is not told its own decision back",
        )
        [announced] = self.env["integration.event"].search(
            [
                ("direction", "=", "out"),
                ("event_type", "=", CHANGED),
                ("subject", "=", serial),
            ]
        )
        self.assertNotIn(
            "E2E QMS endpoint", announced.delivery_ids.connector_id.mapped("name")
        )

        delivery.button_validate()
        self.assertEqual(delivery.state, "done")
        self.run_jobs()
        dispatched = self.received(self.mes_endpoint, DISPATCHED, delivery.name)
        self.assertEqual(dispatched["data"]["customer"], "E2E Wind Farms")
        self.assertEqual(
            dispatched["data"]["lines"],
            [{"product": GEARBOX, "lot": serial, "quantity": 1.0, "uom": "C62"}],
        )
        self.assertRecallReachesTheCustomer(delivery, serial)
        self.assertTraceFindsTheSupplierLot(receipt, production, serial)

    def assertRecallReachesTheCustomer(self, delivery, serial):
        response = self.get(
            "/lots/recall", token=self.mes.token, product=STEEL, lot=HEAT
        )
        self.assertEqual(response.status_code, 200, response.text)
        recall = response.json()
        self.assertEqual(
            {(lot["product"], lot["lot"]) for lot in recall["lots"]},
            {(STEEL, HEAT), (GEARBOX, serial)},
        )
        self.assertEqual(
            [(s["shipment"], s["customer"], s["lot"]) for s in recall["shipments"]],
            [(delivery.name, "E2E Wind Farms", serial)],
        )
        self.assertEqual(
            recall["customers"],
            [{"customer": "E2E Wind Farms", "shipments": [delivery.name]}],
        )
        self.assertEqual(
            {(s["product"], s["lot"]): s["quantity"] for s in recall["stock"]},
            {(STEEL, HEAT): 7.5},
            "the rest of the heat is still in stock; the gearbox has left",
        )

    def assertTraceFindsTheSupplierLot(self, receipt, production, serial):
        response = self.get(
            "/lots/trace",
            token=self.mes.token,
            product=GEARBOX,
            lot=serial,
            direction="backward",
        )
        self.assertEqual(response.status_code, 200, response.text)
        trace = response.json()
        self.assertEqual(
            {(node["product"], node["lot"]) for node in trace["nodes"]},
            {(GEARBOX, serial), (STEEL, HEAT)},
        )
        self.assertEqual(
            [
                (e["from"]["lot"], e["to"]["lot"], e["production"])
                for e in trace["edges"]
            ],
            [(HEAT, serial, production.name)],
        )
        self.assertEqual(
            [(r["receipt"], r["supplier"], r["lot"]) for r in trace["receipts"]],
            [(receipt.name, "E2E Steelworks", HEAT)],
        )

    def test_failed_gearbox_is_held_by_its_ncr_and_may_not_ship(self):
        serial = "E2E-SN-0002"
        _steel, _production, _receipt, made, inspection = (
            self.made_and_waiting_for_inspection(serial)
        )
        outcome = self.qms_records(made, inspection, "fail")
        self.assertEqual(outcome["disposition"], "hold")
        ncr = {
            "ncr": "NCR-E2E-1",
            "severity": "major",
            "description": "Bearing noise above limit",
            "opened_at": "2026-03-02T14:00:00Z",
            "lots": [{"lot": serial, "product": GEARBOX}],
        }
        self.send(
            self.qms,
            self.cloudevent(self.qms, "mfg.nonconformance.opened.v1", "NCR-E2E-1", ncr),
        )
        holds = made.quality_hold_ids.filtered(lambda h: h.state == "active")
        self.assertEqual(sorted(holds.mapped("source")), ["ncr", "qms"])
        ncr_hold = holds.filtered(lambda h: h.source == "ncr")
        self.assertEqual(ncr_hold.nonconformance_id.name, "NCR-E2E-1")
        self.assertEqual(made.quality_disposition, "hold")

        delivery = self.warehouse_prepares_delivery(made)
        self.assertTrue(delivery.quality_blocked)
        self.assertIn("NCR-E2E-1", delivery.quality_block_reason)
        with self.assertRaisesRegex(
            UserError,
            re.escape(f"lot {serial} of {GEARBOX}: On hold (")
            + ".*Nonconformance NCR-E2E-1: Major: Bearing noise",
        ):
            delivery.button_validate()
        self.assertNotEqual(delivery.state, "done")
        self.run_jobs()
        self.assertFalse(self.mes_endpoint.received(DISPATCHED))
