# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import pytest
from protocol import delivery


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.1.2.3",
        "::1",
        "10.0.0.8",
        "172.16.4.4",
        "192.168.1.1",
        "169.254.169.254",
        "fe80::1",
        "fd00::1",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "::ffff:127.0.0.1",
    ],
)
def test_internal_addresses_need_an_ip_entry_whatever_the_name(address):
    allowed = ("*.partner.example.com", "localhost")
    reason = delivery.address_refusal(address, allowed)
    assert reason and "loopback, private or link-local" in reason


def test_an_ip_or_cidr_entry_allows_an_internal_address():
    assert delivery.address_refusal("127.0.0.1", ("localhost", "127.0.0.1")) is None
    assert delivery.address_refusal("10.1.2.3", ("10.1.0.0/16",)) is None
    assert delivery.address_refusal("10.2.0.1", ("10.1.0.0/16",))
    assert delivery.address_refusal("::ffff:10.1.2.3", ("10.1.0.0/16",)) is None


def test_public_addresses_follow_the_host_name():
    assert delivery.address_refusal("93.184.216.34", ("*.example.com",)) is None
    policy = delivery.AddressPolicy(("*.example.com",), host_allowed_by_name=False)
    assert "not an allowed host" in policy.refusal("93.184.216.34")
    assert policy.refusal("not-an-address")


def test_cidr_entries_are_valid_patterns_and_match_ip_hosts():
    assert delivery.valid_host_pattern("10.1.0.0/16")
    assert delivery.valid_host_pattern("fd00::/8")
    assert not delivery.valid_host_pattern("10.1.0.0/99")
    assert not delivery.valid_host_pattern("example.com/16")
    assert delivery.host_allowed("10.1.2.3", ["10.1.0.0/16"])
    assert not delivery.host_allowed("10.2.2.3", ["10.1.0.0/16"])
    assert not delivery.host_allowed("ten.example.com", ["10.1.0.0/16"])


@pytest.fixture
def loopback_server():
    """A real HTTP server on 127.0.0.1 that counts the requests it gets."""
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            hits.append(self.path)
            self.send_response(302)
            self.send_header("Location", "http://127.0.0.1:1/elsewhere")
            self.end_headers()

        def log_message(self, *_args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], hits
    server.shutdown()
    server.server_close()


def test_the_connection_checks_the_address_it_opens(loopback_server):
    requests = pytest.importorskip("requests")
    from protocol import http_send

    port, hits = loopback_server
    url = f"http://localhost:{port}/hooks"
    with requests.Session() as session:
        # The name is allowed, not the address: nothing reaches the server.
        http_send.use_address_policy(session, delivery.AddressPolicy(("localhost",)))
        raw = http_send.post(session, url, 5, b"{}", {})
        assert raw["status"] == 0
        assert "loopback, private or link-local" in raw["failure"]
        assert hits == []
        # An entry naming the address lets it through; the redirect it
        # answers is not followed.
        http_send.use_address_policy(
            session, delivery.AddressPolicy(("localhost", "127.0.0.1"))
        )
        raw = http_send.post(session, url, 5, b"{}", {})
        assert raw["status"] == 302
        assert hits == ["/hooks"]
