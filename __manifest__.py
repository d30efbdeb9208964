# Copyright 2026 Mfg Integration Suite Authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "Manufacturing Integration Suite",
    "summary": "Odoo as the governed hub between ERP, MES, QMS, PLM and schedulers",
    "version": "18.0.1.0.0",
    "development_status": "Beta",
    "category": "Manufacturing/Integration",
    "author": "Mfg Integration Suite Authors",
    "maintainers": ["mfg-integration-suite"],
    # AGPL-3: quality_release_gate depends on OCA's AGPL-3 quality modules.
    "license": "AGPL-3",
    "application": False,
    "depends": [
        "integration_log",
        "mrp_trace_sync",
        "quality_release_gate",
        "plm_bom_import",
    ],
    "data": [
        "security/ir.model.access.csv",
        "data/ir_config_parameter_data.xml",
        "data/mfg_cockpit_tile_data.xml",
        "views/mfg_cockpit_tile_views.xml",
        "views/mfg_cockpit_menus.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "mfg_integration_suite/static/src/scss/mfg_cockpit.scss",
        ],
    },
    "demo": [
        "demo/res_partner_demo.xml",
        "demo/product_demo.xml",
        "demo/mrp_bom_demo.xml",
        "demo/quality_release_rule_demo.xml",
        "demo/integration_connector_demo.xml",
        "demo/res_users_demo.xml",
    ],
    "uninstall_hook": "uninstall_hook",
    "installable": True,
}
