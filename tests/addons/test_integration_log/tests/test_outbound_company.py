# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import tagged

from .common import OutboundCase


@tagged("post_install", "-at_install")
class TestOutboundCompany(OutboundCase):
    """An outbound event belongs to the company of its document, whatever the
    current company of the user who made the change."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.env.company
        cls.company_b = cls.env["res.company"].create({"name": "Bravo Widgets"})
        secrets = list(cls.receiver.secrets)
        cls.connector_b = cls.make_connector(
            "Bravo endpoint", company_id=cls.company_b.id
        )
        cls.receiver.secrets = secrets + cls.receiver.secrets
        products = cls.env["product.product"].create(
            [
                {
                    "name": f"Flour of {company.name}",
                    "is_storable": True,
                    "tracking": "lot",
                    "company_id": company.id,
                }
                for company in (cls.company_a, cls.company_b)
            ]
        )
        cls.lot_a, cls.lot_b = cls.env["stock.lot"].create(
            [
                {"name": "L-A", "product_id": products[0].id},
                {"name": "L-B", "product_id": products[1].id},
            ]
        )

    def emit(self, name, records, env=None):
        env = env or self.env
        return env["integration.event"]._emit_outbound(
            "test.widget.shipped.v1",
            name,
            {"name": name, "quantity": 1},
            records=records,
        )

    def connectors_of(self, event):
        return (
            self.env["integration.delivery"]
            .search([("event_id", "=", event.id)])
            .connector_id
        )

    def test_bs_document_goes_to_bs_connectors_only(self):
        self.assertEqual(self.env.company, self.company_a)
        # The first record with a company decides (the widget has none).
        event_b = self.emit("W-B", [self.make_widget("W-B"), self.lot_b])
        self.assertEqual(event_b.company_id, self.company_b)
        self.assertEqual(self.connectors_of(event_b), self.connector_b)
        # A's document from an environment whose current company is B.
        event_a = self.emit(
            "W-A", self.lot_a, self.env["base"].with_company(self.company_b).env
        )
        self.assertEqual(event_a.company_id, self.company_a)
        self.assertEqual(self.connectors_of(event_a), self.connector)
        # No record with a company: the current company.
        widget = self.make_widget("W-0")
        widget.action_ship()
        event_0 = self.env["integration.event"].search(
            [("direction", "=", "out"), ("subject", "=", "W-0")]
        )
        self.assertEqual(event_0.company_id, self.company_a)
        self.assertEqual(self.connectors_of(event_0), self.connector)

        self.run_jobs()
        deliveries = self.env["integration.delivery"].search(
            [("event_id", "in", (event_a | event_b | event_0).ids)]
        )
        self.assertEqual(set(deliveries.mapped("state")), {"delivered"})
        self.assertEqual(
            sorted(e["subject"] for e in self.receiver.events()),
            ["W-0", "W-A", "W-B"],
            "each event reached the partner once, through its company's connector",
        )
        self.assertTrue(all(r["verified"] for r in self.receiver.requests))
