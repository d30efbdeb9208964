# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json

from odoo import api, fields, models

from odoo.addons.integration_log.exceptions import (
    IntegrationPointerError,
    TransientIntegrationError,
)

from ..plm import revisions
from .plm_item_release import content_hash

# A release waiting for item releases of its batch, or for the import of a
# previous revision, is tried again this soon the first time, then on the
# retry schedule of integration_log (minutes, then hours), which gives a
# large batch or import all the time it needs.
MISSING_RETRY_SECONDS = 2
IMPORTING_RETRY_SECONDS = 10


def _first(event, seconds):
    """``seconds`` for the first attempt of ``event``, then the schedule."""
    return seconds if event.attempt_count <= 1 else None


class PlmBomRelease(models.Model):
    """Inbound ``mfg.bom.released.v1``: a release is checked whole, then
    recorded with its diff, and applied at once (approved in the PLM, and
    the company applies approved releases) or left for a manager's decision.
    The same revision again is a duplicate; an older one is stale."""

    # Split by concern on purpose: the record lives in plm_bom_release.py.
    # pylint: disable=consider-merging-classes-inherited
    _inherit = "plm.bom.release"

    @api.model
    def _integration_handle_bom_released(self, event):
        data = event._get_data()
        client = event.client_id
        known = self._plm_known_release(data)
        if known is not None:
            return known._plm_again(data, event) if known else self._plm_stale(data)
        plan = self._plm_check(data, client)
        if plan["missing"]:
            self._plm_check_item_order(data, event, plan["missing"])
            raise TransientIntegrationError(
                self.env._(
                    "items %(items)s are released in events not applied yet; "
                    "retrying once they are.",
                    items=", ".join(plan["missing"][:10]),
                ),
                retry_after=_first(event, MISSING_RETRY_SECONDS),
            )
        self._plm_wait_for_imports(plan["product"], event)
        release = self._plm_create(plan, data, event)
        release._plm_supersede_pending()
        release._plm_start()
        event._link_records(release, release.product_tmpl_id, release.bom_id)
        return release._plm_result()

    @api.model
    def _plm_check_item_order(self, data, event, missing):
        """The item's own release, waiting behind this event in the same
        subject, can never be applied first: refuse rather than wait."""
        if data["item"] not in missing:
            return
        # sudo: only whether that event waits is read (see _plm_pending_items).
        behind = (
            self.env["integration.event"]
            .sudo()
            .search_count(
                [
                    ("direction", "=", "in"),
                    ("source", "=", event.source),
                    ("subject", "=", data["item"]),
                    ("event_type", "=", "mfg.item.released.v1"),
                    ("state", "in", ("received", "processing", "failed")),
                ],
                limit=1,
            )
        )
        if behind:
            raise IntegrationPointerError(
                "/data/item",
                self.env._(
                    "item %(item)s is released by an event that comes after this "
                    "BOM release (same source and subject); send the item release "
                    "before its BOM, then replay this event.",
                    item=data["item"],
                ),
                data["item"],
            )

    @api.model
    def _plm_releases_of(self, reference):
        """The releases of an item in this company, but cancelled imports."""
        return self.search(
            [
                ("item", "=", reference),
                ("company_id", "=", self.env.company.id),
                ("state", "!=", "failed"),
            ]
        )

    @api.model
    def _plm_known_release(self, data):
        """The release of the same revision (a duplicate), an empty
        recordset for a revision older than one received (stale), or None
        for a new revision. The same revision with other lines is refused."""
        label, releases = data["revision"], self._plm_releases_of(data["item"])
        same = releases.filtered(lambda r: revisions.compare(r.revision, label) == 0)
        if same:
            same = same[:1]
            if same.content_hash != content_hash(data, ignore=("approval",)):
                raise IntegrationPointerError(
                    "/data/revision",
                    self.env._(
                        "revision %(revision)s of item %(item)s was already released "
                        "(%(state)s) with other content; release the change as a "
                        "new revision.",
                        revision=label,
                        item=data["item"],
                        state=same.state,
                    ),
                    label,
                )
            return same
        latest = revisions.latest(releases.mapped("revision"))
        if latest and revisions.compare(label, latest) < 0:
            return self.browse()
        return None

    @api.model
    def _plm_stale(self, data):
        latest = revisions.latest(
            self._plm_releases_of(data["item"]).mapped("revision")
        )
        return {
            "item": data["item"],
            "revision": data["revision"],
            "status": "stale",
            "latest": latest,
        }

    @api.model
    def _plm_wait_for_imports(self, product, event):
        importing = self.search(
            [
                ("product_tmpl_id", "=", product.product_tmpl_id.id),
                ("state", "=", "importing"),
            ],
            limit=1,
        )
        if importing:
            raise TransientIntegrationError(
                self.env._(
                    "revision %(revision)s of %(item)s is still being imported; "
                    "retrying once it is done.",
                    revision=importing.revision,
                    item=importing.item,
                ),
                retry_after=_first(event, IMPORTING_RETRY_SECONDS),
            )

    @api.model
    def _plm_create(self, plan, data, event):
        product = plan["product"]
        template = product.product_tmpl_id
        variant = product if len(template.product_variant_ids) > 1 else product.browse()
        release = self.with_context(tracking_disable=True).create(
            {
                "item": data["item"],
                "product_tmpl_id": template.id,
                "product_id": variant.id,
                "revision": data["revision"],
                "change_order": data.get("change_order"),
                "plm_id": data.get("plm_id"),
                "effective_from": plan["effective_from"],
                "effective_to": plan["effective_to"],
                "quantity": data["quantity"],
                "uom_id": plan["uom"].id,
                "approval": data["approval"],
                "state": "pending",
                "line_count": len(plan["lines"]),
                "lines_json": json.dumps(plan["lines"]),
                "content_hash": content_hash(data, ignore=("approval",)),
                "source": event.source,
                "client_id": event.client_id.id,
                "company_id": self.env.company.id,
                "released_at": event.event_time or fields.Datetime.now(),
            }
        )
        release.previous_bom_id = release._plm_previous_bom()
        return release

    def _plm_start(self):
        """Apply at once what the PLM approved, when the company says so;
        otherwise wait for a manager, with the diff to decide on."""
        self.ensure_one()
        if self.approval == "approved" and self.company_id.plm_bom_auto_apply:
            if self.previous_bom_id:
                self._plm_compute_diff()
            self._plm_apply()
        else:
            self._plm_compute_diff()
            self._plm_emit("pending_approval")

    def _plm_supersede_pending(self):
        """Earlier releases of the item still waiting for approval are
        replaced by this one."""
        self.ensure_one()
        waiting = self.search(
            [
                ("product_tmpl_id", "=", self.product_tmpl_id.id),
                ("company_id", "=", self.company_id.id),
                ("state", "=", "pending"),
                ("id", "!=", self.id),
            ]
        )
        for release in waiting:
            reason = self.env._(
                "Replaced by revision %(revision)s before it was approved.",
                revision=self.revision,
            )
            release.write({"state": "superseded", "reason": reason})
            release._plm_emit("superseded", reason=reason)

    def _plm_again(self, data, event):
        """The result of a revision received again: a duplicate, unless it
        was waiting for approval in Odoo and now comes approved from the PLM
        (then it is applied, when the company applies approved releases)."""
        self.ensure_one()
        if not (
            self.state == "pending"
            and data["approval"] == "approved"
            and self.company_id.plm_bom_auto_apply
        ):
            return self._plm_result(status="duplicate")
        self.approval = "approved"
        self._plm_apply()
        event._link_records(self, self.bom_id)
        return self._plm_result()

    def _plm_result(self, status=None):
        self.ensure_one()
        return {
            "item": self.item,
            "revision": self.revision,
            "status": status or self._plm_status(),
            "release": self.id,
            "bom": self.bom_id.id or None,
            "added": self.added_count,
            "removed": self.removed_count,
            "changed": self.changed_count,
        }

    def _plm_status(self):
        """The state as mfg.bom.applied.v1 names it."""
        return {"pending": "pending_approval"}.get(self.state, self.state)
