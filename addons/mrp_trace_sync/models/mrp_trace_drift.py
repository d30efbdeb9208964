# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import api, fields, models

DRIFT_KINDS = [
    ("not_started", "Released, never started by the MES"),
    ("not_closed", "Completed by the MES, still open in Odoo"),
    ("quantity", "Produced quantity differs from the MES report"),
    ("consumption", "Consumption differs from the BoM"),
]


class MrpTraceDrift(models.Model):
    """A difference between what the MES reported and what Odoo holds."""

    _name = "mrp.trace.drift"
    _description = "MES Reconciliation Drift"
    _order = "detected_at desc, id desc"
    _rec_name = "production_id"

    production_id = fields.Many2one(
        "mrp.production", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="production_id.company_id", store=True)
    kind = fields.Selection(DRIFT_KINDS, required=True)
    detail = fields.Char(required=True)
    detected_at = fields.Datetime(required=True, default=fields.Datetime.now)
    resolved = fields.Boolean(
        help="Set when a later reconciliation no longer finds the difference."
    )

    def action_open_production(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "mrp.production",
            "res_id": self.production_id.id,
            "view_mode": "form",
        }

    @api.model
    def _cron_reconcile(self):
        return self.action_reconcile()

    @api.model
    def action_reconcile(self):
        """Compare MES reports with Odoo; open drifts are replaced by the
        current findings, fixed ones are marked resolved."""
        findings = self._find_drifts()
        open_drifts = self.search([("resolved", "=", False)])
        current = {(d.production_id.id, d.kind): d for d in open_drifts}
        found_keys = {(vals["production_id"], vals["kind"]) for vals in findings}
        (
            open_drifts.filtered(
                lambda d: (d.production_id.id, d.kind) not in found_keys
            )
        ).write({"resolved": True})
        for vals in findings:
            drift = current.get((vals["production_id"], vals["kind"]))
            if drift:
                drift.detail = vals["detail"]
        self.create(
            [
                vals
                for vals in findings
                if (vals["production_id"], vals["kind"]) not in current
            ]
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("MES Reconciliation"),
            "res_model": self._name,
            "view_mode": "list,form",
            "domain": [("resolved", "=", False)],
        }

    def _find_drifts(self):
        params = self.env["ir.config_parameter"].sudo()
        hours = int(params.get_param("mrp_trace_sync.start_alert_hours", "8") or 8)
        tolerance = float(
            params.get_param("mrp_trace_sync.consumption_tolerance_percent", "5") or 5
        )
        Production = self.env["mrp.production"]
        findings = []
        late = Production.search(
            [
                ("mes_status", "=", "released"),
                ("state", "in", ("confirmed", "progress", "to_close")),
                (
                    "mes_released_at",
                    "<",
                    fields.Datetime.now() - timedelta(hours=hours),
                ),
            ]
        )
        for production in late:
            findings.append(
                self._finding(
                    production,
                    "not_started",
                    self.env._(
                        "Released %(date)s; the MES has not started it after "
                        "%(hours)s h.",
                        date=production.mes_released_at,
                        hours=hours,
                    ),
                )
            )
        completed = Production.search([("mes_status", "=", "completed")])
        for production in completed:
            findings += production._reconcile_completed(self, tolerance)
        return findings

    def _finding(self, production, kind, detail):
        return {"production_id": production.id, "kind": kind, "detail": detail}
