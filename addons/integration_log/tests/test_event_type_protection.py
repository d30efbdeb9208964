# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
import xmlrpc.client

from odoo.tests import HttpCase, new_test_user, tagged

# What decides the code run for a partner's event and the file served as its
# schema; a harmless alternative value for each.
TECHNICAL_VALUES = {
    "handler_model": "res.users",
    "handler_method": "_integration_handle_anything",
    "schema_file": "integration_log/schemas/cloudevent.json",
    "subject_field": "name",
}


@tagged("post_install", "-at_install")
class TestEventTypeProtection(HttpCase):
    """Event types' handler, model, schema and subject fields come from module
    data: no user changes them over the external API, not even an
    administrator."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        new_test_user(
            cls.env, "types_manager", "integration_log.group_integration_manager"
        )
        cls.event_type = cls.env.ref("integration_log.event_type_connector_test")

    def call_kw(self, method, args):
        response = self.url_open(
            "/web/dataset/call_kw",
            data=json.dumps(
                {
                    "jsonrpc": "2.0",
                    "method": "call",
                    "params": {
                        "model": "integration.event.type",
                        "method": method,
                        "args": args,
                        "kwargs": {},
                    },
                }
            ),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()

    def test_technical_fields_are_refused_over_json_rpc_and_xml_rpc(self):
        schema_file = self.event_type.schema_file
        self.authenticate("types_manager", "types_manager")
        for field, value in TECHNICAL_VALUES.items():
            reply = self.call_kw("write", [self.event_type.ids, {field: value}])
            self.assertEqual(
                reply["error"]["data"]["name"], "odoo.exceptions.AccessError", field
            )
            self.assertIn(field, reply["error"]["data"]["message"])
        # What a manager may change is still writable.
        reply = self.call_kw("write", [self.event_type.ids, {"description": "Ping"}])
        self.assertIs(reply.get("result"), True, reply)

        uid = self.xmlrpc_common.authenticate(self.env.cr.dbname, "admin", "admin", {})
        with self.assertRaisesRegex(xmlrpc.client.Fault, "handler_method"):
            self.xmlrpc_object.execute_kw(
                self.env.cr.dbname,
                uid,
                "admin",
                "integration.event.type",
                "write",
                [self.event_type.ids, {"handler_method": "unlink"}],
            )
        self.event_type.invalidate_recordset()
        self.assertEqual(
            (self.event_type.schema_file, self.event_type.handler_method),
            (schema_file, False),
        )
        self.assertEqual(self.event_type.description, "Ping")
