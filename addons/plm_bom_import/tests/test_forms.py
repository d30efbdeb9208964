# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from lxml import etree

from odoo.tests import new_test_user, tagged

from .common import PlmCase, line


@tagged("post_install", "-at_install")
class TestForms(PlmCase):
    """What a plant engineer opens: the product's revisions and BOM
    revisions, a BOM release with its diff, the approve buttons for the
    managers only."""

    def setUp(self):
        super().setUp()
        self.finished, _c1, _c2 = self.items("PLMT-FF", "PLMT-FC1", "PLMT-FC2")
        self.send(self.bom_event("PLMT-FF", "A", [line("PLMT-FC1", position="10")]))
        self.send(
            self.bom_event(
                "PLMT-FF", "B", [line("PLMT-FC2", position="10")], approval="pending"
            )
        )
        self.release = self.releases("PLMT-FF")[-1]

    def arch(self, model, view_type="form", user=None):
        env = self.env(user=user) if user else self.env
        views = env[model].get_views([(False, view_type)])
        return etree.fromstring(views["views"][view_type]["arch"])

    def test_product_forms_show_revisions(self):
        for model, record in (
            ("product.template", self.finished.product_tmpl_id),
            ("product.product", self.finished),
        ):
            with self.subTest(model=model):
                arch = self.arch(model)
                self.assertTrue(arch.xpath("//page[@name='plm']"))
                self.assertTrue(arch.xpath("//field[@name='plm_revision_ids']"))
                action = record.action_view_plm_bom_revisions()
                boms = (
                    self.env["mrp.bom"]
                    .with_context(**action["context"])
                    .search(action["domain"])
                )
                self.assertEqual(boms.mapped("plm_revision"), ["A"])
        self.assertEqual(self.finished.product_tmpl_id.plm_bom_revision_count, 1)

    def test_release_form_for_managers(self):
        engineer = new_test_user(
            self.env, "plmt_form_eng", "plm_bom_import.group_plm_manager"
        )
        operator = new_test_user(self.env, "plmt_form_op", "mrp.group_mrp_user")
        for user, can_decide in ((engineer, True), (operator, False)):
            with self.subTest(user=user.login):
                arch = self.arch("plm.bom.release", user=user)
                self.assertEqual(
                    bool(arch.xpath("//button[@name='action_approve']")), can_decide
                )
                self.assertTrue(arch.xpath("//field[@name='diff_ids']"))
                self.assertEqual(
                    self.release.with_user(user).diff_ids.mapped("kind"),
                    ["changed"],
                )
        diff_list = self.arch("plm.bom.release.diff", "list")
        self.assertEqual(diff_list.get("decoration-warning"), "kind == 'changed'")
        self.assertEqual(
            diff_list.xpath("//field[@name='quantity']")[0].get("decoration-bf"),
            "quantity_changed",
        )

    def test_bom_and_order_forms(self):
        bom_arch = self.arch("mrp.bom")
        for name in ("plm_revision", "plm_change_order", "plm_effective_from"):
            self.assertTrue(bom_arch.xpath(f"//field[@name='{name}']"), name)
        self.assertTrue(
            self.arch("mrp.production").xpath("//field[@name='plm_bom_notice']")
        )
        settings = self.arch("res.config.settings")
        self.assertTrue(settings.xpath("//field[@name='plm_bom_auto_apply']"))
