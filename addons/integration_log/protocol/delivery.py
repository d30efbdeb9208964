# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Outbound delivery policy (protocol v1, section 3): retries, responses,
message ids and the outbound URL rules."""

import dataclasses
import hashlib
import ipaddress
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
# Longer numbers are past the week anyway: never parsed (int() of thousands
# of digits is slow, and refused by Python 3.11+).
MAX_RETRY_AFTER_DIGITS = 10
# An IMF-fixdate is 29 characters; obsolete formats are a little longer.
MAX_HTTP_DATE_CHARS = 64
_DELTA_SECONDS_RE = re.compile(r"[0-9]+")
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

    The header is the partner's to write: anything but ASCII digits or a
    date that parses gives None, never an exception. A number too long to
    be meant (beyond a week anyway) counts as the longest wait allowed, as
    RFC 9111 says of an overflowing delta-seconds.

    :returns: seconds (at least 1, at most a week), or None when the header
        is absent or unreadable.
    """
    if not value or not isinstance(value, str):
        return None
    value = value.strip()
    if _DELTA_SECONDS_RE.fullmatch(value):
        if len(value) > MAX_RETRY_AFTER_DIGITS:
            return MAX_RETRY_AFTER_SECONDS
        seconds = int(value)
    else:
        seconds = _seconds_until(value, now)
        if seconds is None:
            return None
    return min(max(seconds, 1), MAX_RETRY_AFTER_SECONDS)


def _seconds_until(value, now):
    """Seconds from ``now`` to the HTTP-date ``value``, or None."""
    if len(value) > MAX_HTTP_DATE_CHARS or not value.isascii():
        return None
    try:
        moment = parsedate_to_datetime(value)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        now = now or datetime.now(timezone.utc)
        return int((moment - now).total_seconds())
    except (TypeError, ValueError, IndexError, OverflowError, AttributeError):
        # email.utils raises any of these on odd input, depending on the
        # Python version: they all mean the date is unreadable.
        return None


def batch_message_id(event_ids):
    """webhook-id of a batch: the same events give the same id, on every retry
    and replay; a different set of events gives another id."""
    digest = hashlib.sha256("\n".join(sorted(event_ids)).encode()).hexdigest()
    return "batch_" + digest[:40]


def excerpt(text, limit=EXCERPT_CHARS):
    """The beginning of a response body, bounded, for the delivery log."""
    if not text:
        return ""
    text = storable_text(text[: limit + 1])
    return text if len(text) <= limit else text[:limit] + "…"


def storable_text(text):
    """``text`` as PostgreSQL can store it: no NUL character, no lone
    surrogate (some codecs, such as unicode_escape or utf-7, decode bytes
    into them)."""
    text = text.replace("\x00", "\ufffd")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text


def decode_excerpt(data, charset):
    """Bytes of a response body as text, in the charset the partner declared.

    An unknown or unusable charset (``x-bogus``; ``idna``, which refuses the
    error handler; ``base64``, which is no text encoding...) falls back to
    UTF-8: the excerpt is for people to read, never a reason to fail.
    """
    try:
        text = data.decode(charset or "utf-8", "replace")
    except Exception:
        # LookupError, UnicodeError, and whatever an odd codec raises.
        text = data.decode("utf-8", "replace")
    return storable_text(text)


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
    match sub-domains only; an IP address also matches a CIDR range)."""
    host = (host or "").lower().rstrip(".")
    if any(fnmatchcase(host, pattern.lower().strip()) for pattern in allowed_patterns):
        return True
    address = _address(host)
    return address is not None and _in_networks(address, allowed_patterns)


def address_refusal(address, allowed_patterns, host_allowed_by_name=True):
    """Why Odoo may not connect to ``address`` (an IP address that the URL's
    host resolved to), or None when it may.

    Loopback, private, link-local and every other non-public address need
    an entry naming them (an IP address or a CIDR range), whatever the host
    name: ``*.partner.com`` does not trust the partner's DNS with them. A
    public address is allowed when its host name is.
    """
    ip = _address(address)
    if ip is None:
        return f"{address!r} is not an IP address"
    if _in_networks(ip, allowed_patterns):
        return None
    if is_internal_address(ip):
        return (
            f"{ip} is a loopback, private or link-local address, allowed only "
            "by an allowed host entry naming it (an IP address or CIDR range)"
        )
    if not host_allowed_by_name:
        return f"{ip} is not an allowed host"
    return None


@dataclasses.dataclass(frozen=True)
class AddressPolicy:
    """The check of the addresses a URL's host resolves to, at send time."""

    allowed_patterns: tuple
    host_allowed_by_name: bool = True

    def refusal(self, address):
        return address_refusal(
            address, self.allowed_patterns, self.host_allowed_by_name
        )


def is_internal_address(ip):
    """True for every address that is not a public unicast one: loopback,
    private, link-local, shared, reserved, multicast, unspecified."""
    return not ip.is_global or ip.is_multicast or ip.is_reserved


def _address(text):
    """``text`` as an IP address (IPv4-mapped IPv6 as IPv4), else None."""
    try:
        ip = ipaddress.ip_address((text or "").split("%", 1)[0].strip("[]"))
    except ValueError:
        return None
    if ip.version == 6 and ip.ipv4_mapped:
        return ip.ipv4_mapped
    return ip


def _in_networks(ip, allowed_patterns):
    for pattern in allowed_patterns:
        try:
            network = ipaddress.ip_network(pattern.strip(), strict=False)
        except ValueError:
            continue
        if ip in network:
            return True
    return False


_HOST_PATTERN_RE = re.compile(
    r"^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$"
    r"|^[0-9a-f:.]+$"
)


def valid_host_pattern(pattern):
    """A host name, an IP address, a CIDR range (``10.1.0.0/16``), or ``*.``
    followed by a domain."""
    pattern = (pattern or "").lower()
    if "/" in pattern:
        try:
            ipaddress.ip_network(pattern, strict=False)
        except ValueError:
            return False
        return True
    return bool(_HOST_PATTERN_RE.match(pattern))
