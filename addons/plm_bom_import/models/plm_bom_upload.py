# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import hashlib
import json

from odoo import api, fields, models

from odoo.addons.integration_log.exceptions import IntegrationPointerError
from odoo.addons.integration_log.protocol import envelope
from odoo.addons.integration_log.protocol.problem import ProblemError

from ..plm import bom_xml

BOM_TYPE = "mfg.bom.released.v1"


class PlmBomUpload(models.AbstractModel):
    """``POST /integration/v1/plm/bom``: a BOM release sent as an XML
    document (or as one large CloudEvent) becomes a ``mfg.bom.released.v1``
    event, checked whole first (XSD, JSON Schema, components, units,
    cycles: 400 with every error's pointer and XML line), then stored and
    applied like any event of POST /events."""

    _name = "plm.bom.upload"
    _description = "PLM BOM Upload"

    @api.model
    def _plm_accept(self, inbound):
        """:returns: ``(http status, body)``, as POST /events answers."""
        if inbound.media_type == envelope.CONTENT_TYPE_SINGLE:
            event, lines = self._plm_event_from_json(inbound), {}
        else:
            event, lines = self._plm_event_from_xml(inbound)
        row = self._plm_check_event(inbound, event, lines)
        service, client = inbound.service, inbound.client
        # As POST /events stores one event (integration.inbound._ingest_single),
        # with the event checked once, above, whatever its size.
        outcome = service._store_events(client, [row])[0]
        if outcome["status"] == "conflict":
            raise outcome["problem"]
        status = 202 if outcome["status"] == "accepted" else 200
        body = service._outcome_body(row, outcome)
        service._log_request(client, status, body, inbound.info)
        return status, body

    @api.model
    def _plm_event_from_json(self, inbound):
        event = inbound.json()
        kind = event.get("type") if isinstance(event, dict) else None
        if kind != BOM_TYPE:
            raise ProblemError(
                "unknown_type",
                f"type: this route takes {BOM_TYPE} events only, not "
                f"{envelope.quote(kind)}.",
                errors=[{"pointer": "/type", "message": f"expected {BOM_TYPE}"}],
                event=event if isinstance(event, dict) else None,
            )
        return event

    @api.model
    def _plm_event_from_xml(self, inbound):
        try:
            data, attributes, lines = bom_xml.parse(inbound.body)
        except bom_xml.BomXmlError as err:
            raise ProblemError("invalid_request", str(err), errors=err.errors) from err
        source = attributes.get("source") or self._plm_default_source(
            inbound.client, lines
        )
        event_id = attributes.get("id") or (
            "bom-" + hashlib.sha256(inbound.body).hexdigest()[:40]
        )
        event = {
            "specversion": "1.0",
            "id": event_id,
            "source": source,
            "type": BOM_TYPE,
            "time": attributes.get("time")
            or self._plm_first_time(inbound.service, source, event_id),
            "subject": data["item"],
            "datacontenttype": "application/json",
            "data": data,
        }
        if "sequence" in attributes:
            event["sequence"] = attributes["sequence"]
        return event, lines

    @api.model
    def _plm_default_source(self, client, lines):
        """The client's source, when it may send only one."""
        allowed = [s.strip() for s in (client.allowed_sources or "").split(",")]
        allowed = [s for s in allowed if s]
        if len(allowed) == 1 and "*" not in allowed[0]:
            return allowed[0]
        raise ProblemError(
            "invalid_request",
            f"BomRelease: give the source attribute; client {client.name!r} may "
            f"send several sources ({client.allowed_sources!r}).",
            errors=[
                {
                    "pointer": "/source",
                    "message": "the source attribute of BomRelease is required",
                    "line": lines.get("/data", 1),
                }
            ],
        )

    @api.model
    def _plm_first_time(self, service, source, event_id):
        """The time given to this document when it was first received, so
        that sending it again is a duplicate and not a conflict."""
        known = service.env["integration.event"].search(
            [("source", "=", source), ("cloudevent_id", "=", event_id)], limit=1
        )
        if known and known.payload:
            return json.loads(known.payload).get("time")
        return self.env["integration.resolver"]._iso(fields.Datetime.now())

    @api.model
    def _plm_check_event(self, inbound, event, lines):
        """The checks of POST /events (envelope, source, type, the data's
        JSON Schema, subject), then the business checks of a release; every
        error keeps its XML line. :returns: the event row to store."""
        try:
            row = inbound.service._check_event(inbound.client, event, ())
        except ProblemError as err:
            raise self._plm_problem(
                err.reason, err.detail, err.errors, lines, event
            ) from err
        try:
            inbound.env["plm.bom.release"]._plm_check(event["data"], inbound.client)
        except IntegrationPointerError as err:
            errors = (
                err.to_problem_errors()
                if hasattr(err, "to_problem_errors")
                else [err.to_problem_error()]
            )
            raise self._plm_problem(
                "invalid_request", err.args[0], errors, lines, event
            ) from err
        return row

    @api.model
    def _plm_problem(self, reason, detail, errors, lines, event=None):
        """A refusal whose errors carry the line of the XML document (when
        the request was one) they are about."""
        errors = [dict(error) for error in errors]
        if lines:
            for error in errors:
                error["line"] = bom_xml.line_of(lines, error.get("pointer") or "")
            if errors:
                detail = f"line {errors[0]['line']}: {detail}"
        return ProblemError(reason, detail, errors=errors, event=event)
