# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The toy module (models/test_stock_count.py, controllers/main.py) shows a
domain module built with the kit only: an inbound type, an outbound type,
resolvers, pointer errors, document buttons and its own signed route."""

import json
import uuid

from odoo.tests import tagged

from odoo.addons.integration_log.protocol import signature

from .common import API, InboundCase

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


@tagged("post_install", "-at_install")
class TestToyModule(InboundCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.counter = cls.make_client(
            "Test Counter",
            "test.stock.*",
            groups="base.group_user,stock.group_stock_user",
        )
        cls.kgm = cls.env.ref("uom.product_uom_kgm")
        cls.product = cls.env["product.product"].create(
            {
                "name": "Toy flour",
                "default_code": "TOY-FLOUR",
                "is_storable": True,
                "tracking": "lot",
                "uom_id": cls.kgm.id,
                "uom_po_id": cls.kgm.id,
            }
        )

    def count_data(self, **overrides):
        return {
            "product": "TOY-FLOUR",
            "lot": "L-1",
            "quantity": 2500,
            "uom": "GRM",
            **overrides,
        }

    def post_count(self, data, sign=True, content_type="application/json"):
        raw = json.dumps(data).encode()
        headers = {
            "Content-Type": content_type,
            "Authorization": f"Bearer {self.token}",
        }
        if sign:
            headers.update(
                signature.sign_headers(self.secret, f"msg_{uuid.uuid4().hex}", raw)
            )
        return self.url_open(
            f"{API}/test/counts", data=raw, headers=headers, timeout=60
        )

    def counts(self):
        return self.env["test.integration.stock.count"].search(
            [("lot_id.product_id", "=", self.product.id)]
        )

    def confirmations(self):
        return self.env["integration.event"].search(
            [("event_type", "=", "test.stock.count.confirmed.v1")]
        )

    def test_an_inbound_event_is_applied_and_confirmed_with_its_trace(self):
        event = self.make_event(
            type="test.stock.counted.v1",
            subject="L-1",
            traceparent=TRACEPARENT,
            data=self.count_data(),
        )
        self.assertEqual(self.post(event).status_code, 202)
        self.run_jobs()
        self.assertEqual(self.event_record(event).state, "processed")
        count = self.counts()
        self.assertEqual(count.quantity, 2.5)
        self.assertEqual(count.lot_id.name, "L-1")
        confirmed = self.confirmations()
        self.assertEqual(len(confirmed), 1)
        self.assertEqual(confirmed.traceparent, TRACEPARENT)
        payload = json.loads(confirmed.payload)
        self.assertEqual(payload["traceparent"], TRACEPARENT)
        self.assertEqual(payload["data"]["uom"], "KGM")
        # The document mixin: both the count and the lot show their events.
        self.assertEqual(count.integration_event_count, 2)
        self.assertEqual(count.lot_id.integration_event_count, 1)
        action = count.action_view_integration_events()
        self.assertEqual(
            set(self.env["integration.event"].search(action["domain"]).ids),
            {self.event_record(event).id, confirmed.id},
        )

    def test_an_outbound_event_without_an_inbound_cause_has_no_trace(self):
        self.assertEqual(self.post_count(self.count_data()).status_code, 201)
        self.assertFalse(self.confirmations().traceparent)

    def test_the_route_records_a_signed_count(self):
        response = self.post_count(self.count_data(lot="L-2"))
        self.assertEqual(response.status_code, 201, response.text)
        self.assertEqual(response.json()["quantity"], 2.5)
        self.assertEqual(self.counts().lot_id.name, "L-2")
        self.assertEqual(len(self.confirmations()), 1)

    def test_an_unsigned_request_to_the_route_is_refused_and_logged(self):
        response = self.post_count(self.count_data(), sign=False)
        self.assertProblem(response, 401, "bad_signature")
        refusal = self.refusals("bad_signature")
        self.assertEqual(len(refusal), 1)
        self.assertEqual(refusal.client_id, self.counter)
        self.assertEqual(refusal.path, f"{API}/test/counts")
        self.assertFalse(self.counts())

    def test_the_route_refuses_what_the_pipeline_checks(self):
        self.assertProblem(
            self.post_count(self.count_data(), content_type="text/plain"),
            415,
            "unsupported_media_type",
        )
        problem = self.assertProblem(
            self.post_count(self.count_data(quantity=-1)), 400, "invalid_data"
        )
        self.assertEqual(problem["errors"][0]["pointer"], "/data/quantity")
        self.counter.allowed_event_types = "test.widget.*"
        self.assertProblem(self.post_count(self.count_data()), 403, "type_forbidden")
        self.assertFalse(self.counts())

    def test_a_kit_error_names_the_pointer_and_the_value_and_writes_nothing(self):
        problem = self.assertProblem(
            self.post_count(self.count_data(product="NOPE")), 404, "not_found"
        )
        self.assertEqual(
            problem["errors"],
            [
                {
                    "pointer": "/data/product",
                    "message": "no product with internal reference 'NOPE'.",
                    "value": "NOPE",
                }
            ],
        )
        problem = self.assertProblem(
            self.post_count(self.count_data(uom="C62")), 400, "invalid_request"
        )
        self.assertEqual(problem["errors"][0]["pointer"], "/data/uom")
        self.assertFalse(self.counts())
        self.assertFalse(
            self.env["stock.lot"].search([("product_id", "=", self.product.id)])
        )

    def test_the_form_of_a_consumer_shows_the_integration_buttons(self):
        arch = self.env["test.integration.stock.count"].get_view(view_type="form")
        self.assertIn('name="action_view_integration_events"', arch["arch"])
        self.assertIn('name="action_view_integration_deliveries"', arch["arch"])
