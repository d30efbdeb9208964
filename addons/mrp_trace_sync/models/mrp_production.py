# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.tools import SQL

MES_STATUSES = [
    ("not_released", "Not released"),
    ("released", "Released to MES"),
    ("started", "Started by MES"),
    ("completed", "Completed by MES"),
]
OPEN_STATES = ("confirmed", "progress", "to_close")
RELEASED_TYPE = "mfg.production.released.v1"
# A change of these fields before the MES starts the order sends it again.
RELEASE_FIELDS = ("product_qty", "date_start", "date_finished")


class MrpProduction(models.Model):
    """Manufacturing orders released to the MES (outbound); the MES's reports
    are applied by ``mrp_production_mes_handlers.py`` and posted through
    Odoo's own flow by ``mrp_production_mes_posting.py``."""

    _name = "mrp.production"
    _inherit = ["mrp.production", "integration.consumer.mixin"]

    mes_status = fields.Selection(
        MES_STATUSES,
        "MES Status",
        default="not_released",
        copy=False,
        tracking=True,
        index=True,
    )
    mes_released_at = fields.Datetime("Released to MES", copy=False, readonly=True)
    mes_started_at = fields.Datetime("Started by MES", copy=False, readonly=True)
    mes_completed_at = fields.Datetime("Completed by MES", copy=False, readonly=True)
    mes_workcenter = fields.Char("MES Work Center", copy=False, readonly=True)

    @api.model
    def _mes_unacknowledged(self):
        """Orders released to the MES that it has not started: how many, and
        the age in seconds of the oldest."""
        self.flush_model(["mes_status", "mes_released_at", "state"])
        self.env.cr.execute(
            SQL(
                """
                SELECT count(*),
                    coalesce(extract(epoch FROM %s - min(mes_released_at)), 0)
                FROM mrp_production
                WHERE mes_status = 'released' AND state IN %s
                """,
                fields.Datetime.now(),
                OPEN_STATES,
            )
        )
        count, age = self.env.cr.fetchone()
        return count, float(age)

    # ------------------------------------------------------------------
    # Outbound: released to the shop floor
    # ------------------------------------------------------------------
    def action_confirm(self):
        result = super().action_confirm()
        self.filtered(lambda p: p.state in OPEN_STATES)._emit_released()
        return result

    def _split_productions(
        self, amounts=False, cancel_remaining_qty=False, set_consumed_qty=False
    ):
        productions = super()._split_productions(
            amounts=amounts,
            cancel_remaining_qty=cancel_remaining_qty,
            set_consumed_qty=set_consumed_qty,
        )
        if not self.env.context.get("mes_serial_split") and any(
            p.mes_status != "not_released" for p in self
        ):
            # A backorder of an order the MES knows is new work for the MES.
            (productions - self).filtered(
                lambda p: p.state in OPEN_STATES and p.mes_status == "not_released"
            )._emit_released()
        return productions

    def write(self, vals):
        result = super().write(vals)
        if not self.env.context.get("mes_serial_split") and any(
            name in vals for name in RELEASE_FIELDS
        ):
            self.filtered(
                lambda p: p.mes_status == "released" and p.state == "confirmed"
            )._emit_released()
        return result

    def _emit_released(self):
        """Tell the MES about these orders (again, with a new event id)."""
        if not self:
            return
        self.env["integration.event"]._emit_outbound_many(
            [
                {
                    "type": RELEASED_TYPE,
                    "subject": production.name,
                    "data": production._released_data(),
                    "records": production,
                }
                for production in self
            ]
        )
        # Bypass write(): this bookkeeping must not send the order again.
        super().write(
            {"mes_status": "released", "mes_released_at": fields.Datetime.now()}
        )

    def _released_data(self):
        self.ensure_one()
        UomCode = self.env["integration.uom.code"]
        kit = self.env["integration.resolver"]
        return {
            "production": self.name,
            "product": kit._product_reference(self.product_id),
            "product_name": self.product_id.name,
            "quantity": self.product_qty,
            "uom": UomCode._code_of(self.product_uom_id),
            "bom_revision": self.bom_id.code or None,
            "planned_start": kit._iso(self.date_start),
            "planned_finish": kit._iso(self.date_finished or self.date_start),
            "components": [
                {
                    "product": kit._product_reference(move.product_id),
                    "quantity": move.product_uom_qty,
                    "uom": UomCode._code_of(move.product_uom),
                    "tracking": move.product_id.tracking,
                }
                for move in self.move_raw_ids
                if move.state != "cancel"
            ],
        }
