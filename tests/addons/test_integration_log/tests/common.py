# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
import uuid

from odoo.tests import HttpCase, new_test_user

from odoo.addons.integration_log.protocol import envelope, signature

from .receiver import Receiver

API = "/integration/v1"
SINGLE = envelope.CONTENT_TYPE_SINGLE
BATCH = envelope.CONTENT_TYPE_BATCH
SOURCE = "urn:mes:test-plant"


class InboundCase(HttpCase):
    """Calls the API through Odoo's HTTP server and runs queue jobs for real,
    through queue_job's own /queue_job/runjob controller, as its runner does."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tech_user = new_test_user(cls.env, "test_mes_api", "base.group_user")
        cls.client = cls.env["integration.client"].create(
            {
                "name": "Test MES",
                "user_id": cls.tech_user.id,
                "allowed_event_types": "test.widget.*",
                "rate_limit_per_minute": 0,
            }
        )
        credentials = cls.client.issue_credentials()
        cls.token = credentials["token"]
        cls.secret = credentials["signing_secret"]
        cls.category = cls.env["test.integration.widget.category"].create(
            {"name": "Gears"}
        )

    # ------------------------------------------------------------------
    def make_event(self, **overrides):
        event = {
            "specversion": "1.0",
            "id": str(uuid.uuid4()),
            "source": SOURCE,
            "type": "test.widget.upserted.v1",
            "time": "2026-03-01T08:00:00+01:00",
            "subject": "W-1",
            "data": {"name": "W-1", "quantity": 3, "category": "Gears"},
        }
        event.update(overrides)
        return {key: value for key, value in event.items() if value is not None}

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

    # ------------------------------------------------------------------
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

    def widget(self, name):
        return self.env["test.integration.widget"].search([("name", "=", name)])

    def refusals(self, reason):
        return self.env["integration.refusal"].search([("reason", "=", reason)])


class OutboundCase(InboundCase):
    """Outbound tests: a real HTTP receiver on 127.0.0.1 plays the partner."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.receiver = Receiver().start()
        cls.addClassCleanup(cls.receiver.stop)
        cls.env["integration.allowed.host"].create(
            {"name": "127.0.0.1", "note": "test receiver"}
        )
        cls.connector = cls.make_connector("Test MES endpoint")

    @classmethod
    def make_connector(cls, name, **values):
        connector = cls.env["integration.connector"].create(
            {
                "name": name,
                "url": cls.receiver.url,
                "event_types": "test.widget.*",
                "retry_schedule": "5,5,5",
                **values,
            }
        )
        secret = connector.issue_signing_secret()["signing_secret"]
        cls.receiver.secrets = [secret]
        return connector

    def setUp(self):
        super().setUp()
        self.receiver.reset()

    def make_widget(self, name="W-1", quantity=5):
        return self.env["test.integration.widget"].create(
            {"name": name, "quantity": quantity}
        )

    def ship(self, *names):
        """Ship new widgets; returns their outbound events in order."""
        events = self.env["integration.event"]
        for name in names:
            widget = self.make_widget(name)
            widget.action_ship()
            events |= self.env["integration.event"].search(
                [("direction", "=", "out"), ("subject", "=", name)]
            )
        return events

    def deliveries(self, events, connector=None):
        return self.env["integration.delivery"].search(
            [
                ("event_id", "in", events.ids),
                ("connector_id", "=", (connector or self.connector).id),
            ],
            order="id",
        )

    def fast_forward_deliveries(self):
        """Let retry delays elapse for deliveries and their wake-up jobs."""
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE integration_delivery SET next_attempt_at = "
            "now() at time zone 'UTC' - interval '1 second' "
            "WHERE state IN ('retrying', 'pending')"
        )
        self.fast_forward()

    def seal_log(self):
        self.env.flush_all()
        return self.env["integration.log.entry"]._seal_pending()
