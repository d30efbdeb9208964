# Copyright 2026 Mfg Integration Suite Authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import fields, models

from odoo.addons.integration_log.params import positive_int_param
from odoo.addons.mrp_trace_sync.models.mrp_production import (
    OPEN_STATES as MO_OPEN_STATES,
)

# The hours after which mrp_trace_sync's reconciliation reports a released
# order the MES has not started (a "not started" drift).
START_ALERT_PARAM = "mrp_trace_sync.start_alert_hours"


class MfgCockpit(models.AbstractModel):
    """Production and engineering figures: orders the MES has not started,
    completions not received, MES reconciliation differences, BOM releases
    waiting for a manager."""

    # Split by concern on purpose: the engine lives in mfg_cockpit.py.
    # pylint: disable=consider-merging-classes-inherited
    _inherit = "mfg.cockpit"

    def _figures_mes_not_started(self):
        Production = self.env["mrp.production"]
        # The filter "Released, not started by MES" of mrp_trace_sync.
        domain = [("mes_status", "=", "released"), ("state", "in", MO_OPEN_STATES)]
        hours = positive_int_param(self.env, START_ALERT_PARAM, 8)
        [(count, oldest)] = Production._read_group(
            domain, [], ["__count", "mes_released_at:min"]
        )
        late = Production.search_count(
            domain
            + [("mes_released_at", "<", fields.Datetime.now() - timedelta(hours=hours))]
        )
        if count:
            detail = self.env._(
                "Oldest released %(age)s ago. %(late)s waiting more than "
                "%(hours)s h (the reconciliation's alert).",
                age=self._format_age(self._age_since(oldest)),
                late=self._format_count(late),
                hours=hours,
            )
        else:
            detail = self.env._("The MES has started every order released to it.")
        figure = self._figure(
            count,
            detail,
            "mrp.production",
            domain,
            level=late,
            measure=self.env._(
                "Orders not started %(hours)s h after their release", hours=hours
            ),
        )
        return {"mo_not_started": figure}

    def _figures_mes_completion_missing(self):
        Production = self.env["mrp.production"]
        domain = [
            ("mes_status", "=", "started"),
            ("state", "in", MO_OPEN_STATES),
            ("date_finished", "<", self._domain_time(fields.Datetime.now())),
        ]
        count = Production.search_count(domain)
        latest = Production.search(domain, order="date_finished, id", limit=1)
        if latest:
            detail = self.env._(
                "Most overdue: %(order)s (%(product)s), planned to finish %(age)s ago.",
                order=latest.name,
                product=latest.product_id.display_name,
                age=self._format_age(self._age_since(latest.date_finished)),
            )
        else:
            detail = self.env._(
                "Every order started by the MES is within its planned finish."
            )
        figure = self._figure(
            count,
            detail,
            "mrp.production",
            domain,
            measure=self.env._("Orders past their planned finish"),
        )
        return {"mo_completion_missing": figure}

    def _figures_mes_drifts(self):
        Drift = self.env["mrp.trace.drift"]
        domain = [("resolved", "=", False)]
        counts = dict(Drift._read_group(domain, ["kind"], ["__count"]))
        [(latest,)] = Drift._read_group(domain, [], ["detected_at:max"])
        short = self._drift_short_labels()
        breakdown = [(short[kind], counts.get(kind, 0)) for kind in short]
        total = sum(counts.values())
        if total:
            detail = self.env._(
                "Found by the MES reconciliation; latest %(age)s ago.",
                age=self._format_age(self._age_since(latest)),
            )
        else:
            detail = self.env._("The MES and Odoo agree on every order.")
        figure = self._figure(
            total,
            detail,
            "mrp.trace.drift",
            domain,
            group_by="kind",
            measure=self.env._("Open differences"),
            bars=(self.env._("Open differences by kind"), breakdown),
        )
        return {"mes_drifts": figure}

    def _drift_short_labels(self):
        return {
            "not_started": self.env._("Not started"),
            "not_closed": self.env._("Not closed"),
            "quantity": self.env._("Quantity"),
            "consumption": self.env._("Consumption"),
        }

    def _figures_bom_pending(self):
        Release = self.env["plm.bom.release"]
        domain = [("state", "=", "pending")]
        count = Release.search_count(domain)
        oldest = Release.search(domain, order="create_date, id", limit=1)
        age = self._age_since(oldest.create_date)
        if oldest:
            detail = self.env._(
                "Oldest: %(release)s, waiting %(age)s (%(added)s added, "
                "%(removed)s removed, %(changed)s changed).",
                release=oldest.display_name,
                age=self._format_age(age),
                added=oldest.added_count,
                removed=oldest.removed_count,
                changed=oldest.changed_count,
            )
        else:
            detail = self.env._("No BOM release waits for a manager.")
        figure = self._figure(
            count,
            detail,
            "plm.bom.release",
            domain,
            level=age / 86400,
            measure=self.env._("Days the oldest has waited"),
            # One release: its form, with the diff to decide on.
            res_id=oldest.id if count == 1 else None,
        )
        return {"bom_pending_approval": figure}
