# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models


class IntegrationCacheMixin(models.AbstractModel):
    """Configuration read through ``ormcache`` on every request: any change
    clears the caches of every worker."""

    _name = "integration.cache.mixin"
    _description = "Integration Cached Configuration"

    @api.model_create_multi
    def create(self, vals_list):
        self.env.registry.clear_cache()
        return super().create(vals_list)

    def write(self, vals):
        self.env.registry.clear_cache()
        return super().write(vals)

    def unlink(self):
        self.env.registry.clear_cache()
        return super().unlink()
