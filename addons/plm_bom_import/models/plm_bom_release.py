# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

RELEASE_STATES = [
    ("pending", "Waiting for Approval"),
    ("importing", "Importing"),
    ("applied", "Applied"),
    ("rejected", "Rejected"),
    ("superseded", "Superseded"),
    ("failed", "Import Cancelled"),
]
APPROVER_GROUPS = ("mrp.group_mrp_manager", "plm_bom_import.group_plm_manager")
EVENT_APPLIED = "mfg.bom.applied.v1"


class PlmBomRelease(models.Model):
    """A BOM revision released by the PLM: the engineering change record.

    It keeps what the PLM sent (resolved), the diff against the revision it
    replaces, and what became of it: applied (at once, or after a manager's
    approval), rejected, or superseded by a later release. Applying it is in
    ``plm_bom_release_apply.py``, the checks of a release in
    ``plm_bom_release_check.py``, the inbound handler in
    ``plm_bom_release_handler.py``.
    """

    _name = "plm.bom.release"
    _inherit = ["mail.thread", "integration.consumer.mixin"]
    _description = "BOM Release"
    _order = "released_at desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    item = fields.Char(required=True, readonly=True, index=True)
    product_tmpl_id = fields.Many2one(
        "product.template", "Product", required=True, readonly=True, index=True
    )
    product_id = fields.Many2one("product.product", "Variant", readonly=True)
    revision = fields.Char(required=True, readonly=True)
    change_order = fields.Char(readonly=True)
    plm_id = fields.Char("PLM Identifier", readonly=True)
    effective_from = fields.Datetime(required=True, readonly=True)
    effective_to = fields.Datetime(readonly=True)
    quantity = fields.Float(readonly=True, digits="Product Unit of Measure")
    uom_id = fields.Many2one("uom.uom", "Unit", readonly=True)
    approval = fields.Selection(
        [("approved", "Approved"), ("pending", "Pending")],
        "Approval in the PLM",
        readonly=True,
    )
    state = fields.Selection(
        RELEASE_STATES, required=True, readonly=True, index=True, tracking=True
    )
    line_count = fields.Integer("Lines", readonly=True)
    lines_done = fields.Integer("Lines Imported", readonly=True)
    progress = fields.Float(compute="_compute_progress")
    lines_json = fields.Text(readonly=True, help="The resolved lines (JSON).")
    content_hash = fields.Char(readonly=True)
    previous_bom_id = fields.Many2one(
        "mrp.bom", "Replaces", readonly=True, help="The revision this one replaces."
    )
    bom_id = fields.Many2one("mrp.bom", "Bill of Materials", readonly=True)
    diff_ids = fields.One2many("plm.bom.release.diff", "release_id", "Changes")
    added_count = fields.Integer("Added", readonly=True)
    removed_count = fields.Integer("Removed", readonly=True)
    changed_count = fields.Integer("Changed", readonly=True)
    source = fields.Char(readonly=True, help="The PLM that released it.")
    client_id = fields.Many2one("integration.client", readonly=True)
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True
    )
    released_at = fields.Datetime(required=True, readonly=True)
    decided_by_id = fields.Many2one("res.users", readonly=True)
    decided_at = fields.Datetime(readonly=True)
    reason = fields.Text(readonly=True)

    @api.depends("item", "revision")
    def _compute_name(self):
        for release in self:
            release.name = f"{release.item} rev. {release.revision}"

    @api.depends("lines_done", "line_count")
    def _compute_progress(self):
        for release in self:
            total = release.line_count or 1
            release.progress = 100.0 * release.lines_done / total

    # ------------------------------------------------------------------
    # Decisions of a manager
    # ------------------------------------------------------------------
    def action_approve(self):
        self._plm_check_approver()
        for release in self:
            release._plm_check_state("pending")
            release.write(
                {
                    "decided_by_id": self.env.uid,
                    "decided_at": fields.Datetime.now(),
                }
            )
            release._plm_apply()
        return True

    def action_reject(self):
        """Open the wizard that asks for the reason."""
        self._plm_check_approver()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "plm_bom_import.plm_bom_release_reject_action"
        )
        action["context"] = {"active_ids": self.ids}
        return action

    def action_cancel_import(self):
        """Give up an import that cannot finish: its BOM, never used, goes."""
        self._plm_check_approver()
        for release in self:
            release._plm_check_state("importing")
            release._plm_fail(
                self.env._("Import cancelled by %(user)s.", user=self.env.user.name)
            )
        return True

    def _plm_reject(self, reason):
        self._plm_check_approver()
        for release in self:
            release._plm_check_state("pending")
            release.write(
                {
                    "state": "rejected",
                    "reason": reason,
                    "decided_by_id": self.env.uid,
                    "decided_at": fields.Datetime.now(),
                }
            )
            release._plm_emit("rejected", reason=reason)
        return True

    def _plm_check_approver(self):
        user = self.env.user
        if not any(user.has_group(group) for group in APPROVER_GROUPS):
            raise AccessError(
                self.env._(
                    "Only a Manufacturing Administrator or an Engineering Manager "
                    "may decide on BOM releases; %(user)s is neither.",
                    user=user.name,
                )
            )

    def _plm_check_state(self, expected):
        if self.state != expected:
            raise UserError(
                self.env._(
                    "BOM release %(release)s is %(state)s; it must be %(expected)s.",
                    release=self.display_name,
                    state=dict(RELEASE_STATES)[self.state],
                    expected=dict(RELEASE_STATES)[expected],
                )
            )

    # ------------------------------------------------------------------
    # What the release holds
    # ------------------------------------------------------------------
    def _plm_lines(self):
        """The resolved lines (dicts with product_id, quantity, uom_id,
        position, designators, sequence)."""
        return json.loads(self.lines_json or "[]")

    def _plm_emit(self, status, reason=None, bom=None):
        """Tell the PLM what became of a release (or, with ``bom``, of the
        revision that ``bom`` was)."""
        kit = self.env["integration.resolver"]
        if bom:
            revision, change_order = bom.plm_revision, bom.plm_change_order or None
            start, end, records = bom.plm_effective_from, bom.plm_effective_to, [bom]
        else:
            revision, change_order = self.revision, self.change_order or None
            start, end = self.effective_from, self.effective_to
            records = [self, self.bom_id]
        data = {
            "item": self.item,
            "revision": revision,
            "change_order": change_order,
            "status": status,
            "effective_from": kit._iso(start) if start else None,
            "effective_to": kit._iso(end) if end else None,
        }
        if reason:
            data["reason"] = reason
        self.env["integration.event"]._emit_outbound(
            EVENT_APPLIED, self.item, data, records=records
        )
