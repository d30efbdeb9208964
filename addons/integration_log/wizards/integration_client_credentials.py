# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class IntegrationClientCredentials(models.TransientModel):
    """Shows freshly issued credentials once; only their hash/cipher is kept.

    Serves clients (token and secret) and connectors (secret only).
    """

    _name = "integration.client.credentials"
    _description = "Integration Credentials"
    _transient_max_hours = 0.1

    res_model = fields.Char(required=True, readonly=True)
    res_id = fields.Many2oneReference(
        model_field="res_model", required=True, readonly=True
    )
    record_name = fields.Char("For", compute="_compute_record_name")
    token = fields.Char(readonly=True)
    signing_secret = fields.Char(readonly=True)

    @api.depends("res_model", "res_id")
    def _compute_record_name(self):
        for wizard in self:
            wizard.record_name = (
                self.env[wizard.res_model].browse(wizard.res_id).display_name
            )
