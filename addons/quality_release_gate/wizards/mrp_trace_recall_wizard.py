# Copyright 2026 Mfg Integration Suite Authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models
from odoo.exceptions import UserError


class MrpTraceRecallWizard(models.TransientModel):
    """The recall of a lot offers to hold everything it affects that is
    still in stock, in one action, undone by lifting that recall hold."""

    _inherit = "mrp.trace.recall.wizard"

    hold_reason = fields.Char(help="Why everything this recall affects is held.")
    recall_hold_id = fields.Many2one(
        "quality.lot.hold",
        compute="_compute_recall_hold_id",
        help="The active recall hold of this lot: lifting it lifts the holds "
        "of every lot it reached.",
    )

    def _compute_recall_hold_id(self):
        for wizard in self:
            wizard.recall_hold_id = wizard.lot_id.quality_hold_ids.filtered(
                lambda h: (
                    h.state == "active" and h.source == "recall" and not h.parent_id
                )
            )[:1]

    def action_hold_affected(self):
        self.ensure_one()
        if not (self.hold_reason or "").strip():
            raise UserError(
                self.env._(
                    "Give the reason of the recall hold of %(lot)s.",
                    lot=self.lot_id.display_name,
                )
            )
        self.lot_id._quality_check_user()
        actor = self.env["stock.lot"]._quality_actor(
            origin=self.env._("Recall of %(lot)s", lot=self.lot_id.name),
            announce=True,
        )
        self.lot_id._quality_place_holds(
            "recall",
            self.hold_reason,
            actor,
            reference=self.lot_id.name,
            propagate=True,
        )
        return self.action_refresh()
