# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import hashlib
import json

from odoo import api, fields, models

from odoo.addons.integration_log.exceptions import IntegrationPointerError
from odoo.addons.integration_log.protocol import envelope

from ..plm import revisions


def content_hash(data, ignore=()):
    """SHA-256 of a release's data (without the keys ``ignore``)."""
    kept = {key: value for key, value in data.items() if key not in ignore}
    return hashlib.sha256(envelope.canonical_json(kept).encode()).hexdigest()


class PlmItemRevision(models.Model):
    """Inbound ``mfg.item.released.v1``: the product whose internal
    reference is the item is created or updated, and the revision joins its
    history. The same revision again is a duplicate; an older one is stale."""

    # Split by concern on purpose: the record lives in plm_item_revision.py.
    # pylint: disable=consider-merging-classes-inherited
    _inherit = "plm.item.revision"

    @api.model
    def _integration_handle_item_released(self, event):
        data = event._get_data()
        kit = self.env["integration.resolver"]
        uom = self.env["integration.uom.code"]._resolve(
            data["uom"], event.client_id, "/data/uom"
        )
        effective_from = kit._plm_moment(
            data.get("effective_from"), "/data/effective_from"
        )
        digest = content_hash(data)
        product = self._plm_item(data["item"], "/data/item")
        status = "updated" if product else "created"
        if product:
            known = self._plm_known_revision(product.product_tmpl_id, data, digest)
            if known:
                return known
            changes = self._plm_update_product(product, data, uom)
        else:
            product, changes = self._plm_create_product(data, uom), []
        revision = self._plm_record(product, data, uom, effective_from, event)
        revision.write({"content_hash": digest, "change_summary": ", ".join(changes)})
        event._link_records(product.product_tmpl_id, revision)
        return {
            "item": data["item"],
            "revision": data["revision"],
            "status": status,
            "changes": changes,
            "product": product.id,
        }

    @api.model
    def _plm_item(self, reference, pointer):
        """The product of an item (archived ones included), or nothing."""
        return (
            self.env["integration.resolver"]
            .with_context(active_test=False)
            ._product(reference, pointer, required=False)
        )

    @api.model
    def _plm_known_revision(self, template, data, digest):
        """The result of a release whose revision is already known (a
        duplicate) or older than the latest (stale); None for a new one."""
        label = data["revision"]
        history = template.plm_revision_ids
        same = history.filtered(lambda r: revisions.compare(r.name, label) == 0)[:1]
        if same and same.content_hash == digest:
            return {"item": data["item"], "revision": label, "status": "duplicate"}
        if same:
            raise IntegrationPointerError(
                "/data/revision",
                self.env._(
                    "revision %(revision)s of item %(item)s was already released on "
                    "%(date)s with other content; release the change as a new "
                    "revision.",
                    revision=label,
                    item=data["item"],
                    date=same.released_at,
                ),
                label,
            )
        latest = revisions.latest(history.mapped("name"))
        if latest and revisions.compare(label, latest) < 0:
            return {
                "item": data["item"],
                "revision": label,
                "status": "stale",
                "latest": latest,
            }
        return None

    @api.model
    def _plm_create_product(self, data, uom):
        # The revision history records the release: no chatter of its own.
        product = (
            self.env["product.product"]
            .with_context(
                tracking_disable=True,
                mail_create_nolog=True,
                mail_create_nosubscribe=True,
            )
            .create(
                {
                    "name": data["name"],
                    "default_code": data["item"],
                    "type": "consu",
                    "is_storable": True,
                    "tracking": data["tracking"],
                    "uom_id": uom.id,
                    "uom_po_id": uom.id,
                }
            )
        )
        self._plm_sync_attributes(product.product_tmpl_id, data.get("attributes"))
        return product

    @api.model
    def _plm_update_product(self, product, data, uom):
        """Write what the release changes; :returns: the names of the changes."""
        vals, changes = {}, []
        if product.name != data["name"]:
            vals["name"] = data["name"]
            changes.append(self.env._("name"))
        if product.uom_id != uom:
            self._plm_check_uom_change(product, uom, data["uom"])
            vals.update(uom_id=uom.id, uom_po_id=uom.id)
            changes.append(self.env._("unit"))
        if product.tracking != data["tracking"]:
            vals["tracking"] = data["tracking"]
            if data["tracking"] != "none":
                vals["is_storable"] = True
            changes.append(self.env._("tracking"))
        if not product.active:
            vals["active"] = True
            product.product_tmpl_id.active = True
        if vals:
            product.write(vals)
        if self._plm_sync_attributes(product.product_tmpl_id, data.get("attributes")):
            changes.append(self.env._("attributes"))
        return changes

    @api.model
    def _plm_check_uom_change(self, product, uom, code):
        # sudo: only whether the product has moved at all is read; Odoo then
        # refuses a new unit, and the partner learns why at /data/uom.
        moved = (
            self.env["stock.move"]
            .sudo()
            .search_count(
                [("product_id", "in", product.product_tmpl_id.product_variant_ids.ids)],
                limit=1,
            )
        )
        if moved:
            raise IntegrationPointerError(
                "/data/uom",
                self.env._(
                    "%(item)s is counted in %(old)s and already has stock moves; "
                    "Odoo cannot change its unit to %(code)s (%(new)s). Release a "
                    "new item instead.",
                    item=product.default_code,
                    old=product.uom_id.name,
                    code=code,
                    new=uom.name,
                ),
                code,
            )

    @api.model
    def _plm_sync_attributes(self, template, attributes):
        """Make the item's attributes those of the release (when it gives
        them); :returns: whether they changed."""
        if attributes is None:
            return False
        current = {a.name: a for a in template.plm_attribute_ids}
        if {n: a.value for n, a in current.items()} == attributes:
            return False
        Attribute = self.env["plm.item.attribute"]
        Attribute.browse(
            a.id for n, a in current.items() if n not in attributes
        ).unlink()
        for name, value in attributes.items():
            if name in current:
                if current[name].value != value:
                    current[name].value = value
            else:
                Attribute.create(
                    {"product_tmpl_id": template.id, "name": name, "value": value}
                )
        return True

    @api.model
    def _plm_record(self, product, data, uom, effective_from, event):
        template = product.product_tmpl_id
        template.plm_revision_ids.filtered("is_current").is_current = False
        template.plm_revision = data["revision"]
        return self.create(
            {
                "product_tmpl_id": template.id,
                "product_id": product.id,
                "item": data["item"],
                "name": data["revision"],
                "plm_id": data.get("plm_id"),
                "item_name": data["name"],
                "uom_id": uom.id,
                "tracking": data["tracking"],
                "attributes": json.dumps(data.get("attributes") or {}, sort_keys=True),
                "effective_from": effective_from,
                "released_at": event.event_time or fields.Datetime.now(),
                "source": event.source,
                "client_id": event.client_id.id,
                "is_current": True,
            }
        )
