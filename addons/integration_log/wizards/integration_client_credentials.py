# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class IntegrationClientCredentials(models.TransientModel):
    """Shows freshly issued credentials once; only their hash/cipher is kept."""

    _name = "integration.client.credentials"
    _description = "Integration Client Credentials"
    _transient_max_hours = 0.1

    client_id = fields.Many2one("integration.client", required=True, readonly=True)
    token = fields.Char(readonly=True)
    signing_secret = fields.Char(readonly=True)
