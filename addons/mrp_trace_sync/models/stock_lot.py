# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

import psycopg2

from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.integration_log.exceptions import TransientIntegrationError

_logger = logging.getLogger(__name__)


class StockLot(models.Model):
    _inherit = "stock.lot"

    def init(self):
        # Odoo checks lot uniqueness in Python only, so two events creating
        # the same lot at once could both pass; the index lets only one win.
        try:
            with self.env.cr.savepoint():
                self.env.cr.execute(
                    """
                    CREATE UNIQUE INDEX IF NOT EXISTS
                        stock_lot_product_name_company_uniq
                    ON stock_lot (product_id, name, coalesce(company_id, 0))
                    """
                )
        except psycopg2.errors.UniqueViolation:
            _logger.warning(
                "stock_lot holds duplicate lots (same product, name and company): "
                "concurrent lot creation is only guarded by Odoo's Python check "
                "until they are merged."
            )

    # ------------------------------------------------------------------
    # Genealogy
    # ------------------------------------------------------------------
    def action_open_genealogy(self):
        self.ensure_one()
        wizard = self.env["mrp.trace.genealogy.wizard"].create({"lot_id": self.id})
        wizard.action_refresh()
        return wizard._open()

    def action_open_recall(self):
        self.ensure_one()
        wizard = self.env["mrp.trace.recall.wizard"].create({"lot_id": self.id})
        wizard.action_refresh()
        return wizard._open()

    # ------------------------------------------------------------------
    # Lots named by events
    # ------------------------------------------------------------------
    @api.model
    def _mes_find_existing(self, product, name, pointer, company):
        """The existing lot ``name`` of ``product``; ``False`` for untracked
        products. Raises UserError naming the pointer otherwise."""
        if product.tracking == "none":
            if name:
                raise UserError(
                    self.env._(
                        "%(pointer)s: %(product)s is not tracked by lot; send no lot "
                        "(got %(lot)r).",
                        pointer=pointer,
                        product=product.default_code,
                        lot=name,
                    )
                )
            return self.browse()
        if not name:
            raise UserError(
                self.env._(
                    "%(pointer)s: %(product)s is tracked by %(tracking)s: the lot is "
                    "required.",
                    pointer=pointer,
                    product=product.default_code,
                    tracking=product.tracking,
                )
            )
        lot = self.search(
            [
                ("product_id", "=", product.id),
                ("name", "=", name),
                ("company_id", "in", (company.id, False)),
            ],
            limit=1,
        )
        if lot:
            return lot
        other = self.search([("name", "=", name)], limit=1)
        if other:
            raise UserError(
                self.env._(
                    "%(pointer)s: lot %(lot)r belongs to %(other)s, not to "
                    "%(product)s.",
                    pointer=pointer,
                    lot=name,
                    other=other.product_id.default_code or other.product_id.name,
                    product=product.default_code,
                )
            )
        raise UserError(
            self.env._(
                "%(pointer)s: no lot %(lot)r of %(product)s is known.",
                pointer=pointer,
                lot=name,
                product=product.default_code,
            )
        )

    @api.model
    def _mes_get_or_create(self, product, name, company, expiration_date=False):
        """The lot ``name`` of ``product``, created when new.

        Two events creating the same lot at once: the unique index refuses
        the second insert, and its event is retried, then finds the lot.
        """
        domain = [
            ("product_id", "=", product.id),
            ("name", "=", name),
            ("company_id", "in", (company.id, False)),
        ]
        lot = self.search(domain, limit=1)
        if lot:
            if expiration_date and "expiration_date" in lot._fields:
                lot.expiration_date = expiration_date
            return lot
        vals = {"product_id": product.id, "name": name, "company_id": company.id}
        if expiration_date and "expiration_date" in self._fields:
            vals["expiration_date"] = expiration_date
        try:
            with self.env.cr.savepoint():
                self.env.cr.execute(
                    SQL(
                        "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                        f"stock.lot\x1f{company.id}\x1f{product.id}\x1f{name}",
                    )
                )
                return self.create(vals)
        except psycopg2.errors.UniqueViolation as err:
            raise TransientIntegrationError(
                f"lot {name!r} of {product.default_code} is being created by another "
                "event; retrying",
                retry_after=1,
            ) from err
