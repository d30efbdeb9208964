# Copyright 2026 Mfg Integration Suite Authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models

DISPOSITIONS = [
    ("pending", "Pending release"),
    ("hold", "On hold"),
    ("released", "Released"),
    ("rejected", "Rejected"),
]
LOG_ACTIONS = [
    ("entry", "Entered the company"),
    ("inspection", "Inspection recorded"),
    ("decision", "Decision"),
    ("override", "Released by override"),
    ("hold", "Hold placed"),
    ("lift", "Hold lifted"),
]


class QualityLotDispositionLog(models.Model):
    """The history of a lot's disposition: every decision, hold and lift,
    with who (a person, or a partner system through which event) decided,
    when, why, and from which document. Written by the disposition engine
    only; nobody edits or deletes it."""

    _name = "quality.lot.disposition.log"
    _description = "Lot Disposition History"
    _order = "id desc"
    _rec_name = "lot_id"

    lot_id = fields.Many2one(
        "stock.lot", required=True, ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one(
        related="lot_id.company_id", store=True, index=True, readonly=True
    )
    action = fields.Selection(LOG_ACTIONS, required=True, readonly=True)
    disposition_before = fields.Selection(DISPOSITIONS, "From", readonly=True)
    disposition = fields.Selection(DISPOSITIONS, "To", readonly=True)
    hold_id = fields.Many2one("quality.lot.hold", readonly=True, ondelete="set null")
    reason = fields.Text(readonly=True)
    origin = fields.Char(
        readonly=True, help="The document or report behind the change."
    )
    decided_at = fields.Datetime(
        readonly=True, help="When the decision was taken (business time)."
    )
    user_id = fields.Many2one("res.users", "Decided by", readonly=True)
    client_id = fields.Many2one(
        "integration.client",
        "Partner System",
        readonly=True,
        ondelete="set null",
        help="The partner system whose event made the change.",
    )
    event_id = fields.Many2one(
        "integration.event",
        "Integration Event",
        readonly=True,
        ondelete="set null",
        help="The event received from, or sent to, the partner system.",
    )
