# Copyright 2026 Mfg Integration Suite Authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import AccessError

from .quality_lot_disposition_log import DISPOSITIONS
from .quality_release_rule import INSPECTION_REASONS

DECISIONS = [
    ("pending", "Pending release"),
    ("released", "Released"),
    ("rejected", "Rejected"),
]
# Written by the disposition engine only (stock_lot_disposition.py).
ENGINE_FIELDS = (
    "quality_decision",
    "quality_pending_since",
    "quality_release_deadline",
    "quality_pending_reason",
)
# The engine's context value: an object, which no RPC call can send.
ENGINE_WRITE = object()


class StockLot(models.Model):
    """A lot's disposition: the decision on it (pending, released, rejected)
    and its holds. It may leave the company only when released without an
    active hold (protocol v1, 6.2); that is ``quality_disposition``."""

    _inherit = "stock.lot"

    quality_decision = fields.Selection(
        DECISIONS,
        default="released",
        required=True,
        readonly=True,
        copy=False,
        help="The last decision on the lot, holds apart. Lots of products "
        "that need no release are released.",
    )
    quality_disposition = fields.Selection(
        DISPOSITIONS,
        "Disposition",
        compute="_compute_quality_disposition",
        store=True,
        group_expand=True,
        help="Rejected if rejected, else on hold while any hold is active, "
        "else the decision. Only released lots ship.",
    )
    quality_hold_ids = fields.One2many(
        "quality.lot.hold", "lot_id", "Holds", readonly=True
    )
    quality_active_hold_count = fields.Integer(
        "Active Holds", compute="_compute_quality_active_hold_count"
    )
    quality_log_ids = fields.One2many(
        "quality.lot.disposition.log", "lot_id", "Disposition History", readonly=True
    )
    quality_pending_since = fields.Datetime(readonly=True, copy=False)
    quality_release_deadline = fields.Datetime("Release Due", readonly=True, copy=False)
    quality_pending_reason = fields.Selection(
        INSPECTION_REASONS, "Waiting Since", readonly=True, copy=False
    )
    quality_overdue = fields.Boolean(
        "Release Overdue",
        compute="_compute_quality_overdue",
        search="_search_quality_overdue",
    )
    quality_pending_hours = fields.Float(
        "Waiting (h:mm)", compute="_compute_quality_overdue"
    )

    def init(self):
        # Lots inserted by SQL (bulk loaders, other modules' fast paths) are
        # released, as the ORM would make them.
        self.env.cr.execute(
            """
            ALTER TABLE stock_lot
                ALTER COLUMN quality_decision SET DEFAULT 'released',
                ALTER COLUMN quality_disposition SET DEFAULT 'released'
            """
        )
        # The figures and the kanban read the few lots that are not plainly
        # released, out of all the lots of the database.
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS stock_lot_quality_open_idx
            ON stock_lot (quality_disposition, quality_decision)
            WHERE quality_disposition <> 'released'
               OR quality_decision <> 'released'
            """
        )
        return super().init()

    @api.depends("quality_decision", "quality_hold_ids.state")
    def _compute_quality_disposition(self):
        for lot in self:
            held = any(hold.state == "active" for hold in lot.quality_hold_ids)
            if lot.quality_decision == "rejected" or not held:
                lot.quality_disposition = lot.quality_decision
            else:
                lot.quality_disposition = "hold"

    @api.depends("quality_hold_ids.state")
    def _compute_quality_active_hold_count(self):
        for lot in self:
            lot.quality_active_hold_count = len(
                lot.quality_hold_ids.filtered(lambda h: h.state == "active")
            )

    @api.depends("quality_decision", "quality_release_deadline")
    def _compute_quality_overdue(self):
        now = fields.Datetime.now()
        for lot in self:
            pending = lot.quality_decision == "pending"
            lot.quality_overdue = bool(
                pending
                and lot.quality_release_deadline
                and lot.quality_release_deadline < now
            )
            since = lot.quality_pending_since
            lot.quality_pending_hours = (
                (now - since).total_seconds() / 3600 if pending and since else 0.0
            )

    def _search_quality_overdue(self, operator, value):
        if operator not in ("=", "!="):
            return NotImplemented
        overdue = [
            ("quality_decision", "=", "pending"),
            ("quality_release_deadline", "<", fields.Datetime.now()),
        ]
        if (operator == "=") == bool(value):
            return overdue
        return ["!", "&", *overdue]

    # ------------------------------------------------------------------
    # Only the engine writes a decision
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        self._quality_check_engine({name for vals in vals_list for name in vals})
        return super().create(vals_list)

    def write(self, vals):
        self._quality_check_engine(vals)
        return super().write(vals)

    @api.model
    def _quality_check_engine(self, names):
        written = sorted(set(ENGINE_FIELDS).intersection(names))
        if written and self.env.context.get("quality_engine") is not ENGINE_WRITE:
            raise AccessError(
                self.env._(
                    "The fields %(fields)s of lots change through the release "
                    "decisions (Hold, Release, Reject, the QMS's events) only.",
                    fields=", ".join(written),
                )
            )

    def _quality_write(self, vals):
        """Write the engine's fields."""
        # sudo: the decision was allowed at the entry point (a person's
        # group, or the partner system's event); the user need not have
        # write access to lots.
        return self.sudo().with_context(quality_engine=ENGINE_WRITE).write(vals)

    # ------------------------------------------------------------------
    # Why a lot may not go
    # ------------------------------------------------------------------
    @api.model
    def _quality_gate_message(self, rows):
        """The gate's error: every lot refused, by document, and why.

        :param rows: ``(lot id, lot, product, disposition, consumption,
            document, active holds)`` of the gate's query.
        """
        return self.env._(
            "The quality release gate refuses these lots:\n%(lines)s",
            lines="\n".join(self._quality_block_line(*row) for row in rows),
        )

    @api.model
    def _quality_block_line(
        self, _lot_id, lot, product, disposition, consumption, document, holds
    ):
        reason = self._quality_reason_text(disposition, holds or [])
        if consumption:
            return self.env._(
                "- %(document)s may not consume lot %(lot)s of %(product)s: "
                "%(reason)s.",
                document=document,
                lot=lot,
                product=product,
                reason=reason,
            )
        return self.env._(
            "- %(document)s may not ship lot %(lot)s of %(product)s: %(reason)s.",
            document=document,
            lot=lot,
            product=product,
            reason=reason,
        )

    @api.model
    def _quality_reason_text(self, disposition, holds):
        """``On hold (Nonconformance NCR-7: Major: scratches; Recall ...)``:
        the disposition, with each active hold's source, reference and
        reason."""
        labels = dict(
            self._fields["quality_disposition"]._description_selection(self.env)
        )
        if not holds:
            return labels[disposition]
        sources = dict(
            self.env["quality.lot.hold"]
            ._fields["source"]
            ._description_selection(self.env)
        )
        details = []
        for hold in holds:
            text = " ".join(
                filter(None, [sources[hold["source"]], hold.get("reference")])
            )
            if hold.get("reason"):
                text += ": " + _shorten(hold["reason"])
            details.append(text)
        return self.env._(
            "%(disposition)s (%(holds)s)",
            disposition=labels[disposition],
            holds="; ".join(details),
        )

    def _quality_holds_data(self):
        """The active holds of a lot as the gate's query returns them."""
        self.ensure_one()
        return [
            {"source": hold.source, "reference": hold.reference, "reason": hold.reason}
            for hold in self.quality_hold_ids.sorted("id")
            if hold.state == "active"
        ]

    # ------------------------------------------------------------------
    # Actions of the lot form
    # ------------------------------------------------------------------
    def action_quality_decide(self):
        """Open the decision wizard for the decision named in the context
        (hold, release, reject, pending)."""
        decision = self.env.context.get("quality_decision", "hold")
        return self.env["quality.lot.decision.wizard"]._open_for(self, decision)

    def action_view_quality_holds(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "quality_release_gate.quality_lot_hold_action"
        )
        action.update(domain=[("lot_id", "=", self.id)], context={})
        return action


def _shorten(text, limit=200):
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
