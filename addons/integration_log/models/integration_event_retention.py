# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from .integration_delivery import DELIVERY_OPEN_STATES
from .integration_event import EVENT_OPEN_STATES


class IntegrationEvent(models.Model):
    """Retention: payloads are purged after the configured period; hashes,
    metadata and the integration log chain stay."""

    # Split by concern on purpose: the record lives in integration_event.py.
    # pylint: disable=consider-merging-classes-inherited
    _inherit = "integration.event"

    # ------------------------------------------------------------------
    # Retention
    # ------------------------------------------------------------------
    @api.model
    def _cron_purge_payloads(self):
        """Remove payloads older than the retention period; the hashes, the
        metadata and the integration log chain stay. Log entries older than
        their own retention period go too, up to a chain checkpoint."""
        Log = self.env["integration.log.entry"]
        Log._cron_purge_entries()
        days = Log._retention_days("integration_log.payload_retention_days")
        if days <= 0:
            return 0
        return self._purge_payloads(fields.Datetime.now() - timedelta(days=days))

    @api.model
    def _purge_payloads(self, before):
        """Purge payloads of finished events received before ``before``."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                UPDATE integration_event e
                SET payload = NULL, payload_purged_at = now() at time zone 'UTC'
                WHERE e.received_at < %s AND e.payload IS NOT NULL
                  AND e.state NOT IN %s
                  AND NOT EXISTS (
                    SELECT 1 FROM integration_delivery d WHERE d.event_id = e.id
                      AND d.state IN %s)
                """,
                before,
                EVENT_OPEN_STATES,
                DELIVERY_OPEN_STATES,
            )
        )
        events = self.env.cr.rowcount
        self.env.cr.execute(
            SQL(
                """
                UPDATE integration_delivery SET response_excerpt = NULL
                WHERE create_date < %s AND response_excerpt IS NOT NULL
                  AND state NOT IN %s
                """,
                before,
                DELIVERY_OPEN_STATES,
            )
        )
        self.env.cr.execute(
            SQL(
                "UPDATE integration_refusal SET body_excerpt = NULL "
                "WHERE create_date < %s AND body_excerpt IS NOT NULL",
                before,
            )
        )
        self.env.invalidate_all()
        self.env["integration.log.entry"]._append(
            [
                {
                    "kind": "retention",
                    "state": "purged",
                    "detail": self.env._(
                        "Payloads of %(count)s event(s) received before %(date)s "
                        "purged.",
                        count=events,
                        date=before,
                    ),
                }
            ]
        )
        return events
