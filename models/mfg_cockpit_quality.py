# Copyright 2026 Mfg Integration Suite Authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class MfgCockpit(models.AbstractModel):
    """Quality figures: lots awaiting release against their SLA, holds by
    reason, deliveries the release gate blocks. They count what
    ``stock.lot._quality_figures`` counts for /metrics, through the fields
    and search methods of quality_release_gate, as the user."""

    # Split by concern on purpose: the engine lives in mfg_cockpit.py.
    # pylint: disable=consider-merging-classes-inherited
    _inherit = "mfg.cockpit"

    def _figures_release(self):
        Lot = self.env["stock.lot"]
        domain = [("quality_decision", "=", "pending")]
        count = Lot.search_count(domain)
        overdue = Lot.search_count([("quality_overdue", "=", True)])
        oldest = Lot.search(domain, order="quality_pending_since, id", limit=1)
        figure = self._figure(
            count,
            self._release_detail(oldest, overdue),
            "stock.lot",
            domain,
            level=overdue,
            measure=self.env._("Lots past their release deadline"),
            group_by="product_id",
        )
        return {"lots_awaiting_release": figure}

    def _release_detail(self, oldest, overdue):
        if not oldest:
            return self.env._("No lot is waiting for a quality decision.")
        waiting = self._format_age(self._age_since(oldest.quality_pending_since))
        if not oldest.quality_release_deadline:
            sla = self.env._("no release deadline")
        else:
            sla = self.env._(
                "SLA %(sla)s",
                sla=self._format_age(
                    (
                        oldest.quality_release_deadline - oldest.quality_pending_since
                    ).total_seconds()
                ),
            )
        return self.env._(
            "Oldest: %(lot)s, waiting %(waiting)s (%(sla)s). %(overdue)s past "
            "their deadline.",
            lot=oldest.display_name,
            waiting=waiting,
            sla=sla,
            overdue=self._format_count(overdue),
        )

    def _figures_holds(self):
        Hold = self.env["quality.lot.hold"]
        domain = [("state", "=", "active")]
        counts = dict(Hold._read_group(domain, ["source"], ["__count"]))
        [(lots,)] = Hold._read_group(domain, [], ["lot_id:count_distinct"])
        labels = Hold._fields["source"]._description_selection(self.env)
        breakdown = [(label, counts.get(source, 0)) for source, label in labels]
        total = sum(counts.values())
        detail = self.env._(
            "On %(lots)s lots: %(sources)s.",
            lots=self._format_count(lots),
            sources=", ".join(f"{label} {count}" for label, count in breakdown),
        )
        figure = self._figure(
            total,
            detail,
            "quality.lot.hold",
            domain,
            group_by="source",
            measure=self.env._("Active holds"),
            bars=(self.env._("Active holds by reason"), breakdown),
        )
        return {"lots_on_hold": figure}

    def _figures_blocked_deliveries(self):
        Picking = self.env["stock.picking"]
        # quality_release_gate's search: open outgoing transfers with a lot
        # that is not released.
        domain = [("quality_blocked", "=", True)]
        count = Picking.search_count(domain)
        late = Picking.search_count(
            domain + [("scheduled_date", "<", fields.Datetime.now())]
        )
        first = Picking.search(domain, order="scheduled_date, id", limit=1)
        if first:
            detail = self.env._(
                "%(late)s past their scheduled date. First due: %(picking)s "
                "for %(partner)s.",
                late=self._format_count(late),
                picking=first.name,
                partner=first.partner_id.display_name or "-",
            )
        else:
            detail = self.env._("No open delivery carries a lot that is not released.")
        figure = self._figure(
            count,
            detail,
            "stock.picking",
            domain,
            measure=self.env._("Blocked deliveries"),
        )
        return {"deliveries_blocked": figure}
