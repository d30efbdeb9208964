# Copyright 2026 Mfg Integration Suite Authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "Quality Release Gate",
    "summary": "Lot disposition and holds, a shipment gate nothing bypasses, "
    "and the QMS loop of protocol v1",
    "version": "18.0.1.0.0",
    "development_status": "Alpha",
    "category": "Manufacturing/Quality",
    "author": "Mfg Integration Suite Authors",
    "maintainers": ["mfg-integration-suite"],
    # AGPL-3: it depends on OCA's AGPL-3 quality_control_oca modules.
    "license": "AGPL-3",
    "depends": [
        "integration_log",
        "mrp_trace_sync",
        "stock_picking_batch",
        "quality_control_oca",
        "quality_control_stock_oca",
    ],
    "data": [
        "security/quality_release_gate_security.xml",
        "security/ir.model.access.csv",
        "data/integration_event_type_data.xml",
        "data/mail_activity_type_data.xml",
        "wizards/quality_lot_decision_wizard_views.xml",
        "wizards/mrp_trace_recall_wizard_views.xml",
        "views/quality_lot_hold_views.xml",
        "views/quality_lot_disposition_log_views.xml",
        "views/quality_nonconformance_views.xml",
        "views/quality_release_rule_views.xml",
        "views/stock_lot_views.xml",
        "views/stock_picking_views.xml",
        "views/integration_connector_views.xml",
        "views/res_config_settings_views.xml",
        "views/menus.xml",
    ],
    "demo": ["demo/integration_client_demo.xml"],
    "pre_init_hook": "pre_init_hook",
    "installable": True,
}
