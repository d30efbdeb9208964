# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models
from odoo.tools import SQL

from ..params import positive_int_param

# What the job runner check reads of queue_job, in one query. A job is due
# when it is pending (or enqueued) and its eta, if any, has passed; the
# runner dispatches it by setting date_enqueued, a worker starts it by
# setting date_started (both naive UTC, as queue_job writes them). The
# clock, not the transaction's start: a long transaction must not make
# recent jobs look old.
_JOB_RUNNER_QUERY = """
WITH clock AS (SELECT clock_timestamp() AT TIME ZONE 'UTC' AS now),
due AS (
    SELECT q.state, coalesce(q.eta, q.date_created) AS since
    FROM queue_job q, clock
    WHERE q.state IN ('pending', 'enqueued')
      AND coalesce(q.eta, q.date_created) <= clock.now
),
dispatched AS (
    SELECT q.date_enqueued, q.date_started
    FROM queue_job q, clock
    WHERE greatest(q.date_enqueued, q.date_started)
        >= clock.now - make_interval(secs => %(window)s)
)
SELECT
    coalesce(extract(epoch FROM clock.now - (SELECT min(since) FROM due)), 0),
    coalesce(extract(epoch FROM clock.now - (
        SELECT min(since) FROM due WHERE state = 'pending')), 0),
    (SELECT count(*) FROM due),
    (SELECT count(*) FROM dispatched
        WHERE date_enqueued >= clock.now - make_interval(secs => %(window)s)),
    (SELECT count(*) FROM dispatched
        WHERE date_started >= clock.now - make_interval(secs => %(window)s)),
    (SELECT count(*) FROM queue_job q WHERE q.state = 'started'
        AND q.date_started >= clock.now - make_interval(secs => %(limit)s))
FROM clock
"""


class IntegrationApi(models.AbstractModel):
    """Checks of GET /health, with thresholds in system parameters."""

    # Split by concern on purpose: the model is declared in integration_openapi.py.
    # pylint: disable=consider-merging-classes-inherited
    _inherit = "integration.api"

    def init(self):
        res = super().init()
        # The runner check counts the jobs dispatched in the last minute on
        # every call of /health: an index spares it a scan of queue_job,
        # which keeps its done jobs for weeks.
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS integration_queue_job_dispatched_idx
            ON queue_job ((greatest(date_enqueued, date_started)))
            """
        )
        return res

    @api.model
    def _health(self):
        """:returns: ``(http_status, body)`` for GET /health."""
        checks = {
            "database": self._health_database(),
            "job_runner": self._health_job_runner(),
            "backlog": self._health_backlog(),
        }
        failing = [name for name, check in checks.items() if check["status"] != "ok"]
        body = {"status": "fail" if failing else "ok", "checks": checks}
        if failing:
            body["failing"] = failing
        return (503 if failing else 200), body

    def _health_threshold(self, key, default):
        return positive_int_param(self.env, key, default)

    def _health_database(self):
        self.env.cr.execute("SELECT 1")
        return {"status": "ok"}

    def _health_job_runner(self):
        """Is the queue_job runner dispatching the jobs that are due?

        ``stalled`` (fail): a job has been due for more than
        ``integration_log.health_runner_stall_seconds`` (60) and, for as
        long, the runner has enqueued none and no job has started, while no
        job is running that could hold the channels; queue_job's runner
        stops dispatching so after losing its database connection.
        ``late`` (fail): a due job has waited more than
        ``integration_log.health_job_delay_seconds`` (300), however busy the
        runner is. Otherwise ``idle``, ``dispatching``, ``busy`` (jobs
        running, none started lately) or ``waiting`` (due for less than the
        stall delay).
        """
        limit = self._health_threshold("integration_log.health_job_delay_seconds", 300)
        window = self._health_threshold(
            "integration_log.health_runner_stall_seconds", 60
        )
        self.env.cr.execute(SQL(_JOB_RUNNER_QUERY, window=window, limit=limit))
        oldest, oldest_pending, due, enqueued, started, running = self.env.cr.fetchone()
        check = {
            "status": "ok",
            "oldest_due_job_seconds": round(float(oldest), 1),
            "due_jobs": due,
            "jobs_enqueued_recently": enqueued,
            "jobs_started_recently": started,
            "jobs_running": running,
            "window_seconds": window,
        }
        check.update(self._runner_verdict(check, float(oldest_pending), limit))
        return check

    def _runner_verdict(self, check, oldest_pending, limit):
        """The ``runner`` state of a job runner check, with ``status`` and
        ``detail`` when it fails."""
        window = check["window_seconds"]
        dispatching = check["jobs_enqueued_recently"] or check["jobs_started_recently"]
        if oldest_pending > window and not dispatching and not check["jobs_running"]:
            return {
                "status": "fail",
                "runner": "stalled",
                "detail": f"A job has been due for {oldest_pending:.0f} s and the "
                f"queue_job runner has dispatched none in the last {window} s: it "
                "has stalled (it stops dispatching after losing its database "
                "connection). Restart the process running the job runner.",
            }
        oldest = check["oldest_due_job_seconds"]
        if oldest > limit:
            return {
                "status": "fail",
                "runner": "late",
                "detail": f"A due job has waited {oldest:.0f} s (limit {limit} s) "
                f"while {check['jobs_started_recently']} job(s) started in the last "
                f"{window} s: the queue_job runner dispatches too slowly for the "
                "load, or a job holds a channel. Add channel capacity or workers, "
                "or look for a job that does not end.",
            }
        if not check["due_jobs"]:
            return {"runner": "idle"}
        if dispatching:
            return {"runner": "dispatching"}
        return {"runner": "busy" if check["jobs_running"] else "waiting"}

    def _health_backlog(self):
        limit = self._health_threshold("integration_log.health_backlog_seconds", 900)
        age = self._oldest_backlog_age()
        check = {"status": "ok", "oldest_waiting_event_seconds": round(age, 1)}
        if age > limit:
            check.update(
                status="fail",
                detail=f"An inbound event has waited {age:.0f} s to be processed "
                f"(limit {limit} s).",
            )
        return check
