# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
import re

from werkzeug.exceptions import BadRequest

from odoo import http
from odoo.http import content_disposition, request

from odoo.addons.integration_log.controllers.openapi import (
    openapi,
    problem_responses,
    query_parameter,
)
from odoo.addons.integration_log.controllers.pipeline import integration_route
from odoo.addons.integration_log.exceptions import IntegrationPointerError

# The client permission the trace and recall routes need.
TRACE_PERMISSION = "allow_lot_trace"
_LOT_PARAMETERS = [
    query_parameter("product", "Internal reference (default_code) of the product."),
    query_parameter("lot", "Lot or serial number."),
]
_EXPORTS = {
    "application/ld+json": {"schema": {"type": "object"}},
    "text/csv": {"schema": {"type": "string"}},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
        "schema": {"type": "string", "format": "binary"}
    },
}


class TraceApiController(http.Controller):
    """GET /lots/trace and /lots/recall (protocol v1, section 7), for clients
    with the permission, as the client's technical user: they return only
    what it may read."""

    @integration_route("/lots/trace")
    @openapi(
        summary="Genealogy of a lot (backward, forward or both)",
        operationId="traceLot",
        parameters=[
            *_LOT_PARAMETERS,
            query_parameter(
                "direction",
                "backward: every component lot at every depth, with receipts; "
                "forward: every lot made from it, with shipments; both (default).",
                ["backward", "forward", "both"],
                required=False,
            ),
            query_parameter(
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
            **problem_responses(400, 401, 403, 404, 429),
        },
    )
    def lots_trace(self, inbound, product=None, lot=None, direction="both", **params):
        inbound.client._check_permission(TRACE_PERMISSION)
        fmt = params.get("format") or "json"
        genealogy = inbound.env["mrp.trace.genealogy"]
        data = genealogy._trace(genealogy._find_lot(product, lot), direction)
        return _respond(genealogy, data, fmt, f"trace-{product}-{lot}")

    @integration_route("/lots/recall")
    @openapi(
        summary="Everything a recall of a lot must reach",
        operationId="recallLot",
        parameters=[
            *_LOT_PARAMETERS,
            query_parameter(
                "format",
                "json (default), csv or xlsx (FSMA 204 sortable spreadsheet).",
                ["json", "csv", "xlsx"],
                required=False,
            ),
        ],
        responses={
            "200": {
                "description": "Affected lots, stock by location, shipments and "
                "customers (json); the FSMA 204 sortable spreadsheet of every "
                "affected lot with its stock on hand (csv, xlsx).",
                "content": {
                    "application/json": {"schema": {"type": "object"}},
                    **{
                        media_type: content
                        for media_type, content in _EXPORTS.items()
                        if media_type != "application/ld+json"
                    },
                },
            },
            **problem_responses(400, 401, 403, 404, 429),
        },
    )
    def lots_recall(self, inbound, product=None, lot=None, **params):
        inbound.client._check_permission(TRACE_PERMISSION)
        fmt = params.get("format") or "json"
        if fmt == "epcis":
            raise IntegrationPointerError(
                "format",
                inbound.env._("a recall is exported as json, csv or xlsx."),
                fmt,
            )
        genealogy = inbound.env["mrp.trace.genealogy"]
        # The spreadsheets list every event of the affected lots and their stock.
        recall = genealogy._recall if fmt == "json" else genealogy._recall_sheet
        data = recall(genealogy._find_lot(product, lot))
        return _respond(genealogy, data, fmt, f"recall-{product}-{lot}")

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
        if params.get("cids"):
            # The companies active in the user's UI when it asked for the
            # file; Odoo refuses (403) any the user may not use.
            request.update_context(allowed_company_ids=_company_ids(params["cids"]))
        lot = request.env["stock.lot"].browse(lot_id).exists()
        if not lot or kind not in ("trace", "recall"):
            return request.not_found()
        genealogy = request.env["mrp.trace.genealogy"]
        data = (
            genealogy._trace(lot, direction)
            if kind == "trace"
            else genealogy._recall(lot)
            if fmt == "json"
            else genealogy._recall_sheet(lot)
        )
        return _respond(
            genealogy, data, fmt, f"{kind}-{lot.product_id.default_code}-{lot.name}"
        )


def _company_ids(value):
    """Company ids of a ``cids`` parameter (``1-2`` or ``1,2``, as Odoo's
    ``cids`` cookie); 400 for anything else."""
    if not re.fullmatch(r"\d{1,9}([-,]\d{1,9})*", value):
        raise BadRequest("cids: expected company ids such as 1-2")
    return [int(item) for item in re.split(r"[-,]", value)]


def _respond(genealogy, data, fmt, filename):
    if fmt == "json":
        return request.make_json_response(data)
    content_type, body, extension = genealogy._export(data, fmt)
    if isinstance(body, dict):
        body = json.dumps(body, indent=2)
    return request.make_response(
        body,
        headers=[
            ("Content-Type", content_type),
            ("Content-Disposition", content_disposition(f"{filename}.{extension}")),
        ],
    )
