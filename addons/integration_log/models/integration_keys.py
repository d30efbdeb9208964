# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64
import logging
import secrets

from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from odoo import api, models
from odoo.tools import SQL, config

_logger = logging.getLogger(__name__)

# Options of the server configuration file.
ENCRYPTION_OPTION = "integration_log_encryption_key"
CHAIN_OPTION = "integration_log_chain_key"
# Without them, keys are derived from this random value, stored in the
# database itself when the module is installed: enough for a demo, not for
# production (a copy of the database holds both the data and its key).
DATABASE_KEY_PARAM = "integration_log.database_key"
SECRET_PURPOSE = b"client-signing-secret"
CHAIN_PURPOSE = b"integration-log-chain"
# (database, option) pairs already reported missing by this process.
_REPORTED = set()


class IntegrationKeys(models.AbstractModel):
    """The keys of the platform: encryption of signing secrets and the key
    of the integration log chain, from the server configuration."""

    _name = "integration.keys"
    _description = "Integration Server Keys"

    def init(self):
        self._ensure_database_key()

    def _register_hook(self):
        result = super()._register_hook()
        self._report_missing_keys()
        return result

    @api.model
    def _key_configured(self, option):
        """True when the server configuration sets ``option``."""
        return bool(config.get(option))

    @api.model
    def _report_missing_keys(self):
        """Log an error, once per process and database, for each key that
        the server configuration does not set."""
        uses = {
            ENCRYPTION_OPTION: "signing secrets are encrypted",
            CHAIN_OPTION: "the integration log chain is keyed",
        }
        for option, use in uses.items():
            marker = (self.env.cr.dbname, option)
            if self._key_configured(option) or marker in _REPORTED:
                continue
            _REPORTED.add(marker)
            _logger.error(
                "%s is not set in the server configuration: %s with a key "
                "stored in database %s itself, so a copy of the database "
                "holds the key too. Set it in the configuration file (see "
                "Settings > Integration).",
                option,
                use,
                self.env.cr.dbname,
            )

    # ------------------------------------------------------------------
    # Keys
    # ------------------------------------------------------------------
    @api.model
    def _chain_key(self):
        """Key of the integration log chain (bytes)."""
        return self._derive(
            config.get(CHAIN_OPTION) or self._database_key(), CHAIN_PURPOSE
        )

    @api.model
    def _database_chain_key(self):
        """The chain key used while the server configuration set none."""
        return self._derive(self._database_key(), CHAIN_PURPOSE)

    @api.model
    def _fernet(self):
        """Encrypts signing secrets with the configured key (else the
        database key); also decrypts what the database key, or the database
        secret of older versions, encrypted before the key was configured."""
        materials = [
            config.get(ENCRYPTION_OPTION) or self._database_key(),
            self._database_key(),
            self.env["ir.config_parameter"].sudo().get_param("database.secret"),
        ]
        return MultiFernet(
            [
                Fernet(base64.urlsafe_b64encode(self._derive(material, SECRET_PURPOSE)))
                for material in dict.fromkeys(materials)
                if material
            ]
        )

    @api.model
    def _derive(self, material, purpose):
        return HKDF(
            algorithm=hashes.SHA256(),
            length=32,
            salt=b"integration_log",
            info=purpose,
        ).derive(material.encode())

    @api.model
    def _database_key(self):
        # sudo: the key is needed by every user whose request is verified or
        # whose change is logged; it is never shown.
        params = self.env["ir.config_parameter"].sudo()
        value = params.get_param(DATABASE_KEY_PARAM)
        if not value:
            self._ensure_database_key()
            value = params.get_param(DATABASE_KEY_PARAM)
        return value

    @api.model
    def _ensure_database_key(self):
        """Create the database key once; concurrent callers keep the first."""
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO ir_config_parameter
                    (key, value, create_uid, create_date, write_uid, write_date)
                VALUES (%s, %s, %s, now() at time zone 'UTC',
                        %s, now() at time zone 'UTC')
                ON CONFLICT (key) DO NOTHING
                """,
                DATABASE_KEY_PARAM,
                secrets.token_urlsafe(32),
                self.env.uid,
                self.env.uid,
            )
        )
        if self.env.cr.rowcount:
            self.env["ir.config_parameter"].invalidate_model()
            self.env.registry.clear_cache()
