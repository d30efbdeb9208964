# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The reference client against the stand-in Odoo: answers and errors."""

import importlib.util
import pathlib

import pytest
from lxml import etree
from partner_kit import bom_xml, events
from partner_kit.client import IntegrationClient
from partner_kit.errors import ProblemError, TransportError
from stand_in import SECRET, SOURCE, TOKEN

PLM_ADDON = pathlib.Path(__file__).resolve().parents[3] / "addons/plm_bom_import"
BOM = {
    "item": "CAB-600",
    "revision": "B",
    "change_order": "ECO-7",
    "effective_from": "2026-06-01",
    "quantity": 1,
    "uom": "C62",
    "approval": "approved",
    "lines": [
        {"item": "PANEL", "quantity": 2.5, "uom": "C62", "position": "10"},
        {"item": "BOLT", "quantity": 20, "uom": "C62", "designators": ["B1", "B2"]},
    ],
}


def _event(client, n=1, **data):
    return client.event("mfg.test.v1", f"S-{n}", {"n": n, **data})


def test_envelope_has_every_required_attribute(client):
    event = client.event("mfg.test.v1", "MO-1", {"a": 1}, sequence=3)
    assert set(events.REQUIRED) <= set(event)
    assert event["source"] == SOURCE and event["sequence"] == 3
    assert event["time"].endswith("+00:00") and "T" in event["time"]
    assert event["datacontenttype"] == "application/json"
    assert len(event["id"]) == 36


def test_send_accepts_then_answers_duplicate_then_conflict(client, odoo):
    event = _event(client)
    first = client.send(event)
    assert (first.status, first.delivered) == ("accepted", True)
    again = client.send(event)
    assert (again.status, again.delivered) == ("duplicate", True)
    with pytest.raises(ProblemError) as caught:
        client.send({**event, "data": {"n": 2}})
    assert caught.value.status == 409
    assert len(odoo.received) == 1
    assert odoo.requests[0].content_type == "application/cloudevents+json"


def test_a_refusal_carries_the_problem_and_its_pointers(client, odoo):
    with pytest.raises(ProblemError) as caught:
        client.send(_event(client, bad=True))
    err = caught.value
    assert (err.status, err.title, err.reason) == (400, "Invalid data", "invalid-data")
    assert err.errors == [{"pointer": "/data/bad", "message": "unknown field"}]
    assert "/data/bad: unknown field" in str(err)
    assert len(odoo.requests) == 1


def test_batch_results_per_event_in_request_order(client, odoo):
    batch = [_event(client, 1), _event(client, 2, bad=True), _event(client, 3)]
    client.send(batch[0])
    result = client.send_batch(batch)
    assert [r.status for r in result.results] == ["duplicate", "rejected", "accepted"]
    assert result.rejected[0].error["errors"][0]["pointer"] == "/1/data/bad"
    assert [r.id for r in result.delivered] == [batch[0]["id"], batch[2]["id"]]
    assert odoo.requests[-1].content_type == "application/cloudevents-batch+json"


def test_600_events_go_as_two_batches_of_at_most_500(client, odoo):
    result = client.send_batch([_event(client, n) for n in range(600)])
    assert result.count("accepted") == 600
    assert [r.events for r in odoo.requests] == [500, 100]
    assert [e["data"]["n"] for e in odoo.received] == list(range(600))


def test_batches_stay_under_5_mib(client, odoo):
    filler = "x" * 100_000
    result = client.send_batch([_event(client, n, filler=filler) for n in range(60)])
    assert result.count("accepted") == 60
    assert len(odoo.requests) == 2
    assert all(r.size <= 5 * 1024 * 1024 for r in odoo.requests)
    assert sum(r.events for r in odoo.requests) == 60


def test_wrong_token_or_secret_is_refused_without_retry(odoo):
    sleeps = []
    wrong_token = IntegrationClient(
        odoo.url, "nope", SECRET, SOURCE, sleep=sleeps.append
    )
    with pytest.raises(ProblemError) as caught:
        wrong_token.send(wrong_token.event("mfg.test.v1", "S", {}))
    assert caught.value.status == 401
    other = "whsec_" + "b3RoZXItc2VjcmV0LW9mLXRoaXJ0eS10d28tYnl0ZXM="
    wrong_secret = IntegrationClient(
        odoo.url, TOKEN, other, SOURCE, sleep=sleeps.append
    )
    with pytest.raises(ProblemError, match="Bad signature"):
        wrong_secret.send(wrong_secret.event("mfg.test.v1", "S", {}))
    assert sleeps == [] and len(odoo.requests) == 2


def test_rotation_client_signs_with_both_secrets(odoo):
    new = "whsec_bmV3LXNlY3JldC1vZi10aGUtcm90YXRpb24tMzJi"
    rotating = IntegrationClient(odoo.url, TOKEN, [new, SECRET], SOURCE)
    assert rotating.send(rotating.event("mfg.test.v1", "S", {})).status == "accepted"


def test_reads_event_status_trace_recall_and_health(client, odoo):
    event = _event(client)
    client.send(event)
    assert client.event_status(event["id"])["state"] == "processed"
    with pytest.raises(ProblemError) as caught:
        client.event_status("unknown")
    assert caught.value.status == 404
    trace = client.trace("P1", "L/1", direction="backward")
    assert trace["root"] == {"product": "P1", "lot": "L/1"}
    assert trace["direction"] == "backward"
    assert client.recall("P1", "L1")["lots"][0]["lot"] == "L1"
    health = client.health()
    assert (health.ok, health.status, health.body["status"]) == (True, 200, "ok")


def test_health_of_a_stopped_server_is_a_transport_error(odoo):
    odoo.stop()
    with pytest.raises(TransportError):
        IntegrationClient(odoo.url, None).health()


def test_bom_xml_is_posted_signed_and_valid(client, odoo):
    document = bom_xml.bom_document(BOM, source=SOURCE)
    result = client.post_bom_xml(document)
    assert result.status == "accepted"
    assert client.post_bom_xml(document).status == "duplicate"
    assert odoo.documents == [document]
    assert odoo.requests[0].content_type == "application/xml"
    root = etree.fromstring(document)
    assert root.get("source") == SOURCE
    assert root.findtext("lines/line/quantity") == "2.5"
    assert [d.text for d in root.iter("designator")] == ["B1", "B2"]


def test_the_server_reads_the_bom_document_back():
    """The suite's own parser (pure Python, with its XSD) gets the data back."""
    path = PLM_ADDON / "plm/bom_xml.py"
    if not path.exists():
        pytest.skip("the suite's plm_bom_import is not next to the kit")
    spec = importlib.util.spec_from_file_location("server_bom_xml", path)
    server = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(server)
    data, attributes, _lines = server.parse(bom_xml.bom_document(BOM, source=SOURCE))
    assert data == BOM
    assert attributes == {"source": SOURCE}
