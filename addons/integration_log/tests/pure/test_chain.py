# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime

from protocol import chain


def _entries(count):
    entries = [
        {
            "id": index + 10,
            "chain_seq": index + 1,
            "logged_at": datetime(2026, 3, 1, 8, 0, index),
            "kind": "event",
            "reference": f"integration.event,{index}",
            "state": "received",
            "http_status": None,
            "latency_ms": None,
            "detail": f"entry {index}",
            "payload_hash": "ab" * 32,
            "user_id": 2,
        }
        for index in range(count)
    ]
    for entry, (prev, digest) in zip(
        entries, chain.seal(chain.GENESIS_HASH, entries), strict=True
    ):
        entry["prev_hash"], entry["entry_hash"] = prev, digest
    return entries


def test_an_intact_chain_holds_across_chunks():
    entries = _entries(10)
    broken, seq, last = chain.check_links(entries[:4])
    assert broken is None
    broken, seq, last = chain.check_links(entries[4:], seq, last)
    assert broken is None
    assert (seq, last) == (10, entries[-1]["entry_hash"])


def test_altered_content_is_found():
    entries = _entries(6)
    entries[3]["detail"] = "nothing happened"
    broken, _seq, _last = chain.check_links(entries)
    assert broken[0]["chain_seq"] == 4
    assert "altered" in broken[1]


def test_rehashed_entry_breaks_the_next_link():
    entries = _entries(6)
    entries[2]["state"] = "dead"
    entries[2]["entry_hash"] = chain.entry_hash(entries[2]["prev_hash"], entries[2])
    broken, _seq, _last = chain.check_links(entries)
    assert broken[0]["chain_seq"] == 4
    assert "previous hash" in broken[1]


def test_removed_entry_is_found():
    entries = _entries(6)
    del entries[1]
    broken, _seq, _last = chain.check_links(entries)
    assert broken[0]["chain_seq"] == 3
    assert "missing" in broken[1]


def test_hash_ignores_unhashed_fields_and_key_order():
    entry = _entries(1)[0]
    copy = dict(reversed(list(entry.items())), unrelated="x")
    assert chain.canonical(entry) == chain.canonical(copy)
