# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestSuite(HttpCase):
    def test_the_suite_installs_its_addons_and_serves_the_api(self):
        installed = self.env["ir.module.module"].search(
            [
                (
                    "name",
                    "in",
                    ["mfg_integration_suite", "integration_log", "mrp_trace_sync"],
                )
            ]
        )
        self.assertEqual(set(installed.mapped("state")), {"installed"})
        response = self.url_open("/integration/v1/health")
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()["checks"]["database"]["status"], "ok")

    def test_the_integration_app_is_in_the_menu_of_managers(self):
        menu = self.env.ref("integration_log.integration_menu_root")
        admin = self.env.ref("base.user_admin")
        self.assertTrue(admin.has_group("integration_log.group_integration_manager"))
        visible = self.env["ir.ui.menu"].with_user(admin)._visible_menu_ids()
        self.assertIn(menu.id, visible)
