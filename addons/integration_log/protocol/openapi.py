# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The static parts of the API's OpenAPI 3.1 document (protocol v1).

The routes and the event catalogue are added by the ``integration.api``
model; everything here is plain data and pure functions.
"""

import copy
import re

DESCRIPTION = """\
Manufacturing integration protocol v1, served by Odoo.

Choices where the standards leave room:
- Events are CloudEvents 1.0 in structured JSON mode. Extension attributes
  must be 1-20 lower-case letters or digits with scalar values; any other
  unknown attribute is refused so that typos do not pass silently.
- Requests are signed per Standard Webhooks 1.0 (HMAC-SHA256, `v1`), with a
  300 s timestamp tolerance. Duplicate detection uses (`source`, `id`) and the
  SHA-256 of the canonical JSON of the event (keys sorted, no spaces).
- Errors are RFC 9457 problems whose `type` is
  `urn:mfg-integration:problem:<reason>`; `errors[].pointer` are JSON Pointers
  into the request body (for a batch, they start with the event index).
- Rate limits count requests per client in fixed one-minute windows.
"""

_RULE_ARG_RE = re.compile(r"<(?:[a-z]+:)?([a-zA-Z_][a-zA-Z0-9_]*)>")


def path_of_rule(rule):
    """OpenAPI path of a werkzeug rule: ``/a/<int:id>`` becomes ``/a/{id}``."""
    return _RULE_ARG_RE.sub(r"{\1}", rule)


def strip_meta(schema):
    """A copy of a JSON Schema without its ``$schema`` and ``$id``."""
    schema = copy.deepcopy(schema or {})
    schema.pop("$schema", None)
    schema.pop("$id", None)
    return schema


def component_schemas(name, schema):
    """An event type's schema as OpenAPI components: its ``$defs`` become
    components of their own (``<type>.<def>``) and local references follow."""
    schema = strip_meta(schema)
    definitions = schema.pop("$defs", {})
    prefix = "#/components/schemas/" + name + "."

    def relink(node):
        if isinstance(node, dict):
            return {
                key: prefix + value[len("#/$defs/") :]
                if key == "$ref"
                and isinstance(value, str)
                and value.startswith("#/$defs/")
                else relink(value)
                for key, value in node.items()
            }
        if isinstance(node, list):
            return [relink(item) for item in node]
        return node

    result = {name: relink(schema)}
    for definition, body in definitions.items():
        result[f"{name}.{definition}"] = relink(body)
    return result


def typed_event(name):
    """A CloudEvent of type ``name`` whose data follows that type's schema."""
    return {
        "allOf": [
            {"$ref": "#/components/schemas/CloudEvent"},
            {
                "type": "object",
                "properties": {
                    "type": {"const": name},
                    "data": {"$ref": f"#/components/schemas/{name}"},
                },
            },
        ]
    }


PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["pointer", "message"],
                "properties": {
                    "pointer": {"type": "string", "description": "JSON Pointer"},
                    "message": {"type": "string"},
                },
            },
        },
    },
}

PROBLEM_RESPONSES = {
    str(status): {
        "description": description,
        "content": {
            "application/problem+json": {
                "schema": {"$ref": "#/components/schemas/Problem"}
            }
        },
    }
    for status, description in (
        (400, "Invalid request, envelope or data"),
        (401, "Missing or bad token, signature or timestamp"),
        (403, "Event type or IP address not allowed"),
        (404, "Not found"),
        (409, "Event id already used with a different payload"),
        (413, "Request too large"),
        (415, "Unsupported content type"),
        (429, "Rate limit exceeded (see Retry-After)"),
    )
}


def response_schemas(event_statuses):
    """Schemas of the API's answers; ``event_statuses`` are the values the
    ``status`` of an event can take."""
    return {
        "Acceptance": {
            "type": "object",
            "required": ["id", "source", "status", "status_url"],
            "properties": {
                "id": {"type": "string"},
                "source": {"type": "string"},
                "status": {"enum": ["accepted", "duplicate"]},
                "status_url": {"type": "string"},
                "state": {"type": "string", "description": "Only for duplicates."},
                "result": {"description": "Only for duplicates: the original result."},
            },
        },
        "BatchResults": {
            "type": "object",
            "required": ["results"],
            "properties": {
                "results": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["id", "status"],
                        "properties": {
                            "id": {"type": ["string", "null"]},
                            "status": {"enum": ["accepted", "duplicate", "rejected"]},
                            "error": {"$ref": "#/components/schemas/Problem"},
                        },
                    },
                }
            },
        },
        "EventStatus": _event_status_schema(event_statuses),
    }


def _event_status_schema(event_statuses):
    return {
        "type": "object",
        "required": ["id", "source", "type", "status"],
        "properties": {
            "id": {"type": "string"},
            "source": {"type": "string"},
            "type": {"type": "string"},
            "subject": {"type": "string"},
            "sequence": {"type": ["integer", "null"]},
            "status": {"enum": list(event_statuses)},
            "received_at": {"type": ["string", "null"], "format": "date-time"},
            "processed_at": {"type": ["string", "null"], "format": "date-time"},
            "next_attempt_at": {"type": ["string", "null"], "format": "date-time"},
            "attempts": {"type": "integer"},
            "error": {"type": ["string", "null"]},
            "result": {},
            "links": {"type": "array", "items": {"type": "object"}},
        },
    }
