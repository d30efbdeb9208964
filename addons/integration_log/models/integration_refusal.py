# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import hashlib
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..protocol.problem import REASONS

BODY_EXCERPT_CHARS = 2000
# Refusals counted on one row per client, address, reason and minute instead
# of one row each: what an unauthenticated caller or a client over its rate
# limit can repeat cheaply. The value lists what else tells rows apart (a
# missing token from an unknown one; a rate-limit detail names the seconds
# left, so it does not).
COUNTED_REASONS = {"unauthorized": ("detail",), "rate_limited": ()}
# Days refusals are kept when integration_log.refusal_retention_days is unset.
DEFAULT_RETENTION_DAYS = 90


class IntegrationRefusal(models.Model):
    """A request, or an event of a batch, that the inbound API refused.

    Never holds the token or the signature: only what helps a person find
    out what the partner sent wrong. The refusals of one request share one
    body excerpt (on the first of them); repeated authentication failures
    and rate-limit refusals are counted on one row per minute.
    """

    _name = "integration.refusal"
    _description = "Integration Refusal"
    _order = "id desc"

    client_id = fields.Many2one("integration.client", ondelete="set null", index=True)
    company_id = fields.Many2one(
        "res.company", related="client_id.company_id", store=True, index=True
    )
    reason = fields.Selection(
        [(code, title) for code, (_status, title) in REASONS.items()],
        required=True,
        index=True,
    )
    status = fields.Integer("HTTP Status", required=True)
    detail = fields.Text()
    errors = fields.Text(help="Validation errors, as JSON pointers into the body.")
    method = fields.Char()
    path = fields.Char()
    remote_addr = fields.Char("IP Address")
    request_id = fields.Char("webhook-id", help="webhook-id header of the request.")
    event_source = fields.Char()
    event_id = fields.Char("Event ID")
    event_type = fields.Char()
    body_excerpt = fields.Text(help=f"First {BODY_EXCERPT_CHARS} characters.")
    request_refusal_id = fields.Many2one(
        "integration.refusal",
        "First Refusal of the Request",
        ondelete="set null",
        help="The refusals of one request (the rejected events of a batch) "
        "keep the body excerpt once, on the first of them.",
    )
    request_body_excerpt = fields.Text(
        "Body Excerpt of the Request", compute="_compute_request_body_excerpt"
    )
    occurrence_count = fields.Integer(
        "Count",
        default=1,
        help="Identical refusals counted on this row: requests from the same "
        "address, for the same reason, in the same minute.",
    )
    window_start = fields.Datetime(
        "Counted Minute", help="Minute during which identical refusals are counted."
    )
    count_key = fields.Char(help="What identical refusals of a minute share (hashed).")
    create_date = fields.Datetime("Refused At", index=True)

    def init(self):
        # The upsert of counted refusals relies on this unique index.
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS integration_refusal_count_uniq
            ON integration_refusal (count_key, window_start)
            WHERE count_key IS NOT NULL
            """
        )

    @api.depends("reason", "status", "occurrence_count")
    def _compute_display_name(self):
        labels = dict(self._fields["reason"]._description_selection(self.env))
        for refusal in self:
            name = f"{refusal.status} {labels.get(refusal.reason, '')}"
            if refusal.occurrence_count > 1:
                name += f" (x{refusal.occurrence_count})"
            refusal.display_name = name

    @api.depends("body_excerpt", "request_refusal_id.body_excerpt")
    def _compute_request_body_excerpt(self):
        for refusal in self:
            refusal.request_body_excerpt = (
                refusal.body_excerpt or refusal.request_refusal_id.body_excerpt
            )

    # ------------------------------------------------------------------
    # Recording
    # ------------------------------------------------------------------
    @api.model
    def _record_request(self, vals_list):
        """Record the refusals of one request (values ready to store).

        :returns: the refusal rows created (a counted refusal that only
            incremented an existing row returns nothing).
        """
        if not vals_list:
            return self.browse()
        if len(vals_list) == 1 and vals_list[0]["reason"] in COUNTED_REASONS:
            return self._count_refusal(vals_list[0])
        first = self.create(vals_list[0])
        rest = [
            {**vals, "body_excerpt": False, "request_refusal_id": first.id}
            for vals in vals_list[1:]
        ]
        return first | self.create(rest)

    @api.model
    def _count_refusal(self, vals):
        """Count ``vals`` on the row of its minute (an upsert: concurrent
        requests never make two rows); returns the row if it is new."""
        names = ("client_id", "remote_addr", "reason", *COUNTED_REASONS[vals["reason"]])
        key = "\x1f".join(str(vals.get(name) or "") for name in names)
        now = fields.Datetime.now()
        client = self.env["integration.client"].browse(vals.get("client_id"))
        row = {
            **{name: None if value is False else value for name, value in vals.items()},
            "company_id": client.company_id.id or None,
            "count_key": hashlib.sha256(key.encode()).hexdigest(),
            "window_start": now.replace(second=0, microsecond=0),
            "occurrence_count": 1,
            "create_uid": self.env.uid,
            "create_date": now,
            "write_uid": self.env.uid,
            "write_date": now,
        }
        columns = list(row)
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO integration_refusal AS r (%s) VALUES (%s)
                ON CONFLICT (count_key, window_start) WHERE count_key IS NOT NULL
                DO UPDATE SET occurrence_count = r.occurrence_count + 1,
                    write_date = EXCLUDED.write_date
                RETURNING id, xmax = 0
                """,
                SQL(", ").join(SQL.identifier(name) for name in columns),
                SQL(", ").join(row[name] for name in columns),
            )
        )
        refusal_id, inserted = self.env.cr.fetchone()
        self.invalidate_model(["occurrence_count", "write_date"])
        return self.browse(refusal_id) if inserted else self.browse()

    # ------------------------------------------------------------------
    # Retention
    # ------------------------------------------------------------------
    @api.model
    def _cron_purge(self):
        """Delete refusals past their retention period; the integration log
        entries of the refusals stay: the chain is not changed."""
        days = self._retention_days()
        if days <= 0:
            return 0
        return self._purge_before(fields.Datetime.now() - timedelta(days=days))

    @api.model
    def _retention_days(self):
        """``integration_log.refusal_retention_days``: 90 when unset (or not
        a number), 0 to keep refusals forever."""
        value = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("integration_log.refusal_retention_days")
        )
        try:
            return DEFAULT_RETENTION_DAYS if value in (None, False, "") else int(value)
        except ValueError:
            return DEFAULT_RETENTION_DAYS

    @api.model
    def _purge_before(self, before):
        """Delete the refusals made before ``before``; returns their number."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL("DELETE FROM integration_refusal WHERE create_date < %s", before)
        )
        count = self.env.cr.rowcount
        self.env.invalidate_all()
        if count:
            detail = self.env._(
                "%(count)s refusal(s) made before %(date)s deleted; their log "
                "entries stay.",
                count=count,
                date=before,
            )
            self.env["integration.log.entry"]._append(
                [{"kind": "retention", "state": "purged", "detail": detail}]
            )
        return count
