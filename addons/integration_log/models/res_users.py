# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class ResUsers(models.Model):
    _inherit = "res.users"

    def _is_integration_manager(self):
        """True when the user belongs to the Integration Manager group."""
        self.ensure_one()
        return self.has_group("integration_log.group_integration_manager")
