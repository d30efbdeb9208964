# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class MrpTraceLine(models.TransientModel):
    """One row of a genealogy or recall shown in the UI."""

    _name = "mrp.trace.line"
    _description = "Lot Trace Line"
    _order = "sequence, id"

    genealogy_id = fields.Many2one("mrp.trace.genealogy.wizard", ondelete="cascade")
    recall_id = fields.Many2one("mrp.trace.recall.wizard", ondelete="cascade")
    sequence = fields.Integer()
    kind = fields.Selection(
        [
            ("component", "Component"),
            ("receipt", "Received"),
            ("shipment", "Shipped"),
            ("lot", "Affected lot"),
            ("stock", "In stock"),
        ],
        required=True,
    )
    product = fields.Char()
    lot = fields.Char()
    document = fields.Char(help="Manufacturing order, receipt or shipment.")
    partner = fields.Char(help="Supplier or customer.")
    location = fields.Char()
    quantity = fields.Float(digits="Product Unit of Measure")
    uom = fields.Char("Unit")
    date = fields.Datetime()

    @api.model
    def _vals_of(self, kind, item):
        """Values of a line from an item of a trace or recall (a node, a
        stock entry, a receipt or a shipment)."""
        return {
            "kind": kind,
            "product": item["product"],
            "lot": item["lot"],
            "document": item.get("shipment") or item.get("receipt"),
            "partner": item.get("customer") or item.get("supplier"),
            "location": item.get("location"),
            "quantity": item["quantity"],
            "uom": item["uom"],
            "date": self._datetime(item.get("date")),
        }

    @api.model
    def _edge_vals(self, edge, units, dates):
        """Values of a line from an edge of a trace: the component lot, the lot
        made from it, in which order, when, and how much in the component's
        unit."""
        source, made = edge["from"], edge["to"]
        return {
            "kind": "component",
            "product": f"{source['product']} → {made['product']}",
            "lot": f"{source['lot']} → {made['lot']}",
            "document": edge["production"],
            "quantity": edge["quantity"],
            "uom": units.get((source["product"], source["lot"])),
            "date": self._datetime(dates.get(edge["production"])),
        }

    @api.model
    def _datetime(self, value):
        """A date of the trace JSON (ISO 8601 in UTC, ``Z``) as Odoo stores it."""
        return value and fields.Datetime.to_datetime(value[:19].replace("T", " "))

    @api.model
    def _commands(self, vals_list):
        return [
            (0, 0, dict(vals, sequence=index)) for index, vals in enumerate(vals_list)
        ]
