# Copyright 2026 Mfg Integration Suite Authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from .quality_lot_hold import INTEGRATION_MANAGER, QC_MANAGER, QC_USER

DISPOSITION_CHANGED_TYPE = "mfg.lot.disposition.changed.v1"
OVERRIDE_ACTIVITY = "quality_release_gate.mail_activity_release_override"


class StockLot(models.Model):
    """The disposition engine: every change of a lot's decision or holds
    goes through here, is written to the lot's history, and has its effects
    (reservations left, quarantine, the partners told when a person
    decided)."""

    # Split by concern on purpose: the fields live in stock_lot.py.
    # pylint: disable=consider-merging-classes-inherited
    _inherit = "stock.lot"

    @api.model
    def _quality_actor(self, event=None, origin=None, time=None, announce=False):
        """Who decides, when and from where: a person (``announce``: the
        partners are told), or a partner system through ``event`` (the other
        partners are told; that one is not told its own decision back)."""
        return {
            "user": self.env.user,
            "client": event.client_id if event else self.env["integration.client"],
            "event": event or self.env["integration.event"],
            "origin": origin or "",
            "time": time or fields.Datetime.now(),
            "announce": announce or bool(event),
        }

    def _quality_dispositions(self):
        return {lot.id: lot.quality_disposition for lot in self}

    # ------------------------------------------------------------------
    # Decisions
    # ------------------------------------------------------------------
    def _quality_decide(self, decision, reason, actor, action="decision", before=None):
        """Set the decision (released, rejected or pending) of the lots;
        returns their history entries.

        :param before: the dispositions the history shows before the change
            (default: the current ones).
        """
        if decision == "pending":
            return self._quality_set_pending(
                "manual", reason, actor, action, before=before
            )
        before = before or self._quality_dispositions()
        self._quality_write(
            {
                "quality_decision": decision,
                "quality_pending_since": False,
                "quality_release_deadline": False,
                "quality_pending_reason": False,
            }
        )
        return self._quality_after(before, reason, actor, action)

    def _quality_set_pending(self, origin, reason, actor, action="entry", before=None):
        """The lots need a release (again): pending from now, due after the
        SLA of their rule."""
        before = before or self._quality_dispositions()
        Rule = self.env["quality.release.rule"]
        for lot in self:
            company = lot.company_id or self.env.company
            hours = Rule._rule_for(lot.product_id, company)._sla_hours(company)
            lot._quality_write(
                {
                    "quality_decision": "pending",
                    "quality_pending_since": actor["time"],
                    "quality_release_deadline": actor["time"] + timedelta(hours=hours),
                    "quality_pending_reason": origin,
                }
            )
        return self._quality_after(before, reason, actor, action)

    def _quality_note(self, action, reason, actor):
        """History without a change: an inspection that passed on a lot
        waiting for a manager's release, for example."""
        return self._quality_after(self._quality_dispositions(), reason, actor, action)

    # ------------------------------------------------------------------
    # Holds
    # ------------------------------------------------------------------
    def _quality_place_holds(
        self,
        source,
        reason,
        actor,
        reference=False,
        nonconformance=None,
        propagate=False,
    ):
        """Put the lots on hold; with ``propagate``, also every lot made from
        them that is still in stock (each such hold is a child of the hold of
        the lot it was made from). Returns the holds of these lots."""
        Hold = self.env["quality.lot.hold"]
        if not self:
            return Hold
        made_from = self._quality_made_from() if propagate else {}
        targets = self.union(*made_from.values())
        before = targets._quality_dispositions()
        base = {
            "source": source,
            "reason": reason,
            "reference": reference,
            "nonconformance_id": nonconformance.id if nonconformance else False,
            "client_id": actor["client"].id,
            "placed_by_id": actor["user"].id,
            "placed_at": actor["time"],
        }
        # sudo: holds change through this engine only (users have read
        # access); the right to hold was checked at the entry point.
        holds = Hold.sudo().create([dict(base, lot_id=lot.id) for lot in self])
        children = Hold.sudo().create(
            [
                dict(base, lot_id=child.id, parent_id=hold.id)
                for hold in holds
                for child in made_from.get(hold.lot_id.id, self.browse()) - self
            ]
        )
        targets._quality_after(before, reason, actor, "hold", holds=holds | children)
        return holds.with_env(self.env)

    # ------------------------------------------------------------------
    # What follows a change
    # ------------------------------------------------------------------
    def _quality_after(self, before, reason, actor, action, holds=None):
        """Write the history of a change and apply its effects: lots that may
        no longer ship leave unpicked reservations, rejected lots go to
        quarantine, and the partners hear of a person's decision."""
        changed = self.filtered(
            lambda lot: lot.quality_disposition != before.get(lot.id)
        )
        events = {}
        if actor["announce"]:
            # A partner's decision is news for the others only where it
            # changed a disposition.
            told = changed if actor["client"] else self
            events = told._quality_announce(reason, actor)
        logs = self._quality_log(before, reason, actor, action, holds, events)
        changed.filtered(
            lambda lot: lot.quality_disposition != "released"
        )._quality_unreserve()
        changed.filtered(
            lambda lot: lot.quality_disposition == "rejected"
        )._quality_quarantine()
        return logs

    def _quality_log(self, before, reason, actor, action, holds, events):
        hold_of = {hold.lot_id.id: hold for hold in holds or []}
        # sudo: the history is written by this engine only; nobody has write
        # access to it.
        return (
            self.env["quality.lot.disposition.log"]
            .sudo()
            .create(
                [
                    {
                        "lot_id": lot.id,
                        "action": action,
                        "disposition_before": before.get(lot.id),
                        "disposition": lot.quality_disposition,
                        "hold_id": hold_of[lot.id].id if lot.id in hold_of else False,
                        "reason": reason,
                        "origin": actor["origin"],
                        "decided_at": actor["time"],
                        "user_id": actor["user"].id,
                        "client_id": actor["client"].id,
                        # The partner's event behind its decision, else the
                        # event that announced a person's decision.
                        "event_id": (
                            actor["event"] or events.get(lot.id, actor["event"])
                        ).id,
                    }
                    for lot in self
                ]
            )
        )

    def _quality_announce(self, reason, actor):
        """``mfg.lot.disposition.changed.v1`` for each lot, with the
        disposition that results from the decision; returns ``{lot id:
        outbound event}``. A partner's decision is not sent back to it."""
        kit = self.env["integration.resolver"]
        events = self.env["integration.event"]._emit_outbound_many(
            [
                {
                    "type": DISPOSITION_CHANGED_TYPE,
                    "subject": lot.name,
                    "data": {
                        "lot": lot.name,
                        "product": kit._product_reference(lot.product_id),
                        "disposition": lot.quality_disposition,
                        "reason": reason or "",
                        "decided_by": actor["user"].name[:128],
                        "decided_at": kit._iso(actor["time"]),
                    },
                    "records": [lot],
                    "echo_of": actor["client"],
                }
                for lot in self
            ]
        )
        return dict(zip(self.ids, events, strict=True))

    # ------------------------------------------------------------------
    # A manager's release by hand
    # ------------------------------------------------------------------
    def _quality_check_user(self):
        if not self.env.user.has_group(QC_USER):
            raise AccessError(
                self.env._(
                    "Only quality users may hold lots or request inspections "
                    "(lots: %(lots)s).",
                    lots=", ".join(self.mapped("display_name")),
                )
            )

    def _quality_check_manager(self):
        user = self.env.user
        if not (user.has_group(QC_MANAGER) or user.has_group(INTEGRATION_MANAGER)):
            raise AccessError(
                self.env._(
                    "Only a Quality or Integration manager may release or reject "
                    "lots by hand (lots: %(lots)s).",
                    lots=", ".join(self.mapped("display_name")),
                )
            )

    def _quality_override_release(self, reason):
        """Release the lots whatever their state, lifting their holds; the
        release is written to the integration log's chain, announced to the
        partners and raises an activity for the quality responsible."""
        self._quality_check_manager()
        if not (reason or "").strip():
            raise UserError(self.env._("A reason is required to release lots by hand."))
        actor = self._quality_actor(origin=self.env._("Manual release"), announce=True)
        before = self._quality_dispositions()
        self.quality_hold_ids.filtered(lambda h: h.state == "active")._lift(
            reason, dict(actor, announce=False)
        )
        logs = self._quality_decide(
            "released", reason, actor, action="override", before=before
        )
        self._quality_chain_override(logs, reason)
        self._quality_notify_override(reason)
        return logs

    def _quality_chain_override(self, logs, reason):
        """One entry per lot in the integration log's hash chain, next to
        the outbound event that announced the release."""
        Entry = self.env["integration.log.entry"]
        Entry._append(
            [
                Entry._vals_for(
                    log.lot_id,
                    "event",
                    event_id=log.event_id.id or None,
                    state="override",
                    payload_hash=log.event_id.payload_hash or None,
                    detail=self.env._(
                        "Lot %(lot)s released by hand by %(user)s: %(reason)s",
                        lot=log.lot_id.display_name,
                        user=self.env.user.name,
                        reason=reason,
                    ),
                )
                for log in logs
            ]
        )
        Entry._seal_after_commit()

    def _quality_notify_override(self, reason):
        for lot in self:
            company = lot.company_id or self.env.company
            responsible = company.quality_responsible_id or self.env.user
            body = self.env._(
                "Released by hand by %(user)s: %(reason)s",
                user=self.env.user.name,
                reason=reason,
            )
            # sudo: the manager who releases may have no write access to
            # lots, which activities and messages require.
            lot.sudo().activity_schedule(
                OVERRIDE_ACTIVITY, user_id=responsible.id, note=body
            )
            lot.sudo().message_post(body=body, author_id=self.env.user.partner_id.id)
