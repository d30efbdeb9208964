# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import uuid

from odoo.tests import tagged
from odoo.tools import SQL

from .common import API, InboundCase


@tagged("post_install", "-at_install")
class TestHealthRunner(InboundCase):
    """GET /health tells a stalled queue_job runner from a busy one. The
    states are the rows a runner leaves in queue_job: a job due for a while,
    and when the runner last enqueued or started one."""

    def job(self, state="pending", due=5, eta=None, enqueued=None, started=None):
        """A queue_job row. Ages in seconds: ``due`` since it was created,
        ``eta`` since its eta (negative: to come), ``enqueued`` and
        ``started`` since the runner enqueued it and a worker started it."""

        def moment(seconds):
            if seconds is None:
                return SQL("NULL")
            return SQL(
                "clock_timestamp() AT TIME ZONE 'UTC' - make_interval(secs => %s)",
                seconds,
            )

        self.env.cr.execute(
            SQL(
                """
                INSERT INTO queue_job (uuid, state, name, model_name, method_name,
                    channel, priority, date_created, eta, date_enqueued,
                    date_started)
                VALUES (%s, %s, 'Health check test', 'res.partner', 'exists',
                    'root', 10, %s, %s, %s, %s)
                """,
                str(uuid.uuid4()),
                state,
                moment(due),
                moment(eta),
                moment(enqueued),
                moment(started),
            )
        )

    def health(self, status):
        response = self.url_open(API + "/health", timeout=60)
        self.assertEqual(response.status_code, status, response.text)
        return response.json()

    def set_param(self, key, value):
        self.env["ir.config_parameter"].set_param(key, value)

    def test_a_due_job_without_dispatch_for_a_minute_is_a_stalled_runner(self):
        self.job(due=120)
        # What a runner dispatched before it stalled.
        self.job(state="done", enqueued=400, started=399)
        body = self.health(503)
        self.assertEqual(body["failing"], ["job_runner"])
        check = body["checks"]["job_runner"]
        self.assertEqual(check["status"], "fail")
        self.assertEqual(check["runner"], "stalled")
        self.assertGreaterEqual(check["oldest_due_job_seconds"], 120)
        self.assertEqual(check["jobs_started_recently"], 0)
        self.assertIn("Restart the process running the job runner", check["detail"])

    def test_a_job_started_10_s_ago_shows_a_runner_at_work(self):
        self.job(due=120)
        self.job(state="done", enqueued=11, started=10)
        body = self.health(200)
        check = body["checks"]["job_runner"]
        self.assertEqual(check["status"], "ok")
        self.assertEqual(check["runner"], "dispatching")
        self.assertGreaterEqual(check["oldest_due_job_seconds"], 120)
        self.assertEqual(check["due_jobs"], 1)
        self.assertEqual(check["jobs_started_recently"], 1)
        self.assertEqual(check["jobs_enqueued_recently"], 1)

    def test_a_job_enqueued_but_not_started_yet_shows_a_runner_at_work(self):
        self.job(due=120)
        self.job(state="enqueued", due=30, enqueued=5)
        check = self.health(200)["checks"]["job_runner"]
        self.assertEqual(check["runner"], "dispatching")
        self.assertEqual(check["due_jobs"], 2)

    def test_long_jobs_holding_the_channels_are_not_a_stall(self):
        self.job(due=120)
        self.job(state="started", enqueued=91, started=90)
        check = self.health(200)["checks"]["job_runner"]
        self.assertEqual(check["runner"], "busy")
        self.assertEqual(check["jobs_running"], 1)
        self.assertEqual(check["jobs_started_recently"], 0)

    def test_a_moving_backlog_is_late_only_past_the_delay_threshold(self):
        self.job(due=200)
        self.job(state="done", enqueued=6, started=5)
        self.assertEqual(
            self.health(200)["checks"]["job_runner"]["runner"], "dispatching"
        )
        self.job(due=301)
        check = self.health(503)["checks"]["job_runner"]
        self.assertEqual(check["runner"], "late")
        self.assertIn("limit 300 s", check["detail"])
        self.assertIn("queue_job runner", check["detail"])

    def test_the_thresholds_are_system_parameters(self):
        self.job(due=120)
        self.set_param("integration_log.health_runner_stall_seconds", "600")
        check = self.health(200)["checks"]["job_runner"]
        self.assertEqual((check["runner"], check["window_seconds"]), ("waiting", 600))
        self.set_param("integration_log.health_job_delay_seconds", "100")
        check = self.health(503)["checks"]["job_runner"]
        self.assertEqual(check["runner"], "late")

    def test_jobs_not_due_yet_are_no_concern(self):
        self.job(due=3600, eta=-3600)
        self.job(state="done", enqueued=4000, started=4000)
        check = self.health(200)["checks"]["job_runner"]
        self.assertEqual((check["runner"], check["due_jobs"]), ("idle", 0))
