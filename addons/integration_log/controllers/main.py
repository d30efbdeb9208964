# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json

from odoo import http
from odoo.http import request

from ..models.integration_inbound import API_BASE
from ..protocol.problem import PROBLEM_CONTENT_TYPE, ProblemError

_ROUTE = {
    "type": "http",
    "auth": "none",
    "csrf": False,
    "save_session": False,
}
_JSON = "application/json"


def openapi(**operation):
    """Document a route in /openapi.json (the decorator goes below @route)."""

    def decorate(func):
        func.openapi_operation = operation
        return func

    return decorate


def _json_content(schema, media_type=_JSON):
    return {"content": {media_type: {"schema": schema}}}


def _required(name, location):
    return {
        "name": name,
        "in": location,
        "required": True,
        "schema": {"type": "string"},
    }


def _problems(*statuses):
    return {str(s): {"$ref": f"#/components/responses/{s}"} for s in statuses}


_SIGNATURE_HEADERS = [
    {
        "name": name,
        "in": "header",
        "required": False,
        "description": description,
        "schema": {"type": "string"},
    }
    for name, description in (
        ("webhook-id", "Standard Webhooks message id."),
        ("webhook-timestamp", "Unix seconds; at most 300 s from server time."),
        (
            "webhook-signature",
            "Space-separated v1,<base64 HMAC-SHA256> signatures of "
            "'{webhook-id}.{webhook-timestamp}.{raw body}'.",
        ),
    )
]


class IntegrationApiController(http.Controller):
    """Protocol v1 inbound API. Handlers only translate HTTP; the logic lives
    in the ``integration.inbound`` and ``integration.api`` models."""

    @http.route(f"{API_BASE}/events", methods=["POST"], readonly=False, **_ROUTE)
    @openapi(
        summary="Ingest one CloudEvent or a batch",
        operationId="postEvents",
        parameters=_SIGNATURE_HEADERS,
        requestBody={
            "required": True,
            "content": {
                "application/cloudevents+json": {
                    "schema": {"$ref": "#/components/schemas/InboundEvent"}
                },
                "application/cloudevents-batch+json": {
                    "schema": {
                        "type": "array",
                        "minItems": 1,
                        "maxItems": 500,
                        "items": {"$ref": "#/components/schemas/InboundEvent"},
                    }
                },
            },
        },
        responses={
            "202": {
                "description": "Event stored; it is processed asynchronously.",
                **_json_content({"$ref": "#/components/schemas/Acceptance"}),
            },
            "200": {
                "description": "Batch results in request order, or a duplicate "
                "of an event already accepted.",
                **_json_content(
                    {
                        "oneOf": [
                            {"$ref": "#/components/schemas/BatchResults"},
                            {"$ref": "#/components/schemas/Acceptance"},
                        ]
                    }
                ),
            },
            **_problems(400, 401, 403, 409, 413, 415, 429),
        },
    )
    def post_events(self, **_params):
        def ingest(inbound, client):
            httprequest = request.httprequest
            kind = inbound._check_content_type(httprequest.headers.get("Content-Type"))
            inbound._check_body_size(kind, httprequest.content_length or 0)
            body = httprequest.get_data()
            inbound._check_body_size(kind, len(body))
            request_info = inbound._request_info(httprequest, body)
            try:
                status, payload = inbound._ingest(
                    client, kind, body, httprequest.headers, request_info
                )
            except ProblemError as err:
                err.body = body
                raise
            return request.make_json_response(payload, status=status)

        return self._serve(ingest)

    @http.route(
        f"{API_BASE}/events/<path:event_id>", methods=["GET"], readonly=False, **_ROUTE
    )
    @openapi(
        summary="Processing status of one inbound event",
        operationId="getEvent",
        parameters=[_required("event_id", "path"), _required("source", "query")],
        responses={
            "200": {
                "description": "State, timestamps, error and result of the event.",
                **_json_content({"$ref": "#/components/schemas/EventStatus"}),
            },
            **_problems(400, 401, 404, 429),
        },
    )
    def get_event(self, event_id, source=None, **_params):
        def status(inbound, client):
            return request.make_json_response(
                inbound._event_status(client, event_id, source)
            )

        return self._serve(status)

    @http.route(f"{API_BASE}/schemas", methods=["GET"], readonly=False, **_ROUTE)
    @openapi(
        summary="Catalogue of event types",
        operationId="listSchemas",
        responses={
            "200": {"description": "Event types with links to their schemas."},
            **_problems(401, 429),
        },
    )
    def list_schemas(self, **_params):
        def catalogue(inbound, client):
            types = inbound.env["integration.event.type"]._get_catalogue()
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

        return self._serve(catalogue)

    @http.route(
        f"{API_BASE}/schemas/<string:type_name>",
        methods=["GET"],
        readonly=False,
        **_ROUTE,
    )
    @openapi(
        summary="JSON Schema (Draft 2020-12) of the data of one event type",
        operationId="getSchema",
        parameters=[_required("type_name", "path")],
        responses={
            "200": {"description": "The JSON Schema."},
            **_problems(401, 404, 429),
        },
    )
    def get_schema(self, type_name, **_params):
        def schema(inbound, client):
            found = inbound.env["integration.event.type"]._get_schema(type_name)
            if not found:
                raise ProblemError(
                    "not_found", f"type: no event type {type_name!r} is registered."
                )
            return request.make_response(
                json.dumps(found, indent=2),
                headers=[("Content-Type", "application/schema+json")],
            )

        return self._serve(schema)

    @http.route(f"{API_BASE}/openapi.json", methods=["GET"], readonly=False, **_ROUTE)
    @openapi(
        summary="This OpenAPI 3.1 document",
        operationId="getOpenApi",
        responses={"200": {"description": "OpenAPI 3.1 document."}},
    )
    def get_openapi(self, **_params):
        def document(inbound, client):
            return request.make_json_response(
                inbound.env["integration.api"]._openapi_document(
                    request.httprequest.host_url
                )
            )

        return self._serve(document)

    @http.route(f"{API_BASE}/metrics", methods=["GET"], readonly=False, **_ROUTE)
    @openapi(
        summary="Prometheus metrics (text exposition format 0.0.4)",
        operationId="getMetrics",
        responses={"200": {"description": "Metrics."}, **_problems(401, 429)},
    )
    def get_metrics(self, **_params):
        def metrics(inbound, client):
            return request.make_response(
                inbound.env["integration.api"]._metrics_text(),
                headers=[("Content-Type", "text/plain; version=0.0.4; charset=utf-8")],
            )

        return self._serve(metrics)

    @http.route(f"{API_BASE}/health", methods=["GET"], **_ROUTE)
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

    # ------------------------------------------------------------------
    def _serve(self, handler):
        """Authenticate the client, apply its rate limit, run ``handler``."""
        httprequest = request.httprequest
        # sudo: the service authenticates the caller; it acts as the client's
        # technical user only once the token is verified.
        inbound = request.env["integration.inbound"].sudo()
        client = None
        try:
            client = inbound._authenticate(
                httprequest.headers.get("Authorization"), httprequest.remote_addr
            )
            request.update_env(user=client.user_id.id)
            inbound = request.env["integration.inbound"].sudo()
            client = client.with_env(inbound.env)
            inbound._check_rate_limit(client)
            return handler(inbound, client)
        except ProblemError as err:
            return self._refuse(inbound, err, getattr(err, "client", None) or client)

    def _refuse(self, inbound, err, client):
        body = getattr(err, "body", b"")
        event = getattr(err, "event", None)
        inbound._log_refusals(
            client, [(err, event)], inbound._request_info(request.httprequest, body)
        )
        headers = [("Content-Type", PROBLEM_CONTENT_TYPE), *err.headers.items()]
        return request.make_response(
            json.dumps(err.to_dict(instance=request.httprequest.path)),
            headers=headers,
            status=err.status,
        )
