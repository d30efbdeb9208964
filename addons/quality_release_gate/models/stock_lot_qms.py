# Copyright 2026 Mfg Integration Suite Authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models

from odoo.addons.integration_log.exceptions import IntegrationNotFoundError

from .quality_release_rule import INSPECTION_REASONS

INSPECTION_REQUESTED_TYPE = "mfg.inspection.requested.v1"
OPEN_INSPECTION_STATES = ("plan", "draft", "ready", "waiting")


class StockLot(models.Model):
    """The QMS loop of protocol v1, 6.2: inspections requested from the QMS,
    and its results and decisions applied to lots."""

    # Split by concern on purpose: the fields live in stock_lot.py.
    # pylint: disable=consider-merging-classes-inherited
    _inherit = "stock.lot"

    # ------------------------------------------------------------------
    # Outbound: a lot needs inspection
    # ------------------------------------------------------------------
    def _quality_enter(self, origin, document, quantities):
        """The lots entered the company (received, produced, returned) and
        their rule asks for a release: pending, and inspection requested."""
        labels = dict(INSPECTION_REASONS)
        reason = self.env._(
            "%(origin)s (%(document)s): waits for its release.",
            origin=labels[origin],
            document=document,
        )
        actor = self._quality_actor(origin=document)
        # A rejection stands: a rejected lot that comes back stays rejected.
        rejected = self.filtered(lambda lot: lot.quality_decision == "rejected")
        rejected._quality_note("entry", reason, actor)
        waiting = self - rejected
        waiting._quality_set_pending(origin, reason, actor, action="entry")
        return waiting._quality_request_inspections(origin, quantities, document)

    def action_quality_request_inspection(self):
        """Open the decision wizard to ask the QMS for an inspection."""
        return self.env["quality.lot.decision.wizard"]._open_for(self, "pending")

    def _quality_request_inspections(self, reason, quantities, origin):
        """Create a ``qc.inspection`` per lot and ask the QMS for it
        (``mfg.inspection.requested.v1``).

        :param reason: receipt, production, return or manual.
        :param quantities: ``{lot id: quantity in the product's unit}``.
        :param origin: the document that brought the lots in, or who asked.
        """
        Inspection = self.env["qc.inspection"]
        Rule = self.env["quality.release.rule"]
        vals_list = [
            Inspection._quality_request_vals(
                lot,
                Rule._rule_for(lot.product_id, lot.company_id or self.env.company),
                reason,
                quantities.get(lot.id, 0.0),
                origin,
            )
            for lot in self
        ]
        # sudo: the inspection mirrors the request the receipt, the
        # production or a quality user triggers; they need no rights on
        # inspections for it.
        inspections = Inspection.sudo().create(vals_list)
        kit = self.env["integration.resolver"]
        UomCode = self.env["integration.uom.code"]
        self.env["integration.event"]._emit_outbound_many(
            [
                {
                    "type": INSPECTION_REQUESTED_TYPE,
                    "subject": inspection.lot_id.name,
                    "data": {
                        "lot": inspection.lot_id.name,
                        "product": kit._product_reference(inspection.product_id),
                        "quantity": inspection.qty,
                        "uom": UomCode._code_of(inspection.product_id.uom_id),
                        "reason": reason,
                        "origin": (origin or "")[:256],
                        "inspection": inspection.name,
                    },
                    "records": [inspection.lot_id, inspection],
                }
                for inspection in inspections
            ]
        )
        return inspections.with_env(self.env)

    # ------------------------------------------------------------------
    # Inbound handlers (run as the client's technical user)
    # ------------------------------------------------------------------
    @api.model
    def _integration_handle_inspection_recorded(self, event):
        data = event._get_data()
        kit = self.env["integration.resolver"]
        lot = self._quality_event_lot(data)
        inspection = lot._quality_inspection_for(data.get("inspection"))
        recorded_at = kit._time(data["recorded_at"])
        inspection._quality_record(data, event.client_id, recorded_at)
        actor = self._quality_actor(
            event=event, origin=inspection.name, time=recorded_at
        )
        lot._quality_apply_result(data["result"], inspection, actor)
        event._link_records(lot, inspection)
        return {
            "lot": lot.name,
            "inspection": inspection.name,
            "result": data["result"],
            "disposition": lot.quality_disposition,
        }

    @api.model
    def _integration_handle_disposition_changed(self, event):
        data = event._get_data()
        kit = self.env["integration.resolver"]
        lot = self._quality_event_lot(data)
        actor = self._quality_actor(
            event=event, origin=data["decided_by"], time=kit._time(data["decided_at"])
        )
        lot._quality_apply_decision(data["disposition"], data["reason"], actor)
        event._link_records(lot)
        return {
            "lot": lot.name,
            "disposition": lot.quality_disposition,
            "holds": lot.quality_hold_ids.filtered(
                lambda h: h.state == "active"
            ).mapped("display_name"),
        }

    @api.model
    def _quality_event_lot(self, data):
        kit = self.env["integration.resolver"]
        product = kit._product(data["product"], "/data/product")
        return kit._lot(product, data["lot"], "/data/lot", self.env.company)

    def _quality_inspection_for(self, name):
        """The inspection a result is about: the one named, else the lot's
        latest open one, else a new one (a QMS may inspect unasked)."""
        self.ensure_one()
        Inspection = self.env["qc.inspection"]
        domain = [("lot_id", "=", self.id)]
        if name:
            inspection = Inspection.search(domain + [("name", "=", name)], limit=1)
            if not inspection:
                raise IntegrationNotFoundError(
                    "/data/inspection",
                    self.env._(
                        "no inspection %(inspection)r of lot %(lot)s is known.",
                        inspection=name,
                        lot=self.name,
                    ),
                    name,
                )
            return inspection
        inspection = Inspection.search(
            domain + [("state", "in", OPEN_INSPECTION_STATES)],
            order="id desc",
            limit=1,
        )
        if inspection:
            return inspection
        return self._quality_request_inspections(
            "manual", {self.id: self.product_qty}, self.env.user.name
        )

    def _quality_apply_result(self, result, inspection, actor):
        """Release, reject or hold the lot as its rule says for ``result``."""
        self.ensure_one()
        company = self.company_id or self.env.company
        rule = self.env["quality.release.rule"]._rule_for(self.product_id, company)
        reason = self.env._(
            "Inspection %(inspection)s: %(result)s",
            inspection=inspection.name,
            result=dict(inspection._fields["quality_result"].selection)[result],
        )
        if result == "pass":
            if (rule.pass_action or "release") == "release":
                return self._quality_decide("released", reason, actor, "inspection")
            return self._quality_note("inspection", reason, actor)
        if (rule.fail_action or "reject") == "hold":
            return self._quality_place_holds(
                "qms", reason, actor, reference=inspection.name
            )
        return self._quality_decide("rejected", reason, actor, "inspection")

    def _quality_apply_decision(self, disposition, reason, actor):
        """A QMS decision: a hold of its own, or a decision that also lifts
        the QMS holds this system placed (never another source's)."""
        self.ensure_one()
        client = actor["client"]
        if disposition == "hold":
            return self._quality_place_holds(
                "qms", reason, actor, reference=client.name or False
            )
        own = self.quality_hold_ids.filtered(
            lambda h: (
                h.state == "active"
                and h.source == "qms"
                and (not h.client_id or h.client_id == client)
            )
        )
        # One announcement for the whole decision, from the dispositions
        # before it.
        before = self._quality_dispositions()
        own._lift(reason or disposition, dict(actor, announce=False))
        return self._quality_decide(disposition, reason, actor, before=before)
