# Copyright 2026 Mfg Integration Suite Authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models
from odoo.osv import expression

from .quality_lot_disposition_log import DISPOSITIONS


class StockQuant(models.Model):
    _inherit = "stock.quant"

    def _get_gather_domain(
        self,
        product_id,
        location_id,
        lot_id=None,
        package_id=None,
        owner_id=None,
        strict=False,
    ):
        """A reservation that picks lots by itself (not strict) takes only
        the lots the move may take (``stock.move._quality_reserving``); a lot
        chosen by a person is reserved, and the gate judges it when the move
        is done."""
        domain = super()._get_gather_domain(
            product_id,
            location_id,
            lot_id=lot_id,
            package_id=package_id,
            owner_id=owner_id,
            strict=strict,
        )
        allowed = self.env.context.get("quality_reserve_dispositions")
        if allowed and not strict:
            domain = expression.AND(
                [
                    domain,
                    # No lot, or a lot of an allowed disposition: "not any"
                    # of the refused ones looks the few refused lots up (by
                    # their partial index), not every allowed one.
                    [
                        (
                            "lot_id",
                            "not any",
                            [("quality_disposition", "in", _refused(allowed))],
                        )
                    ],
                ]
            )
        return domain


def _refused(allowed):
    return [
        disposition
        for disposition, _label in DISPOSITIONS
        if disposition not in allowed
    ]
