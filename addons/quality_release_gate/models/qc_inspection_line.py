# Copyright 2026 Mfg Integration Suite Authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command, api, fields, models

from .qc_inspection import RESULTS


class QcInspectionLine(models.Model):
    """A measurement reported by the QMS: its value as sent, and its result
    as the QMS judged it (OCA computes success from the test's bounds,
    which a QMS measurement may not have)."""

    _inherit = "qc.inspection.line"

    quality_value = fields.Char("Reported Value", readonly=True)
    quality_result = fields.Selection(RESULTS, "QMS Result", readonly=True)

    @api.depends(
        "question_type",
        "uom_id",
        "test_uom_id",
        "max_value",
        "min_value",
        "quantitative_value",
        "qualitative_value",
        "possible_ql_values",
        "quality_result",
    )
    def _compute_quality_test_check(self):
        reported = self.filtered("quality_result")
        result = super(QcInspectionLine, self - reported)._compute_quality_test_check()
        for line in reported:
            line.success = line.quality_result == "pass"
        return result

    @api.model
    def _quality_measurement_commands(self, inspection, measurements, client):
        """Commands that write ``measurements`` on the inspection: a line of
        its test with the same question, else a new line."""
        by_name = {line.name: line for line in inspection.inspection_lines}
        commands = []
        for index, item in enumerate(measurements):
            vals = self._quality_measurement_vals(
                item, client, f"/data/measurements/{index}/uom"
            )
            line = by_name.get(item["characteristic"])
            if line:
                commands.append(Command.update(line.id, vals))
            else:
                commands.append(Command.create(vals))
        return commands

    @api.model
    def _quality_measurement_vals(self, item, client, uom_pointer):
        value = item["value"]
        numeric = isinstance(value, int | float)
        vals = {
            "name": item["characteristic"],
            "quality_value": str(value),
            "quality_result": item["result"],
            "question_type": "quantitative" if numeric else "qualitative",
        }
        if numeric:
            vals["quantitative_value"] = value
        if "lower" in item:
            vals["min_value"] = item["lower"]
        if "upper" in item:
            vals["max_value"] = item["upper"]
        if item.get("uom"):
            uom = self.env["integration.uom.code"]._resolve(
                item["uom"], client, uom_pointer
            )
            vals.update(uom_id=uom.id, test_uom_id=uom.id)
        return vals
