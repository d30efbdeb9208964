# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "MES Production Sync and Lot Genealogy",
    "summary": "MES production events, exact lot genealogy, recall, EPCIS and "
    "FSMA 204 exports",
    "version": "18.0.1.0.0",
    "development_status": "Alpha",
    "category": "Manufacturing/Integration",
    "author": "Mfg Integration Suite Authors",
    "maintainers": ["mfg-integration-suite"],
    "license": "LGPL-3",
    "depends": ["integration_log", "mrp", "product_expiry"],
    "external_dependencies": {"python": ["xlsxwriter"]},
    "data": [
        "security/ir.model.access.csv",
        "data/integration_event_type_data.xml",
        "data/ir_cron_data.xml",
        "views/mrp_production_views.xml",
        "views/stock_lot_views.xml",
        "views/integration_connector_views.xml",
        "views/integration_client_views.xml",
    ],
    "demo": ["demo/integration_client_demo.xml"],
    "installable": True,
}
