# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Times as protocol v1 writes them (section 1): ISO-8601 in UTC."""


def iso_utc(value):
    """``2026-03-02T08:00:00Z`` for a naive UTC datetime (Odoo's), else None."""
    return value.isoformat() + "Z" if value else None
