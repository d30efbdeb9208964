# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Bodies of POST /events: one event, or batches within the protocol limits."""

import json

MAX_EVENT_BYTES = 256 * 1024
MAX_BATCH_EVENTS = 500
MAX_BATCH_BYTES = 5 * 1024 * 1024
CONTENT_TYPE_SINGLE = "application/cloudevents+json"
CONTENT_TYPE_BATCH = "application/cloudevents-batch+json"


def encode(value):
    """Compact UTF-8 JSON: the exact bytes that are signed and sent."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def batch_body(encoded_events):
    """The JSON array of already encoded events."""
    return b"[" + b",".join(encoded_events) + b"]"


def split(events, max_events=MAX_BATCH_EVENTS, max_bytes=MAX_BATCH_BYTES):
    """Cut ``events`` into consecutive batches of at most ``max_events``
    events and ``max_bytes`` bytes of body, in order.

    :returns: a list of ``(events, body)`` pairs. An event larger than
        ``max_bytes`` on its own travels alone (and Odoo refuses it).
    """
    batches, current, encoded, size = [], [], [], 2
    for event in events:
        raw = encode(event)
        added = len(raw) + (1 if encoded else 0)
        if encoded and (len(encoded) >= max_events or size + added > max_bytes):
            batches.append((current, batch_body(encoded)))
            current, encoded, size = [], [], 2
            added = len(raw)
        current.append(event)
        encoded.append(raw)
        size += added
    if encoded:
        batches.append((current, batch_body(encoded)))
    return batches
