# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class IntegrationLogVerification(models.TransientModel):
    """Runs the verification of the integration log chain and shows it."""

    _name = "integration.log.verification"
    _description = "Integration Log Verification"

    result = fields.Selection(
        [("ok", "The chain holds"), ("broken", "The chain is broken")],
        readonly=True,
    )
    checked = fields.Integer("Entries Checked", readonly=True)
    unsealed = fields.Integer(
        "Not Yet Sealed",
        readonly=True,
        help="Recent entries that have no place in the chain yet; they are "
        "sealed within a minute.",
    )
    purged = fields.Integer(
        "Purged by Retention",
        readonly=True,
        help="Old entries deleted by the retention policy; the chain is verified "
        "from the checkpoint that keeps the hash of the last one.",
    )
    broken_entry_id = fields.Many2one(
        "integration.log.entry", "First Broken Entry", readonly=True
    )
    broken_position = fields.Integer(readonly=True)
    reason = fields.Char(readonly=True)

    def action_verify(self):
        self.ensure_one()
        result = self.env["integration.log.entry"].sudo()._verify_chain()
        self.write(
            {
                "result": "ok" if result["ok"] else "broken",
                "checked": result["checked"],
                "unsealed": result["unsealed"],
                "purged": result["purged"],
                "broken_entry_id": result.get("entry_id") or False,
                "broken_position": result.get("chain_seq") or 0,
                "reason": result.get("reason") or False,
            }
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }
