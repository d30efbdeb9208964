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


def hold_job_lock(cr, job_uuid):
    """Mark the running queue job ``job_uuid`` as alive until the end of its
    transaction: a worker killed in the middle (SIGKILL, time or memory
    limit) loses its connection, and PostgreSQL releases the lock with it."""
    if job_uuid:
        xact_lock(cr, "queue_job_running", job_uuid)


def job_lock_free(cr, job_uuid):
    """Whether no live transaction holds the lock of job ``job_uuid`` (taken
    and released at once when free)."""
    return try_xact_lock(cr, "queue_job_running", job_uuid)
