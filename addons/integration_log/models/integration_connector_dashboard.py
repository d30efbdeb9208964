# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import fields, models
from odoo.tools import SQL

from .integration_delivery import DELIVERY_OPEN_STATES


class IntegrationConnector(models.Model):
    """The figures of the connectors' delivery dashboard: backlog, dead
    deliveries, failure rate and partner latency."""

    # Split by concern on purpose: the record lives in integration_connector.py.
    # pylint: disable=consider-merging-classes-inherited
    _inherit = "integration.connector"

    backlog_count = fields.Integer("Backlog", compute="_compute_dashboard")
    dead_count = fields.Integer("Dead", compute="_compute_dashboard")
    oldest_pending_minutes = fields.Float(
        "Oldest Pending (min)", compute="_compute_dashboard", digits=(16, 1)
    )
    failure_rate_hour = fields.Float(
        "Failure Rate 1 h (%)", compute="_compute_dashboard", digits=(16, 1)
    )
    delivered_hour = fields.Integer("Delivered 1 h", compute="_compute_dashboard")
    latency_p50_hour = fields.Integer("p50 1 h (ms)", compute="_compute_dashboard")
    latency_p95_hour = fields.Integer("p95 1 h (ms)", compute="_compute_dashboard")
    latency_p50_day = fields.Integer("p50 24 h (ms)", compute="_compute_dashboard")
    latency_p95_day = fields.Integer("p95 24 h (ms)", compute="_compute_dashboard")

    def _compute_dashboard(self):
        figures = self._dashboard_figures()
        for connector in self:
            values = figures.get(connector.id, {})
            for name in (
                "backlog_count",
                "dead_count",
                "oldest_pending_minutes",
                "failure_rate_hour",
                "delivered_hour",
                "latency_p50_hour",
                "latency_p95_hour",
                "latency_p50_day",
                "latency_p95_day",
            ):
                connector[name] = values.get(name) or 0

    def _dashboard_figures(self):
        """:returns: ``{connector_id: {field name: value}}``."""
        ids = tuple(self.ids) or (0,)
        figures = {connector_id: {} for connector_id in self.ids}
        for connector_id, values in self._dashboard_backlog(ids).items():
            figures[connector_id].update(values)
        for connector_id, values in self._dashboard_attempts(ids).items():
            figures[connector_id].update(values)
        return figures

    def _dashboard_backlog(self, ids):
        """Open and dead deliveries, and the age of the oldest open one."""
        self.env.cr.execute(
            SQL(
                """
                SELECT connector_id,
                    count(*) FILTER (WHERE state IN %(open)s),
                    count(*) FILTER (WHERE state = 'dead'),
                    extract(epoch FROM %(now)s - min(create_date)
                        FILTER (WHERE state IN %(open)s)) / 60
                FROM integration_delivery
                WHERE connector_id IN %(ids)s
                GROUP BY connector_id
                """,
                open=DELIVERY_OPEN_STATES,
                now=fields.Datetime.now(),
                ids=ids,
            )
        )
        return {
            connector_id: {
                "backlog_count": backlog,
                "dead_count": dead,
                "oldest_pending_minutes": float(oldest or 0),
            }
            for connector_id, backlog, dead, oldest in self.env.cr.fetchall()
        }

    def _dashboard_attempts(self, ids):
        """Failure rate, deliveries and latency percentiles of the attempts
        of the last hour and day."""
        self.env.cr.execute(
            SQL(
                """
                SELECT connector_id,
                    count(*) FILTER (WHERE logged_at > %(hour)s),
                    count(*) FILTER (WHERE logged_at > %(hour)s
                                     AND state <> 'delivered'),
                    count(*) FILTER (WHERE logged_at > %(hour)s
                                     AND state = 'delivered'),
                    percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms)
                        FILTER (WHERE logged_at > %(hour)s),
                    percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms)
                        FILTER (WHERE logged_at > %(hour)s),
                    percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms),
                    percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms)
                FROM integration_log_entry
                WHERE kind = 'delivery' AND connector_id IN %(ids)s
                  AND logged_at > %(day)s
                GROUP BY connector_id
                """,
                hour=fields.Datetime.now() - timedelta(hours=1),
                day=fields.Datetime.now() - timedelta(days=1),
                ids=ids,
            )
        )
        result = {}
        for row in self.env.cr.fetchall():
            connector_id, attempts, failed, delivered, p50h, p95h, p50d, p95d = row
            result[connector_id] = {
                "failure_rate_hour": 100.0 * failed / attempts if attempts else 0.0,
                "delivered_hour": delivered,
                "latency_p50_hour": round(p50h or 0),
                "latency_p95_hour": round(p95h or 0),
                "latency_p50_day": round(p50d or 0),
                "latency_p95_day": round(p95d or 0),
            }
        return result
