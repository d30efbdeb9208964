# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Transaction-level PostgreSQL advisory locks keyed by text.

The parts of a key are joined with the unit separator, so that no two
different keys (``("a b", "c")`` and ``("a", "b c")``) share a lock.
"""

from odoo.tools import SQL


def lock_key(*parts):
    return "\x1f".join(str(part) for part in parts)


def xact_lock(cr, *parts):
    """Wait for the lock; it is released at the end of the transaction."""
    cr.execute(
        SQL("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", lock_key(*parts))
    )


def try_xact_lock(cr, *parts):
    """Take the lock if free; ``False`` when another transaction holds it."""
    cr.execute(
        SQL(
            "SELECT pg_try_advisory_xact_lock(hashtextextended(%s, 0))",
            lock_key(*parts),
        )
    )
    return cr.fetchone()[0]
