# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import Command
from odoo.tests import new_test_user, tagged

from .common import MES, PlantCase

BRAVO_SOURCE = "urn:mes:bravo"
# Every document and location of company B is named after its warehouse.
BRAVO = "Bravo"


@tagged("post_install", "-at_install")
class TestIsolation(PlantCase):
    """Two companies share a raw material lot (its product, hence the lot,
    belongs to no company): each makes, stocks and ships its own lots from
    it. Trace, recall and the lot dialogs show each company its own records
    only; each company's documents go to its own connectors."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.env.company
        cls.company_b = cls.env["res.company"].create({"name": "Bravo Plant"})
        cls.warehouse_b = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company_b.id)], limit=1
        )
        cls.env["mrp.bom"].create(
            {
                "product_tmpl_id": cls.sub.product_tmpl_id.id,
                "product_uom_id": cls.uom_unit.id,
                "product_qty": 1,
                "company_id": cls.company_b.id,
                "bom_line_ids": [
                    Command.create(
                        {
                            "product_id": cls.raw.id,
                            "product_qty": 2,
                            "product_uom_id": cls.uom_kg.id,
                        }
                    )
                ],
            }
        )
        Partner = cls.env["res.partner"]
        cls.supplier_b = Partner.create(
            {"name": "Bravo Metals", "company_id": cls.company_b.id}
        )
        cls.customer_b = Partner.create(
            {"name": "Bravo Retail", "company_id": cls.company_b.id}
        )
        cls.shared = cls.env["stock.lot"].create(
            {"name": "SH-1", "product_id": cls.raw.id}
        )
        cls.bravo, cls.bravo_token, cls.bravo_secret = cls._client_of_b()

    @classmethod
    def _client_of_b(cls):
        """The MES of company B, with a technical user of company B only."""
        user = new_test_user(
            cls.env,
            "api_bravo",
            "mrp.group_mrp_user,stock.group_stock_user",
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )
        client = cls.env["integration.client"].create(
            {
                "name": "Bravo MES",
                "user_id": user.id,
                "company_id": cls.company_b.id,
                "allowed_event_types": "mfg.*",
                "allowed_sources": BRAVO_SOURCE,
                "allow_lot_trace": True,
                "rate_limit_per_minute": 0,
            }
        )
        credentials = client.issue_credentials()
        return client, credentials["token"], credentials["signing_secret"]

    # ------------------------------------------------------------------
    # The two plants
    # ------------------------------------------------------------------
    def transfer(self, company, kind, lot, quantity, partner, env=None):
        """A validated receipt (``in``) or delivery (``out``) of ``lot`` in
        ``company``'s warehouse."""
        env = env or self.env["base"].with_company(company).env
        warehouse = env["stock.warehouse"].search(
            [("company_id", "=", company.id)], limit=1
        )
        outside = env.ref(
            "stock.stock_location_suppliers"
            if kind == "in"
            else "stock.stock_location_customers"
        )
        source, destination = (
            (outside, warehouse.lot_stock_id)
            if kind == "in"
            else (warehouse.lot_stock_id, outside)
        )
        picking = env["stock.picking"].create(
            {
                "picking_type_id": (
                    warehouse.in_type_id if kind == "in" else warehouse.out_type_id
                ).id,
                "partner_id": partner.id,
                "location_id": source.id,
                "location_dest_id": destination.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": lot.product_id.name,
                            "product_id": lot.product_id.id,
                            "product_uom_qty": quantity,
                            "product_uom": lot.product_id.uom_id.id,
                            "location_id": source.id,
                            "location_dest_id": destination.id,
                            "company_id": company.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        move = picking.move_ids
        move.move_line_ids.unlink()
        env["stock.move.line"].create(
            {
                "move_id": move.id,
                "product_id": lot.product_id.id,
                "lot_id": lot.id,
                "quantity": quantity,
                "product_uom_id": lot.product_id.uom_id.id,
                "location_id": source.id,
                "location_dest_id": destination.id,
                "picking_id": picking.id,
            }
        )
        move.picked = True
        self.assertIs(picking.button_validate(), True)
        return picking

    def complete(self, production, output, token=None, secret=None, source=None):
        """The MES of the MO's company reports it made ``output`` from 2 kg of
        the shared lot."""
        event = dict(
            self.mes_event(
                "mfg.production.completed.v1",
                production.name,
                {
                    "production": production.name,
                    "completed_at": "2026-03-02T09:00:00Z",
                    "outputs": [{"lot": output, "quantity": 1, "uom": "C62"}],
                    "consumed": [
                        {"product": "RAW", "lot": "SH-1", "quantity": 2, "uom": "KGM"}
                    ],
                },
            ),
            source=source or MES,
        )
        response = self.post(event, token=token, secret=secret)
        self.assertEqual(response.status_code, 202, response.text)
        self.run_jobs()
        record = self.event_record(event)
        self.assertEqual(record.state, "processed", record.error)
        return self.env["stock.lot"].search(
            [("product_id", "=", self.sub.id), ("name", "=", output)]
        )

    def _run_two_plants(self):
        a, b = self.company_a, self.company_b
        receipt_a = self.transfer(a, "in", self.shared, 10, self.supplier)
        receipt_b = self.transfer(b, "in", self.shared, 10, self.supplier_b)
        mo_a = self.make_mo(self.sub, 1)
        mo_b = (
            self.env["mrp.production"]
            .with_company(b)
            .create({"product_id": self.sub.id, "product_qty": 1, "company_id": b.id})
        )
        mo_b.action_confirm()
        self.assertTrue(mo_b.name.startswith(BRAVO), mo_b.name)
        lot_a = self.complete(mo_a, "SA-1")
        lot_b = self.complete(
            mo_b, "SB-1", self.bravo_token, self.bravo_secret, BRAVO_SOURCE
        )
        ship_a = self.transfer(a, "out", lot_a, 1, self.customer)
        ship_b = self.transfer(b, "out", lot_b, 1, self.customer_b)
        return {
            "receipts": (receipt_a, receipt_b),
            "productions": (mo_a, mo_b),
            "shipments": (ship_a, ship_b),
        }

    def assertNothingOfB(self, text, what):
        for name in (BRAVO, "SB-1", self.supplier_b.name, self.customer_b.name):
            self.assertNotIn(name, text, f"{what} shows {name!r} of company B")

    # ------------------------------------------------------------------
    # Over the API
    # ------------------------------------------------------------------
    def test_a_client_of_a_gets_none_of_bs_records_from_trace_and_recall(self):
        plants = self._run_two_plants()
        mo_a, mo_b = plants["productions"]
        ship_a, ship_b = plants["shipments"]
        receipt_a, _receipt_b = plants["receipts"]

        response = self.get("/lots/trace", product="RAW", lot="SH-1")
        self.assertEqual(response.status_code, 200, response.text)
        self.assertNothingOfB(response.text, "the trace")
        trace = response.json()
        self.assertEqual(
            [(e["to"]["lot"], e["production"]) for e in trace["edges"]],
            [("SA-1", mo_a.name)],
        )
        self.assertEqual(
            {(n["lot"], n["quantity"]) for n in trace["nodes"]},
            {("SH-1", 10.0), ("SA-1", 1.0)},
            "the shared lot counts only what company A received",
        )
        self.assertEqual(
            [(r["receipt"], r["supplier"]) for r in trace["receipts"]],
            [(receipt_a.name, "Steel & Co")],
        )
        self.assertEqual(
            [(s["shipment"], s["customer"]) for s in trace["shipments"]],
            [(ship_a.name, "ACME Motors")],
        )
        self.assertEqual([p["production"] for p in trace["productions"]], [mo_a.name])

        response = self.get("/lots/recall", product="RAW", lot="SH-1")
        self.assertEqual(response.status_code, 200, response.text)
        self.assertNothingOfB(response.text, "the recall")
        recall = response.json()
        self.assertEqual({lot["lot"] for lot in recall["lots"]}, {"SH-1", "SA-1"})
        self.assertEqual(
            [(s["lot"], s["location"], s["quantity"]) for s in recall["stock"]],
            [("SH-1", self.stock.complete_name, 8.0)],
        )
        self.assertEqual(
            recall["customers"],
            [{"customer": "ACME Motors", "shipments": [ship_a.name]}],
        )
        for path, fmt in (("/lots/trace", "epcis"), ("/lots/recall", "csv")):
            response = self.get(path, product="RAW", lot="SH-1", format=fmt)
            self.assertEqual(response.status_code, 200, response.text)
            self.assertNothingOfB(response.text, f"{path} as {fmt}")
        # Company B's own client sees its side, and none of A's.
        response = self.get(
            "/lots/trace", token=self.bravo_token, product="RAW", lot="SH-1"
        )
        self.assertEqual(response.status_code, 200, response.text)
        trace_b = response.json()
        self.assertEqual(
            [(e["to"]["lot"], e["production"]) for e in trace_b["edges"]],
            [("SB-1", mo_b.name)],
        )
        self.assertEqual(
            [(s["shipment"], s["customer"]) for s in trace_b["shipments"]],
            [(ship_b.name, "Bravo Retail")],
        )
        self.assertNotIn("SA-1", response.text)
        self.assertNotIn("ACME Motors", response.text)

    def test_a_client_without_the_permission_gets_403(self):
        self.mes.allow_lot_trace = False
        for path in ("/lots/trace", "/lots/recall"):
            problem = self.assertProblem(
                self.get(path, product="RAW", lot="R-1"), 403, "forbidden"
            )
            self.assertIn("allow_lot_trace", problem["detail"])
        refusals = self.env["integration.refusal"].search(
            [("client_id", "=", self.mes.id), ("reason", "=", "forbidden")]
        )
        self.assertEqual(len(refusals), 2)
        self.mes.allow_lot_trace = True
        self.assertEqual(
            self.get("/lots/trace", product="RAW", lot="R-1").status_code, 200
        )
        fresh = self.env["integration.client"].create(
            {
                "name": "New partner",
                "user_id": self.mes.user_id.id,
                "allowed_event_types": "mfg.*",
                "allowed_sources": "urn:new:*",
            }
        )
        self.assertFalse(fresh.allow_lot_trace, "off by default for new clients")

    # ------------------------------------------------------------------
    # In the UI
    # ------------------------------------------------------------------
    def test_the_lot_dialogs_and_downloads_of_a_user_of_a_show_none_of_bs(self):
        self._run_two_plants()
        groups = "stock.group_stock_user,mrp.group_mrp_user"
        user_a = new_test_user(self.env, "trace_a", groups)
        lot = self.shared.with_user(user_a)
        action = lot.action_open_genealogy()
        genealogy = (
            self.env[action["res_model"]].with_user(user_a).browse(action["res_id"])
        )
        shown = " ".join(
            str(value)
            for line in genealogy.line_ids
            for value in (line.lot, line.document, line.partner, line.location)
        )
        self.assertIn("SA-1", shown)
        self.assertNothingOfB(shown, "the genealogy dialog")
        action = lot.action_open_recall()
        recall = (
            self.env[action["res_model"]].with_user(user_a).browse(action["res_id"])
        )
        self.assertEqual(recall.stock_summary, "8 KGM")
        self.assertEqual(recall.customer_count, 1)
        self.authenticate("trace_a", "trace_a")
        for wizard in (genealogy, recall):
            url = wizard.with_context(export_format="csv").action_download()["url"]
            response = self.url_open(url)
            self.assertEqual(response.status_code, 200, response.text)
            self.assertIn("SA-1", response.text)
            self.assertNothingOfB(response.text, url)

        # A user of both companies with only A active sees A's side; the
        # download follows the companies active in the dialog.
        user_ab = new_test_user(
            self.env,
            "trace_ab",
            groups,
            company_ids=[Command.set((self.company_a | self.company_b).ids)],
        )
        lot = self.shared.with_user(user_ab).with_context(
            allowed_company_ids=self.company_a.ids
        )
        action = lot.action_open_genealogy()
        genealogy = lot.env[action["res_model"]].browse(action["res_id"])
        self.assertNotIn(BRAVO, " ".join(genealogy.line_ids.mapped("document")))
        url = genealogy.with_context(export_format="csv").action_download()["url"]
        self.authenticate("trace_ab", "trace_ab")
        self.assertNothingOfB(self.url_open(url).text, url)
        everything = self.url_open(url.split("&cids=")[0]).text
        self.assertIn("SB-1", everything, "the user may read B when B is active")
        forbidden = self.url_open(f"{url.split('&cids=')[0]}&cids=999999")
        self.assertEqual(forbidden.status_code, 403)

    # ------------------------------------------------------------------
    # Outbound events
    # ------------------------------------------------------------------
    def test_bs_documents_go_to_bs_connectors_only(self):
        Host = self.env["integration.allowed.host"]
        if not Host.search([("name", "=", "127.0.0.1")]):
            Host.create({"name": "127.0.0.1"})
        connectors = {
            company: self.env["integration.connector"].create(
                {
                    "name": f"Carrier of {company.name}",
                    "url": "http://127.0.0.1:9/events",
                    "event_types": "mfg.shipment.*, mfg.production.*",
                    "company_id": company.id,
                }
            )
            for company in (self.company_a, self.company_b)
        }
        # A user of both companies works with A as its current company.
        user = new_test_user(
            self.env,
            "planner_ab",
            "stock.group_stock_user,mrp.group_mrp_user",
            company_id=self.company_a.id,
            company_ids=[Command.set((self.company_a | self.company_b).ids)],
        )
        env = self.env(
            user=user,
            context=dict(allowed_company_ids=[self.company_a.id, self.company_b.id]),
        )
        self.assertEqual(env.company, self.company_a)
        self.transfer(self.company_b, "in", self.shared, 5, self.supplier_b)
        production = env["mrp.production"].create(
            {
                "product_id": self.sub.id,
                "product_qty": 1,
                "company_id": self.company_b.id,
            }
        )
        production.action_confirm()
        shipment = self.transfer(
            self.company_b, "out", self.shared, 5, self.customer_b, env=env
        )
        for subject in (production.name, shipment.name):
            event = self.env["integration.event"].search(
                [("direction", "=", "out"), ("subject", "=", subject)]
            )
            self.assertEqual(len(event), 1, subject)
            self.assertEqual(event.company_id, self.company_b)
            deliveries = self.env["integration.delivery"].search(
                [("event_id", "=", event.id)]
            )
            self.assertEqual(
                deliveries.connector_id, connectors[self.company_b], subject
            )
        shipment_a = self.transfer(
            self.company_a, "out", self.lot(self.raw, "R-1"), 1, self.customer
        )
        event = self.env["integration.event"].search(
            [("direction", "=", "out"), ("subject", "=", shipment_a.name)]
        )
        self.assertEqual(event.company_id, self.company_a)
        receivers = (
            self.env["integration.delivery"]
            .search([("event_id", "=", event.id)])
            .connector_id
        )
        # With demo data, the demo connector of company A gets it too.
        self.assertIn(connectors[self.company_a], receivers)
        self.assertEqual(receivers.company_id, self.company_a)
