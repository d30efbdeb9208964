# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What a partner's answer can do to the sender: nothing it says raises,
no answer is read beyond a few KiB, and no request outlives its timeout,
even when the partner trickles bytes (against real sockets on 127.0.0.1)."""

import random
import socket
import threading
import time
from datetime import datetime, timezone

import pytest
from protocol import delivery

requests = pytest.importorskip("requests")
from protocol import http_send  # noqa: E402 (needs requests)

MIB = 1024 * 1024


# ----------------------------------------------------------------------
# Retry-After
# ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "value",
    [
        "²",  # latin-1 byte 0xB2 as http.client decodes it; isdigit() is True
        "Â²",  # the UTF-8 bytes of "²" decoded as latin-1
        "١٢٠",  # Arabic-Indic digits: int() would read 120
        "１２０",  # fullwidth digits
        "12a",
        "-5",
        "1.5",
        "Sun, 01 Mar 99999 12:00:00 GMT",
        "Sun, 01 Xyz 2026 12:00:00 GMT",
        "Sun, 01 Mar 2026 12:00:00 +99999999999999999999",
        "Sun, 01 Mar 2026 99:99:99 GMT",
        "Sun, " + "9" * 5000 + " Mar 2026 12:00:00 GMT",
        "x" * 100000,
        "\x00",
        "   ",
    ],
)
def test_unreadable_retry_after_is_none(value):
    assert delivery.parse_retry_after(value) is None


def test_retry_after_of_thousands_of_digits_is_capped_without_int():
    started = time.monotonic()
    assert delivery.parse_retry_after("9" * 5000) == delivery.MAX_RETRY_AFTER_SECONDS
    assert delivery.parse_retry_after("0" * 5000) == delivery.MAX_RETRY_AFTER_SECONDS
    assert time.monotonic() - started < 1


def test_readable_retry_after_still_works():
    now = datetime(2026, 3, 1, 12, 0, 0, tzinfo=timezone.utc)
    assert delivery.parse_retry_after(" 120 ") == 120
    assert delivery.parse_retry_after("0") == 1
    assert delivery.parse_retry_after("604801") == delivery.MAX_RETRY_AFTER_SECONDS
    assert delivery.parse_retry_after("Sun, 01 Mar 2026 12:01:30 GMT", now) == 90
    assert delivery.parse_retry_after("Sun, 01 Mar 2026 11:00:00 GMT", now) == 1


def test_random_retry_after_values_never_raise():
    rng = random.Random(2026)
    alphabet = "0123456789 ,:+-GMTSunMarDec²١\x00\xb2é"
    for _round in range(3000):
        value = "".join(rng.choice(alphabet) for _i in range(rng.randint(1, 40)))
        result = delivery.parse_retry_after(value)
        assert result is None or 1 <= result <= delivery.MAX_RETRY_AFTER_SECONDS


# ----------------------------------------------------------------------
# Decoding the excerpt
# ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "charset",
    ["x-bogus", "idna", "base64", "rot13", "zlib", "punycode", "undefined", ""],
)
def test_an_unusable_charset_falls_back_to_utf8(charset):
    assert delivery.decode_excerpt("héllo".encode(), charset) == "héllo"


def test_a_declared_charset_is_used():
    assert delivery.decode_excerpt(b"caf\xe9", "iso-8859-1") == "café"
    assert delivery.decode_excerpt("café".encode("utf-16"), "utf-16") == "café"


@pytest.mark.parametrize(
    ("data", "charset"),
    [
        (b"a\x00b", "utf-8"),
        (b"\\ud800 and \\x00", "unicode_escape"),
        (b"+2AA-", "utf-7"),
        (b"\xff\xfe\x00\xd8", "utf-16"),
    ],
)
def test_the_excerpt_is_storable_text(data, charset):
    text = delivery.excerpt(delivery.decode_excerpt(data, charset))
    assert "\x00" not in text
    text.encode("utf-8")  # no lone surrogate: PostgreSQL could not store it


def test_the_excerpt_is_bounded():
    text = delivery.excerpt("\x00" * 5000)
    assert len(text) == delivery.EXCERPT_CHARS + 1
    assert "\x00" not in text


# ----------------------------------------------------------------------
# A misbehaving partner on 127.0.0.1
# ----------------------------------------------------------------------
def answer(status=200, body=b'{"ok": true}', headers=(), keep_alive=True):
    lines = [f"HTTP/1.1 {status} X".encode()]
    lines += [f"{name}: {value}".encode("latin-1") for name, value in headers]
    lines.append(f"Content-Length: {len(body)}".encode())
    if not keep_alive:
        lines.append(b"Connection: close")
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


class Partner:
    """A raw HTTP/1.1 server: each request gets the next scripted answer,
    a function writing to the socket; connections are kept alive."""

    def __init__(self):
        self.connections = 0
        self.requests = 0
        self.sent_bytes = 0
        self.script = []
        self._server = socket.create_server(("127.0.0.1", 0))
        self._threads = []
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self):
        return "http://127.0.0.1:%s/hooks" % self._server.getsockname()[1]

    def close(self):
        self._server.close()

    def _accept(self):
        while True:
            try:
                conn, _address = self._server.accept()
            except OSError:
                return
            self.connections += 1
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            thread.start()

    def _serve(self, conn):
        reader = conn.makefile("rb")
        with conn, reader:
            while self._read_request(reader):
                self.requests += 1
                play = self.script.pop(0) if self.script else send(answer())
                try:
                    if play(self, conn) == "close":
                        return
                except OSError:
                    return

    @staticmethod
    def _read_request(reader):
        length = 0
        line = reader.readline()
        if not line:
            return False
        while line not in (b"\r\n", b""):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
            line = reader.readline()
        reader.read(length)
        return True


def send(data):
    def play(partner, conn):
        conn.sendall(data)
        partner.sent_bytes += len(data)

    return play


def trickle(head, tail, interval=0.2):
    """Send ``head`` at once, then ``tail`` one byte every ``interval``."""

    def play(partner, conn):
        conn.sendall(head)
        for index in range(len(tail)):
            time.sleep(interval)
            conn.sendall(tail[index : index + 1])
        return "close"

    return play


def stream(status, size, chunk=64 * 1024):
    def play(partner, conn):
        conn.sendall(f"HTTP/1.1 {status} X\r\nContent-Length: {size}\r\n\r\n".encode())
        block = b"x" * chunk
        for _start in range(0, size, chunk):
            conn.sendall(block)
            partner.sent_bytes += chunk
        return "close"

    return play


@pytest.fixture
def partner():
    server = Partner()
    yield server
    server.close()


@pytest.fixture
def session():
    with requests.Session() as value:
        http_send.use_address_policy(value, None)
        yield value


def post(session, partner, timeout=5.0):
    return http_send.post(session, partner.url, timeout, b"{}", {})


@pytest.mark.parametrize(
    ("head", "tail"),
    [
        (b"", b"HTTP/1.1 200 OK\r\n" * 10),
        (b"HTTP/1.1 200 OK\r\n", b"X-Slow: " + b"a" * 100 + b"\r\n\r\n"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", b"b" * 100),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", b"1\r\nc\r\n" * 50),
    ],
    ids=["status-line", "headers", "body", "chunked-body"],
)
def test_a_trickling_partner_is_cut_at_the_total_deadline(partner, session, head, tail):
    partner.script.append(trickle(head, tail, interval=0.2))
    started = time.monotonic()
    raw = post(session, partner, timeout=1.0)
    elapsed = time.monotonic() - started
    assert raw["timeout"] is True
    assert raw["failure"] is None
    # A per-read timeout would wait for the whole trickle (20 s or more).
    assert 0.9 <= elapsed < 4.0
    assert 900 <= raw["latency_ms"] < 4000


def test_a_huge_answer_is_read_only_for_its_excerpt(partner, session):
    partner.script.append(stream(500, 50 * MIB))
    raw = post(session, partner)
    assert raw["status"] == 500
    assert raw["text"] == "x" * http_send.EXCERPT_BYTES
    # The connection is closed after the excerpt: the partner could only fill
    # the socket buffers, far from the 50 MiB.
    time.sleep(0.2)
    assert partner.sent_bytes < 25 * MIB
    # The session goes on with a new connection.
    assert post(session, partner)["status"] == 200
    assert partner.connections == 2


def test_a_small_answer_keeps_its_connection_alive(partner, session):
    partner.script += [
        send(answer(body=b"first")),
        send(answer(body=b"y" * http_send.EXCERPT_BYTES)),
        send(
            b"HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"3\r\nabc\r\n0\r\n\r\n"
        ),
        send(answer(status=204, body=b"")),
    ]
    texts = [post(session, partner, timeout=0.5)["text"] for _i in range(5)]
    assert texts[:3] == ["first", "y" * http_send.EXCERPT_BYTES, "abc"]
    assert partner.requests == 5
    assert partner.connections == 1, "every answer was read to its end"
    # The watchdogs of those requests are over: the idle connection is
    # still usable after their deadlines.
    time.sleep(0.7)
    assert post(session, partner)["status"] == 200
    assert partner.connections == 1


@pytest.mark.parametrize(
    ("headers", "body", "expected"),
    [
        ((("Content-Type", "text/plain; charset=x-bogus"),), "é".encode(), "é"),
        ((("Content-Type", "text/plain; charset=idna"),), "é".encode(), "é"),
        ((("Content-Type", "text/plain; charset=base64"),), b"aGk=", "aGk="),
        ((("Content-Type", "text/plain; charset=latin-1"),), b"\xe9", "é"),
        ((("Content-Type", "text/plain"),), b"a\x00b", "a\ufffdb"),
    ],
)
def test_any_charset_gives_text(partner, session, headers, body, expected):
    partner.script.append(send(answer(200, body, headers)))
    raw = post(session, partner)
    assert (raw["status"], raw["text"], raw["failure"]) == (200, expected, None)


def test_retry_after_bytes_reach_the_parser_as_text(partner, session):
    partner.script += [
        send(b"HTTP/1.1 429 X\r\nRetry-After: \xb2\r\nContent-Length: 0\r\n\r\n"),
        send(b"HTTP/1.1 429 X\r\nRetry-After: \xc2\xb2\r\nContent-Length: 0\r\n\r\n"),
    ]
    for _i in range(2):
        raw = post(session, partner)
        assert raw["status"] == 429
        assert delivery.parse_retry_after(raw["retry_after"]) is None


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:1/closed", "ftp://127.0.0.1/x", "http://[::1/"]
)
def test_failures_are_outcomes_never_exceptions(session, url):
    raw = http_send.post(session, url, 2.0, b"{}", {})
    assert raw["failure"] and raw["status"] == 0 and not raw["timeout"]


def test_an_unexpected_exception_is_the_request_outcome(partner, session):
    raw = http_send.post(session, partner.url, 2.0, b"{}", {"X-Bad": object()})
    assert raw["failure"]
    assert not raw["timeout"]
    assert raw["status"] == 0


def test_a_session_without_the_adapter_gets_it(partner):
    with requests.Session() as plain:
        partner.script.append(trickle(b"HTTP/1.1 200 OK\r\n", b"X: y\r\n" * 20))
        raw = http_send.post(plain, partner.url, 1.0, b"{}", {})
        assert raw["timeout"] is True
        assert isinstance(plain.get_adapter(partner.url), http_send.CheckedAdapter)


def test_parallel_requests_each_keep_their_own_deadline(session):
    from concurrent.futures import ThreadPoolExecutor

    slow, fast = Partner(), Partner()
    try:
        slow.script += [trickle(b"HTTP/1.1 200 OK\r\n", b"X: y\r\n" * 30)] * 4
        jobs = [(slow, 1.0)] * 4 + [(fast, 1.0)] * 12
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=8) as pool:
            raws = list(pool.map(lambda job: post(session, *job), jobs))
        assert time.monotonic() - started < 4.0
        assert [raw["timeout"] for raw in raws] == [True] * 4 + [False] * 12
        assert all(raw["status"] == 200 for raw in raws[4:])
    finally:
        slow.close()
        fast.close()
