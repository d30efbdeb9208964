# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What the integration's queue jobs share."""

from contextlib import contextmanager

import psycopg2

from odoo.addons.queue_job.exception import RetryableJobError

# Seconds before a job that lost its database connection runs again.
LOST_DATABASE_RETRY_SECONDS = 5


@contextmanager
def retried_if_database_lost():
    """Run a job's work; a lost database connection (a restart, a failover,
    a connection cut by an administrator) makes queue_job run the job again
    a little later instead of marking it failed: its work was rolled back,
    and its events or deliveries count the interrupted attempt themselves.
    Concurrency errors keep their own handling by queue_job."""
    try:
        yield
    except psycopg2.InterfaceError as err:
        raise RetryableJobError(
            f"The database connection was lost: {err}",
            seconds=LOST_DATABASE_RETRY_SECONDS,
        ) from err
    except psycopg2.OperationalError as err:
        # No code: the connection broke; class 08: connection exception;
        # class 57: operator intervention (pg_terminate_backend, shutdown).
        if err.pgcode is not None and err.pgcode[:2] not in ("08", "57"):
            raise
        raise RetryableJobError(
            f"The database connection was lost: {err}",
            seconds=LOST_DATABASE_RETRY_SECONDS,
        ) from err
