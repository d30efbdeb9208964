# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
from urllib.parse import quote

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..protocol import envelope
from ..protocol.api import API_BASE
from ..protocol.problem import ProblemError


class IntegrationInbound(models.AbstractModel):
    """POST /events and GET /events/{id}: validate, store and report events."""

    # Split by concern on purpose: the record lives in integration_inbound.py.
    # pylint: disable=consider-merging-classes-inherited
    _inherit = "integration.inbound"

    @api.model
    def _ingest(self, client, kind, body, request_info):
        """Store the events of a POST /events body (the pipeline checked its
        client, signature, media type and size).

        :returns: ``(http_status, response_dict)``
        """
        parsed = self._parse_json(body)
        if kind == envelope.CONTENT_TYPE_SINGLE:
            status, response = self._ingest_single(client, parsed)
        else:
            status, response = self._ingest_batch(
                client, parsed, len(body), request_info
            )
        self._log_request(client, status, response, request_info)
        return status, response

    @api.model
    def _log_request(self, client, status, response, request_info):
        """The integration log entry of an accepted request."""
        results = response.get("results") or [response]
        counts = {}
        for result in results:
            counts[result["status"]] = counts.get(result["status"], 0) + 1
        self.env["integration.log.entry"]._append(
            [
                {
                    "kind": "request",
                    "reference": request_info.get("request_id"),
                    "client_id": client.id,
                    "state": "accepted",
                    "http_status": status,
                    "detail": "{} {}: {}".format(
                        request_info.get("method"),
                        request_info.get("path"),
                        ", ".join(f"{n} {s}" for s, n in sorted(counts.items())),
                    ),
                }
            ]
        )

    @api.model
    def _ingest_single(self, client, event):
        row = self._check_event(client, event, ())
        outcome = self._store_events(client, [row])[0]
        if outcome["status"] == "conflict":
            raise outcome["problem"]
        status = 202 if outcome["status"] == "accepted" else 200
        return status, self._outcome_body(row, outcome)

    @api.model
    def _ingest_batch(self, client, events, body_size, request_info):
        if not isinstance(events, list) or not events:
            raise ProblemError(
                "invalid_request",
                f"A batch is a JSON array of 1 to {envelope.MAX_BATCH_EVENTS} events.",
                errors=[{"pointer": "", "message": "expected a non-empty array"}],
            )
        if len(events) > envelope.MAX_BATCH_EVENTS:
            raise ProblemError(
                "too_large",
                f"The batch has {len(events)} events; at most "
                f"{envelope.MAX_BATCH_EVENTS} are accepted.",
            )
        results, rows, positions, refusals = [None] * len(events), [], [], []
        for index, event in enumerate(events):
            try:
                if body_size > envelope.MAX_EVENT_BYTES:
                    self._check_event_size(event, index)
                rows.append(self._check_event(client, event, (index,)))
                positions.append(index)
            except ProblemError as err:
                results[index] = self._rejected(event, err)
                refusals.append((err, event))
        for index, row, outcome in zip(
            positions, rows, self._store_events(client, rows), strict=True
        ):
            if outcome["status"] == "conflict":
                results[index] = self._rejected(events[index], outcome["problem"])
                refusals.append((outcome["problem"], events[index]))
            else:
                results[index] = {
                    "id": row["cloudevent_id"],
                    "status": outcome["status"],
                }
        if refusals:
            self._log_refusals(client, refusals, request_info)
        return 200, {"results": results}

    @api.model
    def _rejected(self, event, err):
        event_id = event.get("id") if isinstance(event, dict) else None
        return {"id": event_id, "status": "rejected", "error": err.to_dict()}

    @api.model
    def _check_event_size(self, event, index):
        size = len(json.dumps(event, ensure_ascii=False).encode())
        if size > envelope.MAX_EVENT_BYTES:
            raise ProblemError(
                "too_large",
                f"Event {index} has {size} bytes; an event may have at most "
                f"{envelope.MAX_EVENT_BYTES} bytes.",
                errors=[{"pointer": f"/{index}", "message": "event too large"}],
            )

    @api.model
    def _check_event(self, client, event, base_path):
        """Validate one event; return the row to store or raise a problem."""
        errors = envelope.envelope_errors(event, base_path)
        if errors:
            raise ProblemError(
                "invalid_envelope",
                "The CloudEvents envelope is invalid: "
                + envelope.summarize_errors(errors, 5),
                errors=errors,
                event=event,
            )
        event_type = event["type"]
        entry = self.env["integration.event.type"]._get_catalogue().get(event_type)
        if not entry or entry["direction"] not in ("in", "both"):
            raise ProblemError(
                "unknown_type",
                f"type: {event_type!r} is not an inbound event type of this "
                "server; GET /integration/v1/schemas lists them.",
                errors=[
                    {
                        "pointer": envelope.pointer([*base_path, "type"]),
                        "message": f"unknown event type {event_type!r}",
                    }
                ],
                event=event,
            )
        self._check_source_allowed(client, event, base_path)
        self._check_type_allowed(client, event_type, event)
        self._check_event_data(event, base_path, refused_event=event)
        self._check_subject(entry, event, base_path)
        return self._prepare_event_row(event)

    @api.model
    def _check_source_allowed(self, client, event, base_path):
        """Refuse an event whose ``source`` is not one of the client's: a
        source is identified and ordered on its own, so it has one owner."""
        source = event["source"]
        if not client._source_allowed(source):
            raise _member_problem(
                "source_forbidden",
                f"source: client {client.name!r} may not send events of source "
                f"{source!r}; its allowed sources are {client.allowed_sources!r}.",
                [*base_path, "source"],
                f"source {source!r} not allowed for this client",
                event,
            )

    @api.model
    def _check_subject(self, entry, event, base_path):
        """Refuse an event whose ``subject`` is not the record its data is
        about (the type's ``subject_field``), so that ordering per (source,
        subject) really serialises the events of one record."""
        field = entry.get("subject_field")
        data, subject = event["data"], event["subject"]
        value = data.get(field) if field and isinstance(data, dict) else None
        if field and subject != value:
            raise _member_problem(
                "invalid_data",
                f"subject: {subject!r} must equal data.{field} ({value!r}) for "
                f"{event['type']} events.",
                [*base_path, "subject"],
                f"subject {subject!r} is not data.{field} {value!r}",
                event,
            )

    @api.model
    def _prepare_event_row(self, event):
        return {
            "cloudevent_id": event["id"],
            "source": event["source"],
            "event_type": event["type"],
            "subject": event["subject"],
            "event_time": envelope.parse_time(event["time"]),
            "event_sequence": event.get("sequence"),
            "traceparent": event.get("traceparent"),
            "payload": json.dumps(event, ensure_ascii=False),
            "payload_hash": envelope.payload_hash(event),
        }

    @api.model
    def _store_events(self, client, rows):
        """Insert the events; the unique (source, id) index decides duplicates.

        A plain INSERT ... ON CONFLICT DO NOTHING is atomic under concurrent
        requests, unlike a read-then-write. Under REPEATABLE READ, a row
        committed by a concurrent request after our snapshot makes PostgreSQL
        raise a serialization failure, and Odoo retries the whole request,
        which then sees the row as a duplicate.

        :returns: one outcome dict per row, in order.
        """
        if not rows:
            return []
        Event = self.env["integration.event"]
        Event.flush_model()
        inserted = self._insert_rows(client, rows)
        missing = [
            (row["source"], row["cloudevent_id"])
            for row in rows
            if (row["source"], row["cloudevent_id"]) not in inserted
        ]
        known = self._existing_events(missing)
        outcomes, accepted_ids = [], []
        for row in rows:
            key = (row["source"], row["cloudevent_id"])
            event_id = inserted.pop(key, None)
            if event_id:
                # Later repeats of this key in the batch compare against it.
                known[key] = (event_id, row["payload_hash"])
                accepted_ids.append(event_id)
                outcomes.append({"status": "accepted", "event_id": event_id})
            else:
                outcomes.append(self._duplicate_outcome(row, *known[key]))
        self._log_received(client, rows, outcomes)
        Event.browse(accepted_ids)._enqueue_lanes()
        return outcomes

    @api.model
    def _log_received(self, client, rows, outcomes):
        """Integration log entries of the events this request stored."""
        Log = self.env["integration.log.entry"]
        Event = self.env["integration.event"]
        Log._append(
            [
                Log._vals_for(
                    Event.browse(outcome["event_id"]),
                    "event",
                    client_id=client.id,
                    state="received",
                    payload_hash=row["payload_hash"],
                )
                for row, outcome in zip(rows, outcomes, strict=True)
                if outcome["status"] == "accepted"
            ]
        )

    @api.model
    def _duplicate_outcome(self, row, event_id, payload_hash):
        if payload_hash == row["payload_hash"]:
            return {"status": "duplicate", "event_id": event_id}
        return {
            "status": "conflict",
            "event_id": event_id,
            "problem": ProblemError(
                "conflict",
                f"id: event {row['cloudevent_id']!r} of source {row['source']!r} "
                "was already accepted with a different payload.",
                event={
                    "id": row["cloudevent_id"],
                    "source": row["source"],
                    "type": row["event_type"],
                },
            ),
        }

    @api.model
    def _insert_rows(self, client, rows):
        now = fields.Datetime.now()
        return self.env["integration.event"]._insert_rows(
            [
                {
                    **row,
                    "direction": "in",
                    "state": "received",
                    "client_id": client.id,
                    "company_id": client.company_id.id,
                    "received_at": now,
                }
                for row in rows
            ]
        )

    @api.model
    def _existing_events(self, keys):
        if not keys:
            return {}
        self.env.cr.execute(
            SQL(
                """
                SELECT source, cloudevent_id, id, payload_hash
                FROM integration_event
                WHERE (source, cloudevent_id) IN %s
                """,
                tuple(keys),
            )
        )
        found = {
            (src, ce_id): (eid, h) for src, ce_id, eid, h in self.env.cr.fetchall()
        }
        if len(found) < len(set(keys)):
            raise UserError(
                self.env._(
                    "An event of this request was neither stored nor found; "
                    "send it again."
                )
            )
        return found

    @api.model
    def _outcome_body(self, row, outcome):
        body = {
            "id": row["cloudevent_id"],
            "source": row["source"],
            "status": outcome["status"],
            "status_url": self._status_url(row["source"], row["cloudevent_id"]),
        }
        if outcome["status"] == "duplicate":
            event = self.env["integration.event"].browse(outcome["event_id"])
            body["state"] = event.state
            body["result"] = json.loads(event.result) if event.result else None
        return body

    @api.model
    def _status_url(self, source, cloudevent_id):
        return (
            f"{API_BASE}/events/{quote(cloudevent_id, safe='')}"
            f"?source={quote(source, safe='')}"
        )

    # ------------------------------------------------------------------
    # GET /events/{id}
    # ------------------------------------------------------------------
    @api.model
    def _event_status(self, client, cloudevent_id, source):
        if not source:
            raise ProblemError(
                "invalid_request",
                "source: the query parameter source is required.",
                errors=[{"pointer": "", "message": "missing query parameter source"}],
            )
        event = self.env["integration.event"].search(
            [
                ("direction", "=", "in"),
                ("source", "=", source),
                ("cloudevent_id", "=", cloudevent_id),
                ("client_id", "=", client.id),
            ],
            limit=1,
        )
        if not event:
            raise ProblemError(
                "not_found",
                f"No event {cloudevent_id!r} from source {source!r} was received "
                "from this client.",
            )
        return event._api_status()


def _member_problem(reason, detail, path, message, event):
    """A refusal of ``event`` about one of its members (``path``)."""
    return ProblemError(
        reason,
        detail,
        errors=[{"pointer": envelope.pointer(path), "message": message}],
        event=event,
    )
