# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The hash chain of the integration log (protocol v1, section 4).

Each sealed entry stores ``entry_hash = SHA-256(prev_hash + canonical JSON of
its fields)``. Changing, removing or reordering any sealed entry changes the
hashes from there on, so verification finds the first broken link.
"""

import hashlib
import json

GENESIS_HASH = "0" * 64

# The entry fields covered by the hash, in a fixed order.
HASHED_FIELDS = (
    "id",
    "chain_seq",
    "logged_at",
    "kind",
    "reference",
    "state",
    "http_status",
    "latency_ms",
    "detail",
    "payload_hash",
    "user_id",
)


def canonical(entry):
    """Canonical JSON of the hashed fields of ``entry`` (a mapping)."""
    values = {name: _plain(entry.get(name)) for name in HASHED_FIELDS}
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(prev_hash, entry):
    return hashlib.sha256((prev_hash + canonical(entry)).encode()).hexdigest()


def seal(prev_hash, entries):
    """Hash ``entries`` (mappings with ``chain_seq`` set) after ``prev_hash``.

    :returns: list of ``(prev_hash, entry_hash)`` in order.
    """
    hashes = []
    for entry in entries:
        digest = entry_hash(prev_hash, entry)
        hashes.append((prev_hash, digest))
        prev_hash = digest
    return hashes


def check_links(entries, prev_seq=0, prev_hash=GENESIS_HASH):
    """Check entries in chain order, continuing after ``(prev_seq, prev_hash)``.

    :returns: ``(broken, last_seq, last_hash)`` where ``broken`` is ``None``
        when the links hold, else ``(entry, reason)`` for the first entry
        whose link is broken.
    """
    for entry in entries:
        if entry["chain_seq"] != prev_seq + 1:
            return (
                (
                    entry,
                    f"sequence {entry['chain_seq']} follows {prev_seq}: "
                    "entries are missing or were reordered",
                ),
                prev_seq,
                prev_hash,
            )
        if entry["prev_hash"] != prev_hash:
            return (
                (entry, "its previous hash does not match the entry before it"),
                prev_seq,
                prev_hash,
            )
        if entry["entry_hash"] != entry_hash(prev_hash, entry):
            return (
                (entry, "its content does not match its hash: it was altered"),
                prev_seq,
                prev_hash,
            )
        prev_seq, prev_hash = entry["chain_seq"], entry["entry_hash"]
    return None, prev_seq, prev_hash


def _plain(value):
    if value is None or value is False:
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
