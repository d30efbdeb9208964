# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Pure-Python export formats of a lot trace (no Odoo import): EPCIS 2.0
JSON-LD and the FDA FSMA 204 sortable spreadsheet (CSV, XLSX)."""
