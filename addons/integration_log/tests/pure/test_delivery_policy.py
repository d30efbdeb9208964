# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import random
from datetime import datetime, timezone

import pytest
from protocol import delivery


def test_default_schedule_is_the_spec_schedule():
    schedule = delivery.parse_retry_schedule(delivery.DEFAULT_RETRY_SCHEDULE)
    assert schedule == (5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400)


@pytest.mark.parametrize("value", ["", "5,,10", "5,-1", "5,abc", "0"])
def test_bad_schedules_name_the_item(value):
    with pytest.raises(ValueError):
        delivery.parse_retry_schedule(value)


def test_retry_delay_has_jitter_and_ends():
    rng = random.Random(7)
    schedule = (100, 1000)
    delays = {round(delivery.retry_delay(schedule, 1, rng), 3) for _ in range(20)}
    assert len(delays) > 1
    assert all(90 <= d <= 110 for d in delays)
    assert 900 <= delivery.retry_delay(schedule, 2, rng) <= 1100
    assert delivery.retry_delay(schedule, 3, rng) is None


@pytest.mark.parametrize(
    ("status", "meaning"),
    [
        (200, delivery.DELIVERED),
        (204, delivery.DELIVERED),
        (301, delivery.RETRY),
        (400, delivery.RETRY),
        (410, delivery.GONE),
        (429, delivery.THROTTLED),
        (500, delivery.RETRY),
        (503, delivery.THROTTLED),
    ],
)
def test_classify_status(status, meaning):
    assert delivery.classify_status(status) == meaning


def test_retry_after_seconds_and_date():
    now = datetime(2026, 3, 1, 12, 0, 0, tzinfo=timezone.utc)
    assert delivery.parse_retry_after("120") == 120
    assert delivery.parse_retry_after("0") == 1
    assert delivery.parse_retry_after("Sun, 01 Mar 2026 12:01:30 GMT", now) == 90
    assert delivery.parse_retry_after("tomorrow") is None
    assert delivery.parse_retry_after(None) is None
    assert delivery.parse_retry_after("99999999") == delivery.MAX_RETRY_AFTER_SECONDS


def test_batch_message_id_depends_on_the_set_only():
    first = delivery.batch_message_id(["b", "a", "c"])
    assert first == delivery.batch_message_id(["c", "b", "a"])
    assert first != delivery.batch_message_id(["a", "b"])
    assert first.startswith("batch_")


def test_excerpt_is_bounded():
    assert delivery.excerpt("x" * 5000, 100) == "x" * 100 + "…"
    assert delivery.excerpt("ok") == "ok"
    assert delivery.excerpt(None) == ""


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/hook",
        "file:///etc/passwd",
        "gopher://x",
        "https://",
        "https://user:pw@example.com/",
        "http://example.com:99999/",
        "example.com/hook",
    ],
)
def test_check_url_refuses(url):
    with pytest.raises(ValueError):
        delivery.check_url(url)


def test_check_url_returns_the_host():
    assert delivery.check_url("https://MES.Example.com:8443/hooks") == "mes.example.com"
    assert delivery.check_url("http://127.0.0.1:9000/x") == "127.0.0.1"


def test_host_allowed_wildcards_match_subdomains_only():
    allowed = ["*.plant.example.com", "127.0.0.1"]
    assert delivery.host_allowed("mes.plant.example.com", allowed)
    assert not delivery.host_allowed("plant.example.com", allowed)
    assert not delivery.host_allowed("evil-plant.example.com", allowed)
    assert delivery.host_allowed("127.0.0.1", allowed)
    assert not delivery.host_allowed("169.254.169.254", allowed)


@pytest.mark.parametrize(
    ("pattern", "valid"),
    [
        ("mes.example.com", True),
        ("*.example.com", True),
        ("127.0.0.1", True),
        ("::1", True),
        ("*", False),
        ("exa mple.com", False),
        ("http://example.com", False),
    ],
)
def test_valid_host_pattern(pattern, valid):
    assert delivery.valid_host_pattern(pattern) is valid
