# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from ..protocol.problem import REASONS

BODY_EXCERPT_CHARS = 2000


class IntegrationRefusal(models.Model):
    """A request, or an event of a batch, that the inbound API refused.

    Never holds the token or the signature: only what helps a person find
    out what the partner sent wrong.
    """

    _name = "integration.refusal"
    _description = "Integration Refusal"
    _order = "id desc"

    client_id = fields.Many2one("integration.client", ondelete="set null", index=True)
    company_id = fields.Many2one(
        "res.company", related="client_id.company_id", store=True, index=True
    )
    reason = fields.Selection(
        [(code, title) for code, (_status, title) in REASONS.items()],
        required=True,
        index=True,
    )
    status = fields.Integer("HTTP Status", required=True)
    detail = fields.Text()
    errors = fields.Text(help="Validation errors, as JSON pointers into the body.")
    method = fields.Char()
    path = fields.Char()
    remote_addr = fields.Char("IP Address")
    request_id = fields.Char("webhook-id", help="webhook-id header of the request.")
    event_source = fields.Char()
    event_id = fields.Char("Event ID")
    event_type = fields.Char()
    body_excerpt = fields.Text(help=f"First {BODY_EXCERPT_CHARS} characters.")
    create_date = fields.Datetime("Refused At", index=True)

    @api.depends("reason", "status")
    def _compute_display_name(self):
        labels = dict(self._fields["reason"]._description_selection(self.env))
        for refusal in self:
            refusal.display_name = f"{refusal.status} {labels.get(refusal.reason, '')}"
