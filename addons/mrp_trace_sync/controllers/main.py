# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json

from odoo import http
from odoo.exceptions import AccessError, UserError
from odoo.http import content_disposition, request

from odoo.addons.integration_log.controllers.main import (
    IntegrationApiController,
    _json_content,
    _problems,
    openapi,
)
from odoo.addons.integration_log.models.integration_inbound import API_BASE
from odoo.addons.integration_log.protocol.problem import ProblemError

_ROUTE = {"type": "http", "auth": "none", "csrf": False, "save_session": False}


def _query(name, description, enum=None, required=True):
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


_LOT_PARAMETERS = [
    _query("product", "Internal reference (default_code) of the product."),
    _query("lot", "Lot or serial number."),
]
_EXPORTS = {
    "application/ld+json": {"schema": {"type": "object"}},
    "text/csv": {"schema": {"type": "string"}},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
        "schema": {"type": "string", "format": "binary"}
    },
}


class TraceApiController(IntegrationApiController):
    """GET /lots/trace and /lots/recall (protocol v1, section 7), as the
    client's technical user: it needs read access to lots."""

    @http.route(f"{API_BASE}/lots/trace", methods=["GET"], readonly=False, **_ROUTE)
    @openapi(
        summary="Genealogy of a lot (backward, forward or both)",
        operationId="traceLot",
        parameters=[
            *_LOT_PARAMETERS,
            _query(
                "direction",
                "backward: every component lot at every depth, with receipts; "
                "forward: every lot made from it, with shipments; both (default).",
                ["backward", "forward", "both"],
                required=False,
            ),
            _query(
                "format",
                "json (default), epcis (EPCIS 2.0 JSON-LD), csv or xlsx (FSMA 204 "
                "sortable spreadsheet).",
                ["json", "epcis", "csv", "xlsx"],
                required=False,
            ),
        ],
        responses={
            "200": {
                "description": "The genealogy: root, nodes, edges, productions, "
                "shipments and receipts.",
                "content": {
                    "application/json": {"schema": {"type": "object"}},
                    **_EXPORTS,
                },
            },
            **_problems(400, 401, 403, 404, 429),
        },
    )
    def lots_trace(self, product=None, lot=None, direction="both", **params):
        fmt = params.get("format") or "json"

        def trace(inbound, client):
            genealogy = request.env["mrp.trace.genealogy"].with_user(client.user_id)
            data = _run(
                lambda: genealogy._trace(genealogy._find_lot(product, lot), direction)
            )
            return _respond(genealogy, data, fmt, f"trace-{product}-{lot}")

        return self._serve(trace)

    @http.route(f"{API_BASE}/lots/recall", methods=["GET"], readonly=False, **_ROUTE)
    @openapi(
        summary="Everything a recall of a lot must reach",
        operationId="recallLot",
        parameters=[
            *_LOT_PARAMETERS,
            _query(
                "format",
                "json (default), csv or xlsx (FSMA 204 sortable spreadsheet).",
                ["json", "csv", "xlsx"],
                required=False,
            ),
        ],
        responses={
            "200": {
                "description": "Affected lots, stock by location, shipments and "
                "customers.",
                **_json_content({"type": "object"}),
            },
            **_problems(400, 401, 403, 404, 429),
        },
    )
    def lots_recall(self, product=None, lot=None, **params):
        fmt = params.get("format") or "json"

        def recall(inbound, client):
            if fmt == "epcis":
                raise ProblemError(
                    "invalid_request",
                    "format: a recall is exported as json, csv or xlsx.",
                    errors=[{"pointer": "", "message": "format=epcis"}],
                )
            genealogy = request.env["mrp.trace.genealogy"].with_user(client.user_id)
            data = _run(lambda: genealogy._recall(genealogy._find_lot(product, lot)))
            if fmt != "json":
                # The spreadsheet lists the shipments of the recall.
                data = dict(data, productions=[], receipts=[])
            return _respond(genealogy, data, fmt, f"recall-{product}-{lot}")

        return self._serve(recall)

    # ------------------------------------------------------------------
    # Downloads from the Odoo UI (session users)
    # ------------------------------------------------------------------
    @http.route(
        "/mrp_trace_sync/lot/<int:lot_id>/<string:kind>",
        type="http",
        auth="user",
        methods=["GET"],
        readonly=True,
    )
    def download(self, lot_id, kind, direction="both", **params):
        fmt = params.get("format") or "json"
        lot = request.env["stock.lot"].browse(lot_id).exists()
        if not lot or kind not in ("trace", "recall"):
            return request.not_found()
        genealogy = request.env["mrp.trace.genealogy"]
        data = (
            genealogy._trace(lot, direction)
            if kind == "trace"
            else genealogy._recall(lot)
        )
        return _respond(
            genealogy, data, fmt, f"{kind}-{lot.product_id.default_code}-{lot.name}"
        )


def _run(compute):
    """Business errors of the genealogy as RFC 9457 problems."""
    try:
        return compute()
    except AccessError as err:
        raise ProblemError("forbidden", err.args[0]) from err
    except UserError as err:
        message = err.args[0]
        reason = "not_found" if ": no " in message else "invalid_request"
        raise ProblemError(reason, message) from err


def _respond(genealogy, data, fmt, filename):
    if fmt == "json":
        return request.make_json_response(data)
    content_type, body, extension = _run(lambda: genealogy._export(data, fmt))
    if isinstance(body, dict):
        body = json.dumps(body, indent=2)
    return request.make_response(
        body,
        headers=[
            ("Content-Type", content_type),
            ("Content-Disposition", content_disposition(f"{filename}.{extension}")),
        ],
    )
