# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The hash chain of the integration log (protocol v1, section 4).

Each sealed entry stores ``entry_hash = HMAC-SHA256(key, prev_hash +
canonical JSON of its fields)``, the key coming from the server
configuration. Changing, removing or reordering any sealed entry changes the
hashes from there on, so verification finds the first broken link; and
without the key, nobody who can write to the database can compute a hash
that verifies, so an edited entry cannot be re-hashed to hide the edit.

Two rows outside the chain carry a MAC of their own: the chain *head* (the
last sealed position, so removing the latest entries is found) and the
retention *checkpoint* (the last purged position, where verification
starts once old entries are purged).
"""

import hashlib
import hmac
import json

GENESIS_HASH = "0" * 64
# Format of the hashed content; part of it, so a change of format can never
# be confused with an altered entry.
FORMAT = 2

# The entry fields covered by the hash, in a fixed order. The references
# (event, delivery, connector, client) are covered too: an entry cannot be
# moved to another client or event.
HASHED_FIELDS = (
    "id",
    "chain_seq",
    "logged_at",
    "kind",
    "reference",
    "event_id",
    "delivery_id",
    "connector_id",
    "client_id",
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
    values["format"] = FORMAT
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(prev_hash, entry, key=None):
    """Hash of ``entry`` chained after ``prev_hash``: HMAC-SHA256 with
    ``key`` (bytes); without a key, a plain SHA-256 (only for tools that
    check the links of an exported chain, never for sealing)."""
    message = (prev_hash + canonical(entry)).encode()
    if key is None:
        return hashlib.sha256(message).hexdigest()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def seal(prev_hash, entries, key=None):
    """Hash ``entries`` (mappings with ``chain_seq`` set) after ``prev_hash``.

    :returns: list of ``(prev_hash, entry_hash)`` in order.
    """
    hashes = []
    for entry in entries:
        digest = entry_hash(prev_hash, entry, key)
        hashes.append((prev_hash, digest))
        prev_hash = digest
    return hashes


def check_links(entries, prev_seq=0, prev_hash=GENESIS_HASH, key=None):
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
        if not _same(entry["entry_hash"], entry_hash(prev_hash, entry, key)):
            return (
                (entry, "its content does not match its hash: it was altered"),
                prev_seq,
                prev_hash,
            )
        prev_seq, prev_hash = entry["chain_seq"], entry["entry_hash"]
    return None, prev_seq, prev_hash


def position_mac(key, kind, chain_seq, position_hash, count=0):
    """MAC of a position of the chain kept outside it: ``kind`` is
    ``"head"`` (the last sealed entry) or ``"checkpoint"`` (the last purged
    entry, ``count`` entries purged in all)."""
    message = json.dumps(
        [FORMAT, kind, chain_seq, position_hash, count], separators=(",", ":")
    )
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def position_holds(key, kind, chain_seq, position_hash, count, mac):
    """True when ``mac`` is the MAC of that position under ``key``."""
    return _same(mac, position_mac(key, kind, chain_seq, position_hash, count))


def _same(stored, expected):
    # Constant time; a stored value may be anything, even non-ASCII text.
    return hmac.compare_digest((stored or "").encode(), expected.encode())


def _plain(value):
    if value is None or value is False:
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
