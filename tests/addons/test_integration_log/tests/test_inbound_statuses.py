# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""One test per row of the status table of protocol v1, section 2.1."""

import json
import time
from concurrent.futures import ThreadPoolExecutor

from odoo.tests import tagged

from .common import BATCH, SINGLE, InboundCase


@tagged("post_install", "-at_install")
class TestInboundStatuses(InboundCase):
    def test_202_accepted_once_durably_stored(self):
        event = self.make_event(sequence=1)
        response = self.post(event)
        self.assertEqual(response.status_code, 202, response.text)
        body = response.json()
        self.assertEqual(body["status"], "accepted")
        self.assertEqual((body["id"], body["source"]), (event["id"], event["source"]))
        stored = self.event_record(event)
        self.assertEqual(stored.state, "received")
        self.assertEqual(stored.client_id, self.client)
        self.assertEqual(json.loads(stored.payload), event)
        status = self.opener.get(
            self.base_url() + body["status_url"],
            headers={"Authorization": f"Bearer {self.token}"},
        )
        self.assertEqual(status.json()["status"], "received")

    # 401 ---------------------------------------------------------------
    def test_401_missing_unknown_or_inactive_token(self):
        event = self.make_event()
        response = self.post(event, headers={"Authorization": ""})
        self.assertProblem(response, 401, "unauthorized")
        response = self.post(event, token="mis_unknown")
        self.assertProblem(response, 401, "unauthorized")
        self.client.active = False
        response = self.post(event)
        self.assertProblem(response, 401, "unauthorized")
        self.assertFalse(self.event_record(event))
        self.assertEqual(len(self.refusals("unauthorized")), 3)

    def test_401_bad_or_missing_signature(self):
        event = self.make_event()
        response = self.post(event, sign=False)
        problem = self.assertProblem(response, 401, "bad_signature")
        self.assertIn("webhook-id", problem["detail"])
        response = self.post(event, secret="whsec_" + "QUJD" * 11)
        self.assertProblem(response, 401, "bad_signature")
        self.assertFalse(self.event_record(event))
        refusal = self.refusals("bad_signature")[:1]
        self.assertNotIn(self.token, json.dumps(refusal.read()[0], default=str))

    def test_401_stale_timestamp(self):
        response = self.post(self.make_event(), timestamp=int(time.time()) - 301)
        self.assertProblem(response, 401, "stale_timestamp")

    def test_secret_rotation_accepts_both_secrets_until_the_old_is_revoked(self):
        old = self.secret
        new = self.client.rotate_signing_secret()["signing_secret"]
        self.assertEqual(self.post(self.make_event(), secret=old).status_code, 202)
        self.assertEqual(self.post(self.make_event(), secret=new).status_code, 202)
        self.client.revoke_previous_signing_secret()
        response = self.post(self.make_event(), secret=old)
        self.assertProblem(response, 401, "bad_signature")
        self.assertEqual(self.post(self.make_event(), secret=new).status_code, 202)

    def test_unsigned_requests_pass_only_when_the_client_allows_them(self):
        self.client.require_signature = False
        response = self.post(self.make_event(), sign=False)
        self.assertEqual(response.status_code, 202, response.text)
        # A signature that is sent is still checked.
        response = self.post(self.make_event(), secret="whsec_" + "QUJD" * 11)
        self.assertProblem(response, 401, "bad_signature")

    # 403 ---------------------------------------------------------------
    def test_403_event_type_not_allowed(self):
        self.client.allowed_event_types = "test.other.*"
        problem = self.assertProblem(
            self.post(self.make_event()), 403, "type_forbidden"
        )
        self.assertIn("test.widget.upserted.v1", problem["detail"])

    def test_403_ip_not_allowed(self):
        self.client.ip_allowlist = "192.0.2.0/24"
        problem = self.assertProblem(self.post(self.make_event()), 403, "ip_forbidden")
        self.assertIn("127.0.0.1", problem["detail"])
        self.client.ip_allowlist = "127.0.0.0/8"
        self.assertEqual(self.post(self.make_event()).status_code, 202)

    # 415 ---------------------------------------------------------------
    def test_415_wrong_content_type(self):
        response = self.post(self.make_event(), content_type="application/json")
        problem = self.assertProblem(response, 415, "unsupported_media_type")
        self.assertIn("application/json", problem["detail"])

    # 400 ---------------------------------------------------------------
    def test_400_body_not_json(self):
        self.assertProblem(self.post(b"{not json"), 400, "invalid_json")

    def test_400_invalid_envelope_with_pointers(self):
        event = self.make_event(specversion="0.3", time="yesterday")
        problem = self.assertProblem(self.post(event), 400, "invalid_envelope")
        pointers = {error["pointer"] for error in problem["errors"]}
        self.assertEqual(pointers, {"/specversion", "/time"})

    def test_400_invalid_payload_with_pointers(self):
        event = self.make_event(data={"name": "W-1", "quantity": -2, "colour": "red"})
        problem = self.assertProblem(self.post(event), 400, "invalid_data")
        pointers = {error["pointer"] for error in problem["errors"]}
        self.assertEqual(pointers, {"/data/quantity", "/data"})
        self.assertFalse(self.event_record(event))

    def test_400_unknown_type_is_named(self):
        event = self.make_event(type="test.widget.exploded.v1")
        problem = self.assertProblem(self.post(event), 400, "unknown_type")
        self.assertIn("test.widget.exploded.v1", problem["detail"])
        self.assertEqual(problem["errors"][0]["pointer"], "/type")

    # 413 ---------------------------------------------------------------
    def test_413_single_event_over_256_kib(self):
        event = self.make_event(data={"name": "x" * (260 * 1024), "quantity": 1})
        self.assertProblem(self.post(event), 413, "too_large")

    def test_413_batch_over_500_events(self):
        events = [self.make_event() for _i in range(501)]
        self.assertProblem(self.post(events, content_type=BATCH), 413, "too_large")
        self.assertFalse(self.env["integration.event"].search_count([]))

    def test_413_batch_over_5_mib(self):
        big = {"name": "x" * (200 * 1024), "quantity": 1}
        events = [self.make_event(data=big) for _i in range(27)]
        self.assertProblem(self.post(events, content_type=BATCH), 413, "too_large")

    # 429 ---------------------------------------------------------------
    def test_429_rate_limit_with_retry_after(self):
        self.client.rate_limit_per_minute = 2
        statuses = [self.post(self.make_event()).status_code for _i in range(2)]
        self.assertEqual(statuses, [202, 202])
        response = self.post(self.make_event())
        self.assertProblem(response, 429, "rate_limited")
        self.assertTrue(1 <= int(response.headers["Retry-After"]) <= 60)

    # 200 duplicate / 409 conflict ------------------------------------------
    def test_200_duplicate_returns_the_original_result(self):
        event = self.make_event()
        self.assertEqual(self.post(event).status_code, 202)
        self.run_jobs()
        original = self.event_record(event)
        self.assertEqual(original.state, "processed")
        # Same event with keys in another order: still the same payload.
        resent = dict(reversed(list(event.items())))
        response = self.post(resent)
        self.assertEqual(response.status_code, 200, response.text)
        body = response.json()
        self.assertEqual(body["status"], "duplicate")
        self.assertEqual(body["state"], "processed")
        self.assertEqual(body["result"], {"widget_id": self.widget("W-1").id})
        self.assertEqual(len(self.event_record(event)), 1)

    def test_409_same_id_with_a_different_payload(self):
        event = self.make_event()
        self.assertEqual(self.post(event).status_code, 202)
        changed = dict(event, data={"name": "W-1", "quantity": 4})
        problem = self.assertProblem(self.post(changed), 409, "conflict")
        self.assertIn(event["id"], problem["detail"])
        self.assertEqual(
            json.loads(self.event_record(event).payload)["data"]["quantity"], 3
        )

    def test_a_duplicate_racing_a_duplicate(self):
        """Two identical requests at once: one accepted, one duplicate."""
        event = self.make_event()

        def send(_index):
            return self.post(event).status_code

        with ThreadPoolExecutor(max_workers=2) as pool:
            statuses = sorted(pool.map(send, range(2)))
        self.assertEqual(statuses, [200, 202])
        self.assertEqual(len(self.event_record(event)), 1)

    def test_every_refusal_is_logged_and_counted(self):
        self.post(self.make_event(), token="mis_unknown")
        self.post(self.make_event(), content_type="text/plain")
        self.assertEqual(len(self.refusals("unauthorized")), 1)
        refusal = self.refusals("unsupported_media_type")
        self.assertEqual((refusal.status, refusal.client_id), (415, self.client))
        metrics = self.get("/metrics").text
        self.assertIn(
            'mfg_integration_refusals_total{reason="unauthorized"} 1.0', metrics
        )

    def test_status_of_an_event_is_private_to_its_client(self):
        event = self.make_event()
        self.post(event)
        other_user = self.env["res.users"].create(
            {"name": "QMS API", "login": "qms_api"}
        )
        other = self.env["integration.client"].create(
            {"name": "QMS", "user_id": other_user.id, "allowed_event_types": "*"}
        )
        token = other.issue_credentials()["token"]
        response = self.get(
            f"/events/{event['id']}", token=token, source=event["source"]
        )
        self.assertProblem(response, 404, "not_found")
        response = self.get(f"/events/{event['id']}")
        problem = self.assertProblem(response, 400, "invalid_request")
        self.assertIn("source", problem["detail"])

    def test_content_type_parameters_are_accepted(self):
        response = self.post(self.make_event(), content_type=SINGLE + "; charset=utf-8")
        self.assertEqual(response.status_code, 202, response.text)
