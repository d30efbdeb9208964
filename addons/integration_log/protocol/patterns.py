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
