# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Event type patterns and IP allow-lists of integration clients."""

import fnmatch
import ipaddress
import re

_PATTERN_RE = re.compile(r"^[a-z0-9*][a-z0-9_.*-]*$")


def split_list(value):
    """Split a comma, space or newline separated setting into items."""
    return [item for item in re.split(r"[,\s]+", value or "") if item]


def invalid_patterns(value):
    """Return the items of ``value`` that are not valid type patterns."""
    return [item for item in split_list(value) if not _PATTERN_RE.match(item)]


def type_allowed(event_type, patterns_value):
    """True when ``event_type`` matches one of the patterns (``*`` wildcards)."""
    return any(
        fnmatch.fnmatchcase(event_type, pattern)
        for pattern in split_list(patterns_value)
    )


def parse_networks(value):
    """Parse a CIDR allow-list; raises ValueError naming the bad item."""
    networks = []
    for item in split_list(value):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError as err:
            raise ValueError(f"{item!r} is not an IP address or CIDR network") from err
    return networks


def trusted_networks(value):
    """The networks of a trusted-proxy setting, and the items that are not
    addresses or networks (left out: a typo never trusts more)."""
    networks, bad = [], []
    for item in split_list(value):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            bad.append(item)
    return networks, bad


def _address(text):
    """An IP address written by a proxy (``1.2.3.4``, ``1.2.3.4:5678``,
    ``::1`` or ``[::1]:5678``), or None."""
    text = (text or "").strip()
    if text.startswith("["):
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if address.version == 6 and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def client_address(peer, forwarded_for, trusted):
    """The address of the client behind trusted reverse proxies.

    :param peer: the address that opened the connection.
    :param forwarded_for: the ``X-Forwarded-For`` header (all of its lines
        joined with commas), or None.
    :param trusted: networks of the trusted proxies (see
        :func:`trusted_networks`); empty trusts none.

    Each trusted proxy appends the address it received the request from, so
    the header is read from the right: the first address that is not a
    trusted proxy is the client. Addresses to its left were written by the
    client itself and are ignored, so they cannot be spoofed. An item that
    is not an address stops the walk and is returned as it is (it matches no
    allow-list).
    """
    address = _address(peer)
    if address is None or not _in_any(address, trusted):
        return peer
    hops = [item.strip() for item in (forwarded_for or "").split(",")]
    hops = [item for item in hops if item]
    current = peer
    for item in reversed(hops):
        current = item
        address = _address(item)
        if address is None or not _in_any(address, trusted):
            break
    return str(address) if address is not None else current


def _in_any(address, networks):
    return any(address in network for network in networks)


def ip_allowed(remote_addr, networks_value):
    """True when no allow-list is set or ``remote_addr`` is in it."""
    networks = parse_networks(networks_value)
    if not networks:
        return True
    try:
        address = ipaddress.ip_address(remote_addr or "")
    except ValueError:
        return False
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    return any(address in network for network in networks)
