# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Integration Log",
    "summary": "Signed, idempotent CloudEvents API, outbound webhooks and a "
    "tamper-evident integration log for plant systems (MES, QMS, PLM)",
    "version": "18.0.1.0.0",
    "development_status": "Beta",
    "category": "Manufacturing/Integration",
    "author": "Mfg Integration Suite Authors",
    "maintainers": ["mfg-integration-suite"],
    "license": "LGPL-3",
    "application": True,
    "depends": ["mail", "queue_job"],
    "external_dependencies": {
        "python": ["jsonschema", "prometheus_client", "cryptography", "requests"],
    },
    "data": [
        "security/integration_log_security.xml",
        "security/ir.model.access.csv",
        "data/queue_job_data.xml",
        "data/ir_cron_data.xml",
        "data/mail_activity_type_data.xml",
        "data/integration_event_type_data.xml",
        "wizards/integration_client_credentials_views.xml",
        "wizards/integration_delivery_replay_views.xml",
        "wizards/integration_log_verification_views.xml",
        "views/integration_delivery_views.xml",
        "views/integration_event_views.xml",
        "views/integration_refusal_views.xml",
        "views/integration_client_views.xml",
        "views/integration_connector_views.xml",
        "views/integration_event_type_views.xml",
        "views/integration_log_entry_views.xml",
        "views/integration_allowed_host_views.xml",
        "views/menus.xml",
    ],
    "demo": [
        "demo/integration_client_demo.xml",
        "demo/integration_connector_demo.xml",
    ],
    "installable": True,
}
