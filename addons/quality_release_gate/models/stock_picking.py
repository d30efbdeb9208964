# Copyright 2026 Mfg Integration Suite Authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

OPEN_STATES = ("draft", "waiting", "confirmed", "assigned")


class StockPicking(models.Model):
    """Transfers that carry lots the gate would refuse, and why, on the form,
    in a filter and in the figures of the dashboard and /metrics."""

    _inherit = "stock.picking"

    quality_blocked = fields.Boolean(
        "Blocked by Quality",
        compute="_compute_quality_blocked",
        search="_search_quality_blocked",
        help="The transfer leaves the company with lots that are not released.",
    )
    quality_block_reason = fields.Text(
        "Blocked Because", compute="_compute_quality_blocked"
    )

    @api.depends(
        "state",
        "move_line_ids.lot_id.quality_disposition",
        "move_line_ids.lot_id.quality_hold_ids.state",
    )
    def _compute_quality_blocked(self):
        Lot = self.env["stock.lot"]
        for picking in self:
            rows = (
                picking._quality_blocked_rows() if picking.state in OPEN_STATES else []
            )
            picking.quality_blocked = bool(rows)
            picking.quality_block_reason = (
                "\n".join(Lot._quality_block_line(*row) for row in rows) or False
            )

    def _quality_blocked_rows(self):
        """The gate's rows for this open transfer, from its lines."""
        self.ensure_one()
        rows = {}
        for line in self.move_line_ids:
            lot = line.lot_id
            if (
                lot
                and lot.quality_disposition != "released"
                and line.move_id._quality_leaves_company()
            ):
                rows[lot.id] = (
                    lot.id,
                    lot.name,
                    self.env["integration.resolver"]._product_reference(lot.product_id),
                    lot.quality_disposition,
                    False,
                    self.name,
                    lot._quality_holds_data(),
                )
        return list(rows.values())

    def _search_quality_blocked(self, operator, value):
        if operator not in ("=", "!="):
            return NotImplemented
        blocked = [
            ("state", "in", OPEN_STATES),
            ("picking_type_code", "=", "outgoing"),
            ("move_line_ids.lot_id.quality_disposition", "!=", "released"),
        ]
        if (operator == "=") == bool(value):
            return blocked
        return ["!", "&", "&", *blocked]
