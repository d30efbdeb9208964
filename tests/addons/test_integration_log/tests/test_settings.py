# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from unittest.mock import patch

from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import config

from odoo.addons.integration_log.models.integration_keys import (
    CHAIN_OPTION,
    ENCRYPTION_OPTION,
)


@tagged("post_install", "-at_install")
class TestIntegrationSettings(TransactionCase):
    def param(self, key):
        return self.env["ir.config_parameter"].get_param(key)

    def save(self, **values):
        settings = self.env["res.config.settings"].create(values)
        settings.execute()
        return self.env["res.config.settings"].create({})

    def test_settings_are_saved_and_read_back(self):
        settings = self.save(
            integration_trusted_proxies="10.0.0.5, 10.0.1.0/24",
            integration_restrict_outbound_hosts=False,
            integration_payload_retention_days=30,
            integration_refusal_retention_days=0,
            integration_log_retention_days=365,
            integration_event_retry_schedule="5,60,600",
        )
        self.assertEqual(settings.integration_trusted_proxies, "10.0.0.5, 10.0.1.0/24")
        self.assertFalse(settings.integration_restrict_outbound_hosts)
        self.assertEqual(settings.integration_payload_retention_days, 30)
        self.assertEqual(settings.integration_refusal_retention_days, 0)
        self.assertEqual(settings.integration_log_retention_days, 365)
        self.assertEqual(settings.integration_event_retry_schedule, "5,60,600")
        # The parameters the platform reads.
        self.assertEqual(self.param("integration_log.restrict_outbound_hosts"), "0")
        self.assertFalse(self.env["integration.allowed.host"]._restriction_enabled())
        self.assertEqual(self.param("integration_log.refusal_retention_days"), "0")
        self.assertEqual(self.param("integration_log.log_retention_days"), "365")
        self.assertEqual(self.env["integration.event"]._retry_schedule(), (5, 60, 600))
        settings = self.save(integration_restrict_outbound_hosts=True)
        self.assertTrue(settings.integration_restrict_outbound_hosts)
        self.assertTrue(self.env["integration.allowed.host"]._restriction_enabled())

    def test_bad_values_are_refused_with_the_value(self):
        cases = {
            "integration_event_retry_schedule": ("5,soon", "soon"),
            "integration_trusted_proxies": ("10.0.0.5, proxy-1", "proxy-1"),
            "integration_log_retention_days": (-3, "-3"),
        }
        for field, (value, shown) in cases.items():
            with self.assertRaisesRegex(ValidationError, shown):
                self.env["res.config.settings"].create({field: value})

    def test_the_key_origin_is_shown(self):
        with patch.dict(config.options, {ENCRYPTION_OPTION: "", CHAIN_OPTION: "x"}):
            settings = self.env["res.config.settings"].create({})
            self.assertFalse(settings.integration_encryption_key_configured)
            self.assertTrue(settings.integration_chain_key_configured)

    def test_only_integration_managers_see_the_section(self):
        admin_only = new_test_user(self.env, "settings_admin", "base.group_system")
        manager = new_test_user(
            self.env,
            "settings_integration",
            "base.group_system,integration_log.group_integration_manager",
        )
        for user, shown in ((admin_only, False), (manager, True)):
            arch = (
                self.env["res.config.settings"]
                .with_user(user)
                .get_views([(False, "form")])["views"]["form"]["arch"]
            )
            self.assertEqual('name="integration_log"' in arch, shown, user.login)
            self.assertEqual("integration_restrict_outbound_hosts" in arch, shown)
