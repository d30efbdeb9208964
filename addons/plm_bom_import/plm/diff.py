# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The difference between two revisions of a bill of materials.

Lines are matched by position (the PLM's find number) first, then, among the
lines left, by component, in document order; what is left is added or
removed. So a component used at two positions is followed at each position,
where a diff keyed on the component alone would pair the wrong lines.

A line is a mapping with ``position`` (text or None), ``product`` and
``uom`` (any comparable keys), ``quantity`` (a number) and ``designators``
(a list of texts, compared as a set).
"""

ADDED, REMOVED, CHANGED = "added", "removed", "changed"
COMPARED = ("product", "position", "quantity", "uom", "designators")


def diff(old_lines, new_lines, digits=6):
    """The changes from ``old_lines`` to ``new_lines``.

    :param digits: decimal digits at which quantities are compared.
    :returns: a list of ``{"kind", "old", "new", "changes"}`` (``old`` and
        ``new`` are the lines or None, ``changes`` the names of the compared
        values that differ), in the order of the new lines, the removed
        lines last in their old order; unchanged lines are left out.
    """
    pairs = _match(old_lines, new_lines)
    matched_old = {i for i, _j in pairs}
    by_new = dict((j, i) for i, j in pairs)
    changes = []
    for j, new in enumerate(new_lines):
        i = by_new.get(j)
        if i is None:
            changes.append(_change(ADDED, None, new, list(COMPARED)))
            continue
        differ = _differences(old_lines[i], new, digits)
        if differ:
            changes.append(_change(CHANGED, old_lines[i], new, differ))
    changes.extend(
        _change(REMOVED, old, None, list(COMPARED))
        for i, old in enumerate(old_lines)
        if i not in matched_old
    )
    return changes


def _change(kind, old, new, changes):
    return {"kind": kind, "old": old, "new": new, "changes": changes}


def _match(old_lines, new_lines):
    """``[(old index, new index)]``: same position first, then same
    component among the lines left, each in document order."""
    pairs = []
    free_old = list(range(len(old_lines)))
    free_new = list(range(len(new_lines)))
    for key in ("position", "product"):
        waiting = {}
        for i in free_old:
            value = old_lines[i].get(key)
            if value not in (None, ""):
                waiting.setdefault(value, []).append(i)
        still_new = []
        for j in free_new:
            candidates = waiting.get(new_lines[j].get(key))
            if candidates:
                pairs.append((candidates.pop(0), j))
            else:
                still_new.append(j)
        taken = {i for i, _j in pairs}
        free_old = [i for i in free_old if i not in taken]
        free_new = still_new
    return pairs


def _differences(old, new, digits):
    differ = []
    for key in COMPARED:
        if key == "quantity":
            same = round(old[key] - new[key], digits) == 0
        elif key == "designators":
            same = sorted(old.get(key) or []) == sorted(new.get(key) or [])
        else:
            same = (old.get(key) or None) == (new.get(key) or None)
        if not same:
            differ.append(key)
    return differ
