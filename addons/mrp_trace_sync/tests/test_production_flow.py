# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import csv
import io
import json

from odoo.tests import tagged

from .common import PlantCase


@tagged("post_install", "-at_install")
class TestProductionFlow(PlantCase):
    """Two-level production driven by MES events, then trace and recall."""

    def _run_plant(self):
        # Sub-assemblies: MO of 2, completed in two reports (backorder, scrap).
        mo_sub = self.make_mo(self.sub, 2)
        released = self.env["integration.event"].search(
            [("direction", "=", "out"), ("subject", "=", mo_sub.name)]
        )
        self.assertEqual(len(released), 1)
        data = released._get_data()
        self.assertEqual(data["product"], "SUB")
        self.assertEqual(data["uom"], "C62")
        self.assertEqual(
            data["components"],
            [{"product": "RAW", "quantity": 4.0, "uom": "KGM", "tracking": "lot"}],
        )
        self.assertEqual(mo_sub.mes_status, "released")
        name = mo_sub.name
        event = self.send(
            "mfg.production.started.v1",
            name,
            {
                "production": name,
                "started_at": "2026-03-02T07:00:00Z",
                "workcenter": "Press 1",
            },
        )
        self.assertEqual(event.state, "processed", event.error)
        self.assertEqual(mo_sub.mes_status, "started")
        event = self.send(
            "mfg.material.consumed.v1",
            name,
            {
                "production": name,
                "lines": [
                    {"product": "RAW", "lot": "R-1", "quantity": 2000, "uom": "GRM"}
                ],
            },
        )
        self.assertEqual(event.state, "processed", event.error)
        event = self.send(
            "mfg.production.completed.v1",
            name,
            {
                "production": name,
                "completed_at": "2026-03-02T09:00:00Z",
                "outputs": [
                    {
                        "lot": "S-1",
                        "quantity": 1,
                        "uom": "C62",
                        "expiration_date": "2027-03-02T00:00:00Z",
                    }
                ],
                "scrap": [
                    {
                        "product": "RAW",
                        "lot": "R-1",
                        "quantity": 0.5,
                        "uom": "KGM",
                        "reason": "Spill",
                    }
                ],
                "close": False,
            },
        )
        self.assertEqual(event.state, "processed", event.error)
        result = json.loads(event.result)
        backorder = self.env["mrp.production"].search(
            [("name", "=", result["backorder"])]
        )
        self.assertEqual(mo_sub.state, "done")
        self.assertEqual(mo_sub.mes_status, "completed")
        self.assertEqual(backorder.state, "confirmed")
        self.assertEqual(backorder.product_qty, 1)
        self.assertEqual(
            backorder.mes_status, "released", "the backorder goes to the MES"
        )
        self.assertEqual(self.lot(self.sub, "S-1").expiration_date.year, 2027)
        scrap = self.env["stock.scrap"].search([("production_id", "=", mo_sub.id)])
        self.assertEqual(scrap.scrap_qty, 0.5)
        self.assertEqual(scrap.lot_id, self.lot(self.raw, "R-1"))
        self.assertEqual(scrap.scrap_reason_tag_ids.name, "Spill")
        event = self.send(
            "mfg.production.completed.v1",
            backorder.name,
            {
                "production": backorder.name,
                "completed_at": "2026-03-02T11:00:00Z",
                "outputs": [{"lot": "S-2", "quantity": 1, "uom": "C62"}],
                "consumed": [
                    {"product": "RAW", "lot": "R-2", "quantity": 2, "uom": "KGM"}
                ],
            },
        )
        self.assertEqual(event.state, "processed", event.error)
        self.assertEqual(backorder.state, "done")
        # Finished goods: two serials in one report.
        mo_fg = self.make_mo(self.fg, 2)
        before = self.released_events()
        event = self.complete_serials(
            mo_fg,
            ["SN-1", "SN-2"],
            consumed=[
                {"product": "SUB", "lot": "S-1", "quantity": 1, "uom": "C62"},
                {"product": "SUB", "lot": "S-2", "quantity": 1, "uom": "C62"},
            ],
        )
        self.assertEqual(event.state, "processed", event.error)
        # One order per serial, as Odoo's mass production makes them.
        names = json.loads(event.result)["productions"]
        fg_orders = self.env["mrp.production"].search([("name", "in", names)])
        self.assertEqual(fg_orders.mapped("state"), ["done", "done"])
        by_serial = {o.lot_producing_id.name: o for o in fg_orders}
        self.assertEqual(sorted(by_serial), ["SN-1", "SN-2"])
        self.assertEqual(
            self.released_events(),
            before,
            "the MES made those serials: their orders are not announced to it",
        )
        shipment = self.ship(self.fg, {"SN-1": 1})
        return mo_sub, backorder, by_serial, shipment

    def complete_serials(self, production, serials, **data):
        """The MES reports ``serials`` of ``production`` made in one report."""
        return self.send(
            "mfg.production.completed.v1",
            production.name,
            {
                "production": production.name,
                "completed_at": "2026-03-03T09:00:00Z",
                "outputs": [{"lot": s, "quantity": 1, "uom": "C62"} for s in serials],
                **data,
            },
        )

    def released_events(self):
        return self.env["integration.event"].search(
            [
                ("direction", "=", "out"),
                ("event_type", "=", "mfg.production.released.v1"),
            ]
        )

    def test_partial_serial_report_releases_only_the_rest_to_the_mes(self):
        self.receive(self.sub, {"S-7": 3})
        mo_fg = self.make_mo(self.fg, 3)
        before = self.released_events()
        event = self.complete_serials(mo_fg, ["SN-71", "SN-72"], close=False)
        self.assertEqual(event.state, "processed", event.error)
        result = json.loads(event.result)
        serial_orders = self.env["mrp.production"].search(
            [("name", "in", result["productions"])]
        )
        rest = self.env["mrp.production"].search([("name", "=", result["backorder"])])
        self.assertEqual(serial_orders.mapped("state"), ["done", "done"])
        self.assertEqual((rest.state, rest.product_qty), ("confirmed", 1))
        released = self.released_events() - before
        self.assertEqual(
            released.mapped("subject"), [rest.name], "the rest only is new work"
        )
        self.assertEqual(released._get_data()["quantity"], 1)
        self.assertEqual(rest.mes_status, "released")

    def test_two_level_production_trace_and_recall(self):
        mo_sub, backorder, fg, shipment = self._run_plant()
        dispatched = self.env["integration.event"].search(
            [("event_type", "=", "mfg.shipment.dispatched.v1")]
        )
        self.assertEqual(
            dispatched._get_data()["lines"],
            [{"product": "FG", "lot": "SN-1", "quantity": 1.0, "uom": "C62"}],
        )
        self.assertEqual(dispatched._get_data()["customer"], "ACME Motors")

        # Ground truth: what each completion consumed went into what it made;
        # serials reported together take the components in reported order.
        truth = {
            ("RAW", "R-1", "SUB", "S-1", mo_sub.name),
            ("RAW", "R-2", "SUB", "S-2", backorder.name),
            ("SUB", "S-1", "FG", "SN-1", fg["SN-1"].name),
            ("SUB", "S-2", "FG", "SN-2", fg["SN-2"].name),
        }

        def edges(trace):
            return {
                (
                    e["from"]["product"],
                    e["from"]["lot"],
                    e["to"]["product"],
                    e["to"]["lot"],
                    e["production"],
                )
                for e in trace["edges"]
            }

        response = self.get(
            "/lots/trace", product="FG", lot="SN-1", direction="backward"
        )
        self.assertEqual(response.status_code, 200, response.text)
        backward = response.json()
        self.assertEqual(edges(backward), {e for e in truth if e[1] in ("R-1", "S-1")})
        self.assertEqual(
            {tuple(n.values()) for n in backward["nodes"]},
            {
                ("FG", "SN-1", 1.0, "C62"),
                ("SUB", "S-1", 1.0, "C62"),
                ("RAW", "R-1", 10.0, "KGM"),
            },
            "each lot with the quantity that came in: received or produced",
        )
        self.assertEqual(
            [(r["receipt"], r["supplier"], r["lot"]) for r in backward["receipts"]],
            [(self.receipt.name, "Steel & Co", "R-1")],
        )
        self.assertEqual(backward["shipments"], [])

        forward = self.get(
            "/lots/trace", product="RAW", lot="R-1", direction="forward"
        ).json()
        self.assertEqual(edges(forward), {e for e in truth if e[1] in ("R-1", "S-1")})
        self.assertEqual(
            [(s["shipment"], s["customer"], s["lot"]) for s in forward["shipments"]],
            [(shipment.name, "ACME Motors", "SN-1")],
        )
        both = self.get("/lots/trace", product="SUB", lot="S-2").json()
        self.assertEqual(edges(both), {e for e in truth if "S-2" in (e[1], e[3])})
        self.assertEqual(both["shipments"], [], "SN-2 is still in stock")

        response = self.get("/lots/recall", product="RAW", lot="R-1")
        self.assertEqual(response.status_code, 200, response.text)
        recall = response.json()
        self.assertEqual(
            {(lot["product"], lot["lot"]) for lot in recall["lots"]},
            {("RAW", "R-1"), ("SUB", "S-1"), ("FG", "SN-1")},
        )
        stock = {(s["product"], s["lot"]): s["quantity"] for s in recall["stock"]}
        self.assertEqual(stock, {("RAW", "R-1"): 7.5})
        self.assertEqual(
            recall["customers"],
            [{"customer": "ACME Motors", "shipments": [shipment.name]}],
        )
        recall_s2 = self.get("/lots/recall", product="RAW", lot="R-2").json()
        self.assertEqual(recall_s2["customers"], [])
        self.assertEqual(
            {(s["product"], s["lot"]) for s in recall_s2["stock"]},
            {("RAW", "R-2"), ("FG", "SN-2")},
        )

    def test_unknown_lots_and_bad_parameters_are_problems(self):
        self.assertProblem(
            self.get("/lots/trace", product="RAW", lot="NOPE"), 404, "not_found"
        )
        self.assertProblem(
            self.get("/lots/trace", product="NOPE", lot="R-1"), 404, "not_found"
        )
        self.assertProblem(
            self.get("/lots/trace", product="RAW", lot="R-1", direction="up"),
            400,
            "invalid_request",
        )
        self.assertProblem(
            self.get("/lots/trace", product="RAW", lot="R-1", format="pdf"),
            400,
            "invalid_request",
        )
        self.assertProblem(self.get("/lots/recall", lot="R-1"), 400, "invalid_request")
        self.assertProblem(
            self.get("/lots/trace", product="RAW", lot="R-1", token="bad"),
            401,
            "unauthorized",
        )

    def test_exports_epcis_csv_xlsx(self):
        mo_sub, _backorder, fg, _shipment = self._run_plant()
        response = self.get("/lots/trace", product="FG", lot="SN-1", format="epcis")
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.headers["Content-Type"], "application/ld+json")
        document = response.json()
        self.assertEqual(document["type"], "EPCISDocument")
        self.assertEqual(document["schemaVersion"], "2.0")
        self.assertIn("epcis-context.jsonld", document["@context"][0])
        events = document["epcisBody"]["eventList"]
        transformations = [e for e in events if e["type"] == "TransformationEvent"]
        self.assertEqual(
            sorted(t["transformationID"] for t in transformations),
            sorted(
                "urn:mfg-integration:production:" + name.replace("/", "%2F")
                for name in (mo_sub.name, fg["SN-1"].name)
            ),
            "one TransformationEvent per MO",
        )
        for transformation in transformations:
            self.assertTrue(transformation["inputQuantityList"])
            self.assertTrue(transformation["outputQuantityList"])
        self.assertEqual(
            [e["bizStep"] for e in events if e["type"] == "ObjectEvent"],
            ["receiving", "shipping"],
        )
        csv_response = self.get("/lots/recall", product="RAW", lot="R-1", format="csv")
        self.assertEqual(csv_response.status_code, 200, csv_response.text)
        rows = list(csv.reader(io.StringIO(csv_response.text)))
        self.assertEqual(rows[0][0], "Critical tracking event")
        self.assertEqual(
            [row[0] for row in rows[1:]],
            ["Receiving", "Transformation", "Transformation", "Shipping", "On hand"],
            "the recall spreadsheet has every event of the affected lots",
        )
        xlsx = self.get("/lots/trace", product="FG", lot="SN-1", format="xlsx")
        self.assertEqual(xlsx.status_code, 200)
        self.assertEqual(xlsx.content[:2], b"PK")

    def test_genealogy_and_recall_from_the_lot_form(self):
        self._run_plant()
        lot = self.lot(self.raw, "R-1")
        action = lot.action_open_genealogy()
        wizard = self.env[action["res_model"]].browse(action["res_id"])
        self.assertEqual(wizard.lot_count, 3)
        self.assertIn("shipment", wizard.line_ids.mapped("kind"))
        download = wizard.with_context(export_format="epcis").action_download()
        self.authenticate("admin", "admin")
        response = self.url_open(download["url"])
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["type"], "EPCISDocument")
        action = lot.action_open_recall()
        recall = self.env[action["res_model"]].browse(action["res_id"])
        self.assertEqual(recall.customer_count, 1)
        self.assertEqual(recall.stock_summary, "7.5 KGM")

    def test_schedule_update_reports_conflicts_and_releases_again(self):
        waiting = self.make_mo(self.sub, 1)
        running = self.make_mo(self.sub, 1)
        self.send(
            "mfg.production.started.v1",
            running.name,
            {"production": running.name, "started_at": "2026-03-02T07:00:00Z"},
        )
        event = self.send(
            "mfg.schedule.updated.v1",
            "scheduler-1",
            {
                "orders": [
                    {
                        "production": waiting.name,
                        "planned_start": "2026-03-05T06:00:00Z",
                        "planned_finish": "2026-03-05T10:00:00Z",
                    },
                    {
                        "production": running.name,
                        "planned_start": "2026-03-05T06:00:00Z",
                        "planned_finish": "2026-03-05T10:00:00Z",
                    },
                ]
            },
        )
        self.assertEqual(event.state, "processed", event.error)
        result = json.loads(event.result)
        self.assertEqual(result["applied"], [waiting.name])
        self.assertEqual([c["production"] for c in result["conflicts"]], [running.name])
        self.assertEqual(waiting.date_start.isoformat(), "2026-03-05T06:00:00")
        released = self.env["integration.event"].search(
            [("direction", "=", "out"), ("subject", "=", waiting.name)], order="id"
        )
        self.assertEqual(len(released), 2, "released again with the new dates")
        self.assertNotEqual(released[0].cloudevent_id, released[1].cloudevent_id)

    def test_reconciliation_and_metrics(self):
        # The demo data may already allow this host.
        Host = self.env["integration.allowed.host"].with_context(active_test=False)
        host = Host.search([("name", "=", "127.0.0.1")])
        (host or Host.create({"name": "127.0.0.1"})).active = True
        connectors = self.env["integration.connector"].create(
            [
                {
                    "name": name,
                    "url": "http://127.0.0.1:9/events",
                    "event_types": types,
                    "active": False,  # figures only: nothing is sent
                }
                for name, types in (
                    ("MES", "mfg.production.*"),
                    ("Carrier", "mfg.shipment.dispatched.v1"),
                )
            ]
        )
        mes, carrier = connectors
        late = self.make_mo(self.sub, 1)
        late.mes_released_at = "2026-01-01 00:00:00"
        self.assertEqual(
            (mes.releases_productions, mes.mes_unacknowledged_count),
            (True, 1),
            "the MES connector's dashboard card shows the waiting order",
        )
        self.assertGreater(mes.mes_unacknowledged_hours, 24)
        self.assertEqual(
            (carrier.releases_productions, carrier.mes_unacknowledged_count),
            (False, 0),
        )
        action = mes.action_view_mes_unacknowledged()
        self.assertEqual(action["res_model"], "mrp.production")
        self.assertIn("search_default_mes_unacknowledged", action["context"])
        self.env["mrp.trace.drift"].action_reconcile()
        drift = self.env["mrp.trace.drift"].search([("production_id", "=", late.id)])
        self.assertEqual(drift.kind, "not_started")
        self.assertEqual(drift.action_open_production()["res_id"], late.id)
        metrics = self.get("/metrics").text
        self.assertIn(
            'mfg_integration_productions_unacknowledged{measure="count"} 1.0', metrics
        )
        self.send(
            "mfg.production.started.v1",
            late.name,
            {"production": late.name, "started_at": "2026-03-02T07:00:00Z"},
        )
        self.env["mrp.trace.drift"].action_reconcile()
        self.assertTrue(drift.resolved)
        connectors.invalidate_recordset()
        self.assertEqual(mes.mes_unacknowledged_count, 0)
