# Copyright 2026 Mfg Integration Suite Authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

HOLD_SOURCES = [
    ("ncr", "Nonconformance"),
    ("qms", "QMS decision"),
    ("recall", "Recall"),
    ("manual", "Manual"),
]
# Holds a quality user lifts; holds of a partner system (NCR, QMS decision)
# are lifted by that system, or by a manager.
PERSON_SOURCES = ("recall", "manual")
QC_USER = "quality_control_oca.group_quality_control_user"
QC_MANAGER = "quality_control_oca.group_quality_control_manager"
INTEGRATION_MANAGER = "integration_log.group_integration_manager"


class QualityLotHold(models.Model):
    """One reason a lot may not leave the company nor be consumed.

    A lot is held while any of its holds is active; each hold is lifted only
    by its own source (the QMS that decided it, the NCR that opened it, a
    quality user for recall and manual holds) or by a manager. A hold placed
    on a lot and, on request, on every lot made from it, keeps the holds of
    those lots as its children: lifting it lifts them.
    """

    _name = "quality.lot.hold"
    _description = "Lot Hold"
    _order = "id desc"
    _check_company_auto = True

    lot_id = fields.Many2one(
        "stock.lot",
        "Lot/Serial Number",
        required=True,
        ondelete="cascade",
        index=True,
        check_company=True,
        readonly=True,
    )
    product_id = fields.Many2one(related="lot_id.product_id")
    company_id = fields.Many2one(
        related="lot_id.company_id", store=True, index=True, readonly=True
    )
    source = fields.Selection(HOLD_SOURCES, required=True, readonly=True, index=True)
    reference = fields.Char(
        readonly=True, help="The NCR, the recalled lot or the QMS that placed it."
    )
    reason = fields.Text(readonly=True)
    state = fields.Selection(
        [("active", "Active"), ("lifted", "Lifted")],
        default="active",
        required=True,
        readonly=True,
        index=True,
    )
    parent_id = fields.Many2one(
        "quality.lot.hold",
        "Propagated From",
        readonly=True,
        index="btree_not_null",
        ondelete="cascade",
        help="The hold of the lot this one was made from.",
    )
    child_ids = fields.One2many(
        "quality.lot.hold", "parent_id", "Propagated Holds", readonly=True
    )
    child_count = fields.Integer(compute="_compute_child_count")
    nonconformance_id = fields.Many2one(
        "quality.nonconformance", readonly=True, index="btree_not_null"
    )
    client_id = fields.Many2one(
        "integration.client",
        "Placed by System",
        readonly=True,
        ondelete="set null",
        help="The partner system whose event placed the hold.",
    )
    placed_by_id = fields.Many2one(
        "res.users", "Placed by", readonly=True, default=lambda self: self.env.user
    )
    placed_at = fields.Datetime(readonly=True, default=fields.Datetime.now)
    lifted_by_id = fields.Many2one("res.users", "Lifted by", readonly=True)
    lifted_at = fields.Datetime(readonly=True)
    lift_reason = fields.Text(readonly=True)

    @api.depends("source", "reference", "lot_id")
    def _compute_display_name(self):
        labels = dict(self._fields["source"]._description_selection(self.env))
        for hold in self:
            hold.display_name = " ".join(
                filter(None, [labels.get(hold.source), hold.reference])
            )

    def _compute_child_count(self):
        for hold in self:
            hold.child_count = len(hold.child_ids)

    # ------------------------------------------------------------------
    # Actions of a person
    # ------------------------------------------------------------------
    def action_lift(self):
        """Ask a person for the reason, then lift (see the decision wizard)."""
        return self.env["quality.lot.decision.wizard"]._open_for(
            self.lot_id, "lift", hold_ids=self.ids
        )

    def action_view_children(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "quality_release_gate.quality_lot_hold_action"
        )
        action.update(domain=[("parent_id", "=", self.id)], context={})
        return action

    def _check_person_may_lift(self):
        """A quality user lifts recall and manual holds; a manager any."""
        user = self.env.user
        if (
            not self
            or user.has_group(QC_MANAGER)
            or user.has_group(INTEGRATION_MANAGER)
        ):
            return
        partner_holds = self.filtered(lambda h: h.source not in PERSON_SOURCES)
        if partner_holds or not user.has_group(QC_USER):
            labels = dict(self._fields["source"]._description_selection(self.env))
            raise AccessError(
                self.env._(
                    "Only its own source or a Quality or Integration manager may "
                    "lift the hold %(hold)s (from: %(kind)s).",
                    hold=(partner_holds or self)[0].display_name,
                    kind=labels[(partner_holds or self)[0].source],
                )
            )

    # ------------------------------------------------------------------
    # The engine
    # ------------------------------------------------------------------
    def _lift(self, reason, actor):
        """Lift these holds and the holds propagated from them; returns the
        holds lifted. The lots' history records who lifted them and why."""
        holds = (self | self.child_ids).filtered(lambda h: h.state == "active")
        if not holds:
            return holds
        if not reason:
            raise UserError(self.env._("A reason is required to lift a hold."))
        lots = holds.lot_id
        before = lots._quality_dispositions()
        # sudo: who may lift which hold was checked at the entry point (a
        # person's rights, or the partner system that placed it); users have
        # no write access to holds, which change through this engine only.
        holds.sudo().write(
            {
                "state": "lifted",
                "lifted_by_id": actor["user"].id,
                "lifted_at": fields.Datetime.now(),
                "lift_reason": reason,
            }
        )
        lots._quality_after(before, reason, actor, "lift", holds=holds)
        return holds
