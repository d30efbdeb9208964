# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The MES, QMS and PLM simulators, driven as Odoo drives them."""

import time

import pytest
import requests
import server_schemas
from conftest import FAST_RETRY
from partner_kit import batching, events, signing
from partner_kit.simulators import mes, plm, qms
from partner_kit.simulators.common import Endpoint
from stand_in import StandInOdoo

CONNECTOR_SECRET = "whsec_ZGVtby1wYXJ0bmVyLXNpZ25pbmctc2VjcmV0LTMyYg=="


@pytest.fixture
def odoo():
    """A stand-in that holds the demo clients, and checks every event
    against the server's own schemas when the suite is here."""
    server = StandInOdoo(
        clients={
            mes.TOKEN: [mes.SECRET],
            qms.TOKEN: [qms.SECRET],
            plm.TOKEN: [plm.SECRET],
        }
    )
    if server_schemas.envelope_module():
        server.reject = server_schemas.refusal
    yield server.start()
    server.stop()
    assert server.refused == []


def _endpoint(odoo, module, tmp_path):
    return Endpoint(
        odoo_url=odoo.url,
        token=module.TOKEN,
        secret=module.SECRET,
        source=module.SOURCE,
        state_dir=tmp_path,
        port=0,
        connector_secret=CONNECTOR_SECRET,
        forward_interval=0.05,
        retry=FAST_RETRY,
    )


def _notify(system, event_type, subject, data):
    """Deliver an outbound event of Odoo to ``system``'s receiver."""
    event = events.make_event(event_type, subject, data, "urn:odoo:demo")
    raw = batching.encode(event)
    headers = signing.sign_headers(CONNECTOR_SECRET, raw, msg_id=event["id"])
    response = requests.post(system.receiver.url, data=raw, headers=headers, timeout=5)
    assert response.status_code == 200


def _wait_for(odoo, event_type, count, timeout=10.0):
    deadline = time.monotonic() + timeout
    while len(odoo.events_of(event_type)) < count:
        assert time.monotonic() < deadline, f"{event_type}: {odoo.received}"
        time.sleep(0.02)
    return odoo.events_of(event_type)


def _released(name, quantity, product="CAB-600"):
    return {
        "production": name,
        "product": product,
        "product_name": "Cabinet",
        "quantity": quantity,
        "uom": "C62",
        "bom_revision": "A",
        "planned_start": "2026-03-02T08:00:00+00:00",
        "planned_finish": "2026-03-02T16:00:00+00:00",
        "components": [
            {
                "product": "PANEL",
                "quantity": 2 * quantity,
                "uom": "C62",
                "tracking": "lot",
            },
            {
                "product": "BOLT",
                "quantity": 16 * quantity,
                "uom": "C62",
                "tracking": "none",
            },
        ],
    }


def test_mes_completes_serials_in_two_reports(odoo, tmp_path):
    options = mes.MesOptions(
        delay=0, serial_products=frozenset({"CAB-600"}), partial_rate=1, scrap_rate=0
    )
    system = mes.MesSimulator(_endpoint(odoo, mes, tmp_path), options).start()
    try:
        _notify(system, mes.RELEASED, "WH/MO/00007", _released("WH/MO/00007", 4))
        started = _wait_for(odoo, mes.STARTED, 1)
        first = _wait_for(odoo, mes.COMPLETED, 1)[0]
        # Odoo splits the backorder WH/MO/00007-002 off and releases it.
        backorder = _released("WH/MO/00007-002", 2)
        _notify(system, mes.RELEASED, "WH/MO/00007-002", backorder)
        second = _wait_for(odoo, mes.COMPLETED, 2)[1]
    finally:
        system.stop()
    assert started[0]["data"]["production"] == "WH/MO/00007"
    assert started[0]["source"] == mes.SOURCE
    assert first["subject"] == "WH/MO/00007"
    assert first["sequence"] > started[0]["sequence"]
    assert first["data"]["close"] is False
    assert first["data"]["outputs"] == [
        {"lot": "SN-WH-MO-00007-1", "quantity": 1, "uom": "C62"},
        {"lot": "SN-WH-MO-00007-2", "quantity": 1, "uom": "C62"},
    ]
    assert "consumed" not in first["data"] and "scrap" not in first["data"]
    assert second["data"]["close"] is True
    assert [o["lot"] for o in second["data"]["outputs"]] == [
        "SN-WH-MO-00007-002-1",
        "SN-WH-MO-00007-002-2",
    ]


def test_mes_completes_a_lot_with_scrap_and_ignores_a_late_release(odoo, tmp_path):
    options = mes.MesOptions(
        delay=0, partial_rate=0, scrap_rate=1, seed=3, report_consumed=True
    )
    system = mes.MesSimulator(_endpoint(odoo, mes, tmp_path), options).start()
    try:
        _notify(system, mes.RELEASED, "WH/MO/00008", _released("WH/MO/00008", 5))
        completed = _wait_for(odoo, mes.COMPLETED, 1)[0]["data"]
        _notify(system, mes.RELEASED, "WH/MO/00008", _released("WH/MO/00008", 6))
        system.receiver.wait_idle()
    finally:
        system.stop()
    assert completed["outputs"] == [
        {"lot": "LOT-WH-MO-00008", "quantity": 5, "uom": "C62"}
    ]
    assert completed["close"] is True
    assert completed["scrap"] == [
        {"product": "BOLT", "quantity": 1, "uom": "C62", "reason": mes.SCRAP_REASON}
    ]
    # Only untracked components: the lots of the others are Odoo's choice.
    assert completed["consumed"] == [{"product": "BOLT", "quantity": 80, "uom": "C62"}]
    assert len(odoo.events_of(mes.STARTED)) == 1


def test_qms_fail_records_then_opens_and_closes_an_ncr(odoo, tmp_path):
    options = qms.QmsOptions(inspection_delay=0, pass_rate=0, ncr_close_delay=0.05)
    system = qms.QmsSimulator(_endpoint(odoo, qms, tmp_path), options).start()
    request = {
        "lot": "LOT-0042",
        "product": "PANEL",
        "quantity": 10,
        "uom": "C62",
        "reason": "receipt",
        "origin": "WH/IN/00003",
        "inspection": "QC/00017",
    }
    try:
        _notify(system, qms.REQUESTED, "LOT-0042", request)
        _wait_for(odoo, qms.NCR_CLOSED, 1)
    finally:
        system.stop()
    kinds = [e["type"] for e in odoo.received]
    assert kinds == [qms.RECORDED, qms.NCR_OPENED, qms.NCR_CLOSED]
    recorded, opened, closed = (e["data"] for e in odoo.received)
    assert recorded["result"] == "fail" and recorded["inspection"] == "QC/00017"
    assert recorded["measurements"][0]["result"] == "fail"
    diameter = recorded["measurements"][0]
    assert not diameter["lower"] <= diameter["value"] <= diameter["upper"]
    assert opened["severity"] == "major"
    assert opened["lots"] == [{"lot": "LOT-0042", "product": "PANEL"}]
    assert closed["ncr"] == opened["ncr"] == odoo.received[2]["subject"]


def test_qms_pass_records_only_the_result(odoo, tmp_path):
    options = qms.QmsOptions(inspection_delay=0, pass_rate=1)
    system = qms.QmsSimulator(_endpoint(odoo, qms, tmp_path), options).start()
    request = {
        "lot": "LOT-7",
        "product": "PANEL",
        "quantity": 1,
        "uom": "C62",
        "reason": "production",
        "origin": "WH/MO/00001",
        "inspection": "QC/1",
    }
    try:
        _notify(system, qms.REQUESTED, "LOT-7", request)
        recorded = _wait_for(odoo, qms.RECORDED, 1)[0]
        time.sleep(0.1)
    finally:
        system.stop()
    assert recorded["subject"] == "LOT-7" and recorded["data"]["result"] == "pass"
    assert all(m["result"] == "pass" for m in recorded["data"]["measurements"])
    assert len(odoo.received) == 1


def test_plm_plays_the_example_scenario_and_logs_applied(odoo, tmp_path, capsys):
    steps = [dict(step, delay=0) for step in plm.load_scenario(plm.EXAMPLE_SCENARIO)]
    system = plm.PlmSimulator(_endpoint(odoo, plm, tmp_path), steps).start()
    try:
        assert system.done.wait(10)
        applied = {"item": "PK-CABINET", "revision": "A", "change_order": "ECO-0001"}
        _notify(system, plm.BOM_APPLIED, "PK-CABINET", {**applied, "status": "applied"})
        system.receiver.wait_idle()
    finally:
        system.stop()
    assert [e["type"] for e in odoo.received] == [plm.ITEM_RELEASED] * 3 + [
        plm.BOM_RELEASED
    ]
    assert all("sequence" not in e for e in odoo.received)
    assert len(odoo.documents) == 1 and b"<revision>B</revision>" in odoo.documents[0]
    output = capsys.readouterr().out
    assert "BOM applied in Odoo" in output and "PK-CABINET" in output


def test_the_server_schemas_check_the_simulated_events():
    """The schema check of the fixture above really refuses what is wrong."""
    if not server_schemas.envelope_module():
        pytest.skip("the suite's schemas are not next to the kit")
    data = {"production": "WH/MO/1", "started_at": "2026-03-02T08:00:00+00:00"}
    good = events.make_event(mes.STARTED, "WH/MO/1", data, mes.SOURCE, sequence=1)
    assert server_schemas.refusal(good) is None
    typo = {**good, "data": {**data, "workcentre": "L1"}}
    assert server_schemas.refusal(typo)["errors"][0]["pointer"] == "/data"
    naive = {**good, "time": "2026-03-02T08:00:00"}
    assert server_schemas.refusal(naive)["errors"][0]["pointer"] == "/time"
