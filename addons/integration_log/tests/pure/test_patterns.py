# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import pytest
from protocol import patterns


@pytest.mark.parametrize(
    ("event_type", "allowed", "expected"),
    [
        ("mfg.inspection.recorded.v1", "mfg.inspection.*", True),
        ("mfg.inspection.recorded.v1", "mfg.production.*, mfg.inspection.*", True),
        ("mfg.bom.released.v1", "mfg.inspection.*", False),
        ("mfg.bom.released.v1", "", False),
        ("mfg.bom.released.v1", "*", True),
        ("mfg.bom.released.v1", "mfg.bom.released.v1", True),
    ],
)
def test_type_allowed(event_type, allowed, expected):
    assert patterns.type_allowed(event_type, allowed) is expected


def test_invalid_patterns_are_listed():
    assert patterns.invalid_patterns("mfg.*, Mfg.X, a b/c") == ["Mfg.X", "b/c"]


@pytest.mark.parametrize(
    ("address", "allowlist", "expected"),
    [
        ("10.1.2.3", "", True),
        ("10.1.2.3", "10.1.0.0/16", True),
        ("10.2.2.3", "10.1.0.0/16, 192.0.2.7", False),
        ("192.0.2.7", "10.1.0.0/16, 192.0.2.7", True),
        ("::ffff:10.1.2.3", "10.1.0.0/16", True),
        ("2001:db8::1", "2001:db8::/32", True),
        ("not-an-ip", "10.0.0.0/8", False),
    ],
)
def test_ip_allowed(address, allowlist, expected):
    assert patterns.ip_allowed(address, allowlist) is expected


def test_parse_networks_names_the_bad_item():
    with pytest.raises(ValueError, match="'10.0.0.300'"):
        patterns.parse_networks("10.0.0.0/8, 10.0.0.300")
