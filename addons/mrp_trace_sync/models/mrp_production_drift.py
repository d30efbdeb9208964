# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models
from odoo.tools import float_compare


class MrpProduction(models.Model):
    """What the reconciliation (``mrp.trace.drift``) finds on an order the
    MES reported completed."""

    # Split by concern on purpose: the record lives in mrp_production.py.
    # pylint: disable=consider-merging-classes-inherited
    _inherit = "mrp.production"

    def _reconcile_completed(self, Drift, tolerance):
        self.ensure_one()
        findings = []
        if self.state not in ("done", "cancel"):
            findings.append(
                Drift._finding(
                    self,
                    "not_closed",
                    self.env._(
                        "The MES reported completion; the order is still %(state)s.",
                        state=self.state,
                    ),
                )
            )
        if self.state == "done":
            for move in self.move_raw_ids.filtered(
                lambda m: m.state == "done" and m.bom_line_id
            ):
                expected = move.product_uom_qty or 0.0
                if not expected:
                    continue
                gap = abs(move.quantity - expected) * 100.0 / expected
                if float_compare(gap, tolerance, precision_digits=2) > 0:
                    findings.append(
                        Drift._finding(
                            self,
                            "consumption",
                            self.env._(
                                "%(product)s: consumed %(done)s %(uom)s for "
                                "%(planned)s planned (%(gap).1f %% off, tolerance "
                                "%(tolerance)s %%).",
                                product=move.product_id.display_name,
                                done=move.quantity,
                                uom=move.product_uom.name,
                                planned=expected,
                                gap=gap,
                                tolerance=tolerance,
                            ),
                        )
                    )
        return findings
