# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""No 5xx for partner input: each hostile input gets its 4xx problem with a
pointer and a refusal row, alone and as one event of a batch (where only
that event is rejected)."""

import json
import uuid

from odoo.tests import tagged

from odoo.addons.integration_log.protocol import signature

from .common import API, BATCH, InboundCase

# A type whose data has a ``format: date-time`` field (the toy module's
# outbound schema, declared inbound here).
DATED_TYPE = "test.widget.dated.v1"
DATED_SCHEMA = "test_integration_log/schemas/test.stock.count.confirmed.v1.json"


@tagged("post_install", "-at_install")
class TestHostileInput(InboundCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        token, secret = cls.token, cls.secret
        cls.counter = cls.make_client("Hostile Counter", "test.stock.*")
        cls.counter_token, cls.counter_secret = cls.token, cls.secret
        cls.token, cls.secret = token, secret
        cls.env["integration.event.type"].create(
            {
                "name": DATED_TYPE,
                "direction": "in",
                "module": "test_integration_log",
                "schema_file": DATED_SCHEMA,
                "handler_model": "test.integration.widget",
                "handler_method": "_integration_handle_upserted",
            }
        )

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def good_event(self, name):
        return self.make_event(subject=name, data={"name": name, "quantity": 1})

    def raw(self, event, **raw_values):
        """JSON text of ``event`` with attributes replaced verbatim."""
        event = dict(event, **{name: f"@@{name}@@" for name in raw_values})
        text = json.dumps(event)
        for name, value in raw_values.items():
            text = text.replace(f'"@@{name}@@"', value)
        return text

    def assert_refused(self, body, status, reason, pointer):
        """``body`` (an event as JSON text) alone: the problem, its pointer
        and a refusal row; then inside a batch: that event only rejected."""
        before = self.refusal_count()
        response = self.post(body.encode())
        problem = self.assertProblem(response, status, reason)
        self.assertIn(pointer, [e["pointer"] for e in problem.get("errors", [])])
        self.assertEqual(self.refusal_count(), before + 1)
        refusal = self.env["integration.refusal"].search([], limit=1)
        self.assertEqual((refusal.reason, refusal.status), (reason, status))
        self.assertTrue(refusal.body_excerpt)
        self.assert_refused_in_batch(body, status, reason, pointer)

    def assert_refused_in_batch(self, body, status, reason, pointer):
        first, last = self.good_event("W-first"), self.good_event("W-last")
        batch = f"[{json.dumps(first)}, {body}, {json.dumps(last)}]"
        before = self.refusal_count()
        response = self.post(batch.encode(), content_type=BATCH)
        self.assertEqual(response.status_code, 200, response.text)
        results = response.json()["results"]
        self.assertEqual(
            [r["status"] for r in results], ["accepted", "rejected", "accepted"]
        )
        error = results[1]["error"]
        self.assertEqual(error["status"], status)
        self.assertTrue(error["type"].endswith(reason.replace("_", "-")))
        self.assertIn("/1" + pointer, [e["pointer"] for e in error["errors"]])
        self.assertEqual(self.refusal_count(), before + 1)
        self.assertTrue(self.event_record(first))
        self.assertTrue(self.event_record(last))

    def refusal_count(self):
        return self.env["integration.refusal"].search_count([])

    # ------------------------------------------------------------------
    # The envelope
    # ------------------------------------------------------------------
    def test_nul_in_id_source_and_subject(self):
        for name in ("id", "source", "subject"):
            with self.subTest(name):
                body = self.raw(self.good_event("W-2"), **{name: '"a\\u0000b"'})
                self.assert_refused(body, 400, "invalid_envelope", f"/{name}")
        refusals = self.env["integration.refusal"].search(
            [("event_id", "=", "a\ufffdb")]
        )
        # Alone and in a batch.
        self.assertEqual(len(refusals), 2)

    def test_lone_surrogates(self):
        body = self.raw(self.good_event("W-2"), subject='"\\ud800"')
        self.assert_refused(body, 400, "invalid_envelope", "/subject")
        body = self.raw(self.good_event("W-2"), id='"\\udc00-1"')
        self.assert_refused(body, 400, "invalid_envelope", "/id")

    def test_time_out_of_range_once_in_utc(self):
        for time in ("0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"):
            with self.subTest(time):
                body = json.dumps(self.good_event("W-2") | {"time": time})
                self.assert_refused(body, 400, "invalid_envelope", "/time")

    def test_sequence_beyond_int32_is_stored_beyond_int64_refused(self):
        epoch_ms = 1_767_225_600_000
        event = self.good_event("W-2") | {"sequence": epoch_ms}
        self.assertEqual(self.post(event).status_code, 202)
        self.assertEqual(self.event_record(event).event_sequence, epoch_ms)
        status = self.get(f"/events/{event['id']}", source=event["source"])
        self.assertEqual(status.json()["sequence"], epoch_ms)
        body = json.dumps(self.good_event("W-3") | {"sequence": 2**63})
        self.assert_refused(body, 400, "invalid_envelope", "/sequence")

    def test_nan_and_infinity(self):
        body = self.raw(self.good_event("W-2"), sequence="NaN")
        self.assert_refused(body, 400, "invalid_envelope", "/sequence")
        for constant in ("NaN", "Infinity", "-Infinity", "1e999"):
            with self.subTest(constant):
                data = f'{{"name": "W-2", "quantity": {constant}}}'
                body = self.raw(self.good_event("W-2"), data=data)
                self.assert_refused(body, 400, "invalid_data", "/data/quantity")

    def test_nesting_1000_deep(self):
        deep = '{"a": ' * 1000 + "1" + "}" * 1000
        body = self.raw(self.good_event("W-2"), data=deep)
        # Alone, the body cannot be parsed: the whole request is refused.
        problem = self.assertProblem(self.post(body.encode()), 400, "invalid_json")
        self.assertEqual(problem["errors"][0]["pointer"], "")
        self.assertIn("nested", problem["detail"])
        # In a batch, only that event is.
        self.assert_refused_in_batch(body, 400, "invalid_envelope", "")
        # Parsable but deeper than the limit: refused with the pointer.
        deep = '{"a": ' * 40 + "1" + "}" * 40
        body = self.raw(self.good_event("W-2"), data=deep)
        self.assert_refused(body, 400, "invalid_data", "/data" + "/a" * 31)

    def test_date_time_fields_must_be_dates(self):
        data = {
            "product": "P",
            "lot": "L",
            "quantity": 1,
            "uom": "Units",
            "counted_at": "yesterday",
        }
        event = self.make_event(type=DATED_TYPE, data=data)
        self.assert_refused(json.dumps(event), 400, "invalid_data", "/data/counted_at")
        dated = dict(data, counted_at="2026-03-01T08:00:00+01:00")
        response = self.post(self.make_event(type=DATED_TYPE, data=dated))
        self.assertEqual(response.status_code, 202, response.text)

    # ------------------------------------------------------------------
    # Bodies, headers and paths
    # ------------------------------------------------------------------
    def test_a_body_of_one_nul_byte(self):
        for content_type in ("application/cloudevents+json", BATCH):
            with self.subTest(content_type):
                response = self.post(b"\x00", content_type=content_type)
                self.assertProblem(response, 400, "invalid_json")
                refusal = self.refusals("invalid_json")[:1]
                self.assertEqual(refusal.body_excerpt, "\ufffd")

    def test_a_400_digit_timestamp_and_a_non_ascii_signature(self):
        for headers in (
            {"webhook-timestamp": "9" * 400},
            {"webhook-signature": "v1,\u00e9t\u00e9"},
            {"webhook-id": "msg\x00nul"},
        ):
            for content_type in ("application/cloudevents+json", BATCH):
                with self.subTest(headers=headers, content_type=content_type):
                    body = [self.good_event("W-2")]
                    if content_type != BATCH:
                        body = body[0]
                    before = self.refusal_count()
                    response = self.post(
                        body, content_type=content_type, headers=headers
                    )
                    self.assertProblem(response, 401, "bad_signature")
                    self.assertEqual(self.refusal_count(), before + 1)
        refusal = self.refusals("bad_signature")[:1]
        self.assertEqual(refusal.client_id, self.client)
        self.assertEqual(refusal.request_id, "msg\ufffdnul")

    def test_nul_in_the_path_and_the_query(self):
        for path, params in (
            ("/events/a%00b", {"source": "urn:mes:x"}),
            ("/events/a", {"source": "urn:mes:\x00"}),
            ("/schemas/x%00", {}),
        ):
            with self.subTest(path):
                response = self.get(path, **params)
                problem = self.assertProblem(response, 400, "invalid_request")
                self.assertIn("NUL", problem["detail"])
        self.assertEqual(len(self.refusals("invalid_request")), 3)
        # Without a valid token: 401, and the refusal keeps the path cleaned.
        response = self.get("/schemas/x%00", token="mis_nobody")
        self.assertProblem(response, 401, "unauthorized")
        refusal = self.refusals("unauthorized")
        self.assertEqual(refusal.path, f"{API}/schemas/x\ufffd")

    def test_nul_in_headers_without_a_token(self):
        response = self.opener.get(
            self.base_url() + API + "/schemas",
            headers={"Authorization": "Bearer mis\x00x", "webhook-id": "a\x00b"},
            timeout=60,
        )
        self.assertProblem(response, 401, "unauthorized")
        refusal = self.refusals("unauthorized")
        self.assertEqual(refusal.request_id, "a\ufffdb")

    def test_a_synchronous_route_refuses_unusable_values(self):
        raw = b'{"product": "P", "lot": "L\\u0000", "quantity": NaN, "uom": "U"}'
        response = self.url_open(
            f"{API}/test/counts",
            data=raw,
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {self.counter_token}",
                **signature.sign_headers(
                    self.counter_secret, f"msg_{uuid.uuid4().hex}", raw
                ),
            },
        )
        problem = self.assertProblem(response, 400, "invalid_data")
        self.assertEqual(
            {e["pointer"] for e in problem["errors"]}, {"/data/lot", "/data/quantity"}
        )
        refusal = self.refusals("invalid_data")
        self.assertEqual(refusal.client_id, self.counter)
