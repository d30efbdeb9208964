# Copyright 2026 Mfg Integration Suite Authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import UserError

DECISIONS = [
    ("hold", "Put on hold"),
    ("lift", "Lift holds"),
    ("pending", "Request an inspection"),
    ("release", "Release by hand"),
    ("reject", "Reject"),
]


class QualityLotDecisionWizard(models.TransientModel):
    """A person's decision on lots, always with a reason: hold (and, on
    request, every lot made from them), lift holds, request an inspection,
    and for managers release by hand or reject. Each goes to the lots'
    history and to the partner systems (mfg.lot.disposition.changed.v1)."""

    _name = "quality.lot.decision.wizard"
    _description = "Lot Disposition Decision"

    lot_ids = fields.Many2many("stock.lot", string="Lots", required=True)
    decision = fields.Selection(DECISIONS, required=True, default="hold")
    reason = fields.Text(required=True)
    propagate = fields.Boolean(
        "Also Hold the Lots Made from Them",
        help="Every lot made from these lots, at any depth, that is still in "
        "stock gets a hold too; lifting this hold lifts them.",
    )
    hold_ids = fields.Many2many(
        "quality.lot.hold",
        string="Holds to Lift",
        domain="[('lot_id', 'in', lot_ids), ('state', '=', 'active')]",
    )

    @api.model
    def _open_for(self, lots, decision, hold_ids=None):
        context = {
            "default_lot_ids": lots.ids,
            "default_decision": decision,
            "default_hold_ids": hold_ids or [],
        }
        return {
            "type": "ir.actions.act_window",
            "name": dict(self._fields["decision"]._description_selection(self.env))[
                decision
            ],
            "res_model": self._name,
            "view_mode": "form",
            "target": "new",
            "context": context,
        }

    def action_apply(self):
        self.ensure_one()
        if not (self.reason or "").strip():
            raise UserError(self.env._("Give the reason of the decision."))
        getattr(self, f"_apply_{self.decision}")()
        return {"type": "ir.actions.act_window_close"}

    def _actor(self):
        return self.env["stock.lot"]._quality_actor(
            origin=self.env.user.name, announce=True
        )

    def _apply_hold(self):
        self.lot_ids._quality_check_user()
        self.lot_ids._quality_place_holds(
            "manual", self.reason, self._actor(), propagate=self.propagate
        )

    def _apply_lift(self):
        holds = (self.hold_ids or self.lot_ids.quality_hold_ids).filtered(
            lambda h: h.state == "active"
        )
        if not holds:
            raise UserError(
                self.env._(
                    "%(lots)s: no active hold to lift.",
                    lots=", ".join(self.lot_ids.mapped("display_name")),
                )
            )
        holds._check_person_may_lift()
        holds._lift(self.reason, self._actor())

    def _apply_pending(self):
        lots = self.lot_ids
        lots._quality_check_user()
        lots._quality_decide("pending", self.reason, self._actor())
        lots._quality_request_inspections(
            "manual", {lot.id: lot.product_qty for lot in lots}, self.env.user.name
        )

    def _apply_release(self):
        self.lot_ids._quality_override_release(self.reason)

    def _apply_reject(self):
        self.lot_ids._quality_check_manager()
        self.lot_ids._quality_decide("rejected", self.reason, self._actor())
