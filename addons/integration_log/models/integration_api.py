# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import copy
import re

from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
)
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import CollectorRegistry

from odoo import api, models
from odoo.tools import SQL

from ..protocol import envelope
from ..protocol.problem import REASONS
from .integration_delivery import DELIVERY_STATES
from .integration_event import EVENT_STATES
from .integration_inbound import API_BASE

LATENCY_BUCKETS = (0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600)
DELIVERY_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
_RULE_ARG_RE = re.compile(r"<(?:[a-z]+:)?([a-zA-Z_][a-zA-Z0-9_]*)>")

OPENAPI_DESCRIPTION = """\
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


class _StaticCollector:
    def __init__(self, families):
        self.families = families

    def collect(self):
        return iter(self.families)


class IntegrationApi(models.AbstractModel):
    """Documents served by the API: OpenAPI, metrics and health."""

    _name = "integration.api"
    _description = "Integration API Documents"

    # ------------------------------------------------------------------
    # OpenAPI
    # ------------------------------------------------------------------
    @api.model
    def _openapi_document(self, server_url):
        catalogue = self.env["integration.event.type"]._get_catalogue()
        schemas = {
            "CloudEvent": _strip_meta(envelope.ENVELOPE_SCHEMA),
            "Problem": _PROBLEM_SCHEMA,
            **_RESPONSE_SCHEMAS,
        }
        for name in sorted(catalogue):
            schemas.update(
                _component_schemas(
                    name, self.env["integration.event.type"]._get_schema(name)
                )
            )
        inbound = sorted(n for n, e in catalogue.items() if e["direction"] != "out")
        schemas["InboundEvent"] = {
            "oneOf": [_typed_event(name) for name in inbound]
            or [{"$ref": "#/components/schemas/CloudEvent"}]
        }
        return {
            "openapi": "3.1.0",
            "info": {
                "title": "Manufacturing integration API",
                "version": "1.0.0",
                "description": OPENAPI_DESCRIPTION,
            },
            "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
            "servers": [{"url": server_url.rstrip("/")}],
            "paths": self._openapi_paths(),
            "components": {
                "schemas": schemas,
                "securitySchemes": {
                    "clientToken": {"type": "http", "scheme": "bearer"}
                },
                "responses": _PROBLEM_RESPONSES,
            },
            "security": [{"clientToken": []}],
        }

    @api.model
    def _openapi_paths(self):
        """Paths of every route under the API base that documents itself."""
        paths = {}
        for rule in self.env["ir.http"].routing_map().iter_rules():
            operation = getattr(rule.endpoint, "openapi_operation", None)
            if not operation or not rule.rule.startswith(API_BASE):
                continue
            path = _RULE_ARG_RE.sub(r"{\1}", rule.rule)
            for method in sorted(rule.methods or ("GET",)):
                if method in ("OPTIONS", "HEAD"):
                    continue
                paths.setdefault(path, {})[method.lower()] = copy.deepcopy(operation)
        return dict(sorted(paths.items()))

    # ------------------------------------------------------------------
    # Metrics
    # ------------------------------------------------------------------
    @api.model
    def _metrics_text(self):
        registry = CollectorRegistry(auto_describe=False)
        registry.register(_StaticCollector(self._metric_families()))
        return generate_latest(registry)

    @api.model
    def _metric_families(self):
        """Metric families of /metrics; other modules extend the list."""
        return [
            self._metric_events_received(),
            self._metric_events_by_state(),
            self._metric_refusals(),
            self._metric_processing_latency(),
            self._metric_oldest_backlog(),
            self._metric_deliveries(),
            self._metric_delivery_latency(),
            self._metric_oldest_pending_delivery(),
        ]

    def _metric_events_received(self):
        family = CounterMetricFamily(
            "mfg_integration_events_received",
            "Inbound events accepted, by type and current status.",
            labels=["type", "status"],
        )
        self.env.cr.execute(
            "SELECT event_type, state, count(*) FROM integration_event "
            "WHERE direction = 'in' GROUP BY event_type, state ORDER BY 1, 2"
        )
        for event_type, state, count in self.env.cr.fetchall():
            family.add_metric([event_type, state], count)
        return family

    def _metric_events_by_state(self):
        family = GaugeMetricFamily(
            "mfg_integration_events",
            "Integration events by direction and state.",
            labels=["direction", "state"],
        )
        self.env.cr.execute(
            "SELECT direction, state, count(*) FROM integration_event "
            "GROUP BY direction, state"
        )
        counts = {(d, s): c for d, s, c in self.env.cr.fetchall()}
        for direction in ("in", "out"):
            for state, _label in EVENT_STATES:
                family.add_metric([direction, state], counts.get((direction, state), 0))
        return family

    def _metric_refusals(self):
        family = CounterMetricFamily(
            "mfg_integration_refusals",
            "Requests and batch events refused by the inbound API, by reason.",
            labels=["reason"],
        )
        self.env.cr.execute(
            "SELECT reason, count(*) FROM integration_refusal GROUP BY reason"
        )
        counts = dict(self.env.cr.fetchall())
        for reason in REASONS:
            family.add_metric([reason], counts.get(reason, 0))
        return family

    def _metric_processing_latency(self):
        buckets = SQL(", ").join(
            SQL("count(*) FILTER (WHERE latency <= %s)", bound)
            for bound in LATENCY_BUCKETS
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT %s, count(*), coalesce(sum(latency), 0)
                FROM (
                    SELECT extract(epoch FROM processed_at - received_at) AS latency
                    FROM integration_event
                    WHERE direction = 'in' AND state = 'processed'
                      AND processed_at IS NOT NULL
                ) AS processed
                """,
                buckets,
            )
        )
        row = self.env.cr.fetchone()
        total, latency_sum = row[-2], row[-1]
        bucket_values = [
            (str(bound), count)
            for bound, count in zip(LATENCY_BUCKETS, row, strict=False)
        ] + [("+Inf", total)]
        return HistogramMetricFamily(
            "mfg_integration_event_processing_seconds",
            "Time from reception to successful processing of inbound events.",
            buckets=bucket_values,
            sum_value=float(latency_sum),
        )

    def _metric_oldest_backlog(self):
        family = GaugeMetricFamily(
            "mfg_integration_inbound_backlog_oldest_seconds",
            "Age of the oldest inbound event waiting to be processed.",
        )
        family.add_metric([], self._oldest_backlog_age())
        return family

    def _metric_deliveries(self):
        family = GaugeMetricFamily(
            "mfg_integration_deliveries",
            "Outbound deliveries by connector and state.",
            labels=["connector", "state"],
        )
        self.env.cr.execute(
            """
            SELECT c.name, d.state, count(*)
            FROM integration_delivery d
            JOIN integration_connector c ON c.id = d.connector_id
            GROUP BY c.name, d.state
            """
        )
        counts = {(name, state): count for name, state, count in self.env.cr.fetchall()}
        for name in sorted({name for name, _state in counts}):
            for state, _label in DELIVERY_STATES:
                family.add_metric([name, state], counts.get((name, state), 0))
        return family

    def _metric_delivery_latency(self):
        """Response time of the partners, over every delivery attempt."""
        family = HistogramMetricFamily(
            "mfg_integration_delivery_latency_seconds",
            "Time partners took to answer delivery attempts, by connector.",
            labels=["connector"],
        )
        buckets = SQL(", ").join(
            SQL("count(*) FILTER (WHERE e.latency_ms <= %s)", bound * 1000)
            for bound in DELIVERY_LATENCY_BUCKETS
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT c.name, %s, count(*), coalesce(sum(e.latency_ms), 0) / 1000.0
                FROM integration_log_entry e
                JOIN integration_connector c ON c.id = e.connector_id
                WHERE e.kind = 'delivery' AND e.latency_ms IS NOT NULL
                GROUP BY c.name
                ORDER BY c.name
                """,
                buckets,
            )
        )
        for row in self.env.cr.fetchall():
            name, counts, total, latency_sum = row[0], row[1:-2], row[-2], row[-1]
            family.add_metric(
                [name],
                [
                    (str(bound), count)
                    for bound, count in zip(
                        DELIVERY_LATENCY_BUCKETS, counts, strict=True
                    )
                ]
                + [("+Inf", total)],
                float(latency_sum),
            )
        return family

    def _metric_oldest_pending_delivery(self):
        family = GaugeMetricFamily(
            "mfg_integration_delivery_oldest_pending_seconds",
            "Age of the oldest delivery not yet delivered, by connector.",
            labels=["connector"],
        )
        self.env.cr.execute(
            """
            SELECT c.name, coalesce(extract(epoch FROM now() at time zone 'UTC'
                - min(d.create_date) FILTER (
                    WHERE d.state IN ('pending', 'sending', 'retrying'))), 0)
            FROM integration_connector c
            LEFT JOIN integration_delivery d ON d.connector_id = c.id
            WHERE c.active
            GROUP BY c.name
            ORDER BY c.name
            """
        )
        for name, age in self.env.cr.fetchall():
            family.add_metric([name], float(age))
        return family

    def _oldest_backlog_age(self):
        self.env.cr.execute(
            """
            SELECT coalesce(extract(epoch FROM
                now() at time zone 'UTC' - min(received_at)), 0)
            FROM integration_event
            WHERE direction = 'in' AND state IN ('received', 'processing')
            """
        )
        return float(self.env.cr.fetchone()[0])

    # ------------------------------------------------------------------
    # Health
    # ------------------------------------------------------------------
    @api.model
    def _health(self):
        """:returns: ``(http_status, body)`` for GET /health."""
        checks = {
            "database": self._health_database(),
            "job_runner": self._health_job_runner(),
            "backlog": self._health_backlog(),
        }
        failing = [name for name, check in checks.items() if check["status"] != "ok"]
        body = {"status": "fail" if failing else "ok", "checks": checks}
        if failing:
            body["failing"] = failing
        return (503 if failing else 200), body

    def _health_threshold(self, key, default):
        value = self.env["ir.config_parameter"].sudo().get_param(key)
        return int(value) if value and value.isdigit() else default

    def _health_database(self):
        self.env.cr.execute("SELECT 1")
        return {"status": "ok"}

    def _health_job_runner(self):
        limit = self._health_threshold("integration_log.health_job_delay_seconds", 300)
        self.env.cr.execute(
            """
            SELECT coalesce(extract(epoch FROM now() at time zone 'UTC'
                - min(coalesce(eta, date_created))), 0)
            FROM queue_job
            WHERE state IN ('pending', 'enqueued')
              AND coalesce(eta, date_created) <= now() at time zone 'UTC'
            """
        )
        waiting = float(self.env.cr.fetchone()[0])
        check = {"status": "ok", "oldest_due_job_seconds": round(waiting, 1)}
        if waiting > limit:
            check.update(
                status="fail",
                detail=f"A due job has waited {waiting:.0f} s (limit {limit} s): "
                "is the queue_job runner running?",
            )
        return check

    def _health_backlog(self):
        limit = self._health_threshold("integration_log.health_backlog_seconds", 900)
        age = self._oldest_backlog_age()
        check = {"status": "ok", "oldest_waiting_event_seconds": round(age, 1)}
        if age > limit:
            check.update(
                status="fail",
                detail=f"An inbound event has waited {age:.0f} s to be processed "
                f"(limit {limit} s).",
            )
        return check


def _strip_meta(schema):
    schema = copy.deepcopy(schema or {})
    schema.pop("$schema", None)
    schema.pop("$id", None)
    return schema


def _component_schemas(name, schema):
    """An event type's schema as OpenAPI components: its ``$defs`` become
    components of their own (``<type>.<def>``) and local references follow."""
    schema = _strip_meta(schema)
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


def _typed_event(name):
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


_PROBLEM_SCHEMA = {
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

_PROBLEM_RESPONSES = {
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

_RESPONSE_SCHEMAS = {
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
    "EventStatus": {
        "type": "object",
        "required": ["id", "source", "type", "status"],
        "properties": {
            "id": {"type": "string"},
            "source": {"type": "string"},
            "type": {"type": "string"},
            "subject": {"type": "string"},
            "sequence": {"type": ["integer", "null"]},
            "status": {"enum": [state for state, _label in EVENT_STATES]},
            "received_at": {"type": ["string", "null"], "format": "date-time"},
            "processed_at": {"type": ["string", "null"], "format": "date-time"},
            "next_attempt_at": {"type": ["string", "null"], "format": "date-time"},
            "attempts": {"type": "integer"},
            "error": {"type": ["string", "null"]},
            "result": {},
            "links": {"type": "array", "items": {"type": "object"}},
        },
    },
}
