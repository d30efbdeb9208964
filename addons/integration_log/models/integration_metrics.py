# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
)
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import CollectorRegistry

from odoo import api, models
from odoo.tools import SQL

from ..protocol.problem import REASONS
from .integration_delivery import DELIVERY_OPEN_STATES, DELIVERY_STATES
from .integration_event import EVENT_STATES

LATENCY_BUCKETS = (0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600)
DELIVERY_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class _StaticCollector:
    def __init__(self, families):
        self.families = families

    def collect(self):
        return iter(self.families)


class IntegrationApi(models.AbstractModel):
    """Prometheus metrics of GET /metrics."""

    # Split by concern on purpose: the model is declared in integration_openapi.py.
    # pylint: disable=consider-merging-classes-inherited
    _inherit = "integration.api"

    @api.model
    def _metrics_text(self):
        registry = CollectorRegistry(auto_describe=False)
        registry.register(_StaticCollector(self._metric_families()))
        return generate_latest(registry)

    @api.model
    def _metric_families(self):
        """Metric families of /metrics; other modules extend the list."""
        return [
            self._metric_events_received(),
            self._metric_events_by_state(),
            self._metric_refusals(),
            self._metric_processing_latency(),
            self._metric_oldest_backlog(),
            self._metric_deliveries(),
            self._metric_delivery_latency(),
            self._metric_oldest_pending_delivery(),
        ]

    def _metric_events_received(self):
        family = CounterMetricFamily(
            "mfg_integration_events_received",
            "Inbound events accepted, by type and current status.",
            labels=["type", "status"],
        )
        self.env.cr.execute(
            "SELECT event_type, state, count(*) FROM integration_event "
            "WHERE direction = 'in' GROUP BY event_type, state ORDER BY 1, 2"
        )
        for event_type, state, count in self.env.cr.fetchall():
            family.add_metric([event_type, state], count)
        return family

    def _metric_events_by_state(self):
        family = GaugeMetricFamily(
            "mfg_integration_events",
            "Integration events by direction and state.",
            labels=["direction", "state"],
        )
        self.env.cr.execute(
            "SELECT direction, state, count(*) FROM integration_event "
            "GROUP BY direction, state"
        )
        counts = {(d, s): c for d, s, c in self.env.cr.fetchall()}
        for direction in ("in", "out"):
            for state, _label in EVENT_STATES:
                family.add_metric([direction, state], counts.get((direction, state), 0))
        return family

    def _metric_refusals(self):
        family = CounterMetricFamily(
            "mfg_integration_refusals",
            "Requests and batch events refused by the inbound API, by reason.",
            labels=["reason"],
        )
        self.env["integration.refusal"].flush_model(["reason", "occurrence_count"])
        # A row may stand for several refusals of the same minute.
        self.env.cr.execute(
            "SELECT reason, sum(coalesce(occurrence_count, 1)) "
            "FROM integration_refusal GROUP BY reason"
        )
        counts = dict(self.env.cr.fetchall())
        for reason in REASONS:
            family.add_metric([reason], counts.get(reason, 0))
        return family

    def _metric_processing_latency(self):
        buckets = SQL(", ").join(
            SQL("count(*) FILTER (WHERE latency <= %s)", bound)
            for bound in LATENCY_BUCKETS
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT %s, count(*), coalesce(sum(latency), 0)
                FROM (
                    SELECT extract(epoch FROM processed_at - received_at) AS latency
                    FROM integration_event
                    WHERE direction = 'in' AND state = 'processed'
                      AND processed_at IS NOT NULL
                ) AS processed
                """,
                buckets,
            )
        )
        row = self.env.cr.fetchone()
        total, latency_sum = row[-2], row[-1]
        bucket_values = [
            (str(bound), count)
            for bound, count in zip(LATENCY_BUCKETS, row, strict=False)
        ] + [("+Inf", total)]
        return HistogramMetricFamily(
            "mfg_integration_event_processing_seconds",
            "Time from reception to successful processing of inbound events.",
            buckets=bucket_values,
            sum_value=float(latency_sum),
        )

    def _metric_oldest_backlog(self):
        family = GaugeMetricFamily(
            "mfg_integration_inbound_backlog_oldest_seconds",
            "Age of the oldest inbound event waiting to be processed.",
        )
        family.add_metric([], self._oldest_backlog_age())
        return family

    def _metric_deliveries(self):
        family = GaugeMetricFamily(
            "mfg_integration_deliveries",
            "Outbound deliveries by connector and state.",
            labels=["connector", "state"],
        )
        self.env.cr.execute(
            """
            SELECT c.name, d.state, count(*)
            FROM integration_delivery d
            JOIN integration_connector c ON c.id = d.connector_id
            GROUP BY c.name, d.state
            """
        )
        counts = {(name, state): count for name, state, count in self.env.cr.fetchall()}
        for name in sorted({name for name, _state in counts}):
            for state, _label in DELIVERY_STATES:
                family.add_metric([name, state], counts.get((name, state), 0))
        return family

    def _metric_delivery_latency(self):
        """Response time of the partners, over every delivery attempt."""
        family = HistogramMetricFamily(
            "mfg_integration_delivery_latency_seconds",
            "Time partners took to answer delivery attempts, by connector.",
            labels=["connector"],
        )
        buckets = SQL(", ").join(
            SQL("count(*) FILTER (WHERE e.latency_ms <= %s)", bound * 1000)
            for bound in DELIVERY_LATENCY_BUCKETS
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT c.name, %s, count(*), coalesce(sum(e.latency_ms), 0) / 1000.0
                FROM integration_log_entry e
                JOIN integration_connector c ON c.id = e.connector_id
                WHERE e.kind = 'delivery' AND e.latency_ms IS NOT NULL
                GROUP BY c.name
                ORDER BY c.name
                """,
                buckets,
            )
        )
        for row in self.env.cr.fetchall():
            name, counts, total, latency_sum = row[0], row[1:-2], row[-2], row[-1]
            family.add_metric(
                [name],
                [
                    (str(bound), count)
                    for bound, count in zip(
                        DELIVERY_LATENCY_BUCKETS, counts, strict=True
                    )
                ]
                + [("+Inf", total)],
                float(latency_sum),
            )
        return family

    def _metric_oldest_pending_delivery(self):
        family = GaugeMetricFamily(
            "mfg_integration_delivery_oldest_pending_seconds",
            "Age of the oldest delivery not yet delivered, by connector.",
            labels=["connector"],
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT c.name, coalesce(extract(epoch FROM now() at time zone 'UTC'
                    - min(d.create_date) FILTER (WHERE d.state IN %s)), 0)
                FROM integration_connector c
                LEFT JOIN integration_delivery d ON d.connector_id = c.id
                WHERE c.active
                GROUP BY c.name
                ORDER BY c.name
                """,
                DELIVERY_OPEN_STATES,
            )
        )
        for name, age in self.env.cr.fetchall():
            family.add_metric([name], float(age))
        return family

    def _oldest_backlog_age(self):
        self.env.cr.execute(
            """
            SELECT coalesce(extract(epoch FROM
                now() at time zone 'UTC' - min(received_at)), 0)
            FROM integration_event
            WHERE direction = 'in' AND state IN ('received', 'processing')
            """
        )
        return float(self.env.cr.fetchone()[0])
