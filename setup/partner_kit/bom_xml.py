# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The BomRelease XML document of ``POST /plm/bom`` from the data of an
``mfg.bom.released.v1`` event: the elements are named like its fields
(``GET /integration/v1/schemas/bom-release.xsd`` has the XSD)."""

from decimal import Decimal

from lxml import etree

ROOT = "BomRelease"
# Lists: the element, then the element of each item.
LISTS = {"lines": "line", "designators": "designator"}
ENVELOPE_ATTRIBUTES = ("id", "source", "time", "sequence")


def bom_document(data, **envelope):
    """The XML bytes of a BOM release.

    ``envelope`` may give the attributes ``id``, ``source``, ``time`` and
    ``sequence`` of the event the document becomes. Without an ``id`` Odoo
    derives one from the document, so sending it again is a duplicate.
    """
    root = etree.Element(ROOT)
    for name in ENVELOPE_ATTRIBUTES:
        if envelope.get(name) is not None:
            root.set(name, str(envelope[name]))
    _fill(root, data)
    return etree.tostring(
        root, xml_declaration=True, encoding="UTF-8", pretty_print=True
    )


def _fill(element, data):
    for name, value in data.items():
        if value is None:
            continue
        child = etree.SubElement(element, name)
        if name in LISTS:
            for item in value:
                _item(child, LISTS[name], item)
        else:
            child.text = _text(value)


def _item(parent, tag, item):
    element = etree.SubElement(parent, tag)
    if isinstance(item, dict):
        _fill(element, item)
    else:
        element.text = _text(item)


def _text(value):
    """Numbers as xs:decimal (no exponent); everything else as text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return format(Decimal(str(value)).normalize(), "f")
    return str(value)
