# Copyright 2026 Mfg Integration Suite Authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import ast
import json
import uuid
from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from odoo.addons.quality_release_gate.tests.common import QMS, QualityCase

ACTION = "mfg_integration_suite.mfg_cockpit_action"
INTEGRATION_USER = "integration_log.group_integration_user"
# What the kanban reads of a tile.
CARD_FIELDS = (
    "name",
    "section",
    "value_display",
    "state",
    "color",
    "detail",
    "graph_line",
    "graph_line_title",
    "graph_bars",
    "graph_bars_title",
)
# In the web client: the sections, the charts of the dashboard_graph widget,
# and a click on a tile that opens its records.
BROWSER_CHECK = """
(async () => {
    const until = async (find, what) => {
        for (let tries = 0; tries < 300; tries++) {
            const found = find();
            if (found) {
                return found;
            }
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
        throw new Error(`Operations Cockpit: ${what} not shown`);
    };
    const cockpit = ".o_mfg_cockpit";
    await until(
        () => document.querySelectorAll(`${cockpit} .o_kanban_group`).length >= 4,
        "the sections"
    );
    await until(
        () => document.querySelector(`${cockpit} .o_dashboard_graph canvas`),
        "the charts"
    );
    const tile = await until(
        () => [...document.querySelectorAll(`${cockpit} .o_kanban_record`)].find(
            (card) => card.textContent.includes("Messages from partners that failed")
        ),
        "the tile of dead events"
    );
    tile.click();
    await until(() => document.querySelector(".o_list_view"), "the dead events");
    console.log("test successful");
})();
"""


@tagged("post_install", "-at_install")
class TestCockpit(QualityCase):
    """Each figure of the Operations Cockpit moves by what happens in the
    plant, is coloured by its thresholds and opens exactly its records, for
    the companies and the areas the user may see."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Partners get only the deliveries the tests make (demo connectors
        # would get those of the orders' events).
        cls.env["integration.connector"].search([]).active = False
        Host = cls.env["integration.allowed.host"].with_context(active_test=False)
        host = Host.search([("name", "=", "127.0.0.1")])
        (host or Host.create({"name": "127.0.0.1"})).active = True
        # Archived: it gets no delivery but those the tests make, and the
        # cockpit still counts them.
        cls.connector = cls.env["integration.connector"].create(
            {
                "name": "Cockpit QMS",
                "url": "http://127.0.0.1:9/qms",
                "event_types": "mfg.inspection.*",
                "active": False,
            }
        )

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def figures(self, env=None):
        env = env or self.env
        keys = env["mfg.cockpit.tile"].search([]).mapped("figure")
        return env["mfg.cockpit"]._figures(keys)

    def tile(self, figure, env=None):
        return (env or self.env)["mfg.cockpit.tile"].search([("figure", "=", figure)])

    def opened(self, figure):
        """The records the tile of ``figure`` opens."""
        action = self.tile(figure).action_open_records()
        return self.env[action["res_model"]].search(action["domain"])

    def event(self, state, direction="in", **values):
        return self.env["integration.event"].create(
            {
                "direction": direction,
                "cloudevent_id": str(uuid.uuid4()),
                "source": QMS,
                "event_type": "mfg.inspection.completed.v1",
                "subject": "CK-1",
                "event_time": fields.Datetime.now(),
                "state": state,
                "client_id": self.qms.id if direction == "in" else False,
                **values,
            }
        )

    def outbound_delivery(self, state):
        event = self.event("processed", direction="out")
        return self.env["integration.delivery"].create(
            {
                "event_id": event.id,
                "connector_id": self.connector.id,
                "company_id": self.company.id,
                "event_type": event.event_type,
                "subject": event.subject,
                "state": state,
            }
        )

    def attempts(self, *outcomes):
        """Delivery attempts to the test connector: ``(state, latency ms)``."""
        Log = self.env["integration.log.entry"]
        delivery = self.outbound_delivery("retrying")
        Log._append(
            [
                Log._vals_for(
                    delivery,
                    "delivery",
                    connector_id=self.connector.id,
                    state=state,
                    latency_ms=latency,
                )
                for state, latency in outcomes
            ]
        )
        return Log.search(
            [("delivery_id", "=", delivery.id), ("kind", "=", "delivery")]
        )

    def production(self):
        production = self.env["mrp.production"].create(
            {"product_id": self.sub.id, "product_qty": 1}
        )
        production.action_confirm()
        return production

    # ------------------------------------------------------------------
    # What happens in the plant
    # ------------------------------------------------------------------
    def make_plant_happen(self):
        """Something for every figure; ``{figure: records it adds}``."""
        now = fields.Datetime.now()
        created = dict(self._quality_happens(now))
        created.update(self._production_happens(now))
        created.update(self._integration_happens(now))
        return created

    def _quality_happens(self, now):
        self.receive(self.raw, {"CK-1": 1, "CK-2": 1})
        waiting, released = self.lot(self.raw, "CK-1"), self.lot(self.raw, "CK-2")
        two_days_ago = now - timedelta(days=2)
        waiting._quality_write(
            {
                "quality_pending_since": two_days_ago,
                "quality_release_deadline": two_days_ago + timedelta(hours=24),
            }
        )
        self.decide(self.quality_manager, released, "release", "Certificate checked")
        self.put_in_stock(self.plain, {"CK-H": 2})
        held = self.lot(self.plain, "CK-H")
        self.decide(self.inspector, held, "hold", "Wet cartons")
        Log = self.env["quality.lot.disposition.log"]
        return {
            "lots_awaiting_release": waiting,
            "lots_on_hold": held.quality_hold_ids,
            "deliveries_blocked": self.delivery(self.plain, {"CK-H": 1}),
            "trend_lots_released": Log.search(
                [("lot_id", "=", released.id), ("disposition", "=", "released")]
            ),
            "trend_lots_held": Log.search(
                [("lot_id", "=", held.id), ("action", "=", "hold")]
            ),
        }

    def _production_happens(self, now):
        not_started, late = self.production(), self.production()
        self.assertEqual(not_started.mes_status, "released")
        # Past the MES start alert (8 h by default).
        not_started.mes_released_at = now - timedelta(hours=10)
        late.write({"mes_status": "started", "mes_started_at": now - timedelta(days=3)})
        # The planned finish after the start: a new start moves it.
        late.date_start = now - timedelta(days=3)
        late.date_finished = now - timedelta(days=2)
        drift = self.env["mrp.trace.drift"].create(
            {"production_id": late.id, "kind": "quantity", "detail": "Made 3, not 1"}
        )
        release = self.env["plm.bom.release"].create(
            {
                "item": "CK-SUB",
                "product_tmpl_id": self.sub.product_tmpl_id.id,
                "revision": "B",
                "effective_from": now,
                "approval": "pending",
                "state": "pending",
                "company_id": self.company.id,
                "released_at": now,
            }
        )
        return {
            "mo_not_started": not_started,
            "mo_completion_missing": late,
            "mes_drifts": drift,
            "bom_pending_approval": release,
        }

    def _integration_happens(self, now):
        dead = self.event("dead", processed_at=now)
        waiting = self.event("received")
        processed = self.event(
            "processed", received_at=now - timedelta(seconds=30), processed_at=now
        )
        attempts = self.attempts(("delivered", 100), ("retrying", 900))
        return {
            "events_dead": dead,
            "inbound_backlog": waiting,
            "processing_latency": processed,
            "deliveries_dead": self.outbound_delivery("dead"),
            "delivery_backlog": self.outbound_delivery("pending")
            | attempts.delivery_id,
            "delivery_latency": attempts,
            "trend_events_accepted": dead | waiting | processed,
            "trend_events_processed": processed,
            "trend_events_dead": dead,
            "trend_deliveries_delivered": attempts.filtered(
                lambda a: a.state == "delivered"
            ),
            "trend_deliveries_failed": attempts.filtered(
                lambda a: a.state != "delivered"
            ),
        }

    # ------------------------------------------------------------------
    # Tests
    # ------------------------------------------------------------------
    def test_each_figure_moves_by_what_happened_and_opens_its_records(self):
        before = self.figures()
        opened_before = {key: self.opened(key) for key in before}
        created = self.make_plant_happen()
        self.assertEqual(set(created), set(before), "every figure is exercised")
        after = self.figures()
        counted = set(created) - {"processing_latency", "delivery_latency"}
        for key in sorted(created):
            with self.subTest(figure=key):
                self.assertEqual(self.opened(key) - opened_before[key], created[key])
                if key in counted:
                    self.assertEqual(
                        after[key]["value"] - before[key]["value"], len(created[key])
                    )

    def test_latencies_are_those_of_the_partners(self):
        self.make_plant_happen()
        figures = self.figures()
        # 95th percentile of 100 and 900 ms: 860 ms.
        self.assertIn(("Cockpit QMS", 860), figures["delivery_latency"]["bars"][1])
        self.assertGreaterEqual(figures["delivery_latency"]["value"], 860)
        self.assertIn(("Plant QMS", 30.0), figures["processing_latency"]["bars"][1])
        self.assertIn(("Plant QMS", 1), figures["events_dead"]["bars"][1])

    def test_thresholds_colour_the_tiles(self):
        before = self.figures()
        self.make_plant_happen()
        # What each figure's alert measure gained.
        gained = {
            "lots_awaiting_release": 1,  # one more lot past its deadline
            "lots_on_hold": 1,
            "deliveries_blocked": 1,
            "mo_not_started": 1,  # one more past the MES start alert
            "mo_completion_missing": 1,
            "mes_drifts": 1,
            "events_dead": 1,
            "deliveries_dead": 1,
            "trend_events_dead": 1,
            "trend_deliveries_failed": 1,
            "trend_lots_held": 1,
        }
        for key, gain in gained.items():
            with self.subTest(figure=key):
                tile = self.tile(key)
                level = before[key]["level"] + gain
                tile.write({"warning_threshold": level, "danger_threshold": level + 1})
                self.assertEqual((tile.state, tile.color), ("warning", 2))
                tile.danger_threshold = level
                self.assertEqual((tile.state, tile.color), ("danger", 1))
                tile.write({"warning_threshold": 0, "danger_threshold": 0})
                self.assertEqual((tile.state, tile.color), ("ok", 10))

    def test_graphs_are_what_the_dashboard_graph_widget_reads(self):
        dead = self.tile("trend_events_dead")
        before_line = json.loads(dead.graph_line)[0]["values"]
        before_bars = json.loads(dead.graph_bars)[0]["values"]
        self.make_plant_happen()
        dead.invalidate_recordset()
        line = json.loads(dead.graph_line)[0]
        bars = json.loads(dead.graph_bars)[0]
        self.assertEqual(len(line["values"]), 24)
        self.assertEqual(len(bars["values"]), 14)
        self.assertEqual(line["values"][-1]["y"] - before_line[-1]["y"], 1)
        self.assertEqual(bars["values"][-1]["value"] - before_bars[-1]["value"], 1)
        self.assertFalse(line["is_sample_data"])
        self.assertTrue(all({"x", "y"} <= set(point) for point in line["values"]))
        self.assertTrue(
            all({"label", "value", "type"} <= set(point) for point in bars["values"])
        )
        holds = json.loads(self.tile("lots_on_hold").graph_bars)[0]["values"]
        self.assertEqual(
            [point["label"] for point in holds],
            ["Nonconformance", "QMS decision", "Recall", "Manual"],
        )
        self.assertFalse(self.tile("lots_on_hold").graph_line)

    def test_a_single_bom_release_opens_its_form(self):
        pending = self.env["plm.bom.release"].search([("state", "=", "pending")])
        pending.write({"state": "superseded"})
        release = self.make_plant_happen()["bom_pending_approval"]
        action = self.tile("bom_pending_approval").action_open_records()
        self.assertEqual(
            (action["res_id"], action["views"]), (release.id, [(False, "form")])
        )
        holds = self.tile("lots_on_hold").action_open_records()
        self.assertEqual(holds["context"]["group_by"], ["source"])

    def test_figures_are_those_of_the_allowed_companies(self):
        other = self.env["res.company"].create({"name": "Plant Two"})
        user = new_test_user(
            self.env,
            "cockpit_two_plants",
            INTEGRATION_USER,
            company_id=self.company.id,
            company_ids=[Command.set([self.company.id, other.id])],
        )
        self.event("dead", company_id=other.id)
        self.event("dead", company_id=self.company.id)
        one = self.env(user=user, context={"allowed_company_ids": [self.company.id]})
        both = self.env(
            user=user, context={"allowed_company_ids": [self.company.id, other.id]}
        )
        self.assertEqual(
            self.figures(both)["events_dead"]["value"]
            - self.figures(one)["events_dead"]["value"],
            1,
        )
        tile = self.tile("events_dead", one).with_env(both)
        self.assertEqual(tile.value, self.figures(both)["events_dead"]["value"])

    def test_an_integration_user_sees_the_integration_figures(self):
        user = new_test_user(self.env, "cockpit_integrator", INTEGRATION_USER)
        env = self.env(user=user)
        domain = ast.literal_eval(
            env["ir.actions.act_window"]._for_xml_id(ACTION)["domain"]
        )
        Tile = env["mfg.cockpit.tile"]
        groups = Tile.web_read_group(domain, ["section"], ["section"])
        self.assertEqual(
            [group["section"] for group in groups["groups"]],
            ["production", "integration", "trends"],
        )
        cards = Tile.web_search_read(domain, {name: {} for name in CARD_FIELDS})[
            "records"
        ]
        self.assertIn("events_dead", Tile.search(domain).mapped("figure"))
        self.assertNotIn("no_access", {card["state"] for card in cards})
        # Hidden, and still safe when opened directly.
        lots = self.tile("lots_awaiting_release", env)
        self.assertEqual((lots.state, lots.value_display), ("no_access", "—"))
        with self.assertRaises(AccessError):
            lots.action_open_records()
        self.assertTrue(self.tile("events_dead", env).action_open_records())

    def test_the_cockpit_is_the_first_menu_and_a_home_action(self):
        cockpit = self.env.ref(ACTION)
        menu = self.env.ref("integration_log.integration_overview_menu")
        self.assertEqual((menu.name, menu.action), ("Operations Cockpit", cockpit))
        siblings = self.env["ir.ui.menu"].search(
            [("parent_id", "=", menu.parent_id.id)]
        )
        self.assertEqual(siblings[0], menu)
        admin = self.env.ref("base.user_admin")
        admin.action_id = cockpit.id
        self.assertEqual(admin.action_id.id, cockpit.id)

    def test_the_web_client_loads_the_cockpit(self):
        new_test_user(self.env, "cockpit_web", INTEGRATION_USER)
        self.authenticate("cockpit_web", "cockpit_web")
        response = self.url_open(f"/odoo/action-{ACTION}")
        self.assertEqual(response.status_code, 200)
        action = self.make_jsonrpc_request("/web/action/load", {"action_id": ACTION})
        self.assertEqual(action["res_model"], "mfg.cockpit.tile")
        views = self.make_jsonrpc_request(
            "/web/dataset/call_kw/mfg.cockpit.tile/get_views",
            {
                "model": "mfg.cockpit.tile",
                "method": "get_views",
                "args": [[[False, "kanban"], [False, "search"]]],
                "kwargs": {},
            },
        )
        self.assertIn("dashboard_graph", views["views"]["kanban"]["arch"])
        cards = self.make_jsonrpc_request(
            "/web/dataset/call_kw/mfg.cockpit.tile/web_search_read",
            {
                "model": "mfg.cockpit.tile",
                "method": "web_search_read",
                "args": [],
                "kwargs": {
                    "domain": ast.literal_eval(action["domain"]),
                    "specification": {name: {} for name in CARD_FIELDS},
                },
            },
        )
        self.assertTrue(cards["records"])

    def test_the_cockpit_draws_its_charts_and_opens_records_in_a_browser(self):
        self.event("dead", processed_at=fields.Datetime.now())
        self.browser_js(
            f"/odoo/action-{ACTION}",
            BROWSER_CHECK,
            login="admin",
            timeout=90,
        )
