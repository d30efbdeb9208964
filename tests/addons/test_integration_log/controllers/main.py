# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import http
from odoo.http import request

from odoo.addons.integration_log.controllers.openapi import (
    SIGNATURE_PARAMETERS,
    openapi,
    problem_responses,
)
from odoo.addons.integration_log.controllers.pipeline import integration_route


class TestStockCountController(http.Controller):
    """The toy module's own write route, behind the inbound pipeline."""

    @integration_route(
        "/test/counts",
        methods=["POST"],
        media_types={"application/json": 64 * 1024},
        event_types=["test.stock.counted.v1"],
    )
    @openapi(
        summary="Test-only: record a count",
        operationId="postTestCount",
        parameters=SIGNATURE_PARAMETERS,
        requestBody={
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"$ref": "#/components/schemas/test.stock.counted.v1"}
                }
            },
        },
        responses={
            "201": {"description": "The count was recorded."},
            **problem_responses(400, 401, 403, 404, 413, 415, 429),
        },
    )
    def post_count(self, inbound, **_params):
        data = inbound.data("test.stock.counted.v1")
        count = inbound.env["test.integration.stock.count"]._record_count(
            data, inbound.client
        )
        return request.make_json_response(
            {"id": count.id, "quantity": count.quantity}, status=201
        )
