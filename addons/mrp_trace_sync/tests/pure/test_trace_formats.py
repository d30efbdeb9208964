# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import csv
import io
import zipfile

from genealogy import formats

TRACE = {
    "root": {"product": "FG", "lot": "SN-1"},
    "productions": [
        {
            "production": "WH/MO/00002",
            "date": "2026-03-02T10:00:00Z",
            "location": "WH/Production",
            "inputs": [{"product": "SUB", "lot": "S-1", "quantity": 1.0, "uom": "C62"}],
            "outputs": [
                {"product": "FG", "lot": "SN-1", "quantity": 1.0, "uom": "C62"}
            ],
        },
        {
            "production": "WH/MO/00001",
            "date": "2026-03-01T10:00:00Z",
            "location": "WH/Production",
            "inputs": [{"product": "RAW", "lot": "R-1", "quantity": 2.5, "uom": "KGM"}],
            "outputs": [
                {"product": "SUB", "lot": "S-1", "quantity": 1.0, "uom": "C62"}
            ],
        },
    ],
    "receipts": [
        {
            "receipt": "WH/IN/00001",
            "supplier": "Steel & Co",
            "date": "2026-02-27T08:00:00Z",
            "product": "RAW",
            "lot": "R-1",
            "quantity": 10.0,
            "uom": "KGM",
        }
    ],
    "shipments": [
        {
            "shipment": "WH/OUT/00001",
            "customer": "ACME",
            "date": "2026-03-03T08:00:00Z",
            "product": "FG",
            "lot": "SN-1",
            "quantity": 1.0,
            "uom": "C62",
        }
    ],
}


def test_epcis_document_has_one_transformation_per_mo():
    document = formats.epcis_document(
        TRACE, "2026-03-04T00:00:00Z", {"FG": "4012345000009"}
    )
    assert document["type"] == "EPCISDocument"
    assert document["schemaVersion"] == "2.0"
    assert document["@context"] == [formats.EPCIS_CONTEXT]
    events = document["epcisBody"]["eventList"]
    assert [e["type"] for e in events] == [
        "ObjectEvent",
        "TransformationEvent",
        "TransformationEvent",
        "ObjectEvent",
    ]
    assert [e["eventTime"] for e in events] == sorted(e["eventTime"] for e in events)
    first_mo = events[1]
    assert first_mo["inputQuantityList"] == [
        {
            "epcClass": "urn:mfg-integration:class:lot:RAW:R-1",
            "quantity": 2.5,
            "uom": "KGM",
        }
    ]
    last_mo = events[2]
    assert last_mo["outputQuantityList"][0]["epcClass"] == (
        "https://id.gs1.org/01/04012345000009/10/SN-1"
    )
    assert events[0]["bizStep"] == "receiving"
    assert events[3]["bizStep"] == "shipping"
    assert events[3]["destinationList"][0]["destination"].endswith("ACME")
    for event in events:
        assert event["eventTimeZoneOffset"] == "+00:00"


def test_lot_class_escapes_and_uses_gtin_only_when_valid():
    assert (
        formats.lot_class("A B", "L/1") == "urn:mfg-integration:class:lot:A%20B:L%2F1"
    )
    assert formats.lot_class("A", "L", "not-a-gtin").startswith("urn:")


def test_fsma_rows_are_sorted_critical_tracking_events():
    rows = formats.fsma_rows(TRACE, {"FG": "Finished good"})
    assert [r["event"] for r in rows] == [
        "Receiving",
        "Transformation",
        "Transformation",
        "Shipping",
    ]
    assert rows[-1]["destination"] == "ACME"
    assert rows[-1]["product_description"] == "Finished good"
    assert rows[1]["input_lots"] == "RAW/R-1"


def test_csv_and_xlsx_exports():
    rows = formats.fsma_rows(TRACE)
    parsed = list(csv.reader(io.StringIO(formats.to_csv(rows).decode())))
    assert parsed[0][0] == "Critical tracking event"
    assert len(parsed) == 5
    xlsx = formats.to_xlsx(rows)
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        assert "xl/worksheets/sheet1.xml" in archive.namelist()
