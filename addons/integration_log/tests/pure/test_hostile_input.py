# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Input a fuzzer or a careless partner sends: every case is a ValueError or
a pointer error, never another exception, and what is kept is bounded."""

import json

import pytest
from protocol import envelope, signature
from test_envelope import make_event

SECRET = "whsec_bWVzLWRlbW8tc2lnbmluZy1zZWNyZXQtMzItYnl0ZXM="


def raw_event(name, raw_value, **overrides):
    """JSON text of an event whose attribute ``name`` is ``raw_value``
    verbatim (what json.dumps would never write)."""
    text = json.dumps(make_event(**{name: "@@RAW@@"}, **overrides))
    return text.replace('"@@RAW@@"', raw_value)


def pointers(errors):
    return [error["pointer"] for error in errors]


@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [
        ("id", '"a\\u0000b"', "NUL"),
        ("source", '"urn:\\u0000"', "NUL"),
        ("subject", '"\\ud800"', "surrogate"),
        ("subject", '"x\\udfff"', "surrogate"),
        ("sequence", "NaN", "NaN is not a JSON number"),
        ("sequence", "Infinity", "Infinity is not a JSON number"),
        ("sequence", "1e400", "out of the range"),
        ("sequence", "9" * 400, "at most 300 digits"),
    ],
)
def test_unusable_envelope_values_are_pointer_errors(name, raw, message):
    event = envelope.parse_json(raw_event(name, raw).encode())
    errors = envelope.envelope_errors(event, (3,))
    assert pointers(errors) == [f"/3/{name}"]
    assert message in errors[0]["message"]
    # What is kept of it can be stored and serialised.
    stored = json.dumps(event, ensure_ascii=False).encode()
    assert b"\x00" not in stored


def test_unusable_data_values_are_reported_by_the_data_check():
    raw = raw_event("data", '{"quantity": -Infinity, "note\\u0000": "x"}')
    event = envelope.parse_json(raw)
    assert envelope.envelope_errors(event) == []
    validator = envelope.compile_schema({"type": "object"})
    errors = envelope.data_errors(validator, event)
    assert set(pointers(errors)) == {"/data/quantity", "/data/note\ufffd"}


@pytest.mark.parametrize(
    "time", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"]
)
def test_times_out_of_range_in_utc_are_refused(time):
    errors = envelope.envelope_errors(make_event(time=time))
    assert pointers(errors) == ["/time"]
    assert "out of range" in errors[0]["message"]
    with pytest.raises(ValueError):
        envelope.parse_time(time)


def test_sequence_accepts_epoch_milliseconds_and_refuses_past_int64():
    assert envelope.envelope_errors(make_event(sequence=1_767_225_600_000)) == []
    assert envelope.envelope_errors(make_event(sequence=2**63 - 1)) == []
    errors = envelope.envelope_errors(make_event(sequence=2**63))
    assert pointers(errors) == ["/sequence"]


def test_date_time_formats_in_data_are_enforced():
    validator = envelope.compile_schema(
        {
            "type": "object",
            "properties": {"started_at": {"type": "string", "format": "date-time"}},
        }
    )
    for bad in ("yesterday", "2026-03-01T08:00:00", "2026-13-01T08:00:00Z"):
        errors = envelope.data_errors(validator, {"data": {"started_at": bad}})
        assert pointers(errors) == ["/data/started_at"], bad
    good = {"data": {"started_at": "2026-03-01T08:00:00.5+02:00"}}
    assert envelope.data_errors(validator, good) == []


def test_a_single_body_nested_too_deeply_is_not_json():
    with pytest.raises(ValueError, match="nested"):
        envelope.parse_json(b'{"a":' * 5000 + b"1" + b"}" * 5000)


def test_a_batch_item_nested_too_deeply_is_refused_alone():
    deep = "[" * 5000 + "]" * 5000
    body = f'[{json.dumps(make_event())}, {deep}, {{"x": "]"}}]'.encode()
    events = envelope.parse_json(body)
    assert len(events) == 3
    assert envelope.envelope_errors(events[0], (0,)) == []
    assert pointers(envelope.envelope_errors(events[1], (1,))) == ["/1"]
    assert events[2] == {"x": "]"}


def test_nesting_beyond_the_limit_is_cut_at_the_limit():
    depth = envelope.MAX_DEPTH + 5
    data = '{"a":' * depth + "1" + "}" * depth
    event = envelope.parse_json(raw_event("data", data))
    validator = envelope.compile_schema({})
    (error,) = envelope.data_errors(validator, event)
    assert error["pointer"] == "/data" + "/a" * (envelope.MAX_DEPTH - 1)
    assert "levels deep" in error["message"]


@pytest.mark.parametrize(
    "body", [b"\x00", b"", b"[1,", b"[" + b"[" * 3000 + b"]" * 3000 + b",", b"\xff"]
)
def test_what_is_not_json_is_a_value_error(body):
    with pytest.raises(ValueError):
        envelope.parse_json(body)


def test_messages_quote_a_bounded_part_of_the_value():
    validator = envelope.compile_schema(
        {"type": "object", "properties": {"quantity": {"type": "number"}}}
    )
    errors = envelope.data_errors(validator, {"data": {"quantity": "x" * 200_000}})
    assert len(errors[0]["message"]) <= envelope.MESSAGE_CHARS
    assert "is not of type 'number'" in errors[0]["message"]


def test_errors_are_capped():
    event = make_event(**{f"X{i}": 1 for i in range(100)})
    errors = envelope.envelope_errors(event)
    assert len(errors) == envelope.MAX_ERRORS


@pytest.mark.parametrize(
    ("timestamp", "header", "message"),
    [
        ("9" * 400, "v1,x", "Unix seconds"),
        ("1_700_000_000", "v1,x", "Unix seconds"),
        (" 1700000000", "v1,x", "Unix seconds"),
        ("1700000000", "v1,\u00e9", "no v1 signature"),
        ("1700000000", "v1,abc\u00e9 v2,x", "no v1 signature"),
    ],
)
def test_hostile_signature_headers_are_signature_errors(timestamp, header, message):
    with pytest.raises(signature.SignatureError, match=message):
        signature.verify([SECRET], "m", timestamp, header, b"{}", now=1700000000)


def test_a_webhook_id_with_a_nul_is_refused():
    headers = signature.sign_headers(SECRET, "m\x00x", b"{}", timestamp=1700000000)
    with pytest.raises(signature.SignatureError, match="control characters"):
        signature.verify(
            [SECRET],
            headers["webhook-id"],
            headers["webhook-timestamp"],
            headers["webhook-signature"],
            b"{}",
            now=1700000000,
        )


def test_values_carried_by_an_error_are_bounded():
    error = envelope.bounded_error(
        {
            "pointer": "/data/" + "a" * 5000,
            "message": "m" * 5000,
            "value": "x" * 10_000,
            "lines": [{"lot": "L" * 1000}],
            "quantity": 3,
        }
    )
    assert len(error["pointer"]) <= envelope.MESSAGE_CHARS
    assert len(error["message"]) <= envelope.MESSAGE_CHARS
    assert len(error["value"]) <= envelope.QUOTE_CHARS
    assert len(error["lines"]) <= envelope.QUOTE_CHARS
    assert error["quantity"] == 3
