# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import OutboundCase


@tagged("post_install", "-at_install")
class TestOutboundTargets(OutboundCase):
    """The allow-list is checked on the addresses a host name resolves to."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Host = cls.env["integration.allowed.host"]
        cls.name_entry = Host.create({"name": "localhost", "note": "by name"})
        cls.ip_entry = Host.search([("name", "=", "127.0.0.1")])
        cls.by_name = cls.make_connector(
            "Test MES by name",
            url=cls.receiver.url.replace("127.0.0.1", "localhost"),
        )
        cls.connector.active = False

    def test_a_name_resolving_to_loopback_needs_an_ip_entry(self):
        self.ip_entry.active = False
        delivery = self.deliveries(self.ship("L-1"), self.by_name)
        self.run_jobs()
        self.assertEqual(self.receiver.requests, [], "nothing reached 127.0.0.1")
        self.assertEqual(delivery.state, "retrying")
        self.assertIn("'localhost' may not be sent to", delivery.error)
        self.assertIn(
            "127.0.0.1 is a loopback, private or link-local address", delivery.error
        )
        # An entry naming the address lets the next attempt through.
        self.ip_entry.active = True
        self.fast_forward_deliveries()
        self.run_jobs()
        self.assertEqual(delivery.state, "delivered")
        self.assertEqual(len(self.receiver.requests), 1)
        self.assertTrue(self.receiver.requests[0]["verified"])

    def test_a_cidr_entry_allows_the_addresses_it_covers(self):
        self.ip_entry.active = False
        self.env["integration.allowed.host"].create({"name": "127.0.0.0/8"})
        delivery = self.deliveries(self.ship("L-2"), self.by_name)
        self.run_jobs()
        self.assertEqual(delivery.state, "delivered")

    def test_the_connection_test_shows_the_refusal(self):
        self.ip_entry.active = False
        action = self.by_name.action_test_connection()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn("127.0.0.1 is a loopback", action["params"]["message"])
        self.assertEqual(self.receiver.requests, [])

    def test_bad_host_entries_name_the_value(self):
        with self.assertRaisesRegex(ValidationError, "10.0.0.0/99"):
            self.env["integration.allowed.host"].create({"name": "10.0.0.0/99"})
