# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Pure-Python pieces of protocol v1 (no Odoo import).

They are unit-tested with plain pytest and used by the Odoo models and
controllers of ``integration_log``.
"""
