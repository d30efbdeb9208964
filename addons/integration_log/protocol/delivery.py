# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Outbound delivery policy (protocol v1, section 3): retries, responses,
message ids and the outbound URL rules."""

import hashlib
import random
import re
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from fnmatch import fnmatchcase
from urllib.parse import urlsplit

# Seconds between attempts: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h.
DEFAULT_RETRY_SCHEDULE = "5,300,1800,7200,18000,36000,50400,72000,86400"
JITTER = 0.1
# A partner cannot park a delivery for longer than this with Retry-After.
MAX_RETRY_AFTER_SECONDS = 7 * 24 * 3600
EXCERPT_CHARS = 1000

DELIVERED = "delivered"
GONE = "gone"
THROTTLED = "throttled"
RETRY = "retry"


def parse_retry_schedule(value):
    """Parse a comma-separated list of positive seconds into a tuple.

    Raises ValueError naming the bad item.
    """
    items = [item.strip() for item in (value or "").split(",")]
    if not any(items):
        raise ValueError("the retry schedule is empty")
    delays = []
    for item in items:
        if not item.isdigit() or int(item) <= 0:
            raise ValueError(f"{item!r} is not a positive number of seconds")
        delays.append(int(item))
    return tuple(delays)


def retry_delay(schedule, attempt, rng=random):
    """Seconds to wait after failed attempt number ``attempt`` (1-based).

    :returns: the delay with +/-10 % jitter, or None when the schedule is
        used up and the delivery is dead.
    """
    if attempt > len(schedule):
        return None
    base = schedule[attempt - 1]
    return max(1.0, base * rng.uniform(1 - JITTER, 1 + JITTER))


def classify_status(status):
    """What a response status means for the delivery."""
    if 200 <= status < 300:
        return DELIVERED
    if status == 410:
        return GONE
    if status in (429, 503):
        return THROTTLED
    return RETRY


def parse_retry_after(value, now=None):
    """Seconds asked for by a Retry-After header (delta-seconds or HTTP-date).

    :returns: seconds (at least 1, at most a week), or None when the header
        is absent or unreadable.
    """
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        seconds = int(value)
    else:
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        now = now or datetime.now(timezone.utc)
        seconds = int((moment - now).total_seconds())
    return min(max(seconds, 1), MAX_RETRY_AFTER_SECONDS)


def batch_message_id(event_ids):
    """webhook-id of a batch: the same events give the same id, on every retry
    and replay; a different set of events gives another id."""
    digest = hashlib.sha256("\n".join(sorted(event_ids)).encode()).hexdigest()
    return "batch_" + digest[:40]


def excerpt(text, limit=EXCERPT_CHARS):
    """The beginning of a response body, bounded, for the delivery log."""
    if not text:
        return ""
    return text if len(text) <= limit else text[:limit] + "…"


def check_url(url):
    """Check an outbound URL; returns its lower-case host name.

    Raises ValueError saying what is wrong.
    """
    try:
        parts = urlsplit(url or "")
        port = parts.port
    except ValueError as err:
        raise ValueError(f"{url!r} is not a valid URL: {err}") from err
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"{url!r}: only http and https URLs are allowed")
    if not parts.hostname:
        raise ValueError(f"{url!r} has no host name")
    if parts.username or parts.password:
        raise ValueError(
            f"{url!r}: credentials in the URL are not allowed; the request is "
            "signed instead"
        )
    del port
    return parts.hostname.lower()


def host_allowed(host, allowed_patterns):
    """True when ``host`` matches an allowed host (``*.example.com`` wildcards
    match sub-domains only)."""
    host = (host or "").lower().rstrip(".")
    return any(
        fnmatchcase(host, pattern.lower().strip()) for pattern in allowed_patterns
    )


_HOST_PATTERN_RE = re.compile(
    r"^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$"
    r"|^[0-9a-f:.]+$"
)


def valid_host_pattern(pattern):
    """A host name, an IP address, or ``*.`` followed by a domain."""
    return bool(_HOST_PATTERN_RE.match((pattern or "").lower()))
