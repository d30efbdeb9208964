# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""How a route of the inbound API documents itself in ``/openapi.json``."""

JSON = "application/json"


def openapi(**operation):
    """Document a route in /openapi.json (the decorator goes below the route's)."""

    def decorate(func):
        func.openapi_operation = operation
        return func

    return decorate


def json_content(schema, media_type=JSON):
    return {"content": {media_type: {"schema": schema}}}


def required_parameter(name, location):
    return {
        "name": name,
        "in": location,
        "required": True,
        "schema": {"type": "string"},
    }


def query_parameter(name, description, enum=None, required=True):
    schema = {"type": "string"}
    if enum:
        schema["enum"] = enum
    return {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": schema,
    }


def problem_responses(*statuses):
    return {str(s): {"$ref": f"#/components/responses/{s}"} for s in statuses}


SIGNATURE_PARAMETERS = [
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
