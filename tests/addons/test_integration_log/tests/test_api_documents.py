# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from openapi_spec_validator import validate
from prometheus_client.parser import text_string_to_metric_families

from odoo.tests import tagged

from .common import API, BATCH, InboundCase


@tagged("post_install", "-at_install")
class TestApiDocuments(InboundCase):
    def test_openapi_document_is_valid_and_lists_routes_and_schemas(self):
        response = self.get("/openapi.json")
        self.assertEqual(response.status_code, 200)
        document = response.json()
        validate(document)
        self.assertEqual(document["openapi"], "3.1.0")
        self.assertIn("post", document["paths"][f"{API}/events"])
        self.assertIn("get", document["paths"][API + "/events/{event_id}"])
        self.assertEqual(document["paths"][f"{API}/health"]["get"]["security"], [])
        schemas = document["components"]["schemas"]
        self.assertIn("test.widget.upserted.v1", schemas)
        self.assertEqual(
            schemas["test.widget.upserted.v1"]["required"], ["name", "quantity"]
        )

    def test_schemas_catalogue_and_one_schema(self):
        catalogue = self.get("/schemas").json()["types"]
        entry = next(t for t in catalogue if t["type"] == "test.widget.upserted.v1")
        self.assertEqual(entry["direction"], "in")
        response = self.opener.get(
            self.base_url() + entry["schema_url"],
            headers={"Authorization": f"Bearer {self.token}"},
        )
        self.assertEqual(response.headers["Content-Type"], "application/schema+json")
        schema = response.json()
        self.assertEqual(
            schema["$schema"], "https://json-schema.org/draft/2020-12/schema"
        )
        self.assertFalse(schema["additionalProperties"])
        self.assertProblem(self.get("/schemas/test.nothing.v1"), 404, "not_found")

    def test_metrics_parse_and_count_events_refusals_and_latency(self):
        events = [
            self.make_event(subject=f"W-{i}", data={"name": f"W-{i}", "quantity": 1})
            for i in range(3)
        ]
        self.post(events, content_type=BATCH)
        self.post(self.make_event(), token="mis_nobody")
        self.run_jobs()
        response = self.get("/metrics")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.headers["Content-Type"].startswith("text/plain"))
        families = {f.name: f for f in text_string_to_metric_families(response.text)}
        received = {
            (s.labels["type"], s.labels["status"]): s.value
            for s in families["mfg_integration_events_received"].samples
        }
        self.assertEqual(received[("test.widget.upserted.v1", "processed")], 3)
        refusals = {
            s.labels["reason"]: s.value
            for s in families["mfg_integration_refusals"].samples
        }
        self.assertEqual(refusals["unauthorized"], 1)
        latency = families["mfg_integration_event_processing_seconds"]
        count = next(s.value for s in latency.samples if s.name.endswith("_count"))
        self.assertEqual(count, 3)
        states = {
            (s.labels["direction"], s.labels["state"]): s.value
            for s in families["mfg_integration_events"].samples
        }
        self.assertEqual(states[("in", "processed")], 3)

    def test_metrics_need_a_client_token(self):
        response = self.opener.get(self.base_url() + API + "/metrics")
        self.assertProblem(response, 401, "unauthorized")

    def test_health_is_public_and_reports_a_stuck_job_runner(self):
        response = self.opener.get(self.base_url() + API + "/health")
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()["status"], "ok")
        self.post(self.make_event())
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE queue_job SET date_created = date_created - interval '1 hour'"
        )
        self.env.cr.execute(
            "UPDATE integration_event SET received_at = received_at - interval '1 hour'"
        )
        response = self.opener.get(self.base_url() + API + "/health")
        self.assertEqual(response.status_code, 503)
        body = response.json()
        self.assertEqual(body["failing"], ["job_runner", "backlog"])
        self.assertIn("queue_job runner", body["checks"]["job_runner"]["detail"])
