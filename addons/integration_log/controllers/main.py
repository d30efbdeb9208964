# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json

from odoo import http
from odoo.http import request

from ..protocol import envelope
from ..protocol.api import API_BASE
from ..protocol.problem import ProblemError
from .openapi import (
    SIGNATURE_PARAMETERS,
    json_content,
    openapi,
    problem_responses,
    required_parameter,
)
from .pipeline import integration_route


class IntegrationApiController(http.Controller):
    """Protocol v1 inbound API. Handlers only translate HTTP; the checks are
    the pipeline's and the logic lives in the ``integration.inbound`` and
    ``integration.api`` models."""

    @integration_route(
        "/events",
        methods=["POST"],
        media_types={
            envelope.CONTENT_TYPE_SINGLE: envelope.MAX_EVENT_BYTES,
            envelope.CONTENT_TYPE_BATCH: envelope.MAX_BATCH_BYTES,
        },
    )
    @openapi(
        summary="Ingest one CloudEvent or a batch",
        operationId="postEvents",
        parameters=SIGNATURE_PARAMETERS,
        requestBody={
            "required": True,
            "content": {
                envelope.CONTENT_TYPE_SINGLE: {
                    "schema": {"$ref": "#/components/schemas/InboundEvent"}
                },
                envelope.CONTENT_TYPE_BATCH: {
                    "schema": {
                        "type": "array",
                        "minItems": 1,
                        "maxItems": envelope.MAX_BATCH_EVENTS,
                        "items": {"$ref": "#/components/schemas/InboundEvent"},
                    }
                },
            },
        },
        responses={
            "202": {
                "description": "Event stored; it is processed asynchronously.",
                **json_content({"$ref": "#/components/schemas/Acceptance"}),
            },
            "200": {
                "description": "Batch results in request order, or a duplicate "
                "of an event already accepted.",
                **json_content(
                    {
                        "oneOf": [
                            {"$ref": "#/components/schemas/BatchResults"},
                            {"$ref": "#/components/schemas/Acceptance"},
                        ]
                    }
                ),
            },
            **problem_responses(400, 401, 403, 409, 413, 415, 429),
        },
    )
    def post_events(self, inbound, **_params):
        status, payload = inbound.service._ingest(
            inbound.client, inbound.media_type, inbound.body, inbound.info
        )
        return request.make_json_response(payload, status=status)

    @integration_route("/events/<path:event_id>")
    @openapi(
        summary="Processing status of one inbound event",
        operationId="getEvent",
        parameters=[
            required_parameter("event_id", "path"),
            required_parameter("source", "query"),
        ],
        responses={
            "200": {
                "description": "State, timestamps, error and result of the event.",
                **json_content({"$ref": "#/components/schemas/EventStatus"}),
            },
            **problem_responses(400, 401, 404, 429),
        },
    )
    def get_event(self, inbound, event_id, source=None, **_params):
        return request.make_json_response(
            inbound.service._event_status(inbound.client, event_id, source)
        )

    @integration_route("/schemas")
    @openapi(
        summary="Catalogue of event types",
        operationId="listSchemas",
        responses={
            "200": {"description": "Event types with links to their schemas."},
            **problem_responses(401, 429),
        },
    )
    def list_schemas(self, inbound, **_params):
        types = inbound.service.env["integration.event.type"]._get_catalogue()
        return request.make_json_response(
            {
                "types": [
                    {
                        "type": name,
                        "direction": entry["direction"],
                        "description": entry["description"],
                        "schema_url": f"{API_BASE}/schemas/{name}",
                    }
                    for name, entry in sorted(types.items())
                ]
            }
        )

    @integration_route("/schemas/<string:type_name>")
    @openapi(
        summary="JSON Schema (Draft 2020-12) of the data of one event type",
        operationId="getSchema",
        parameters=[required_parameter("type_name", "path")],
        responses={
            "200": {"description": "The JSON Schema."},
            **problem_responses(401, 404, 429),
        },
    )
    def get_schema(self, inbound, type_name, **_params):
        found = inbound.service.env["integration.event.type"]._get_schema(type_name)
        if not found:
            raise ProblemError(
                "not_found", f"type: no event type {type_name!r} is registered."
            )
        return request.make_response(
            json.dumps(found, indent=2),
            headers=[("Content-Type", "application/schema+json")],
        )

    @integration_route("/openapi.json")
    @openapi(
        summary="This OpenAPI 3.1 document",
        operationId="getOpenApi",
        responses={"200": {"description": "OpenAPI 3.1 document."}},
    )
    def get_openapi(self, inbound, **_params):
        return request.make_json_response(
            inbound.service.env["integration.api"]._openapi_document(
                request.httprequest.host_url
            )
        )

    @integration_route("/metrics")
    @openapi(
        summary="Prometheus metrics (text exposition format 0.0.4)",
        operationId="getMetrics",
        responses={"200": {"description": "Metrics."}, **problem_responses(401, 429)},
    )
    def get_metrics(self, inbound, **_params):
        return request.make_response(
            inbound.service.env["integration.api"]._metrics_text(),
            headers=[("Content-Type", "text/plain; version=0.0.4; charset=utf-8")],
        )

    # No token: a load balancer or a monitoring probe asks it.
    @http.route(
        f"{API_BASE}/health",
        methods=["GET"],
        type="http",
        auth="none",
        csrf=False,
        save_session=False,
    )
    @openapi(
        summary="Health of the database, job runner and backlog (no token)",
        operationId="getHealth",
        security=[],
        responses={
            "200": {"description": "All checks pass."},
            "503": {"description": "A check fails; the body names it."},
        },
    )
    def get_health(self, **_params):
        status, body = request.env["integration.api"].sudo()._health()
        return request.make_json_response(body, status=status)
