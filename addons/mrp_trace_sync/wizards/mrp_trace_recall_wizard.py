# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class MrpTraceRecallWizard(models.TransientModel):
    """A recall of a lot: the lots made from it, their stock, shipments and
    customers, with the FSMA 204 exports."""

    _name = "mrp.trace.recall.wizard"
    _description = "Lot Recall"

    lot_id = fields.Many2one("stock.lot", required=True)
    line_ids = fields.One2many("mrp.trace.line", "recall_id", readonly=True)
    lot_count = fields.Integer("Affected Lots", readonly=True)
    stock_summary = fields.Char(
        "Still in Stock",
        readonly=True,
        help="Quantities of the affected lots still in stock, totalled per unit.",
    )
    shipment_count = fields.Integer("Shipments", readonly=True)
    customer_count = fields.Integer("Customers", readonly=True)

    def action_refresh(self):
        self.ensure_one()
        recall = self.env["mrp.trace.genealogy"]._recall(self.lot_id)
        Line = self.env["mrp.trace.line"]
        lines = [Line._vals_of("lot", item) for item in recall["lots"]]
        lines += [Line._vals_of("stock", item) for item in recall["stock"]]
        lines += [Line._vals_of("shipment", item) for item in recall["shipments"]]
        self.line_ids.unlink()
        self.write(
            {
                "line_ids": Line._commands(lines),
                "lot_count": len(recall["lots"]),
                "stock_summary": _per_unit(recall["stock"]),
                "shipment_count": len({s["shipment"] for s in recall["shipments"]}),
                "customer_count": len(recall["customers"]),
            }
        )
        return self._open()

    def action_download(self):
        self.ensure_one()
        fmt = self.env.context.get("export_format", "csv")
        return {
            "type": "ir.actions.act_url",
            "url": f"/mrp_trace_sync/lot/{self.lot_id.id}/recall?format={fmt}"
            f"&cids={self.env['mrp.trace.genealogy']._cids()}",
            "target": "new",
        }

    def _open(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Recall of %(lot)s", lot=self.lot_id.display_name),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "context": {"dialog_size": "extra-large"},
        }


def _per_unit(stock):
    """``7.5 KGM, 12 C62``: stock quantities are only added within a unit."""
    totals = {}
    for item in stock:
        totals[item["uom"]] = totals.get(item["uom"], 0.0) + item["quantity"]
    return ", ".join(
        f"{quantity:.6f}".rstrip("0").rstrip(".") + f" {uom}"
        for uom, quantity in sorted(totals.items())
    )
