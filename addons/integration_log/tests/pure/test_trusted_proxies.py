# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import pytest
from protocol import patterns

TRUSTED, _bad = patterns.trusted_networks("127.0.0.1, 10.1.0.0/16, ::1")


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        # No trusted proxy in front: the header is the client's word only.
        ("192.0.2.7", "203.0.113.9", "192.0.2.7"),
        # One proxy.
        ("127.0.0.1", "203.0.113.9", "203.0.113.9"),
        # Two proxies: a load balancer, then nginx.
        ("127.0.0.1", "203.0.113.9, 10.1.4.2", "203.0.113.9"),
        # A spoofed address on the left is ignored: the proxy appended the
        # real peer on the right.
        ("127.0.0.1", "198.51.100.1, 203.0.113.9", "203.0.113.9"),
        ("127.0.0.1", "198.51.100.1, 203.0.113.9, 10.1.4.2", "203.0.113.9"),
        # Ports and brackets as some proxies write them; IPv4 in IPv6.
        ("::1", "[2001:db8::5]:4711", "2001:db8::5"),
        ("127.0.0.1", "203.0.113.9:4711", "203.0.113.9"),
        ("::ffff:127.0.0.1", "203.0.113.9", "203.0.113.9"),
        # A trusted peer without the header is the client itself.
        ("127.0.0.1", None, "127.0.0.1"),
        ("127.0.0.1", "", "127.0.0.1"),
        # Only trusted proxies: the leftmost is the client.
        ("127.0.0.1", "10.1.0.5", "10.1.0.5"),
        # Garbage written where an address belongs stops the walk.
        ("127.0.0.1", "203.0.113.9, unknown", "unknown"),
    ],
)
def test_client_address_reads_the_header_from_the_right(peer, forwarded, expected):
    assert patterns.client_address(peer, forwarded, TRUSTED) == expected


def test_nothing_is_trusted_without_a_list():
    assert patterns.client_address("127.0.0.1", "203.0.113.9", []) == "127.0.0.1"


def test_garbage_in_the_header_is_never_allowed():
    address = patterns.client_address("127.0.0.1", "10.0.0.1\x00", TRUSTED)
    assert not patterns.ip_allowed(address, "10.0.0.0/8")


def test_bad_items_of_the_trusted_list_are_reported_not_trusted():
    networks, bad = patterns.trusted_networks("127.0.0.1, proxy.local, 10.0.0.300")
    assert [str(n) for n in networks] == ["127.0.0.1/32"]
    assert bad == ["proxy.local", "10.0.0.300"]
