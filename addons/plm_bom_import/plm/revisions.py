# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The order of revision labels, whatever scheme the PLM uses.

PLMs label revisions ``A``, ``B`` ... ``Z``, ``AA`` (ASME Y14.35), ``1``,
``2`` ... ``10``, or with iterations, ``A.1``, ``A.2``, ``B.1`` (Windchill).
Labels are compared token by token: numbers as numbers, letters by length
then alphabetically (so ``Z`` comes before ``AA``), separators alike; a label
that is the start of another comes first (``A`` before ``A.1``).
"""

import re

_TOKEN_RE = re.compile(r"\d+|[^\W\d_]+|[\W_]+")
_SEPARATOR, _LETTERS, _NUMBER = 0, 1, 2


def revision_key(label):
    """A sort key of the revision ``label`` (case-insensitive)."""
    key = []
    for token in _TOKEN_RE.findall((label or "").strip()):
        if token.isdigit():
            key.append((_NUMBER, int(token), ""))
        elif token[0].isalpha():
            key.append((_LETTERS, len(token), token.upper()))
        else:
            key.append((_SEPARATOR, 0, ""))
    return tuple(key)


def compare(first, second):
    """-1, 0 or 1 as revision ``first`` comes before, is, or comes after
    ``second``."""
    a, b = revision_key(first), revision_key(second)
    return (a > b) - (a < b)


def latest(labels):
    """The latest of ``labels`` (None when there is none)."""
    labels = [label for label in labels if label]
    return max(labels, key=revision_key) if labels else None
