# Copyright 2026 Mfg Integration Suite Authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models

from odoo.addons.integration_log.exceptions import IntegrationPointerError


class MrpProduction(models.Model):
    """The MES learns at once that a component lot may not be consumed:
    its consumption report (mfg.material.consumed.v1, the ``consumed`` of
    mfg.production.completed.v1) is refused naming the lot, instead of the
    order failing when it is posted."""

    _inherit = "mrp.production"

    def _mes_resolve_lines(self, lines, pointer, client):
        resolved = super()._mes_resolve_lines(lines, pointer, client)
        Lot = self.env["stock.lot"]
        for index, (product, lot, _quantity) in enumerate(resolved):
            move = self.move_raw_ids.filtered(
                lambda m, p=product: (
                    m.product_id == p and m.state not in ("done", "cancel")
                )
            )[:1]
            if lot and move._quality_refuses(lot):
                raise IntegrationPointerError(
                    f"{pointer}/{index}/lot",
                    self.env._(
                        "%(mo)s may not consume lot %(lot)s: %(reason)s.",
                        mo=self.name,
                        lot=lot.name,
                        reason=Lot._quality_reason_text(
                            lot.quality_disposition, lot._quality_holds_data()
                        ),
                    ),
                    lot.name,
                )
        return resolved
