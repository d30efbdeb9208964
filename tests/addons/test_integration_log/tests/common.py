# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import uuid

from odoo.addons.integration_log.tests.common import (
    API,
    BATCH,
    SINGLE,
    IntegrationHttpCase,
)
from odoo.addons.integration_log.tests.receiver import Receiver

__all__ = ["API", "BATCH", "SINGLE", "InboundCase", "OutboundCase", "SOURCE"]

SOURCE = "urn:mes:test-plant"


class InboundCase(IntegrationHttpCase):
    """The toy widget client; calls through Odoo's HTTP server, jobs run for
    real through queue_job's own /queue_job/runjob controller."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.client = cls.make_client("Test MES", "test.widget.*")
        cls.tech_user = cls.client.user_id
        cls.category = cls.env["test.integration.widget.category"].create(
            {"name": "Gears"}
        )

    def make_event(self, **overrides):
        event = {
            "specversion": "1.0",
            "id": str(uuid.uuid4()),
            "source": SOURCE,
            "type": "test.widget.upserted.v1",
            "time": "2026-03-01T08:00:00+01:00",
            "subject": "W-1",
            "data": {"name": "W-1", "quantity": 3, "category": "Gears"},
        }
        event.update(overrides)
        return {key: value for key, value in event.items() if value is not None}

    def widget(self, name):
        return self.env["test.integration.widget"].search([("name", "=", name)])

    def refusals(self, reason):
        return self.env["integration.refusal"].search([("reason", "=", reason)])


class OutboundCase(InboundCase):
    """Outbound tests: a real HTTP receiver on 127.0.0.1 plays the partner."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.receiver = Receiver().start()
        cls.addClassCleanup(cls.receiver.stop)
        # The demo data may already allow this host.
        Host = cls.env["integration.allowed.host"].with_context(active_test=False)
        host = Host.search([("name", "=", "127.0.0.1")])
        (host or Host.create({"name": "127.0.0.1"})).write(
            {"active": True, "note": "test receiver"}
        )
        cls.connector = cls.make_connector("Test MES endpoint")

    @classmethod
    def make_connector(cls, name, **values):
        connector = cls.env["integration.connector"].create(
            {
                "name": name,
                "url": cls.receiver.url,
                "event_types": "test.widget.*",
                "retry_schedule": "5,5,5",
                **values,
            }
        )
        secret = connector.issue_signing_secret()["signing_secret"]
        cls.receiver.secrets = [secret]
        return connector

    def setUp(self):
        super().setUp()
        self.receiver.reset()

    def make_widget(self, name="W-1", quantity=5):
        return self.env["test.integration.widget"].create(
            {"name": name, "quantity": quantity}
        )

    def ship(self, *names):
        """Ship new widgets; returns their outbound events in order."""
        events = self.env["integration.event"]
        for name in names:
            widget = self.make_widget(name)
            widget.action_ship()
            events |= self.env["integration.event"].search(
                [("direction", "=", "out"), ("subject", "=", name)]
            )
        return events

    def deliveries(self, events, connector=None):
        return self.env["integration.delivery"].search(
            [
                ("event_id", "in", events.ids),
                ("connector_id", "=", (connector or self.connector).id),
            ],
            order="id",
        )

    def fast_forward_deliveries(self):
        """Let retry delays elapse for deliveries and their wake-up jobs."""
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE integration_delivery SET next_attempt_at = "
            "now() at time zone 'UTC' - interval '1 second' "
            "WHERE state IN ('retrying', 'pending')"
        )
        self.fast_forward()

    def seal_log(self):
        self.env.flush_all()
        return self.env["integration.log.entry"]._seal_pending()
