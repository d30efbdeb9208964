# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

import psycopg2

from odoo import api, models

from ..exceptions import (
    IntegrationNotFoundError,
    IntegrationPointerError,
    TransientIntegrationError,
)
from ..locks import xact_lock
from ..protocol import envelope
from ..protocol.times import iso_utc

_logger = logging.getLogger(__name__)


class IntegrationResolver(models.AbstractModel):
    """The domain kit: how protocol v1 names Odoo records in payloads.

    Products by internal reference, lots by name for a product, quantities
    with a unit code, times in ISO-8601 UTC. Every method raises
    :class:`~..exceptions.IntegrationPointerError` naming the pointer and the
    offending value, so handlers and routes of any module report the same
    errors the same way.
    """

    _name = "integration.resolver"
    _description = "Integration Payload Resolvers"

    # ------------------------------------------------------------------
    # Products
    # ------------------------------------------------------------------
    @api.model
    def _product(self, reference, pointer, required=True):
        """The product an event names by its internal reference (archived
        ones too when the context says ``active_test=False``).

        :param required: raise when there is none; else return nothing.
        """
        products = self.env["product.product"].search(
            [("default_code", "=", reference)], limit=2
        )
        if not products and required:
            raise IntegrationNotFoundError(
                pointer,
                self.env._(
                    "no product with internal reference %(ref)r.", ref=reference
                ),
                reference,
            )
        if len(products) > 1:
            raise IntegrationPointerError(
                pointer,
                self.env._(
                    "several products have the internal reference %(ref)r; make it "
                    "unique.",
                    ref=reference,
                ),
                reference,
            )
        return products

    @api.model
    def _product_reference(self, product):
        """How events name a product: its internal reference."""
        return product.default_code or product.display_name

    # ------------------------------------------------------------------
    # Lots
    # ------------------------------------------------------------------
    @api.model
    def _lot(self, product, name, pointer, company):
        """The existing lot ``name`` of ``product``; an empty recordset for
        an untracked product that is sent no lot."""
        reference = self._product_reference(product)
        if product.tracking == "none":
            if name:
                raise IntegrationPointerError(
                    pointer,
                    self.env._(
                        "%(product)s is not tracked by lot; send no lot (got %(lot)r).",
                        product=reference,
                        lot=name,
                    ),
                    name,
                )
            return self.env["stock.lot"]
        if not name:
            raise IntegrationPointerError(
                pointer,
                self.env._(
                    "%(product)s is tracked by %(tracking)s: the lot is required.",
                    product=reference,
                    tracking=product.tracking,
                ),
            )
        lot = self._existing_lot(product, name, company)
        if lot:
            return lot
        other = self.env["stock.lot"].search([("name", "=", name)], limit=1)
        if other:
            raise IntegrationPointerError(
                pointer,
                self.env._(
                    "lot %(lot)r belongs to %(other)s, not to %(product)s.",
                    lot=name,
                    other=self._product_reference(other.product_id),
                    product=reference,
                ),
                name,
            )
        raise IntegrationNotFoundError(
            pointer,
            self.env._(
                "no lot %(lot)r of %(product)s is known.", lot=name, product=reference
            ),
            name,
        )

    @api.model
    def _existing_lot(self, product, name, company):
        return self.env["stock.lot"].search(
            [
                ("product_id", "=", product.id),
                ("name", "=", name),
                ("company_id", "in", (company.id, False)),
            ],
            limit=1,
        )

    @api.model
    def _lot_get_or_create(self, product, name, company, expiration_date=False):
        """The lot ``name`` of ``product``, created when new.

        Two events creating the same lot at once: the advisory lock
        serialises them, and the unique index on lots refuses a second insert
        from a transaction that began before the first committed; that event
        is retried, then finds the lot.
        """
        Lot = self.env["stock.lot"]
        lot = self._existing_lot(product, name, company)
        if lot:
            if expiration_date and "expiration_date" in lot._fields:
                lot.expiration_date = expiration_date
            return lot
        vals = {"product_id": product.id, "name": name, "company_id": company.id}
        if expiration_date and "expiration_date" in Lot._fields:
            vals["expiration_date"] = expiration_date
        try:
            with self.env.cr.savepoint():
                xact_lock(self.env.cr, "stock.lot", company.id, product.id, name)
                return Lot.create(vals)
        except psycopg2.errors.UniqueViolation as err:
            raise TransientIntegrationError(
                f"lot {name!r} of {self._product_reference(product)} is being "
                "created by another event; retrying",
                retry_after=1,
            ) from err

    # ------------------------------------------------------------------
    # Quantities and times
    # ------------------------------------------------------------------
    @api.model
    def _quantity(self, quantity, unit_code, product, unit_pointer, client=None):
        """``quantity`` in ``unit_code``, converted to the product's unit.

        :param unit_pointer: the pointer of the unit code in the payload.
        """
        uom = self.env["integration.uom.code"]._resolve(unit_code, client, unit_pointer)
        if uom.category_id != product.uom_id.category_id:
            raise IntegrationPointerError(
                unit_pointer,
                self.env._(
                    "%(code)s (%(uom)s) cannot measure %(product)s, counted in "
                    "%(product_uom)s.",
                    code=unit_code,
                    uom=uom.name,
                    product=self._product_reference(product),
                    product_uom=product.uom_id.name,
                ),
                unit_code,
            )
        return uom._compute_quantity(quantity, product.uom_id)

    @api.model
    def _time(self, value):
        """An ISO-8601 time of a payload (schema-checked) as Odoo stores it."""
        return envelope.parse_time(value) if value else False

    @api.model
    def _iso(self, value):
        """An Odoo datetime as protocol v1 writes it (UTC, ``Z``)."""
        return iso_utc(value)
