# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class MrpTraceGenealogyWizard(models.TransientModel):
    """The genealogy of a lot, both ways, with its exports."""

    _name = "mrp.trace.genealogy.wizard"
    _description = "Lot Genealogy"

    lot_id = fields.Many2one("stock.lot", required=True, readonly=True)
    direction = fields.Selection(
        [("both", "Both ways"), ("backward", "Backward"), ("forward", "Forward")],
        default="both",
        required=True,
    )
    line_ids = fields.One2many("mrp.trace.line", "genealogy_id", readonly=True)
    lot_count = fields.Integer(readonly=True)
    production_count = fields.Integer(readonly=True)
    customer_count = fields.Integer(readonly=True)

    def action_refresh(self):
        self.ensure_one()
        trace = self.env["mrp.trace.genealogy"]._trace(self.lot_id, self.direction)
        Line = self.env["mrp.trace.line"]
        units = {(node["product"], node["lot"]): node["uom"] for node in trace["nodes"]}
        dates = {p["production"]: p["date"] for p in trace["productions"]}
        lines = [Line._edge_vals(edge, units, dates) for edge in trace["edges"]]
        lines += [Line._vals_of("receipt", item) for item in trace["receipts"]]
        lines += [Line._vals_of("shipment", item) for item in trace["shipments"]]
        self.line_ids.unlink()
        self.write(
            {
                "line_ids": Line._commands(lines),
                "lot_count": len(trace["nodes"]),
                "production_count": len(trace["productions"]),
                "customer_count": len({s["customer"] for s in trace["shipments"]}),
            }
        )
        return self._open()

    def action_download(self):
        self.ensure_one()
        fmt = self.env.context.get("export_format", "json")
        return {
            "type": "ir.actions.act_url",
            "url": f"/mrp_trace_sync/lot/{self.lot_id.id}/trace"
            f"?direction={self.direction}&format={fmt}"
            f"&cids={self.env['mrp.trace.genealogy']._cids()}",
            "target": "new",
        }

    def _open(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Genealogy of %(lot)s", lot=self.lot_id.display_name),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "context": {"dialog_size": "extra-large"},
        }
