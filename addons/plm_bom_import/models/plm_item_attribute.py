# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class PlmItemAttribute(models.Model):
    """An attribute of a PLM item (material, finish, drawing number...), as
    its latest revision gives it: a name and a text, not a variant attribute."""

    _name = "plm.item.attribute"
    _description = "PLM Item Attribute"
    _order = "product_tmpl_id, name"

    product_tmpl_id = fields.Many2one(
        "product.template", "Product", required=True, ondelete="cascade", index=True
    )
    name = fields.Char(required=True)
    value = fields.Char()

    _sql_constraints = [
        (
            "name_uniq",
            "unique(product_tmpl_id, name)",
            "An attribute appears once per item.",
        ),
    ]
