# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

KINDS = [("added", "Added"), ("removed", "Removed"), ("changed", "Changed")]


class PlmBomReleaseDiff(models.Model):
    """One line of the diff of a BOM release against the revision it
    replaces: added, removed, or changed (and in what)."""

    _name = "plm.bom.release.diff"
    _description = "BOM Release Change"
    _order = "release_id, sequence, id"

    release_id = fields.Many2one(
        "plm.bom.release", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer()
    kind = fields.Selection(KINDS, required=True)
    position = fields.Char()
    old_position = fields.Char()
    product_id = fields.Many2one("product.product", "Component")
    old_product_id = fields.Many2one("product.product", "Old Component")
    quantity = fields.Float(digits="Product Unit of Measure")
    old_quantity = fields.Float(digits="Product Unit of Measure")
    uom_id = fields.Many2one("uom.uom", "Unit")
    old_uom_id = fields.Many2one("uom.uom", "Old Unit")
    designators = fields.Char()
    old_designators = fields.Char()
    product_changed = fields.Boolean()
    position_changed = fields.Boolean()
    quantity_changed = fields.Boolean()
    uom_changed = fields.Boolean()
    designators_changed = fields.Boolean()
    summary = fields.Char(help="What changed, old value to new value.")
