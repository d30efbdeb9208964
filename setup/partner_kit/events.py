# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""CloudEvents 1.0 envelopes (structured JSON mode) as protocol v1 wants them."""

import threading
import time
import uuid
from datetime import datetime, timezone

SPECVERSION = "1.0"
DATA_CONTENT_TYPE = "application/json"
REQUIRED = ("specversion", "id", "source", "type", "time", "subject", "data")


def now_rfc3339():
    """The current time in RFC 3339 with an offset (UTC, milliseconds)."""
    return rfc3339(datetime.now(timezone.utc))


def rfc3339(moment):
    """``moment`` in RFC 3339; a naive datetime is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.isoformat(timespec="milliseconds")


def make_event(
    event_type,
    subject,
    data,
    source,
    *,
    event_id=None,
    event_time=None,
    sequence=None,
    traceparent=None,
):
    """A complete envelope; ``event_id`` defaults to a new UUID and
    ``event_time`` (when the fact happened) to now.

    Keep the id when sending the same fact again: Odoo deduplicates on
    (source, id), so a resend is answered ``duplicate``, never applied twice.
    """
    event = {
        "specversion": SPECVERSION,
        "id": event_id or str(uuid.uuid4()),
        "source": source,
        "type": event_type,
        "time": event_time or now_rfc3339(),
        "subject": subject,
        "datacontenttype": DATA_CONTENT_TYPE,
        "data": data,
    }
    if sequence is not None:
        event["sequence"] = int(sequence)
    if traceparent:
        event["traceparent"] = traceparent
    return event


def complete(event, source=None):
    """A copy of a partial ``event`` (type, subject and data at least) with
    the missing envelope attributes filled in: specversion, id, ``source``,
    time and datacontenttype."""
    if not isinstance(event, dict):
        raise ValueError("an event is a JSON object")
    filled = {
        "specversion": SPECVERSION,
        "id": str(uuid.uuid4()),
        "time": now_rfc3339(),
        "datacontenttype": DATA_CONTENT_TYPE,
    }
    if source:
        filled["source"] = source
    filled.update(event)
    check(filled)
    return filled


def check(event):
    """Raise ValueError when ``event`` lacks a required envelope attribute
    (Odoo checks everything else, against the schema of its type)."""
    if not isinstance(event, dict):
        raise ValueError("an event is a JSON object")
    missing = [name for name in REQUIRED if name not in event]
    if missing:
        raise ValueError(f"event {event.get('id')!r} lacks {', '.join(missing)}")
    for name in ("id", "source", "type", "subject"):
        if not isinstance(event[name], str) or not event[name]:
            raise ValueError(f"event attribute {name} must be a non-empty string")


class SequenceCounter:
    """``sequence`` values that increase per subject, across restarts too.

    Odoo marks an event whose sequence is lower than one already applied for
    its (source, subject) as stale, so a counter that restarts at 1 would
    silence a restarted system. Epoch milliseconds never go back; the
    counter only adds one when two events of a subject share a millisecond.
    """

    def __init__(self, clock=time.time):
        self._clock = clock
        self._last = {}
        self._lock = threading.Lock()

    def next(self, subject):
        with self._lock:
            value = max(int(self._clock() * 1000), self._last.get(subject, 0) + 1)
            self._last[subject] = value
            return value
