# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.osv.expression import AND

EFFECTIVITY = [
    ("importing", "Importing"),
    ("future", "Future"),
    ("effective", "Effective"),
    ("ended", "Ended"),
    ("superseded", "Superseded"),
]


class MrpBom(models.Model):
    """A BOM revision released by the PLM, and effectivity that works: Odoo
    picks a BOM only within its effectivity dates, for new orders and for
    planning, so a future revision takes over on its date without any job
    having to run then."""

    _name = "mrp.bom"
    _inherit = ["mrp.bom", "integration.consumer.mixin"]

    plm_revision = fields.Char("Revision", index=True, copy=False, tracking=True)
    plm_change_order = fields.Char("Change Order", copy=False, tracking=True)
    plm_effective_from = fields.Datetime(
        "Effective From",
        index=True,
        copy=False,
        tracking=True,
        help="Odoo picks this BOM for orders and planning from this time on.",
    )
    plm_effective_to = fields.Datetime(
        "Effective To",
        index=True,
        copy=False,
        tracking=True,
        help="Odoo no longer picks this BOM from this time on (set when a later "
        "revision takes over, or by the PLM).",
    )
    plm_source = fields.Char("PLM Source", copy=False)
    plm_id = fields.Char("PLM Identifier", copy=False)
    plm_release_id = fields.Many2one(
        "plm.bom.release", "BOM Release", copy=False, readonly=True, index=True
    )
    plm_superseded_by_id = fields.Many2one(
        "mrp.bom", "Superseded By", copy=False, readonly=True, index="btree_not_null"
    )
    plm_effectivity = fields.Selection(
        EFFECTIVITY, "Effectivity", compute="_compute_plm_effectivity"
    )

    @api.depends(
        "active",
        "plm_effective_from",
        "plm_effective_to",
        "plm_superseded_by_id",
        "plm_release_id.state",
    )
    def _compute_plm_effectivity(self):
        now = fields.Datetime.now()
        for bom in self:
            if not bom.active and bom.plm_release_id.state == "importing":
                bom.plm_effectivity = "importing"
            elif bom.plm_superseded_by_id and (
                not bom.active or (bom.plm_effective_to and bom.plm_effective_to <= now)
            ):
                bom.plm_effectivity = "superseded"
            elif bom.plm_effective_to and bom.plm_effective_to <= now:
                bom.plm_effectivity = "ended"
            elif bom.plm_effective_from and bom.plm_effective_from > now:
                bom.plm_effectivity = "future"
            else:
                bom.plm_effectivity = "effective"

    @api.constrains("active", "product_id", "product_tmpl_id", "bom_line_ids")
    def _check_bom_cycle(self):
        # A release is checked for cycles before it is applied, with one
        # recursive query over every active BOM (plm.bom.release
        # _plm_check_cycles); Odoo's check, one domain term per component,
        # takes minutes on a BOM of thousands of lines.
        if self.env.context.get("plm_bom_cycles_checked"):
            return None
        return super()._check_bom_cycle()

    @api.model
    def _bom_find_domain(
        self, products, picking_type=None, company_id=False, bom_type=False
    ):
        domain = super()._bom_find_domain(
            products,
            picking_type=picking_type,
            company_id=company_id,
            bom_type=bom_type,
        )
        return AND([domain, self._plm_effective_domain(self._plm_moment())])

    @api.model
    def _plm_moment(self):
        """When a BOM is being chosen for: the ``plm_bom_date`` of the
        context (an order's start, a replenishment's date), else now."""
        moment = self.env.context.get("plm_bom_date")
        return fields.Datetime.to_datetime(moment) if moment else fields.Datetime.now()

    @api.model
    def _plm_effective_domain(self, moment):
        return [
            "|",
            ("plm_effective_from", "=", False),
            ("plm_effective_from", "<=", moment),
            "|",
            ("plm_effective_to", "=", False),
            ("plm_effective_to", ">", moment),
        ]

    @api.model
    def _plm_archive_ended(self):
        """Cron (housekeeping): archive revisions whose effectivity ended.
        Selection never needs it: an ended revision is not picked anyway."""
        ended = self.search(
            [
                ("plm_effective_to", "!=", False),
                ("plm_effective_to", "<=", fields.Datetime.now()),
            ]
        )
        ended.write({"active": False})
        return len(ended)
