# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class TestIntegrationWidgetCategory(models.Model):
    _name = "test.integration.widget.category"
    _description = "Test Integration Widget Category"

    name = fields.Char(required=True)
