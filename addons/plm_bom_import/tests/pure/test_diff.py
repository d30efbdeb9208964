# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from plm import diff


def line(product, quantity=1, position=None, uom="C62", designators=()):
    return {
        "product": product,
        "quantity": quantity,
        "position": position,
        "uom": uom,
        "designators": list(designators),
    }


def summary(changes):
    return [
        (
            change["kind"],
            (change["old"] or {}).get("position"),
            (change["new"] or {}).get("position"),
            change["changes"] if change["kind"] == diff.CHANGED else None,
        )
        for change in changes
    ]


def test_same_component_at_two_positions():
    old = [line("X", 1, "10"), line("X", 2, "20"), line("Y", 1, "30")]
    new = [line("X", 1, "10"), line("X", 3, "20"), line("Z", 1, "40")]
    assert summary(diff.diff(old, new)) == [
        ("changed", "20", "20", ["quantity"]),
        ("added", None, "40", None),
        ("removed", "30", None, None),
    ]


def test_component_swapped_at_a_position_is_a_change():
    old = [line("X", 1, "10")]
    new = [line("Y", 1, "10")]
    assert summary(diff.diff(old, new)) == [("changed", "10", "10", ["product"])]


def test_moved_line_matched_by_component():
    old = [line("X", 1, "10"), line("Y", 1, "20")]
    new = [line("Y", 1, "20"), line("X", 1, "15")]
    assert summary(diff.diff(old, new)) == [("changed", "10", "15", ["position"])]


def test_lines_without_positions_match_by_component_in_order():
    old = [line("X", 1), line("X", 2), line("Y", 1)]
    new = [line("X", 1), line("X", 5)]
    assert summary(diff.diff(old, new)) == [
        ("changed", None, None, ["quantity"]),
        ("removed", None, None, None),
    ]


def test_designators_compare_as_sets_and_quantities_at_precision():
    old = [line("X", 1.004, "10", designators=["R2", "R1"])]
    new = [line("X", 1.0, "10", designators=["R1", "R2"])]
    assert diff.diff(old, new, digits=2) == []
    assert summary(diff.diff(old, new, digits=3)) == [
        ("changed", "10", "10", ["quantity"])
    ]


def test_unit_change_is_a_change():
    old = [line("X", 12, "10", uom="C62")]
    new = [line("X", 1, "10", uom="DZN")]
    assert summary(diff.diff(old, new)) == [
        ("changed", "10", "10", ["quantity", "uom"])
    ]
