# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Integration Log",
    "summary": "Signed, idempotent CloudEvents API and integration log for plant "
    "systems (MES, QMS, PLM)",
    "version": "18.0.1.0.0",
    "development_status": "Beta",
    "category": "Manufacturing/Integration",
    "author": "Mfg Integration Suite Authors",
    "maintainers": ["mfg-integration-suite"],
    "license": "LGPL-3",
    "application": True,
    "depends": ["mail", "queue_job"],
    "external_dependencies": {
        "python": ["jsonschema", "prometheus_client", "cryptography"],
    },
    "data": [
        "security/integration_log_security.xml",
        "security/ir.model.access.csv",
        "data/queue_job_data.xml",
        "data/ir_cron_data.xml",
        "wizards/integration_client_credentials_views.xml",
        "views/integration_event_views.xml",
        "views/integration_refusal_views.xml",
        "views/integration_client_views.xml",
        "views/integration_event_type_views.xml",
        "views/menus.xml",
    ],
    "demo": ["demo/integration_client_demo.xml"],
    "installable": True,
}
