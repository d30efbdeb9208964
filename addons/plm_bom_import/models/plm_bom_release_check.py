# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models
from odoo.tools import SQL

from odoo.addons.integration_log.exceptions import (
    IntegrationNotFoundError,
    IntegrationPointerError,
)

from ..exceptions import PlmValidationError

MAX_ERRORS = 20
ITEM_EVENT = "mfg.item.released.v1"
OPEN_EVENT_STATES = ("received", "processing", "failed")
# The BOMs a cycle check follows: active ones, and those being imported.
_BOMS_OF = """
    JOIN product_product pp ON pp.id = reach.product_id
    JOIN mrp_bom bom ON bom.product_tmpl_id = pp.product_tmpl_id
        AND (bom.product_id IS NULL OR bom.product_id = pp.id)
        AND (bom.active OR bom.id IN (
            SELECT bom_id FROM plm_bom_release
            WHERE state = 'importing' AND bom_id IS NOT NULL))
    JOIN mrp_bom_line line ON line.bom_id = bom.id
"""
_REACH = f"""
    WITH RECURSIVE reach(product_id) AS (
        SELECT unnest(%s::int[])
      UNION
        SELECT line.product_id FROM reach {_BOMS_OF}
    )
    SELECT 1 FROM reach WHERE product_id = ANY(%s) LIMIT 1
"""
_REACH_BY_ORIGIN = f"""
    WITH RECURSIVE reach(origin, product_id) AS (
        SELECT c, c FROM unnest(%s::int[]) AS c
      UNION
        SELECT reach.origin, line.product_id FROM reach {_BOMS_OF}
    )
    SELECT DISTINCT origin FROM reach WHERE product_id = ANY(%s)
"""


class PlmBomRelease(models.Model):
    """The checks of a BOM release, before anything is written: the item and
    its components exist (or have a release pending), units convert,
    positions are unique, dates are in order, and no cycle arises. Every
    error names its JSON Pointer and value; up to 20 are reported at once."""

    # Split by concern on purpose: the record lives in plm_bom_release.py.
    # pylint: disable=consider-merging-classes-inherited
    _inherit = "plm.bom.release"

    @api.model
    def _plm_check(self, data, client):
        """Resolve and check the data of a ``mfg.bom.released.v1``.

        :returns: the plan: ``product``, ``uom``, ``effective_from``,
            ``effective_to``, ``lines`` (resolved dicts) and ``missing``, the
            references still waiting for a pending item release.
        :raises PlmValidationError: (or an ``IntegrationPointerError``) for
            the errors found.
        """
        errors, missing = [], []
        product = self._plm_resolve_item(data["item"], client, errors, missing)
        units = {}
        uom = self._plm_unit(data["uom"], "/data/uom", client, units, errors)
        if product and uom and uom.category_id != product.uom_id.category_id:
            errors.append(self._plm_unit_error("/data/uom", data["uom"], uom, product))
        start, end = self._plm_check_dates(data, errors)
        lines = self._plm_check_lines(
            data["lines"], product, client, units, errors, missing
        )
        if product and not errors and not missing:
            self._plm_check_cycles(product, lines, errors)
        self._plm_raise(errors)
        return {
            "product": product,
            "uom": uom,
            "effective_from": start,
            "effective_to": end,
            "lines": lines,
            "missing": sorted(set(missing)),
        }

    @api.model
    def _plm_raise(self, errors):
        if not errors:
            return
        if len(errors) == 1:
            raise errors[0]
        raise PlmValidationError(
            errors,
            self.env._(
                "%(first)s (and %(count)s more: %(others)s)",
                first=errors[0].message,
                count=len(errors) - 1,
                others="; ".join(f"{e.pointer}: {e.message}" for e in errors[1:4]),
            ),
        )

    @api.model
    def _plm_resolve_item(self, reference, client, errors, missing):
        products = self._plm_products([reference]).get(reference)
        if products and len(products) == 1:
            return products[0]
        if products:
            errors.append(self._plm_ambiguous("/data/item", reference))
        elif reference in self._plm_pending_items([reference], client):
            missing.append(reference)
        else:
            errors.append(self._plm_unknown("/data/item", reference))
        return self.env["product.product"]

    @api.model
    def _plm_products(self, references):
        """``{reference: [products]}`` of the active products with those
        internal references, in one query; the records keep the prefetch of
        the whole search, so reading their units is one query too."""
        products = self.env["product.product"].search(
            [("default_code", "in", list(references))]
        )
        found = {}
        for product in products:
            found.setdefault(product.default_code, []).append(product)
        return found

    @api.model
    def _plm_pending_items(self, references, client):
        """The references among ``references`` whose item release from
        ``client`` is accepted and not applied yet (in the same batch, say)."""
        if not client or not references:
            return set()
        # sudo: only whether such events wait is read, to tell "not released
        # yet" from "unknown"; the technical user does not read the log.
        events = (
            self.env["integration.event"]
            .sudo()
            .search_read(
                [
                    ("direction", "=", "in"),
                    ("event_type", "=", ITEM_EVENT),
                    ("client_id", "=", client.id),
                    ("state", "in", OPEN_EVENT_STATES),
                    ("subject", "in", list(references)),
                ],
                ["subject"],
            )
        )
        return {event["subject"] for event in events}

    @api.model
    def _plm_unit(self, code, pointer, client, units, errors):
        """The unit of ``code`` (cached in ``units``), or None with an error."""
        if code not in units:
            try:
                units[code] = self.env["integration.uom.code"]._resolve(
                    code, client, pointer
                )
            except IntegrationPointerError as err:
                units[code] = err
        found = units[code]
        if isinstance(found, IntegrationPointerError):
            errors.append(IntegrationPointerError(pointer, found.message, found.value))
            return None
        return found

    @api.model
    def _plm_check_dates(self, data, errors):
        kit = self.env["integration.resolver"]
        moments = []
        for name in ("effective_from", "effective_to"):
            try:
                moments.append(kit._plm_moment(data.get(name), f"/data/{name}"))
            except IntegrationPointerError as err:
                errors.append(err)
                moments.append(False)
        start, end = moments
        if start and end and end <= start:
            errors.append(
                IntegrationPointerError(
                    "/data/effective_to",
                    self.env._(
                        "%(end)s is not after effective_from %(start)s.",
                        end=data["effective_to"],
                        start=data["effective_from"],
                    ),
                    data["effective_to"],
                )
            )
        return start, end

    @api.model
    def _plm_check_lines(self, lines, product, client, units, errors, missing):
        found = self._plm_products({line["item"] for line in lines})
        unknown = {line["item"] for line in lines} - set(found)
        pending = self._plm_pending_items(unknown, client)
        positions, resolved = {}, []
        for index, line in enumerate(lines):
            if len(errors) >= MAX_ERRORS:
                break
            pointer = f"/data/lines/{index}"
            component = self._plm_component(
                line["item"], pointer, found, pending, errors, missing
            )
            uom = self._plm_unit(line["uom"], f"{pointer}/uom", client, units, errors)
            if component and uom and uom.category_id != component.uom_id.category_id:
                errors.append(
                    self._plm_unit_error(f"{pointer}/uom", line["uom"], uom, component)
                )
            if component and product and component == product:
                errors.append(self._plm_self_error(pointer, line["item"]))
            self._plm_check_position(line, index, positions, errors)
            resolved.append(
                {
                    "product_id": component.id,
                    "quantity": line["quantity"],
                    "uom_id": uom.id if uom else False,
                    "position": line.get("position") or None,
                    "designators": line.get("designators") or [],
                    "sequence": index + 1,
                }
            )
        return resolved

    @api.model
    def _plm_component(self, reference, pointer, found, pending, errors, missing):
        products = found.get(reference)
        if products and len(products) == 1:
            return products[0]
        if products:
            errors.append(self._plm_ambiguous(f"{pointer}/item", reference))
        elif reference in pending:
            missing.append(reference)
        else:
            errors.append(self._plm_unknown(f"{pointer}/item", reference))
        return self.env["product.product"]

    @api.model
    def _plm_check_position(self, line, index, positions, errors):
        position = line.get("position")
        if not position:
            return
        if position in positions:
            errors.append(
                IntegrationPointerError(
                    f"/data/lines/{index}/position",
                    self.env._(
                        "position %(position)s is already used by line %(other)s; "
                        "positions are unique in a BOM.",
                        position=position,
                        other=positions[position],
                    ),
                    position,
                )
            )
        else:
            positions[position] = index

    @api.model
    def _plm_check_cycles(self, product, lines, errors):
        """Refuse components that are made, at any depth, from the item."""
        components = {line["product_id"] for line in lines}
        looping = self._plm_components_reaching(components, product)
        for index, line in enumerate(lines):
            if line["product_id"] in looping and len(errors) < MAX_ERRORS:
                reference = self.env["product.product"].browse(line["product_id"])
                errors.append(
                    self._plm_cycle_error(
                        f"/data/lines/{index}/item", reference.default_code, product
                    )
                )

    @api.model
    def _plm_components_reaching(self, components, product):
        """The ``components`` from which the BOMs (active ones, and those
        being imported) lead back to ``product``: one recursive query, then
        one more only when there is a cycle, to name its components."""
        for model in ("mrp.bom", "mrp.bom.line", "plm.bom.release"):
            self.env[model].flush_model()
        finished = product.product_tmpl_id.product_variant_ids.ids
        self.env.cr.execute(SQL(_REACH, list(components), finished))
        if not self.env.cr.fetchall():
            return set()
        self.env.cr.execute(SQL(_REACH_BY_ORIGIN, list(components), finished))
        return {row[0] for row in self.env.cr.fetchall()}

    # ------------------------------------------------------------------
    # The errors, each naming the value it is about
    # ------------------------------------------------------------------
    @api.model
    def _plm_unknown(self, pointer, reference):
        return IntegrationNotFoundError(
            pointer,
            self.env._(
                "no product with internal reference %(ref)r; release the item "
                "first (mfg.item.released.v1), in the same batch or before.",
                ref=reference,
            ),
            reference,
        )

    @api.model
    def _plm_ambiguous(self, pointer, reference):
        return IntegrationPointerError(
            pointer,
            self.env._(
                "several products have the internal reference %(ref)r; make it unique.",
                ref=reference,
            ),
            reference,
        )

    @api.model
    def _plm_unit_error(self, pointer, code, uom, product):
        return IntegrationPointerError(
            pointer,
            self.env._(
                "%(code)s (%(uom)s) cannot be converted to the unit of %(product)s, "
                "%(product_uom)s.",
                code=code,
                uom=uom.name,
                product=product.default_code,
                product_uom=product.uom_id.name,
            ),
            code,
        )

    @api.model
    def _plm_self_error(self, pointer, reference):
        return IntegrationPointerError(
            f"{pointer}/item",
            self.env._(
                "%(ref)s is the item itself: a BOM cannot contain its own product.",
                ref=reference,
            ),
            reference,
        )

    @api.model
    def _plm_cycle_error(self, pointer, reference, product):
        return IntegrationPointerError(
            pointer,
            self.env._(
                "%(ref)s is made, through its own BOMs, from %(item)s: this line "
                "would make a cycle.",
                ref=reference,
                item=product.default_code,
            ),
            reference,
        )
