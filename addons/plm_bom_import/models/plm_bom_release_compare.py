# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models
from odoo.tools import float_round

from ..plm import diff


class PlmBomRelease(models.Model):
    """The diff of a release against the revision it replaces, matched by
    position then by component (see ``plm/diff.py``), stored as lines the
    form highlights."""

    # Split by concern on purpose: the record lives in plm_bom_release.py.
    # pylint: disable=consider-merging-classes-inherited
    _inherit = "plm.bom.release"

    def _plm_compute_diff(self):
        self.ensure_one()
        digits = self.env["decimal.precision"].precision_get("Product Unit of Measure")
        old = [
            {
                "product": line.product_id.id,
                "quantity": line.product_qty,
                "uom": line.product_uom_id.id,
                "position": line.plm_position or None,
                "designators": (line.plm_designators or "").split(),
            }
            for line in self.previous_bom_id.bom_line_ids.sorted("sequence")
        ]
        new = [
            {
                "product": line["product_id"],
                "quantity": float_round(line["quantity"], precision_digits=digits),
                "uom": line["uom_id"],
                "position": line["position"],
                "designators": line["designators"],
            }
            for line in self._plm_lines()
        ]
        changes = diff.diff(old, new, digits=digits)
        self.diff_ids.unlink()
        self.env["plm.bom.release.diff"].create(
            [self._plm_diff_vals(index, change) for index, change in enumerate(changes)]
        )
        count = {kind: 0 for kind in (diff.ADDED, diff.REMOVED, diff.CHANGED)}
        for change in changes:
            count[change["kind"]] += 1
        self.write(
            {
                "added_count": count[diff.ADDED],
                "removed_count": count[diff.REMOVED],
                "changed_count": count[diff.CHANGED],
            }
        )

    def _plm_diff_vals(self, index, change):
        old, new = change["old"] or {}, change["new"] or {}
        shown = new or old
        vals = {
            "release_id": self.id,
            "sequence": index,
            "kind": change["kind"],
            "position": shown.get("position"),
            "product_id": shown.get("product"),
            "quantity": shown.get("quantity"),
            "uom_id": shown.get("uom"),
            "designators": " ".join(shown.get("designators") or []) or False,
        }
        if change["kind"] == diff.CHANGED:
            vals.update(
                old_position=old.get("position"),
                old_product_id=old.get("product"),
                old_quantity=old.get("quantity"),
                old_uom_id=old.get("uom"),
                old_designators=" ".join(old.get("designators") or []) or False,
                summary=self._plm_diff_summary(old, new, change["changes"]),
                **{f"{name}_changed": True for name in change["changes"]},
            )
        return vals

    def _plm_diff_summary(self, old, new, names):
        """``quantity 2 → 3; designators R1 → R1 R2``: what changed."""
        Product, Uom = self.env["product.product"], self.env["uom.uom"]
        shown = {
            "product": lambda v: Product.browse(v).default_code or "",
            "uom": lambda v: Uom.browse(v).name if v else "",
            "designators": lambda v: " ".join(v or []) or "-",
            "position": lambda v: v or "-",
            "quantity": lambda v: f"{v:g}",
        }
        labels = {
            "product": self.env._("component"),
            "position": self.env._("position"),
            "quantity": self.env._("quantity"),
            "uom": self.env._("unit"),
            "designators": self.env._("designators"),
        }
        return "; ".join(
            f"{labels[n]} {shown[n](old.get(n))} → {shown[n](new.get(n))}"
            for n in names
        )
