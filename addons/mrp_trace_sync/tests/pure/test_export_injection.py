# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Spreadsheet exports keep partner-typed names as text (OWASP CSV injection)."""

import csv
import io
import re
import zipfile
from xml.etree import ElementTree

from genealogy import formats

NAMES = [
    "=1+1",
    "+CMD",
    "-2",
    "@SUM(A1)",
    '=HYPERLINK("http://example.com","x")',
    "\t=1+1",
    "\r=1+1",
    "http://example.com",
]
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _raw(quantity, **values):
    """An item of the raw lot ``-2`` (kg)."""
    return {"product": "RAW", "lot": "-2", "quantity": quantity, "uom": "KGM", **values}


def _finished(**values):
    """An item of the finished lot ``=1+1`` (one piece)."""
    return {"product": "FG", "lot": "=1+1", "quantity": 1.0, "uom": "C62", **values}


# The recall of the raw lot: received, made into the finished lot, shipped.
RECALL = {
    "receipts": [
        _raw(10.0, receipt="WH/IN/1", supplier="@SUM(A1)", date="2026-03-01T08:00:00Z")
    ],
    "productions": [
        {
            "production": "=MO",
            "date": "2026-03-02T10:00:00Z",
            "location": "WH/Production",
            "inputs": [_raw(2.5)],
            "outputs": [_finished()],
        }
    ],
    "shipments": [
        _finished(
            shipment="WH/OUT/1",
            customer='=HYPERLINK("http://example.com","x")',
            date="2026-03-03T08:00:00Z",
        )
    ],
    "stock": [_raw(-0.5, location="+WH/Stock", date="2026-03-04T00:00:00Z")],
}


def _sheet_cells(xlsx):
    """``{reference: (cell type, text, has formula)}`` of the first sheet,
    shared strings resolved, and whether the workbook holds any link."""
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        names = archive.namelist()
        shared = []
        if "xl/sharedStrings.xml" in names:
            root = ElementTree.fromstring(archive.read("xl/sharedStrings.xml"))
            shared = ["".join(si.itertext()) for si in root.iter(MAIN + "si")]
        sheet = ElementTree.fromstring(archive.read("xl/worksheets/sheet1.xml"))
        has_links = any("hyperlink" in archive.read(n).decode() for n in names)
    cells = {}
    for cell in sheet.iter(MAIN + "c"):
        value = cell.find(MAIN + "v")
        text = value.text if value is not None else None
        if cell.get("t") == "s":
            text = shared[int(text)]
        cells[cell.get("r")] = (
            cell.get("t"),
            text,
            cell.find(MAIN + "f") is not None,
        )
    return cells, has_links


def test_csv_cell_quotes_every_formula_trigger():
    for name in NAMES[:-1]:
        assert formats.csv_cell(name) == "'" + name, name
    assert formats.csv_cell("http://example.com") == "http://example.com"
    assert formats.csv_cell("WH/OUT/00001") == "WH/OUT/00001"
    assert formats.csv_cell("") == ""
    assert formats.csv_cell(None) == ""


def test_csv_cell_keeps_numbers_numbers():
    assert formats.csv_cell(-2.0) == -2.0
    assert formats.csv_cell(3) == 3
    row = next(csv.reader(io.StringIO(f"{formats.csv_cell(-2.5)}\r\n")))
    assert row == ["-2.5"]


def test_csv_export_escapes_names_and_keeps_quantities():
    rows = formats.fsma_rows(RECALL)
    parsed = list(csv.reader(io.StringIO(formats.to_csv(rows).decode())))
    assert [row[0] for row in parsed[1:]] == [
        "Receiving",
        "Transformation",
        "Shipping",
        "On hand",
    ]
    receiving, transformation, shipping, on_hand = parsed[1:]
    assert receiving[2] == "'-2"
    assert receiving[9] == "'@SUM(A1)"
    assert transformation[2] == "'=1+1"
    assert transformation[7] == "'=MO"
    assert transformation[11] == "RAW/-2", "the cell does not start with a trigger"
    assert shipping[10] == '\'=HYPERLINK("http://example.com","x")'
    assert on_hand[8] == "'+WH/Stock"
    assert on_hand[5] == "-0.5", "a number is not quoted"
    assert receiving[5] == "10.0"
    for row in parsed[1:]:
        text = row[:5] + row[6:]  # all but the quantity
        assert not [c for c in text if c.startswith(formats.FORMULA_TRIGGERS)], row


def test_fsma_rows_end_with_stock_on_hand():
    rows = formats.fsma_rows(RECALL, {"RAW": "Steel powder"})
    on_hand = rows[-1]
    assert on_hand["event"] == "On hand"
    assert on_hand["traceability_lot_code"] == "-2"
    assert on_hand["location"] == "+WH/Stock"
    assert on_hand["quantity"] == -0.5
    assert on_hand["product_description"] == "Steel powder"
    assert on_hand["date"] == "2026-03-04T00:00:00Z"
    stock_without_date = dict(RECALL, stock=[dict(RECALL["stock"][0], date=None)])
    assert formats.fsma_rows(stock_without_date)[-1]["date"] is None


def test_xlsx_export_writes_text_as_text_and_numbers_as_numbers():
    rows = [
        dict(formats.fsma_rows(RECALL)[0], traceability_lot_code=name, quantity=-2.0)
        for name in NAMES
    ]
    cells, has_links = _sheet_cells(formats.to_xlsx(rows))
    assert not has_links, "no cell became a link"
    assert not [ref for ref, cell in cells.items() if cell[2]], "no formula"
    for index, name in enumerate(NAMES, start=2):
        cell_type, text, _formula = cells[f"C{index}"]
        assert cell_type == "s", (name, cell_type)
        # XlsxWriter escapes control characters as _xHHHH_ in the XML.
        assert re.sub(r"_x000[9D]_", lambda m: chr(int(m[0][2:6], 16)), text) == name
        assert cells[f"F{index}"][0] is None, "a number cell has no text type"
        assert float(cells[f"F{index}"][1]) == -2.0
    assert cells["A1"] == ("s", "Critical tracking event", False)
