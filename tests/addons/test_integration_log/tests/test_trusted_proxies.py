# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Behind reverse proxies: the client address comes from X-Forwarded-For
only through the trusted proxies (the test server sees 127.0.0.1)."""

from odoo.tests import tagged

from .common import InboundCase

PARAM = "integration_log.trusted_proxies"


@tagged("post_install", "-at_install")
class TestTrustedProxies(InboundCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.client.ip_allowlist = "203.0.113.0/24"

    def trust(self, value):
        self.env["ir.config_parameter"].set_param(PARAM, value)

    def post_from(self, forwarded_for):
        headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
        return self.post(self.make_event(), headers=headers)

    def test_without_trusted_proxies_the_header_is_ignored(self):
        self.trust("")
        problem = self.assertProblem(self.post_from("203.0.113.9"), 403, "ip_forbidden")
        self.assertIn("127.0.0.1", problem["detail"])
        self.assertEqual(self.refusals("ip_forbidden").remote_addr, "127.0.0.1")

    def test_one_trusted_proxy(self):
        self.trust("127.0.0.1")
        self.assertEqual(self.post_from("203.0.113.9").status_code, 202)
        # Without the header the proxy itself is the client: not allowed.
        self.assertProblem(self.post_from(None), 403, "ip_forbidden")

    def test_a_spoofed_address_on_the_left_is_ignored(self):
        self.trust("127.0.0.1")
        # The client wrote 203.0.113.9; the proxy appended its real address.
        response = self.post_from("203.0.113.9, 198.51.100.7")
        problem = self.assertProblem(response, 403, "ip_forbidden")
        self.assertIn("198.51.100.7", problem["detail"])
        self.assertEqual(self.refusals("ip_forbidden").remote_addr, "198.51.100.7")

    def test_two_trusted_proxies(self):
        self.trust("127.0.0.1, 10.20.0.0/16")
        response = self.post_from("198.51.100.7, 203.0.113.9, 10.20.3.4")
        self.assertEqual(response.status_code, 202, response.text)
        # The second proxy is not trusted: its address is the client's.
        self.trust("127.0.0.1")
        response = self.post_from("203.0.113.9, 10.20.3.4")
        problem = self.assertProblem(response, 403, "ip_forbidden")
        self.assertIn("10.20.3.4", problem["detail"])

    def test_a_bad_item_in_the_list_trusts_nothing_more(self):
        logger = "odoo.addons.integration_log.models.integration_inbound"
        with self.assertLogs(logger, "WARNING") as logs:
            self.trust("proxy.example, 127.0.0.1")
            self.assertEqual(self.post_from("203.0.113.9").status_code, 202)
            self.trust("proxy.example")
            self.assertProblem(self.post_from("203.0.113.9"), 403, "ip_forbidden")
        self.assertIn("proxy.example", logs.output[0])
