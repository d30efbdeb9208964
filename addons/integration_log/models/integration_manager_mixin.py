# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models
from odoo.exceptions import AccessError


class IntegrationManagerMixin(models.AbstractModel):
    """The one check for actions reserved to Integration Managers."""

    _name = "integration.manager.mixin"
    _description = "Integration Manager Check"

    @api.model
    def _check_integration_manager(self, message, allow_sudo=False):
        """Raise ``AccessError(message)`` unless the current user is an
        Integration Manager.

        :param allow_sudo: also let code running in superuser mode
            (``sudo()``) through, whoever the user is.
        """
        if allow_sudo and self.env.su:
            return
        if not self.env.user._is_integration_manager():
            raise AccessError(message)
