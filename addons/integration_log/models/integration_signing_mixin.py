# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from cryptography.fernet import InvalidToken

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..protocol import signature

SECRET_COLUMNS = ("signing_secret_encrypted", "previous_secret_encrypted")


class IntegrationSigningMixin(models.AbstractModel):
    """Standard Webhooks signing secrets, encrypted at rest, with rotation.

    Used by inbound clients (secrets that verify what partners send) and
    outbound connectors (secrets that sign what Odoo sends). During a
    rotation the previous secret stays valid until it is revoked.
    """

    _name = "integration.signing.mixin"
    _description = "Integration Signing Secrets"
    _inherit = "integration.manager.mixin"

    signing_secret_encrypted = fields.Char(copy=False, groups="base.group_system")
    previous_secret_encrypted = fields.Char(copy=False, groups="base.group_system")
    has_signing_secret = fields.Boolean(compute="_compute_secret_flags")
    has_previous_secret = fields.Boolean(compute="_compute_secret_flags")
    secret_rotated_at = fields.Datetime(copy=False, readonly=True)

    @api.depends("signing_secret_encrypted", "previous_secret_encrypted")
    def _compute_secret_flags(self):
        for record in self.sudo():
            record.has_signing_secret = bool(record.signing_secret_encrypted)
            record.has_previous_secret = bool(record.previous_secret_encrypted)

    # ------------------------------------------------------------------
    # Public methods: callable over the external API
    # ------------------------------------------------------------------
    def rotate_signing_secret(self):
        """Start a signing secret rotation.

        The current secret stays valid as the previous one until
        :meth:`revoke_previous_signing_secret` is called, so the partner can
        switch without downtime.

        :returns: ``{"signing_secret": ...}``, the only time it is shown.
        """
        self.ensure_one()
        self._check_credential_rights()
        secret = signature.generate_secret()
        self.sudo().write(
            {
                "previous_secret_encrypted": self.sudo().signing_secret_encrypted,
                "signing_secret_encrypted": self._encrypt(secret),
                "secret_rotated_at": fields.Datetime.now(),
            }
        )
        self.message_post(
            body=self.env._(
                "Signing secret rotated; the previous secret stays valid until "
                "it is revoked."
            )
        )
        return {"signing_secret": secret}

    def revoke_previous_signing_secret(self):
        """End a rotation: only the newest signing secret stays valid."""
        self._check_credential_rights()
        self.sudo().write({"previous_secret_encrypted": False})
        for record in self:
            record.message_post(body=self.env._("Previous signing secret revoked."))
        return True

    # ------------------------------------------------------------------
    def action_rotate_signing_secret(self):
        self.ensure_one()
        return self._secret_wizard_action(self.rotate_signing_secret())

    def action_revoke_previous_secret(self):
        self.ensure_one()
        return self.revoke_previous_signing_secret()

    def _secret_wizard_action(self, credentials):
        wizard = self.env["integration.client.credentials"].create(
            {
                "res_model": self._name,
                "res_id": self.id,
                "token": credentials.get("token"),
                "signing_secret": credentials.get("signing_secret"),
            }
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("New credentials of %(name)s", name=self.display_name),
            "res_model": "integration.client.credentials",
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    def _check_credential_rights(self):
        # sudo: server code and data files (the demo secrets) may set them.
        self._check_integration_manager(
            self.env._(
                "Only Integration Managers can manage credentials and signing secrets."
            ),
            allow_sudo=True,
        )

    def _store_signing_secret(self, secret, **values):
        """Make ``secret`` the only valid signing secret (any previous one
        stops), writing ``values`` along with it."""
        self.sudo().write(
            {
                "signing_secret_encrypted": self._encrypt(secret),
                "previous_secret_encrypted": False,
                **values,
            }
        )

    # ------------------------------------------------------------------
    # Secrets at rest
    # ------------------------------------------------------------------
    def _fernet(self):
        # The key comes from the server configuration (integration.keys), so a
        # database dump alone does not reveal the signing secrets.
        return self.env["integration.keys"]._fernet()

    def _encrypt(self, secret):
        return self._fernet().encrypt(secret.encode()).decode()

    def _signing_secrets(self):
        """Clear signing secrets currently valid, newest first."""
        self.ensure_one()
        fernet = self._fernet()
        result = []
        for value in (
            self.sudo().signing_secret_encrypted,
            self.sudo().previous_secret_encrypted,
        ):
            if not value:
                continue
            try:
                result.append(fernet.decrypt(value.encode()).decode())
            except InvalidToken as err:
                raise UserError(
                    self.env._(
                        "The signing secret of %(name)s cannot be decrypted: the "
                        "encryption key changed. Issue a new secret.",
                        name=self.display_name,
                    )
                ) from err
        return result

    @api.model
    def _reencrypt_signing_secrets(self):
        """Encrypt every stored secret of this model again with the current
        key, e.g. once the server configuration gives one.

        :returns: the number of records re-encrypted.
        """
        fernet = self._fernet()
        # sudo: the encrypted columns are for system administrators only;
        # callers check the rights (Settings).
        records = (
            self.sudo()
            .with_context(active_test=False)
            .search(["|"] + [(column, "!=", False) for column in SECRET_COLUMNS])
        )
        done = 0
        for record in records:
            try:
                values = {
                    column: fernet.rotate(record[column].encode()).decode()
                    for column in SECRET_COLUMNS
                    if record[column]
                }
            except InvalidToken:
                continue  # no key reads it: it needs a new secret anyway
            # One write per record: each has its own ciphertexts.
            record.write(values)
            done += 1
        return done
