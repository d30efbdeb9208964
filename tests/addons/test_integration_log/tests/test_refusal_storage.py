# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Refusals cannot blow up the database: bounded messages and errors, one
body excerpt per request, repeated authentication failures counted on one
row, and a retention period."""

import json
import time
from datetime import datetime, timedelta

from odoo.tests import tagged

from .common import BATCH, InboundCase


@tagged("post_install", "-at_install")
class TestRefusalStorage(InboundCase):
    def test_messages_quote_a_bounded_part_of_the_value(self):
        event = self.make_event(data={"name": "W-1", "quantity": "x" * 200_000})
        response = self.post(event)
        problem = self.assertProblem(response, 400, "invalid_data")
        self.assertLess(len(response.content), 5000)
        self.assertLessEqual(len(problem["errors"][0]["message"]), 400)
        refusal = self.refusals("invalid_data")
        self.assertLess(len(refusal.detail), 2000)
        self.assertLess(len(refusal.errors), 2000)
        self.assertLessEqual(len(refusal.body_excerpt), 2000)

    def test_errors_are_capped(self):
        event = self.make_event(**{f"X{i}": 1 for i in range(300)})
        problem = self.assertProblem(self.post(event), 400, "invalid_envelope")
        self.assertEqual(len(problem["errors"]), 20)
        self.assertEqual(len(json.loads(self.refusals("invalid_envelope").errors)), 20)

    def test_a_batch_stores_its_body_excerpt_once(self):
        bad = [
            self.make_event(data={"name": f"W-{i}", "quantity": -1}) for i in range(5)
        ]
        good = self.make_event()
        response = self.post([good, *bad], content_type=BATCH)
        self.assertEqual(response.status_code, 200, response.text)
        refusals = self.refusals("invalid_data").sorted("id")
        self.assertEqual(len(refusals), 5)
        first, rest = refusals[0], refusals[1:]
        self.assertTrue(first.body_excerpt.startswith("[{"))
        self.assertFalse(any(rest.mapped("body_excerpt")))
        self.assertEqual(rest.request_refusal_id, first)
        self.assertEqual(set(rest.mapped("request_body_excerpt")), {first.body_excerpt})
        self.assertEqual(
            sorted(refusals.mapped("event_id")), sorted(e["id"] for e in bad)
        )

    def start_of_a_minute(self):
        """Wait for the next minute when the current one ends too soon for
        a few requests."""
        if datetime.now().second >= 50:
            time.sleep(61 - datetime.now().second)

    def test_unauthenticated_refusals_are_counted_per_address_and_minute(self):
        self.start_of_a_minute()
        Log = self.env["integration.log.entry"]
        logged_before = Log.search_count([("kind", "=", "refusal")])
        for _index in range(5):
            response = self.post(self.make_event(), token="mis_guessed")
            self.assertProblem(response, 401, "unauthorized")
        refusal = self.refusals("unauthorized")
        self.assertEqual(len(refusal), 1)
        self.assertEqual(refusal.occurrence_count, 5)
        self.assertEqual(refusal.remote_addr, "127.0.0.1")
        self.assertFalse(refusal.client_id)
        self.assertIn("x5", refusal.display_name)
        # One log entry for the row, not one per request.
        self.assertEqual(
            Log.search_count([("kind", "=", "refusal")]), logged_before + 1
        )
        # Another kind of failure gets its own row.
        response = self.post(self.make_event(), headers={"Authorization": ""})
        self.assertProblem(response, 401, "unauthorized")
        self.assertEqual(len(self.refusals("unauthorized")), 2)

    def test_rate_limit_refusals_are_counted_per_client_and_minute(self):
        self.start_of_a_minute()
        self.client.rate_limit_per_minute = 1
        self.assertEqual(self.post(self.make_event()).status_code, 202)
        for _index in range(3):
            self.assertProblem(self.post(self.make_event()), 429, "rate_limited")
        refusal = self.refusals("rate_limited")
        self.assertEqual((len(refusal), refusal.occurrence_count), (1, 3))
        self.assertEqual(refusal.client_id, self.client)
        self.assertEqual(refusal.company_id, self.client.company_id)

    def test_a_refusal_of_a_known_client_is_never_merged(self):
        for _index in range(3):
            response = self.post(self.make_event(), sign=False)
            self.assertProblem(response, 401, "bad_signature")
        refusals = self.refusals("bad_signature")
        self.assertEqual(len(refusals), 3)
        self.assertEqual(set(refusals.mapped("occurrence_count")), {1})

    def test_refusals_past_their_retention_are_deleted(self):
        self.post(self.make_event(), sign=False)
        self.post(self.make_event(), sign=False)
        old, recent = self.refusals("bad_signature").sorted("id")
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE integration_refusal SET create_date = %s WHERE id = %s",
            [datetime.now() - timedelta(days=40), old.id],
        )
        self.env.invalidate_all()
        Refusal = self.env["integration.refusal"]
        params = self.env["ir.config_parameter"]
        params.set_param("integration_log.refusal_retention_days", "0")
        self.assertEqual(Refusal._cron_purge(), 0)
        params.set_param("integration_log.refusal_retention_days", "30")
        self.assertEqual(Refusal._cron_purge(), 1)
        self.assertFalse(old.exists())
        self.assertTrue(recent.exists())
        # The log entries of the refusals stay; the purge is logged.
        reference = f"integration.refusal,{old.id}"
        entries = self.env["integration.log.entry"].search(
            [("kind", "=", "refusal"), ("reference", "=", reference)]
        )
        self.assertEqual(len(entries), 1)
        purge = self.env["integration.log.entry"].search(
            [("kind", "=", "retention")], limit=1, order="id desc"
        )
        self.assertIn("1 refusal(s)", purge.detail)
