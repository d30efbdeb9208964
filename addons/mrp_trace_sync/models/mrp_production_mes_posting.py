# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import float_is_zero

from .mrp_production import OPEN_STATES


class MrpProduction(models.Model):
    """MES reports posted through Odoo's own flow: consumed lots on the raw
    moves, produced lots, one order per serial, backorders, closing."""

    # Split by concern on purpose: the record lives in mrp_production.py.
    # pylint: disable=consider-merging-classes-inherited
    _inherit = "mrp.production"

    def _mes_mark_started(self):
        to_start = self.filtered(lambda p: p.mes_status in ("not_released", "released"))
        if to_start:
            to_start.with_context(tracking_disable=True).write(
                {"mes_status": "started", "mes_started_at": fields.Datetime.now()}
            )

    def _mes_apply_consumption(self, resolved):
        """Record consumed component lots on the raw moves (picked lines)."""
        self.ensure_one()
        created = self.env["stock.move.line"]
        for product, lot, quantity in resolved:
            move = self.move_raw_ids.filtered(
                lambda m, p=product: (
                    m.product_id == p and m.state not in ("done", "cancel")
                )
            )[:1]
            created |= move._mes_add_consumption(lot, quantity)
        return created

    def _mes_complete_serials(self, outputs, consumed, close):
        """Several serials in one report: one order per serial, as Odoo's
        mass production does, so each serial gets its own genealogy.

        Reported components are allocated to the serials in the order
        reported, each serial taking its BoM quantity.

        :returns: ``(orders completed, lots, backorder)``
        """
        self.ensure_one()
        count = len(outputs)
        rest = self.product_qty - self.qty_produced - count
        amounts = [1.0] * count
        if rest > 0:
            amounts.append(rest)
        # The MES reported these serials itself: releasing their orders to it
        # would announce work it has already done (see below for the rest).
        productions = (
            self.with_context(mes_serial_split=True)
            ._split_productions({self: amounts})
            .with_env(self.env)
        )
        serial_orders, remainder = productions[:count], productions[count:]
        allocation = serial_orders._mes_allocate(consumed)
        lots = self.env["stock.lot"]
        for order, output in zip(serial_orders, outputs, strict=True):
            order._mes_apply_consumption(allocation[order])
            lots |= order._mes_produce([output])
            order._mes_mark_done(close=True)
        if remainder and close:
            remainder.action_cancel()
            remainder = self.browse()
        # What is left to make is new work for the MES.
        remainder.filtered(
            lambda p: p.state in OPEN_STATES and p.mes_status == "not_released"
        )._emit_released()
        return serial_orders, lots, remainder

    def _mes_allocate(self, consumed):
        """Share reported ``(product, lot, quantity)`` lines among ``self`` by
        their BoM demand; what is left goes to the last order."""
        allocation = {order: [] for order in self}
        for product in {line[0] for line in consumed}:
            queue = [[lot, qty] for p, lot, qty in consumed if p == product]
            for position, order in enumerate(self):
                move = order.move_raw_ids.filtered(
                    lambda m, p=product: m.product_id == p
                )
                need = sum(
                    m.product_uom._compute_quantity(m.product_uom_qty, product.uom_id)
                    for m in move
                )
                last = position == len(self) - 1
                while queue and (need > 1e-9 or last):
                    lot, qty = queue[0]
                    take = qty if last else min(qty, need)
                    allocation[order].append((product, lot, take))
                    need -= take
                    queue[0][1] -= take
                    if queue[0][1] <= 1e-9:
                        queue.pop(0)
        return allocation

    def _mes_output_lot(self, lot_name, produced_lots):
        """The lot of a scrapped finished product: one just produced, or an
        earlier one of the same product."""
        if not lot_name or self.product_id.tracking == "none":
            return self.env["stock.lot"]
        lot = produced_lots.filtered(lambda lot: lot.name == lot_name)
        return lot or self.env["integration.resolver"]._lot(
            self.product_id, lot_name, "/data/scrap/lot", self.company_id
        )

    def _mes_produce(self, outputs):
        """Set the produced quantity and the finished lots of this report."""
        self.ensure_one()
        Lot = self.env["stock.lot"]
        kit = self.env["integration.resolver"]
        lots = Lot.browse()
        # The schema requires a lot on every output; an untracked product
        # simply has none in Odoo.
        if self.product_id.tracking != "none":
            for item in outputs:
                lots |= kit._lot_get_or_create(
                    self.product_id,
                    item["lot"],
                    self.company_id,
                    item["expiration_date"],
                )
        total = sum(item["quantity"] for item in outputs)
        reported = self.move_raw_ids.filtered("picked")
        reported.manual_consumption = True
        single_lot = len(lots) == 1
        self.write(
            {
                "qty_producing": self.qty_produced + total,
                "lot_producing_id": lots.id if single_lot else False,
            }
        )
        self.set_qty_producing()
        if lots and not single_lot:
            self._mes_set_finished_lines(outputs, lots)
        return lots

    def _mes_set_finished_lines(self, outputs, lots):
        move = self.move_finished_ids.filtered(
            lambda m: (
                m.product_id == self.product_id and m.state not in ("done", "cancel")
            )
        )[:1]
        move.move_line_ids.unlink()
        lot_by_name = {lot.name: lot for lot in lots}
        self.env["stock.move.line"].create(
            [
                {
                    "move_id": move.id,
                    "product_id": self.product_id.id,
                    "product_uom_id": self.product_id.uom_id.id,
                    "lot_id": lot_by_name[item["lot"]].id,
                    "quantity": item["quantity"],
                    "location_id": move.location_id.id,
                    "location_dest_id": move.location_dest_id.id,
                    "picked": True,
                    "company_id": self.company_id.id,
                }
                for item in outputs
            ]
        )
        move.picked = True

    def _mes_mark_done(self, close=True):
        """Post the report through Odoo's own flow; returns the backorder."""
        self.ensure_one()
        remaining = self.product_qty - self.qty_producing
        backorder_wanted = (
            not close
            and not float_is_zero(
                remaining, precision_rounding=self.product_uom_id.rounding
            )
            and remaining > 0
        )
        before = self.procurement_group_id.mrp_production_ids
        result = self.with_context(
            skip_consumption=True,
            skip_expired=True,
            skip_backorder=True,
            skip_redirection=True,
            mo_ids_to_backorder=self.ids if backorder_wanted else [],
        ).button_mark_done()
        if self.state != "done":
            raise UserError(
                self.env._(
                    "production: Odoo could not close %(mo)s (it asked: %(what)s).",
                    mo=self.name,
                    what=result.get("name") if isinstance(result, dict) else result,
                )
            )
        return self.procurement_group_id.mrp_production_ids - before - self
