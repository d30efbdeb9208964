# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import hashlib
from datetime import datetime

from protocol import chain

KEY = b"k" * 32


def _entries(count, key=KEY):
    entries = [
        {
            "id": index + 10,
            "chain_seq": index + 1,
            "logged_at": datetime(2026, 3, 1, 8, 0, index),
            "kind": "request",
            "reference": f"msg_{index}",
            "event_id": 100 + index,
            "delivery_id": None,
            "connector_id": None,
            "client_id": 7,
            "state": "accepted",
            "http_status": 202,
            "latency_ms": 3,
            "detail": f"entry {index}",
            "payload_hash": "ab" * 32,
            "user_id": 2,
        }
        for index in range(count)
    ]
    for entry, (prev, digest) in zip(
        entries, chain.seal(chain.GENESIS_HASH, entries, key), strict=True
    ):
        entry["prev_hash"], entry["entry_hash"] = prev, digest
    return entries


def test_a_keyed_chain_holds_only_with_its_key():
    entries = _entries(5)
    assert chain.check_links(entries, key=KEY)[0] is None
    broken, _seq, _last = chain.check_links(entries, key=b"x" * 32)
    assert broken[0]["chain_seq"] == 1
    assert "altered" in broken[1]


def test_a_changed_reference_column_is_found():
    for column, value in (
        ("client_id", 8),
        ("event_id", 999),
        ("connector_id", 1),
        ("delivery_id", 1),
    ):
        entries = _entries(4)
        entries[2][column] = value
        broken, _seq, _last = chain.check_links(entries, key=KEY)
        assert broken[0]["chain_seq"] == 3, column
        assert "altered" in broken[1]


def test_a_hash_recomputed_without_the_key_is_found():
    entries = _entries(4)
    entries[3]["client_id"] = 8
    # What someone with database access but no key can compute: plain SHA-256
    # of the same content, or an HMAC under a guessed key.
    message = (entries[3]["prev_hash"] + chain.canonical(entries[3])).encode()
    entries[3]["entry_hash"] = hashlib.sha256(message).hexdigest()
    broken, _seq, _last = chain.check_links(entries, key=KEY)
    assert broken[0]["chain_seq"] == 4
    entries[3]["entry_hash"] = chain.entry_hash(
        entries[3]["prev_hash"], entries[3], b"guess" * 8
    )
    assert chain.check_links(entries, key=KEY)[0][0]["chain_seq"] == 4
    # With the key, the rewrite would have gone unnoticed: the key is what
    # protects the chain.
    entries[3]["entry_hash"] = chain.entry_hash(
        entries[3]["prev_hash"], entries[3], KEY
    )
    assert chain.check_links(entries, key=KEY)[0] is None


def test_the_hash_covers_the_format():
    entry = _entries(1)[0]
    assert '"format":2' in chain.canonical(entry)


def test_position_macs_bind_every_value_and_the_key():
    mac = chain.position_mac(KEY, "checkpoint", 40, "ab" * 32, 40)
    assert chain.position_holds(KEY, "checkpoint", 40, "ab" * 32, 40, mac)
    assert not chain.position_holds(KEY, "checkpoint", 41, "ab" * 32, 40, mac)
    assert not chain.position_holds(KEY, "checkpoint", 40, "cd" * 32, 40, mac)
    assert not chain.position_holds(KEY, "checkpoint", 40, "ab" * 32, 39, mac)
    assert not chain.position_holds(KEY, "head", 40, "ab" * 32, 40, mac)
    assert not chain.position_holds(b"x" * 32, "checkpoint", 40, "ab" * 32, 40, mac)
    assert not chain.position_holds(KEY, "checkpoint", 40, "ab" * 32, 40, None)
    assert not chain.position_holds(KEY, "checkpoint", 40, "ab" * 32, 40, "é")


def test_a_chain_continues_after_a_checkpoint():
    entries = _entries(8)
    kept = entries[5:]
    checkpoint = entries[4]
    broken, seq, last = chain.check_links(
        kept, checkpoint["chain_seq"], checkpoint["entry_hash"], KEY
    )
    assert broken is None
    assert (seq, last) == (8, entries[-1]["entry_hash"])
    # A checkpoint one entry too late hides nothing: the first kept entry no
    # longer follows it.
    broken, _seq, _last = chain.check_links(
        kept, entries[5]["chain_seq"], entries[5]["entry_hash"], KEY
    )
    assert broken[0]["chain_seq"] == 6
