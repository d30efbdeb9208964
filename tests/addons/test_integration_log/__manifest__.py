# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Integration Log Tests",
    "summary": "Test-only event type and handler for the integration_log tests",
    "version": "18.0.1.0.0",
    "category": "Hidden/Tests",
    "author": "Mfg Integration Suite Authors",
    "maintainers": ["mfg-integration-suite"],
    "license": "LGPL-3",
    "depends": ["integration_log"],
    "data": [
        "security/ir.model.access.csv",
        "data/integration_event_type_data.xml",
        "views/test_stock_count_views.xml",
    ],
    "installable": True,
}
