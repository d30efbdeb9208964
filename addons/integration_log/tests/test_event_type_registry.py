# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase


class TestEventTypeRegistry(TransactionCase):
    def test_a_missing_schema_file_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "nowhere.json"):
            self.env["integration.event.type"].create(
                {
                    "name": "x.thing.v1",
                    "direction": "out",
                    "schema_file": "integration_log/schemas/nowhere.json",
                }
            )

    def test_an_inbound_type_needs_an_existing_handler(self):
        with self.assertRaisesRegex(ValidationError, "_no_such_method"):
            self.env["integration.event.type"].create(
                {
                    "name": "x.thing.v1",
                    "direction": "in",
                    "schema_file": "integration_log/schemas/cloudevent.json",
                    "handler_model": "integration.event",
                    "handler_method": "_no_such_method",
                }
            )

    def test_types_are_cached_and_the_cache_follows_changes(self):
        EventType = self.env["integration.event.type"]
        created = EventType.create(
            {
                "name": "x.thing.v1",
                "direction": "out",
                "schema_file": "integration_log/schemas/cloudevent.json",
            }
        )
        self.assertIn("x.thing.v1", EventType._get_catalogue())
        created.active = False
        self.assertNotIn("x.thing.v1", EventType._get_catalogue())
        schema = EventType._get_schema("x.thing.v1")
        self.assertIsNone(schema)
