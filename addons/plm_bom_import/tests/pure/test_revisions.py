# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import pytest
from plm import revisions


@pytest.mark.parametrize(
    "older, newer",
    [
        ("A", "B"),
        ("Z", "AA"),
        ("AZ", "BA"),
        ("1", "2"),
        ("9", "10"),
        ("A", "A.1"),
        ("A.1", "A.2"),
        ("A.9", "A.10"),
        ("A.10", "B.1"),
        ("01", "2"),
        ("rev-3", "rev-12"),
    ],
)
def test_order(older, newer):
    assert revisions.compare(older, newer) == -1
    assert revisions.compare(newer, older) == 1


def test_same_revision_whatever_the_case_or_spaces():
    assert revisions.compare("b", "B") == 0
    assert revisions.compare(" B ", "B") == 0


def test_latest():
    assert revisions.latest(["B", "AA", "C", None]) == "AA"
    assert revisions.latest([]) is None
