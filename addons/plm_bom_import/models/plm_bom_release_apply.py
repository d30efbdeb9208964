# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import Command, fields, models
from odoo.exceptions import UserError

DEFAULT_CHUNK_SIZE = 1000


class PlmBomRelease(models.Model):
    """Applying a release: its BOM is created inactive, its lines added (in
    chunks by queue jobs for a large BOM, with the progress on the release),
    and only then activated, superseding the revisions it replaces, in one
    transaction: a revision is applied whole or not at all, and an
    unfinished BOM is never picked."""

    # Split by concern on purpose: the record lives in plm_bom_release.py.
    # pylint: disable=consider-merging-classes-inherited
    _inherit = "plm.bom.release"

    def _plm_chunk_size(self):
        value = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("plm_bom_import.chunk_size", DEFAULT_CHUNK_SIZE)
        )
        try:
            return max(int(value), 1)
        except ValueError:
            return DEFAULT_CHUNK_SIZE

    def _plm_apply(self):
        """Create the BOM and add its lines: at once for a small BOM, by
        queue jobs of ``plm_bom_import.chunk_size`` lines for a large one."""
        self.ensure_one()
        self._plm_recheck()
        bom = (
            self.env["mrp.bom"]
            .with_context(tracking_disable=True, mail_create_nolog=True)
            .create(self._plm_bom_vals())
        )
        self.write({"bom_id": bom.id, "state": "importing", "lines_done": 0})
        if self.line_count > self._plm_chunk_size():
            self._plm_enqueue_chunk()
            return
        self._plm_import_lines(self.line_count)
        self._plm_activate()

    def _plm_bom_vals(self):
        return {
            "product_tmpl_id": self.product_tmpl_id.id,
            "product_id": self.product_id.id,
            "product_qty": self.quantity,
            # Always explicit: Odoo's default is the first unit by id.
            "product_uom_id": self.uom_id.id,
            "type": "normal",
            "code": self.revision,
            "active": False,
            "company_id": self.company_id.id,
            "plm_revision": self.revision,
            "plm_change_order": self.change_order,
            "plm_effective_from": self.effective_from,
            "plm_effective_to": self.effective_to,
            "plm_source": self.source,
            "plm_id": self.plm_id,
            "plm_release_id": self.id,
            "operation_ids": self._plm_operations(),
        }

    def _plm_operations(self):
        """The operations of the revision replaced, carried over: protocol
        v1 releases components, the routing is the plant's."""
        vals_list = self.previous_bom_id.operation_ids.copy_data()
        for vals in vals_list:
            for name in (
                "bom_id",
                "blocked_by_operation_ids",
                "needed_by_operation_ids",
                "bom_product_template_attribute_value_ids",
            ):
                vals.pop(name, None)
        return [Command.create(vals) for vals in vals_list]

    def _plm_recheck(self):
        """Before a release decided on later is applied: its components
        still exist and still make no cycle."""
        lines = self._plm_lines()
        ids = {line["product_id"] for line in lines}
        exist = self.env["product.product"].browse(ids).exists()
        errors = []
        if len(exist) < len(ids):
            raise UserError(
                self.env._(
                    "BOM release %(release)s names components that no longer "
                    "exist; reject it and ask the PLM for a new revision.",
                    release=self.display_name,
                )
            )
        product = self.product_id or self.product_tmpl_id.product_variant_id
        self._plm_check_cycles(product, lines, errors)
        if errors:
            raise UserError(errors[0].message)

    def _plm_enqueue_chunk(self):
        self.with_delay(
            description=self.env._(
                "Import BOM %(release)s: lines from %(start)s of %(count)s",
                release=self.display_name,
                start=self.lines_done + 1,
                count=self.line_count,
            ),
            identity_key=f"plm_bom_release:{self.id}:{self.lines_done}",
        )._job_import_chunk()

    def _job_import_chunk(self):
        """Queue job: add the next chunk of lines; the last one activates."""
        self.ensure_one()
        if self.state != "importing":
            return f"nothing to import: the release is {self.state}"
        end = min(self.lines_done + self._plm_chunk_size(), self.line_count)
        self._plm_import_lines(end)
        if end < self.line_count:
            self._plm_enqueue_chunk()
            return f"{end} of {self.line_count} lines imported"
        self._plm_activate()
        return f"{self.line_count} lines imported; the BOM is applied"

    def _plm_import_lines(self, end):
        lines = self._plm_lines()[self.lines_done : end]
        self.env["mrp.bom.line"].with_context(tracking_disable=True).create(
            [
                {
                    "bom_id": self.bom_id.id,
                    "product_id": line["product_id"],
                    "product_qty": line["quantity"],
                    "product_uom_id": line["uom_id"],
                    "sequence": line["sequence"],
                    "plm_position": line["position"],
                    "plm_designators": " ".join(line["designators"]) or False,
                }
                for line in lines
            ]
        )
        self.lines_done = end

    def _plm_activate(self):
        """The BOM becomes the item's from its effective date; the revisions
        it replaces end there, and open orders on them are flagged."""
        # Cycles were checked by the release (_plm_check, _plm_recheck).
        bom = self.bom_id.with_context(plm_bom_cycles_checked=True)
        superseded = self._plm_supersede_boms(bom)
        bom.active = True
        self.write({"state": "applied", "lines_done": self.line_count})
        self._plm_emit("applied")
        for old in superseded.filtered("plm_revision"):
            self._plm_emit(
                "superseded",
                reason=self.env._(
                    "Superseded by revision %(revision)s from %(date)s.",
                    revision=self.revision,
                    date=self.env["integration.resolver"]._iso(self.effective_from),
                ),
                bom=old,
            )
        self.env["mrp.production"]._plm_on_superseded(superseded, bom)

    def _plm_supersede_boms(self, bom):
        """End the BOMs of the same product that this revision replaces at
        its effective date; archive those already ended (kept, readable)."""
        start, now = bom.plm_effective_from, fields.Datetime.now()
        olds = bom.search(
            self._plm_scope_domain()
            + [
                ("id", "!=", bom.id),
                "|",
                ("plm_effective_to", "=", False),
                ("plm_effective_to", ">", start),
            ]
        )
        for old in olds:
            vals = {"plm_effective_to": start, "plm_superseded_by_id": bom.id}
            if start <= now or (
                old.plm_effective_from and old.plm_effective_from >= start
            ):
                vals["active"] = False
            old.write(vals)
        return olds

    def _plm_scope_domain(self):
        """The BOMs that stand for the same product as this release's."""
        return [
            ("product_tmpl_id", "=", self.product_tmpl_id.id),
            ("product_id", "=", self.product_id.id),
            ("type", "=", "normal"),
            ("company_id", "in", (self.company_id.id, False)),
        ]

    def _plm_previous_bom(self):
        """The latest revision in place: the one this release replaces."""
        return self.env["mrp.bom"].search(
            self._plm_scope_domain(),
            order="plm_effective_from desc nulls last, id desc",
            limit=1,
        )

    def _plm_fail(self, reason):
        """End an import that cannot finish: the unused BOM goes, the PLM
        learns why."""
        bom = self.bom_id
        self.write({"state": "failed", "reason": reason, "bom_id": False})
        if bom and not bom.active:
            bom.unlink()
        self._plm_emit("rejected", reason=reason)
