# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models, tools

from ..exceptions import IntegrationPointerError


class IntegrationUomCode(models.Model):
    """A unit code used in event payloads (UNECE Rec. 20 such as KGM, or a
    partner's own code) and the Odoo unit it means."""

    _name = "integration.uom.code"
    _description = "Integration Unit Code"
    _inherit = ["integration.cache.mixin"]
    _order = "name"

    name = fields.Char(
        "Code", required=True, help="As it appears in the uom field of events."
    )
    uom_id = fields.Many2one("uom.uom", "Odoo Unit", required=True, ondelete="cascade")
    client_id = fields.Many2one(
        "integration.client",
        ondelete="cascade",
        help="Only for this client's events; empty: for every partner.",
    )
    note = fields.Char()

    _sql_constraints = [
        (
            "code_client_uniq",
            "unique(name, client_id)",
            "A unit code is mapped once per client.",
        ),
    ]

    @api.model
    @tools.ormcache()
    def _mapping(self):
        # sudo: handlers of any client resolve codes.
        return {
            (code.name, code.client_id.id): code.uom_id.id
            for code in self.sudo().search([])
        }

    @api.model
    def _resolve(self, code, client=None, pointer="uom"):
        """The ``uom.uom`` of ``code``, the client's own mapping first.

        Raises IntegrationPointerError naming the pointer and the code when unknown.
        """
        mapping = self._mapping()
        uom_id = mapping.get((code, client.id if client else False)) or mapping.get(
            (code, False)
        )
        if not uom_id:
            raise IntegrationPointerError(
                pointer,
                self.env._(
                    "unknown unit code %(code)r; map it in Integration > "
                    "Configuration > Unit Codes.",
                    code=code,
                ),
                code,
            )
        return self.env["uom.uom"].browse(uom_id)

    @api.model
    def _code_of(self, uom):
        """The code partners receive for an Odoo unit."""
        for (code, client_id), uom_id in sorted(self._mapping().items()):
            if uom_id == uom.id and not client_id:
                return code
        return uom.name
