# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import time

import pytest
from plm import bom_xml

DOCUMENT = b"""<?xml version="1.0" encoding="UTF-8"?>
<BomRelease id="rel-1" source="urn:plm:test" sequence="7">
  <lines>
    <line>
      <position>10</position>
      <item> C-1 </item><quantity>2.5</quantity><uom>KGM</uom>
      <designators><designator>R1</designator><designator>R2</designator></designators>
    </line>
    <line><item>C-2</item><quantity>3</quantity><uom>C62</uom></line>
  </lines>
  <approval>approved</approval>
  <item>FG</item>
  <revision>B</revision>
  <change_order>ECO-7</change_order>
  <effective_from>2026-03-01</effective_from>
  <quantity>1</quantity>
  <uom>C62</uom>
</BomRelease>
"""


def test_parse_any_order_and_lines():
    data, attributes, lines = bom_xml.parse(DOCUMENT)
    assert data == {
        "lines": [
            {
                "position": "10",
                "item": "C-1",
                "quantity": 2.5,
                "uom": "KGM",
                "designators": ["R1", "R2"],
            },
            {"item": "C-2", "quantity": 3, "uom": "C62"},
        ],
        "approval": "approved",
        "item": "FG",
        "revision": "B",
        "change_order": "ECO-7",
        "effective_from": "2026-03-01",
        "quantity": 1,
        "uom": "C62",
    }
    assert attributes == {"id": "rel-1", "source": "urn:plm:test", "sequence": 7}
    assert lines["/data/lines/1/item"] == 9
    assert bom_xml.line_of(lines, "/data/lines/0/designators/1") == 7
    assert bom_xml.line_of(lines, "/data/lines/0/nothing") == 4


def refused(document):
    with pytest.raises(bom_xml.BomXmlError) as info:
        bom_xml.parse(document)
    return info.value


def test_xsd_errors_carry_line_and_pointer():
    error = refused(DOCUMENT.replace(b"<quantity>3<", b"<quantity>0<"))
    assert error.errors[0]["line"] == 9
    assert error.errors[0]["pointer"] == "/data/lines/1/quantity"
    error = refused(DOCUMENT.replace(b"<uom>C62</uom>\n</", b"</"))
    assert "uom" in error.errors[0]["message"]
    assert error.errors[0]["pointer"] == "/data"


def test_doctype_and_entities_refused_without_expansion():
    bomb = (
        b'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY a "'
        + b"x" * 1000
        + b'">'
        + b"".join(
            b'<!ENTITY a%d "%s">' % (n, (b"&a;" if n == 0 else b"&a%d;" % (n - 1)) * 10)
            for n in range(12)
        )
        + b"]>\n<BomRelease><item>&a11;</item></BomRelease>"
    )
    started = time.monotonic()
    error = refused(bomb)
    assert time.monotonic() - started < 1
    assert error.errors[0]["line"] == 2
    assert "DOCTYPE" in str(error)
    error = refused(
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY s SYSTEM "file:///etc/passwd">]>'
        b"<BomRelease><item>&s;</item></BomRelease>"
    )
    assert "DOCTYPE" in str(error)


def test_doctype_hidden_from_the_scan_is_refused_after_parsing():
    utf16 = (
        '<?xml version="1.0" encoding="UTF-16"?>\n'
        '<!DOCTYPE BomRelease [<!ENTITY e "x">]>\n<BomRelease/>'
    ).encode("utf-16")
    assert "DOCTYPE" in str(refused(utf16))


def test_not_well_formed():
    error = refused(b"<BomRelease>\n<item>x</item>\n<lines>")
    assert error.errors[0]["line"] == 3
    assert "not well-formed" in str(error)


def test_pointer_of_path():
    assert bom_xml.pointer_of_path("/BomRelease/lines/line[3]/quantity") == (
        "/data/lines/2/quantity"
    )
    assert bom_xml.pointer_of_path(
        "/BomRelease/lines/line/designators/designator[2]"
    ) == ("/data/lines/0/designators/1")
    assert bom_xml.pointer_of_path("/BomRelease") == "/data"
    assert bom_xml.pointer_of_path("/other") == ""
