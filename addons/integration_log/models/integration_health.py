# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models


class IntegrationApi(models.AbstractModel):
    """Checks of GET /health, with thresholds in system parameters."""

    # Split by concern on purpose: the model is declared in integration_openapi.py.
    # pylint: disable=consider-merging-classes-inherited
    _inherit = "integration.api"

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
        value = self.env["ir.config_parameter"].sudo().get_param(key)
        return int(value) if value and value.isdigit() else default

    def _health_database(self):
        self.env.cr.execute("SELECT 1")
        return {"status": "ok"}

    def _health_job_runner(self):
        limit = self._health_threshold("integration_log.health_job_delay_seconds", 300)
        self.env.cr.execute(
            """
            SELECT coalesce(extract(epoch FROM now() at time zone 'UTC'
                - min(coalesce(eta, date_created))), 0)
            FROM queue_job
            WHERE state IN ('pending', 'enqueued')
              AND coalesce(eta, date_created) <= now() at time zone 'UTC'
            """
        )
        waiting = float(self.env.cr.fetchone()[0])
        check = {"status": "ok", "oldest_due_job_seconds": round(waiting, 1)}
        if waiting > limit:
            check.update(
                status="fail",
                detail=f"A due job has waited {waiting:.0f} s (limit {limit} s): "
                "is the queue_job runner running?",
            )
        return check

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
