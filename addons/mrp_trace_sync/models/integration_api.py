# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from prometheus_client.core import GaugeMetricFamily

from odoo import models


class IntegrationApi(models.AbstractModel):
    _inherit = "integration.api"

    def _metric_families(self):
        return super()._metric_families() + [self._metric_unacknowledged()]

    def _metric_unacknowledged(self):
        family = GaugeMetricFamily(
            "mfg_integration_productions_unacknowledged",
            "Manufacturing orders released to the MES but not started by it: "
            "count and age of the oldest, in seconds.",
            labels=["measure"],
        )
        count, age = self.env["mrp.production"]._mes_unacknowledged()
        family.add_metric(["count"], count)
        family.add_metric(["oldest_age_seconds"], age)
        return family
