# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import TransactionCase, new_test_user

from ..models.integration_client import hash_token


class TestClientCredentials(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env, "integration_manager", "integration_log.group_integration_manager"
        )
        cls.viewer = new_test_user(
            cls.env, "integration_viewer", "integration_log.group_integration_user"
        )
        cls.tech_user = new_test_user(cls.env, "mes_tech", "base.group_user")
        cls.client = (
            cls.env["integration.client"]
            .with_user(cls.manager)
            .create(
                {
                    "name": "MES",
                    "user_id": cls.tech_user.id,
                    "allowed_event_types": "mfg.production.*",
                }
            )
        )

    def test_issue_credentials_returns_them_once_and_stores_only_hash_and_cipher(self):
        credentials = self.client.issue_credentials()
        self.assertTrue(credentials["token"].startswith("mis_"))
        self.assertTrue(credentials["signing_secret"].startswith("whsec_"))
        stored = self.client.sudo()
        self.assertEqual(stored.token_hash, hash_token(credentials["token"]))
        self.assertNotIn(credentials["signing_secret"], stored.signing_secret_encrypted)
        self.assertEqual(stored._signing_secrets(), [credentials["signing_secret"]])
        self.assertEqual(
            self.env["integration.client"]._find_by_token(credentials["token"]),
            self.client,
        )

    def test_new_credentials_replace_the_old_ones(self):
        first = self.client.issue_credentials()
        second = self.client.issue_credentials()
        Client = self.env["integration.client"]
        self.assertFalse(Client._find_by_token(first["token"]))
        self.assertEqual(Client._find_by_token(second["token"]), self.client)
        self.assertEqual(
            self.client.sudo()._signing_secrets(), [second["signing_secret"]]
        )

    def test_rotation_keeps_the_previous_secret_until_revoked(self):
        old = self.client.issue_credentials()["signing_secret"]
        new = self.client.rotate_signing_secret()["signing_secret"]
        self.assertEqual(self.client.sudo()._signing_secrets(), [new, old])
        self.assertTrue(self.client.has_previous_secret)
        self.client.revoke_previous_signing_secret()
        self.assertEqual(self.client.sudo()._signing_secrets(), [new])
        self.assertFalse(self.client.has_previous_secret)

    def test_only_managers_manage_credentials(self):
        with self.assertRaises(AccessError):
            self.client.with_user(self.viewer).issue_credentials()

    def test_the_credentials_wizard_shows_the_clear_values(self):
        action = self.client.action_issue_credentials()
        wizard = self.env[action["res_model"]].browse(action["res_id"])
        self.assertEqual(
            self.env["integration.client"]._find_by_token(wizard.token), self.client
        )
        self.assertTrue(wizard.signing_secret.startswith("whsec_"))

    def test_bad_settings_are_refused_with_the_value(self):
        with self.assertRaisesRegex(ValidationError, "10.0.0.300"):
            self.client.ip_allowlist = "10.0.0.0/8, 10.0.0.300"
        with self.assertRaisesRegex(ValidationError, "Mfg.X"):
            self.client.allowed_event_types = "mfg.*, Mfg.X"

    def test_an_administrator_cannot_be_the_technical_user(self):
        with self.assertRaisesRegex(ValidationError, "administrator"):
            self.client.user_id = self.env.ref("base.user_admin")
