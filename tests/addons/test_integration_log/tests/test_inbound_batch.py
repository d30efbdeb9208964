# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import tagged

from .common import BATCH, InboundCase


@tagged("post_install", "-at_install")
class TestInboundBatch(InboundCase):
    def test_valid_events_are_accepted_even_if_others_are_rejected(self):
        known = self.make_event(subject="W-0", data={"name": "W-0", "quantity": 1})
        self.assertEqual(self.post(known).status_code, 202)
        events = [
            self.make_event(subject="W-1", data={"name": "W-1", "quantity": 1}),
            self.make_event(data={"name": "W-2", "quantity": "many"}),
            known,
            {"specversion": "1.0", "id": "broken"},
            self.make_event(type="test.widget.exploded.v1"),
            dict(known, id=known["id"], data={"name": "W-0", "quantity": 9}),
            self.make_event(subject="W-3", data={"name": "W-3", "quantity": 3}),
        ]
        response = self.post(events, content_type=BATCH)
        self.assertEqual(response.status_code, 200, response.text)
        results = response.json()["results"]
        self.assertEqual(
            [(r["id"], r["status"]) for r in results],
            [
                (events[0]["id"], "accepted"),
                (events[1]["id"], "rejected"),
                (known["id"], "duplicate"),
                ("broken", "rejected"),
                (events[4]["id"], "rejected"),
                (known["id"], "rejected"),
                (events[6]["id"], "accepted"),
            ],
        )
        self.assertEqual(
            results[1]["error"]["errors"][0]["pointer"], "/1/data/quantity"
        )
        self.assertEqual(results[3]["error"]["status"], 400)
        self.assertIn("/3", {e["pointer"] for e in results[3]["error"]["errors"]})
        self.assertEqual(results[4]["error"]["status"], 400)
        self.assertEqual(results[5]["error"]["status"], 409)
        for index in (0, 6):
            self.assertEqual(self.event_record(events[index]).state, "received")
        self.assertFalse(self.event_record(events[1]))
        refusals = self.env["integration.refusal"].search(
            [("client_id", "=", self.client.id)]
        )
        self.assertEqual(
            sorted(refusals.mapped("reason")),
            ["conflict", "invalid_data", "invalid_envelope", "unknown_type"],
        )
        self.run_jobs()
        self.assertEqual(self.widget("W-1").quantity, 1)
        self.assertEqual(self.widget("W-3").quantity, 3)

    def test_a_repeated_event_inside_one_batch_is_a_duplicate(self):
        event = self.make_event()
        response = self.post([event, event], content_type=BATCH)
        statuses = [r["status"] for r in response.json()["results"]]
        self.assertEqual(statuses, ["accepted", "duplicate"])
        self.assertEqual(len(self.event_record(event)), 1)

    def test_a_batch_must_be_a_non_empty_array(self):
        self.assertProblem(self.post([], content_type=BATCH), 400, "invalid_request")
        self.assertProblem(
            self.post(self.make_event(), content_type=BATCH), 400, "invalid_request"
        )

    def test_a_batch_runs_one_job_per_lane_for_all_its_subjects(self):
        events = [
            self.make_event(
                subject=f"W-{i}", data={"name": f"W-{i}", "quantity": i + 1}
            )
            for i in range(50)
        ]
        response = self.post(events, content_type=BATCH)
        self.assertEqual(response.status_code, 200)
        # At most one job per processing lane (4 by default), not per event.
        self.assertLessEqual(self.run_jobs(), 4)
        self.assertEqual(
            self.env["test.integration.widget"].search_count([("name", "like", "W-")]),
            50,
        )
