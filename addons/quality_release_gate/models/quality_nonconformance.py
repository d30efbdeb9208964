# Copyright 2026 Mfg Integration Suite Authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

from odoo.addons.integration_log.exceptions import (
    IntegrationNotFoundError,
    IntegrationPointerError,
)

SEVERITIES = [("minor", "Minor"), ("major", "Major"), ("critical", "Critical")]


class QualityNonconformance(models.Model):
    """A nonconformance report (NCR) of the QMS, as Odoo knows it: the lots
    it holds, from its opening to its closing (protocol v1, 6.2)."""

    _name = "quality.nonconformance"
    _inherit = ["integration.consumer.mixin"]
    _description = "Nonconformance"
    _order = "opened_at desc, id desc"

    name = fields.Char("NCR", required=True, readonly=True, index=True)
    severity = fields.Selection(SEVERITIES, readonly=True)
    description = fields.Text(readonly=True)
    opened_at = fields.Datetime(readonly=True)
    closed_at = fields.Datetime(readonly=True)
    resolution = fields.Text(readonly=True)
    state = fields.Selection(
        [("open", "Open"), ("closed", "Closed")],
        default="open",
        required=True,
        readonly=True,
        index=True,
    )
    client_id = fields.Many2one(
        "integration.client", "Reported by", readonly=True, ondelete="set null"
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        readonly=True,
        default=lambda self: self.env.company,
    )
    hold_ids = fields.One2many("quality.lot.hold", "nonconformance_id", readonly=True)
    lot_count = fields.Integer("Lots", compute="_compute_lot_count")

    _sql_constraints = [
        (
            "name_company_uniq",
            "unique(name, company_id)",
            "An NCR number is used once per company.",
        ),
    ]

    def _compute_lot_count(self):
        for ncr in self:
            ncr.lot_count = len(ncr.hold_ids.lot_id)

    def action_view_holds(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "quality_release_gate.quality_lot_hold_action"
        )
        action.update(domain=[("nonconformance_id", "=", self.id)], context={})
        return action

    # ------------------------------------------------------------------
    # Inbound handlers (run as the client's technical user)
    # ------------------------------------------------------------------
    @api.model
    def _integration_handle_opened(self, event):
        data = event._get_data()
        kit = self.env["integration.resolver"]
        lots = self._ncr_lots(data["lots"])
        ncr = self._ncr_find(data["ncr"])
        if ncr.state == "closed":
            raise IntegrationPointerError(
                "/data/ncr",
                self.env._(
                    "NCR %(ncr)r is closed; a new nonconformance needs a new number.",
                    ncr=ncr.name,
                ),
                ncr.name,
            )
        vals = {
            "severity": data["severity"],
            "description": data["description"],
            "opened_at": kit._time(data["opened_at"]),
        }
        if ncr:
            # sudo: NCRs change through their events only (no user access).
            ncr.sudo().write(vals)
        else:
            ncr = self.sudo().create(
                dict(vals, name=data["ncr"], client_id=event.client_id.id)
            )
        actor = self.env["stock.lot"]._quality_actor(
            event=event, origin=ncr.name, time=vals["opened_at"]
        )
        already = ncr.hold_ids.filtered(lambda h: h.state == "active").lot_id
        (lots - already)._quality_place_holds(
            "ncr",
            f"{dict(SEVERITIES)[data['severity']]}: {data['description']}",
            actor,
            reference=ncr.name,
            nonconformance=ncr,
        )
        event._link_records(ncr, lots)
        return ncr._ncr_result(lots)

    @api.model
    def _integration_handle_closed(self, event):
        data = event._get_data()
        kit = self.env["integration.resolver"]
        ncr = self._ncr_find(data["ncr"])
        if not ncr:
            raise IntegrationNotFoundError(
                "/data/ncr",
                self.env._("no open NCR %(ncr)r is known.", ncr=data["ncr"]),
                data["ncr"],
            )
        closed_at = kit._time(data["closed_at"])
        actor = self.env["stock.lot"]._quality_actor(
            event=event, origin=ncr.name, time=closed_at
        )
        lots = ncr.hold_ids.lot_id
        ncr.hold_ids._lift(data["resolution"] or ncr.name, actor)
        # sudo: NCRs change through their events only (no user access).
        ncr.sudo().write(
            {
                "state": "closed",
                "closed_at": closed_at,
                "resolution": data["resolution"],
            }
        )
        event._link_records(ncr, lots)
        return ncr._ncr_result(lots)

    def _ncr_find(self, name):
        return self.search(
            [("name", "=", name), ("company_id", "=", self.env.company.id)], limit=1
        )

    @api.model
    def _ncr_lots(self, items):
        """The lots of an NCR's ``lots``, each resolved with the kit."""
        kit = self.env["integration.resolver"]
        lots = self.env["stock.lot"]
        for index, item in enumerate(items):
            pointer = f"/data/lots/{index}"
            product = kit._product(item["product"], f"{pointer}/product")
            lots |= kit._lot(product, item["lot"], f"{pointer}/lot", self.env.company)
        return lots

    def _ncr_result(self, lots):
        self.ensure_one()
        return {
            "ncr": self.name,
            "state": self.state,
            "lots": [
                {"lot": lot.name, "disposition": lot.quality_disposition}
                for lot in lots
            ],
        }
