# Copyright 2026 Mfg Integration Suite Authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from prometheus_client.core import GaugeMetricFamily

from odoo import models

from .quality_lot_disposition_log import DISPOSITIONS


class IntegrationApi(models.AbstractModel):
    """The release figures in /metrics (protocol v1, section 5: lots
    awaiting release and their oldest age)."""

    _inherit = "integration.api"

    def _metric_families(self):
        figures = self.env["stock.lot"]._quality_figures()
        return super()._metric_families() + [
            self._metric_awaiting_release(figures),
            self._metric_lots_by_disposition(figures),
            self._metric_holds(figures),
            self._metric_blocked_transfers(figures),
        ]

    def _metric_awaiting_release(self, figures):
        family = GaugeMetricFamily(
            "mfg_quality_lots_awaiting_release",
            "Lots waiting for their release: count, age of the oldest in "
            "seconds, and how many are past their SLA.",
            labels=["measure"],
        )
        family.add_metric(["count"], figures["awaiting"])
        family.add_metric(["oldest_age_seconds"], figures["oldest_seconds"])
        family.add_metric(["overdue"], figures["overdue"])
        return family

    def _metric_lots_by_disposition(self, figures):
        family = GaugeMetricFamily(
            "mfg_quality_lots",
            "Lots that may not leave the company, by disposition.",
            labels=["disposition"],
        )
        for disposition, _label in DISPOSITIONS:
            if disposition != "released":
                family.add_metric([disposition], figures["lots"].get(disposition, 0))
        return family

    def _metric_holds(self, figures):
        family = GaugeMetricFamily(
            "mfg_quality_holds_active",
            "Active lot holds, by source.",
            labels=["source"],
        )
        for source, count in figures["holds"].items():
            family.add_metric([source], count)
        return family

    def _metric_blocked_transfers(self, figures):
        family = GaugeMetricFamily(
            "mfg_quality_transfers_blocked",
            "Open outgoing transfers carrying lots that are not released.",
        )
        family.add_metric([], figures["blocked_transfers"])
        return family
