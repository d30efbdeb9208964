# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict

from odoo import api, fields, models

NOT_STARTED = ("draft", "confirmed")


class MrpProduction(models.Model):
    """Orders and BOM revisions: a new order gets the revision in effect at
    its planned start; an order not started yet whose revision is replaced
    is flagged (or switched, if the company says so); a started order keeps
    its BOM."""

    _inherit = "mrp.production"

    plm_bom_notice = fields.Char(
        "BOM Revision Notice",
        copy=False,
        readonly=True,
        help="Set when a later PLM revision replaces this order's BOM.",
    )

    def _compute_bom_id(self):
        by_start = defaultdict(lambda: self.browse())
        for production in self:
            by_start[production.date_start] |= production
        result = None
        for start, productions in by_start.items():
            # The revision in effect when the order is planned to start.
            result = super(
                MrpProduction, productions.with_context(plm_bom_date=start or False)
            )._compute_bom_id()
        return result

    @api.model
    def _plm_on_superseded(self, superseded, bom):
        """Orders not started on ``superseded`` BOMs, planned from the date
        ``bom`` takes over (all of them when it already has): switched to
        ``bom`` when the company updates orders, otherwise flagged."""
        if not superseded:
            return self.browse()
        domain = [("bom_id", "in", superseded.ids), ("state", "in", NOT_STARTED)]
        if bom.plm_effective_from > fields.Datetime.now():
            domain.append(("date_start", ">=", bom.plm_effective_from))
        productions = self.search(domain)
        if not productions:
            return productions
        if bom.company_id.plm_bom_update_productions:
            notice = self.env._(
                "Switched to revision %(revision)s of the BOM by the PLM release.",
                revision=bom.plm_revision,
            )
            for production in productions:
                production._link_bom(bom)
            productions.write({"plm_bom_notice": notice, "is_outdated_bom": False})
        else:
            notice = self.env._(
                "Revision %(revision)s of the BOM (%(change)s) replaces this order's "
                "from %(date)s: use Update BoM to switch.",
                revision=bom.plm_revision,
                change=bom.plm_change_order or "-",
                date=fields.Datetime.to_string(bom.plm_effective_from),
            )
            productions.write({"plm_bom_notice": notice, "is_outdated_bom": True})
        return productions

    def action_update_bom(self):
        """Update BoM switches an order on a replaced PLM revision to the
        revision in effect at its start; other orders as Odoo does."""
        switched = self.browse()
        for production in self.filtered(
            lambda p: p.bom_id.plm_superseded_by_id and p.state in NOT_STARTED
        ):
            bom = (
                self.env["mrp.bom"]
                .with_context(plm_bom_date=production.date_start)
                ._bom_find(
                    production.product_id,
                    company_id=production.company_id.id,
                    bom_type="normal",
                )[production.product_id]
            )
            if bom and bom != production.bom_id:
                production._link_bom(bom)
                switched |= production
        switched.write({"is_outdated_bom": False, "plm_bom_notice": False})
        return super(MrpProduction, self - switched).action_update_bom()
