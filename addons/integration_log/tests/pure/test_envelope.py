# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime

import pytest
from protocol import envelope


def make_event(**overrides):
    event = {
        "specversion": "1.0",
        "id": "evt-1",
        "source": "urn:mes:plant-lyon",
        "type": "mfg.production.started.v1",
        "time": "2026-03-01T08:00:00+01:00",
        "subject": "WH/MO/00001",
        "data": {"production": "WH/MO/00001"},
    }
    event.update(overrides)
    return {k: v for k, v in event.items() if v is not None}


def test_a_valid_envelope_has_no_error():
    assert envelope.envelope_errors(make_event(sequence=3)) == []


@pytest.mark.parametrize(
    ("overrides", "pointer"),
    [
        ({"specversion": "0.3"}, "/specversion"),
        ({"id": ""}, "/id"),
        ({"id": "x" * 256}, "/id"),
        ({"time": "2026-03-01 08:00"}, "/time"),
        ({"time": "2026-03-01T08:00:00"}, "/time"),
        ({"sequence": 0}, "/sequence"),
        ({"sequence": True}, "/sequence"),
        ({"traceparent": "nope"}, "/traceparent"),
        ({"datacontenttype": "text/xml"}, "/datacontenttype"),
        ({"Subject": "typo"}, "/Subject"),
    ],
)
def test_invalid_attributes_are_reported_with_their_pointer(overrides, pointer):
    errors = envelope.envelope_errors(make_event(**overrides))
    assert pointer in [e["pointer"] for e in errors]


def test_missing_required_attributes_are_reported():
    errors = envelope.envelope_errors({"specversion": "1.0"})
    messages = " ".join(e["message"] for e in errors)
    for name in ("id", "source", "type", "time", "subject", "data"):
        assert repr(name) in messages


def test_batch_pointers_start_with_the_event_index():
    errors = envelope.envelope_errors(make_event(sequence=0), base_path=(7,))
    assert errors[0]["pointer"] == "/7/sequence"


def test_extension_attributes_with_scalar_values_are_allowed():
    assert envelope.envelope_errors(make_event(plant="lyon", shift=2)) == []
    errors = envelope.envelope_errors(make_event(plant={"a": 1}))
    assert errors[0]["pointer"] == "/plant"


def test_data_is_validated_against_the_type_schema():
    validator = envelope.compile_schema(
        {
            "type": "object",
            "additionalProperties": False,
            "required": ["outputs"],
            "properties": {
                "outputs": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["lot"],
                        "properties": {"lot": {"type": "string"}},
                    },
                }
            },
        }
    )
    event = make_event(data={"outputs": [{"lot": "L1"}, {"lot": 5}], "typo": 1})
    pointers = {e["pointer"] for e in envelope.data_errors(validator, event)}
    assert pointers == {"/data/outputs/1/lot", "/data"}


def test_time_is_converted_to_naive_utc():
    assert envelope.parse_time("2026-03-01T08:00:00+01:00") == datetime(2026, 3, 1, 7)
    assert envelope.parse_time("2026-03-01T08:00:00.5Z") == datetime(
        2026, 3, 1, 8, 0, 0, 500000
    )


def test_payload_hash_ignores_key_order_and_spacing():
    first = {"a": 1, "b": {"c": [1, 2]}}
    second = {"b": {"c": [1, 2]}, "a": 1}
    assert envelope.payload_hash(first) == envelope.payload_hash(second)
    assert envelope.payload_hash(first) != envelope.payload_hash({"a": 2})


def test_pointer_escapes_slashes_and_tildes():
    assert envelope.pointer(["a/b", "c~d", 0]) == "/a~1b/c~0d/0"


def test_media_type_drops_parameters():
    assert (
        envelope.media_type("Application/CloudEvents+JSON; charset=utf-8")
        == envelope.CONTENT_TYPE_SINGLE
    )
