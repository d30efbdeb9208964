# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""CloudEvents 1.0 structured-mode envelopes (protocol v1, section 1)."""

import hashlib
import json
import re
from datetime import datetime, timezone
from pathlib import Path

from jsonschema import Draft202012Validator

MAX_EVENT_BYTES = 256 * 1024
MAX_BATCH_BYTES = 5 * 1024 * 1024
MAX_BATCH_EVENTS = 500

CONTENT_TYPE_SINGLE = "application/cloudevents+json"
CONTENT_TYPE_BATCH = "application/cloudevents-batch+json"

KNOWN_ATTRIBUTES = {
    "specversion",
    "id",
    "source",
    "type",
    "time",
    "subject",
    "datacontenttype",
    "sequence",
    "traceparent",
    "data",
    "dataschema",
}
# CloudEvents extension attribute names: lower-case letters and digits.
_EXTENSION_NAME_RE = re.compile(r"^[a-z0-9]{1,20}$")
_RFC3339_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"
)

# The envelope schema is shipped as a file so partners can validate with it too.
ENVELOPE_SCHEMA = json.loads(
    (Path(__file__).resolve().parent.parent / "schemas" / "cloudevent.json").read_text()
)
_ENVELOPE_VALIDATOR = Draft202012Validator(ENVELOPE_SCHEMA)


def pointer(path):
    """RFC 6901 JSON Pointer of a path given as a sequence of keys/indexes."""
    parts = [str(p).replace("~", "~0").replace("/", "~1") for p in path]
    return "".join("/" + p for p in parts)


def parse_time(value):
    """Parse an RFC 3339 timestamp with offset into a naive UTC datetime."""
    if not isinstance(value, str) or not _RFC3339_RE.match(value):
        raise ValueError(f"{value!r} is not an RFC 3339 timestamp with offset")
    text = value.replace("z", "Z").replace("t", "T")
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as err:
        raise ValueError(f"{value!r} is not a valid date and time") from err
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def _schema_errors(validator, instance, base_path):
    errors = []
    for error in sorted(validator.iter_errors(instance), key=lambda e: list(e.path)):
        errors.append(
            {
                "pointer": pointer(list(base_path) + list(error.absolute_path)),
                "message": error.message,
            }
        )
    return errors


def envelope_errors(event, base_path=()):
    """Validate the CloudEvents attributes; return a list of pointer errors."""
    if not isinstance(event, dict):
        return [{"pointer": pointer(base_path), "message": "an event is a JSON object"}]
    errors = _schema_errors(_ENVELOPE_VALIDATOR, event, base_path)
    if "time" in event and isinstance(event["time"], str):
        try:
            parse_time(event["time"])
        except ValueError as err:
            errors.append(
                {"pointer": pointer([*base_path, "time"]), "message": str(err)}
            )
    for name, value in event.items():
        if name in KNOWN_ATTRIBUTES:
            continue
        if not _EXTENSION_NAME_RE.match(name):
            errors.append(
                {
                    "pointer": pointer([*base_path, name]),
                    "message": f"unknown attribute {name!r}: extension attribute "
                    "names are 1-20 lower-case letters or digits",
                }
            )
        elif not isinstance(value, str | int | bool):
            errors.append(
                {
                    "pointer": pointer([*base_path, name]),
                    "message": f"extension attribute {name!r} must be a string, "
                    "integer or boolean",
                }
            )
    return errors


def data_errors(validator, event, base_path=()):
    """Validate ``event['data']`` with the type's compiled JSON Schema."""
    return _schema_errors(validator, event.get("data"), [*base_path, "data"])


def compile_schema(schema):
    """Check a JSON Schema (Draft 2020-12) and return its validator."""
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def canonical_json(value):
    """Stable serialisation: the same event always gives the same bytes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def payload_hash(event):
    """SHA-256 of the canonical event, used to tell duplicates from conflicts."""
    return hashlib.sha256(canonical_json(event).encode()).hexdigest()


def media_type(content_type_header):
    """The media type of a Content-Type header, lower-cased, without parameters."""
    return (content_type_header or "").split(";", 1)[0].strip().lower()


def summarize_errors(errors, limit=None):
    """``pointer: message`` of each error (the first ``limit``), on one line."""
    return "; ".join(f"{e['pointer']}: {e['message']}" for e in errors[:limit])
