# Copyright 2026 Mfg Integration Suite Authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResCompany(models.Model):
    """What a company decides once for lot release (Inventory settings)."""

    _inherit = "res.company"

    quality_quarantine_location_id = fields.Many2one(
        "stock.location",
        "Quarantine Location",
        domain="[('usage', '=', 'internal'), ('company_id', 'in', [id, False])]",
        help="Rejected lots are moved here at once (a release rule may name "
        "another); empty: rejected lots stay where they are.",
    )
    quality_pending_consumption = fields.Boolean(
        "Consume Pending Lots",
        help="Manufacturing orders may consume lots still waiting for release "
        "(never held or rejected ones).",
    )
    quality_release_sla_hours = fields.Float(
        "Release SLA (hours)",
        default=48.0,
        help="How long a lot may wait for release before it is overdue, unless "
        "its release rule says otherwise.",
    )
    quality_responsible_id = fields.Many2one(
        "res.users",
        help="Gets the activity raised when a manager releases a lot by hand; "
        "empty: the manager who released it.",
    )
