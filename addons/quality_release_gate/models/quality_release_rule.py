# Copyright 2026 Mfg Integration Suite Authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models, tools

# Where a lot comes from when it enters the company (protocol v1, 6.2:
# the ``reason`` of mfg.inspection.requested.v1, with ``manual``).
ENTRY_ORIGINS = [
    ("receipt", "Received from a supplier"),
    ("production", "Produced"),
    ("return", "Returned by a customer"),
]
INSPECTION_REASONS = [*ENTRY_ORIGINS, ("manual", "Asked for by hand")]


class QualityReleaseRule(models.Model):
    """Which lots need a release before they may leave the company, and what
    an inspection result does to them.

    A rule applies to a product, to a product category (and its
    subcategories), or to every product; the most specific rule of the
    company wins: product, then the deepest category, then the rule for
    every product. Products no rule names, or whose rule asks for no release
    on an origin, behave as if the module were not installed.
    """

    _name = "quality.release.rule"
    _description = "Lot Release Rule"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        default=lambda self: self.env.company,
        help="Empty: the rule applies in every company.",
    )
    categ_id = fields.Many2one(
        "product.category",
        "Product Category",
        help="Products of this category and of its subcategories.",
    )
    product_tmpl_id = fields.Many2one(
        "product.template",
        "Product",
        check_company=True,
        help="This product only: overrides the rules of its category.",
    )
    on_receipt = fields.Boolean(
        "Received Lots", default=True, help="Lots received from suppliers."
    )
    on_production = fields.Boolean(
        "Produced Lots", default=True, help="Lots made by manufacturing orders."
    )
    on_return = fields.Boolean(
        "Returned Lots", default=True, help="Lots returned by customers."
    )
    pass_action = fields.Selection(
        [("release", "Release the lot"), ("manual", "Wait for a manager's release")],
        "When the Inspection Passes",
        default="release",
        required=True,
    )
    fail_action = fields.Selection(
        [("reject", "Reject the lot"), ("hold", "Put the lot on hold")],
        "When the Inspection Fails",
        default="reject",
        required=True,
    )
    sla_hours = fields.Float(
        "Release SLA (hours)",
        help="How long a lot may wait for its release; 0: the company's SLA.",
    )
    quarantine_location_id = fields.Many2one(
        "stock.location",
        check_company=True,
        domain="[('usage', '=', 'internal')]",
        help="Rejected lots are moved here; empty: the company's quarantine location.",
    )
    test_id = fields.Many2one(
        "qc.test",
        "Inspection Test",
        help="The questions of this test are put on the inspections requested "
        "for these lots; the QMS's measurements answer them by name.",
    )

    _sql_constraints = [
        (
            "product_or_category",
            "CHECK(categ_id IS NULL OR product_tmpl_id IS NULL)",
            "A release rule applies to a product or to a category, not both.",
        ),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        rules = super().create(vals_list)
        self.env.registry.clear_cache()
        return rules

    def write(self, vals):
        result = super().write(vals)
        self.env.registry.clear_cache()
        return result

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()
        return result

    @api.model
    @tools.ormcache()
    def _rule_table(self):
        """``(id, company, category, template, sequence)`` of the active
        rules: read once per worker, as every validation of a tracked
        product asks which rule applies."""
        # sudo: which rule applies is no secret of the user validating.
        rules = self.sudo().search([])
        return tuple(
            (r.id, r.company_id.id, r.categ_id.id, r.product_tmpl_id.id, r.sequence)
            for r in rules
        )

    @api.model
    def _rule_for(self, product, company):
        """The rule that applies to ``product`` in ``company`` (or none)."""
        categories = [
            int(categ_id)
            for categ_id in (product.categ_id.parent_path or "").split("/")
            if categ_id
        ]
        best = None
        for rule_id, company_id, categ_id, tmpl_id, sequence in self._rule_table():
            if company_id and company_id != company.id:
                continue
            if tmpl_id:
                if tmpl_id != product.product_tmpl_id.id:
                    continue
                depth = len(categories) + 1
            elif categ_id:
                if categ_id not in categories:
                    continue
                depth = categories.index(categ_id) + 1
            else:
                depth = 0
            key = (-depth, not company_id, sequence, rule_id)
            best = min(best, key) if best else key
        return self.browse(best[-1]) if best else self.browse()

    def _requires_release(self, origin):
        """Whether lots of this rule entering from ``origin`` need a release."""
        return bool(self) and bool(self[f"on_{origin}"])

    def _sla_hours(self, company):
        return (self.sla_hours if self else 0.0) or company.quality_release_sla_hours

    def _quarantine_location(self, company):
        return (
            self.quarantine_location_id if self else self.env["stock.location"]
        ) or company.quality_quarantine_location_id
