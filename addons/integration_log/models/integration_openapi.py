# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import copy

from odoo import api, models

from ..protocol import envelope, openapi
from ..protocol.api import API_BASE
from .integration_event import EVENT_STATES


class IntegrationApi(models.AbstractModel):
    """Documents served by the API: the OpenAPI document here, metrics in
    ``integration_metrics.py`` and health in ``integration_health.py``."""

    _name = "integration.api"
    _description = "Integration API Documents"

    @api.model
    def _openapi_document(self, server_url):
        return {
            "openapi": "3.1.0",
            "info": {
                "title": "Manufacturing integration API",
                "version": "1.0.0",
                "description": openapi.DESCRIPTION,
            },
            "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
            "servers": [{"url": server_url.rstrip("/")}],
            "paths": self._openapi_paths(),
            "components": {
                "schemas": self._openapi_schemas(),
                "securitySchemes": {
                    "clientToken": {"type": "http", "scheme": "bearer"}
                },
                "responses": openapi.PROBLEM_RESPONSES,
            },
            "security": [{"clientToken": []}],
        }

    @api.model
    def _openapi_schemas(self):
        """The envelope, the answers, and the data schema of every event type."""
        event_types = self.env["integration.event.type"]
        catalogue = event_types._get_catalogue()
        schemas = {
            "CloudEvent": openapi.strip_meta(envelope.ENVELOPE_SCHEMA),
            "Problem": openapi.PROBLEM_SCHEMA,
            **openapi.response_schemas([state for state, _label in EVENT_STATES]),
        }
        for name in sorted(catalogue):
            schemas.update(
                openapi.component_schemas(name, event_types._get_schema(name))
            )
        inbound = sorted(n for n, e in catalogue.items() if e["direction"] != "out")
        schemas["InboundEvent"] = {
            "oneOf": [openapi.typed_event(name) for name in inbound]
            or [{"$ref": "#/components/schemas/CloudEvent"}]
        }
        return schemas

    @api.model
    def _openapi_paths(self):
        """Paths of every route under the API base that documents itself."""
        paths = {}
        for rule in self.env["ir.http"].routing_map().iter_rules():
            operation = getattr(rule.endpoint, "openapi_operation", None)
            if not operation or not rule.rule.startswith(API_BASE):
                continue
            path = openapi.path_of_rule(rule.rule)
            for method in sorted(rule.methods or ("GET",)):
                if method in ("OPTIONS", "HEAD"):
                    continue
                paths.setdefault(path, {})[method.lower()] = copy.deepcopy(operation)
        return dict(sorted(paths.items()))
