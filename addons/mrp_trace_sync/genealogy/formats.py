# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Exports of a trace (protocol v1, section 7).

A trace is the JSON of ``GET /lots/trace``: ``root``, ``nodes``, ``edges``,
``shipments``, ``receipts``, plus ``productions`` (one entry per MO with its
``inputs`` and ``outputs``), which the JSON format also returns. A recall
spreadsheet adds ``stock``: what is still on hand, by location.

Spreadsheets never turn a value into a formula or a link: a lot or a partner
is named by whoever typed it, and a cell ``=HYPERLINK(...)`` would run in the
reader's spreadsheet (CSV injection, OWASP).
"""

import csv
import io
from urllib.parse import quote

EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
CLASS_PREFIX = "urn:mfg-integration:class:lot:"

FSMA_COLUMNS = [
    ("event", "Critical tracking event"),
    ("date", "Date"),
    ("traceability_lot_code", "Traceability lot code"),
    ("product", "Product code"),
    ("product_description", "Product description"),
    ("quantity", "Quantity"),
    ("uom", "Unit of measure"),
    ("reference_document", "Reference document"),
    ("location", "Location description"),
    ("source", "Immediate previous source"),
    ("destination", "Immediate subsequent recipient"),
    ("input_lots", "Traceability lot codes used (transformation)"),
]
# A spreadsheet reads a text cell starting with one of these as a formula
# (OWASP CSV injection); a leading quote keeps it text.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def lot_class(product, lot, gtin=None):
    """Lot-level class identifier of EPCIS: a GS1 Digital Link when the
    product has a GTIN, else a URN of this suite."""
    if gtin and gtin.isdigit() and len(gtin) in (8, 12, 13, 14):
        return f"https://id.gs1.org/01/{gtin.zfill(14)}/10/{quote(lot, safe='')}"
    return CLASS_PREFIX + quote(product, safe="") + ":" + quote(lot, safe="")


def epcis_document(trace, created_at, gtins=None):
    """EPCIS 2.0 JSON-LD: a TransformationEvent per MO, an ObjectEvent per
    receipt (receiving) and shipment (shipping)."""
    gtins = gtins or {}

    def quantity_element(item):
        return {
            "epcClass": lot_class(
                item["product"], item["lot"], gtins.get(item["product"])
            ),
            "quantity": item["quantity"],
            "uom": item["uom"],
        }

    events = [
        *(
            _transformation_event(production, quantity_element)
            for production in trace.get("productions", [])
        ),
        *(
            _receiving_event(receipt, quantity_element)
            for receipt in trace.get("receipts", [])
        ),
        *(
            _shipping_event(shipment, quantity_element)
            for shipment in trace.get("shipments", [])
        ),
    ]
    events.sort(key=lambda event: event["eventTime"] or "")
    return {
        "@context": [EPCIS_CONTEXT],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": created_at,
        "epcisBody": {"eventList": events},
    }


def _transformation_event(production, quantity_element):
    return {
        "type": "TransformationEvent",
        "eventTime": production["date"],
        "eventTimeZoneOffset": "+00:00",
        "transformationID": "urn:mfg-integration:production:"
        + quote(production["production"], safe=""),
        "inputQuantityList": [quantity_element(i) for i in production["inputs"]],
        "outputQuantityList": [quantity_element(o) for o in production["outputs"]],
        "bizStep": "commissioning",
        "disposition": "active",
    }


def _receiving_event(receipt, quantity_element):
    return {
        "type": "ObjectEvent",
        "eventTime": receipt["date"],
        "eventTimeZoneOffset": "+00:00",
        "action": "OBSERVE",
        "quantityList": [quantity_element(receipt)],
        "bizStep": "receiving",
        "disposition": "in_progress",
        "bizTransactionList": [
            {"type": "desadv", "bizTransaction": _doc_urn(receipt["receipt"])}
        ],
        "sourceList": [
            {"type": "owning_party", "source": _party_urn(receipt["supplier"])}
        ],
    }


def _shipping_event(shipment, quantity_element):
    return {
        "type": "ObjectEvent",
        "eventTime": shipment["date"],
        "eventTimeZoneOffset": "+00:00",
        "action": "OBSERVE",
        "quantityList": [quantity_element(shipment)],
        "bizStep": "shipping",
        "disposition": "in_transit",
        "bizTransactionList": [
            {"type": "desadv", "bizTransaction": _doc_urn(shipment["shipment"])}
        ],
        "destinationList": [
            {"type": "owning_party", "destination": _party_urn(shipment["customer"])}
        ],
    }


def fsma_rows(trace, descriptions=None):
    """One row per critical tracking event (receiving, transformation,
    shipping) with its key data elements, sorted by date; then one "On hand"
    row per lot and location of the ``stock`` still held, if any."""
    descriptions = descriptions or {}

    def row(event, item, document, **values):
        return {
            "event": event,
            "date": item["date"],
            "traceability_lot_code": item["lot"],
            "product": item["product"],
            "product_description": descriptions.get(item["product"], ""),
            "quantity": item["quantity"],
            "uom": item["uom"],
            "reference_document": document,
            "location": item.get("location", ""),
            "source": "",
            "destination": "",
            "input_lots": "",
            **values,
        }

    rows = [
        row("Receiving", receipt, receipt["receipt"], source=receipt["supplier"])
        for receipt in trace.get("receipts", [])
    ]
    for production in trace.get("productions", []):
        inputs = ", ".join(f"{i['product']}/{i['lot']}" for i in production["inputs"])
        rows += [
            row(
                "Transformation",
                dict(
                    output,
                    date=production["date"],
                    location=production.get("location", ""),
                ),
                production["production"],
                input_lots=inputs,
            )
            for output in production["outputs"]
        ]
    rows += [
        row(
            "Shipping", shipment, shipment["shipment"], destination=shipment["customer"]
        )
        for shipment in trace.get("shipments", [])
    ]
    rows.sort(key=_flow_order)
    # Stock comes last: the state of things when the spreadsheet was made.
    return rows + [
        row("On hand", dict(item, date=item.get("date")), "")
        for item in trace.get("stock", [])
    ]


# Events of the same second keep the order of the flow.
_FLOW = {"Receiving": 0, "Transformation": 1, "Shipping": 2}


def _flow_order(row):
    return (row["date"] or "", _FLOW[row["event"]], row["traceability_lot_code"])


def csv_cell(value):
    """``value`` as a CSV cell: numbers stay numbers, text that a spreadsheet
    would read as a formula gets a leading quote."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def to_csv(rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([title for _key, title in FSMA_COLUMNS])
    for row in rows:
        writer.writerow([csv_cell(row.get(key)) for key, _title in FSMA_COLUMNS])
    return buffer.getvalue().encode("utf-8")


def to_xlsx(rows, sheet_name="FSMA 204"):
    import xlsxwriter

    buffer = io.BytesIO()
    # Text is written as text: never as a formula, a link or a number.
    workbook = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    sheet = workbook.add_worksheet(sheet_name)
    bold = workbook.add_format({"bold": True})
    for column, (_key, title) in enumerate(FSMA_COLUMNS):
        sheet.write_string(0, column, title, bold)
    for row_index, row in enumerate(rows, start=1):
        for column, (key, _title) in enumerate(FSMA_COLUMNS):
            _write_cell(sheet, row_index, column, row.get(key))
    if rows:
        sheet.autofilter(0, 0, len(rows), len(FSMA_COLUMNS) - 1)
    sheet.freeze_panes(1, 0)
    workbook.close()
    return buffer.getvalue()


def _write_cell(sheet, row, column, value):
    """Numbers as numbers, anything else as a text cell."""
    if value is None or value == "":
        sheet.write_blank(row, column, None)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        sheet.write_number(row, column, value)
    else:
        sheet.write_string(row, column, str(value))


def _doc_urn(name):
    return "urn:mfg-integration:document:" + quote(name or "", safe="")


def _party_urn(name):
    return "urn:mfg-integration:party:" + quote(name or "", safe="")
