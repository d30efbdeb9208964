# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

PLM_TYPES = ("mfg.item.released.v1", "mfg.bom.released.v1")


class IntegrationEvent(models.Model):
    """A PLM release of a revision older than one already received is
    ``stale`` (protocol v1, section 6.3), like an event whose sequence is
    behind: its handler says so in its result."""

    _inherit = "integration.event"

    def _outcome_processed(self, result, number):
        if (
            self.event_type in PLM_TYPES
            and isinstance(result, dict)
            and result.get("status") == "stale"
        ):
            return {
                **super()._outcome_processed(result, number),
                "state": "stale",
                "error": self.env._(
                    "revision: %(revision)s is older than revision %(latest)s, "
                    "already received for item %(item)s.",
                    revision=result.get("revision"),
                    latest=result.get("latest"),
                    item=result.get("item"),
                ),
                "processed_at": fields.Datetime.now(),
            }
        return super()._outcome_processed(result, number)
