# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import threading

from odoo import SUPERUSER_ID, api
from odoo.sql_db import db_connect
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from odoo.addons.integration_log.exceptions import TransientIntegrationError


@tagged("post_install", "-at_install")
class TestLotRace(TransactionCase):
    """Two events creating the same lot at the same time, in two real
    transactions on two connections: one lot, and the loser is retried."""

    def _env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {})

    def setUp(self):
        super().setUp()
        self.db = db_connect(self.env.cr.dbname)
        # Committed for real: the racing transactions cannot see the test's.
        with self.db.cursor() as cr:
            env = self._env(cr)
            product = env["product.product"].create(
                {
                    "name": "Race powder",
                    "default_code": "RACE-POWDER",
                    "is_storable": True,
                    "tracking": "lot",
                }
            )
            self.product_id = product.id
            self.company_id = env.company.id
            # A separate connection: the race needs data both sides can see.
            cr.commit()  # pylint: disable=invalid-commit
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.db.cursor() as cr:
            env = self._env(cr)
            env["stock.lot"].search([("product_id", "=", self.product_id)]).unlink()
            env["product.product"].browse(self.product_id).product_tmpl_id.unlink()
            cr.commit()  # pylint: disable=invalid-commit

    def _create_lot(self, env):
        return env["integration.resolver"]._lot_get_or_create(
            env["product.product"].browse(self.product_id),
            "RACE-1",
            env["res.company"].browse(self.company_id),
        )

    @mute_logger("odoo.sql_db")
    def test_concurrent_creation_of_one_lot(self):
        first = self.db.cursor()
        second = self.db.cursor()
        # Environments are made here: the test thread holds the registry lock.
        first_env, second_env = self._env(first), self._env(second)
        outcome = {}
        try:
            self._create_lot(first_env)  # holds the lot's lock, not committed

            def race():
                try:
                    outcome["lot"] = self._create_lot(second_env).id
                except TransientIntegrationError as err:
                    outcome["retry"] = str(err)
                    second.rollback()

            thread = threading.Thread(target=race)
            thread.start()
            thread.join(timeout=1)
            self.assertTrue(thread.is_alive(), "the second creation waits")
            first.commit()
            thread.join(timeout=30)
            self.assertFalse(thread.is_alive())
            self.assertIn("being created by another event", outcome.get("retry", ""))
            # The retried event finds the lot.
            second_env.invalidate_all()
            retried = self._create_lot(second_env)
            second.commit()
        finally:
            first.close()
            second.close()
        with self.db.cursor() as cr:
            cr.execute(
                "SELECT count(*) FROM stock_lot "
                "WHERE product_id = %s AND name = 'RACE-1'",
                [self.product_id],
            )
            self.assertEqual(cr.fetchone()[0], 1)
        self.assertTrue(retried)
