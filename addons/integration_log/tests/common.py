# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Test helpers for the suite's modules: call the API through Odoo's HTTP
server as a partner would, and run queue jobs for real."""

import json
import uuid

from odoo.tests import HttpCase, new_test_user

from odoo.addons.integration_log.protocol import envelope, signature

API = "/integration/v1"
SINGLE = envelope.CONTENT_TYPE_SINGLE
BATCH = envelope.CONTENT_TYPE_BATCH


class IntegrationHttpCase(HttpCase):
    """Partner-side HTTP calls and queue_job's own /queue_job/runjob."""

    @classmethod
    def make_client(
        cls,
        name,
        allowed_event_types,
        groups="base.group_user",
        allowed_sources="urn:*",
    ):
        """A client with a fresh technical user; sets ``cls.token`` and
        ``cls.secret`` to its credentials. The test events use ``urn:``
        sources (``urn:mes:test-plant``...)."""
        login = "api_" + name.lower().replace(" ", "_")
        user = new_test_user(cls.env, login, groups)
        client = cls.env["integration.client"].create(
            {
                "name": name,
                "user_id": user.id,
                "allowed_event_types": allowed_event_types,
                "allowed_sources": allowed_sources,
                "rate_limit_per_minute": 0,
            }
        )
        credentials = client.issue_credentials()
        cls.token = credentials["token"]
        cls.secret = credentials["signing_secret"]
        return client

    def post(
        self,
        body,
        content_type=SINGLE,
        token=None,
        secret=None,
        sign=True,
        timestamp=None,
        headers=None,
    ):
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        all_headers = {
            "Content-Type": content_type,
            "Authorization": f"Bearer {token or self.token}",
        }
        if sign:
            all_headers.update(
                signature.sign_headers(
                    secret or self.secret, f"msg_{uuid.uuid4().hex}", raw, timestamp
                )
            )
        all_headers.update(headers or {})
        return self.url_open(f"{API}/events", data=raw, headers=all_headers, timeout=60)

    def get(self, path, token=None, **params):
        return self.opener.get(
            self.base_url() + API + path,
            params=params,
            headers={"Authorization": f"Bearer {token or self.token}"},
            timeout=60,
        )

    def assertProblem(self, response, status, reason):
        self.assertEqual(response.status_code, status, response.text)
        self.assertEqual(
            response.headers["Content-Type"].split(";")[0], "application/problem+json"
        )
        problem = response.json()
        self.assertEqual(problem["status"], status)
        self.assertEqual(
            problem["type"], "urn:mfg-integration:problem:" + reason.replace("_", "-")
        )
        self.assertTrue(problem["detail"])
        return problem

    def run_jobs(self, max_rounds=20):
        """Run every due queue job the way the queue_job runner does."""
        performed = 0
        for _round in range(max_rounds):
            self.env.flush_all()
            self.env.cr.execute(
                """
                SELECT uuid FROM queue_job
                WHERE state = 'pending'
                  AND (eta IS NULL OR eta <= clock_timestamp() at time zone 'UTC')
                ORDER BY priority, date_created, id
                """
            )
            uuids = [row[0] for row in self.env.cr.fetchall()]
            if not uuids:
                self.env.invalidate_all()
                return performed
            for job_uuid in uuids:
                self.env.cr.execute(
                    "UPDATE queue_job SET state = 'enqueued', "
                    "date_enqueued = now() at time zone 'UTC' WHERE uuid = %s",
                    [job_uuid],
                )
                response = self.url_open(
                    f"/queue_job/runjob?db={self.env.cr.dbname}&job_uuid={job_uuid}",
                    timeout=120,
                )
                self.assertEqual(response.status_code, 200, response.text)
                performed += 1
        self.fail(f"queue jobs were still created after {max_rounds} rounds")

    def fast_forward(self):
        """Let retry delays elapse: make waiting retries and jobs due now."""
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE queue_job SET eta = NULL "
            "WHERE state = 'pending' AND eta IS NOT NULL"
        )
        self.env.cr.execute(
            "UPDATE integration_event SET next_attempt_at = "
            "now() at time zone 'UTC' - interval '1 second' WHERE state = 'failed'"
        )
        self.env.invalidate_all()

    def event_record(self, event):
        return self.env["integration.event"].search(
            [("source", "=", event["source"]), ("cloudevent_id", "=", event["id"])]
        )
