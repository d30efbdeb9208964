# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The EPCIS export read as JSON-LD against GS1's own EPCIS 2.0 context.

JSON-LD processors silently drop terms their context does not define, so a
document can look right and mean nothing; expanding it shows what a partner's
EPCIS repository understands. The context comes, offline, from the package of
GS1 Germany's event hash generator, which also reads each event as GS1's
reference implementation does.
"""

import json

import pytest
from epcis_event_hash_generator import hash_generator, json_to_py
from epcis_event_hash_generator.file_document_loader import file_document_loader
from genealogy import formats
from pyld import jsonld
from test_trace_formats import TRACE

# The generator reads its context files with an importlib API that Python
# 3.11 deprecates; that is its business, not this test's.
pytestmark = pytest.mark.filterwarnings("ignore:open_text is deprecated")

EPCIS = "https://ref.gs1.org/epcis/"
CBV = "https://ref.gs1.org/cbv/"


def _expanded_events():
    document = formats.epcis_document(
        TRACE, "2026-03-04T00:00:00Z", {"FG": "4012345000009"}
    )
    jsonld.set_document_loader(file_document_loader())
    (expanded,) = jsonld.expand(document)
    (body,) = expanded[EPCIS + "epcisBody"]
    return document, body[EPCIS + "eventList"]


def _ids(event, prop, key=EPCIS + "epcClass"):
    return sorted(item[key][0]["@id"] for item in event[EPCIS + prop])


def test_every_event_expands_to_gs1_terms():
    document, events = _expanded_events()
    assert len(events) == len(document["epcisBody"]["eventList"]) == 4
    types = sorted(event["@type"][0] for event in events)
    assert types == sorted(
        [EPCIS + "ObjectEvent"] * 2 + [EPCIS + "TransformationEvent"] * 2
    )
    for compact, event in zip(document["epcisBody"]["eventList"], events, strict=True):
        # Every attribute of ours is a term of the EPCIS context: none dropped.
        assert len(event) == len(compact), (sorted(compact), sorted(event))


def test_transformations_link_input_and_output_lots():
    _document, events = _expanded_events()
    transformations = {
        event[EPCIS + "transformationID"][0]["@id"]: event
        for event in events
        if event["@type"] == [EPCIS + "TransformationEvent"]
    }
    first = transformations["urn:mfg-integration:production:WH%2FMO%2F00001"]
    assert _ids(first, "inputQuantityList") == ["urn:mfg-integration:class:lot:RAW:R-1"]
    assert _ids(first, "outputQuantityList") == [
        "urn:mfg-integration:class:lot:SUB:S-1"
    ]
    second = transformations["urn:mfg-integration:production:WH%2FMO%2F00002"]
    assert _ids(second, "outputQuantityList") == [
        "https://id.gs1.org/01/04012345000009/10/SN-1"
    ]


def test_receipt_and_shipment_use_cbv_vocabulary():
    _document, events = _expanded_events()
    steps = sorted(
        event[EPCIS + "bizStep"][0]["@id"]
        for event in events
        if event["@type"] == [EPCIS + "ObjectEvent"]
    )
    assert steps == [CBV + "BizStep-receiving", CBV + "BizStep-shipping"]


def test_gs1_reference_hash_generator_reads_every_event():
    document = formats.epcis_document(TRACE, "2026-03-04T00:00:00Z")
    events = json_to_py.event_list_from_epcis_document_str(json.dumps(document))
    hashes = hash_generator.epcis_hashes_from_events(events)
    assert len(hashes) == 4
    assert all(value.startswith("ni:///sha-256;") for value in hashes)
    assert len(set(hashes)) == 4
