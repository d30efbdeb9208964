# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json

from odoo import api, fields, models

TRACKING = [("none", "Not Tracked"), ("lot", "By Lots"), ("serial", "By Serials")]


class PlmItemRevision(models.Model):
    """One revision of a PLM item, as released: the product's revision
    history, with what the PLM said at that revision and where it came from.
    ``plm_item_release.py`` applies the releases."""

    _name = "plm.item.revision"
    _inherit = ["integration.consumer.mixin"]
    _description = "PLM Item Revision"
    _order = "product_tmpl_id, released_at desc, id desc"

    product_tmpl_id = fields.Many2one(
        "product.template", "Product", required=True, ondelete="cascade", index=True
    )
    product_id = fields.Many2one("product.product", "Variant", ondelete="cascade")
    item = fields.Char(required=True, help="The item, as the PLM names it.")
    name = fields.Char("Revision", required=True)
    plm_id = fields.Char(
        "PLM Identifier", help="The PLM's own identifier of this item revision."
    )
    item_name = fields.Char("Name at this Revision")
    uom_id = fields.Many2one("uom.uom", "Unit", ondelete="restrict")
    tracking = fields.Selection(TRACKING)
    attributes = fields.Text(
        "Attributes (JSON)", help="The item's attributes at this revision."
    )
    attributes_text = fields.Text("Attributes", compute="_compute_attributes_text")
    effective_from = fields.Datetime(
        help="From when the PLM means this revision to be used (informative: "
        "the product is updated when the revision is released)."
    )
    released_at = fields.Datetime(
        required=True, help="When the PLM released it (the event's time)."
    )
    source = fields.Char(help="The PLM that released it (CloudEvents source).")
    client_id = fields.Many2one("integration.client", ondelete="set null")
    change_summary = fields.Char(
        "Changes", help="What this revision changed from the previous one."
    )
    is_current = fields.Boolean("Current", readonly=True)
    content_hash = fields.Char(
        readonly=True, help="SHA-256 of the released data, to tell a duplicate."
    )

    _sql_constraints = [
        (
            "revision_uniq",
            "unique(product_tmpl_id, name)",
            "A revision of an item is released once.",
        ),
    ]

    @api.depends("attributes")
    def _compute_attributes_text(self):
        for revision in self:
            values = json.loads(revision.attributes or "{}")
            revision.attributes_text = "\n".join(
                f"{name}: {value}" for name, value in sorted(values.items())
            )

    @api.depends("item", "name")
    def _compute_display_name(self):
        for revision in self:
            revision.display_name = f"{revision.item} rev. {revision.name}"
