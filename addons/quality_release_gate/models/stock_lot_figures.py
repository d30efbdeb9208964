# Copyright 2026 Mfg Integration Suite Authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.tools import SQL

from .quality_lot_hold import HOLD_SOURCES
from .stock_picking import OPEN_STATES


class StockLot(models.Model):
    """The release figures of the dashboard and /metrics: lots awaiting
    release against their SLA, lots by disposition, active holds by source
    and transfers the gate blocks (every company, as the other figures of
    /metrics)."""

    # Split by concern on purpose: the fields live in stock_lot.py.
    # pylint: disable=consider-merging-classes-inherited
    _inherit = "stock.lot"

    @api.model
    def _quality_figures(self):
        """``{"awaiting": n, "oldest_seconds": s, "overdue": n, "lots":
        {disposition: n}, "holds": {source: n}, "blocked_transfers": n}``."""
        self.flush_model(
            [
                "quality_decision",
                "quality_disposition",
                "quality_pending_since",
                "quality_release_deadline",
            ]
        )
        self.env["quality.lot.hold"].flush_model(["state", "source"])
        figures = self._quality_lot_figures()
        figures["holds"] = self._quality_hold_figures()
        figures["blocked_transfers"] = self._quality_blocked_figure()
        return figures

    def _quality_lot_figures(self):
        now = fields.Datetime.now()
        rows = self.env.execute_query(
            SQL(
                """
                SELECT quality_disposition, count(*),
                    count(*) FILTER (WHERE quality_decision = 'pending'),
                    min(quality_pending_since)
                        FILTER (WHERE quality_decision = 'pending'),
                    count(*) FILTER (WHERE quality_decision = 'pending'
                        AND quality_release_deadline < %s)
                FROM stock_lot
                WHERE quality_disposition <> 'released'
                   OR quality_decision <> 'released'
                GROUP BY quality_disposition
                """,
                now,
            )
        )
        oldest = min((row[3] for row in rows if row[3]), default=None)
        return {
            "lots": {row[0]: row[1] for row in rows},
            "awaiting": sum(row[2] for row in rows),
            "oldest_seconds": (now - oldest).total_seconds() if oldest else 0.0,
            "overdue": sum(row[4] for row in rows),
        }

    def _quality_hold_figures(self):
        rows = self.env.execute_query(
            SQL(
                "SELECT source, count(*) FROM quality_lot_hold "
                "WHERE state = 'active' GROUP BY source"
            )
        )
        counts = dict(rows)
        return {source: counts.get(source, 0) for source, _label in HOLD_SOURCES}

    def _quality_blocked_figure(self):
        for model_name in ("stock.picking", "stock.move.line"):
            self.env[model_name].flush_model()
        rows = self.env.execute_query(
            SQL(
                """
                SELECT count(DISTINCT picking.id)
                FROM stock_picking picking
                JOIN stock_picking_type ptype ON ptype.id = picking.picking_type_id
                JOIN stock_move_line ml ON ml.picking_id = picking.id
                JOIN stock_lot lot ON lot.id = ml.lot_id
                WHERE picking.state IN %s AND ptype.code = 'outgoing'
                  AND lot.quality_disposition <> 'released'
                """,
                OPEN_STATES,
            )
        )
        return rows[0][0]
