# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The XML form of a BOM release: parsed safely, validated against the XSD
the module ships, and turned into the data of ``mfg.bom.released.v1``.

The parser never expands an entity, never loads a DTD or anything from the
network, keeps libxml2's limits on depth and text size (no ``huge_tree``),
and a document that declares a DOCTYPE at all is refused: the protocol has
no use for one, and so no entity can reach the data. Every error carries the
line of the document it is about and the JSON Pointer of the value in the
event data the document becomes.
"""

import functools
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

from lxml import etree

XSD_PATH = Path(__file__).resolve().parent.parent / "schemas" / "bom-release.xsd"
ROOT = "BomRelease"
MAX_ERRORS = 20
# Elements whose value is a list of their children.
LISTS = {"lines": "line", "designators": "designator"}
NUMBERS = ("quantity",)
ENVELOPE_ATTRIBUTES = ("id", "source", "time", "sequence")
_STEP_RE = re.compile(r"^([A-Za-z_][\w.-]*)(?:\[(\d+)\])?$")
_DOCTYPE_RE = re.compile(rb"<!DOCTYPE")
_ELEMENT_RE = re.compile(rb"<[A-Za-z_]")


class BomXmlError(ValueError):
    """A document refused; ``errors`` are ``{"pointer", "message", "line"}``."""

    def __init__(self, message, errors):
        super().__init__(message)
        self.errors = errors[:MAX_ERRORS]


def safe_parser():
    """A parser that expands no entity and fetches nothing."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )


@functools.cache
def schema():
    """The XSD, compiled once per process."""
    return etree.XMLSchema(etree.parse(str(XSD_PATH), safe_parser()))


def parse(body):
    """Parse and validate ``body`` (bytes).

    :returns: ``(data, attributes, lines)``: the event data, the envelope
        attributes of the root, and ``{pointer: line number}`` of every
        element, for error messages.
    :raises BomXmlError: when the document is not well-formed, declares a
        DOCTYPE, or does not match the XSD.
    """
    root = _parse_tree(body)
    _validate(root)
    lines = {}
    data = _convert(root, "/data", lines)
    attributes = {
        name: " ".join(root.get(name).split())
        for name in ENVELOPE_ATTRIBUTES
        if root.get(name) is not None
    }
    if "sequence" in attributes:
        attributes["sequence"] = int(attributes["sequence"])
    return data, attributes, lines


def _refuse_doctype(body):
    """Refuse a DOCTYPE before parsing, so that no DTD is ever read; a
    document in an encoding this scan cannot see is checked after parsing."""
    found = _DOCTYPE_RE.search(body)
    if found and not _ELEMENT_RE.search(body, 0, found.start()):
        line = body.count(b"\n", 0, found.start()) + 1
        raise BomXmlError(
            f"The document declares a DOCTYPE (line {line}): DTDs and entities "
            "are not accepted.",
            [
                {
                    "pointer": "",
                    "message": "DOCTYPE and entity declarations are not accepted",
                    "line": line,
                }
            ],
        )


def _parse_tree(body):
    _refuse_doctype(body)
    try:
        tree = etree.fromstring(body, safe_parser()).getroottree()
    except etree.XMLSyntaxError as err:
        line = err.lineno or 1
        raise BomXmlError(
            f"The document is not well-formed XML: {err.msg}.",
            [{"pointer": "", "message": str(err.msg), "line": line}],
        ) from err
    docinfo = tree.docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise BomXmlError(
            "The document declares a DOCTYPE: DTDs and entities are not accepted.",
            [
                {
                    "pointer": "",
                    "message": "DOCTYPE and entity declarations are not accepted",
                    "line": 1,
                }
            ],
        )
    return tree.getroot()


def _validate(root):
    xsd = schema()
    if xsd.validate(root):
        return
    errors = [
        {
            "pointer": pointer_of_path(entry.path),
            "message": entry.message,
            "line": entry.line,
        }
        for entry in list(xsd.error_log)[:MAX_ERRORS]
    ]
    first = errors[0]
    raise BomXmlError(
        f"The document does not match bom-release.xsd: line {first['line']}: "
        f"{first['message']}",
        errors,
    )


def pointer_of_path(path):
    """The JSON Pointer into the event data of an element's XPath
    (``/BomRelease/lines/line[3]/quantity`` is ``/data/lines/2/quantity``)."""
    steps = [step for step in (path or "").split("/") if step]
    if not steps or not steps[0].startswith(ROOT):
        return ""
    parts = ["", "data"]
    for step in steps[1:]:
        match = _STEP_RE.match(step)
        if not match:
            break
        name, index = match.groups()
        if name in LISTS.values():
            parts.append(str(int(index or 1) - 1))
        else:
            parts.append(name)
    return "/".join(parts)


def _convert(element, pointer, lines):
    """The JSON value of a validated element; fills ``lines``."""
    lines[pointer] = element.sourceline
    children = [child for child in element if isinstance(child.tag, str)]
    name = element.tag
    if name in LISTS:
        return [
            _convert(child, f"{pointer}/{index}", lines)
            for index, child in enumerate(children)
        ]
    if children:
        return {
            child.tag: _convert(child, f"{pointer}/{child.tag}", lines)
            for child in children
        }
    text = " ".join("".join(element.itertext()).split())
    return _number(text) if name in NUMBERS else text


def _number(text):
    try:
        value = Decimal(text)
    except InvalidOperation:  # the XSD admits only decimals: never here
        return text
    return int(value) if value == value.to_integral_value() else float(value)


def line_of(lines, pointer):
    """The line of the element ``pointer`` names, or of its nearest parent."""
    while pointer:
        if pointer in lines:
            return lines[pointer]
        pointer = pointer.rpartition("/")[0]
    return lines.get("/data")
