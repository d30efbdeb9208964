# Copyright 2026 Mfg Integration Suite Authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models
from odoo.exceptions import UserError
from odoo.tools import SQL

# The gate, in one query: the picked lines of the moves being done whose lot
# may not go where the line goes. A line leaves the company when it goes to
# a customer, or out by a delivery type other than a return to a supplier
# or a scrap; a component line may take a pending lot only where the company
# allows it, never a held or rejected one. Internal moves, quarantine, scrap
# and returns to suppliers take any lot.
_GATE_QUERY = """
SELECT DISTINCT lot.id, lot.name,
    coalesce(product.default_code, tmpl.name->>%(lang)s, tmpl.name->>'en_US'),
    lot.quality_disposition, move.raw_material_production_id IS NOT NULL,
    coalesce(picking.name, production.name, move.reference, ''),
    holds.list
FROM stock_move_line ml
JOIN stock_move move ON move.id = ml.move_id
JOIN stock_lot lot ON lot.id = ml.lot_id
JOIN product_product product ON product.id = lot.product_id
JOIN product_template tmpl ON tmpl.id = product.product_tmpl_id
JOIN stock_location dst ON dst.id = ml.location_dest_id
JOIN res_company company ON company.id = move.company_id
LEFT JOIN stock_picking_type ptype ON ptype.id = move.picking_type_id
LEFT JOIN stock_picking picking ON picking.id = ml.picking_id
LEFT JOIN mrp_production production
    ON production.id = move.raw_material_production_id
LEFT JOIN LATERAL (
    SELECT jsonb_agg(jsonb_build_object('source', hold.source,
        'reference', hold.reference, 'reason', hold.reason) ORDER BY hold.id)
        AS list
    FROM quality_lot_hold hold
    WHERE hold.lot_id = lot.id AND hold.state = 'active'
) holds ON TRUE
WHERE ml.move_id = ANY(%(moves)s) AND ml.picked AND ml.quantity > 0
  AND lot.quality_disposition <> 'released'
  AND CASE WHEN move.raw_material_production_id IS NOT NULL
      THEN NOT (lot.quality_disposition = 'pending'
                AND coalesce(company.quality_pending_consumption, FALSE))
      ELSE dst.usage = 'customer'
           OR (ptype.code = 'outgoing'
               AND dst.usage NOT IN ('supplier', 'inventory'))
  END
ORDER BY 6, 2
"""
# What the gate reads, flushed before its query.
_GATE_FIELDS = {
    "stock.move.line": [
        "move_id",
        "picked",
        "quantity",
        "lot_id",
        "location_dest_id",
        "picking_id",
    ],
    "stock.move": [
        "raw_material_production_id",
        "company_id",
        "picking_type_id",
        "reference",
    ],
    "stock.lot": ["name", "product_id", "quality_disposition"],
    "quality.lot.hold": ["lot_id", "state", "source", "reference", "reason"],
    "res.company": ["quality_pending_consumption"],
}


class StockMove(models.Model):
    """The gate: no move takes a lot where its disposition forbids, however
    the move is done (a transfer validated from the UI, its wizards, a
    batch, the external API, Point of Sale's direct ``_action_done``, an MO
    posting its components). Reservations skip such lots. Lots that enter
    from a supplier, a production or a customer start pending when their
    release rule says so."""

    _inherit = "stock.move"

    def _action_done(self, cancel_backorder=False):
        self._quality_check_gate()
        moves = super()._action_done(cancel_backorder=cancel_backorder)
        moves._quality_register_entries()
        return moves

    # ------------------------------------------------------------------
    # The gate
    # ------------------------------------------------------------------
    def _quality_check_gate(self):
        """Raise naming every lot these moves may not take, and why: one
        query, whatever the number of moves and lots."""
        if not self:
            return
        for model_name, field_names in _GATE_FIELDS.items():
            self.env[model_name].flush_model(field_names)
        rows = self.env.execute_query(
            SQL(_GATE_QUERY, moves=self.ids, lang=self.env.lang or "en_US")
        )
        if rows:
            raise UserError(self.env["stock.lot"]._quality_gate_message(rows))

    def _quality_allowed_dispositions(self, reserving=False):
        """The dispositions of the lots this move may take: released only
        for a move that leaves the company (``reserving``: or whose chain
        ends at a customer), those the company allows for a component;
        ``None`` when any lot goes."""
        self.ensure_one()
        if self.product_id.tracking == "none":
            return None
        if self.raw_material_production_id:
            if self.company_id.quality_pending_consumption:
                return ("released", "pending")
            return ("released",)
        if self._quality_leaves_company(reserving):
            return ("released",)
        return None

    def _quality_leaves_company(self, reserving=False):
        self.ensure_one()
        usage = self.location_dest_id.usage
        if usage == "customer" or (
            self.picking_code == "outgoing" and usage not in ("supplier", "inventory")
        ):
            return True
        return reserving and self.location_final_id.usage == "customer"

    def _quality_refuses(self, lot):
        """Whether this move may not reserve ``lot``."""
        allowed = self._quality_allowed_dispositions(reserving=True)
        return allowed is not None and lot.quality_disposition not in allowed

    # ------------------------------------------------------------------
    # Reservation skips the lots a move may not take
    # ------------------------------------------------------------------
    def _quality_reserving(self):
        allowed = self._quality_allowed_dispositions(reserving=True)
        if allowed is None:
            return self
        return self.with_context(quality_reserve_dispositions=allowed)

    def _update_reserved_quantity(
        self,
        need,
        location_id,
        lot_id=None,
        package_id=None,
        owner_id=None,
        strict=True,
    ):
        return super(StockMove, self._quality_reserving())._update_reserved_quantity(
            need,
            location_id,
            lot_id=lot_id,
            package_id=package_id,
            owner_id=owner_id,
            strict=strict,
        )

    def _get_available_quantity(
        self,
        location_id,
        lot_id=None,
        package_id=None,
        owner_id=None,
        strict=False,
        allow_negative=False,
    ):
        return super(StockMove, self._quality_reserving())._get_available_quantity(
            location_id,
            lot_id=lot_id,
            package_id=package_id,
            owner_id=owner_id,
            strict=strict,
            allow_negative=allow_negative,
        )

    # ------------------------------------------------------------------
    # Lots entering the company
    # ------------------------------------------------------------------
    def _quality_register_entries(self):
        """Lots brought in by these done moves whose rule asks for a
        release start pending, and the QMS is asked to inspect them."""
        entries = {}
        for move in self:
            origin = move._quality_entry_origin()
            if not origin:
                continue
            document = move.picking_id.name or move.production_id.name or move.reference
            quantities = entries.setdefault((origin, document), {})
            for line in move.move_line_ids:
                if line.lot_id and line.location_dest_id.usage == "internal":
                    quantities[line.lot_id] = (
                        quantities.get(line.lot_id, 0.0) + line.quantity_product_uom
                    )
        Rule = self.env["quality.release.rule"]
        for (origin, document), quantities in entries.items():
            lots = (
                self.env["stock.lot"]
                .union(*quantities)
                .filtered(
                    lambda lot, origin=origin: Rule._rule_for(
                        lot.product_id, lot.company_id or self.env.company
                    )._requires_release(origin)
                )
            )
            if lots:
                lots._quality_enter(
                    origin, document, {lot.id: quantities[lot] for lot in lots}
                )

    def _quality_entry_origin(self):
        """receipt, production or return when the move brings lots into the
        company from a supplier, a manufacturing order or a customer."""
        self.ensure_one()
        usage = self.location_id.usage
        if usage == "supplier":
            return "receipt"
        if usage == "customer":
            return "return"
        if usage == "production" and self.production_id and not self.unbuild_id:
            return "production"
        return False
