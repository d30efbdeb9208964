# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "PLM Item and BOM Releases",
    "summary": "PLM item and BOM revisions with effectivity dates that switch, "
    "approval with a diff, XML and JSON imports",
    "version": "18.0.1.0.0",
    "development_status": "Alpha",
    "category": "Manufacturing/Integration",
    "author": "Mfg Integration Suite Authors",
    "maintainers": ["mfg-integration-suite"],
    "license": "LGPL-3",
    "depends": ["integration_log", "mrp"],
    "external_dependencies": {"python": ["lxml"]},
    "data": [
        "security/plm_bom_import_security.xml",
        "security/ir.model.access.csv",
        "data/queue_job_data.xml",
        "data/ir_cron_data.xml",
        "wizards/plm_bom_release_reject_views.xml",
        "views/plm_bom_release_views.xml",
        "views/plm_item_revision_views.xml",
        "views/product_template_views.xml",
        "views/mrp_bom_views.xml",
        "views/mrp_production_views.xml",
        "views/res_config_settings_views.xml",
        "views/menus.xml",
        "data/integration_event_type_data.xml",
    ],
    "demo": ["demo/integration_client_demo.xml"],
    "installable": True,
}
