# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""When to try a request again, and after how long.

Exponential backoff with full jitter: the n-th wait is drawn uniformly
between 0 and ``min(max_delay, base_delay * 2 ** (n - 1))``, so that many
clients that failed together do not come back together. A ``Retry-After``
from Odoo (429, 503) is honoured as it is, up to ``max_retry_after``.
"""

import dataclasses
import random
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

# Statuses below 500 that are worth a retry: Odoo asks to slow down.
RETRY_STATUSES = frozenset({408, 429})


def is_retryable(status):
    """True for 5xx, 408 and 429: a later attempt may succeed. Any other
    4xx (400, 401, 403, 409, 413, 415...) would be refused again."""
    return status >= 500 or status in RETRY_STATUSES


@dataclasses.dataclass(frozen=True)
class RetryPolicy:
    """Bounds of the retries of one request."""

    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    # A longer Retry-After is not waited for in the request: the request
    # fails, and the caller (the buffer's forwarder) comes back later.
    max_retry_after: float = 120.0

    def cap(self, attempt):
        """The longest wait after failed attempt number ``attempt`` (1-based)."""
        return min(self.max_delay, self.base_delay * 2 ** (attempt - 1))

    def delay(self, attempt, retry_after=None, rng=random):
        """Seconds to wait after failed attempt ``attempt``, or None when
        the request should give up now."""
        if attempt >= self.max_attempts:
            return None
        if retry_after is not None:
            return retry_after if retry_after <= self.max_retry_after else None
        return rng.uniform(0, self.cap(attempt))


def parse_retry_after(value, now=None):
    """Seconds asked for by a ``Retry-After`` header (delta-seconds or an
    HTTP-date), or None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(min(int(value[:10]), 10**9))
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    now = now or datetime.now(timezone.utc)
    return max(0.0, (moment - now).total_seconds())
