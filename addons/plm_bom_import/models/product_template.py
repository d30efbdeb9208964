# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ProductTemplate(models.Model):
    """A PLM item: its current revision, its revision history and its
    attributes, and every revision of its bill of materials."""

    _name = "product.template"
    _inherit = ["product.template", "integration.consumer.mixin"]

    plm_revision = fields.Char(
        "PLM Revision",
        readonly=True,
        copy=False,
        help="The latest revision of the item released by the PLM.",
    )
    plm_revision_ids = fields.One2many(
        "plm.item.revision", "product_tmpl_id", string="PLM Revisions", readonly=True
    )
    plm_attribute_ids = fields.One2many(
        "plm.item.attribute", "product_tmpl_id", string="PLM Attributes", readonly=True
    )
    plm_bom_revision_count = fields.Integer(
        "BOM Revisions", compute="_compute_plm_bom_revision_count"
    )

    def _compute_plm_bom_revision_count(self):
        groups = (
            self.env["mrp.bom"]
            .with_context(active_test=False)
            ._read_group(
                [("product_tmpl_id", "in", self.ids), ("plm_revision", "!=", False)],
                ["product_tmpl_id"],
                ["__count"],
            )
        )
        counts = {template.id: count for template, count in groups}
        for template in self:
            template.plm_bom_revision_count = counts.get(template.id, 0)

    def action_view_plm_bom_revisions(self):
        """Every BOM revision of the item, the superseded ones included."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "plm_bom_import.mrp_bom_revision_action"
        )
        action["domain"] = [
            ("product_tmpl_id", "=", self.id),
            ("plm_revision", "!=", False),
        ]
        action["context"] = {"active_test": False}
        return action
