# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Check events as the suite's server does, with its own envelope module
and the JSON Schemas of its addons, when the kit sits in its repository
(and ``jsonschema``, which the server uses, is installed)."""

import functools
import json
import pathlib
import sys

ADDONS = pathlib.Path(__file__).resolve().parents[3] / "addons"


@functools.cache
def envelope_module():
    """The server's ``protocol.envelope``, or None when it is not here."""
    if not (ADDONS / "integration_log/protocol/envelope.py").exists():
        return None
    try:
        import jsonschema  # noqa: F401 (the server module needs it)
    except ImportError:
        return None
    sys.path.insert(0, str(ADDONS / "integration_log"))
    from protocol import envelope

    return envelope


@functools.cache
def _validator(event_type):
    found = list(ADDONS.glob(f"*/schemas/{event_type}.json"))
    if not found:
        return None
    schema = json.loads(found[0].read_text())
    return envelope_module().compile_schema(schema)


def refusal(event):
    """A 400 problem like the server's for an invalid event, else None."""
    envelope = envelope_module()
    errors = envelope.envelope_errors(event)
    if not errors:
        validator = _validator(event["type"])
        if validator is None:
            errors = [{"pointer": "/type", "message": "unknown event type"}]
        else:
            errors = envelope.data_errors(validator, event)
    if not errors:
        return None
    return {
        "type": "urn:mfg-integration:problem:invalid-data",
        "title": "Invalid data",
        "status": 400,
        "detail": "; ".join(f"{e['pointer']}: {e['message']}" for e in errors),
        "errors": errors,
    }
