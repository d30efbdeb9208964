# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from cryptography.fernet import InvalidToken

from odoo import api, fields, models

# How long the freshly issued values can be shown.
DISPLAY_MINUTES = 6
CLEAR_FIELDS = ("token", "signing_secret")


class IntegrationClientCredentials(models.TransientModel):
    """Shows freshly issued credentials once; only their hash/cipher is kept.

    Serves clients (token and secret) and connectors (secret only). The
    clear values are never stored: the row keeps them encrypted, with the key
    of the signing secrets, only to show them to the user who issued them; it
    is deleted when closed, and at the next issue after a few minutes.
    """

    _name = "integration.client.credentials"
    _description = "Integration Credentials"
    _transient_max_hours = 0.1

    res_model = fields.Char(required=True, readonly=True)
    res_id = fields.Many2oneReference(
        model_field="res_model", required=True, readonly=True
    )
    record_name = fields.Char("For", compute="_compute_record_name")
    token_encrypted = fields.Char(readonly=True)
    signing_secret_encrypted = fields.Char(readonly=True)
    token = fields.Char(compute="_compute_clear_values")
    signing_secret = fields.Char(compute="_compute_clear_values")

    @api.depends("res_model", "res_id")
    def _compute_record_name(self):
        for wizard in self:
            wizard.record_name = (
                self.env[wizard.res_model].browse(wizard.res_id).display_name
            )

    @api.depends("token_encrypted", "signing_secret_encrypted")
    @api.depends_context("uid")
    def _compute_clear_values(self):
        fernet = self.env["integration.keys"]._fernet()
        for wizard in self:
            # Only the user who issued them sees the values (and server
            # code in superuser mode, which holds the key anyway).
            mine = self.env.su or wizard.create_uid == self.env.user
            for name in CLEAR_FIELDS:
                wizard[name] = mine and _decrypt(fernet, wizard[f"{name}_encrypted"])

    @api.model_create_multi
    def create(self, vals_list):
        self._delete_expired()
        fernet = self.env["integration.keys"]._fernet()
        for vals in vals_list:
            for name in CLEAR_FIELDS:
                clear = vals.pop(name, None)
                if clear:
                    vals[f"{name}_encrypted"] = fernet.encrypt(clear.encode()).decode()
        return super().create(vals_list)

    def action_done(self):
        """Close the dialog and forget the values."""
        # sudo: the user may delete the rows they created, nothing else.
        self.filtered(lambda w: w.create_uid == self.env.user).sudo().unlink()
        return {"type": "ir.actions.act_window_close"}

    @api.model
    def _delete_expired(self):
        # sudo: rows of any user, past the time they could be shown.
        threshold = fields.Datetime.now() - timedelta(minutes=DISPLAY_MINUTES)
        self.sudo().search([("create_date", "<", threshold)]).unlink()


def _decrypt(fernet, value):
    if not value:
        return False
    try:
        return fernet.decrypt(value.encode()).decode()
    except InvalidToken:
        return False
