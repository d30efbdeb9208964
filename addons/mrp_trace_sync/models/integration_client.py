# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class IntegrationClient(models.Model):
    """Whether a partner may read lot genealogy and recalls over the API."""

    _inherit = "integration.client"

    allow_lot_trace = fields.Boolean(
        "May Read Lot Genealogy and Recall",
        tracking=True,
        help="Allow GET /lots/trace and /lots/recall. They return only what the "
        "technical user may read, in its companies: lots, orders, shipments, "
        "customers and stock.",
    )
