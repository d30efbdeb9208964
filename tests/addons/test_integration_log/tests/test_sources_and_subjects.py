# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import BATCH, SOURCE, InboundCase

LAB_SOURCE = "urn:qms:lab-1"


@tagged("post_install", "-at_install")
class TestSourcesAndSubjects(InboundCase):
    """A client sends only its own sources, and an event's subject is the
    record its data is about."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.client.allowed_sources = f"{SOURCE}, {SOURCE}:*"
        token, secret = cls.token, cls.secret
        cls.lab = cls.make_client(
            "Test QMS", "test.widget.*", allowed_sources="urn:qms:*"
        )
        cls.lab_token, cls.lab_secret = cls.token, cls.secret
        cls.token, cls.secret = token, secret

    def widget_event(self, name, **overrides):
        return self.make_event(
            subject=name, data={"name": name, "quantity": 1}, **overrides
        )

    # ------------------------------------------------------------------
    # Sources
    # ------------------------------------------------------------------
    def test_an_event_of_another_clients_source_is_refused_and_logged(self):
        event = self.widget_event("W-1", source=LAB_SOURCE)
        problem = self.assertProblem(self.post(event), 403, "source_forbidden")
        self.assertEqual(problem["errors"][0]["pointer"], "/source")
        self.assertIn(LAB_SOURCE, problem["detail"])
        self.assertIn("Test MES", problem["detail"])
        refusal = self.refusals("source_forbidden")
        self.assertEqual(
            (refusal.status, refusal.client_id, refusal.event_source, refusal.event_id),
            (403, self.client, LAB_SOURCE, event["id"]),
        )
        self.assertFalse(self.event_record(event), "nothing is stored")
        # The id stays free for the client that owns the source.
        response = self.post(event, token=self.lab_token, secret=self.lab_secret)
        self.assertEqual(response.status_code, 202, response.text)
        self.assertEqual(self.event_record(event).client_id, self.lab)
        # A pattern covers the client's own sub-sources.
        response = self.post(self.widget_event("W-2", source=f"{SOURCE}:line-2"))
        self.assertEqual(response.status_code, 202, response.text)

    def test_in_a_batch_only_the_event_of_a_foreign_source_is_rejected(self):
        events = [
            self.widget_event("W-1"),
            self.widget_event("W-2", source=LAB_SOURCE),
            self.widget_event("W-3"),
        ]
        response = self.post(events, content_type=BATCH)
        self.assertEqual(response.status_code, 200, response.text)
        results = response.json()["results"]
        self.assertEqual(
            [r["status"] for r in results], ["accepted", "rejected", "accepted"]
        )
        error = results[1]["error"]
        self.assertEqual(error["type"], "urn:mfg-integration:problem:source-forbidden")
        self.assertEqual(error["status"], 403)
        self.assertEqual(error["errors"][0]["pointer"], "/1/source")
        self.assertEqual(self.refusals("source_forbidden").event_id, events[1]["id"])
        self.assertFalse(self.event_record(events[1]))
        self.assertTrue(self.event_record(events[0]) and self.event_record(events[2]))

    def test_allowed_sources_are_patterns_of_uri_references(self):
        Client = self.env["integration.client"]
        for bad in ("urn:mes:[a]", "urn:mes:plant?", " , "):
            with self.assertRaisesRegex(ValidationError, "Allowed sources"):
                Client.create(
                    {
                        "name": "Bad sources",
                        "user_id": self.tech_user.id,
                        "allowed_event_types": "test.*",
                        "allowed_sources": bad,
                    }
                )
        client = Client.create(
            {
                "name": "Script-made client",
                "user_id": self.tech_user.id,
                "allowed_event_types": "test.*",
            }
        )
        self.assertEqual(client.allowed_sources, "*", "any source unless declared")

    # ------------------------------------------------------------------
    # Subjects
    # ------------------------------------------------------------------
    def test_a_subject_that_is_not_the_record_of_the_data_is_refused(self):
        event = self.make_event(subject="W-2")  # its data is about W-1
        problem = self.assertProblem(self.post(event), 400, "invalid_data")
        self.assertEqual(problem["errors"][0]["pointer"], "/subject")
        self.assertIn("'W-2'", problem["detail"])
        self.assertIn("data.name ('W-1')", problem["detail"])
        self.assertEqual(self.refusals("invalid_data").event_id, event["id"])
        self.assertFalse(self.event_record(event))

        events = [self.widget_event("W-3"), self.make_event(subject="W-9")]
        results = self.post(events, content_type=BATCH).json()["results"]
        self.assertEqual([r["status"] for r in results], ["accepted", "rejected"])
        self.assertEqual(results[1]["error"]["errors"][0]["pointer"], "/1/subject")

    def test_the_catalogue_names_the_subject_field(self):
        catalogue = self.env["integration.event.type"]._get_catalogue()
        self.assertEqual(catalogue["test.widget.upserted.v1"]["subject_field"], "name")
        self.assertEqual(catalogue["test.stock.counted.v1"]["subject_field"], "lot")
        self.assertIsNone(catalogue["test.widget.shipped.v1"]["subject_field"])
        schema = self.get("/schemas/test.widget.upserted.v1").json()
        self.assertEqual(schema["x-subject-field"], "name")
        with self.assertRaisesRegex(ValidationError, "colour"):
            self.env.ref("test_integration_log.event_type_widget_counted").write(
                {"subject_field": "colour"}
            )
