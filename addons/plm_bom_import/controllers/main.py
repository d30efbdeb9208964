# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import http
from odoo.http import request

from odoo.addons.integration_log.controllers.openapi import (
    SIGNATURE_PARAMETERS,
    json_content,
    openapi,
    problem_responses,
)
from odoo.addons.integration_log.controllers.pipeline import integration_route
from odoo.addons.integration_log.protocol import envelope

from ..plm import bom_xml

# Large BOMs (20,000 lines) fit; POST /events keeps its 256 KiB per event.
MAX_BOM_BYTES = 10 * 1024 * 1024
XML_TYPES = ("application/xml", "text/xml")
BOM_TYPE = "mfg.bom.released.v1"


class PlmBomController(http.Controller):
    """Protocol v1, section 6.3: the BOM release document and its XSD.
    The checks are the inbound pipeline's; the work is ``plm.bom.upload``'s."""

    @integration_route(
        "/plm/bom",
        methods=["POST"],
        media_types={
            **dict.fromkeys(XML_TYPES, MAX_BOM_BYTES),
            envelope.CONTENT_TYPE_SINGLE: MAX_BOM_BYTES,
        },
        event_types=[BOM_TYPE],
    )
    @openapi(
        summary="Release a BOM revision as an XML document (or one large event)",
        description="An XML BomRelease document (GET "
        "/integration/v1/schemas/bom-release.xsd), or one mfg.bom.released.v1 "
        "CloudEvent of up to 10 MiB for BOMs beyond the 256 KiB of POST /events. "
        "The document is checked whole (XSD, the JSON Schema of the type, "
        "components, units, positions, cycles): a 400 lists every error with "
        "its JSON Pointer into the event data and, for XML, its line. Accepted, "
        "it is an event of type mfg.bom.released.v1 (id: the id attribute, else "
        "derived from the document, so a resend is a duplicate; source: the "
        "source attribute, else the client's only source), answered and "
        "processed as POST /events does.",
        operationId="postPlmBom",
        parameters=SIGNATURE_PARAMETERS,
        requestBody={
            "required": True,
            "content": {
                **{
                    media_type: {
                        "schema": {
                            "type": "string",
                            "description": "A BomRelease document.",
                        }
                    }
                    for media_type in XML_TYPES
                },
                envelope.CONTENT_TYPE_SINGLE: {
                    "schema": {"$ref": "#/components/schemas/InboundEvent"}
                },
            },
        },
        responses={
            "202": {
                "description": "Stored as an event; processed asynchronously.",
                **json_content({"$ref": "#/components/schemas/Acceptance"}),
            },
            "200": {
                "description": "The same document was already accepted.",
                **json_content({"$ref": "#/components/schemas/Acceptance"}),
            },
            **problem_responses(400, 401, 403, 409, 413, 415, 429),
        },
    )
    def post_bom(self, inbound, **_params):
        status, body = inbound.env["plm.bom.upload"]._plm_accept(inbound)
        return request.make_json_response(body, status=status)

    @integration_route("/schemas/bom-release.xsd")
    @openapi(
        summary="XSD of the BOM release document of POST /plm/bom",
        operationId="getBomReleaseXsd",
        responses={
            "200": {
                "description": "The XSD (XML Schema 1.0).",
                "content": {"application/xml": {"schema": {"type": "string"}}},
            },
            **problem_responses(401, 429),
        },
    )
    def get_bom_release_xsd(self, inbound, **_params):
        return request.make_response(
            bom_xml.XSD_PATH.read_bytes(),
            headers=[("Content-Type", "application/xml; charset=utf-8")],
        )
