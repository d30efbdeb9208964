# Copyright 2026 Mfg Integration Suite Authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common import QualityCase


@tagged("post_install", "-at_install")
class TestObservability(QualityCase):
    """Lots awaiting release against their SLA, holds by source and blocked
    transfers: on the dashboard, in /metrics, in the kanban and on the
    forms."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Host = cls.env["integration.allowed.host"].with_context(active_test=False)
        host = Host.search([("name", "=", "127.0.0.1")])
        (host or Host.create({"name": "127.0.0.1"})).active = True
        cls.connector = cls.env["integration.connector"].create(
            {
                "name": "QMS (figures only)",
                "url": "http://127.0.0.1:9/qms",
                "event_types": "mfg.inspection.*",
                "active": False,
            }
        )

    def test_figures_dashboard_metrics(self):
        Lot = self.env["stock.lot"]
        before = Lot._quality_figures()
        self.receive(self.raw, {"V-1": 1, "V-2": 1})
        late = self.lot(self.raw, "V-1")
        two_days_ago = fields.Datetime.now() - timedelta(days=2)
        late._quality_write(
            {
                "quality_pending_since": two_days_ago,
                "quality_release_deadline": two_days_ago + timedelta(hours=24),
            }
        )
        self.assertTrue(late.quality_overdue)
        self.assertIn(late, Lot.search([("quality_overdue", "=", True)]))
        self.put_in_stock(self.plain, {"V-3": 2})
        held = self.lot(self.plain, "V-3")
        self.decide(self.inspector, held, "hold", "Wet cartons")
        blocked = self.delivery(self.plain, {"V-3": 1})
        figures = Lot._quality_figures()
        self.assertEqual(figures["awaiting"] - before["awaiting"], 2)
        self.assertEqual(figures["overdue"] - before["overdue"], 1)
        self.assertGreaterEqual(figures["oldest_seconds"], 2 * 86400 - 60)
        self.assertEqual(figures["holds"]["manual"] - before["holds"]["manual"], 1)
        self.assertEqual(figures["blocked_transfers"] - before["blocked_transfers"], 1)
        self.assertEqual(figures["lots"]["hold"] - before["lots"].get("hold", 0), 1)
        self.check_dashboard(figures, blocked)
        self.check_metrics(figures)

    def check_dashboard(self, figures, blocked):
        connector = self.connector
        self.assertTrue(connector.requests_inspections)
        self.assertEqual(
            (
                connector.quality_awaiting_count,
                connector.quality_overdue_count,
                connector.quality_blocked_count,
            ),
            (figures["awaiting"], figures["overdue"], figures["blocked_transfers"]),
        )
        self.assertGreaterEqual(connector.quality_awaiting_hours, 47.9)
        self.assertEqual(
            connector.action_view_quality_blocked()["context"],
            {"search_default_quality_blocked": 1},
        )
        self.assertIn(
            blocked,
            self.env["stock.picking"].search([("quality_blocked", "=", True)]),
        )
        self.assertIn(
            "V-3 of Q-BOX: On hold (Manual: Wet cartons)", blocked.quality_block_reason
        )

    def check_metrics(self, figures):
        metrics = self.get("/metrics").text
        self.assertIn(
            'mfg_quality_lots_awaiting_release{measure="count"} '
            f"{float(figures['awaiting'])}",
            metrics,
        )
        self.assertIn(
            f'mfg_quality_holds_active{{source="manual"}} '
            f"{float(figures['holds']['manual'])}",
            metrics,
        )
        self.assertIn(
            f"mfg_quality_transfers_blocked {float(figures['blocked_transfers'])}",
            metrics,
        )

    def test_kanban_by_disposition(self):
        self.receive(self.raw, {"K-1": 1})
        self.put_in_stock(self.plain, {"K-2": 1})
        self.decide(self.inspector, self.lot(self.plain, "K-2"), "hold", "Check")
        groups = self.env["stock.lot"].web_read_group(
            [("quality_log_ids", "!=", False), ("name", "in", ("K-1", "K-2"))],
            ["quality_disposition"],
            ["quality_disposition"],
        )["groups"]
        counts = {
            g["quality_disposition"]: g["quality_disposition_count"] for g in groups
        }
        self.assertEqual(
            counts, {"pending": 1, "hold": 1, "released": 0, "rejected": 0}
        )
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "quality_release_gate.stock_lot_disposition_action"
        )
        self.assertEqual(action["view_mode"], "kanban,list,form")
