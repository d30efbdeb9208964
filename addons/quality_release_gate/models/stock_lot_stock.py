# Copyright 2026 Mfg Integration Suite Authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command, models


class StockLot(models.Model):
    """What a disposition does to stock: the lots made from a held lot,
    reservations left by lots that may no longer go, quarantine moves."""

    # Split by concern on purpose: the fields live in stock_lot.py.
    # pylint: disable=consider-merging-classes-inherited
    _inherit = "stock.lot"

    def _quality_made_from(self):
        """``{lot id: lots made from it, at any depth, still in stock}``,
        through the genealogy of mrp_trace_sync."""
        # sudo: a hold must reach every lot made from the held one, whatever
        # parts of the genealogy the person holding it may read; the right
        # to hold was checked at the entry point.
        Genealogy = self.env["mrp.trace.genealogy"].sudo()
        result = {}
        for lot in self:
            _links, affected, _lines, _info = Genealogy._forward_scope(lot.sudo())
            result[lot.id] = self.browse(
                sorted(affected - {lot.id})
            )._quality_in_stock()
        return result

    def _quality_in_stock(self):
        """The lots that still have stock in the company (internal
        locations)."""
        if not self:
            return self
        # sudo: stock figures for the engine, whatever the user may read.
        groups = (
            self.env["stock.quant"]
            .sudo()
            ._read_group(
                [
                    ("lot_id", "in", self.ids),
                    ("location_id.usage", "=", "internal"),
                    ("quantity", ">", 0),
                ],
                ["lot_id"],
            )
        )
        return self.browse([lot.id for (lot,) in groups])

    def _quality_unreserve(self):
        """Lots that may no longer ship (or be consumed) leave the
        reservations nobody has picked yet on deliveries and manufacturing
        orders; those moves are reserved again from other lots."""
        if not self:
            return
        # sudo: reservations follow the disposition whoever decided it.
        lines = (
            self.env["stock.move.line"]
            .sudo()
            .search(
                [
                    ("lot_id", "in", self.ids),
                    ("state", "not in", ("done", "cancel")),
                    ("picked", "=", False),
                ]
            )
        )
        lines = lines.filtered(lambda line: line.move_id._quality_refuses(line.lot_id))
        moves = lines.move_id
        lines.unlink()
        moves._action_assign()

    def _quality_quarantine(self):
        """Move the stock of rejected lots to their quarantine location."""
        Rule = self.env["quality.release.rule"]
        for lot in self:
            company = lot.company_id or self.env.company
            location = Rule._rule_for(lot.product_id, company)._quarantine_location(
                company
            )
            if location:
                lot._quality_move_to(location)

    def _quality_move_to(self, location):
        """An internal transfer, validated at once, of the lot's stock outside
        ``location`` to it."""
        self.ensure_one()
        # sudo: the rejection was decided at the entry point; the move is its
        # consequence, whatever the stock rights of who decided.
        Quant = self.env["stock.quant"].sudo()
        quants = Quant.search(
            [
                ("lot_id", "=", self.id),
                ("location_id.usage", "=", "internal"),
                "!",
                ("location_id", "child_of", location.id),
                ("quantity", ">", 0),
            ]
        )
        for source, source_quants in quants.grouped("location_id").items():
            self._quality_transfer(source, location, source_quants)

    def _quality_transfer(self, source, destination, quants):
        """Move ``quants`` of the lot from ``source`` to ``destination`` by
        an internal transfer, validated at once; returns it."""
        picking = (
            self.env["stock.picking"]
            .sudo()
            .create(self._quality_transfer_vals(source, destination, quants))
        )
        picking.action_confirm()
        move = picking.move_ids
        move.move_line_ids.unlink()
        self.env["stock.move.line"].sudo().create(
            [
                {
                    "move_id": move.id,
                    "picking_id": picking.id,
                    "product_id": self.product_id.id,
                    "product_uom_id": self.product_id.uom_id.id,
                    "lot_id": self.id,
                    "package_id": quant.package_id.id,
                    "owner_id": quant.owner_id.id,
                    "quantity": quant.quantity,
                    "location_id": quant.location_id.id,
                    "location_dest_id": destination.id,
                    "picked": True,
                }
                for quant in quants
            ]
        )
        picking._action_done()
        return picking

    def _quality_transfer_vals(self, source, destination, quants):
        picking_type = destination.warehouse_id.int_type_id or self.env[
            "stock.picking.type"
        ].sudo().search(
            [("code", "=", "internal"), ("company_id", "=", destination.company_id.id)],
            limit=1,
        )
        label = self.env._("Quarantine of %(lot)s", lot=self.name)
        return {
            "picking_type_id": picking_type.id,
            "location_id": source.id,
            "location_dest_id": destination.id,
            "origin": label,
            "move_ids": [
                Command.create(
                    {
                        "name": label,
                        "product_id": self.product_id.id,
                        "product_uom_qty": sum(quants.mapped("quantity")),
                        "product_uom": self.product_id.uom_id.id,
                        "location_id": source.id,
                        "location_dest_id": destination.id,
                    }
                )
            ],
        }
